/**
 * The dashboard state's shape: settings, bounded lists, counters and the dirty panels.
 *
 * `createState` builds it; the reducer (reducer.js) is the only writer, the selectors
 * (selectors.js) read it. The identity keys live here because the state's de-duplication
 * maps and the history filters both key items by them.
 */
import { createMarket } from "./market.js";
import { BoundedMap, Ring } from "./ring.js";

/** The plan's STREAMING_* settings as the snapshot's `settings` carries them. */
export const DEFAULT_SETTINGS = Object.freeze({
  refresh_interval: 30,
  max_pattern_events: 50,
  max_alert_events: 30,
  auto_scroll: true,
  sound_alerts: false,
  health_interval: 60,
});

/** How many pattern / alert identities are remembered for de-duplication. */
export const DEDUPE_MEMORY = 20000;
/** Most symbol+indicator pairs kept (latest value each). */
export const MAX_INDICATORS = 5000;
/** Confidence from which a detection is "high confidence" (the detected channel's rule). */
export const HIGH_CONFIDENCE = 0.8;

/** Panels a change can dirty; renderers subscribe to these names. */
export const PANELS = Object.freeze([
  "session", "metrics", "patterns", "indicators", "alerts", "health", "critical",
  "connection", "appStatus", "controls", "market",
]);

/**
 * @typedef {{symbol: string, pattern_type: string, confidence: number, timestamp: string,
 *   timeframe: string, bar_data?: Record<string, number>}} Detection
 * @typedef {{key: string, symbol: string, pattern_type: string, confidence: number,
 *   timestamp: string, timeframe: string, bar_data: Record<string, number>|null,
 *   high_confidence: boolean, raw: any}} PatternItem
 * @typedef {{key: string, symbol: string, alert_type: string, timestamp: string,
 *   data: Record<string, any>, raw: any}} AlertItem
 * @typedef {{key: string, symbol: string, indicator: string, value: any,
 *   lines: Array<[string, number]>, timestamp: string, timeframe: string, raw: any}} IndicatorItem
 */

/** Settings that may be a fraction (TICKSTOCK_HEALTH_INTERVAL=0.5 in a quick demo); the others are counts. */
const FRACTIONAL_SETTINGS = new Set(["health_interval"]);

/** @param {Record<string, any>|undefined|null} settings */
export function normaliseSettings(settings) {
  const out = { ...DEFAULT_SETTINGS };
  if (!settings || typeof settings !== "object") return out;
  for (const name of Object.keys(DEFAULT_SETTINGS)) {
    const value = settings[name];
    const kind = typeof DEFAULT_SETTINGS[/** @type {keyof DEFAULT_SETTINGS} */ (name)];
    if (kind === "number" && Number.isFinite(value) && value >= 0) out[name] = FRACTIONAL_SETTINGS.has(name) ? value : Math.floor(value);
    if (kind === "boolean" && typeof value === "boolean") out[name] = value;
  }
  out.max_pattern_events = Math.max(1, out.max_pattern_events);
  out.max_alert_events = Math.max(1, out.max_alert_events);
  return out;
}

/** @param {Record<string, any>} [settings] */
export function createState(settings) {
  const s = normaliseSettings(settings);
  return {
    settings: s,
    /** @type {Record<string, any>|null} */
    session: null,
    /** @type {Record<string, number>|null} the server's `metrics` event */
    serverMetrics: null,
    counters: {
      events: 0, patterns: 0, duplicates: 0, indicators: 0, alerts: 0, health: 0,
      critical: 0, recoveries: 0, sessions: 0, snapshots: 0, ignored: 0, bars: 0,
    },
    /** @type {Ring<PatternItem>} */
    patterns: new Ring(s.max_pattern_events),
    /** @type {Ring<AlertItem>} */
    alerts: new Ring(s.max_alert_events),
    /** @type {BoundedMap<string, IndicatorItem>} latest per symbol+indicator */
    indicators: new BoundedMap(MAX_INDICATORS),
    /** @type {BoundedMap<string, PatternItem|true>} */
    seenPatterns: new BoundedMap(DEDUPE_MEMORY),
    /** @type {BoundedMap<string, true>} */
    seenAlerts: new BoundedMap(DEDUPE_MEMORY),
    /** @type {Record<string, any>|null} */
    health: null,
    /** Latest event timestamp seen (ms since epoch): the stream's own clock (NaN: none yet). */
    streamTime: NaN,
    /** @type {Map<string, {alert: Record<string, any>, acknowledged: boolean}>} by component */
    criticals: new Map(),
    /** @type {Record<string, any>|null} the last recovery, shown until the next alert */
    lastRecovery: null,
    /** Every critical alert and recovery of this page, newest last (the critical list). */
    criticalLog: new Ring(50),
    /** One row per symbol: prices, change, volume, indicators, latest pattern, alerts. */
    market: createMarket(),
    appStatus: { redis: "unknown", database: "unknown", engine: "waiting" },
    connection: { state: "connecting", notice: /** @type {null|Record<string, any>} */ (null) },
    paused: false,
    newWhilePaused: 0,
    /** @type {Set<string>} */
    dirty: new Set(PANELS),
  };
}

/** @typedef {ReturnType<typeof createState>} State */

/** @param {Detection} d */
export function patternKey(d) {
  return `${d.symbol}|${d.pattern_type}|${d.timeframe}|${d.timestamp}`;
}

/** @param {Record<string, any>} a */
export function alertKey(a) {
  return `${a.symbol}|${a.alert_type}|${a.timestamp}`;
}
