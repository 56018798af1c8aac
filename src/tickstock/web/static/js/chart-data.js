/**
 * The chart's data, pure: candles keyed by minute (stored bars, then live closed and forming
 * bars), the indicator series computed from their closes (Bollinger bands, RSI, MACD), and
 * labelled markers. The chart section only hands these to lightweight-charts.
 *
 * Indicators are computed in the browser from the candles shown, so bands and panes cover
 * the stored history as well as the live minutes, with the engine's default parameters.
 */
import { formatAlertType, formatApart, formatConfidence, formatFixed, formatNyShort, indicatorDigits } from "./format.js";

export const BB_PERIOD = 20;
export const BB_STDDEV = 2;
export const RSI_PERIOD = 14;
export const MACD = Object.freeze({ fast: 12, slow: 26, signal: 9 });

/** ISO → lightweight-charts UTCTimestamp (seconds), floored to the minute. @param {string} iso */
export function barTime(iso) {
  return Math.floor(Date.parse(iso) / 60000) * 60;
}

/** @typedef {{time: number, open: number, high: number, low: number, close: number, volume: number}} Candle */

/** Candles by minute; a later bar of the same minute replaces the earlier (forming → closed). */
export function createCandles() {
  /** @type {Map<number, Candle>} */
  const byTime = new Map();
  /** @type {Candle[]|null} sorted view, rebuilt only when a minute is added out of order */
  let sorted = [];
  return {
    get size() {
      return byTime.size;
    },
    /** The newest minute, or 0. */
    get last() {
      const s = this.list();
      return s.length ? s[s.length - 1].time : 0;
    },
    get first() {
      const s = this.list();
      return s.length ? s[0].time : 0;
    },
    /**
     * Adds or replaces one bar (stored, or live). Returns "append" (a new newest minute),
     * "update" (the newest minute changed), "insert" (an older minute: redraw all) or "".
     * @param {{timestamp: string, open: number, high: number, low: number, close: number, volume?: number}} bar
     */
    put(bar) {
      if (!bar || !Number.isFinite(bar.close) || typeof bar.timestamp !== "string") return "";
      const time = barTime(bar.timestamp);
      if (!Number.isFinite(time)) return "";
      const candle = { time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: Number(bar.volume) || 0 };
      const last = sorted && sorted.length ? sorted[sorted.length - 1].time : -Infinity;
      byTime.set(time, candle);
      if (sorted && time > last) {
        sorted.push(candle);
        return "append";
      }
      if (sorted && time === last) {
        sorted[sorted.length - 1] = candle;
        return "update";
      }
      sorted = null;
      return "insert";
    },
    /** @returns {Candle[]} oldest first */
    list() {
      if (!sorted) sorted = [...byTime.values()].sort((a, b) => a.time - b.time);
      return sorted;
    },
  };
}

/**
 * Bollinger bands of the closes (population standard deviation, as the engine computes).
 * @param {Candle[]} candles @returns {{upper: Array<{time: number, value: number}>, middle: Array<{time: number, value: number}>, lower: Array<{time: number, value: number}>}}
 */
export function bollinger(candles, period = BB_PERIOD, k = BB_STDDEV) {
  const upper = [], middle = [], lower = [];
  let sum = 0, sumSq = 0;
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i].close;
    sum += c;
    sumSq += c * c;
    if (i >= period) {
      const old = candles[i - period].close;
      sum -= old;
      sumSq -= old * old;
    }
    if (i >= period - 1) {
      const mean = sum / period;
      const sd = Math.sqrt(Math.max(0, sumSq / period - mean * mean));
      const time = candles[i].time;
      upper.push({ time, value: mean + k * sd });
      middle.push({ time, value: mean });
      lower.push({ time, value: mean - k * sd });
    }
  }
  return { upper, middle, lower };
}

/** Wilder's RSI of the closes. @param {Candle[]} candles @returns {Array<{time: number, value: number}>} */
export function rsi(candles, period = RSI_PERIOD) {
  const out = [];
  let gain = 0, loss = 0;
  for (let i = 1; i < candles.length; i++) {
    const change = candles[i].close - candles[i - 1].close;
    const up = Math.max(0, change), down = Math.max(0, -change);
    if (i <= period) {
      gain += up / period;
      loss += down / period;
    } else {
      gain = (gain * (period - 1) + up) / period;
      loss = (loss * (period - 1) + down) / period;
    }
    if (i >= period) out.push({ time: candles[i].time, value: loss === 0 ? 100 : 100 - 100 / (1 + gain / loss) });
  }
  return out;
}

/** MACD line, signal and histogram of the closes (EMAs seeded with the first close). @param {Candle[]} candles */
export function macd(candles, { fast, slow, signal } = MACD) {
  const line = [], sig = [], hist = [];
  const a = 2 / (fast + 1), b = 2 / (slow + 1), s = 2 / (signal + 1);
  let emaFast = NaN, emaSlow = NaN, emaSignal = NaN;
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i].close;
    emaFast = i === 0 ? c : emaFast + a * (c - emaFast);
    emaSlow = i === 0 ? c : emaSlow + b * (c - emaSlow);
    const m = emaFast - emaSlow;
    emaSignal = i === 0 ? m : emaSignal + s * (m - emaSignal);
    if (i >= slow - 1) {
      const time = candles[i].time;
      line.push({ time, value: m });
      sig.push({ time, value: emaSignal });
      hist.push({ time, value: m - emaSignal });
    }
  }
  return { line, signal: sig, hist };
}

/**
 * A pattern marker labelled by name, with the tooltip's text.
 * @param {{timestamp: string, pattern_type: string, confidence: number}} p
 */
export function patternMarker(p) {
  const high = p.confidence >= 0.8;
  return {
    time: barTime(p.timestamp), position: "aboveBar", shape: "circle", color: high ? "#8250df" : "#0969da",
    text: String(p.pattern_type),
    id: `p|${p.pattern_type}|${p.timestamp}`,
    tooltip: `${p.pattern_type} · confidence ${formatConfidence(p.confidence)} · ${formatNyShort(p.timestamp)} ET`,
  };
}

/** An indicator alert marker: below the bar and up when bullish. @param {{timestamp: string, alert_type: string, value?: number, threshold?: number, indicator?: string}} a */
export function alertMarker(a) {
  const bullish = /BULLISH|OVERSOLD|LOWER/.test(a.alert_type ?? "");
  const name = formatAlertType(a.alert_type);
  const hasThreshold = Number.isFinite(a.threshold);
  const [value, threshold] = formatApart(a.value, hasThreshold ? a.threshold : null, indicatorDigits(a.indicator ?? a.alert_type));
  const detail = Number.isFinite(a.value) ? ` · value ${value}${hasThreshold ? ` / threshold ${threshold}` : ""}` : "";
  return {
    time: barTime(a.timestamp), position: bullish ? "belowBar" : "aboveBar", shape: bullish ? "arrowUp" : "arrowDown",
    color: bullish ? "#1a7f37" : "#cf222e", text: name,
    id: `a|${a.alert_type}|${a.timestamp}`,
    tooltip: `${name}${detail} · ${formatNyShort(a.timestamp)} ET`,
  };
}

/** The markers' colours on the dark chart: the light ones read at 3.2-3.4:1 there. */
const DARK_MARKER_COLORS = Object.freeze({ "#0969da": "#58a6ff", "#8250df": "#d2a8ff", "#1a7f37": "#56d364", "#cf222e": "#ff7b72" });

/** A marker's colour in the chart's theme. @param {string} color @param {boolean} dark */
export function markerColor(color, dark) {
  return dark ? DARK_MARKER_COLORS[/** @type {keyof typeof DARK_MARKER_COLORS} */ (color)] ?? color : color;
}

/** A marker label's width per character and the space kept between two labels, in pixels. */
const LABEL_CHAR_PX = 7;
const LABEL_GAP_PX = 6;

/**
 * The markers with a label only where it has room: a label that would run into the last
 * one kept on the same side of the bars (above or below) is dropped — the marker stays and
 * its tooltip names it. A day's view (~3 px a bar) otherwise piled the names into an
 * unreadable block. `markers` sorted by time; `xOf(time)` is the bar's x, or null when the
 * chart cannot tell (not laid out yet, off screen): that label is kept, and placed again
 * when the chart moves. A label the right edge of the bars' area (`width`) would cut is dropped.
 * @template {{time: number, position: string, text: string}} M
 * @param {M[]} markers @param {(time: number) => number|null} xOf @param {number} [width]
 * @returns {M[]}
 */
export function fitLabels(markers, xOf, width = Infinity) {
  /** @type {Record<string, number>} */
  const end = {};
  return markers.map((m) => {
    const x = xOf(m.time);
    if (x === null || x === undefined || !m.text) return m;
    const half = (m.text.length * LABEL_CHAR_PX) / 2;
    if (x - half < (end[m.position] ?? -Infinity) || x + half > width) return { ...m, text: "" };
    end[m.position] = x + half + LABEL_GAP_PX;
    return m;
  });
}

export const RANGES = Object.freeze({ "1h": 3600, day: 6.5 * 3600, "5d": 5 * 24 * 3600 });
/** Trading days the "5 days" button shows: the newest five New York days with stored bars. */
export const RANGE_DAYS = 5;

const nyDayOf = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit" });

/**
 * The range of the newest `days` New York days that have candles (weekends and holidays have
 * none, so they do not count), ending at the newest candle; and how many such days there are,
 * so the chart can say "2 of 5 days stored" instead of silently showing less.
 * @param {number[]} times  candle times (UTC seconds), oldest first
 * @param {number} [days]
 * @returns {{from: number, to: number, found: number}}
 */
export function tradingDaysRange(times, days = RANGE_DAYS) {
  if (!times.length) return { from: 0, to: 0, found: 0 };
  const last = times[times.length - 1];
  let found = 0;
  let day = "";
  let from = last;
  for (let i = times.length - 1; i >= 0; i--) {
    const d = nyDayOf.format(times[i] * 1000);
    if (d !== day) {
      if (found === days) break;
      day = d;
      found++;
    }
    from = times[i];
  }
  return { from, to: last + 60, found };
}

/**
 * The visible time range of a range button, ending at the newest candle.
 * @param {keyof typeof RANGES} name @param {number} last  the newest candle's time
 */
export function rangeFor(name, last) {
  const span = RANGES[name] ?? RANGES.day;
  return { from: last - span, to: last + 60 };
}
