// The chart page (#/chart/SYMBOL) against a recording stand-in for lightweight-charts: what
// the reader sees is the series' points, the markers and their tooltip, the status line
// and the visible range; the canvas itself is the library's (tested in the browser tests).
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { barTime } from "../../src/tickstock/web/static/js/chart-data.js";
import { closePages, fakeCharts, openPage, Reply } from "./page.mjs";
import { detection, minute } from "./fixtures.mjs";

afterEach(closePages);

/** A stored 1-minute bar of minute n of 2025-10-05's session (rising closes, or `close`). */
const bar = (n, close = 100 + n, over = {}) => ({ symbol: "NVDA", timestamp: minute(n), open: close - 0.5, high: close + 1, low: close - 1, close, volume: 1000 + n, ...over });
const bars = (from, count) => Array.from({ length: count }, (_, i) => bar(from + i));
/** How the chart asks for times (milliseconds shown). */
const iso = (text) => new Date(text).toISOString();
const statusOf = (page) => page.text('[data-chart="status"]');

async function openChart({ stored = { bars: bars(0, 40) }, patterns = { patterns: [] }, alerts = { items: [] }, hash = "#/chart/nvda", routes = {} } = {}) {
  const charts = fakeCharts();
  const page = openPage({ hash, charts, routes: {
    "/api/streaming/ohlcv/NVDA": stored,
    "/api/streaming/patterns/NVDA": patterns,
    "/api/streaming/alerts": alerts,
    ...routes,
  } });
  await page.until(() => charts.charts.length === 1 || !statusOf(page)?.startsWith("Loading"), "the chart to load");
  return { page, charts, chart: charts.charts[0] };
}

describe("chart page", () => {
  test("stored bars become candles and coloured volume; bands, RSI and MACD panes come from their closes", async () => {
    const { page, chart } = await openChart();
    assert.equal(page.text("main h1"), "Chart NVDA");
    assert.equal(statusOf(page), "40 bars, 0 markers; updating live");
    assert.deepEqual(chart.candles.points.map((c) => c.time), bars(0, 40).map((b) => barTime(b.timestamp)));
    assert.deepEqual(chart.candles.points[0], { time: barTime(minute(0)), open: 99.5, high: 101, low: 99, close: 100, volume: 1000 });
    assert.equal(chart.volume.points[0].value, 1000);
    assert.equal(chart.volume.points[0].color, "#4ac26b66", "a rising minute's volume is green");
    assert.equal(chart.named("RSI").points.length, 40 - 14);
    assert.equal(chart.named("MACD").points.length, 40 - 25);
    const bands = chart.series.filter((s) => s.pane === 0 && s.type === "Line");
    assert.deepEqual(bands.map((s) => s.points.length), [21, 21, 21], "upper, middle, lower from the 20th bar");
    assert.deepEqual(chart.stretch, [3, 1, 1.2, 1.2]);
    assert.equal(page.doc.querySelector(".chart-host").getAttribute("data-panes"), "4");
    assert.equal(page.doc.querySelector(".chart-host").getAttribute("data-last-close"), "139");
    assert.equal(chart.fitted, 1);
    assert.equal(chart.options.localization.timeFormatter(barTime("2025-10-06T13:30:00Z")), "09:30 ET");
    assert.equal(page.calls.find((u) => u.pathname.startsWith("/api/streaming/ohlcv")).searchParams.get("limit"), "390");
  });

  test("stored patterns and indicator alerts are markers in time order, labelled by name, with a tooltip per minute", async () => {
    const { page, charts, chart } = await openChart({
      patterns: { patterns: [detection({ symbol: "NVDA", timestamp: minute(30) }), detection({ symbol: "NVDA", pattern_type: "Hammer", timestamp: minute(10), confidence: 0.6 })] },
      alerts: { items: [{ symbol: "NVDA", alert_type: "RSI_OVERBOUGHT", timestamp: minute(30), value: 75.2, threshold: 70 }] },
    });
    const markers = charts.markerSets[0].markers;
    assert.equal(charts.markerSets[0].series, chart.candles);
    assert.deepEqual(markers.map((m) => [m.time, m.text]), [
      [barTime(minute(10)), "Hammer"], [barTime(minute(30)), "Doji"], [barTime(minute(30)), "RSI overbought"],
    ]);
    assert.equal(statusOf(page), "40 bars, 3 markers; updating live");
    const tip = page.doc.querySelector(".chart-tip");
    chart.onCrosshair({ time: barTime(minute(30)), point: { x: 100.4, y: 20 } });
    assert.equal(tip.hidden, false);
    assert.equal(tip.textContent, "Doji · confidence 85% · 10:00 ET\nRSI overbought · value 75.20 / threshold 70.00 · 10:00 ET");
    assert.equal(tip.style.left, "112px");
    chart.onCrosshair({ time: barTime(minute(31)), point: { x: 1, y: 1 } });
    assert.equal(tip.hidden, true, "a minute without markers has no tooltip");
    chart.onCrosshair({});
    assert.equal(tip.hidden, true);
  });

  test("live bars of the symbol move the forming candle and add new minutes; other symbols' bars do not", async () => {
    const { page, chart } = await openChart();
    const host = page.doc.querySelector(".chart-host");
    const live = (b) => page.app.bus.emit("bars", { bars: [b] });
    live(bar(39, 150));
    assert.equal(chart.candles.points.length, 40, "the same minute moves");
    assert.equal(chart.candles.points.at(-1).close, 150);
    assert.equal(chart.volume.points.at(-1).value, 1039);
    live(bar(40, 90, { open: 95 }));
    assert.equal(chart.candles.points.length, 41);
    assert.equal(chart.volume.points.at(-1).color, "#ff818266", "a falling minute's volume is red");
    assert.equal(chart.named("RSI").points.at(-1).time, barTime(minute(40)), "the indicators follow the new minute");
    assert.equal(chart.named("MACD").points.at(-1).time, barTime(minute(40)));
    live(bar(41, 500, { symbol: "AMD" }));
    assert.equal(chart.candles.points.length, 41);
    assert.equal(host.getAttribute("data-live-bars"), "2");
    assert.equal(host.getAttribute("data-last-close"), "90");
    live(bar(5, 1));  // an older minute arriving late: everything is redrawn in order
    assert.equal(chart.candles.points.find((c) => c.time === barTime(minute(5))).close, 1);
    assert.equal(statusOf(page), "41 bars, 0 markers; updating live");
  });

  test("without the bars channel a detection's bar moves the chart; live patterns and alerts add markers", async () => {
    const { page, charts, chart } = await openChart();
    page.app.bus.emit("pattern", detection({ symbol: "NVDA", timestamp: minute(40), bar_data: { open: 140, high: 142, low: 139, close: 141.5, volume: 9 } }));
    assert.equal(chart.candles.points.at(-1).close, 141.5);
    page.app.bus.emit("pattern", detection({ symbol: "AMD", timestamp: minute(41) }));
    page.app.bus.emit("alert", { symbol: "NVDA", alert_type: "MACD_BULLISH_CROSS", timestamp: minute(40), data: { value: 0.5 } });
    page.app.bus.emit("alert", { symbol: "AMD", alert_type: "RSI_OVERSOLD", timestamp: minute(40), data: {} });
    const markers = charts.markerSets[0].markers;
    assert.deepEqual(markers.map((m) => [m.text, m.position, m.shape]), [["Doji", "aboveBar", "circle"], ["MACD bullish cross", "belowBar", "arrowUp"]]);
    assert.equal(statusOf(page), "41 bars, 1 markers; updating live");
  });

  test("a symbol with no stored bar (404) still gets a chart, filled live", async () => {
    const { page, chart } = await openChart({ stored: new Reply(404, { error: "not_found", detail: "unknown symbol" }) });
    assert.equal(statusOf(page), "No bars stored yet for this symbol; waiting for live bars.");
    assert.equal(chart.candles.points.length, 0);
    assert.equal(page.doc.querySelector(".chart-host").hasAttribute("data-last-close"), false);
    page.app.bus.emit("bars", { bars: [bar(1, 10)] });
    assert.equal(statusOf(page), "1 bars, 0 markers; updating live");
  });

  test("marker labels are drawn where they have room, placed again after a zoom or a resize", async () => {
    const { page, charts, chart } = await openChart({
      patterns: { patterns: [detection({ symbol: "NVDA", timestamp: minute(30) }), detection({ symbol: "NVDA", pattern_type: "Hammer", timestamp: minute(31) })] },
    });
    const labels = () => charts.markerSets[0].markers.map((m) => m.text);
    assert.deepEqual(labels(), ["Doji", "Hammer"], "not laid out yet: every label kept");
    chart.pxPerSecond = 3 / 60;  // a day's view: 3 px a minute
    chart.onRange({ from: 0, to: 400 });
    chart.onRange({ from: 1, to: 401 });  // once a frame at most
    await page.until(() => labels()[1] === "", "the labels placed for the day's view");
    assert.deepEqual(labels(), ["Doji", ""], "the marker stays; its label had no room");
    assert.equal(charts.markerSets[0].markers.length, 2);
    chart.pxPerSecond = 2;  // zoomed in: 120 px a minute
    for (const fn of chart.sizeListeners) fn();
    await page.until(() => labels()[1] === "Hammer", "the labels placed again");
  });

  test("the latest bar the page already holds is drawn after the stored ones", async () => {
    const charts = fakeCharts();
    const page = openPage({ charts, routes: {
      "/api/streaming/ohlcv/NVDA": { bars: bars(0, 3) },
      "/api/streaming/status": { session: null },
    } });
    page.socket.connect();
    page.socket.emit("snapshot", { epoch: "e", seq: 0, latest_bars: [{ ...bar(3, 77), closed: false }] });
    page.flush();
    await page.go("#/chart/NVDA");
    await page.until(() => charts.charts.length === 1, "the chart");
    assert.deepEqual(charts.charts[0].candles.points.map((c) => c.close), [100, 101, 102, 77]);
  });

  test("an error other than 404 is said, and an invalid symbol is not asked for", async () => {
    const { page } = await openChart({ stored: new Reply(500, { error: "internal_error", detail: "boom" }) });
    assert.equal(statusOf(page), "Could not load the chart: internal_error: boom");
    const bad = openPage({ hash: "#/chart/not$valid", charts: fakeCharts() });
    assert.equal(bad.text("main [role=status]"), "Not a valid symbol.");
    assert.equal(bad.calls.length, 0);
  });

  test("the chart follows the page's theme; leaving the page removes it and stops listening", async () => {
    const { page, chart } = await openChart();
    page.doc.documentElement.dataset.theme = "dark";
    await page.until(() => chart.applied.length === 1, "the theme change");
    assert.equal(chart.applied[0].layout.background.color, "#11161d");
    await page.go("#/settings");
    assert.equal(chart.removed, true);
    page.app.bus.emit("bars", { bars: [bar(40)] });
    assert.equal(chart.candles.points.length, 40);
    assert.equal(page.app.bus.count(), 0, "no listener left on the bus");
  });
});

describe("chart limits and leaving", () => {
  test("at most 500 markers are kept, the oldest dropped first", async () => {
    const many = Array.from({ length: 520 }, (_, i) => detection({ symbol: "NVDA", pattern_type: `P${i}`, timestamp: minute(i) }));
    const { charts } = await openChart({ patterns: { patterns: many } });
    const markers = charts.markerSets[0].markers;
    assert.equal(markers.length, 500);
    assert.equal(markers[0].text, "P20");
    assert.equal(markers.at(-1).text, "P519");
  });

  test("leaving the page while the chart loads creates no chart", async () => {
    const charts = fakeCharts();
    let answer;
    const page = openPage({ hash: "#/chart/NVDA", charts, routes: {
      "/api/streaming/ohlcv/NVDA": () => new Promise((resolve) => { answer = resolve; }),
    } });
    await page.until(() => answer, "the bars request");
    await page.go("#/settings");
    answer({ bars: [bar(1)] });
    await page.settle();
    assert.equal(charts.charts.length, 0);
  });

  test("a bar without a price or time, and a bars message without bars, change nothing", async () => {
    const { page, chart } = await openChart();
    page.app.bus.emit("bars", { bars: [{ symbol: "NVDA", timestamp: minute(50), close: null }, { symbol: "NVDA", close: 5 }, null] });
    page.app.bus.emit("bars", {});
    assert.equal(chart.candles.points.length, 40);
    assert.equal(page.doc.querySelector(".chart-host").getAttribute("data-live-bars"), "0");
  });

  test("range buttons do nothing before there is a bar, and a click beside them does nothing", async () => {
    const { page, chart } = await openChart({ stored: { bars: [] } });
    page.click(page.doc.querySelector('[data-range="day"]'));
    page.click(page.doc.querySelector(".chart-ranges"));
    await page.settle();
    assert.equal(chart.visible, null);
  });

  test("a chart link without a symbol says it is not valid", () => {
    const page = openPage({ hash: "#/chart", charts: fakeCharts() });
    assert.equal(page.text("main h1"), "Chart ");
    assert.equal(page.text("main [role=status]"), "Not a valid symbol.");
  });
});

describe("chart history and ranges", () => {
  test("the reader scrolling near the oldest bar loads the page before it, once at a time, until a short page ends the history", async () => {
    const older = [];
    const { page, chart } = await openChart({ routes: {
      "/api/streaming/ohlcv/NVDA": (url) => {
        const until = url.searchParams.get("until");
        if (!until) return { bars: bars(400, 390) };
        older.push(until);
        return { bars: older.length === 1 ? bars(10, 390) : bars(0, 5) };
      },
    } });
    assert.equal(chart.candles.points.length, 390);
    chart.onRange({ from: 0, to: 390 });
    await page.settle();
    assert.equal(older.length, 0, "the opening fit shows the oldest bar: that is no scroll back");
    page.doc.querySelector(".chart-wrap").dispatchEvent(new page.window.Event("wheel"));
    chart.onRange({ from: 50, to: 200 });
    assert.equal(older.length, 0, "far from the oldest bar nothing loads");
    chart.onRange({ from: 3, to: 200 });
    chart.onRange({ from: 2, to: 200 });
    await page.until(() => chart.candles.points.length === 780, "the older page");
    assert.deepEqual(older, [iso(minute(400))], "one request for both scroll events");
    assert.equal(page.calls.at(-1).searchParams.get("limit"), "390");
    chart.onRange({ from: 1, to: 200 });
    await page.until(() => chart.candles.points.length === 785, "the last page");
    assert.equal(older[1], iso(minute(10)));
    chart.onRange({ from: 0, to: 200 });
    await page.settle();
    assert.equal(older.length, 2, "a short page was the last");
    assert.equal(statusOf(page), "785 bars, 0 markers; updating live");
  });

  test("1 h and Day show the range ending at the newest bar, loading stored bars since its start when needed", async () => {
    const { page, chart } = await openChart({ routes: {
      "/api/streaming/ohlcv/NVDA": (url) => (url.searchParams.get("since") ? { bars: bars(-300, 300) } : { bars: bars(0, 120) }),
    } });
    const last = barTime(minute(119));
    page.click(page.doc.querySelector('[data-range="1h"]'));
    await page.until(() => chart.visible !== null, "the 1 h range");
    assert.deepEqual(chart.visible, { from: last - 3600, to: last + 60 });
    assert.equal(page.calls.filter((u) => u.searchParams.has("since")).length, 0, "the hour is loaded already");
    page.click(page.doc.querySelector('[data-range="day"]'));
    await page.until(() => chart.visible.from === last - 6.5 * 3600, "the day range");
    const asked = page.calls.find((u) => u.searchParams.has("since"));
    assert.equal(asked.searchParams.get("since"), new Date((last - 6.5 * 3600) * 1000).toISOString());
    assert.equal(asked.searchParams.get("until"), iso(minute(0)));
    assert.equal(chart.candles.points.length, 420);
  });

  test("5 days pages back for five New York days, and says plainly when fewer are stored", async () => {
    const day = (d, n) => Array.from({ length: n }, (_, i) => bar(0, 100 + i, { timestamp: new Date(Date.UTC(2025, 9, d, 14, i)).toISOString() }));
    const { page, chart } = await openChart({ routes: {
      "/api/streaming/ohlcv/NVDA": (url) => {
        const until = url.searchParams.get("until");
        if (!until) return { bars: [...day(6, 200), ...day(7, 190)] };  // 390: a full page, so there may be more
        return { bars: day(3, 10) };  // the store's oldest day
      },
    } });
    page.click(page.doc.querySelector('[data-range="5d"]'));
    await page.until(() => chart.visible !== null, "the 5-day range");
    assert.equal(page.text('[data-chart="coverage"]'), "3 of 5 days stored");
    assert.equal(chart.visible.from, barTime(new Date(Date.UTC(2025, 9, 3, 14, 0)).toISOString()));
    page.click(page.doc.querySelector('[data-range="1h"]'));
    await page.until(() => page.text('[data-chart="coverage"]') === "", "the coverage note to clear");
  });

  test("5 days already loaded (six days on a full page): no older page is asked, no note shown", async () => {
    const day = (d) => Array.from({ length: 65 }, (_, i) => bar(0, 100 + i, { timestamp: new Date(Date.UTC(2025, 9, d, 14, i)).toISOString() }));
    const { page, chart } = await openChart({ stored: { bars: [1, 2, 3, 6, 7, 8].flatMap(day) } });  // 390: a full page
    page.click(page.doc.querySelector('[data-range="5d"]'));
    await page.until(() => chart.visible !== null, "the 5-day range");
    assert.equal(page.calls.filter((u) => u.searchParams.has("until")).length, 0);
    assert.equal(page.text('[data-chart="coverage"]'), "");
    assert.equal(chart.visible.from, barTime(new Date(Date.UTC(2025, 9, 2, 14, 0)).toISOString()), "Thursday to the next Wednesday: five trading days");
  });

  test("a failed older page is said on the status line", async () => {
    const { page, chart } = await openChart({ routes: {
      "/api/streaming/ohlcv/NVDA": (url) => (url.searchParams.get("until") ? new Reply(503, { error: "store_unavailable", detail: "" }) : { bars: bars(0, 390) }),
    } });
    page.doc.querySelector(".chart-wrap").dispatchEvent(new page.window.Event("pointerdown"));
    chart.onRange({ from: 0, to: 10 });
    await page.until(() => statusOf(page).startsWith("Could not"), "the error");
    assert.equal(statusOf(page), "Could not load older bars: store_unavailable");
  });
});
