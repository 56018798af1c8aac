/**
 * Indicator alerts: newest first, at most max_alert_events rows, a colour, arrow and
 * priority per alert type (so the type reads without colour too).
 */
import { HISTORY_LIMIT, mergeMatches } from "../filter-history.js";
import { matchesAlert, take } from "../filters.js";
import { formatAlertType, formatApart, indicatorDigits, setTime } from "../format.js";
import { make, setLabel, setText } from "./dom.js";
import { createStreamList } from "./list.js";
import { makeStar } from "./watch-star.js";

/** alert_type → direction and priority. */
export const ALERT_STYLE = Object.freeze({
  RSI_OVERBOUGHT: { direction: "bearish", priority: "medium", mark: "▼" },
  RSI_OVERSOLD: { direction: "bullish", priority: "medium", mark: "▲" },
  MACD_BULLISH_CROSS: { direction: "bullish", priority: "high", mark: "▲" },
  MACD_BEARISH_CROSS: { direction: "bearish", priority: "high", mark: "▼" },
  BB_UPPER_BREAK: { direction: "bearish", priority: "high", mark: "▼" },
  BB_LOWER_BREAK: { direction: "bullish", priority: "high", mark: "▲" },
});
export const ALERT_TYPES = Object.freeze(Object.keys(ALERT_STYLE));
const OTHER = { direction: "neutral", priority: "low", mark: "•" };
/** Rows built, updated or moved per frame at most: the rows on screen (the list shows ~9
 * two-line rows without scrolling). */
export const ALERT_ROWS_PER_FRAME = 10;

/**
 * "RSI 75.20 (threshold 70.00)", "MACD 0.012 (threshold 0.011)": the indicator's decimals,
 * more while value and threshold would read alike.
 * @param {Record<string, any>} data
 */
export function alertDetail(data) {
  const hasThreshold = typeof data?.threshold === "number";
  const [value, threshold] = formatApart(data?.value, hasThreshold ? data.threshold : null, indicatorDigits(data?.indicator || data?.alert_type));
  const parts = [String(data?.indicator ?? ""), value];
  if (hasThreshold) parts.push(`(threshold ${threshold})`);
  return parts.filter(Boolean).join(" ");
}

/**
 * @param {HTMLElement} root
 * @param {{filters: () => import("../filters.js").Filters, autoScroll: () => boolean,
 *   rerender: () => void, history?: () => any,
 *   watchlists: import("./watch-star.js").Watchlists}} ctx  each symbol link has a watchlist star
 */
export function createAlertsPanel(root, ctx) {
  const doc = root.ownerDocument;

  const stream = createStreamList(root, ctx, {
    key: (item) => item.key,
    create() {
      const li = make(doc, "li", "row alert-row");
      li.append(
        make(doc, "span", "mark", "", { "aria-hidden": "true" }),
        make(doc, "time", "t"),
        make(doc, "button", "sym link", "", { type: "button", "data-action": "chart" }),
        makeStar(doc),
        make(doc, "span", "atype"),
        make(doc, "span", "adetail"),
        make(doc, "span", "prio"),
        make(doc, "button", "json-btn", "JSON", { type: "button", "data-action": "json" }),
      );
      return li;
    },
    update(li, item) {
      const style = ALERT_STYLE[item.alert_type] ?? OTHER;
      const className = `row alert-row alert--${item.alert_type.toLowerCase().replaceAll("_", "-")} dir-${style.direction} prio-${style.priority}`;
      if (li.className !== className) li.className = className;
      const [mark, time, sym, star, type, detail, prio, json] = /** @type {HTMLElement[]} */ (/** @type {unknown} */ (li.children));
      setText(mark, style.mark);
      setTime(time, item.timestamp);
      setText(sym, item.symbol);
      setLabel(sym, `Open chart of ${item.symbol}`);
      stream.stars.paint(star, item.symbol);
      setLabel(json, `Raw JSON of ${item.symbol} ${item.alert_type}`);
      setText(type, formatAlertType(item.alert_type));
      setText(detail, alertDetail(item.data));
      setText(prio, `${style.priority} priority`);
    },
  }, ALERT_ROWS_PER_FRAME);

  return {
    rows: stream.rows,
    /** @param {import("../state.js").State} state */
    render(state) {
      return stream.render(state, () => {
        const f = ctx.filters();
        const live = take(state.alerts.toArray(), (a) => matchesAlert(a, f), state.settings.max_alert_events);
        const history = ctx.history?.();
        return history ? mergeMatches(live, history.alerts.filter((a) => matchesAlert(a, f)), HISTORY_LIMIT) : live;
      }, () => state.alerts.size > 0
        ? "No alert matches the current filters."
        : state.session ? "No indicator alerts yet: no threshold has been crossed in this session."
          : "No indicator alerts yet: no streaming session has started.");
    },
  };
}
