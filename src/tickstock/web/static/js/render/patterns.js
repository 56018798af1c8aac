/**
 * Pattern stream: newest first, at most max_pattern_events rows; symbol (opens the chart),
 * type, confidence bar, high-confidence badge, bar data on expand, raw JSON on request.
 */
import { matchesPattern, take } from "../filters.js";
import { formatConfidence, formatFixed, formatNumber, setTime } from "../format.js";
import { KeyedList, make, setClass, setText } from "./dom.js";

const BAR_FIELDS = [["open", "Open"], ["high", "High"], ["low", "Low"], ["close", "Close"], ["volume", "Volume"]];

/**
 * @param {HTMLElement} root  the panel (contains `ol.stream` and `p.empty`)
 * @param {{filters: () => import("../filters.js").Filters, autoScroll: () => boolean}} ctx
 */
export function createPatternsPanel(root, ctx) {
  const doc = root.ownerDocument;
  const list = /** @type {HTMLElement} */ (root.querySelector("ol.stream"));
  const empty = /** @type {HTMLElement} */ (root.querySelector(".empty"));
  let lastTopKey = "";
  // Whether the reader scrolled the list away from the top, read in the scroll event (where
  // layout is already done): reading scrollTop in a render would force a layout per frame.
  let scrolledAway = false;
  list.addEventListener("scroll", () => {
    scrolledAway = list.scrollTop > 0;
  }, { passive: true });

  const rows = new KeyedList(list, {
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
        make(doc, "span", "ptype"),
        bar,
        make(doc, "span", "conf-text"),
        make(doc, "span", "badge badge-high", "High confidence"),
        make(doc, "button", "json-btn", "JSON", { type: "button", "data-action": "json" }),
      );
      const dl = make(doc, "dl", "bar-data");
      for (const [, label] of BAR_FIELDS) dl.append(make(doc, "dt", "", label), make(doc, "dd"));
      details.append(summary, dl);
      li.append(details);
      return li;
    },
    update(li, item, fresh) {
      const details = /** @type {HTMLDetailsElement} */ (li.firstChild);
      if (fresh) details.open = false;
      const summary = details.firstChild;
      const [time, sym, type, bar, conf, badge, json] = /** @type {HTMLElement[]} */ ([...summary.childNodes]);
      setTime(time, item.timestamp);
      setText(sym, item.symbol);
      sym.setAttribute("aria-label", `Open chart of ${item.symbol}`);
      json.setAttribute("aria-label", `Raw JSON of ${item.symbol} ${item.pattern_type}`);
      setText(type, item.pattern_type);
      const pct = formatConfidence(item.confidence);
      setText(conf, pct);
      /** @type {HTMLElement} */ (bar.firstChild).style.width = pct === "—" ? "0%" : pct;
      badge.hidden = !item.high_confidence;
      setClass(li, "is-high", item.high_confidence);
      const dds = details.lastChild.querySelectorAll("dd");
      BAR_FIELDS.forEach(([name], i) => {
        const v = item.bar_data?.[name];
        setText(dds[i], name === "volume" ? formatNumber(v, 0) : formatFixed(v, 2));
      });
    },
  });

  return {
    rows,
    /** @param {import("../store.js").State} state */
    render(state) {
      if (state.paused) return;
      const f = ctx.filters();
      const items = take(state.patterns.toArray(), (p) => matchesPattern(p, f), state.settings.max_pattern_events);
      rows.render(items);
      empty.hidden = items.length > 0;
      if (!items.length) setText(empty, emptyReason(state, state.patterns.size > 0));
      const top = items[0]?.key ?? "";
      if (top !== lastTopKey && scrolledAway && ctx.autoScroll()) {
        list.scrollTop = 0;
        scrolledAway = false;
      }
      lastTopKey = top;
    },
  };
}

/** @param {import("../store.js").State} state @param {boolean} filtered */
function emptyReason(state, filtered) {
  if (filtered) return "No pattern matches the current filters.";
  if (!state.session) return "No patterns yet: no streaming session has started.";
  if (state.session.status === "stopped") return "No patterns were detected before the session stopped.";
  return "No patterns detected yet in this session.";
}
