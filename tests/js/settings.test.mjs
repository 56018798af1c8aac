// Settings (#/settings) and the services it switches: opt-in alert sounds (one tone per
// class, throttled), desktop notifications (permission asked on the reader's click,
// throttled), debug mode, the Live page's panel layout, the access token, and the server's
// settings (STREAMING_* and the engine's health interval); and the REST client every section uses.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { ApiError, buildUrl, createApi, itemsOf } from "../../src/tickstock/web/static/js/api.js";
import { DEFAULT_ORDER, LAYOUT_KEY } from "../../src/tickstock/web/static/js/layout.js";
import { createNotifier, NOTIFY_KEY } from "../../src/tickstock/web/static/js/notify.js";
import { createSound, SOUND_KEY, soundClassOf, TONES } from "../../src/tickstock/web/static/js/sound.js";
import { closePages, openPage } from "./page.mjs";
import { SERVER_SETTINGS, settingText } from "../../src/tickstock/web/static/js/sections/settings.js";
import { DEFAULT_SETTINGS, normaliseSettings } from "../../src/tickstock/web/static/js/state.js";

afterEach(closePages);

function memoryStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)), removeItem: (k) => data.delete(k) };
}

function fakeNotification(permission, answer = permission) {
  const shown = [];
  const N = class {
    constructor(title, options) { shown.push([title, options.body, options.tag]); }
  };
  N.permission = permission;
  N.asked = 0;
  N.requestPermission = async () => { N.asked++; N.permission = answer; return answer; };
  N.shown = shown;
  return N;
}

/** An AudioContext stand-in: each tone as [frequency, start, stop]. */
function fakeAudio() {
  const tones = [];
  let made = 0;
  class Ctx {
    constructor() { made++; this.currentTime = 10; this.destination = {}; }
    createOscillator() {
      const osc = { frequency: { value: 0 }, connect: (g) => g, start(at) { osc.at = at; }, stop(at) { tones.push([osc.frequency.value, osc.at, at]); } };
      return osc;
    }
    createGain() {
      return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (d) => d };
    }
  }
  return { Ctx, tones, get made() { return made; } };
}

const checkbox = (page, text) => [...page.doc.querySelectorAll("main label.check")].find((l) => l.textContent.trim() === text)?.querySelector("input");
const change = (page, input, checked) => {
  input.checked = checked;
  input.dispatchEvent(new page.window.Event("change", { bubbles: true }));
};

describe("settings page", () => {
  test("alert sounds are opt-in per class; switching one on plays it once", () => {
    const audio = fakeAudio();
    const page = openPage({ hash: "#/settings", AudioContext: audio.Ctx });
    const box = checkbox(page, "Critical alerts");
    assert.equal(box.checked, false);
    change(page, box, true);
    assert.equal(page.app.sound.isEnabled("critical"), true);
    assert.deepEqual(audio.tones.map((t) => t[0]), [880, 880, 880], "the critical tone, three times");
    assert.deepEqual(JSON.parse(page.window.localStorage.getItem(SOUND_KEY)), ["critical"]);
    change(page, box, false);
    assert.equal(page.app.sound.isEnabled("critical"), false);
    assert.deepEqual(page.texts("main fieldset:first-of-type label"), [" Critical alerts", " Bullish indicator alerts", " Bearish indicator alerts", " Every pattern"]);
  });

  test("desktop notifications ask the browser's permission on the reader's click; a refusal unticks the box", async () => {
    const Notification = fakeNotification("default", "denied");
    const page = openPage({ hash: "#/settings", Notification });
    const box = checkbox(page, "Notify me of critical and indicator alerts");
    change(page, box, true);
    await page.until(() => Notification.asked === 1 && box.checked === false, "the refusal");
    assert.equal(page.window.localStorage.getItem(NOTIFY_KEY), "off");
    const unsupported = openPage({ hash: "#/settings" });
    assert.match(unsupported.doc.querySelector("main").textContent, /This browser does not support desktop notifications\./);
  });

  test("debug mode is switched from here", () => {
    const page = openPage({ hash: "#/settings" });
    const box = checkbox(page, "Debug mode: log connection changes and every received event to the browser console");
    change(page, box, true);
    assert.equal(page.app.diagnostics.debug, true);
    change(page, box, false);
    assert.equal(page.app.diagnostics.debug, false);
  });

  test("the Live page's panels are hidden, shown and reordered here, and the layout is kept", () => {
    const page = openPage({ hash: "#/settings" });
    const items = () => [...page.doc.querySelectorAll(".layout-list li")];
    assert.equal(items().length, DEFAULT_ORDER.length);
    const [first, second] = DEFAULT_ORDER;
    const firstUp = page.doc.querySelector(`[data-move="${first}"][data-delta="-1"]`);
    assert.equal(firstUp.disabled, true, "the first panel cannot go up");
    assert.equal(page.doc.querySelector(`[data-move="${DEFAULT_ORDER.at(-1)}"][data-delta="1"]`).disabled, true);
    page.click(page.doc.querySelector(`[data-move="${first}"][data-delta="1"]`));
    assert.deepEqual(page.app.layout.order.slice(0, 2), [second, first]);
    assert.equal(page.doc.activeElement, page.doc.querySelector(`[data-move="${first}"][data-delta="1"]`), "focus stays on the moved panel's button");
    change(page, page.doc.querySelector(`[data-panel-toggle="${second}"]`), false);
    assert.deepEqual(page.app.layout.hidden, [second]);
    assert.deepEqual(JSON.parse(page.window.localStorage.getItem(LAYOUT_KEY)), page.app.layout);
    page.click(page.doc.querySelector(".layout-list"));  // not on a button: nothing moves
    assert.deepEqual(page.app.layout.order.slice(0, 2), [second, first]);
  });

  test("the access token is saved for the tab and the field is emptied", () => {
    const page = openPage({ hash: "#/settings" });
    const field = page.doc.querySelector('input[aria-label="Access token"]');
    field.value = "  tok-123 ";
    field.form.requestSubmit();
    assert.equal(page.window.sessionStorage.getItem("tickstock.token"), "tok-123");
    assert.equal(field.value, "");
  });

  test("the server's settings are listed by their variable, grouped by prefix, with units", () => {
    const page = openPage();
    page.socket.connect();
    page.socket.emit("snapshot", { epoch: "e", seq: 0, settings: { refresh_interval: 15, max_pattern_events: 1, max_alert_events: 1200, auto_scroll: false, sound_alerts: true, health_interval: 60 } });
    page.flush();
    page.app.command("route:settings");
    return page.until(() => page.app.router.route.name === "settings", "the settings page").then(() => {
      const facts = (h3) => Object.fromEntries([...h3.nextElementSibling.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
      const [dashboard, engine] = page.doc.querySelectorAll("main fieldset h3");
      assert.equal(dashboard.textContent, "Dashboard (STREAMING_*)");
      assert.deepEqual(facts(dashboard), {
        STREAMING_REFRESH_INTERVAL: "15 seconds", STREAMING_MAX_PATTERN_EVENTS: "1 pattern", STREAMING_MAX_ALERT_EVENTS: "1,200 alerts",
        STREAMING_AUTO_SCROLL: "off", STREAMING_SOUND_ALERTS: "on",
      });
      assert.equal(engine.textContent, "Engine (TICKSTOCK_*)");
      assert.deepEqual(facts(engine), { TICKSTOCK_HEALTH_INTERVAL: "60 seconds" }, "health_interval is not a STREAMING_* setting");
      assert.match(page.doc.querySelector("main dl.facts dt").title, /^Seconds between automatic refreshes/);
    });
  });

  test("a setting reads with its unit; 0 says what it means; a missing value is a dash", () => {
    const refresh = SERVER_SETTINGS.find((s) => s.name === "refresh_interval");
    assert.equal(settingText(refresh, 0), "0 (manual only)");
    assert.equal(settingText(refresh, 1), "1 second");
    assert.equal(settingText(SERVER_SETTINGS.at(-1), normaliseSettings({ health_interval: 0.5 }).health_interval), "0.5 seconds", "a fraction is kept, not floored to 0");
    assert.equal(normaliseSettings({ max_alert_events: 30.7 }).max_alert_events, 30, "counts stay whole");
    assert.equal(settingText(refresh, undefined), "—");
    assert.equal(settingText({}, 7), "7");
    assert.deepEqual(SERVER_SETTINGS.map((s) => s.name), Object.keys(DEFAULT_SETTINGS), "every setting the snapshot carries is described");
  });
});

describe("alert sounds", () => {
  test("each class has its own tone; a burst of one class plays once per 1.5 s", () => {
    const audio = fakeAudio();
    let t = 0;
    const sound = createSound({ AudioContext: audio.Ctx, storage: memoryStorage(), now: () => t });
    assert.equal(sound.play("bullish"), false, "off until the reader opts in");
    sound.setEnabled("bullish", true);
    sound.setEnabled("bearish", true);
    assert.equal(audio.made, 1, "the context is made on the reader's toggle");
    assert.equal(sound.play("bullish"), true);
    assert.equal(sound.play("bullish"), false);
    assert.equal(sound.play("bearish"), true, "another class is not held back");
    t += 1500;
    assert.equal(sound.play("bullish"), true);
    assert.deepEqual(audio.tones.map((x) => x[0]), [TONES.bullish[0], TONES.bearish[0], TONES.bullish[0]]);
    const [freq, start, stop] = audio.tones[0];
    assert.equal(freq, 660);
    assert.ok(Math.abs(stop - start - TONES.bullish[1]) < 1e-9);
  });

  test("the choice is kept; the server's default applies only until the reader chooses", () => {
    const storage = memoryStorage({ [SOUND_KEY]: JSON.stringify(["critical", "nonsense"]) });
    const kept = createSound({ AudioContext: undefined, storage, now: () => 0 });
    assert.equal(kept.isEnabled("critical"), true);
    assert.equal(kept.isEnabled("nonsense"), false);
    kept.applyDefault(false);
    assert.equal(kept.isEnabled("critical"), true, "the reader's choice wins");
    assert.equal(kept.play("critical"), false, "no Web Audio: silent");
    const fresh = createSound({ storage: memoryStorage(), now: () => 0 });
    fresh.applyDefault(true);
    assert.deepEqual(["critical", "bullish", "bearish", "pattern"].map((c) => fresh.isEnabled(c)), [true, true, true, false]);
    const garbled = createSound({ storage: memoryStorage({ [SOUND_KEY]: "{not json" }), now: () => 0, defaultOn: true });
    assert.equal(garbled.isEnabled("critical"), true, "unreadable storage falls back to the default");
  });

  test("alert types map to sound classes", () => {
    assert.equal(soundClassOf("critical"), "critical");
    assert.equal(soundClassOf("pattern"), "pattern");
    assert.equal(soundClassOf("indicator", "MACD_BULLISH_CROSS"), "bullish");
    assert.equal(soundClassOf("indicator", "BB_LOWER_TOUCH"), "bullish");
    assert.equal(soundClassOf("indicator", "RSI_OVERBOUGHT"), "bearish");
  });
});

describe("desktop notifications", () => {
  test("shown only when switched on with the browser's permission, one per 5 s", async () => {
    let t = 0;
    const N = fakeNotification("granted");
    const storage = memoryStorage();
    const notifier = createNotifier({ Notification: N, storage, now: () => t });
    assert.equal(notifier.notify("a", "b"), false, "off by default");
    assert.equal(await notifier.setEnabled(true), true);
    assert.equal(N.asked, 0, "permission held already: not asked again");
    assert.equal(storage.getItem(NOTIFY_KEY), "on");
    assert.equal(notifier.notify("TickStock alert", "AAPL: RSI overbought"), true);
    assert.equal(notifier.notify("TickStock alert", "again"), false);
    t += 5000;
    assert.equal(notifier.notify("TickStock critical", "Redis down"), true);
    assert.deepEqual(N.shown, [["TickStock alert", "AAPL: RSI overbought", "tickstock"], ["TickStock critical", "Redis down", "tickstock"]]);
    N.permission = "denied";  // revoked in the browser's settings
    assert.equal(notifier.enabled, false);
    assert.equal(await notifier.setEnabled(false), false);
    assert.equal(storage.getItem(NOTIFY_KEY), "off");
  });

  test("a browser without notifications, or storage that refuses, is handled", async () => {
    const refusing = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("denied"); } };
    const none = createNotifier({ Notification: undefined, storage: refusing, now: () => 0 });
    assert.equal(none.supported, false);
    assert.equal(await none.setEnabled(true), false);
    assert.equal(none.notify("x", "y"), false);
    const stored = createNotifier({ Notification: fakeNotification("granted"), storage: memoryStorage({ [NOTIFY_KEY]: "on" }), now: () => 0 });
    assert.equal(stored.enabled, true, "the choice is restored");
  });
});

describe("REST client", () => {
  const response = (status, body, statusText = "") => ({ ok: status < 400, status, statusText, json: async () => (body === undefined ? Promise.reject(new SyntaxError("no JSON")) : body) });

  test("asks for JSON with the token, leaving empty parameters out", async () => {
    const asked = [];
    const api = createApi({ fetch: async (url, init) => { asked.push([url, init]); return response(200, { ok: 1 }); }, getToken: () => "tok" });
    assert.deepEqual(await api.get("/api/x", { a: 1, b: "", c: null, d: undefined, e: 0 }), { ok: 1 });
    assert.equal(asked[0][0], "/api/x?a=1&e=0");
    assert.equal(asked[0][1].headers.Authorization, "Bearer tok");
    assert.equal(asked[0][1].headers.Accept, "application/json");
    assert.equal(buildUrl("/api/y"), "/api/y");
  });

  test("a refusal carries the server's error and detail; a body that is not JSON still gives the status", async () => {
    const api = createApi({ fetch: async (url) => (url === "/a" ? response(422, { error: "invalid_parameter", detail: "limit: must be ≤ 500" }) : response(502, undefined, "Bad Gateway")) });
    await assert.rejects(api.get("/a"), (err) => err instanceof ApiError && err.status === 422 && err.error === "invalid_parameter"
      && err.message === "invalid_parameter: limit: must be ≤ 500");
    await assert.rejects(api.get("/b"), (err) => err.status === 502 && err.message === "http_502: Bad Gateway");
    const bare = new ApiError(500, "internal_error", "");
    assert.equal(bare.message, "internal_error");
  });

  test("an unreachable server is a network error; an abort stays an abort", async () => {
    const down = createApi({ fetch: async () => { throw new TypeError("Failed to fetch"); } });
    await assert.rejects(down.get("/x"), (err) => err.status === 0 && err.error === "network_error");
    const aborted = createApi({ fetch: async () => { throw Object.assign(new Error("aborted"), { name: "AbortError" }); } });
    await assert.rejects(aborted.get("/x"), { name: "AbortError" });
  });

  test("the items of any list answer", () => {
    assert.deepEqual(itemsOf([1]), [1]);
    assert.deepEqual(itemsOf({ sessions: [2] }), [2]);
    assert.deepEqual(itemsOf({ indicators: [3] }), [3]);
    assert.deepEqual(itemsOf({ other: 1 }), []);
    assert.deepEqual(itemsOf(null), []);
  });
});
