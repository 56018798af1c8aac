/**
 * Indicator stream: the latest value per symbol + indicator, most recently updated first,
 * every line of MACD (macd/signal/histogram) and BB (upper/middle/lower) as a real number.
 */
import { matchesIndicator } from "../filters.js";
import { formatFixed, indicatorDigits, setTime } from "../format.js";
import { make, setLabel, setText } from "./dom.js";
import { KeyedList, ScrollWindow } from "./list.js";
import { createStars, makeStar } from "./watch-star.js";

/** Rows shown at most (the store keeps more; the filter finds them). */
export const MAX_INDICATOR_ROWS = 40;
/** Rows built, updated or moved per frame at most: the rows on screen (the list shows 7½
 * two-line rows of 57px without scrolling). */
export const INDICATOR_ROWS_PER_FRAME = 8;

const PAIR_SEPARATOR = " · ";

/**
 * Each line as one "name value" text: ["macd 1.234", "signal 1.100", "histogram 0.134"]
 * (MACD in thousandths, as the grid; the others in hundredths); a single value alone. Each
 * is shown unbroken: on a phone the value wraps between pairs, never inside one ("lower"
 * at a line's end, "293.05" below).
 * @param {Array<[string, number]>} lines @param {string} [indicator]
 */
export function linePairs(lines, indicator) {
  const digits = indicatorDigits(indicator);
  if (!lines.length) return ["—"];
  if (lines.length === 1 && lines[0][0] === "value") return [formatFixed(lines[0][1], digits)];
  return lines.map(([name, v]) => `${name} ${formatFixed(v, digits)}`);
}

/**
 * Fills the value cell with one nowrap span per pair, " · " between them; rebuilt only when
 * the text changed (the cell is rewritten for every value that comes).
 * @param {HTMLElement} cell @param {string[]} pairs
 */
function showPairs(cell, pairs) {
  if (cell.textContent === pairs.join(PAIR_SEPARATOR)) return;
  const doc = cell.ownerDocument;
  cell.replaceChildren(...pairs.flatMap((text, i) => {
    const pair = make(doc, "span", "pair", text);
    return i ? [doc.createTextNode(PAIR_SEPARATOR), pair] : [pair];
  }));
}

/**
 * An indicator's parameters, thresholds and timeframe, from the producer's metadata:
 * "(14) 70/30 · 1min" for RSI, "(12, 26, 9) · 1min" for MACD, "(20, 2) · 1min" for BB.
 * @param {{indicator: string, timeframe?: string, raw?: any}} item
 */
export function indicatorParams(item) {
  const m = item.raw?.calculation?.metadata;
  const num = (v) => (typeof v === "number" && Number.isFinite(v) ? String(v) : null);
  const params = m && typeof m === "object"
    ? [m.period, m.fast_period, m.slow_period, m.signal_period, m.std_dev].map(num).filter((v) => v !== null)
    : [];
  const high = num(m?.overbought_threshold), low = num(m?.oversold_threshold);
  const thresholds = high !== null && low !== null ? ` ${high}/${low}` : "";
  const timeframe = item.timeframe ? ` · ${item.timeframe}` : "";
  return `${params.length ? `(${params.join(", ")})` : ""}${thresholds}${timeframe}`.trim();
}

/**
 * @param {HTMLElement} root
 * @param {{filters: () => import("../filters.js").Filters, rerender: () => void,
 *   watchlists: import("./watch-star.js").Watchlists}} ctx  each symbol link has a watchlist star
 */
export function createIndicatorsPanel(root, ctx) {
  const doc = root.ownerDocument;
  const list = /** @type {HTMLElement} */ (root.querySelector("ol.stream"));
  const empty = /** @type {HTMLElement} */ (root.querySelector(".empty"));
  const note = /** @type {HTMLElement} */ (root.querySelector(".more"));
  const shown = new ScrollWindow(list, note, ctx.rerender);
  const stars = createStars(list, ctx.watchlists);

  const rows = new KeyedList(list, {
    key: (item) => item.key,
    create() {
      const li = make(doc, "li", "row indicator-row");
      li.append(
        make(doc, "time", "t"),
        make(doc, "button", "sym link", "", { type: "button", "data-action": "chart" }),
        makeStar(doc),
        make(doc, "span", "iname"),
        make(doc, "span", "iparams muted"),
        make(doc, "span", "ivalue"),
        make(doc, "button", "json-btn", "JSON", { type: "button", "data-action": "json" }),
      );
      return li;
    },
    update(li, item) {
      const [time, sym, star, name, params, value, json] = /** @type {HTMLElement[]} */ (/** @type {unknown} */ (li.children));
      setTime(time, item.timestamp);
      setText(sym, item.symbol);
      setLabel(sym, `Open chart of ${item.symbol}`);
      stars.paint(star, item.symbol);
      setLabel(json, `Raw JSON of ${item.symbol} ${item.indicator}`);
      setText(name, item.indicator);
      setText(params, indicatorParams(item));
      showPairs(value, linePairs(item.lines, item.indicator));
    },
  });

  return {
    rows,
    /** @param {import("../state.js").State} state */
    render(state) {
      const f = ctx.filters();
      const all = [...state.indicators.map.values()];
      const items = [];
      for (let i = all.length - 1; i >= 0 && items.length < MAX_INDICATOR_ROWS; i--) {
        if (matchesIndicator(all[i], f)) items.push(all[i]);
      }
      const complete = rows.render(shown.take(items), INDICATOR_ROWS_PER_FRAME);
      stars.refresh((node) => rows.itemAt(node));
      empty.hidden = items.length > 0;
      if (!items.length) {
        setText(empty, all.length ? "No indicator matches the symbol filter."
          : "No indicator values yet: they arrive once a minute per active symbol.");
      }
      if (!complete) return false;
    },
  };
}
