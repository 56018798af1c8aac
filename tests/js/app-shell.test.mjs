// The page around the sections: keyboard shortcuts, dialogs, the critical banner's
// Acknowledge, the access token, the error notice, and what an alert does beside the lists
// (sound, desktop notification, screen-reader announcement).
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { closePages, openPage } from "./page.mjs";
import { alert, critical, detection, started } from "./fixtures.mjs";

afterEach(closePages);

const key = (page, k, target = page.doc.body) => {
  const event = new page.window.KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  page.flush();
  return event.defaultPrevented;
};

/** A Notification stand-in: permission as given, and every notification shown. */
function fakeNotification(permission = "granted", answer = "granted") {
  const shown = [];
  class N {
    constructor(title, options) { shown.push([title, options.body]); }
  }
  N.permission = permission;
  N.requestPermission = async () => { N.permission = answer; return answer; };
  N.shown = shown;
  return N;
}

/** An AudioContext stand-in counting the tones started. */
function fakeAudio() {
  const tones = [];
  class Ctx {
    constructor() { this.currentTime = 0; this.destination = {}; }
    createOscillator() {
      const osc = { frequency: { value: 0 }, connect: (g) => g, start: () => tones.push(osc.frequency.value), stop() {} };
      return osc;
    }
    createGain() {
      const gain = { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (d) => d };
      return gain;
    }
  }
  Ctx.tones = tones;
  return Ctx;
}

function connected(options = {}) {
  const page = openPage({ routes: { "/api/streaming/status": { session: null } }, ...options });
  page.socket.connect();
  page.socket.emit("snapshot", { epoch: "e1", seq: 0, session: started().session, settings: { refresh_interval: 0 } });
  page.flush();
  let seq = 0;
  page.send = (...events) => {
    page.socket.emit("frame", { epoch: "e1", events: events.map(([event, data]) => ({ seq: ++seq, event, at: seq, data })) });
    page.flush();
  };
  return page;
}

describe("keyboard shortcuts", () => {
  test("number keys go to the sections; p pauses; s switches auto-scroll; r refreshes", async () => {
    const page = connected();
    assert.equal(key(page, "2"), true);
    await page.until(() => page.app.router.route.name === "history", "the history section");
    assert.equal(page.doc.activeElement, page.doc.getElementById("main"), "focus moves to the new section");
    key(page, "1");
    await page.until(() => page.app.router.route.name === "streaming", "the live section");
    key(page, "p");
    assert.equal(page.app.state.paused, true);
    assert.equal(page.text('[data-control="pause"]'), "Resume");
    key(page, "s");
    assert.equal(page.app.prefs.autoScroll, false);
    key(page, "r");
    await page.until(() => page.calls.some((u) => u.pathname === "/api/streaming/status"), "the refresh");
  });

  test("t cycles the theme (system, light, dark) and the header's menu follows", () => {
    const page = connected();
    const select = page.doc.getElementById("theme-select");
    assert.equal(select.value, "system");
    key(page, "t");
    assert.equal(select.value, "light");
    assert.equal(page.doc.documentElement.dataset.theme, "light");
    key(page, "t");
    assert.equal(page.doc.documentElement.dataset.theme, "dark");
    select.value = "light";
    select.dispatchEvent(new page.window.Event("change"));
    assert.equal(page.doc.documentElement.dataset.theme, "light");
    assert.equal(page.window.localStorage.getItem("tickstock.theme"), "light");
  });

  test("? shows and hides the shortcut list; Escape closes any dialog; / goes to the symbol filter", () => {
    const page = connected();
    const help = page.doc.getElementById("help-dialog");
    key(page, "?");
    assert.equal(help.hasAttribute("open"), true);
    assert.equal(page.texts("#help-list kbd").length, 12);
    key(page, "?");
    assert.equal(help.hasAttribute("open"), false);
    page.click(page.doc.getElementById("help-button"));
    assert.equal(help.hasAttribute("open"), true);
    key(page, "Escape");
    assert.equal(help.hasAttribute("open"), false);
    page.app.showJson({ a: 1 });
    page.click(page.doc.querySelector("#json-dialog [data-close]"));
    assert.equal(page.doc.getElementById("json-dialog").hasAttribute("open"), false);
    key(page, "/");
    assert.equal(page.doc.activeElement, page.doc.querySelector('[data-filter="symbol"]'));
  });

  test("keys typed into a field are text, not shortcuts; modified keys are the browser's", () => {
    const page = connected();
    const field = page.doc.querySelector('[data-filter="symbol"]');
    assert.equal(key(page, "p", field), false);
    assert.equal(page.app.state.paused, false);
    const ctrl = new page.window.KeyboardEvent("keydown", { key: "p", ctrlKey: true, bubbles: true, cancelable: true });
    page.doc.body.dispatchEvent(ctrl);
    assert.equal(page.app.state.paused, false);
    assert.equal(key(page, "x"), false, "an unbound key does nothing");
  });

  test("with the browser's modal dialogs, the page uses showModal and close", () => {
    const page = connected();
    const help = page.doc.getElementById("help-dialog");
    const calls = [];
    help.showModal = () => { calls.push("showModal"); help.setAttribute("open", ""); };
    help.close = () => { calls.push("close"); help.removeAttribute("open"); };
    key(page, "?");
    key(page, "?");
    assert.deepEqual(calls, ["showModal", "close"]);
  });
});

describe("the shell", () => {
  test("the banner's Acknowledge hides the critical alert it shows and shows the next", () => {
    const page = connected();
    page.send(["critical_alert", critical({ component: "redis", message: "Redis down" })],
      ["critical_alert", critical({ component: "feed", severity: "error", message: "Feed slow" })]);
    const banner = page.doc.getElementById("critical-banner");
    assert.equal(banner.hidden, false);
    assert.equal(page.text('#critical-banner [data-field="message"]'), "Redis down");
    assert.equal(page.text('#critical-banner [data-field="more"]'), "+1 more");
    page.click(page.doc.getElementById("ack-button"));
    page.flush();
    assert.equal(page.text('#critical-banner [data-field="message"]'), "Feed slow");
    page.click(page.doc.getElementById("ack-button"));
    page.flush();
    assert.equal(banner.hidden, true);
    page.click(page.doc.getElementById("ack-button"));  // nothing shown: nothing to acknowledge
    page.flush();
    assert.equal(banner.hidden, true);
  });

  test("the access token is kept for the tab and sent at the reconnect it causes", () => {
    const page = connected();
    assert.equal(page.app.token, null);
    page.app.setToken("s3cret");
    assert.equal(page.window.sessionStorage.getItem("tickstock.token"), "s3cret");
    assert.equal(page.app.token, "s3cret");
    assert.equal(page.socket.authPayloads.at(-1).token, "s3cret");
    page.app.setToken("");
    assert.equal(page.window.sessionStorage.getItem("tickstock.token"), null);
  });

  test("storage the browser refuses (private mode) never breaks the page", () => {
    const refusing = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("denied"); }, removeItem() { throw new Error("denied"); } };
    const page = connected({ storage: refusing, sessionStorage: refusing });
    assert.equal(page.app.token, null);
    page.app.setToken("x");
    assert.equal(page.app.token, null);
    page.app.command("autoscroll");
    assert.equal(page.app.prefs.autoScroll, false);
  });

  test("a stored auto-scroll choice outlives the server's default", () => {
    const { window } = openPage();
    window.localStorage.setItem("tickstock.autoscroll", "false");
    const page = openPage({ storage: window.localStorage });
    page.socket.connect();
    page.socket.emit("snapshot", { epoch: "e1", seq: 0, settings: { auto_scroll: true } });
    assert.equal(page.app.prefs.autoScroll, false);
  });

  test("an error notice can be dismissed", () => {
    const page = connected();
    const notice = page.doc.getElementById("error-notice");
    notice.hidden = false;
    page.click(notice.querySelector("[data-dismiss]"));
    assert.equal(notice.hidden, true);
  });
});

describe("what an alert does beside the lists", () => {
  test("an indicator alert sounds its class, notifies, is announced, and reaches the chart bus", () => {
    const Notification = fakeNotification();
    const AudioContext = fakeAudio();
    const page = connected({ Notification, AudioContext });
    page.window.localStorage.setItem("tickstock.notify", "on");
    const again = connected({ Notification, AudioContext, storage: page.window.localStorage });
    again.app.sound.setEnabled("bullish", true);
    const onBus = [];
    again.app.bus.on("alert", (a) => onBus.push(a.alert_type));
    again.send(["indicator_alert", alert({ alert_type: "RSI_OVERSOLD" })]);
    assert.deepEqual(AudioContext.tones, [660]);
    assert.deepEqual(Notification.shown, [["TickStock alert", "AAPL: RSI oversold"]]);
    assert.equal(again.text("#announcer"), "New alert AAPL: RSI oversold");
    assert.deepEqual(onBus, ["RSI_OVERSOLD"]);
  });

  test("a critical alert is announced with its severity; its recovery is announced too, three seconds later at the earliest", () => {
    const page = connected();
    page.send(["critical_alert", critical({ component: "redis", message: "Redis down" })]);
    assert.equal(page.text("#announcer"), "critical alert: Redis down");
    page.send(["critical_alert", critical({ component: "redis", resolved: true, message: "Redis back" })]);
    assert.equal(page.text("#announcer"), "critical alert: Redis down", "announcements are spaced");
    page.clock.t += 3000;
    page.send(["critical_alert", critical({ component: "feed", resolved: true, message: "Feed back" })]);
    assert.equal(page.text("#announcer"), "Recovered: feed");
  });

  test("a producer's batch of detections reaches the chart bus one by one", () => {
    const page = connected();
    const seen = [];
    page.app.bus.on("pattern", (d) => seen.push(d.symbol));
    page.send(["streaming_patterns_batch", { type: "streaming_patterns_batch", detections: [detection({ symbol: "A" }), detection({ symbol: "B" })] }]);
    assert.deepEqual(seen, ["A", "B"]);
    page.app.handleEntries([]);
    assert.deepEqual(seen, ["A", "B"]);
  });

  test("the page's figures for the browser tests read the live counters", () => {
    const page = connected();
    page.send(["indicator_alert", alert()]);
    const stats = page.app.stats;
    assert.equal(stats.counters.alerts, 1);
    assert.ok(stats.framesRendered > 0);
    assert.ok(Number.isFinite(stats.lastRenderMs) && Number.isFinite(stats.maxRenderMs));
    assert.ok(stats.latencySamples >= 1);
    assert.ok(Number.isFinite(stats.lastLatencyMs));
    assert.ok(Array.isArray(stats.latencies()));
  });
});
