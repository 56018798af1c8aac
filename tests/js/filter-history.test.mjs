// Filters that find: the session's history from the API merged with the live matches.
import assert from "node:assert/strict";
import { test } from "node:test";
import { alertItemOf, countMatches, createFilterHistory, historyQuery, mergeMatches, NOT_STORED, patternItemOf, QUERY_DELAY_MS, sessionLookup } from "../../src/tickstock/web/static/js/filter-history.js";
import { emptyFilters, normaliseFilters } from "../../src/tickstock/web/static/js/filters.js";
import { detection, minute } from "./fixtures.mjs";

const item = (symbol, n) => patternItemOf(detection({ symbol, timestamp: minute(n) }));

test("no filter or no session: nothing to ask the API", () => {
  assert.equal(historyQuery(emptyFilters(), "s1"), null);
  assert.equal(historyQuery(normaliseFilters({ symbol: "AMD" }), null), null);
});

test("a full symbol and a known pattern type are asked exactly; partial text is matched on the rows", () => {
  const q = historyQuery(normaliseFilters({ symbol: "amd", patternType: "doji", minConfidence: 80 }), "s1", ["Doji", "Hammer"]);
  assert.deepEqual(q.patterns, { per_page: 200, symbol: "AMD", pattern_type: "Doji", min_confidence: 0.8 });
  assert.deepEqual(q.alerts, { kind: "indicator", session_id: "s1", per_page: 100, symbol: "AMD" });
  assert.deepEqual(q.exact, { patterns: true, alerts: true });
  const partial = historyQuery(normaliseFilters({ symbol: "a m", patternType: "star" }), "s1", ["Doji"]);
  assert.equal(partial.patterns.symbol, undefined);
  assert.deepEqual(partial.exact, { patterns: false, alerts: false });
});

test("history and live matches merge newest first, each once; the count adds live matches the API did not hold", () => {
  const history = [item("AMD", 1), item("AMD", 2)];
  const live = [item("AMD", 3), item("AMD", 2)];
  const merged = mergeMatches(live, history, 10);
  assert.deepEqual(merged.map((p) => p.timestamp), [minute(3), minute(2), minute(1)]);
  assert.equal(merged[1], live[1]);  // the live copy wins
  assert.equal(countMatches(57, new Set(history.map((p) => p.key)), live), 58);
  assert.equal(mergeMatches(live, history, 2).length, 2);
});

test("the controller asks once the filter settles, reads the newest page, and drops stale answers", async () => {
  const calls = [];
  const timers = [];
  const api = {
    async get(path, params) {
      calls.push([path, params]);
      if (path === "/api/streaming/sessions") return { count: 1, sessions: [{ session_id: "s1" }] };
      if (path.endsWith("/patterns")) {
        const page = params.page;
        return { total: 450, pages: 3, items: page === 3 ? [detection({ symbol: "AMD", timestamp: minute(9) })] : [detection({ symbol: "AMD", timestamp: minute(page) })] };
      }
      return { total: 1, items: [{ symbol: "AMD", alert_type: "RSI_OVERSOLD", timestamp: minute(4), indicator: "RSI", value: 25, threshold: 30 }] };
    },
  };
  let changes = 0;
  const h = createFilterHistory({ api, later: (fn, ms) => timers.push([fn, ms]) && timers.length, cancel: (id) => { timers[id - 1][0] = () => {}; }, onChange: () => changes++ });
  h.want(historyQuery(normaliseFilters({ symbol: "AM" }), "s1"));
  h.want(historyQuery(normaliseFilters({ symbol: "AMD" }), "s1"));  // typing on: the first is cancelled
  assert.ok(h.pending);
  assert.equal(timers[1][1], QUERY_DELAY_MS);
  timers[0][0]();
  timers[1][0]();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  const pages = calls.filter(([p]) => p.endsWith("/patterns")).map(([, params]) => params.page);
  assert.deepEqual(pages, [1, 3, 2]);  // the last page holds the newest; it had few, so the one before too
  assert.equal(h.current.patternTotal, 450);
  assert.deepEqual(h.current.patterns.map((p) => p.timestamp), [minute(2), minute(9)]);
  assert.equal(h.current.alerts[0].alert_type, "RSI_OVERSOLD");
  assert.ok(changes >= 1);
  h.want(null);
  assert.equal(h.current, null);
});

/** A controller whose timers the test runs, against `answer(path, params)`. */
function controller(answer) {
  const calls = [];
  const timers = [];
  let changes = 0;
  const api = { async get(path, params) { calls.push([path, params]); return answer(path, params); } };
  const h = createFilterHistory({ api, later: (fn) => timers.push(fn), cancel: () => {}, onChange: () => changes++ });
  const settle = async () => {
    while (timers.length) timers.shift()();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { h, calls, settle, changes: () => changes };
}

test("a session the database does not hold: its history is never asked (no 404), live matches only", async () => {
  const c = controller((path) => (path === "/api/streaming/sessions" ? { count: 1, sessions: [{ session_id: "older" }] } : assert.fail(`asked ${path}`)));
  c.h.want(historyQuery(normaliseFilters({ symbol: "NVDA" }), "live-only", [], "2025-10-05T13:30:00Z"));
  await c.settle();
  assert.deepEqual(c.calls, [["/api/streaming/sessions", { limit: 50, before: "2025-10-05T13:31:00.000Z" }]]);
  assert.equal(c.h.pending, false);
  assert.equal(c.h.current.notStored, true);
  assert.equal(c.h.current.error, "");
  assert.deepEqual([c.h.current.patterns, c.h.current.alerts], [[], []]);
  assert.ok(c.changes() >= 1);
  assert.equal(NOT_STORED, "history not available for this session");
});

test("a session found stored is looked up once; one not found is looked up again with the next filter", async () => {
  let listed = [];
  const c = controller((path) => {
    if (path === "/api/streaming/sessions") return { sessions: listed.map((session_id) => ({ session_id })) };
    return { total: 0, pages: 1, items: [] };
  });
  c.h.want(historyQuery(normaliseFilters({ symbol: "NVDA" }), "s1"));
  await c.settle();
  assert.equal(c.h.current.notStored, true);
  listed = ["s1"];  // the engine wrote its session row since
  c.h.want(historyQuery(normaliseFilters({ symbol: "AMD" }), "s1"));
  await c.settle();
  assert.equal(c.h.current.notStored, false);
  c.h.want(historyQuery(normaliseFilters({ symbol: "AAPL" }), "s1"));
  await c.settle();
  const lookups = c.calls.filter(([p]) => p === "/api/streaming/sessions").length;
  assert.equal(lookups, 2);
  assert.equal(c.calls.filter(([p]) => p.endsWith("/s1/patterns")).length, 2);
});

test("the lookup lists the sessions started before the live one's start (plus a minute), or the newest without a start", () => {
  assert.deepEqual(sessionLookup("2025-10-05T13:30:00Z"), { limit: 50, before: "2025-10-05T13:31:00.000Z" });
  assert.deepEqual(sessionLookup(undefined), { limit: 50 });
  assert.deepEqual(sessionLookup("not a time"), { limit: 50 });
});

test("empty or partial answers count as nothing found; of two pages the newest (second) is read alone", async () => {
  const c = controller((path, params) => {
    if (path === "/api/streaming/sessions") return { sessions: [null, { session_id: "s1" }] };
    if (path.endsWith("/patterns")) return params.page === 1 ? { total: 300, pages: 2, items: [detection()] } : {};
    return null;
  });
  c.h.want(historyQuery(normaliseFilters({ symbol: "NVDA" }), "s1"));
  await c.settle();
  assert.deepEqual(c.calls.filter(([p]) => p.endsWith("/patterns")).map(([, params]) => params.page), [1, 2]);
  assert.deepEqual([c.h.current.patterns, c.h.current.patternTotal], [[], 300]);
  assert.deepEqual([c.h.current.alerts, c.h.current.alertTotal], [[], 0]);
  const bare = controller((path) => (path === "/api/streaming/sessions" ? { sessions: [{ session_id: "s1" }] } : null));
  bare.h.want(historyQuery(normaliseFilters({ symbol: "NVDA" }), "s1"));
  await bare.settle();
  assert.deepEqual([bare.h.current.patterns, bare.h.current.patternTotal, bare.h.current.error], [[], 0, ""]);
});

test("an answer to a filter the reader has changed since is dropped, whether found, not stored or failed", async () => {
  for (const outcome of ["found", "not stored", "failed"]) {
    const release = [];
    const c = controller(async (path) => {
      await new Promise((resolve) => release.push(resolve));
      if (outcome === "failed") throw new Error("store_unavailable");
      if (path === "/api/streaming/sessions") return { sessions: outcome === "found" ? [{ session_id: "s1" }] : [] };
      return { total: 1, pages: 1, items: [detection()] };
    });
    c.h.want(historyQuery(normaliseFilters({ symbol: "NVDA" }), "s1"));
    await c.settle();  // the first query is asking
    c.h.want(historyQuery(normaliseFilters({ symbol: "AMD" }), "s1"));  // its timer not run yet
    for (let i = 0; i < 5 && release.length; i++) {
      release.splice(0).forEach((r) => r());
      for (let j = 0; j < 5; j++) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(c.h.current, null, `${outcome}: the old answer is not shown`);
    assert.equal(c.h.pending, true, `${outcome}: the new filter is still awaited`);
    assert.equal(c.changes(), 0, `${outcome}: nothing to redraw`);
  }
});

test("a failed search says why; stored rows missing fields read as empty text", async () => {
  const c = controller(() => { throw new Error("store_unavailable: locked"); });
  c.h.want(historyQuery(normaliseFilters({ symbol: "NVDA" }), "s1"));
  await c.settle();
  assert.equal(c.h.current.error, "store_unavailable: locked");
  assert.equal(c.h.current.notStored, false);
  const p = patternItemOf({ symbol: "A", timestamp: minute(1), confidence: 0.9 });
  assert.deepEqual([p.pattern_type, p.bar_data, p.high_confidence], ["", null, true]);
  assert.equal(alertItemOf({ symbol: "A", timestamp: minute(1) }).alert_type, "");
});

test("matches at the same minute are both kept", () => {
  const a = item("AAA", 1);
  const b = item("BBB", 1);
  assert.deepEqual(mergeMatches([a], [b], 10).map((x) => x.symbol).sort(), ["AAA", "BBB"]);
});
