import assert from "node:assert/strict";
import { noticeText } from "../../src/tickstock/web/static/js/render/connection.js";
import { describe, test } from "node:test";
import {
  acknowledgeCritical, applyEntries, applyEvent, applySnapshot, applyStatus, createState, displayMetrics,
  healthState, indicatorLines, openCriticals, createStreamClock, sessionSeconds, setPaused,
} from "../../src/tickstock/web/static/js/store.js";
import { alert, critical, health, indicator, minute, pattern, started, stopped } from "./fixtures.mjs";

describe("store reducer", () => {
  test("counters count every event even beyond the list bound, the list keeps the newest N", () => {
    const state = createState({ max_pattern_events: 50, max_alert_events: 30 });
    for (let i = 0; i < 500; i++) applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(i) }));
    for (let i = 0; i < 100; i++) applyEvent(state, "indicator_alert", alert({ timestamp: minute(i) }));
    assert.equal(state.counters.events, 600);
    assert.equal(state.counters.patterns, 500);
    assert.equal(state.counters.alerts, 100);
    assert.equal(state.patterns.size, 50);
    assert.equal(state.alerts.size, 30);
    assert.equal(state.patterns.newest(0).timestamp, minute(499));
    assert.equal(state.patterns.newest(49).timestamp, minute(450));
    assert.equal(state.alerts.newest(0).timestamp, minute(99));
  });

  test("a frame of 120 pattern entries, applied one by one, counts 120 events and 120 patterns", () => {
    const state = createState();
    const entries = Array.from({ length: 120 }, (_, i) => ({ event: "streaming_pattern", data: pattern({ timestamp: minute(i) }) }));
    applyEntries(state, entries);
    assert.equal(state.counters.events, 120);
    assert.equal(state.counters.patterns, 120);
    assert.equal(state.patterns.newest(0).raw, entries[119].data, "each row keeps its own event");
  });

  test("a producer batch message applies every detection", () => {
    const state = createState();
    const detections = [1, 2, 3].map((i) => pattern({ timestamp: minute(i) }).detection);
    applyEvent(state, "streaming_patterns_batch", { type: "streaming_patterns_batch", detections });
    assert.equal(state.counters.patterns, 3);
    assert.equal(state.patterns.size, 3);
  });

  test("a detection seen on both channels is shown once and flagged high confidence", () => {
    const state = createState();
    applyEvent(state, "streaming_pattern", pattern({}, false));
    applyEvent(state, "streaming_pattern", pattern({}, true));
    assert.equal(state.patterns.size, 1);
    assert.equal(state.counters.patterns, 1);
    assert.equal(state.counters.duplicates, 1);
    assert.equal(state.patterns.newest(0).high_confidence, true);
  });

  test("detections differing in any identity field are distinct", () => {
    const state = createState();
    applyEvent(state, "streaming_pattern", pattern());
    applyEvent(state, "streaming_pattern", pattern({ symbol: "AAPL" }));
    applyEvent(state, "streaming_pattern", pattern({ pattern_type: "Hammer" }));
    applyEvent(state, "streaming_pattern", pattern({ timeframe: "5min" }));
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(99) }));
    assert.equal(state.patterns.size, 5);
  });

  test("a duplicate is still recognised after the original left the bounded list", () => {
    const state = createState({ max_pattern_events: 2 });
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(0) }));
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(1) }));
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(2) }));
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(0) }));
    assert.equal(state.counters.duplicates, 1);
    assert.deepEqual(state.patterns.toArray().map((p) => p.timestamp), [minute(2), minute(1)]);
  });

  test("indicators keep the latest value per symbol and indicator", () => {
    const state = createState();
    applyEvent(state, "streaming_indicator", indicator({ value: 60 }));
    applyEvent(state, "streaming_indicator", indicator({ value: 72.5 }));
    applyEvent(state, "streaming_indicator", indicator({ symbol: "AAPL" }));
    assert.equal(state.indicators.size, 2);
    assert.equal(state.indicators.get("TSLA|RSI").value, 72.5);
    assert.equal(state.counters.indicators, 3);
  });

  test("MACD and BB lines are real numbers, never an object", () => {
    assert.deepEqual(indicatorLines({ value: 0.42, values: { macd: 0.42, signal: 0.1, histogram: 0.32 } }),
      [["macd", 0.42], ["signal", 0.1], ["histogram", 0.32]]);
    assert.deepEqual(indicatorLines({ value: { upper: 3, middle: 2, lower: 1 } }), [["upper", 3], ["middle", 2], ["lower", 1]]);
    assert.deepEqual(indicatorLines({ value: 72.5 }), [["value", 72.5]]);
    assert.deepEqual(indicatorLines({ value: {} }), []);
  });

  test("session start then stop: active, then stopped with final counts kept", () => {
    const state = createState();
    applyEvent(state, "streaming_session", started());
    assert.equal(state.session.status, "active");
    assert.equal(healthState(state), "waiting");
    applyEvent(state, "streaming_session", stopped());
    assert.equal(state.session.status, "stopped");
    assert.equal(state.session.universe, "market_leaders:top_500");
    assert.equal(state.session.total_patterns, 1250);
    assert.equal(healthState(state), "stopped");
  });

  test("health state: waiting, live, stale when the engine is stale", () => {
    const state = createState();
    assert.equal(healthState(state), "waiting");
    applyEvent(state, "streaming_health", health());
    assert.equal(healthState(state), "live");
    applyEvent(state, "app_status", { engine: "stale" });
    assert.equal(healthState(state), "stale");
  });

  test("a critical alert opens, is acknowledged, and the recovery of its component clears it", () => {
    const state = createState();
    applyEvent(state, "critical_alert", critical());
    applyEvent(state, "critical_alert", critical({ component: "redis", severity: "warning" }));
    assert.deepEqual(openCriticals(state).map((c) => c.alert.component), ["massive_websocket", "redis"]);
    acknowledgeCritical(state, "massive_websocket");
    assert.equal(openCriticals(state)[0].alert.component, "redis");
    applyEvent(state, "critical_alert", critical({ resolved: true, message: "recovered" }));
    assert.deepEqual([...state.criticals.keys()], ["redis"]);
    assert.equal(state.counters.recoveries, 1);
  });

  test("pause counts N new and keeps applying; resume resets the count", () => {
    const state = createState();
    setPaused(state, true);
    for (let i = 0; i < 7; i++) applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(i) }));
    applyEvent(state, "indicator_alert", alert());
    assert.equal(state.newWhilePaused, 8);
    assert.equal(state.patterns.size, 7);
    setPaused(state, false);
    assert.equal(state.newWhilePaused, 0);
  });

  test("a snapshot shows at once: session, metrics, health, lists, criticals and settings", () => {
    const state = createState();
    applyEvent(state, "streaming_pattern", pattern({ symbol: "OLD" }));
    applySnapshot(state, {
      epoch: "e", seq: 10, reason: "connect",
      session: started().session, metrics: { active_symbols: 480, events_per_second: 12.5, patterns_detected: 900, indicator_alerts: 40 },
      health: health().health, app_status: { redis: "connected", database: "ok", engine: "live" },
      recent_patterns: [pattern({ timestamp: minute(1) }), pattern({ timestamp: minute(2) }, true)],
      recent_alerts: [alert()], latest_indicators: [indicator({ indicator: "MACD", value: 1, values: { macd: 1, signal: 0.5, histogram: 0.5 } })],
      open_critical_alerts: [critical()],
      backfill: { patterns: [pattern({ timestamp: minute(1) })], alerts: [] },
      settings: { refresh_interval: 0, max_pattern_events: 5, max_alert_events: 3, auto_scroll: false, sound_alerts: true },
    });
    assert.equal(state.settings.max_pattern_events, 5);
    assert.equal(state.settings.refresh_interval, 0);
    assert.equal(state.settings.auto_scroll, false);
    assert.equal(state.patterns.capacity, 5);
    assert.deepEqual(state.patterns.toArray().map((p) => p.timestamp), [minute(2), minute(1)]);
    assert.equal(state.alerts.size, 1);
    assert.deepEqual(state.indicators.get("TSLA|MACD").lines.map(([n]) => n), ["macd", "signal", "histogram"]);
    assert.equal(state.criticals.size, 1);
    assert.equal(healthState(state), "live");
    assert.deepEqual(displayMetrics(state), { active_symbols: 480, events_per_second: 12.5, patterns_detected: 900, indicator_alerts: 40 });
    assert.ok(state.dirty.has("patterns") && state.dirty.has("session"));
  });

  test("a resync snapshot says why on the connection notice", () => {
    const state = createState();
    applySnapshot(state, { epoch: "e2", seq: 1, reason: "epoch_changed" });
    assert.deepEqual(state.connection.notice, { kind: "resynced", reason: "epoch_changed" });
  });

  test("a resync snapshot with a backfill counts what it brought, and the notice says so", () => {
    const state = createState();
    const detection = { symbol: "NVDA", pattern_type: "Doji", confidence: 0.6, timestamp: "2019-03-01T15:30:00Z", timeframe: "1min", bar_data: { open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 } };
    const patterns = [1, 2, 3].map((m) => ({ type: "streaming_pattern", detection: { ...detection, timestamp: `2019-03-01T15:3${m}:00Z` } }));
    applySnapshot(state, { epoch: "e2", seq: 1, reason: "epoch_changed", backfill: { patterns, alerts: [] } });
    assert.deepEqual(state.connection.notice, { kind: "resynced", reason: "epoch_changed", backfilled: 3 });
    assert.equal(noticeText(state.connection.notice), "Resynchronised (server restarted): 3 stored events backfilled");
    assert.equal(state.patterns.size, 3);
  });

  test("feed_gap, app_status and metrics events update their parts", () => {
    const state = createState();
    applyEvent(state, "feed_gap", { from: minute(1), to: minute(3), backfilled: { patterns: 2, alerts: 1 } });
    applyEvent(state, "app_status", { redis: "reconnecting", database: "down" });
    applyEvent(state, "metrics", { active_symbols: 3, events_per_second: 1, patterns_detected: 2, indicator_alerts: 1 });
    assert.equal(state.connection.notice.kind, "feed_gap");
    assert.equal(state.appStatus.database, "down");
    assert.equal(displayMetrics(state).active_symbols, 3);
  });

  test("without server metrics the page's own counts show", () => {
    const state = createState();
    applyEvent(state, "streaming_pattern", pattern());
    applyEvent(state, "indicator_alert", alert());
    assert.equal(displayMetrics(state).patterns_detected, 1);
    assert.equal(displayMetrics(state).indicator_alerts, 1);
  });

  test("a status refresh merges session, app state and the refresh interval", () => {
    const state = createState();
    applyStatus(state, { session: started().session, app: { redis: "connected", database: "down", engine: "live" }, settings: { refresh_interval: 5 } });
    assert.equal(state.session.session_id, "s1");
    assert.equal(state.appStatus.database, "down");
    assert.equal(state.settings.refresh_interval, 5);
  });

  test("malformed events are counted and ignored, never thrown", () => {
    const state = createState();
    applyEvent(state, "streaming_pattern", { detection: null });
    applyEvent(state, "indicator_alert", null);
    applyEvent(state, "unknown_event", {});
    assert.equal(state.counters.events, 3);
    assert.equal(state.counters.ignored, 3);
  });

  test("session duration follows the stream's clock when it runs far from the wall clock", () => {
    const state = createState();
    const clock = createStreamClock();
    let wall = Date.parse("2026-11-27T01:35:00Z"); // an accelerated demo of another day
    applyEvent(state, "streaming_session", started({ started_at: "2025-10-05T13:30:00Z" }));
    assert.equal(sessionSeconds(state, clock.now(state, wall)), 0);
    applyEvent(state, "streaming_pattern", pattern({ timestamp: "2025-10-05T13:42:00Z" }));
    applyEvent(state, "streaming_health", health({ timestamp: "2025-10-05T13:42:30Z" }));
    applyEvent(state, "streaming_indicator", indicator({ timestamp: "2025-10-05T13:41:00Z" }));
    wall += 1000;
    assert.equal(sessionSeconds(state, clock.now(state, wall)), 12 * 60 + 30);
    wall += 2000; // no event for 2 s of wall time: the stream's clock keeps ticking
    assert.equal(sessionSeconds(state, clock.now(state, wall)), 12 * 60 + 32);
  });

  test("session duration ticks with the wall clock while the stream keeps wall time; stopped uses duration_seconds", () => {
    const state = createState();
    const clock = createStreamClock();
    assert.equal(sessionSeconds(state, clock.now(state, Date.parse("2025-10-05T14:00:00Z"))), null);
    applyEvent(state, "streaming_session", started({ started_at: "2025-10-05T13:30:00Z" }));
    applyEvent(state, "streaming_health", health({ timestamp: "2025-10-05T13:59:00Z" }));
    assert.equal(sessionSeconds(state, clock.now(state, Date.parse("2025-10-05T14:00:05Z"))), 30 * 60 + 5);
    assert.equal(sessionSeconds(state, clock.now(state, Date.parse("2025-10-05T14:40:05Z"))), 70 * 60 + 5);
    applyEvent(state, "streaming_session", stopped({ duration_seconds: 23400 }));
    assert.equal(sessionSeconds(state, clock.now(state, Date.parse("2030-01-01T00:00:00Z"))), 23400);
  });

  test("a snapshot's health message, a status refresh without a stored session, and a session start re-render the empty lists", () => {
    const state = createState();
    applySnapshot(state, { settings: {}, session: started().session, health: health({ status: "warning" }) });
    assert.equal(state.health.status, "warning");
    applyStatus(state, { session: null, app: { redis: "connected", metrics: { patterns_detected: 7 } } });
    assert.equal(state.session.session_id, "s1", "a refresh with no stored session keeps the live one");
    assert.equal(displayMetrics(state).patterns_detected, 7);
    state.dirty.clear();
    applyEvent(state, "streaming_session", started({ session_id: "s2" }));
    assert.ok(state.dirty.has("patterns") && state.dirty.has("alerts"));
  });
});
