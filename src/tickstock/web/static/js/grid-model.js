/**
 * The market grid's model: columns, sort, text filter, watchlists. Pure (storage injected),
 * so sort and filter are unit-tested without a DOM.
 *
 * Sorting 5,000 rows costs a few milliseconds, so the view is recomputed at most a few
 * times a second while prices move ("a sort holds": rows keep their sorted order as values
 * change), and at once when the reader changes the sort, filter or watchlist.
 */
import { changePercent, changeValue, percentB } from "./market.js";

/** @typedef {import("./market.js").MarketRow} MarketRow */

/**
 * @typedef {{key: string, label: string, title: string, numeric: boolean,
 *   value: (row: MarketRow) => number|string|null}} Column
 */

/** @type {readonly Column[]} */
export const COLUMNS = Object.freeze([
  { key: "symbol", label: "Symbol", title: "Symbol", numeric: false, value: (r) => r.symbol },
  { key: "last", label: "Last", title: "Last price", numeric: true, value: (r) => r.last },
  { key: "change", label: "Chg", title: "Change since the previous close (or the day's open when unknown)", numeric: true, value: changeValue },
  { key: "changePct", label: "Chg %", title: "Change % since the previous close (or the day's open when unknown)", numeric: true, value: changePercent },
  { key: "volume", label: "Volume", title: "Today's volume", numeric: true, value: (r) => r.volume },
  { key: "rsi", label: "RSI", title: "RSI (14)", numeric: true, value: (r) => r.rsi },
  { key: "macdHist", label: "MACD h", title: "MACD histogram", numeric: true, value: (r) => r.macdHist },
  { key: "bbPctB", label: "BB %B", title: "Bollinger %B of the last price (0 = lower band, 1 = upper)", numeric: true, value: (r) => percentB(r) },
  { key: "pattern", label: "Pattern", title: "Latest pattern (confidence)", numeric: false, value: (r) => r.pattern || null },
  { key: "alerts", label: "Alerts", title: "Today's indicator alerts", numeric: true, value: (r) => r.alerts },
]);

export const COLUMN_BY_KEY = Object.freeze(Object.fromEntries(COLUMNS.map((c) => [c.key, c])));

/** @typedef {{key: string, dir: "asc"|"desc"}} Sort */

/** Clicking a column: sort by it (numbers biggest first), again to reverse. @param {Sort} sort @param {string} key @returns {Sort} */
export function nextSort(sort, key) {
  if (sort.key === key) return { key, dir: sort.dir === "asc" ? "desc" : "asc" };
  return { key, dir: COLUMN_BY_KEY[key]?.numeric ? "desc" : "asc" };
}

/**
 * Rows ordered by `sort`: empty values always last, ties by symbol (a stable, total order).
 * @param {MarketRow[]} rows @param {Sort} sort @returns {MarketRow[]}
 */
export function sortRows(rows, sort) {
  const column = COLUMN_BY_KEY[sort.key] ?? COLUMNS[0];
  const sign = sort.dir === "desc" ? -1 : 1;
  // Values read once per row; rows without a value go last, unsorted among themselves by value.
  const valued = [];
  const missing = [];
  for (const row of rows) {
    const v = column.value(row);
    if (v === null || v === "" || (typeof v === "number" && !Number.isFinite(v))) missing.push(row);
    else valued.push({ row, v });
  }
  valued.sort((a, b) => (a.v === b.v ? bySymbol(a.row, b.row) : (a.v < b.v ? -sign : sign)));
  missing.sort(bySymbol);
  const out = valued.map((k) => k.row);
  for (const row of missing) out.push(row);
  return out;
}

/** @param {MarketRow} a @param {MarketRow} b */
function bySymbol(a, b) {
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

/**
 * Rows matching a text (symbol or pattern, case-insensitive) and in `symbols` when given.
 * @param {Iterable<MarketRow>} rows @param {string} text @param {Set<string>|null} symbols
 */
export function filterRows(rows, text, symbols) {
  const query = String(text ?? "").trim().toUpperCase();
  const out = [];
  for (const row of rows) {
    if (symbols && !symbols.has(row.symbol)) continue;
    if (query && !row.symbol.includes(query) && !row.pattern.toUpperCase().includes(query)) continue;
    out.push(row);
  }
  return out;
}

/**
 * What the grid shows: filtered, then sorted.
 * @param {Map<string, MarketRow>} rows
 * @param {{sort: Sort, text: string, symbols: Set<string>|null}} view
 */
export function gridView(rows, view) {
  return sortRows(filterRows(rows.values(), view.text, view.symbols), view.sort);
}

/** Which rows a scroll position shows (virtualised rows). @param {number} scrollTop @param {number} height @param {number} rowHeight @param {number} total */
export function visibleRange(scrollTop, height, rowHeight, total, overscan = 4) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

// --- watchlists ------------------------------------------------------------------------

export const WATCHLISTS_KEY = "tickstock.watchlists";
const SYMBOL = /^[A-Z][A-Z0-9.-]{0,9}$/;
const MAX_NAME = 40;
const MAX_LISTS = 50;
const MAX_SYMBOLS = 5000;

/** @typedef {{name: string, symbols: string[]}} Watchlist */

/** Cleans a name: trimmed, ≤ 40 characters, no control characters. @param {unknown} name */
export function cleanName(name) {
  return String(name ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, MAX_NAME);
}

/** Keeps valid lists only (names unique, symbols valid and unique). @returns {Watchlist[]} */
export function normaliseWatchlists(value) {
  const out = [];
  const names = new Set();
  for (const list of Array.isArray(value) ? value : []) {
    const name = cleanName(list?.name);
    if (!name || names.has(name) || out.length >= MAX_LISTS) continue;
    names.add(name);
    const symbols = [...new Set((Array.isArray(list.symbols) ? list.symbols : []).map((s) => String(s).toUpperCase()).filter((s) => SYMBOL.test(s)))].slice(0, MAX_SYMBOLS);
    out.push({ name, symbols });
  }
  return out;
}

/**
 * Watchlists saved in the browser (localStorage), exportable as text.
 * @param {Storage|null} storage
 */
export function createWatchlists(storage) {
  /** @type {Watchlist[]} */
  let lists = [];
  try {
    lists = normaliseWatchlists(JSON.parse(storage?.getItem(WATCHLISTS_KEY) || "[]"));
  } catch {
    lists = [];
  }
  /** @type {Set<() => void>} told after every change (the grid and every star follow) */
  const listeners = new Set();
  let version = 0;
  const save = () => {
    version++;
    try {
      storage?.setItem(WATCHLISTS_KEY, JSON.stringify(lists));
    } catch {
      // not persisted; the lists still work on this page
    }
    for (const fn of [...listeners]) fn();
  };
  const find = (name) => lists.find((l) => l.name === name) ?? null;
  const model = {
    /** Counts changes: a view compares it to know whether its stars are current. */
    get version() {
      return version;
    },
    /** The list a star outside the grid adds to: the first one ("" when none). */
    get first() {
      return lists[0]?.name ?? "";
    },
    /** @param {() => void} fn @returns {() => void} unsubscribe */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    get lists() {
      return lists.map((l) => ({ name: l.name, symbols: [...l.symbols] }));
    },
    /** @param {string} name */
    symbols(name) {
      const list = find(name);
      return list ? new Set(list.symbols) : null;
    },
    /** @param {string} name @param {string} symbol */
    has(name, symbol) {
      return Boolean(find(name)?.symbols.includes(symbol));
    },
    /** Creates a list; returns its (cleaned) name, or "" when invalid or taken. @param {string} name */
    create(name) {
      const clean = cleanName(name);
      if (!clean || find(clean) || lists.length >= MAX_LISTS) return "";
      lists.push({ name: clean, symbols: [] });
      save();
      return clean;
    },
    /** @param {string} from @param {string} to @returns {string} the new name, or "" */
    rename(from, to) {
      const list = find(from);
      const clean = cleanName(to);
      if (!list || !clean || (clean !== from && find(clean))) return "";
      list.name = clean;
      save();
      return clean;
    },
    /** @param {string} name */
    remove(name) {
      lists = lists.filter((l) => l.name !== name);
      save();
    },
    /** Adds or removes `symbol`; returns whether it is now in the list. @param {string} name @param {string} symbol */
    toggle(name, symbol) {
      const list = find(name);
      if (!list || !SYMBOL.test(symbol)) return false;
      const at = list.symbols.indexOf(symbol);
      if (at >= 0) list.symbols.splice(at, 1);
      else if (list.symbols.length < MAX_SYMBOLS) list.symbols.push(symbol);
      save();
      return at < 0;
    },
    /**
     * A symbol link's star: adds `symbol` to (or removes it from) the first list, made on
     * demand as "Watchlist"; returns whether it is now in that list. @param {string} symbol
     */
    toggleInFirst(symbol) {
      if (!SYMBOL.test(symbol)) return false;
      const name = lists[0]?.name || model.create("Watchlist");
      return model.toggle(name, symbol);
    },
    /** @param {string} symbol */
    inFirst(symbol) {
      return Boolean(lists[0]?.symbols.includes(symbol));
    },
    /** The list as text, one symbol a line, for a file. @param {string} name */
    exportText(name) {
      const list = find(name);
      return list ? `${list.symbols.join("\n")}\n` : "";
    },
  };
  return model;
}
