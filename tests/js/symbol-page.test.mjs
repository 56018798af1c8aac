// The symbol page (#/symbol/NVDA) and the Market section (#/market): one symbol's grid
// row kept live, its watchlist star, today's patterns and alerts (stored, then live); and
// the market grid on its own page.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { WATCHLISTS_KEY } from "../../src/tickstock/web/static/js/grid-model.js";
import { closePages, fakeCharts, openPage } from "./page.mjs";
import { alert, detection, indicator, minute, pattern, XSS } from "./fixtures.mjs";

afterEach(closePages);

const bar = (symbol, n, close, over = {}) => ({ symbol, timestamp: minute(n), open: 10, high: Math.max(10, close), low: Math.min(10, close), close, volume: 100, ...over });
const yesterday = "2025-10-04T15:00:00Z";

/** A page whose stream already brought NVDA's bars, an RSI and a pattern; then at `hash`. */
async function live(hash, routes = {}) {
  const page = openPage({ charts: fakeCharts(), routes: { "/api/streaming/status": { session: null }, ...routes } });
  page.socket.connect();
  page.socket.emit("snapshot", { epoch: "e1", seq: 0, latest_bars: [{ ...bar("NVDA", 1, 10.9, { previous_close: 10 }), closed: true }] });
  let seq = 0;
  page.send = (...events) => {
    page.socket.emit("frame", { epoch: "e1", events: events.map(([event, data]) => ({ seq: ++seq, event, at: seq, data })) });
    page.flush();
  };
  page.send(["streaming_indicator", indicator({ symbol: "NVDA", value: 61.25 })]);
  await page.go(hash);
  return page;
}

const facts = (page) => Object.fromEntries([...page.doc.querySelectorAll(".symbol-facts dt")].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));

describe("symbol page", () => {
  test("shows the symbol's grid row as facts, kept live by the bars channel", async () => {
    const page = await live("#/symbol/nvda");
    assert.equal(page.doc.querySelector("main h1").firstChild.textContent, "NVDA");
    assert.deepEqual(facts(page), {
      Last: "10.90", Change: "+0.90 (+9.00%)", Volume: "100", RSI: "61.3", "MACD histogram": "—", "BB %B": "—",
      "Latest pattern": "—", "Alerts today": "0",
    });
    page.send(["streaming_bars", { type: "streaming_bars", timeframe: "1min", closed: false, bars: [bar("NVDA", 2, 9.5, { volume: 40 })] }]);
    assert.equal(facts(page).Last, "9.50");
    assert.equal(facts(page).Change, "-0.50 (-5.00%)");
    assert.equal(facts(page).Volume, "140");
  });

  test("a symbol the page has no price for says so; an invalid one is refused without asking the server", async () => {
    const page = await live("#/symbol/AMD");
    assert.deepEqual(facts(page), { Last: "—" });
    const before = page.calls.length;
    await page.go("#/symbol/%3Cimg%3E");
    assert.equal(page.text("main [role=status]"), "Not a valid symbol.");
    assert.equal(page.calls.length, before);
  });

  test("the star adds the symbol to the first watchlist (made on demand) and takes it out again", async () => {
    const page = await live("#/symbol/NVDA");
    const star = page.doc.querySelector('main h1 [data-grid="star"]');
    assert.equal(star.textContent, "☆ Add to watchlist");
    assert.equal(star.getAttribute("aria-pressed"), "false");
    page.click(star);
    assert.equal(star.textContent, "★ In Watchlist");
    assert.equal(star.getAttribute("aria-pressed"), "true");
    assert.deepEqual(JSON.parse(page.window.localStorage.getItem(WATCHLISTS_KEY)), [{ name: "Watchlist", symbols: ["NVDA"] }]);
    page.click(star);
    assert.equal(star.textContent, "☆ Add to watchlist");
    assert.deepEqual(page.app.watchlists.lists, [{ name: "Watchlist", symbols: [] }]);
  });

  test("today's patterns and alerts: stored ones, then live ones, newest first, once each; yesterday's and other symbols' are left out", async () => {
    const page = await live("#/symbol/NVDA", {
      "/api/streaming/patterns/NVDA": { patterns: [
        { ...detection({ timestamp: minute(20), pattern_type: XSS }), high_confidence: true },
        { ...detection({ timestamp: minute(5) }), high_confidence: true },
        { ...detection({ timestamp: yesterday }), high_confidence: true },
      ] },
      "/api/streaming/alerts": { items: [{ symbol: "NVDA", alert_type: "RSI_OVERBOUGHT", timestamp: minute(7), value: 75.25, kind: "indicator" }], page: 1, pages: 1, total: 1 },
    });
    const patterns = () => page.texts(".symbol-patterns li");
    const alerts = () => page.texts(".symbol-alerts li");
    await page.until(() => patterns().length === 2 && alerts().length === 1, "the stored rows");
    assert.deepEqual(patterns(), [`09:50:00 ET${XSS} 85% · 1min`, "09:35:00 ETDoji 85% · 1min"]);
    assert.equal(page.doc.querySelectorAll("main img").length, 0);
    assert.deepEqual(alerts(), ["09:37:00 ETRSI overbought · 75.25"]);
    const asked = page.calls.find((u) => u.pathname === "/api/streaming/alerts");
    assert.equal(asked.searchParams.get("symbol"), "NVDA");
    assert.equal(asked.searchParams.get("kind"), "indicator");
    page.send(
      ["streaming_pattern", pattern({ symbol: "NVDA", pattern_type: "Hammer", timestamp: minute(10) })],
      ["streaming_pattern", pattern({ symbol: "NVDA", timestamp: minute(5) })],  // stored already
      ["streaming_pattern", pattern({ symbol: "AMD", timestamp: minute(30) })],
      ["indicator_alert", alert({ symbol: "NVDA", alert_type: "MACD_BULLISH_CROSS", timestamp: minute(25), data: { value: 0.01042, threshold: 0.01038 } })],
      ["indicator_alert", alert({ symbol: "NVDA", alert_type: "RSI_OVERSOLD", timestamp: minute(26), data: {} })],
    );
    assert.deepEqual(patterns().map((t) => t.slice(0, 11)), ["09:50:00 ET", "09:40:00 ET", "09:35:00 ET"]);
    assert.deepEqual(alerts(), ["09:56:00 ETRSI oversold", "09:55:00 ETMACD bullish cross · 0.01042 (threshold 0.01038)", "09:37:00 ETRSI overbought · 75.25"]);
    assert.equal(facts(page)["Latest pattern"], "Hammer 85%", "the grid row's latest live pattern");
  });

  test("patterns and alerts the page already held are listed at once", async () => {
    const page = openPage({ charts: fakeCharts() });
    page.socket.connect();
    page.socket.emit("snapshot", { epoch: "e1", seq: 0, recent_patterns: [pattern({ symbol: "NVDA", timestamp: minute(3) })],
      recent_alerts: [alert({ symbol: "NVDA", timestamp: minute(4) }).alert, alert({ symbol: "AMD", timestamp: minute(4) }).alert] });
    page.flush();
    await page.go("#/symbol/NVDA");
    assert.deepEqual(page.texts(".symbol-patterns li"), ["09:33:00 ETDoji 85% · 1min"]);
    assert.deepEqual(page.texts(".symbol-alerts li"), ["09:34:00 ETRSI overbought · RSI 75.20 (threshold 70.00)"]);
  });

  test("today is the stream's New York day when it replays another; at most 200 rows are kept, the newest", async () => {
    const replayed = "2025-09-30";
    const at = (n) => new Date(Date.parse(`${replayed}T13:30:00Z`) + n * 60000).toISOString().replace(".000Z", "Z");
    const page = openPage({ charts: fakeCharts() });  // the wall clock says 2025-10-05
    page.socket.connect();
    page.socket.emit("snapshot", { epoch: "e1", seq: 0, health: { type: "streaming_health", health: { status: "healthy", timestamp: at(0) } } });
    page.flush();
    await page.go("#/symbol/NVDA");
    const send = (from, count) => page.socket.emit("frame", { epoch: "e1", events: Array.from({ length: count }, (_, i) => ({
      seq: from + i, event: "streaming_pattern", at: from + i, data: pattern({ symbol: "NVDA", timestamp: at(from + i) }) })) });
    send(1, 150);
    send(151, 60);
    page.flush();
    const times = page.texts(".symbol-patterns li time");
    assert.equal(times.length, 200);
    assert.equal(page.doc.querySelector(".symbol-patterns li time").getAttribute("datetime"), at(210), "the newest first");
    assert.equal(page.doc.querySelector(".symbol-patterns li:last-child time").getAttribute("datetime"), at(11), "the oldest left out");
  });

  test("stored rows that arrive after the reader left are not added", async () => {
    const answers = [];
    const page = openPage({ hash: "#/symbol/NVDA", charts: fakeCharts(), routes: {
      "/api/streaming/patterns/NVDA": () => new Promise((resolve) => answers.push(() => resolve({ patterns: [detection({ timestamp: minute(1) })] }))),
      "/api/streaming/alerts": () => new Promise((resolve) => answers.push(() => resolve({ items: [{ symbol: "NVDA", alert_type: "RSI_OVERSOLD", timestamp: minute(1) }] }))),
    } });
    await page.until(() => answers.length >= 2, "the stored rows asked");
    const patterns = page.doc.querySelector(".symbol-patterns");
    const alerts = page.doc.querySelector(".symbol-alerts");
    await page.go("#/settings");
    answers.forEach((answer) => answer());
    await page.settle();
    assert.equal(patterns.children.length, 0);
    assert.equal(alerts.children.length, 0);
  });

  test("the symbol's chart is on its page", async () => {
    const charts = fakeCharts();
    const page = openPage({ hash: "#/symbol/NVDA", charts, routes: { "/api/streaming/ohlcv/NVDA": { bars: [bar("NVDA", 1, 11)] } } });
    await page.until(() => charts.charts.length === 1, "the chart");
    assert.ok(page.doc.querySelector(".symbol-chart .chart-host"));
    assert.deepEqual(charts.charts[0].candles.points.map((c) => c.close), [11]);
  });
});

describe("market section", () => {
  test("the grid on its own page: every symbol, sortable; a click opens the symbol's page", async () => {
    const page = await live("#/market");
    page.send(["streaming_bars", { type: "streaming_bars", timeframe: "1min", closed: true, bars: [bar("AMD", 1, 12), bar("AAPL", 1, 11)] }]);
    const symbols = () => [...page.doc.querySelectorAll(".grid-page .grid-body .grid-row:not([hidden])")].map((r) => r.getAttribute("data-symbol"));
    assert.equal(page.text("main h1"), "Market");
    page.clock.t += 300;  // new symbols join the order at the next re-sort
    await page.until(() => symbols().length === 3, "the new symbols");
    assert.deepEqual(symbols(), ["AAPL", "AMD", "NVDA"]);
    page.click(page.doc.querySelector('.grid-page [data-sort="last"]'));
    page.flush();
    assert.deepEqual(symbols(), ["AMD", "AAPL", "NVDA"]);
    page.click(page.doc.querySelector('.grid-page .grid-body [data-symbol="AMD"] [data-grid="open"]'));
    await page.until(() => page.app.router.route.name === "symbol", "the symbol page");
    assert.deepEqual(page.app.router.route.params, ["AMD"]);
  });
});
