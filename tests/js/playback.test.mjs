// Playback loading: a whole session's patterns page after page from
// /api/streaming/sessions/{id}/patterns (bounded, with a truncation flag), its alerts, and
// the replay of what was loaded.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  createPlayback, loadSessionAlerts, loadSessionPatterns, MAX_PLAYBACK_PATTERNS, PATTERN_PAGE_SIZE, toEvents,
} from "../../src/tickstock/web/static/js/playback.js";
import { applyEvent, createState } from "../../src/tickstock/web/static/js/store.js";
import { detection, minute } from "./fixtures.mjs";

/** A fake API paging `rows` like the server does (total, pages, page beyond the last = 404). */
function fakeApi(rows) {
  const calls = [];
  async function get(path, params = {}, options = {}) {
    calls.push({ path, params, options });
    const perPage = params.per_page ?? 100;
    const page = params.page ?? 1;
    const matching = rows.filter((r) => (!params.symbol || r.symbol === params.symbol) && (!params.session_id || r.session_id === params.session_id));
    const pages = Math.max(1, Math.ceil(matching.length / perPage));
    if (page > pages) throw new Error(`page ${page} is beyond the last page (${pages})`);
    return { items: matching.slice((page - 1) * perPage, page * perPage), total: matching.length, page, per_page: perPage, pages };
  }
  return { get, calls };
}

const detections = (n, symbol = (i) => (i % 2 ? "AAPL" : "NVDA")) =>
  Array.from({ length: n }, (_, i) => detection({ symbol: symbol(i), timestamp: minute(i % 390), confidence: 0.5 + (i % 5) / 10 }));

describe("loadSessionPatterns", () => {
  test("reads every page of the session's endpoint, oldest first, 500 at a time", async () => {
    const rows = detections(1234);
    const api = fakeApi(rows);
    const progress = [];
    const { patterns, total, truncated } = await loadSessionPatterns(api.get, "2025-10-05:a b/c", { onPage: (n, of) => progress.push([n, of]) });
    assert.equal(PATTERN_PAGE_SIZE, 500);
    assert.deepEqual(patterns, rows);
    assert.equal(total, 1234);
    assert.equal(truncated, false);
    assert.deepEqual(api.calls.map((c) => c.params.page), [1, 2, 3]);
    assert.ok(api.calls.every((c) => c.path === "/api/streaming/sessions/2025-10-05%3Aa%20b%2Fc/patterns"));
    assert.ok(api.calls.every((c) => c.params.per_page === 500 && c.params.symbol === undefined));
    assert.deepEqual(progress, [[500, 1234], [1000, 1234], [1234, 1234]]);
  });

  test("stops at the bound and says the rest was left out", async () => {
    const api = fakeApi(detections(3000));
    const { patterns, total, truncated } = await loadSessionPatterns(api.get, "s", { max: 1200 });
    assert.equal(patterns.length, 1200);
    assert.equal(total, 3000);
    assert.equal(truncated, true);
    assert.equal(api.calls.length, 3, "no page beyond the bound is requested");
    assert.equal(MAX_PLAYBACK_PATTERNS, 20_000);
  });

  test("exactly the bound is not truncated", async () => {
    const api = fakeApi(detections(1000));
    const result = await loadSessionPatterns(api.get, "s", { max: 1000 });
    assert.equal(result.patterns.length, 1000);
    assert.equal(result.truncated, false);
    assert.equal(api.calls.length, 2);
  });

  test("the default bound is 20,000 in 40 requests", async () => {
    const api = fakeApi(detections(20_001));
    const result = await loadSessionPatterns(api.get, "s");
    assert.equal(result.patterns.length, 20_000);
    assert.equal(result.truncated, true);
    assert.equal(api.calls.length, 40);
  });

  test("an optional symbol filters on the server; an empty session is one request", async () => {
    const api = fakeApi(detections(10));
    const aapl = await loadSessionPatterns(api.get, "s", { symbol: "AAPL" });
    assert.equal(api.calls[0].params.symbol, "AAPL");
    assert.deepEqual(aapl.patterns.map((p) => p.symbol), Array(5).fill("AAPL"));
    const empty = fakeApi([]);
    assert.deepEqual(await loadSessionPatterns(empty.get, "s", { symbol: "" }), { patterns: [], total: 0, truncated: false });
    assert.equal(empty.calls.length, 1);
    assert.equal(empty.calls[0].params.symbol, undefined);
  });

  test("passes the abort signal and lets an API error through", async () => {
    const api = fakeApi(detections(3));
    const controller = new AbortController();
    await loadSessionPatterns(api.get, "s", { signal: controller.signal });
    assert.equal(api.calls[0].options.signal, controller.signal);
    const failing = async () => { throw new Error("database_unavailable"); };
    await assert.rejects(loadSessionPatterns(failing, "s"), /database_unavailable/);
  });
});

describe("loadSessionAlerts", () => {
  const session = { session_id: "s2", started_at: minute(0) };
  const alertRow = (i, sessionId = "s2") => ({ kind: "indicator", session_id: sessionId, timestamp: minute(i), symbol: "AAPL", alert_type: "RSI_OVERSOLD" });

  test("asks the API for this session's alerts only, across pages", async () => {
    const rows = [...Array.from({ length: 150 }, (_, i) => alertRow(i)), alertRow(1, "s3"), { ...alertRow(2), session_id: null }];
    const api = fakeApi(rows);
    const { alerts, truncated } = await loadSessionAlerts(api.get, session);
    assert.equal(alerts.length, 150);
    assert.ok(alerts.every((a) => a.session_id === "s2"));
    assert.equal(truncated, false);
    assert.deepEqual(api.calls.map((c) => [c.path, c.params.page, c.params.session_id]), [
      ["/api/streaming/alerts", 1, "s2"], ["/api/streaming/alerts", 2, "s2"],
    ]);
  });

  test("says so when pages were left unread", async () => {
    const api = fakeApi(Array.from({ length: 350 }, (_, i) => alertRow(i)));
    const { alerts, truncated } = await loadSessionAlerts(api.get, session, { maxPages: 2 });
    assert.equal(alerts.length, 200);
    assert.equal(truncated, true);
  });
});

describe("playback of a loaded session", () => {
  test("every loaded pattern is replayed, in time order, with no symbol given", async () => {
    const rows = [detection({ symbol: "TSLA", timestamp: minute(2) }), detection({ symbol: "NVDA", timestamp: minute(1), high_confidence: true }),
      detection({ symbol: "AAPL", timestamp: minute(3) })];
    const api = fakeApi(rows);
    const { patterns } = await loadSessionPatterns(api.get, "s");
    const session = { session_id: "s", universe: "u", started_at: minute(0), symbol_count: 3, stopped_at: minute(4) };
    const events = toEvents({ session, patterns, alerts: [] });
    assert.deepEqual(events.filter((e) => e.name === "streaming_pattern").map((e) => e.data.detection.symbol), ["NVDA", "TSLA", "AAPL"]);
    assert.equal(events.find((e) => e.data.detection?.symbol === "NVDA").data.high_confidence, true);
    const state = createState();
    let t = 0;
    const playback = createPlayback({ events, now: () => t, apply: (n, d) => applyEvent(state, n, d) });
    playback.setSpeed(60);
    playback.play();
    playback.tick();
    t = 2000; // 2 s × 60 = 2 simulated minutes
    playback.tick();
    assert.equal(state.patterns.size, 2);
    t = 4000;
    playback.tick();
    assert.ok(playback.done);
    assert.equal(state.patterns.size, 3);
    assert.equal(state.session.status, "stopped");
  });
});

describe("playback edge cases", () => {
  test("an answer without totals or pages is the only page; a page without items ends the load", async () => {
    const bare = await loadSessionPatterns(async () => ({ items: [detection()] }), "s");
    assert.deepEqual([bare.patterns.length, bare.total, bare.truncated], [1, 1, false]);
    const empty = await loadSessionPatterns(async () => null, "s");
    assert.deepEqual([empty.patterns.length, empty.total, empty.truncated], [0, 0, false]);
    const alerts = await loadSessionAlerts(async () => null, { session_id: "s" });
    assert.deepEqual(alerts, { alerts: [], truncated: false });
  });

  test("an unknown speed plays at 1x; a paused playback's clock stands still; an empty one is done at once", () => {
    let t = 0;
    const events = [{ t: 0, name: "streaming_pattern", data: {} }, { t: 60000, name: "streaming_pattern", data: {} }];
    const applied = [];
    const progress = [];
    const playback = createPlayback({ events, now: () => t, apply: (n) => applied.push(n), onProgress: (sim, done) => progress.push(done) });
    playback.setSpeed(7);
    playback.play();
    t = 30000;
    playback.tick();
    assert.equal(playback.simTime, 30000, "7x is not a speed: 1x");
    assert.equal(applied.length, 1);
    playback.pause();
    t = 120000;
    playback.tick();
    assert.equal(playback.simTime, 30000);
    assert.equal(playback.done, false);
    const none = createPlayback({ events: [], now: () => 0 });
    assert.equal(none.simTime, 0);
    none.play();
    none.tick();
    assert.equal(none.done, true);
    assert.equal(none.playing, false);
    assert.deepEqual(progress, [false, false]);
  });
});
