/**
 * The market grid: one row per symbol, sortable by any column, filtered by text or a
 * watchlist, cells flashing on change, rows virtualised.
 *
 * Virtualised: the body scrolls a tall empty canvas (its height = rows × ROW_HEIGHT) and only
 * the rows in view, and a few around, exist as elements, each moved into place with a
 * transform (CSSOM, allowed by the CSP). So 5,000 symbols cost ~30 row elements, and a price
 * change repaints only the rows shown. The order is recomputed at most every
 * `RESORT_MS` while prices move, at once when the reader changes the sort or filter.
 */
import { formatConfidence, formatFixed, formatNumber, formatSigned } from "../format.js";
import { COLUMNS, gridView, nextSort, visibleRange } from "../grid-model.js";
import { changePercent, changeValue, percentB } from "../market.js";
import { make, setClass, setText } from "./dom.js";

export const ROW_HEIGHT = 26;
export const RESORT_MS = 250;
export const FLASH_MS = 700;
const ALL = "";

/** Each column's text and the number a flash compares. */
const CELL = {
  symbol: (r) => [r.symbol, null],
  last: (r) => [formatFixed(r.last, 2), r.last],
  change: (r) => {
    const v = changeValue(r);
    return [formatSigned(v, 2), v];
  },
  changePct: (r) => {
    const v = changePercent(r);
    return [v === null ? "—" : `${formatSigned(v, 2)}%`, v];
  },
  volume: (r) => [formatNumber(r.volume, 0), r.volume],
  rsi: (r) => [formatFixed(r.rsi, 1), r.rsi],
  macdHist: (r) => [formatFixed(r.macdHist, 3), r.macdHist],
  bbPctB: (r) => {
    const v = percentB(r);
    return [formatFixed(v, 2), v];
  },
  pattern: (r) => [r.pattern ? `${r.pattern} ${formatConfidence(r.patternConfidence)}` : "—", null],
  alerts: (r) => [String(r.alerts), r.alerts],
};

/**
 * @param {HTMLElement} root  an empty element the grid fills
 * @param {{now: () => number, openChart: (symbol: string) => void, rerender: () => void,
 *   later: (fn: () => void, ms: number) => void, watchlists: ReturnType<typeof import("../grid-model.js").createWatchlists>,
 *   download?: (text: string, name: string) => void, label?: string,
 *   onSelect?: (symbol: string) => void}} ctx  `onSelect`: a click on a row outside its links
 */
export function createGrid(root, ctx) {
  const doc = root.ownerDocument;
  root.classList.add("grid");
  const bar = make(doc, "div", "grid-toolbar");
  const filter = make(doc, "input", "", undefined, { type: "search", placeholder: "Filter symbol or pattern", "aria-label": "Filter the market grid", autocomplete: "off", spellcheck: "false", "data-grid": "filter" });
  const listSelect = make(doc, "select", "", undefined, { "aria-label": "Watchlist", "data-grid": "watchlist" });
  const newList = make(doc, "button", "", "New list", { type: "button", "data-grid": "new" });
  const renameList = make(doc, "button", "", "Rename", { type: "button", "data-grid": "rename" });
  const deleteList = make(doc, "button", "", "Delete", { type: "button", "data-grid": "delete" });
  const exportList = make(doc, "button", "", "Export", { type: "button", "data-grid": "export" });
  const count = make(doc, "span", "muted", "", { "data-grid": "count", role: "status" });
  bar.append(filter, listSelect, newList, renameList, deleteList, exportList, count);

  const table = make(doc, "div", "grid-table", undefined, { role: "grid", "aria-label": ctx.label ?? "Market grid", "aria-rowcount": "1" });
  const head = make(doc, "div", "grid-row grid-head", undefined, { role: "row", "aria-rowindex": "1" });
  /** @type {Record<string, HTMLElement>} */
  const headers = {};
  for (const column of COLUMNS) {
    const cell = make(doc, "div", `grid-cell c-${column.key}`, undefined, { role: "columnheader", "aria-sort": "none" });
    const button = make(doc, "button", "grid-sort", column.label, { type: "button", title: column.title, "data-sort": column.key });
    cell.append(button);
    headers[column.key] = cell;
    head.append(cell);
  }
  head.append(make(doc, "div", "grid-cell c-watch", "", { role: "columnheader", "aria-label": "In watchlist" }));
  const body = make(doc, "div", "grid-body");
  const canvas = make(doc, "div", "grid-canvas", undefined, { role: "rowgroup" });
  const empty = make(doc, "p", "empty grid-empty", "Waiting for prices: the grid fills as bars or detections arrive.");
  body.append(canvas);
  table.append(head, body);
  root.append(bar, table, empty);

  const view = { sort: /** @type {import("../grid-model.js").Sort} */ ({ key: "symbol", dir: "asc" }), text: "", list: ALL };
  /** @type {import("../market.js").MarketRow[]} */
  let order = [];
  let sortedAt = -Infinity;
  let viewChanged = true;
  let scrollTop = 0;
  let height = 0;
  /** @type {Array<{el: HTMLElement, cells: Record<string, HTMLElement>, watch: HTMLElement, symbol: string, index: number, values: Record<string, number|null>}>} */
  const pool = [];
  /** @type {Array<{cell: HTMLElement, until: number}>} */
  let flashing = [];
  let flashTimer = false;
  let resortTimer = false;
  /** The watchlists' version the toolbar and stars show (a star outside the grid changes it). */
  let listsAt = -1;
  /** Symbols in any watchlist (the stars shown with "All symbols"), as of `starredAt`. */
  let starred = new Set();
  let starredAt = -2;
  /** How many rows the market had at the last sort (by symbol, only new rows reorder). */
  let sortedRows = 0;

  function fillLists() {
    const lists = ctx.watchlists.lists;
    if (view.list !== ALL && !lists.some((l) => l.name === view.list)) view.list = ALL;
    const options = [make(doc, "option", "", "All symbols", { value: ALL })];
    for (const l of lists) options.push(make(doc, "option", "", `${l.name} (${l.symbols.length})`, { value: l.name }));
    listSelect.replaceChildren(...options);
    /** @type {HTMLSelectElement} */ (listSelect).value = view.list;
    for (const b of [renameList, deleteList, exportList]) /** @type {HTMLButtonElement} */ (b).disabled = view.list === ALL;
  }

  function changed() {
    viewChanged = true;
    ctx.rerender();
  }

  filter.addEventListener("input", () => {
    view.text = /** @type {HTMLInputElement} */ (filter).value;
    changed();
  });
  listSelect.addEventListener("change", () => {
    view.list = /** @type {HTMLSelectElement} */ (listSelect).value;
    fillLists();
    changed();
  });
  const ask = (question, value = "") => (doc.defaultView?.prompt ? doc.defaultView.prompt(question, value) : null);
  newList.addEventListener("click", () => {
    const name = ctx.watchlists.create(ask("Name of the new watchlist") ?? "");
    if (name) view.list = name;
    fillLists();
    changed();
  });
  renameList.addEventListener("click", () => {
    const name = ctx.watchlists.rename(view.list, ask("New name of the watchlist", view.list) ?? "");
    if (name) view.list = name;
    fillLists();
    changed();
  });
  deleteList.addEventListener("click", () => {
    ctx.watchlists.remove(view.list);
    view.list = ALL;
    fillLists();
    changed();
  });
  exportList.addEventListener("click", () => {
    ctx.download?.(ctx.watchlists.exportText(view.list), `watchlist-${view.list.replace(/[^A-Za-z0-9_-]+/g, "_")}.txt`);
  });
  head.addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest?.("[data-sort]");
    if (!button) return;
    view.sort = nextSort(view.sort, button.getAttribute("data-sort") || "symbol");
    changed();
  });
  canvas.addEventListener("click", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const rowEl = target.closest?.("[data-symbol]");
    const symbol = rowEl?.getAttribute("data-symbol");
    if (!symbol) return;
    if (target.closest("[data-grid=star]")) {
      toggleWatch(symbol);
    } else if (target.closest("[data-grid=open]")) {
      event.preventDefault();
      ctx.openChart(symbol);
    } else {
      ctx.onSelect?.(symbol);
    }
  });
  body.addEventListener("scroll", () => {
    scrollTop = body.scrollTop;
    height = body.clientHeight;
    ctx.rerender();
  }, { passive: true });

  /** Adds or removes a symbol in the chosen watchlist (a first list is made on demand). */
  function toggleWatch(symbol) {
    let name = view.list;
    if (name === ALL) name = ctx.watchlists.lists[0]?.name || ctx.watchlists.create("Watchlist");
    ctx.watchlists.toggle(name, symbol);
    fillLists();
    changed();
  }

  function rowAt(j) {
    let row = pool[j];
    if (row) return row;
    const el = make(doc, "div", "grid-row", undefined, { role: "row" });
    /** @type {Record<string, HTMLElement>} */
    const cells = {};
    for (const column of COLUMNS) {
      const cell = make(doc, "div", `grid-cell c-${column.key}${column.numeric ? " num" : ""}`, undefined, { role: "gridcell" });
      if (column.key === "symbol") {
        const link = make(doc, "button", "link", "", { type: "button", "data-grid": "open" });
        cell.append(link);
        cells.symbol = link;
      } else cells[column.key] = cell;
      el.append(cell);
    }
    const watchCell = make(doc, "div", "grid-cell c-watch", undefined, { role: "gridcell" });
    const watch = make(doc, "button", "star", "☆", { type: "button", "data-grid": "star", "aria-pressed": "false" });
    watchCell.append(watch);
    el.append(watchCell);
    canvas.append(el);
    row = { el, cells, watch, symbol: "", index: -1, values: {} };
    pool[j] = row;
    return row;
  }

  /**
   * @param {number} j @param {import("../market.js").MarketRow} data @param {number} index
   * @param {number} now @param {Set<string>} listSymbols  the symbols whose star is on
   */
  function paintRow(j, data, index, now, listSymbols) {
    const row = rowAt(j);
    const same = row.symbol === data.symbol;
    if (!same) {
      row.symbol = data.symbol;
      row.el.setAttribute("data-symbol", data.symbol);
      row.watch.setAttribute("aria-label", `Add ${data.symbol} to or remove it from the watchlist`);
    }
    if (row.el.hidden) row.el.hidden = false;
    if (row.index !== index) {  // an attribute written, even unchanged, invalidates style
      row.index = index;
      row.el.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
      row.el.setAttribute("aria-rowindex", String(index + 2));
    }
    for (const column of COLUMNS) {
      const [text, value] = CELL[column.key](data);
      const cell = row.cells[column.key];
      setText(cell, text);
      if (value === null) continue;
      const before = row.values[column.key];
      row.values[column.key] = value;
      if (same && before !== undefined && before !== null && before !== value) {
        const target = column.key === "symbol" ? cell : /** @type {HTMLElement} */ (cell);
        setClass(target, "flash-up", value > before);
        setClass(target, "flash-down", value < before);
        flashing.push({ cell: target, until: now + FLASH_MS });
      }
    }
    const inList = listSymbols.has(data.symbol);
    setText(row.watch, inList ? "★" : "☆");
    if (row.watch.getAttribute("aria-pressed") !== String(inList)) row.watch.setAttribute("aria-pressed", String(inList));
  }

  function endFlashes(now) {
    if (!flashing.length) return;
    const still = [];
    for (const f of flashing) {
      if (f.until <= now) {
        setClass(f.cell, "flash-up", false);
        setClass(f.cell, "flash-down", false);
      } else still.push(f);
    }
    flashing = still;
    if (flashing.length && !flashTimer) {
      flashTimer = true;
      ctx.later(() => {
        flashTimer = false;
        ctx.rerender();
      }, FLASH_MS);
    }
  }

  fillLists();
  return {
    root,
    get order() {
      return order.map((r) => r.symbol);
    },
    /** @param {import("../state.js").State} state */
    render(state) {
      const market = state.market;
      const now = ctx.now();
      if (listsAt !== ctx.watchlists.version) {
        listsAt = ctx.watchlists.version;
        fillLists();
        viewChanged = true;
      }
      const symbols = view.list === ALL ? null : ctx.watchlists.symbols(view.list);
      if (starredAt !== listsAt) {  // the stars of "All symbols": in any list (copied once)
        starredAt = listsAt;
        starred = new Set(ctx.watchlists.lists.flatMap((l) => l.symbols));
      }
      // By symbol and unfiltered, moving prices never change the order: only new symbols do
      // (a text filter also matches patterns, which change).
      const moved = market.changed.size > 0 && (view.sort.key !== "symbol" || view.text !== "" || market.rows.size !== sortedRows);
      if (viewChanged || (moved && now - sortedAt >= RESORT_MS) || order.length === 0) {
        order = gridView(market.rows, { sort: view.sort, text: view.text, symbols });
        sortedAt = now;
        sortedRows = market.rows.size;
        viewChanged = false;
        for (const column of COLUMNS) {
          const sorted = view.sort.key === column.key ? (view.sort.dir === "asc" ? "ascending" : "descending") : "none";
          if (headers[column.key].getAttribute("aria-sort") !== sorted) headers[column.key].setAttribute("aria-sort", sorted);
        }
        canvas.style.height = `${order.length * ROW_HEIGHT}px`;
        table.setAttribute("aria-rowcount", String(order.length + 1));
        setText(count, `${formatNumber(order.length, 0)} of ${formatNumber(market.rows.size, 0)} symbols`);
        empty.hidden = market.rows.size > 0;
      } else if (moved && !resortTimer) {
        resortTimer = true;  // prices moved since the last sort: sort again when it is due
        ctx.later(() => {
          resortTimer = false;
          viewChanged = true;
          ctx.rerender();
        }, RESORT_MS - (now - sortedAt));
      }
      market.changed.clear();
      if (!height) height = body.clientHeight || 480;
      const { first, last } = visibleRange(scrollTop, height, ROW_HEIGHT, order.length);
      let j = 0;
      for (let i = first; i < last; i++, j++) paintRow(j, order[i], i, now, symbols ?? starred);
      for (; j < pool.length; j++) {
        if (!pool[j].el.hidden) pool[j].el.hidden = true;
        pool[j].symbol = "";
      }
      endFlashes(now);
    },
  };
}
