// The market grid's model: per-symbol rows from bars and detections, sort, filter, watchlists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyAlert, applyBars, applyDetection, applyIndicator, changeOf, createMarket, percentB } from "../../src/tickstock/web/static/js/market.js";
import { createWatchlists, filterRows, gridView, nextSort, normaliseWatchlists, sortRows, visibleRange, WATCHLISTS_KEY } from "../../src/tickstock/web/static/js/grid-model.js";
import { detection, minute } from "./fixtures.mjs";

const bar = (symbol, close, over = {}) => ({ symbol, timestamp: minute(1), open: 10, high: Math.max(10, close), low: Math.min(10, close), close, volume: 100, ...over });
const bars = (closed, ...items) => ({ type: "streaming_bars", timeframe: "1min", closed, bars: items });

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
}

test("forming bars conflate: only the latest per symbol shows, the volume is the day's so far", () => {
  const m = createMarket();
  applyBars(m, bars(true, bar("AAA", 10.5, { timestamp: minute(0), volume: 1000 })));
  applyBars(m, bars(false, bar("AAA", 10.6, { volume: 100 })));
  applyBars(m, bars(false, bar("AAA", 10.8, { volume: 250 })));
  const row = m.rows.get("AAA");
  assert.equal(row.last, 10.8);
  assert.equal(row.volume, 1250);  // the closed minute + the open minute so far (not 1350)
  applyBars(m, bars(true, bar("AAA", 10.7, { volume: 300 })));  // that minute closes
  assert.equal(row.volume, 1300);
  assert.equal(row.last, 10.7);
  applyBars(m, bars(false, bar("AAA", 99, { volume: 5 })));  // a late forming bar of a closed minute
  assert.equal(row.last, 10.7);
  applyBars(m, bars(true, bar("AAA", 50, { volume: 300 })));  // the same minute closed twice
  assert.equal(row.volume, 1300);
  assert.deepEqual([...m.changed], ["AAA"]);
});

test("change is against the previous close when sent, else the day's first open", () => {
  const m = createMarket();
  applyBars(m, bars(true, bar("AAA", 11, { timestamp: minute(0), open: 10 })));
  assert.deepEqual(changeOf(m.rows.get("AAA")), { change: 1, percent: 10 });
  applyBars(m, bars(true, bar("AAA", 12, { previous_close: 8 })));
  assert.deepEqual(changeOf(m.rows.get("AAA")), { change: 4, percent: 50 });
});

test("a new day restarts volume and alerts, and yesterday's last close becomes the reference", () => {
  const m = createMarket();
  applyBars(m, bars(true, bar("AAA", 20, { timestamp: "2025-10-06T19:59:00Z", volume: 900 })));
  applyAlert(m, { symbol: "AAA", alert_type: "RSI_OVERBOUGHT", timestamp: "2025-10-06T19:59:00Z" });
  assert.equal(m.rows.get("AAA").alerts, 1);
  applyBars(m, bars(true, bar("AAA", 22, { timestamp: "2025-10-07T13:30:00Z", open: 21, volume: 50 })));
  const row = m.rows.get("AAA");
  assert.equal(row.volume, 50);
  assert.equal(row.alerts, 0);
  assert.deepEqual(changeOf(row), { change: 2, percent: 10 });
  applyAlert(m, { symbol: "AAA", alert_type: "RSI_OVERSOLD", timestamp: "2025-10-06T19:00:00Z" });  // yesterday's
  assert.equal(row.alerts, 0);
});

test("without the bars channel the grid takes prices from the detections' bar_data", () => {
  const m = createMarket();
  applyDetection(m, detection({ symbol: "NVDA", timestamp: minute(3) }));
  const row = m.rows.get("NVDA");
  assert.equal(row.last, 125.52);
  assert.equal(row.volume, 250000);
  assert.equal(row.pattern, "Doji");
  assert.equal(row.patternConfidence, 0.85);
  applyDetection(m, detection({ symbol: "NVDA", pattern_type: "Hammer", timestamp: minute(3) }));  // same bar
  assert.equal(row.volume, 250000);
  assert.equal(row.pattern, "Hammer");
  applyBars(m, bars(false, bar("NVDA", 126, { timestamp: minute(4) })));
  applyDetection(m, detection({ symbol: "NVDA", timestamp: minute(4), bar_data: { open: 1, high: 1, low: 1, close: 1, volume: 1 } }));
  assert.equal(row.last, 126);  // the bars channel wins once it speaks
});

test("indicators fill RSI, the MACD histogram and %B of the last price", () => {
  const m = createMarket();
  applyBars(m, bars(true, bar("AAA", 15)));
  applyIndicator(m, { symbol: "AAA", indicator: "RSI", value: 71.5 });
  applyIndicator(m, { symbol: "AAA", indicator: "MACD", value: 0.4, values: { macd: 0.4, signal: 0.3, histogram: 0.1 } });
  applyIndicator(m, { symbol: "AAA", indicator: "BB", value: 15, values: { upper: 20, middle: 15, lower: 10 } });
  const row = m.rows.get("AAA");
  assert.deepEqual([row.rsi, row.macdHist, percentB(row)], [71.5, 0.1, 0.5]);
});

function marketOf(...items) {
  const m = createMarket();
  for (const [symbol, close, volume] of items) applyBars(m, bars(true, bar(symbol, close, { volume })));
  return m;
}

test("sort by any column, empty values last, ties by symbol; clicking again reverses", () => {
  const m = marketOf(["BBB", 12, 5], ["AAA", 9, 7], ["CCC", 12, 1]);
  applyIndicator(m, { symbol: "CCC", indicator: "RSI", value: 40 });
  const symbols = (sort) => sortRows([...m.rows.values()], sort).map((r) => r.symbol);
  assert.deepEqual(symbols({ key: "last", dir: "desc" }), ["BBB", "CCC", "AAA"]);
  assert.deepEqual(symbols({ key: "last", dir: "asc" }), ["AAA", "BBB", "CCC"]);
  assert.deepEqual(symbols({ key: "volume", dir: "desc" }), ["AAA", "BBB", "CCC"]);
  assert.deepEqual(symbols({ key: "rsi", dir: "asc" }), ["CCC", "AAA", "BBB"]);
  assert.deepEqual(symbols({ key: "symbol", dir: "desc" }), ["CCC", "BBB", "AAA"]);
  assert.deepEqual(nextSort({ key: "last", dir: "desc" }, "last"), { key: "last", dir: "asc" });
  assert.deepEqual(nextSort({ key: "last", dir: "desc" }, "symbol"), { key: "symbol", dir: "asc" });
  assert.deepEqual(nextSort({ key: "symbol", dir: "asc" }, "volume"), { key: "volume", dir: "desc" });
});

test("a sort holds as prices move: the next view is sorted by the new values", () => {
  const m = marketOf(["AAA", 10, 1], ["BBB", 11, 1]);
  const view = { sort: { key: "last", dir: "desc" }, text: "", symbols: null };
  assert.deepEqual(gridView(m.rows, view).map((r) => r.symbol), ["BBB", "AAA"]);
  applyBars(m, bars(false, bar("AAA", 12, { timestamp: minute(2) })));
  assert.deepEqual(gridView(m.rows, view).map((r) => r.symbol), ["AAA", "BBB"]);
});

test("filter by symbol or pattern text, within a watchlist", () => {
  const m = marketOf(["NVDA", 1, 1], ["NVAX", 1, 1], ["AAPL", 1, 1]);
  applyDetection(m, detection({ symbol: "AAPL", pattern_type: "Hammer", timestamp: minute(1) }));
  const names = (rows) => rows.map((r) => r.symbol).sort();
  assert.deepEqual(names(filterRows(m.rows.values(), "nv", null)), ["NVAX", "NVDA"]);
  assert.deepEqual(names(filterRows(m.rows.values(), "hamm", null)), ["AAPL"]);
  assert.deepEqual(names(filterRows(m.rows.values(), "", new Set(["NVDA", "AAPL"]))), ["AAPL", "NVDA"]);
  assert.deepEqual(names(filterRows(m.rows.values(), "nv", new Set(["NVDA", "AAPL"]))), ["NVDA"]);
});

test("5,000 rows sort in well under a frame's budget", () => {
  const items = Array.from({ length: 5000 }, (_, i) => [`S${i}`, 1 + ((i * 7919) % 1000) / 10, i]);
  const m = marketOf(...items);
  const t0 = performance.now();
  const rows = gridView(m.rows, { sort: { key: "changePct", dir: "desc" }, text: "", symbols: null });
  const ms = performance.now() - t0;
  assert.equal(rows.length, 5000);
  assert.ok(ms < 200, `sorting 5,000 rows took ${ms.toFixed(1)} ms`);
});

test("virtualised rows: only the rows in view (and a few around) are built", () => {
  assert.deepEqual(visibleRange(0, 240, 24, 5000), { first: 0, last: 14 });
  assert.deepEqual(visibleRange(24 * 1000, 240, 24, 5000), { first: 996, last: 1014 });
  assert.deepEqual(visibleRange(24 * 4995, 240, 24, 5000), { first: 4991, last: 5000 });
});

test("watchlists: create, rename, add/remove, saved in the browser, exported as text", () => {
  const storage = new MemoryStorage();
  const w = createWatchlists(storage);
  assert.equal(w.create("  Tech  "), "Tech");
  assert.equal(w.create("Tech"), "");  // taken
  assert.equal(w.toggle("Tech", "NVDA"), true);
  assert.equal(w.toggle("Tech", "AAPL"), true);
  assert.equal(w.toggle("Tech", "NVDA"), false);  // removed
  assert.equal(w.toggle("Tech", "<b>x</b>"), false);  // not a symbol
  assert.equal(w.rename("Tech", "Chips"), "Chips");
  assert.deepEqual([...w.symbols("Chips")], ["AAPL"]);
  assert.equal(w.exportText("Chips"), "AAPL\n");
  const again = createWatchlists(storage);  // a reload
  assert.deepEqual(again.lists, [{ name: "Chips", symbols: ["AAPL"] }]);
  again.remove("Chips");
  assert.deepEqual(createWatchlists(storage).lists, []);
  storage.setItem(WATCHLISTS_KEY, "{not json");
  assert.deepEqual(createWatchlists(storage).lists, []);
  assert.deepEqual(normaliseWatchlists([{ name: "A", symbols: ["aapl", "AAPL", "bad sym"] }, { name: "A" }, { name: "" }]), [{ name: "A", symbols: ["AAPL"] }]);
});

test("watchlists: a symbol link's star adds to the first list (made on demand) and removes again; every change is told", () => {
  const storage = new MemoryStorage();
  const w = createWatchlists(storage);
  const told = [];
  const stop = w.subscribe(() => told.push(w.version));
  assert.equal(w.first, "");
  assert.equal(w.inFirst("NVDA"), false);
  assert.equal(w.toggleInFirst("NVDA"), true);  // makes "Watchlist", adds NVDA
  assert.deepEqual(w.lists, [{ name: "Watchlist", symbols: ["NVDA"] }]);
  assert.equal(w.inFirst("NVDA"), true);
  assert.equal(w.toggleInFirst("NVDA"), false);
  assert.equal(w.inFirst("NVDA"), false);
  assert.equal(w.toggleInFirst("<img>"), false);  // not a symbol: nothing made, nothing told
  assert.deepEqual(told, [1, 2, 3]);  // create, add, remove
  stop();
  w.toggleInFirst("AAPL");
  assert.equal(told.length, 3);
  assert.deepEqual(createWatchlists(storage).lists, [{ name: "Watchlist", symbols: ["AAPL"] }]);  // saved
});
