/**
 * The market picture: one row per symbol (last price, the day's change and volume, RSI,
 * MACD histogram, Bollinger %B, latest pattern, today's alert count), from every channel.
 *
 * Pure and O(1) per item. Prices come from the bars channel (`streaming_bars`): closed bars
 * add to the day's volume, the forming bar of the open minute moves the last price. A
 * producer without that channel still fills the grid from the `bar_data` of detections.
 * A symbol's day is its New York date: a bar of a new day restarts volume, alerts and the
 * day's change (from the previous day's last close when the producer does not send
 * `previous_close`). Changed symbols are recorded in `changed` for the grid's next render.
 */

const nyDate = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit" });
/** @type {Map<number, string>} New York dates by UTC hour (a minute's bars share one). */
const dayByHour = new Map();

/** The last time asked and its date: a minute's 5,000 bars share one timestamp. */
let lastIso = "";
let lastDay = "";

/** The New York date ("2025-10-05") of an ISO time; "" when invalid. @param {string} iso */
export function dayOf(iso) {
  if (iso === lastIso) return lastDay;
  lastDay = parseDay(iso);
  lastIso = iso;
  return lastDay;
}

/** @param {string} iso */
function parseDay(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return "";
  const hour = Math.floor(t / 3600000);
  let day = dayByHour.get(hour);
  if (day === undefined) {
    day = nyDate.format(t);
    if (dayByHour.size > 1000) dayByHour.clear();
    dayByHour.set(hour, day);
  }
  return day;
}

/**
 * @typedef {{symbol: string, day: string, last: number|null, open: number|null,
 *   previousClose: number|null, volume: number, closedVolume: number, closedAt: string,
 *   formingAt: string, formingVolume: number, fromBars: boolean, rsi: number|null,
 *   macdHist: number|null, bbUpper: number|null, bbLower: number|null,
 *   pattern: string, patternConfidence: number|null, patternAt: string, alerts: number,
 *   updatedAt: string, bar: Record<string, any>|null}} MarketRow  `bar`: the latest bar (for a chart opened later)
 */

/** @param {number} [maxSymbols] */
export function createMarket(maxSymbols = 20000) {
  return {
    /** @type {Map<string, MarketRow>} */
    rows: new Map(),
    /** Symbols changed since the grid last rendered. @type {Set<string>} */
    changed: new Set(),
    /** Whether any bar came on the bars channel (else prices are from detections). */
    hasBars: false,
    maxSymbols,
  };
}

/** @typedef {ReturnType<typeof createMarket>} Market */

/** @param {Market} market @param {string} symbol @returns {MarketRow|null} */
function rowOf(market, symbol) {
  let row = market.rows.get(symbol);
  if (!row) {
    if (market.rows.size >= market.maxSymbols) return null;
    row = {
      symbol, day: "", last: null, open: null, previousClose: null, volume: 0, closedVolume: 0,
      closedAt: "", formingAt: "", formingVolume: 0, fromBars: false, rsi: null, macdHist: null,
      bbUpper: null, bbLower: null, pattern: "", patternConfidence: null, patternAt: "", alerts: 0,
      updatedAt: "", bar: null,
    };
    market.rows.set(symbol, row);
  }
  return row;
}

/** A bar of a later New York day than the row's: the day starts over. */
function enterDay(row, timestamp) {
  const day = dayOf(timestamp);
  if (!day || day <= row.day) return day === row.day || !day;
  if (row.day) {
    row.previousClose = row.last;  // yesterday's last close, unless the producer says otherwise
    row.alerts = 0;
  }
  row.day = day;
  row.open = null;
  row.volume = row.closedVolume = row.formingVolume = 0;
  row.closedAt = row.formingAt = "";
  return true;
}

const finite = (v) => typeof v === "number" && Number.isFinite(v);

/**
 * One `streaming_bars` event: closed bars (final) or forming bars (the open minute so far).
 * @param {Market} market @param {any} data
 */
export function applyBars(market, data) {
  if (!data || !Array.isArray(data.bars)) return 0;
  const closed = data.closed === true;
  let applied = 0;
  for (const bar of data.bars) {
    // A time that does not parse would stay the row's newest forever (later bars "older").
    if (!bar || typeof bar.symbol !== "string" || typeof bar.timestamp !== "string" || !finite(bar.close) || !dayOf(bar.timestamp)) continue;
    const row = rowOf(market, bar.symbol);
    if (!row || !enterDay(row, bar.timestamp)) continue;
    if (closed) {
      if (bar.timestamp <= row.closedAt) continue;  // a closed bar is final: never twice
      row.closedAt = bar.timestamp;
      row.closedVolume += finite(bar.volume) ? bar.volume : 0;
      if (row.formingAt <= bar.timestamp) row.formingVolume = 0;
    } else {
      if (bar.timestamp <= row.closedAt || bar.timestamp < row.formingAt) continue;  // stale
      row.formingAt = bar.timestamp;
      row.formingVolume = finite(bar.volume) ? bar.volume : 0;
    }
    market.hasBars = true;
    row.fromBars = true;
    row.volume = row.closedVolume + row.formingVolume;
    if (row.open === null && finite(bar.open)) row.open = bar.open;
    if (finite(bar.previous_close)) row.previousClose = bar.previous_close;
    row.last = bar.close;
    row.updatedAt = bar.timestamp;
    row.bar = bar;
    market.changed.add(row.symbol);
    applied++;
  }
  return applied;
}

/**
 * A detection: the symbol's latest pattern, and its price when no bar channel feeds it.
 * @param {Market} market @param {any} d
 */
export function applyDetection(market, d) {
  if (!d || typeof d.symbol !== "string" || typeof d.timestamp !== "string") return;
  const row = rowOf(market, d.symbol);
  if (!row) return;
  if (d.timestamp >= row.patternAt) {
    row.pattern = String(d.pattern_type ?? "");
    row.patternConfidence = finite(d.confidence) ? d.confidence : null;
    row.patternAt = d.timestamp;
  }
  const bar = d.bar_data;
  if (!row.fromBars && bar && finite(bar.close) && enterDay(row, d.timestamp) && d.timestamp >= row.updatedAt) {
    if (row.open === null && finite(bar.open)) row.open = bar.open;
    if (d.timestamp > row.updatedAt && finite(bar.volume)) row.volume += bar.volume;
    row.last = bar.close;
    row.updatedAt = d.timestamp;
  }
  market.changed.add(row.symbol);
}

/**
 * An indicator value: RSI, the MACD histogram, the Bollinger bands (for %B).
 * @param {Market} market @param {any} calc
 */
export function applyIndicator(market, calc) {
  if (!calc || typeof calc.symbol !== "string") return;
  const name = String(calc.indicator ?? "").toUpperCase();
  const values = calc.values && typeof calc.values === "object" ? calc.values : {};
  if (name !== "RSI" && name !== "MACD" && name !== "BB") return;
  const row = rowOf(market, calc.symbol);
  if (!row) return;
  if (name === "RSI" && finite(calc.value)) row.rsi = calc.value;
  else if (name === "MACD" && finite(values.histogram)) row.macdHist = values.histogram;
  else if (name === "BB" && finite(values.upper) && finite(values.lower)) {
    row.bbUpper = values.upper;
    row.bbLower = values.lower;
  } else return;
  market.changed.add(row.symbol);
}

/** An indicator alert of the symbol's current day. @param {Market} market @param {any} alert */
export function applyAlert(market, alert) {
  if (!alert || typeof alert.symbol !== "string" || typeof alert.timestamp !== "string") return;
  const row = rowOf(market, alert.symbol);
  if (!row) return;
  const day = dayOf(alert.timestamp);
  if (day && day > row.day) enterDay(row, alert.timestamp);
  if (day && day < row.day) return;  // yesterday's alert is not today's count
  row.alerts++;
  market.changed.add(row.symbol);
}

/** A new session: prices stay (the grid shows yesterday's close before the open). @param {Market} market */
export function resetDayCounts(market) {
  for (const row of market.rows.values()) {
    row.alerts = 0;
    row.pattern = "";
    row.patternConfidence = null;
    row.patternAt = "";
    market.changed.add(row.symbol);
  }
}

/** The reference of the day's change: the previous close, else the day's first open. @param {MarketRow} row */
function baseOf(row) {
  const base = row.previousClose ?? row.open;
  return row.last === null || base === null || !(base > 0) ? null : base;
}

/** The day's change (no allocation: the grid sorts 5,000 rows by it). @param {MarketRow} row */
export function changeValue(row) {
  const base = baseOf(row);
  return base === null ? null : /** @type {number} */ (row.last) - base;
}

/** The day's change in percent. @param {MarketRow} row */
export function changePercent(row) {
  const base = baseOf(row);
  return base === null ? null : ((/** @type {number} */ (row.last) - base) / base) * 100;
}

/** The day's change against the previous close, or the day's first open when unknown. @param {MarketRow} row */
export function changeOf(row) {
  return { change: changeValue(row), percent: changePercent(row) };
}

/** Bollinger %B of the last price: 0 at the lower band, 1 at the upper. @param {MarketRow} row */
export function percentB(row) {
  if (row.last === null || row.bbUpper === null || row.bbLower === null) return null;
  const width = row.bbUpper - row.bbLower;
  return width > 0 ? (row.last - row.bbLower) / width : null;
}
