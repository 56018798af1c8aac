// The Live Streaming page's controls: filters that say how many match in the session (its
// stored history searched through the API), pause with "N new", auto-scroll, refresh and
// auto-refresh, the alerts CSV, acknowledging a critical alert, the session clock, and the
// Chart panel that follows the grid's selection.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { closePages, fakeCharts, openPage, Reply } from "./page.mjs";
import { alert, critical, detection, minute, pattern, started } from "./fixtures.mjs";

afterEach(closePages);

/** The Live page after a snapshot of session s1 with two live patterns and an alert. */
function live(routes = {}, snapshot = {}) {
  const charts = fakeCharts();
  const page = openPage({ charts, routes: { "/api/streaming/status": { session: null }, ...routes } });
  page.charts = charts;
  page.socket.connect();
  page.socket.emit("snapshot", { epoch: "e1", seq: 0, session: started().session,
    recent_patterns: [pattern({ symbol: "NVDA", timestamp: minute(2) }), pattern({ symbol: "AMD", pattern_type: "Hammer", timestamp: minute(1) })],
    recent_alerts: [alert({ symbol: "NVDA", timestamp: minute(3) })], settings: { refresh_interval: 0 }, ...snapshot });
  page.flush();
  let seq = 0;
  page.send = (...events) => {
    page.socket.emit("frame", { epoch: "e1", events: events.map(([event, data]) => ({ seq: ++seq, event, at: seq, data })) });
    page.flush();
  };
  page.control = (name) => page.doc.querySelector(`[data-control="${name}"]`);
  page.filter = (name, value) => {
    const el = page.doc.querySelector(`[data-filter="${name}"]`);
    el.value = value;
    el.dispatchEvent(new page.window.Event("input"));
    page.flush();
  };
  return page;
}

const sessionStored = { "/api/streaming/sessions": { sessions: [{ session_id: "s1" }] } };
const count = (page) => page.control("match-count").textContent;

describe("filters on the Live page", () => {
  test("a symbol filter searches the session's stored history and counts its matches with the live ones", async () => {
    const page = live({
      ...sessionStored,
      "/api/streaming/sessions/s1/patterns": { items: [{ ...detection({ symbol: "NVDA", timestamp: minute(0) }), high_confidence: true }], total: 7, page: 1, pages: 1 },
      "/api/streaming/alerts": { items: [], total: 4, page: 1, pages: 1 },
    });
    assert.equal(count(page), "", "no filter, no count");
    page.filter("symbol", "nvda");
    assert.equal(count(page), "Searching the session…");
    assert.deepEqual(page.texts('[data-panel="patterns"] .pattern-row .sym'), ["NVDA"], "the live lists narrow at once");
    await page.until(() => count(page).endsWith("in this session"), "the session's count");
    // 7 stored + the live NVDA pattern the page fetched no copy of; 4 stored + 1 live alert.
    assert.equal(count(page), "8 patterns, 5 alerts match in this session");
    const asked = page.calls.find((u) => u.pathname === "/api/streaming/sessions/s1/patterns");
    assert.equal(asked.searchParams.get("symbol"), "NVDA");
    assert.equal(page.calls.find((u) => u.pathname === "/api/streaming/alerts").searchParams.get("session_id"), "s1");
    assert.deepEqual(page.texts('[data-panel="patterns"] .pattern-row .sym'), ["NVDA", "NVDA"], "the stored match joins the list");
  });

  test("a partial symbol is matched on the fetched rows, so the count says 'at least'", async () => {
    const page = live({
      ...sessionStored,
      "/api/streaming/sessions/s1/patterns": { items: [], total: 30, page: 1, pages: 1 },
      "/api/streaming/alerts": { items: [], total: 2, page: 1, pages: 1 },
    });
    page.filter("symbol", "n$");
    await page.until(() => count(page).endsWith("in this session"), "the session's count");
    assert.equal(count(page), "at least 30 patterns, at least 2 alerts match in this session");
  });

  test("the other filters: pattern type, minimum confidence (in %), alert type", async () => {
    const page = live({ "/api/streaming/sessions": { sessions: [] } });
    const alertTypes = [...page.doc.querySelectorAll('[data-filter="alertType"] option')].map((o) => o.value);
    assert.ok(alertTypes.includes("RSI_OVERBOUGHT"));
    page.filter("patternType", "hammer");
    assert.deepEqual(page.texts('[data-panel="patterns"] .pattern-row .sym'), ["AMD"]);
    page.filter("patternType", "");
    page.filter("minConfidence", "90");
    assert.equal(page.app.filters.minConfidence, 0.9);
    assert.equal(page.doc.querySelectorAll('[data-panel="patterns"] .pattern-row').length, 0);
    page.filter("minConfidence", "0");
    page.filter("alertType", "MACD_BULLISH_CROSS");
    assert.equal(page.doc.querySelectorAll('[data-panel="alerts"] .alert-row').length, 0);
    await page.until(() => count(page).includes("live only"), "the not-stored answer");
    assert.equal(count(page), "2 patterns, 0 alerts match (live only): history not available for this session");
  });

  test("without a session nothing is searched; a history that cannot be read leaves live matches only", async () => {
    const page = live({}, { session: null });
    page.filter("symbol", "AMD");
    assert.equal(count(page), "1 patterns, 0 alerts match (live only)");
    const broken = live({ "/api/streaming/sessions": new Reply(503, { error: "store_unavailable", detail: "locked" }) });
    broken.filter("symbol", "AMD");
    await broken.until(() => count(broken).startsWith("Live matches only"), "the error");
    assert.equal(count(broken), "Live matches only: the session's history could not be searched (store_unavailable: locked)");
  });
});

describe("live controls", () => {
  test("Pause holds the lists and counts what came meanwhile; Resume shows it", () => {
    const page = live();
    const pause = page.control("pause");
    page.click(pause);
    page.flush();
    assert.equal(pause.textContent, "Resume");
    assert.equal(pause.getAttribute("aria-pressed"), "true");
    page.send(["streaming_pattern", pattern({ symbol: "TSLA", timestamp: minute(5) })], ["streaming_pattern", pattern({ symbol: "TSLA", timestamp: minute(6) })]);
    assert.equal(page.control("new-count").textContent, "2 new");
    assert.ok(!page.texts('[data-panel="patterns"] .pattern-row .sym').includes("TSLA"));
    page.click(pause);
    page.flush();
    assert.equal(pause.textContent, "Pause");
    assert.equal(page.control("new-count").textContent, "");
    assert.deepEqual(page.texts('[data-panel="patterns"] .pattern-row .sym').slice(0, 2), ["TSLA", "TSLA"]);
  });

  test("auto-scroll is switched off and on, and the choice is kept", () => {
    const page = live();
    const button = page.control("autoscroll");
    assert.equal(button.textContent, "Auto-scroll on");
    page.click(button);
    page.flush();
    assert.equal(button.textContent, "Auto-scroll off");
    assert.equal(button.getAttribute("aria-pressed"), "false");
    assert.equal(page.window.localStorage.getItem("tickstock.autoscroll"), "false");
  });

  test("Refresh reads the status now and says when; a failure says why", async () => {
    let answer = { session: { ...started().session, status: "active" }, settings: { refresh_interval: 0 } };
    const page = live({ "/api/streaming/status": () => answer });
    page.click(page.control("refresh"));
    assert.equal(page.control("refresh-info").textContent, "Refreshing…");
    await page.until(() => page.control("refresh-info").textContent.startsWith("Updated"), "the refresh");
    assert.match(page.control("refresh-info").textContent, /^Updated \d\d:\d\d:\d\d ET$/);
    answer = new Reply(401, { error: "unauthorized", detail: "a token is needed" });
    page.click(page.control("refresh"));
    await page.until(() => page.control("refresh-info").textContent.startsWith("Refresh failed"), "the failure");
    assert.equal(page.control("refresh-info").textContent, "Refresh failed: unauthorized: a token is needed");
  });

  test("auto-refresh follows the server's interval and is re-armed when it changes", async () => {
    const page = live({}, { settings: { refresh_interval: 30 } });
    assert.equal(page.control("refresh-info").textContent, "Auto-refresh every 30s");
    assert.equal(page.runEvery(30000), 1);
    await page.until(() => page.calls.some((u) => u.pathname === "/api/streaming/status"), "the automatic refresh");
    page.socket.emit("snapshot", { epoch: "e1", seq: 0, settings: { refresh_interval: 0 } });
    page.flush();
    assert.equal(page.control("refresh-info").textContent, "Manual refresh only");
    assert.equal(page.runEvery(30000), 0, "the old timer is gone");
  });

  test("the session's duration ticks each second while it is active", () => {
    const page = live();
    const duration = page.doc.querySelector('[data-field="duration"]');
    const before = duration.textContent;
    page.clock.t += 5000;
    assert.equal(page.runEvery(1000), 1);
    page.flush();
    assert.notEqual(duration.textContent, before);
  });

  test("the CSV button downloads the live alerts", async () => {
    const page = live();
    let blob = null;
    page.window.URL.createObjectURL = (b) => { blob = b; return "blob:alerts"; };
    page.window.URL.revokeObjectURL = () => {};
    const downloads = [];
    page.doc.addEventListener("click", (event) => {
      const link = event.target.closest?.("a[download]");
      if (!link) return;
      event.preventDefault();  // jsdom does not navigate
      downloads.push([link.getAttribute("href"), link.download]);
    });
    page.click(page.control("csv"));
    assert.deepEqual(downloads, [["blob:alerts", "tickstock-alerts.csv"]]);
    const [header, row] = (await blob.text()).trim().split(/\r?\n/);
    assert.match(header, /symbol/);
    assert.match(row, /NVDA/);
  });

  test("acknowledging a critical alert in its list greys it", () => {
    const page = live();
    page.send(["critical_alert", critical({ component: "feed" })]);
    page.click(page.doc.querySelector('.critical-list [data-action="ack"][data-component="feed"]'));
    page.flush();
    assert.equal(page.app.state.criticals.get("feed").acknowledged, true);
    assert.ok(page.doc.querySelector(".critical-list .critical-row").classList.contains("is-acked"));
  });
});

describe("the Live page's chart panel", () => {
  test("charts the grid row the reader selects; selecting another remounts it", async () => {
    const page = live({ "/api/streaming/ohlcv/NVDA": { bars: [] }, "/api/streaming/ohlcv/AMD": { bars: [] } });
    page.send(["streaming_bars", { type: "streaming_bars", timeframe: "1min", closed: true, bars: [
      { symbol: "NVDA", timestamp: minute(1), open: 1, high: 1, low: 1, close: 1, volume: 1 },
      { symbol: "AMD", timestamp: minute(1), open: 2, high: 2, low: 2, close: 2, volume: 1 }] }]);
    const panel = page.doc.querySelector('[data-panel="chart"]');
    assert.equal(page.charts.charts.length, 0, "nothing is charted before a click");
    page.clock.t += 300;
    await page.until(() => panel.ownerDocument.querySelector('[data-panel="market"] .grid-body [data-symbol="AMD"]'), "the AMD row");
    const select = (symbol) => page.click(page.doc.querySelector(`[data-panel="market"] .grid-body [data-symbol="${symbol}"] .c-last`));
    select("NVDA");
    await page.until(() => page.charts.charts.length === 1, "NVDA's chart");
    assert.equal(panel.querySelector("h2").textContent, "Chart NVDA");
    assert.equal(panel.querySelector(".empty").hidden, true);
    select("NVDA");
    await page.settle();
    assert.equal(page.charts.charts.length, 1, "the symbol shown already is not charted again");
    assert.equal(page.calls.filter((u) => u.pathname === "/api/streaming/ohlcv/NVDA").length, 1);
    select("AMD");
    await page.until(() => page.charts.charts.length === 2, "AMD's chart");
    assert.equal(page.charts.charts[0].removed, true);
    assert.equal(panel.querySelector("h2").textContent, "Chart AMD");
    assert.equal(panel.querySelectorAll(".chart-host").length, 1);
  });
});
