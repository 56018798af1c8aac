/**
 * Paginated tables of API results (history, alerts, sessions): rows built with
 * createElement/textContent, a loading state, an empty state that says why, and the
 * server's error message when the call fails.
 */
import { itemsOf, withLoading } from "../api.js";
import { make, setText } from "../render/dom.js";
import { formatCount, formatNyDateTime, formatLocalTitle } from "../format.js";

/**
 * @typedef {{label: string, value: (item: any) => string, time?: boolean, symbol?: boolean}} Column
 */

/**
 * @param {HTMLElement} container
 * @param {import("../scope.js").Scope} scope
 * @param {{app: any, columns: Column[], caption: string, empty: string,
 *   fetchPage: (page: number, signal: AbortSignal) => Promise<any>}} spec
 */
export function mountPagedTable(container, scope, spec) {
  const doc = container.ownerDocument;
  const wrap = make(doc, "div", "paged");
  const status = make(doc, "p", "muted", "", { role: "status" });
  const table = make(doc, "table", "data-table");
  table.append(make(doc, "caption", "", spec.caption));
  const headRow = make(doc, "tr");
  for (const c of spec.columns) headRow.append(make(doc, "th", "", c.label, { scope: "col" }));
  headRow.append(make(doc, "th", "", "Raw", { scope: "col" }));
  const thead = make(doc, "thead");
  thead.append(headRow);
  const tbody = make(doc, "tbody");
  table.append(thead, tbody);
  const nav = make(doc, "div", "pager");
  const prev = make(doc, "button", "", "Previous", { type: "button" });
  const info = make(doc, "span", "muted");
  const next = make(doc, "button", "", "Next", { type: "button" });
  nav.append(prev, info, next);
  // A table wider than a phone scrolls inside this box; the page itself never scrolls sideways.
  const scroller = make(doc, "div", "table-scroll");
  scroller.append(table);
  wrap.append(status, scroller, nav);
  container.append(wrap);

  let page = 1;
  let pages = 1;
  /** @type {any[]} */
  let items = [];
  let controller = new AbortController();
  scope.add(() => controller.abort());

  async function load(p) {
    controller.abort();
    controller = new AbortController();
    setText(status, "Loading…");
    try {
      const body = await withLoading(wrap, spec.fetchPage(p, controller.signal));
      items = itemsOf(body);
      page = body?.page ?? p;
      pages = Math.max(1, body?.pages ?? 1);
      renderRows();
      setText(status, items.length ? formatCount(body?.total ?? items.length, "result") : spec.empty);
    } catch (err) {
      if (err?.name === "AbortError") return;
      items = [];
      renderRows();
      setText(status, `Could not load: ${err.message}`);
    }
    setText(info, `Page ${page} of ${pages}`);
    /** @type {HTMLButtonElement} */ (prev).disabled = page <= 1;
    /** @type {HTMLButtonElement} */ (next).disabled = page >= pages;
  }

  function renderRows() {
    tbody.replaceChildren(...items.map((item, i) => {
      const tr = make(doc, "tr");
      for (const c of spec.columns) {
        const td = make(doc, "td");
        const text = c.value(item);
        if (c.symbol && text) td.append(make(doc, "button", "sym link", text, { type: "button", "data-action": "chart", "data-index": String(i) }));
        else if (c.time) td.append(make(doc, "time", "", formatNyDateTime(text), { title: formatLocalTitle(text) }));
        else td.textContent = text;
        tr.append(td);
      }
      const raw = make(doc, "td");
      raw.append(make(doc, "button", "json-btn", "JSON", { type: "button", "data-action": "json", "data-index": String(i) }));
      tr.append(raw);
      return tr;
    }));
  }

  scope.listen(tbody, "click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest?.("[data-action]");
    if (!button) return;
    const item = items[Number(button.getAttribute("data-index"))];
    const action = button.getAttribute("data-action");
    if (action === "chart") spec.app.openChart(button.textContent);
    else if (action === "json") spec.app.showJson(item);
  });
  scope.listen(prev, "click", () => load(page - 1));
  scope.listen(next, "click", () => load(page + 1));

  return { load, get items() { return items; } };
}

/** The detection / alert body of an API item, whatever its wrapping. */
export function bodyOf(item) {
  return item?.detection ?? item?.alert ?? item?.calculation ?? item ?? {};
}
