/**
 * Pattern stream: newest first, at most max_pattern_events rows; symbol (opens the chart),
 * type, confidence bar, high-confidence badge, bar data on expand, raw JSON on request.
 */
import { HISTORY_LIMIT, mergeMatches } from "../filter-history.js";
import { matchesPattern, take } from "../filters.js";
import { formatConfidence, formatFixed, formatNumber, setTime } from "../format.js";
import { make, setClass, setText } from "./dom.js";
import { createStreamList } from "./list.js";
import { makeStar } from "./watch-star.js";

const BAR_FIELDS = [["open", "Open"], ["high", "High"], ["low", "Low"], ["close", "Close"], ["volume", "Volume"]];

/**
 * Rows built, updated or moved per frame at most (see KeyedList.render): the 420px list
 * shows 14½ rows of 29px, so what is on screen is always current, and no row more (each
 * costs style, layout and paint in a frame that already carries ~33 events at 2,000/s).
 */
export const PATTERN_ROWS_PER_FRAME = 15;

/**
 * @param {HTMLElement} root  the panel (contains `ol.stream` and `p.empty`)
 * @param {{filters: () => import("../filters.js").Filters, autoScroll: () => boolean,
 *   rerender: () => void, history?: () => any,
 *   watchlists: import("./watch-star.js").Watchlists}} ctx  each symbol link has a watchlist star
 */
export function createPatternsPanel(root, ctx) {
  const doc = root.ownerDocument;

  /** @type {WeakMap<HTMLElement, Record<string, any>>} a row's parts, found once */
  const parts = new WeakMap();
  const stream = createStreamList(root, ctx, {
    key: (item) => item.key,
    version: (item) => item.high_confidence,
    create() {
      const li = make(doc, "li", "row pattern-row");
      const details = make(doc, "details");
      const summary = make(doc, "summary");
      const bar = make(doc, "span", "conf-bar", undefined, { "aria-hidden": "true" });
      bar.append(make(doc, "span", "conf-fill"));
      summary.append(
        make(doc, "time", "t"),
        make(doc, "button", "sym link", "", { type: "button", "data-action": "chart" }),
        makeStar(doc),
        make(doc, "span", "ptype"),
        make(doc, "span", "tf muted"),
        bar,
        make(doc, "span", "conf-text"),
        make(doc, "span", "badge badge-high", "High confidence"),
        make(doc, "button", "json-btn", "JSON", { type: "button", "data-action": "json" }),
      );
      const dl = make(doc, "dl", "bar-data");
      for (const [, label] of BAR_FIELDS) dl.append(make(doc, "dt", "", label), make(doc, "dd"));
      details.append(summary, dl);
      li.append(details);
      const [time, sym, star, type, tf, , conf, badge, json] = /** @type {HTMLElement[]} */ ([...summary.childNodes]);
      parts.set(li, { details, time, sym, star, type, tf, fill: bar.firstChild, conf, badge, json, dds: [...dl.querySelectorAll("dd")], symbol: null, label: null });
      return li;
    },
    update(li, item, fresh) {
      const p = /** @type {Record<string, any>} */ (parts.get(li));
      if (fresh) p.details.open = false;
      setTime(p.time, item.timestamp);
      setText(p.sym, item.symbol);
      stream.stars.paint(p.star, item.symbol);
      if (p.symbol !== item.symbol) {
        p.symbol = item.symbol;
        p.sym.setAttribute("aria-label", `Open chart of ${item.symbol}`);
      }
      const label = `Raw JSON of ${item.symbol} ${item.pattern_type}`;
      if (p.label !== label) {
        p.label = label;
        p.json.setAttribute("aria-label", label);
      }
      setText(p.type, item.pattern_type);
      setText(p.tf, String(item.timeframe ?? ""));
      const pct = formatConfidence(item.confidence);
      setText(p.conf, pct);
      const width = pct === "—" ? "0%" : pct;
      if (p.fill.style.width !== width) p.fill.style.width = width;
      if (p.badge.hidden === item.high_confidence) p.badge.hidden = !item.high_confidence;
      setClass(li, "is-high", item.high_confidence);
      for (let i = 0; i < BAR_FIELDS.length; i++) {
        const name = BAR_FIELDS[i][0];
        const v = item.bar_data?.[name];
        setText(p.dds[i], name === "volume" ? formatNumber(v, 0) : formatFixed(v, 2));
      }
    },
  }, PATTERN_ROWS_PER_FRAME);

  return {
    rows: stream.rows,
    /** @param {import("../state.js").State} state */
    render(state) {
      return stream.render(state, () => {
        const f = ctx.filters();
        const live = take(state.patterns.toArray(), (p) => matchesPattern(p, f), state.settings.max_pattern_events);
        const history = ctx.history?.();
        if (!history) return live;
        // the session's stored matches, then the live ones (see filter-history.js)
        return mergeMatches(live, history.patterns.filter((p) => matchesPattern(p, f)), HISTORY_LIMIT);
      }, () => emptyReason(state, state.patterns.size > 0));
    },
  };
}

/** @param {import("../state.js").State} state @param {boolean} filtered */
function emptyReason(state, filtered) {
  if (filtered) return "No pattern matches the current filters.";
  if (!state.session) return "No patterns yet: no streaming session has started.";
  if (state.session.status === "stopped") return "No patterns were detected before the session stopped.";
  return "No patterns detected yet in this session.";
}
