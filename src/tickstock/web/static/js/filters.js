/**
 * Filters of the stream panels (symbol search, pattern type, minimum confidence, alert
 * type). Pure predicates over store items; the panels apply them at render time to the
 * bounded lists, so filtering never drops an event from the store or its counters.
 */

/** @typedef {{symbol: string, patternType: string, minConfidence: number, alertType: string}} Filters */

/** @returns {Filters} */
export function emptyFilters() {
  return { symbol: "", patternType: "", minConfidence: 0, alertType: "" };
}

/**
 * Cleans user input: symbol upper-cased, confidence as a fraction in [0, 1] (accepts 0–100).
 * @param {Partial<Record<keyof Filters, unknown>>} input
 * @returns {Filters}
 */
export function normaliseFilters(input) {
  let min = Number(input.minConfidence ?? 0);
  if (!Number.isFinite(min) || min < 0) min = 0;
  if (min > 1) min = min / 100;
  return {
    symbol: String(input.symbol ?? "").trim().toUpperCase(),
    patternType: String(input.patternType ?? "").trim().toLowerCase(),
    minConfidence: Math.min(1, min),
    alertType: String(input.alertType ?? "").trim().toUpperCase(),
  };
}

/** @param {Filters} f */
export function isActive(f) {
  return Boolean(f.symbol || f.patternType || f.minConfidence > 0 || f.alertType);
}

/** @param {string} symbol @param {string} query  symbols containing the query (prefix ranks first elsewhere) */
function symbolMatches(symbol, query) {
  return !query || String(symbol).toUpperCase().includes(query);
}

/** @param {{symbol: string, pattern_type: string, confidence: number}} p @param {Filters} f */
export function matchesPattern(p, f) {
  return symbolMatches(p.symbol, f.symbol)
    && (!f.patternType || String(p.pattern_type).toLowerCase().includes(f.patternType))
    && (!(f.minConfidence > 0) || p.confidence >= f.minConfidence);
}

/** @param {{symbol: string, alert_type: string}} a @param {Filters} f */
export function matchesAlert(a, f) {
  return symbolMatches(a.symbol, f.symbol) && (!f.alertType || a.alert_type === f.alertType);
}

/** @param {{symbol: string}} i @param {Filters} f */
export function matchesIndicator(i, f) {
  return symbolMatches(i.symbol, f.symbol);
}

/**
 * The first `limit` items of `items` (newest first) that pass `predicate`.
 * @template T
 * @param {Iterable<T>} items
 * @param {(item: T) => boolean} predicate
 * @param {number} limit
 * @returns {T[]}
 */
export function take(items, predicate, limit) {
  const out = [];
  for (const item of items) {
    if (out.length >= limit) break;
    if (predicate(item)) out.push(item);
  }
  return out;
}
