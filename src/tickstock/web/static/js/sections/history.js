/**
 * Pattern history (`/api/streaming/patterns/{symbol}`) and the alerts browser
 * (`/api/streaming/alerts`), both paginated by the API, with filters and the CSV link.
 */
import { buildUrl } from "../api.js";
import { formatAlertType, formatConfidence } from "../format.js";
import { ALERT_TYPES, alertDetail } from "../render/alerts.js";
import { make } from "../render/dom.js";
import { bodyOf, mountPagedTable } from "./table.js";

export { heading };

/** @param {Document} doc @param {string} title */
function heading(doc, title) {
  const section = make(doc, "section", "section");
  section.append(make(doc, "h1", "", title));
  return section;
}

/** @param {any} app @returns {import("../router.js").Section} */
export function historySection(app) {
  return (container, scope, params) => {
    const doc = container.ownerDocument;
    const section = heading(doc, "Pattern history");
    const form = make(doc, "form", "toolbar", undefined, { "aria-label": "Pattern history filters" });
    const symbol = make(doc, "input", "", undefined, { type: "search", name: "symbol", required: "", placeholder: "NVDA", autocomplete: "off" });
    const type = make(doc, "input", "", undefined, { type: "search", name: "pattern_type", placeholder: "any" });
    // A percentage, as on the live page and in every confidence shown; the API takes 0–1.
    const conf = make(doc, "input", "", undefined, { type: "number", name: "min_confidence", min: "0", max: "100", step: "5", value: "0" });
    const label = (text, input, after = "") => {
      const l = make(doc, "label", "", `${text} `);
      l.append(input, after);
      return l;
    };
    form.append(label("Symbol", symbol), label("Pattern type", type), label("Min confidence", conf, "%"), make(doc, "button", "", "Search", { type: "submit" }));
    const hint = make(doc, "p", "muted", "Enter a symbol and press Search to see its detections.");
    section.append(form, hint);
    container.append(section);
    const input = /** @type {HTMLInputElement} */ (symbol);
    const PAGE = 50;
    /** @type {Array<string|undefined>} */
    const cursors = [undefined];
    input.value = params[0] || "";
    const table = mountPagedTable(section, scope, {
      app,
      caption: "Detections, newest first",
      empty: "No detection for this symbol and these filters.",
      columns: [
        { label: "Time (ET)", value: (i) => bodyOf(i).timestamp, time: true },
        { label: "Symbol", value: (i) => bodyOf(i).symbol ?? "", symbol: true },
        { label: "Pattern", value: (i) => String(bodyOf(i).pattern_type ?? "") },
        { label: "Confidence", value: (i) => formatConfidence(bodyOf(i).confidence) },
        { label: "Timeframe", value: (i) => String(bodyOf(i).timeframe ?? "") },
      ],
      // The patterns endpoint pages by time: page n+1 is everything before page n's oldest.
      fetchPage: async (page, signal) => {
        if (page === 1) cursors.length = 1;
        const body = await app.api.get(`/api/streaming/patterns/${encodeURIComponent(input.value.trim().toUpperCase())}`, {
          limit: PAGE, until: cursors[page - 1], pattern_type: /** @type {HTMLInputElement} */ (type).value.trim(),
          min_confidence: Number(/** @type {HTMLInputElement} */ (conf).value) / 100 || "",
        }, { signal });
        const items = body?.patterns ?? [];
        if (items.length) cursors[page] = items[items.length - 1].timestamp;
        return { items, page, pages: items.length === PAGE ? page + 1 : page };
      },
    });
    scope.listen(form, "submit", (event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      hint.hidden = true;
      table.load(1);
    });
    hint.hidden = Boolean(input.value);
    if (input.value) table.load(1);
  };
}

/** @param {any} app @returns {import("../router.js").Section} */
export function alertsSection(app) {
  return (container, scope) => {
    const doc = container.ownerDocument;
    const section = heading(doc, "Alerts");
    const form = make(doc, "form", "toolbar", undefined, { "aria-label": "Alert filters" });
    const symbol = /** @type {HTMLInputElement} */ (make(doc, "input", "", undefined, { type: "search", placeholder: "any symbol", autocomplete: "off" }));
    const kind = /** @type {HTMLSelectElement} */ (make(doc, "select"));
    for (const [value, text] of [["", "All kinds"], ["indicator", "Indicator alerts"], ["critical", "Critical alerts"]]) kind.append(make(doc, "option", "", text, { value }));
    const type = /** @type {HTMLSelectElement} */ (make(doc, "select"));
    type.append(make(doc, "option", "", "All types", { value: "" }));
    for (const t of ALERT_TYPES) type.append(make(doc, "option", "", formatAlertType(t), { value: t }));
    const severity = /** @type {HTMLSelectElement} */ (make(doc, "select"));
    for (const s of ["", "warning", "error", "critical"]) severity.append(make(doc, "option", "", s || "Any severity", { value: s }));
    const label = (text, input) => {
      const l = make(doc, "label", "", `${text} `);
      l.append(input);
      return l;
    };
    const csv = make(doc, "a", "", "Download CSV (server)", { href: "/api/streaming/alerts.csv" });
    form.append(label("Symbol", symbol), label("Kind", kind), label("Type", type), label("Severity", severity), make(doc, "button", "", "Apply", { type: "submit" }), csv);
    section.append(form);
    container.append(section);
    const query = () => ({
      kind: kind.value, type: type.value, symbol: symbol.value.trim().toUpperCase(), severity: severity.value,
    });
    const table = mountPagedTable(section, scope, {
      app,
      caption: "Alerts, newest first",
      empty: "No alert matches these filters.",
      columns: [
        { label: "Time (ET)", value: (i) => bodyOf(i).timestamp, time: true },
        { label: "Symbol", value: (i) => bodyOf(i).symbol ?? "", symbol: true },
        { label: "Type", value: (i) => (i.alert_type ? formatAlertType(i.alert_type) : `${i.severity ?? ""} ${i.component ?? ""}`.trim()) },
        { label: "Detail", value: (i) => (i.message ? `${i.message}${i.resolved ? " (recovered)" : ""}` : alertDetail(i)) },
      ],
      fetchPage: (page, signal) => app.api.get("/api/streaming/alerts", { page, per_page: 50, ...query() }, { signal }),
    });
    scope.listen(form, "submit", (event) => {
      event.preventDefault();
      csv.setAttribute("href", buildUrl("/api/streaming/alerts.csv", query()));
      table.load(1);
    });
    table.load(1);
  };
}
