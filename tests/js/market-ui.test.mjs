// The market grid and the critical list as the Live page renders them; the store's new
// behaviour: bars, a new session clearing the live lists, the critical log, day boundaries.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { emptyFilters } from "../../src/tickstock/web/static/js/filters.js";
import { formatStamp, setToday } from "../../src/tickstock/web/static/js/format.js";
import { ROW_HEIGHT } from "../../src/tickstock/web/static/js/render/grid.js";
import { acknowledgeCritical, applyEvent, applySnapshot, createState } from "../../src/tickstock/web/static/js/store.js";
import { mountStreamingView } from "../../src/tickstock/web/static/js/sections/streaming-view.js";
import { Scope } from "../../src/tickstock/web/static/js/scope.js";
import { alert, critical, dom, indicator, minute, pattern, started, XSS } from "./fixtures.mjs";

const bars = (closed, items, at = minute(1)) => ({ type: "streaming_bars", timeframe: "1min", closed,
  bars: items.map(([symbol, close, volume = 100]) => ({ symbol, timestamp: at, open: 10, high: Math.max(10, close), low: Math.min(10, close), close, volume })) });

function mount() {
  const { window } = dom();
  const doc = window.document;
  const opened = [];
  let t = Date.parse("2025-10-05T14:00:00Z");
  const state = createState();
  const acked = [];
  const ctx = { filters: () => emptyFilters(), autoScroll: () => true, now: () => t,
    openChart: (s) => opened.push(s), showJson: () => {}, requestRender: () => {},
    onAcknowledge: (c) => { acked.push(c); acknowledgeCritical(state, c); } };
  const view = mountStreamingView(doc.getElementById("main"), new Scope(), ctx);
  const market = /** @type {HTMLElement} */ (doc.querySelector('[data-panel="market"]'));
  const body = market.querySelector(".grid-body");
  Object.defineProperty(body, "clientHeight", { value: 10 * ROW_HEIGHT });
  const render = () => {
    view.render(state, true);
    state.dirty.clear();
  };
  const rows = () => [...market.querySelectorAll(".grid-body .grid-row:not([hidden])")];
  const symbols = () => rows().map((r) => r.getAttribute("data-symbol"));
  const cell = (symbol, key) => market.querySelector(`.grid-body [data-symbol="${symbol}"] .c-${key}`);
  return { window, doc, state, render, market, body, rows, symbols, cell, opened, acked, tick: (ms) => { t += ms; } };
}

describe("market grid", () => {
  test("one row per symbol from the bars channel; a price change flashes its cell", () => {
    const m = mount();
    applyEvent(m.state, "streaming_bars", bars(true, [["AAA", 10.5], ["BBB", 9.5]]));
    m.render();
    assert.deepEqual(m.symbols(), ["AAA", "BBB"]);
    assert.equal(m.cell("AAA", "last").textContent, "10.50");
    assert.equal(m.cell("AAA", "changePct").textContent, "+5.00%");
    applyEvent(m.state, "streaming_bars", bars(false, [["AAA", 11]], minute(2)));
    m.tick(300);
    m.render();
    assert.equal(m.cell("AAA", "last").textContent, "11.00");
    assert.ok(m.cell("AAA", "last").classList.contains("flash-up"));
    assert.ok(!m.cell("BBB", "last").classList.contains("flash-up"));
    m.tick(1000);
    m.render();
    assert.ok(!m.cell("AAA", "last").classList.contains("flash-up"));
  });

  test("sort by a column from its header, again to reverse; the sort holds as prices move", () => {
    const m = mount();
    applyEvent(m.state, "streaming_bars", bars(true, [["AAA", 10], ["BBB", 12], ["CCC", 11]]));
    m.render();
    m.market.querySelector('[data-sort="last"]').click();
    m.render();
    assert.deepEqual(m.symbols(), ["BBB", "CCC", "AAA"]);
    assert.equal(m.market.querySelector('[data-sort="last"]').parentElement.getAttribute("aria-sort"), "descending");
    applyEvent(m.state, "streaming_bars", bars(false, [["AAA", 13]], minute(2)));
    m.tick(300);
    m.render();
    assert.deepEqual(m.symbols(), ["AAA", "BBB", "CCC"]);
    m.market.querySelector('[data-sort="last"]').click();
    m.render();
    assert.deepEqual(m.symbols(), ["CCC", "BBB", "AAA"]);
  });

  test("5,000 symbols: only the rows in view exist, and scrolling shows the others", () => {
    const m = mount();
    const items = Array.from({ length: 5000 }, (_, i) => [`S${String(i).padStart(4, "0")}`, 10 + i / 100]);
    for (let i = 0; i < items.length; i += 250) applyEvent(m.state, "streaming_bars", bars(true, items.slice(i, i + 250)));
    m.render();
    assert.ok(m.rows().length <= 20, `${m.rows().length} row elements`);
    assert.equal(m.symbols()[0], "S0000");
    assert.equal(m.market.querySelector('[data-grid="count"]').textContent, "5,000 of 5,000 symbols");
    m.body.scrollTop = 1000 * ROW_HEIGHT;
    m.body.dispatchEvent(new m.window.Event("scroll"));
    m.render();
    assert.ok(m.symbols().includes("S1000"));
    assert.ok(m.rows().length <= 20);
  });

  test("filter by text; a click on a symbol opens its chart; the star keeps a watchlist", () => {
    const m = mount();
    applyEvent(m.state, "streaming_bars", bars(true, [["NVDA", 10], ["AAPL", 11]]));
    applyEvent(m.state, "streaming_pattern", pattern({ symbol: "AAPL", pattern_type: "Hammer", timestamp: minute(1) }));
    m.render();
    const filter = m.market.querySelector('[data-grid="filter"]');
    filter.value = "hamm";
    filter.dispatchEvent(new m.window.Event("input"));
    m.render();
    assert.deepEqual(m.symbols(), ["AAPL"]);
    assert.equal(m.cell("AAPL", "pattern").textContent, "Hammer 85%");
    m.market.querySelector('.grid-body [data-symbol="AAPL"] [data-grid="open"]').click();
    assert.deepEqual(m.opened, ["AAPL"]);
    m.market.querySelector('.grid-body [data-symbol="AAPL"] [data-grid="star"]').click();
    m.render();
    assert.equal(m.market.querySelector('.grid-body [data-symbol="AAPL"] [data-grid="star"]').textContent, "★");
    const select = m.market.querySelector('[data-grid="watchlist"]');
    assert.deepEqual([...select.options].map((o) => o.textContent), ["All symbols", "Watchlist (1)"]);
  });

  test("indicator values and alerts fill their columns; symbol text stays text", () => {
    const m = mount();
    applyEvent(m.state, "streaming_bars", bars(true, [["TSLA", 10]]));
    applyEvent(m.state, "streaming_indicator", indicator({ symbol: "TSLA", value: 72.5 }));
    applyEvent(m.state, "indicator_alert", alert({ symbol: "TSLA", timestamp: minute(1) }));
    applyEvent(m.state, "streaming_pattern", pattern({ symbol: "TSLA", pattern_type: XSS, timestamp: minute(1) }));
    m.render();
    assert.equal(m.cell("TSLA", "rsi").textContent, "72.5");
    assert.equal(m.cell("TSLA", "alerts").textContent, "1");
    assert.equal(m.market.querySelectorAll("img").length, 0);
    assert.ok(m.cell("TSLA", "pattern").textContent.startsWith("<img"));
  });

  test("a page opened mid-session gets every symbol's latest bar from the snapshot", () => {
    const m = mount();
    applySnapshot(m.state, { latest_bars: [
      { symbol: "AAA", timestamp: minute(1), open: 10, high: 11, low: 9, close: 10.5, volume: 7, closed: true },
      { symbol: "AAA", timestamp: minute(2), open: 10.5, high: 11, low: 10, close: 10.9, volume: 3, closed: false },
      { symbol: "BBB", timestamp: minute(2), open: 5, high: 5, low: 5, close: 5, volume: 1, closed: false },
    ] });
    m.render();
    assert.deepEqual(m.symbols(), ["AAA", "BBB"]);
    assert.equal(m.cell("AAA", "last").textContent, "10.90");
    assert.equal(m.cell("AAA", "volume").textContent, "10");
  });
});

describe("critical list", () => {
  test("an outage and its recovery: open, then recovered at T; acknowledged stay, greyed", () => {
    const m = mount();
    setToday(Date.parse("2025-10-05T16:00:00Z"));
    applyEvent(m.state, "critical_alert", critical({ component: "redis", message: "Redis publishing failing", timestamp: "2025-10-05T16:45:00Z" }));
    applyEvent(m.state, "critical_alert", critical({ component: "feed", severity: "error", message: XSS, timestamp: "2025-10-05T16:46:00Z" }));
    m.render();
    const list = m.doc.querySelector(".critical-list");
    const states = () => [...list.querySelectorAll(".crit-state")].map((e) => e.textContent);
    assert.deepEqual(states(), ["open", "open"]);
    assert.equal(list.querySelectorAll("img").length, 0);
    list.querySelector('[data-action="ack"][data-component="feed"]').click();
    m.render();
    assert.deepEqual(m.acked, ["feed"]);
    assert.deepEqual(states(), ["acknowledged", "open"]);
    assert.ok(list.querySelector(".critical-row").classList.contains("is-acked"));
    applyEvent(m.state, "critical_alert", critical({ component: "redis", resolved: true, message: "Redis publishing restored", timestamp: "2025-10-05T16:47:10Z" }));
    m.render();
    assert.deepEqual(states(), ["acknowledged", "recovered at 12:47:10 ET"]);
    assert.equal(list.querySelectorAll(".critical-row").length, 2);
  });
});

describe("day boundaries and sessions", () => {
  test("a time of another New York day shows its date", () => {
    setToday(Date.parse("2025-10-06T15:00:00Z"));
    assert.equal(formatStamp("2025-10-06T14:15:00Z"), "10:15:00 ET");
    assert.equal(formatStamp("2025-10-05T14:15:00Z"), "10/05/2025, 10:15:00 ET");
  });

  test("a new session id clears the live lists and counts; prices stay", () => {
    const state = createState();
    applyEvent(state, "streaming_session", started({ session_id: "monday" }));
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(1) }));
    applyEvent(state, "indicator_alert", alert({ timestamp: minute(1) }));
    applyEvent(state, "streaming_bars", bars(true, [["NVDA", 10]]));
    applyEvent(state, "streaming_session", started({ session_id: "monday" }));  // the same session again
    assert.equal(state.patterns.size, 1);
    applyEvent(state, "streaming_session", started({ session_id: "tuesday", started_at: "2025-10-06T13:30:00Z" }));
    assert.equal(state.patterns.size, 0);
    assert.equal(state.alerts.size, 0);
    assert.equal(state.counters.patterns, 0);
    assert.equal(state.market.rows.get("NVDA").last, 10);
    assert.equal(state.market.rows.get("NVDA").pattern, "");
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(1) }));  // the same detection, new session
    assert.equal(state.patterns.size, 1);
  });
});

describe("fields the plan carries", () => {
  test("live rows show timeframe, indicator parameters and thresholds, and the session id", async () => {
    const { indicatorParams } = await import("../../src/tickstock/web/static/js/render/indicators.js");
    const rsiItem = { indicator: "RSI", timeframe: "1min", raw: { calculation: { metadata: { period: 14, overbought_threshold: 70, oversold_threshold: 30 } } } };
    assert.equal(indicatorParams(rsiItem), "(14) 70/30 · 1min");
    assert.equal(indicatorParams({ indicator: "MACD", timeframe: "1min", raw: { calculation: { metadata: { fast_period: 12, slow_period: 26, signal_period: 9 } } } }), "(12, 26, 9) · 1min");
    assert.equal(indicatorParams({ indicator: "X", raw: { calculation: { metadata: { period: XSS } } } }), "");
    const m = mount();
    applyEvent(m.state, "streaming_session", started({ session_id: "abc-123" }));
    applyEvent(m.state, "streaming_pattern", pattern({ timestamp: minute(1), timeframe: "5min" }));
    m.render();
    assert.equal(m.doc.querySelector('[data-field="sessionId"]').textContent, "abc-123");
    assert.equal(m.doc.querySelector('[data-panel="patterns"] .tf').textContent, "5min");
  });
});
