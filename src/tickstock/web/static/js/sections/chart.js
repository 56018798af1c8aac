/**
 * Symbol chart (`#/chart/SYMBOL`): 1-minute candles from `/api/streaming/ohlcv/SYMBOL`,
 * kept live from pattern events' bar_data, with pattern and alert markers.
 */
import { withLoading } from "../api.js";
import { formatAlertType, formatNyShort } from "../format.js";
import { make, setText } from "../render/dom.js";

const SYMBOL = /^[A-Z][A-Z0-9.-]{0,9}$/;
const MAX_MARKERS = 500;

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
    },
    grid: { vertLines: { color: line }, horzLines: { color: line } },
    rightPriceScale: { borderColor: dark ? "#30363d" : "#d0d7de" },
  };
}

/** ISO → lightweight-charts UTCTimestamp (seconds), floored to the minute. */
export function barTime(iso) {
  return Math.floor(Date.parse(iso) / 60000) * 60;
}

/** A chart time (UTC seconds) as the exchange's clock reads it: "09:30". @param {number} time */
export function chartTimeLabel(time) {
  return formatNyShort(time * 1000);
}

/** @param {any} app @param {() => Promise<any>} loadCharts @returns {import("../router.js").Section} */
export function chartSection(app, loadCharts) {
  return (container, scope, params) => {
    const doc = container.ownerDocument;
    const symbol = String(params[0] || "").toUpperCase();
    const section = make(doc, "section", "section");
    section.append(make(doc, "h1", "", `Chart ${symbol}`));
    const status = make(doc, "p", "muted", "", { role: "status" });
    const host = make(doc, "div", "chart-host", undefined, { role: "img", "aria-label": `1-minute candles of ${symbol}` });
    const credit = make(doc, "p", "chart-credit muted");
    credit.append(
      doc.createTextNode("Chart by "),
      make(doc, "a", "", "TradingView Lightweight Charts™", { href: "https://www.tradingview.com/", rel: "noopener noreferrer", target: "_blank" }),
    );
    section.append(status, host, credit);
    container.append(section);
    if (!SYMBOL.test(symbol)) {
      setText(status, "Not a valid symbol.");
      return;
    }
    let disposed = false;
    scope.add(() => {
      disposed = true;
    });

    setText(status, "Loading chart…");
    withLoading(section, Promise.all([
      loadCharts(),
      // 404: no bar stored yet for this symbol — still a chart, filled by live patterns.
      app.api.get(`/api/streaming/ohlcv/${encodeURIComponent(symbol)}`).catch((e) => (e?.status === 404 ? { bars: [] } : Promise.reject(e))),
      app.api.get(`/api/streaming/patterns/${encodeURIComponent(symbol)}`, { limit: 200 }).catch(() => ({ patterns: [] })),
      app.api.get("/api/streaming/alerts", { symbol, kind: "indicator", per_page: 100 }).catch(() => ({ items: [] })),
    ])).then(([charts, ohlcv, patterns, alerts]) => {
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
      // The canvas does not read CSS variables: follow a theme switch made while it is open.
      const themeWatch = new (doc.defaultView ?? globalThis).MutationObserver(() => chart.applyOptions(theme()));
      themeWatch.observe(root, { attributes: true, attributeFilter: ["data-theme"] });
      scope.add(() => themeWatch.disconnect());
      const series = chart.addSeries(charts.CandlestickSeries, {});
      const bars = new Map();
      for (const b of ohlcv?.bars ?? []) bars.set(barTime(b.timestamp), { time: barTime(b.timestamp), open: b.open, high: b.high, low: b.low, close: b.close });
      series.setData([...bars.values()].sort((a, b) => a.time - b.time));
      chart.timeScale().fitContent();
      const markers = [];
      const markerApi = charts.createSeriesMarkers(series, []);
      const addMarker = (m) => {
        markers.push(m);
        if (markers.length > MAX_MARKERS) markers.shift();
      };
      const pushMarkers = () => markerApi.setMarkers([...markers].sort((a, b) => a.time - b.time));
      for (const p of patterns?.patterns ?? []) addMarker(patternMarker(p));
      for (const a of alerts?.items ?? []) addMarker(alertMarker(a));
      pushMarkers();
      setText(status, bars.size ? `${bars.size} bars, ${markers.length} markers; updating live` : "No bars stored yet for this symbol; waiting for live patterns.");

      scope.add(app.bus.on("pattern", (d) => {
        if (d.symbol !== symbol) return;
        const time = barTime(d.timestamp);
        const last = [...bars.keys()].pop() ?? 0;
        if (d.bar_data && time >= last) {
          const bar = { time, open: d.bar_data.open, high: d.bar_data.high, low: d.bar_data.low, close: d.bar_data.close };
          bars.set(time, bar);
          series.update(bar);
        }
        addMarker(patternMarker(d));
        pushMarkers();
      }));
      scope.add(app.bus.on("alert", (a) => {
        if (a.symbol !== symbol) return;
        addMarker(alertMarker({ ...a, ...a.data }));
        pushMarkers();
      }));
    }).catch((err) => {
      if (!disposed) setText(status, `Could not load the chart: ${err.message}`);
    });
  };
}

/** High-confidence detections are labelled; the others are dots, so labels stay readable. */
export function patternMarker(p) {
  const high = p.confidence >= 0.8;
  return { time: barTime(p.timestamp), position: "aboveBar", shape: "circle", color: high ? "#8250df" : "#0969da", text: high ? String(p.pattern_type) : "" };
}

function alertMarker(a) {
  const bullish = /BULLISH|OVERSOLD|LOWER/.test(a.alert_type ?? "");
  return { time: barTime(a.timestamp), position: bullish ? "belowBar" : "aboveBar", shape: bullish ? "arrowUp" : "arrowDown", color: bullish ? "#1a7f37" : "#cf222e", text: formatAlertType(a.alert_type) };
}
