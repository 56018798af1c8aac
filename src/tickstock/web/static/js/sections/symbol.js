/**
 * The symbol page (`#/symbol/NVDA`): everything about one symbol — its grid row (price,
 * change, volume, indicators, latest pattern, today's alerts, kept live), its chart, and
 * today's patterns and alerts (stored, then live). Today is the stream's New York day.
 */
import { dayOf, changePercent, changeValue, percentB } from "../market.js";
import { formatAlertType, formatConfidence, formatFixed, formatNumber, formatSigned, formatStamp } from "../format.js";
import { alertDetail } from "../render/alerts.js";
import { make, setText } from "../render/dom.js";
import { mountChart } from "./chart.js";

const SYMBOL = /^[A-Z][A-Z0-9.-]{0,9}$/;
const MAX_ROWS = 200;

/** The grid row's fields as [label, text] pairs. @param {import("../market.js").MarketRow|undefined} row */
export function symbolFacts(row) {
  if (!row) return [["Last", "—"]];
  const pct = changePercent(row);
  const change = changeValue(row);
  const b = percentB(row);
  return [
    ["Last", formatFixed(row.last, 2)],
    ["Change", change === null ? "—" : `${formatSigned(change, 2)} (${formatSigned(pct, 2)}%)`],
    ["Volume", formatNumber(row.volume, 0)],
    ["RSI", formatFixed(row.rsi, 1)],
    ["MACD histogram", formatFixed(row.macdHist, 3)],
    ["BB %B", formatFixed(b, 2)],
    ["Latest pattern", row.pattern ? `${row.pattern} ${formatConfidence(row.patternConfidence)}` : "—"],
    ["Alerts today", String(row.alerts)],
  ];
}

/**
 * A row of "Alerts today": "MACD bullish cross · MACD 0.012 (threshold 0.011)", with the
 * indicator's decimals as the Live alerts show it; a live alert (its fields under `data`)
 * and a stored one (flat) alike.
 * @param {Record<string, any>} a
 */
export function symbolAlertText(a) {
  const data = { ...a, ...a.data };
  if (!Number.isFinite(data.value)) return formatAlertType(a.alert_type);
  return `${formatAlertType(a.alert_type)} · ${alertDetail(data)}`;
}

/** @param {any} app @param {() => Promise<any>} loadCharts @returns {import("../router.js").Section} */
export function symbolSection(app, loadCharts) {
  return (container, scope, params) => {
    const doc = container.ownerDocument;
    const symbol = String(params[0] || "").toUpperCase();
    const section = make(doc, "section", "section symbol-page");
    const title = make(doc, "h1", "", symbol);
    section.append(title);
    container.append(section);
    if (!SYMBOL.test(symbol)) {
      section.append(make(doc, "p", "muted", "Not a valid symbol.", { role: "status" }));
      return;
    }
    // Add to (or remove from) the first watchlist, made on demand, as the grid's star does.
    const watch = make(doc, "button", "star", "", { type: "button", "data-grid": "star", "aria-pressed": "false" });
    const showWatch = () => {
      const list = app.watchlists.lists[0]?.name;
      const inList = Boolean(list) && app.watchlists.has(list, symbol);
      setText(watch, inList ? `★ In ${list}` : "☆ Add to watchlist");
      watch.setAttribute("aria-pressed", String(inList));
    };
    watch.addEventListener("click", () => {
      const list = app.watchlists.lists[0]?.name || app.watchlists.create("Watchlist");
      app.watchlists.toggle(list, symbol);
      showWatch();
    });
    showWatch();
    title.append(" ", watch);
    const facts = make(doc, "dl", "facts symbol-facts", undefined, { "aria-label": `${symbol} now` });
    const chartBox = make(doc, "div", "symbol-chart");
    const lists = make(doc, "div", "symbol-lists");
    const patternsBox = make(doc, "article", "panel");
    const patternsList = make(doc, "ol", "stream symbol-patterns", undefined, { "aria-label": `${symbol} patterns today` });
    patternsBox.append(make(doc, "h2", "", "Patterns today"), patternsList);
    const alertsBox = make(doc, "article", "panel");
    const alertsList = make(doc, "ol", "stream symbol-alerts", undefined, { "aria-label": `${symbol} alerts today` });
    alertsBox.append(make(doc, "h2", "", "Alerts today"), alertsList);
    lists.append(patternsBox, alertsBox);
    section.append(facts, chartBox, lists);

    const renderFacts = () => {
      const pairs = symbolFacts(app.state.market.rows.get(symbol));
      if (facts.children.length !== pairs.length * 2) {
        facts.replaceChildren(...pairs.flatMap(([label]) => [make(doc, "dt", "", label), make(doc, "dd")]));
      }
      pairs.forEach(([, text], i) => setText(facts.children[2 * i + 1], text));
    };
    renderFacts();
    scope.add(app.addView({
      render(state) {
        if (state.dirty.has("market")) renderFacts();
      },
    }));
    mountChart(app, loadCharts, chartBox, scope, symbol);

    // Today's patterns and alerts: stored ones first, then live ones as they come.
    const today = () => dayOf(new Date(Number.isFinite(app.state.streamTime) ? app.state.streamTime : app.now()).toISOString());
    const seen = new Set();
    const prepend = (list, key, text, timestamp) => {
      if (seen.has(key) || dayOf(timestamp) !== today()) return;
      seen.add(key);
      const li = make(doc, "li", "row");
      li.append(make(doc, "time", "t", formatStamp(timestamp), { datetime: String(timestamp) }), make(doc, "span", "", text));
      // newest first: insert before the first row that is older
      const older = [...list.children].find((el) => (el.querySelector("time")?.getAttribute("datetime") ?? "") < timestamp);
      list.insertBefore(li, older ?? null);
      while (list.children.length > MAX_ROWS) list.lastElementChild?.remove();
    };
    const addPattern = (d) => prepend(patternsList, `${d.pattern_type}|${d.timeframe}|${d.timestamp}`,
      `${d.pattern_type} ${formatConfidence(d.confidence)} · ${d.timeframe}`, d.timestamp);
    const addAlert = (a) => prepend(alertsList, `${a.alert_type}|${a.timestamp}`, symbolAlertText(a), a.timestamp);
    const enc = encodeURIComponent(symbol);
    app.api.get(`/api/streaming/patterns/${enc}`, { limit: MAX_ROWS }).then((body) => {
      if (!scope.disposed) for (const p of body?.patterns ?? []) addPattern(p.detection ?? p);
    }).catch(() => {});
    app.api.get("/api/streaming/alerts", { symbol, kind: "indicator", per_page: 100 }).then((body) => {
      if (!scope.disposed) for (const a of body?.items ?? []) addAlert(a);
    }).catch(() => {});
    for (const p of app.state.patterns.toArray()) if (p.symbol === symbol) addPattern(p);
    for (const a of app.state.alerts.toArray()) if (a.symbol === symbol) addAlert(a);
    scope.add(app.bus.on("pattern", (d) => {
      if (d.symbol === symbol) addPattern(d);
    }));
    scope.add(app.bus.on("alert", (a) => {
      if (a.symbol === symbol) addAlert(a);
    }));
  };
}
