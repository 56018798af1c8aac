// What the top bar, the banner and the health panel say as the connection and the engine
// come and go: refused for want of a token, offline, closed by the server (and resumed),
// events missed; the engine's issues and the app's ingest counts; the theme's choices.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { createTheme } from "../../src/tickstock/web/static/js/theme.js";
import { closePages, openPage } from "./page.mjs";
import { critical, dom, health, pattern, minute, started } from "./fixtures.mjs";

afterEach(closePages);

function connected() {
  const page = openPage({ routes: { "/api/streaming/status": { session: null } } });
  page.socket.connect();
  page.socket.emit("snapshot", { epoch: "e1", seq: 0, session: started().session, settings: { refresh_interval: 0 } });
  page.flush();
  page.state = () => page.text('#topbar [data-field="state"]');
  page.notice = () => page.text('#topbar [data-field="notice"]');
  return page;
}

describe("the connection in the top bar", () => {
  test("a refused token says where to enter one; another failure is offline", () => {
    const page = connected();
    assert.equal(page.state(), "Connected");
    page.socket.emit("connect_error", new Error("unauthorized"));
    page.flush();
    assert.equal(page.state(), "Not authorised: enter the access token in Settings");
    page.socket.emit("connect_error", new Error("xhr poll error"));
    page.flush();
    assert.equal(page.state(), "Offline");
    page.socket.emit("connect_error", undefined);
    page.flush();
    assert.equal(page.state(), "Offline");
  });

  test("closed by the server, the page connects again at once, sending where it was", () => {
    const page = connected();
    page.socket.emit("frame", { epoch: "e1", events: [{ seq: 1, event: "streaming_pattern", at: 1, data: pattern({ timestamp: minute(1) }) }] });
    const before = page.socket.authPayloads.length;
    page.socket.emit("disconnect", "io server disconnect");
    page.flush();
    assert.equal(page.socket.authPayloads.length, before + 1);
    assert.equal(page.socket.authPayloads.at(-1).last_seq, 1);
    assert.equal(page.state(), "Reconnecting…");
  });

  test("a frame after a gap says how many events were missed", () => {
    const page = connected();
    page.socket.emit("frame", { epoch: "e1", events: [{ seq: 4, event: "streaming_pattern", at: 4, data: pattern({ timestamp: minute(4) }) }] });
    page.flush();
    assert.equal(page.notice(), "3 events missed");
  });
});

describe("the health panel and the banner", () => {
  test("the engine's issues are listed as text, strings or objects; none says so", () => {
    const page = connected();
    const issues = () => page.texts('[data-panel="health"] [data-field="issues"] li');
    page.socket.emit("frame", { epoch: "e1", events: [{ seq: 1, event: "streaming_health", at: 1,
      data: health({ status: "degraded", issues: ["High processing lag", { message: "Feed slow" }, { code: 3 }] }) }] });
    page.flush();
    assert.deepEqual(issues(), ["High processing lag", "Feed slow", ""]);
    assert.equal(page.text('[data-panel="health"] [data-field="issuesEmpty"]'), "");
    page.socket.emit("frame", { epoch: "e1", events: [{ seq: 2, event: "streaming_health", at: 2, data: health({ issues: "none", timestamp: minute(2) }) }] });
    page.flush();
    assert.deepEqual(issues(), []);
    assert.equal(page.text('[data-panel="health"] [data-field="issuesEmpty"]'), "No issues reported.");
  });

  test("the app's ingest counts show once the server sends them", () => {
    const page = connected();
    const ingest = page.doc.querySelector('[data-panel="health"] [data-field="ingest"]');
    assert.equal(ingest.hidden, true);
    page.socket.emit("snapshot", { epoch: "e1", seq: 0, metrics: { rejects: 3 } });
    page.flush();
    assert.equal(ingest.hidden, false);
    assert.equal(ingest.textContent, "Ingest: 3 rejected · 0 normalised");
  });

  test("the banner shows the alert's action when it has one, and its severity as its colour", () => {
    const page = connected();
    page.socket.emit("frame", { epoch: "e1", events: [{ seq: 1, event: "critical_alert", at: 1, data: critical({ severity: "error", action_required: null }) }] });
    page.flush();
    const banner = page.doc.getElementById("critical-banner");
    assert.ok(banner.classList.contains("severity-error"));
    assert.equal(page.text('#critical-banner [data-field="action"]'), "");
    assert.equal(page.text('#critical-banner [data-field="more"]'), "");
    page.socket.emit("frame", { epoch: "e1", events: [{ seq: 2, event: "critical_alert", at: 2, data: critical({ component: "db", severity: "critical", message: undefined }) }] });
    page.flush();
    assert.equal(page.text('#critical-banner [data-field="severity"]'), "CRITICAL");
    assert.equal(page.text('#critical-banner [data-field="action"]'), "Action: Manual intervention needed");
    assert.equal(page.text('#critical-banner [data-field="message"]'), "");
  });
});

describe("theme choices", () => {
  test("an unknown choice is the system's; storage that refuses still applies the theme now", () => {
    const { window } = dom();
    const refusing = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("denied"); } };
    const theme = createTheme({ root: window.document.documentElement, storage: refusing, matchMedia: null });
    assert.equal(theme.preference, "system");
    theme.set("dark");
    assert.equal(theme.applied, "dark");
    theme.set("sepia");
    assert.equal(theme.preference, "system");
    assert.equal(theme.applied, "light", "no media query: light");
    theme.destroy();
  });
});
