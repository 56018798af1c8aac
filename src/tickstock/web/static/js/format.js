/**
 * Text for numbers, confidences, durations and times. Market times are shown in New York
 * time (the exchange's clock); the reader's local time goes in the element's `title`.
 */

const NY = "America/New_York";
const nyTime = new Intl.DateTimeFormat("en-US", {
  timeZone: NY, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});
const nyShort = new Intl.DateTimeFormat("en-US", {
  timeZone: NY, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
const nyDateTime = new Intl.DateTimeFormat("en-US", {
  timeZone: NY, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});

/** @param {string|number|Date|null|undefined} value */
export function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "10:15:00 ET" for an ISO timestamp; "—" when absent or invalid. */
export function formatNyTime(value) {
  const date = toDate(value);
  return date ? `${nyTime.format(date)} ET` : "—";
}

/** "10:15" (New York), for compact ranges such as a feed gap. */
export function formatNyShort(value) {
  const date = toDate(value);
  return date ? nyShort.format(date) : "—";
}

/** "10/05/2025, 09:30:00 ET" */
export function formatNyDateTime(value) {
  const date = toDate(value);
  return date ? `${nyDateTime.format(date)} ET` : "—";
}

/**
 * The reader's local time, for the `title` (hover) of a New York time.
 * @param {string|number|Date|null|undefined} value
 * @param {string} [timeZone]  injected by tests; the browser's zone otherwise
 */
export function formatLocalTitle(value, timeZone) {
  const date = toDate(value);
  if (!date) return "";
  return `Local time: ${cached(`local|${timeZone ?? ""}`, () => new Intl.DateTimeFormat("en-US", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short",
  })).format(date)}`;
}

/**
 * Intl formatters are costly to build (a `toLocaleString` with options builds one per call:
 * the hottest spot of a render at 500 events/s), so each one is built once.
 * @type {Map<string, Intl.NumberFormat|Intl.DateTimeFormat>}
 */
const formatters = new Map();

/** @template T @param {string} key @param {() => T} build @returns {T} */
function cached(key, build) {
  let f = formatters.get(key);
  if (!f) {
    f = /** @type {any} */ (build());
    formatters.set(key, f);
  }
  return /** @type {T} */ (f);
}

/**
 * Grouped number with at most `digits` decimals; "—" for anything not a finite number.
 * @param {unknown} value
 * @param {number} [digits]
 */
export function formatNumber(value, digits = 2) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  return cached(`n|${digits}`, () => new Intl.NumberFormat("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 })).format(value);
}

/**
 * Fixed decimals, for prices and indicator lines (125.50, -0.13). What rounds to zero is
 * "0.00": a "-0.00" would show a sign the digits cannot (`signDisplay: "negative"`).
 */
export function formatFixed(value, digits = 2) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  return cached(`f|${digits}`, () => new Intl.NumberFormat("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits, signDisplay: "negative" })).format(value);
}

/**
 * "18,288 results", "1 result", "0.5 seconds": a grouped amount with its noun, singular for
 * one. @param {number} n @param {string} noun
 */
export function formatCount(n, noun) {
  return `${formatNumber(n, 2)} ${noun}${n === 1 ? "" : "s"}`;
}

/** The most decimals a value is widened to so that it reads apart from its threshold. */
export const MAX_DIGITS = 6;

/**
 * Decimals an indicator's values are shown with: MACD (its lines, histogram and crosses)
 * moves in thousandths, as the grid shows it; RSI and the Bollinger bands in hundredths.
 * @param {unknown} indicator  "MACD", "RSI", "BB" or an alert type such as "MACD_BULLISH_CROSS"
 */
export function indicatorDigits(indicator) {
  return /^macd/i.test(String(indicator ?? "")) ? 3 : 2;
}

/**
 * An alert's value and threshold as texts with the indicator's decimals, widened (up to
 * MAX_DIGITS) while two different numbers would read alike: a MACD cross fires where the
 * line passes its signal, so "0.01 (threshold 0.01)" hid that the value had crossed.
 * @param {unknown} value @param {unknown} threshold @param {number} digits
 * @returns {[string, string]}
 */
export function formatApart(value, threshold, digits) {
  let d = digits;
  const differ = typeof value === "number" && typeof threshold === "number" && value !== threshold;
  while (differ && d < MAX_DIGITS && formatFixed(value, d) === formatFixed(threshold, d)) d++;
  return [formatFixed(value, d), formatFixed(threshold, d)];
}

/**
 * A change with its sign: "+1.20", "-0.35"; what rounds to zero is "0.00" (never "-0.00" or
 * "+0.00", which would show a move that the digits cannot). null → "—".
 */
export function formatSigned(value, digits = 2) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  const rounded = Number(value.toFixed(digits));
  if (rounded === 0) return formatFixed(0, digits);
  return `${rounded > 0 ? "+" : ""}${formatFixed(rounded, digits)}`;
}

/** 0.853 → "85%"; clamps to 0–100. */
export function formatConfidence(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  return `${Math.round(Math.min(1, Math.max(0, value)) * 100)}%`;
}

/** 23400 → "6h 30m 00s"; 75 → "1m 15s". */
export function formatDuration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  if (h) return `${h}h ${String(m).padStart(2, "0")}m ${rest}s`;
  if (m) return `${m}m ${rest}s`;
  return `${s % 60}s`;
}

/** RSI_OVERBOUGHT → "RSI overbought" */
export function formatAlertType(type) {
  const text = String(type ?? "").toLowerCase().replaceAll("_", " ");
  return text.replace(/^(rsi|macd|bb)\b/, (m) => m.toUpperCase());
}

const nyDay = new Intl.DateTimeFormat("en-CA", { timeZone: NY, year: "numeric", month: "2-digit", day: "2-digit" });
/** The stream's current New York day: a time of another day is shown with its date. */
let today = "";

/**
 * Sets the day times are read against (the stream's "now"); a time of any other New York
 * day shows its date. Returns whether the day changed.
 * @param {number} ms
 */
export function setToday(ms) {
  if (!Number.isFinite(ms)) return false;
  const day = nyDay.format(ms);
  if (day === today) return false;
  today = day;
  secondTexts.clear();
  return true;
}

/** A time of the current day as "10:15:00 ET", of another day with its date. @param {string|number|Date|null|undefined} value */
export function formatStamp(value) {
  const date = toDate(value);
  if (!date) return "—";
  return today && nyDay.format(date) !== today ? formatNyDateTime(date) : formatNyTime(date);
}

/** Text and title of a time by its second: a stream repeats the same seconds (every symbol's
 * bar of one minute), and two Intl formats per row were a large part of a frame. */
const secondTexts = new Map();
const SECOND_TEXTS_MAX = 512;

const NO_TIME = { text: "—", title: "" };

/** @param {Date|null} date @returns {{text: string, title: string}} */
function timeTextsOf(date) {
  if (!date) return NO_TIME;
  const second = Math.floor(date.getTime() / 1000);
  let t = secondTexts.get(second);
  if (t === undefined) {
    t = { text: formatStamp(date), title: formatLocalTitle(date) };
    if (secondTexts.size >= SECOND_TEXTS_MAX) secondTexts.clear();
    secondTexts.set(second, t);
  }
  return t;
}

/**
 * Sets an element's text to a New York time and its title to the local time.
 * @param {HTMLElement} el
 * @param {string|number|null|undefined} value
 */
export function setTime(el, value) {
  const date = toDate(value);
  const t = timeTextsOf(date);
  if (el.textContent !== t.text) {
    el.textContent = t.text;
    el.title = t.title;
    if (el instanceof el.ownerDocument.defaultView.HTMLTimeElement) el.dateTime = date ? date.toISOString() : "";
  }
}
