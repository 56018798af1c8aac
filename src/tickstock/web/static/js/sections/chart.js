/**
 * Symbol chart (`#/chart/SYMBOL`, also on the symbol page): 1-minute candles from
 * `/api/streaming/ohlcv/SYMBOL`, kept live by the bars channel (the forming bar moves; a
 * producer without it still moves the chart through detections' bar_data), a volume pane,
 * Bollinger bands over price, RSI and MACD panes, and pattern and alert markers labelled by
 * name with a tooltip. Scrolling back loads older stored bars; 1 h / Day / 5 days buttons.
 */
import { withLoading } from "../api.js";
import {
  alertMarker, barTime, bollinger, createCandles, fitLabels, macd, markerColor, patternMarker, RANGE_DAYS, rangeFor, rsi, tradingDaysRange,
} from "../chart-data.js";
import { formatNyShort } from "../format.js";
import { make, setText } from "../render/dom.js";

export { barTime, patternMarker };

const SYMBOL = /^[A-Z][A-Z0-9.-]{0,9}$/;
const MAX_MARKERS = 500;
/** Bars fetched per page when scrolling back (a trading day). */
const PAGE = 390;
/** Pages of older bars the "5 days" button loads at most (5 days of 24-hour bars fit). */
const MAX_PAGES_FOR_DAYS = 20;

/**
 * The chart's colours for one theme (the canvas cannot use the page's CSS variables). The
 * library's attribution logo is off: it injects a <style> element, which the page's CSP
 * (no inline style) refuses; the attribution is a link under the chart instead.
 * @param {boolean} dark
 */
export function chartColors(dark) {
  const line = dark ? "#21262d" : "#eaeef2";
  return {
    layout: {
      background: { color: dark ? "#11161d" : "#ffffff" },
      textColor: dark ? "#e6edf3" : "#1f2328",
      attributionLogo: false,
      // The library's own separator (#E0E3EB) drew bright lines across the dark chart.
      panes: { separatorColor: dark ? "#30363d" : "#d0d7de" },
    },
    grid: { vertLines: { color: line }, horzLines: { color: line } },
    rightPriceScale: { borderColor: dark ? "#30363d" : "#d0d7de" },
  };
}

/** A chart time (UTC seconds) as the exchange's clock reads it: "09:30". @param {number} time */
export function chartTimeLabel(time) {
  return formatNyShort(time * 1000);
}

/**
 * Mounts a live chart of `symbol` into `container`; returns a status element.
 * @param {any} app @param {() => Promise<any>} loadCharts
 * @param {HTMLElement} container @param {import("../scope.js").Scope} scope @param {string} symbol
 */
export function mountChart(app, loadCharts, container, scope, symbol) {
  const doc = container.ownerDocument;
  const win = /** @type {Window & typeof globalThis} */ (doc.defaultView);
  const status = make(doc, "p", "muted", "", { role: "status", "data-chart": "status" });
  const ranges = make(doc, "div", "chart-ranges", undefined, { role: "group", "aria-label": "Visible range" });
  for (const [name, label] of [["1h", "1 h"], ["day", "Day"], ["5d", "5 days"]]) {
    ranges.append(make(doc, "button", "", label, { type: "button", "data-range": name }));
  }
  // What a range shows when fewer days are stored than it names ("2 of 5 days stored").
  const coverage = make(doc, "span", "muted chart-coverage", "", { "data-chart": "coverage" });
  ranges.append(coverage);
  const wrap = make(doc, "div", "chart-wrap");
  const host = make(doc, "div", "chart-host", undefined, { role: "img", "aria-label": `1-minute candles of ${symbol} with volume, Bollinger bands, RSI and MACD` });
  const tip = make(doc, "div", "chart-tip", "", { role: "tooltip" });
  tip.hidden = true;
  wrap.append(host, tip);
  const credit = make(doc, "p", "chart-credit muted");
  credit.append(
    doc.createTextNode("Chart by "),
    make(doc, "a", "", "TradingView Lightweight Charts™", { href: "https://www.tradingview.com/", rel: "noopener noreferrer", target: "_blank" }),
  );
  container.append(ranges, status, wrap, credit);
  let disposed = false;
  scope.add(() => {
    disposed = true;
  });
  const enc = encodeURIComponent(symbol);
  const ohlcv = (params) => app.api.get(`/api/streaming/ohlcv/${enc}`, params)
    // 404: no bar stored yet for this symbol — still a chart, filled live.
    .catch((e) => (e?.status === 404 ? { bars: [] } : Promise.reject(e)));

  setText(status, "Loading chart…");
  withLoading(container, Promise.all([
    loadCharts(),
    ohlcv({ limit: PAGE }),
    app.api.get(`/api/streaming/patterns/${enc}`, { limit: 200 }).catch(() => ({ patterns: [] })),
    app.api.get("/api/streaming/alerts", { symbol, kind: "indicator", per_page: 100 }).catch(() => ({ items: [] })),
  ])).then(([charts, stored, patterns, alerts]) => {
    if (disposed) return;
    const root = doc.documentElement;
    const theme = () => chartColors(root.dataset.theme === "dark");
    const chart = charts.createChart(host, {
      autoSize: true,
      ...theme(),
      // The library labels UTC; a trader reads the exchange's clock (New York).
      localization: { timeFormatter: (t) => `${chartTimeLabel(t)} ET` },
      timeScale: { timeVisible: true, secondsVisible: false, tickMarkFormatter: chartTimeLabel },
    });
    scope.add(() => chart.remove());
    const themeWatch = new win.MutationObserver(() => {
      chart.applyOptions(theme());
      placeLabels();  // the markers' colours follow the theme too
    });
    themeWatch.observe(root, { attributes: true, attributeFilter: ["data-theme"] });
    scope.add(() => themeWatch.disconnect());

    const line = (color, pane, title = "") => chart.addSeries(charts.LineSeries, { color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false, title }, pane);
    const candles = chart.addSeries(charts.CandlestickSeries, {}, 0);
    const bbUpper = line("#8c959f", 0), bbMiddle = line("#bf8700", 0), bbLower = line("#8c959f", 0);
    const volume = chart.addSeries(charts.HistogramSeries, { color: "#54aeff", priceFormat: { type: "volume" }, priceLineVisible: false }, 1);
    const rsiLine = line("#8250df", 2, "RSI");
    const macdHist = chart.addSeries(charts.HistogramSeries, { priceLineVisible: false, lastValueVisible: false }, 3);
    const macdLine = line("#0969da", 3, "MACD"), macdSignal = line("#cf222e", 3, "signal");
    const panes = chart.panes();
    [3, 1, 1.2, 1.2].forEach((factor, i) => panes[i]?.setStretchFactor(factor));
    host.setAttribute("data-panes", String(panes.length));

    const book = createCandles();
    for (const b of stored?.bars ?? []) book.put(b);
    // The latest bar the page already holds (a minute not stored yet, or a forming one).
    const held = app.state.market.rows.get(symbol)?.bar;
    if (held && barTime(held.timestamp) >= book.last) book.put(held);
    let oldestLoaded = book.first;
    let moreHistory = (stored?.bars ?? []).length >= PAGE;

    const volumeOf = (c) => ({ time: c.time, value: c.volume, color: c.close >= c.open ? "#4ac26b66" : "#ff818266" });
    function drawAll() {
      const list = book.list();
      candles.setData(list);
      volume.setData(list.map(volumeOf));
      const bb = bollinger(list);
      bbUpper.setData(bb.upper);
      bbMiddle.setData(bb.middle);
      bbLower.setData(bb.lower);
      rsiLine.setData(rsi(list));
      const m = macd(list);
      macdLine.setData(m.line);
      macdSignal.setData(m.signal);
      macdHist.setData(m.hist.map((p) => ({ ...p, color: p.value >= 0 ? "#4ac26b" : "#ff8182" })));
    }
    /** The newest candle moved (forming) or a new one came: only the last points change. */
    function drawLast() {
      const list = book.list();
      const c = list[list.length - 1];
      candles.update(c);
      volume.update(volumeOf(c));
      const tail = list.slice(-Math.max(60, 3 * 26));  // enough history for each indicator's last value
      const lastOf = (arr) => arr[arr.length - 1];
      const bb = bollinger(tail);
      if (bb.upper.length) {
        bbUpper.update(lastOf(bb.upper));
        bbMiddle.update(lastOf(bb.middle));
        bbLower.update(lastOf(bb.lower));
      }
      // RSI and MACD depend on all history (smoothing): computed over the whole list.
      const r = rsi(list);
      if (r.length) rsiLine.update(lastOf(r));
      const m = macd(list);
      if (m.line.length) {
        macdLine.update(lastOf(m.line));
        macdSignal.update(lastOf(m.signal));
        const h = lastOf(m.hist);
        macdHist.update({ ...h, color: h.value >= 0 ? "#4ac26b" : "#ff8182" });
      }
    }
    drawAll();

    /** @type {Map<string, any>} */
    const markers = new Map();
    const markerApi = charts.createSeriesMarkers(candles, []);
    const addMarker = (m) => {
      markers.set(m.id, m);
      if (markers.size > MAX_MARKERS) markers.delete(markers.keys().next().value);
    };
    const xOf = (time) => chart.timeScale().timeToCoordinate?.(time) ?? null;
    const pushMarkers = () => markerApi.setMarkers(fitLabels([...markers.values()]
      .map(({ time, position, shape, color, text, id }) => ({ time, position, shape, color: markerColor(color, root.dataset.theme === "dark"), text, id }))
      .sort((a, b) => a.time - b.time), xOf, chart.timeScale().width?.() || Infinity));
    // Which labels have room depends on the bars' spacing: placed again on a zoom, a scroll
    // or a resize, once a frame at most.
    let placing = false;
    const placeLabels = () => {
      if (placing || disposed) return;
      placing = true;
      app.win.requestAnimationFrame(() => {
        placing = false;
        if (!disposed) pushMarkers();
      });
    };
    chart.timeScale().subscribeVisibleLogicalRangeChange(placeLabels);
    chart.timeScale().subscribeSizeChange?.(placeLabels);
    for (const p of patterns?.patterns ?? []) addMarker(patternMarker(p));
    for (const a of alerts?.items ?? []) addMarker(alertMarker(a));
    pushMarkers();
    chart.timeScale().fitContent();

    const describe = () => {
      const n = book.size;
      setText(status, n ? `${n} bars, ${markers.size} markers; updating live` : "No bars stored yet for this symbol; waiting for live bars.");
    };
    describe();

    let live = 0;
    /** What the chart shows last, for tests and assistive reading. */
    const mark = () => {
      host.setAttribute("data-live-bars", String(live));
      if (book.size) host.setAttribute("data-last-close", String(book.list()[book.size - 1].close));
    };
    mark();
    const put = (bar) => {
      const change = book.put(bar);
      if (!change) return;
      if (change === "insert") drawAll();
      else drawLast();
      live++;
      mark();
    };
    scope.add(app.bus.on("bars", (data) => {
      for (const b of data?.bars ?? []) if (b?.symbol === symbol) put(b);
      describe();
    }));
    scope.add(app.bus.on("pattern", (d) => {
      if (d.symbol !== symbol) return;
      // Without the bars channel the detection's bar is the only price there is.
      if (d.bar_data && !app.state.market.rows.get(symbol)?.fromBars) put({ ...d.bar_data, timestamp: d.timestamp });
      addMarker(patternMarker(d));
      pushMarkers();
      describe();
    }));
    scope.add(app.bus.on("alert", (a) => {
      if (a.symbol !== symbol) return;
      addMarker(alertMarker({ ...a, ...a.data }));
      pushMarkers();
    }));

    // The tooltip: the markers of the minute under the crosshair, as text.
    chart.subscribeCrosshairMove((param) => {
      const at = param?.time;
      const here = at === undefined ? [] : [...markers.values()].filter((m) => m.time === at);
      if (!here.length || !param.point) {
        tip.hidden = true;
        return;
      }
      tip.textContent = here.map((m) => m.tooltip).join("\n");
      tip.style.left = `${Math.round(param.point.x + 12)}px`;
      tip.style.top = `${Math.round(param.point.y + 12)}px`;
      tip.hidden = false;
    });

    // Scrolling back to the oldest loaded bar loads the page of stored bars before it.
    let loading = false;
    async function loadOlder(since) {
      if (loading || (!moreHistory && since === undefined) || !oldestLoaded) return;
      loading = true;
      try {
        const until = new Date(oldestLoaded * 1000).toISOString();
        const params = since === undefined ? { until, limit: PAGE } : { since: new Date(since * 1000).toISOString(), until, limit: 5000 };
        const older = await ohlcv(params);
        if (disposed) return;
        const bars = older?.bars ?? [];
        if (since === undefined) moreHistory = bars.length >= PAGE;
        for (const b of bars) book.put(b);
        if (bars.length) {
          oldestLoaded = book.first;
          drawAll();
          pushMarkers();
          describe();
        }
      } catch (err) {
        setText(status, `Could not load older bars: ${err.message}`);
      } finally {
        loading = false;
      }
    }
    /** "5 days": the newest five days with stored bars, paging back until they are loaded
     * or the store has no more; fewer are said plainly. */
    async function showTradingDays() {
      const times = () => book.list().map((c) => c.time);
      for (let page = 0; page < MAX_PAGES_FOR_DAYS && moreHistory && !disposed; page++) {
        // One day more than shown, so day 5 is whole (counted up to 6: the default stops at 5).
        if (tradingDaysRange(times(), RANGE_DAYS + 1).found >= RANGE_DAYS + 1) break;
        await loadOlder();
      }
      if (disposed) return;
      const range = tradingDaysRange(times());
      setText(coverage, range.found < RANGE_DAYS ? `${range.found} of ${RANGE_DAYS} days stored` : "");
      chart.timeScale().setVisibleRange({ from: range.from, to: range.to });
    }
    // Only the reader's own scrolling back loads older bars. The opening fit shows every
    // loaded bar (from 0) and settles over a few frames; taking it for a scroll back paged a
    // second day in at every open.
    let readerMoved = false;
    for (const type of ["pointerdown", "wheel", "touchstart", "keydown"]) {
      wrap.addEventListener(type, () => { readerMoved = true; }, { capture: true, passive: true });
    }
    chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
      if (readerMoved && range && range.from < 10) loadOlder();
    });
    ranges.addEventListener("click", async (event) => {
      const name = /** @type {HTMLElement} */ (event.target).closest?.("[data-range]")?.getAttribute("data-range");
      if (!name || !book.size) return;
      if (name === "5d") {
        await showTradingDays();
        return;
      }
      setText(coverage, "");
      const range = rangeFor(/** @type {any} */ (name), book.last);
      if (range.from < oldestLoaded) await loadOlder(range.from);
      if (!disposed) chart.timeScale().setVisibleRange(range);
    });
  }).catch((err) => {
    if (!disposed) setText(status, `Could not load the chart: ${err.message}`);
  });
  return status;
}

/** @param {any} app @param {() => Promise<any>} loadCharts @returns {import("../router.js").Section} */
export function chartSection(app, loadCharts) {
  return (container, scope, params) => {
    const doc = container.ownerDocument;
    const symbol = String(params[0] || "").toUpperCase();
    const section = make(doc, "section", "section");
    section.append(make(doc, "h1", "", `Chart ${symbol}`));
    container.append(section);
    if (!SYMBOL.test(symbol)) {
      section.append(make(doc, "p", "muted", "Not a valid symbol.", { role: "status" }));
      return;
    }
    mountChart(app, loadCharts, section, scope, symbol);
  };
}
