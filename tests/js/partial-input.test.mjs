// Partial and bad input, as producers and old stored rows send it: every event is counted,
// what cannot be used is dropped (never thrown), and what can be used is shown with sane
// defaults. Plus the words the top bar and the critical list use for each case.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  applyAlert, applyBars, applyDetection, applyIndicator, changeOf, createMarket, dayOf, percentB,
} from "../../src/tickstock/web/static/js/market.js";
import { noticeText } from "../../src/tickstock/web/static/js/render/connection.js";
import { createCriticalListPanel } from "../../src/tickstock/web/static/js/render/critical-list.js";
import {
  acknowledgeCritical, applyEvent, applySnapshot, applyStatus, createState, displayMetrics, healthState, openCriticals, sessionSeconds,
} from "../../src/tickstock/web/static/js/store.js";
import { alert, critical, dom, indicator, minute, pattern, started, stopped, XSS } from "./fixtures.mjs";

const bar = (symbol, at, close, over = {}) => ({ symbol, timestamp: at, open: close, high: close, low: close, close, volume: 10, ...over });

describe("bad events are counted and dropped", () => {
  test("events without their body, or with a body of the wrong shape", () => {
    const state = createState();
    applyEvent(state, "streaming_pattern", null);
    applyEvent(state, "streaming_indicator", { type: "streaming_indicator", calculation: { indicator: "RSI" } });
    applyEvent(state, "streaming_indicators_batch", { calculations: [indicator().calculation, "junk"] });
    applyEvent(state, "streaming_indicators_batch", {});
    applyEvent(state, "streaming_patterns_batch", {});
    applyEvent(state, "indicator_alert", { type: "indicator_alert", alert: [] });
    applyEvent(state, "streaming_session", { type: "streaming_session_started", session: "s1" });
    applyEvent(state, "critical_alert", { type: "critical_alert", alert: 7 });
    applyEvent(state, "streaming_bars", { bars: "none" });
    assert.equal(state.counters.events, 9);
    assert.equal(state.counters.indicators, 1, "the batch's good calculation");
    assert.equal(state.counters.ignored, 6);
    assert.equal(state.patterns.size + state.alerts.size, 0);
  });

  test("a detection or alert missing text fields is shown with empty text, its data an object", () => {
    const state = createState();
    applyEvent(state, "streaming_pattern", { type: "streaming_pattern", detection: { symbol: "X", timestamp: minute(1), confidence: 0.5 } });
    applyEvent(state, "indicator_alert", { type: "indicator_alert", alert: { symbol: "X", timestamp: minute(1), data: "75" } });
    applyEvent(state, "streaming_indicator", { type: "streaming_indicator", calculation: { symbol: "X", value: 1, timestamp: minute(1) } });
    assert.equal(state.patterns.newest(0).pattern_type, "");
    assert.equal(state.alerts.newest(0).alert_type, "");
    assert.deepEqual(state.alerts.newest(0).data, {});
    assert.equal([...state.indicators.map.values()][0].indicator, "");
  });

  test("a snapshot's lists accept bare and wrapped items alike; a resolved critical does not open", () => {
    const state = createState();
    applySnapshot(state, {
      recent_patterns: [pattern({ timestamp: minute(1) }), pattern({ timestamp: minute(2) }).detection],
      latest_indicators: [indicator(), indicator({ symbol: "AMD" }).calculation],
      open_critical_alerts: [critical(), { ...critical({ component: "feed" }).alert }, critical({ component: "db", resolved: true }).alert, { severity: "warning", message: "no component" }],
    });
    assert.equal(state.patterns.size, 2);
    assert.equal(state.indicators.size, 2);
    assert.deepEqual([...state.criticals.keys()], ["massive_websocket", "feed", ""]);
  });
});

describe("sessions and status refreshes", () => {
  test("a stop for another session than the shown one replaces it; a start after a stop wakes the engine's status", () => {
    const state = createState();
    applyEvent(state, "streaming_session", started({ session_id: "a" }));
    applyEvent(state, "streaming_session", stopped({ session_id: "b", total_patterns: 3 }));
    assert.equal(state.session.session_id, "b");
    assert.equal(state.session.universe, undefined, "nothing of session a is kept");
    assert.equal(state.session.status, "stopped");
    applyStatus(state, { app_status: { engine: "stopped" } });
    assert.equal(healthState(state), "stopped");
    applyEvent(state, "streaming_session", started({ session_id: "c" }));
    assert.equal(state.appStatus.engine, "waiting");
  });

  test("a refresh keeps the newer of the live and the stored session, and takes what status it carries", () => {
    const state = createState();
    assert.equal(applyStatus(state, null), state);
    applyStatus(state, { session: started({ session_id: "old", started_at: "2025-10-05T13:30:00Z" }).session });
    assert.equal(state.session.session_id, "old", "no live session: the stored one");
    applyStatus(state, { session: { session_id: "older", started_at: "2025-10-04T13:30:00Z" } });
    assert.equal(state.session.session_id, "old", "an older stored session does not replace the live one");
    applyStatus(state, { session: { session_id: "new", started_at: "2025-10-06T13:30:00Z" }, app: { redis: "connected", metrics: { active_symbols: 9 } },
      health: { type: "streaming_health", health: { status: "healthy", active_symbols: 8 } } });
    assert.equal(state.session.session_id, "new");
    assert.equal(state.appStatus.redis, "connected");
    assert.equal(displayMetrics(state).active_symbols, 9);
    assert.equal(state.health.active_symbols, 8);
    applyStatus(state, { health: { status: "degraded" } });
    assert.equal(state.health.status, "degraded", "a bare health body too");
  });

  test("the session's duration: from its start, from start and stop when no duration was sent, none without times", () => {
    const state = createState();
    assert.equal(sessionSeconds(state, 0), null);
    state.session = { status: "active", started_at: "2025-10-05T13:30:00Z" };
    assert.equal(sessionSeconds(state, Date.parse("2025-10-05T13:31:00Z")), 60);
    assert.equal(sessionSeconds(state, Date.parse("2025-10-05T13:00:00Z")), 0, "a clock behind the start shows 0");
    state.session = { status: "stopped", started_at: "2025-10-05T13:30:00Z", stopped_at: "2025-10-05T14:30:00Z" };
    assert.equal(sessionSeconds(state, 0), 3600);
    state.session = { status: "stopped", started_at: "2025-10-05T13:30:00Z" };
    assert.equal(sessionSeconds(state, 0), null);
    state.session = { status: "active" };
    assert.equal(sessionSeconds(state, 0), null);
  });

  test("the metrics fall back from the server's to the health report's, the session's, then the page's counts", () => {
    const state = createState();
    assert.equal(displayMetrics(state).active_symbols, 0);
    state.session = { symbol_count: 500 };
    assert.equal(displayMetrics(state).active_symbols, 500);
    state.health = { active_symbols: 480 };
    assert.equal(displayMetrics(state).active_symbols, 480);
  });

  test("open criticals: unacknowledged first, then by severity; an unknown severity last", () => {
    const state = createState();
    for (const [component, severity] of [["a", "warning"], ["b", "odd"], ["c", "critical"], ["d", "error"]]) {
      applyEvent(state, "critical_alert", critical({ component, severity }));
    }
    acknowledgeCritical(state, "c");
    assert.deepEqual(openCriticals(state).map((c) => c.alert.component), ["d", "a", "b", "c"]);
  });
});

describe("the market picture's edge cases", () => {
  test("invalid and repeated bars are skipped; a forming bar older than the one shown is stale", () => {
    const market = createMarket();
    assert.equal(applyBars(market, null), 0);
    assert.equal(applyBars(market, { closed: true, bars: [null, { symbol: 1 }, bar("A", "not a time", 1), bar("A", minute(1), NaN)] }), 0);
    assert.equal(applyBars(market, { closed: true, bars: [bar("A", minute(1), 10, { volume: "many" })] }), 1);
    assert.equal(market.rows.get("A").volume, 0, "a volume that is not a number counts 0");
    assert.equal(applyBars(market, { closed: true, bars: [bar("A", minute(1), 11)] }), 0, "a closed bar is final");
    assert.equal(applyBars(market, { closed: false, bars: [bar("A", minute(3), 12, { volume: null })] }), 1);
    assert.equal(applyBars(market, { closed: false, bars: [bar("A", minute(2), 13)] }), 0, "an older forming bar is stale");
    assert.equal(applyBars(market, { closed: false, bars: [bar("A", minute(1), 13)] }), 0, "a minute already closed");
    assert.equal(market.rows.get("A").last, 12);
  });

  test("a bar whose time does not parse is dropped, so later bars still move the price", () => {
    const market = createMarket();
    applyBars(market, { closed: true, bars: [bar("A", minute(1), 10)] });
    assert.equal(applyBars(market, { closed: true, bars: [bar("A", "garbled", 99)] }), 0);
    applyBars(market, { closed: true, bars: [bar("A", minute(2), 11)] });
    applyBars(market, { closed: false, bars: [bar("A", minute(3), 12)] });
    assert.equal(market.rows.get("A").last, 12);
  });

  test("a bar of an earlier New York day than the row's is ignored; a row limit keeps new symbols out", () => {
    const market = createMarket(1);
    applyBars(market, { closed: true, bars: [bar("A", "2025-10-06T14:00:00Z", 10)] });
    applyBars(market, { closed: true, bars: [bar("A", "2025-10-05T14:00:00Z", 99)] });
    assert.equal(market.rows.get("A").last, 10);
    applyBars(market, { closed: true, bars: [bar("B", minute(1), 5)] });
    applyDetection(market, pattern({ symbol: "B" }).detection);
    applyIndicator(market, indicator({ symbol: "B" }).calculation);
    applyAlert(market, alert({ symbol: "B" }).alert);
    assert.deepEqual([...market.rows.keys()], ["A"]);
  });

  test("detections without the bars channel: price and volume from bar_data, never from a detection's older minute", () => {
    const market = createMarket();
    applyDetection(market, { symbol: "A" });
    applyDetection(market, null);
    assert.equal(market.rows.size, 0);
    applyDetection(market, pattern({ symbol: "A", timestamp: minute(2), confidence: "high" }).detection);
    const row = market.rows.get("A");
    assert.equal(row.patternConfidence, null);
    assert.equal(row.last, 125.52);
    assert.equal(row.volume, 250000);
    applyDetection(market, pattern({ symbol: "A", timestamp: minute(2), pattern_type: "Hammer", bar_data: { close: 126, volume: 5 } }).detection);
    assert.equal(row.volume, 250000, "the same minute's volume is not added twice");
    assert.equal(row.last, 126);
    applyDetection(market, pattern({ symbol: "A", timestamp: minute(1), pattern_type: "Old", bar_data: { close: 1 } }).detection);
    assert.equal(row.pattern, "Hammer");
    assert.equal(row.last, 126);
    applyDetection(market, pattern({ symbol: "A", timestamp: minute(3), bar_data: null }).detection);
    assert.equal(row.last, 126);
  });

  test("indicators: RSI, the MACD histogram and both Bollinger bands; anything else is not a grid column", () => {
    const market = createMarket();
    applyIndicator(market, { indicator: "RSI", value: 50 });
    applyIndicator(market, { symbol: "A", indicator: "SMA", value: 50 });
    assert.equal(market.rows.size, 0);
    applyIndicator(market, { symbol: "A", indicator: "rsi", value: "50" });
    applyIndicator(market, { symbol: "A", indicator: "MACD", values: { histogram: 0.25 } });
    applyIndicator(market, { symbol: "A", indicator: "BB", values: { upper: 12 } });
    const row = market.rows.get("A");
    assert.equal(row.rsi, null);
    assert.equal(row.macdHist, 0.25);
    assert.equal(row.bbUpper, null, "one band alone is not used");
    applyIndicator(market, { symbol: "A", indicator: "BB", values: { upper: 12, lower: 8 } });
    applyBars(market, { closed: true, bars: [bar("A", minute(1), 11)] });
    assert.equal(percentB(row), 0.75);
    applyIndicator(market, { symbol: "A", indicator: "BB", values: { upper: 8, lower: 8 } });
    assert.equal(percentB(row), null, "bands of no width");
  });

  test("alerts count for the symbol's day only; yesterday's late alert does not", () => {
    const market = createMarket();
    applyAlert(market, { symbol: "A" });
    assert.equal(market.rows.size, 0);
    applyBars(market, { closed: true, bars: [bar("A", "2025-10-06T14:00:00Z", 10)] });
    applyAlert(market, alert({ symbol: "A", timestamp: "2025-10-05T19:00:00Z" }).alert);
    applyAlert(market, alert({ symbol: "A", timestamp: "2025-10-06T15:00:00Z" }).alert);
    assert.equal(market.rows.get("A").alerts, 1);
    applyAlert(market, alert({ symbol: "A", timestamp: "2025-10-07T14:00:00Z" }).alert);
    assert.equal(market.rows.get("A").alerts, 1, "a new day starts over");
    applyAlert(market, alert({ symbol: "A", timestamp: "garbled" }).alert);
    assert.equal(market.rows.get("A").alerts, 2, "an alert without a readable time counts for today");
  });

  test("the day's change needs a positive reference; dates of invalid times are empty", () => {
    assert.deepEqual(changeOf({ last: 10, previousClose: 0, open: null }), { change: null, percent: null });
    assert.deepEqual(changeOf({ last: null, previousClose: 9, open: null }), { change: null, percent: null });
    assert.equal(dayOf("yesterday"), "");
    // More hours than the cache holds still give the right dates.
    for (let h = 0; h < 1100; h++) dayOf(new Date(Date.UTC(2025, 0, 1) + h * 3600000).toISOString());
    assert.equal(dayOf("2025-10-06T03:00:00Z"), "2025-10-05", "03:00 UTC is the evening before in New York");
  });
});

describe("words for the reader", () => {
  test("the connection notice for each recovery, singular and plural", () => {
    assert.equal(noticeText(null), "");
    assert.equal(noticeText({ kind: "recovered", count: 1 }), "Recovered 1 missed event");
    assert.equal(noticeText({ kind: "gap", missed: 1 }), "1 event missed");
    assert.equal(noticeText({ kind: "gap", missed: 4 }), "4 events missed");
    assert.equal(noticeText({ kind: "feed_gap", from: "2025-10-05T14:00:00Z", to: "2025-10-05T14:05:00Z" }), "Feed gap 10:00–10:05 ET backfilled (0 events)");
    assert.equal(noticeText({ kind: "feed_gap", from: "2025-10-05T14:00:00Z", to: "2025-10-05T14:05:00Z", backfilled: { alerts: 1 } }), "Feed gap 10:00–10:05 ET backfilled (1 event)");
    assert.equal(noticeText({ kind: "resynced", reason: "slow_client" }), "Resynchronised (fell behind)");
    assert.equal(noticeText({ kind: "resynced", reason: "odd_reason", backfilled: 1 }), "Resynchronised (odd_reason): 1 stored event backfilled");
    assert.equal(noticeText({ kind: "unknown" }), "");
  });

  test("the top bar says an unknown connection state as it is, and which service is down", async () => {
    const { createConnectionPanel } = await import("../../src/tickstock/web/static/js/render/connection.js");
    const { window } = dom();
    const topbar = window.document.getElementById("topbar");
    const state = createState();
    state.connection = { state: "handshaking", notice: null };
    state.appStatus = { redis: "down", database: "down", engine: "stale" };
    createConnectionPanel(topbar).render(state);
    assert.equal(topbar.querySelector('[data-field="state"]').textContent, "handshaking");
    assert.equal(topbar.querySelector('[data-field="notice"]').hidden, true);
    assert.equal(topbar.querySelectorAll(".is-down").length, 3);
  });

  test("the critical list: an alert without severity, component or message still reads; its action is shown; text stays text", () => {
    const { window } = dom();
    const root = window.document.querySelector('[data-panel="critical"]') ?? (() => {
      const el = window.document.createElement("article");
      el.innerHTML = '<h2>Critical alerts</h2><p class="empty"></p><ol class="critical-list"></ol>';
      return el;
    })();
    const acked = [];
    const panel = createCriticalListPanel(root, { onAcknowledge: (c) => acked.push(c) });
    const state = createState();
    applyEvent(state, "critical_alert", { type: "critical_alert", alert: { timestamp: minute(1) } });
    applyEvent(state, "critical_alert", critical({ component: "feed", message: XSS, action_required: "Restart the feed" }));
    panel.render(state);
    const first = root.querySelector(".critical-row");
    panel.render(state);
    assert.equal(root.querySelector(".critical-row"), first, "nothing new: nothing redrawn");
    const rows = [...root.querySelectorAll(".critical-row")];
    assert.equal(rows.length, 2);
    assert.equal(root.querySelector("h2").textContent, "Critical alerts (open)");
    assert.ok(rows.some((r) => r.querySelector(".critical-action")?.textContent === "Action: Restart the feed"));
    assert.equal(root.querySelectorAll("img").length, 0);
    const bare = rows.find((r) => r.querySelector(".comp").textContent === "");
    bare.querySelector('[data-action="ack"]').click();
    assert.deepEqual(acked, [""]);
    root.querySelector(".critical-list").click();  // not on a button
    assert.deepEqual(acked, [""]);
    acknowledgeCritical(state, "");
    acknowledgeCritical(state, "feed");
    panel.render(state);
    assert.equal(root.querySelector("h2").textContent, "Critical alerts");
  });
});
