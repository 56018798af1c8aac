/**
 * The dashboard's state and the reducer that applies every event to it.
 *
 * Pure: no DOM, no clock, no I/O. `applyEvent` does O(1) work per event (ring buffers and
 * maps), counts EVERY event even when a bounded list keeps only the newest N, and records
 * which panels changed in `state.dirty` so the scheduler renders once per frame. Live
 * streaming and history playback feed the same functions.
 */
import { applyAlert, applyBars, applyDetection, applyIndicator, createMarket, resetDayCounts } from "./market.js";
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

/**
 * How far the stream's clock may drift from the wall clock and still count as live time:
 * beyond it (an accelerated or replayed session) durations follow the stream's own time.
 */
export const STREAM_CLOCK_TOLERANCE_MS = 10 * 60 * 1000;

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

/** @param {Record<string, any>|undefined|null} settings */
export function normaliseSettings(settings) {
  const out = { ...DEFAULT_SETTINGS };
  if (!settings || typeof settings !== "object") return out;
  for (const name of Object.keys(DEFAULT_SETTINGS)) {
    const value = settings[name];
    const kind = typeof DEFAULT_SETTINGS[/** @type {keyof DEFAULT_SETTINGS} */ (name)];
    if (kind === "number" && Number.isFinite(value) && value >= 0) out[name] = Math.floor(value);
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

/**
 * Every line of an indicator as [name, number] pairs: `values` when present (MACD, BB),
 * an object `value` from a lenient producer, else the single `value`. Never an object.
 * @param {Record<string, any>} calc
 * @returns {Array<[string, number]>}
 */
export function indicatorLines(calc) {
  const source = calc && typeof calc.values === "object" && calc.values !== null
    ? calc.values
    : calc && typeof calc.value === "object" && calc.value !== null ? calc.value : null;
  if (source) {
    const lines = /** @type {Array<[string, number]>} */ (
      Object.entries(source).filter(([, v]) => typeof v === "number" && Number.isFinite(v))
    );
    if (lines.length) return lines;
  }
  if (calc && typeof calc.value === "number" && Number.isFinite(calc.value)) {
    return [["value", calc.value]];
  }
  return [];
}

/**
 * Applies one relayed event (`frame` entry or playback step) and returns the state.
 * @param {State} state
 * @param {string} name  the entry's `event`
 * @param {any} data     the entry's `data`
 * @returns {State}
 */
export function applyEvent(state, name, data) {
  state.counters.events++;
  if (!data || typeof data !== "object") {
    state.counters.ignored++;
    return state;
  }
  switch (name) {
    case "streaming_pattern":
      addPattern(state, data.detection, data.high_confidence, data, true);
      break;
    case "streaming_patterns_batch":
      // `items`: relayed streaming_pattern entries grouped by the client (one event each);
      // `detections`: a producer's batch message, one event carrying many detections.
      if (Array.isArray(data.items)) {
        state.counters.events += Math.max(0, data.items.length - 1);
        for (const p of data.items) addPattern(state, p?.detection, p?.high_confidence, p, true);
      }
      for (const d of data.detections || []) addPattern(state, d, undefined, { type: "streaming_pattern", detection: d }, true);
      break;
    case "streaming_indicator":
      addIndicator(state, data.calculation, data, true);
      break;
    case "streaming_indicators_batch":
      for (const c of data.calculations || []) addIndicator(state, c, { type: "streaming_indicator", calculation: c }, true);
      break;
    case "streaming_bars":
      if (applyBars(state.market, data)) {
        state.counters.bars += data.bars.length;
        noteStreamTime(state, data.bars[data.bars.length - 1]?.timestamp);
        state.dirty.add("market");
      }
      break;
    case "indicator_alert":
      addAlert(state, data.alert, data, true);
      break;
    case "streaming_session":
      applySession(state, data);
      break;
    case "streaming_health":
      if (data.health) {
        state.counters.health++;
        state.health = data.health;
        noteStreamTime(state, data.health.timestamp);
        state.dirty.add("health").add("metrics");
      }
      break;
    case "critical_alert":
      applyCritical(state, data.alert);
      break;
    case "app_status":
      state.appStatus = { ...state.appStatus, ...data };
      state.dirty.add("appStatus").add("health");
      break;
    case "feed_gap":
      state.connection = { ...state.connection, notice: { kind: "feed_gap", ...data } };
      state.dirty.add("connection");
      break;
    case "metrics":
      state.serverMetrics = { ...data };
      state.dirty.add("metrics");
      break;
    default:
      state.counters.ignored++;
  }
  return state;
}

/**
 * @param {State} state
 * @param {Detection} d
 * @param {boolean|undefined} highConfidence
 * @param {any} raw
 * @param {boolean} counted  live events count; snapshot contents do not
 */
function addPattern(state, d, highConfidence, raw, counted) {
  if (!d || typeof d !== "object" || typeof d.symbol !== "string") {
    state.counters.ignored++;
    return;
  }
  const key = patternKey(d);
  const high = highConfidence ?? (typeof d.confidence === "number" && d.confidence >= HIGH_CONFIDENCE);
  const seen = state.seenPatterns.get(key);
  if (seen) {
    state.counters.duplicates++;
    if (high && seen !== true && !seen.high_confidence) {
      seen.high_confidence = true;
      state.patterns.version++;
      state.dirty.add("patterns");
    }
    return;
  }
  /** @type {PatternItem} */
  const item = {
    key,
    symbol: d.symbol,
    pattern_type: String(d.pattern_type ?? ""),
    confidence: Number(d.confidence),
    timestamp: d.timestamp,
    timeframe: d.timeframe,
    bar_data: d.bar_data && typeof d.bar_data === "object" ? d.bar_data : null,
    high_confidence: Boolean(high),
    raw,
  };
  noteStreamTime(state, d.timestamp);
  applyDetection(state.market, d);
  state.dirty.add("market");
  state.seenPatterns.set(key, item);
  const evicted = state.patterns.push(item);
  if (evicted) state.seenPatterns.set(evicted.key, true);
  if (counted) {
    state.counters.patterns++;
    if (state.paused) state.newWhilePaused++;
  }
  state.dirty.add("patterns").add("metrics").add("controls");
}

/**
 * @param {State} state
 * @param {Record<string, any>} calc
 * @param {any} raw
 * @param {boolean} counted
 */
function addIndicator(state, calc, raw, counted) {
  if (!calc || typeof calc !== "object" || typeof calc.symbol !== "string") {
    state.counters.ignored++;
    return;
  }
  if (counted) state.counters.indicators++;
  noteStreamTime(state, calc.timestamp);
  applyIndicator(state.market, calc);
  state.dirty.add("market");
  const key = `${calc.symbol}|${calc.indicator}`;
  state.indicators.set(key, {
    key,
    symbol: calc.symbol,
    indicator: String(calc.indicator ?? ""),
    value: calc.value,
    lines: indicatorLines(calc),
    timestamp: calc.timestamp,
    timeframe: calc.timeframe,
    raw,
  });
  state.dirty.add("indicators");
}

/**
 * @param {State} state
 * @param {Record<string, any>} alert
 * @param {any} raw
 * @param {boolean} counted
 */
function addAlert(state, alert, raw, counted) {
  if (!alert || typeof alert !== "object" || typeof alert.symbol !== "string") {
    state.counters.ignored++;
    return;
  }
  const key = alertKey(alert);
  if (state.seenAlerts.has(key)) {
    state.counters.duplicates++;
    return;
  }
  state.seenAlerts.set(key, true);
  noteStreamTime(state, alert.timestamp);
  applyAlert(state.market, alert);
  state.dirty.add("market");
  state.alerts.push({
    key,
    symbol: alert.symbol,
    alert_type: String(alert.alert_type ?? ""),
    timestamp: alert.timestamp,
    data: alert.data && typeof alert.data === "object" ? alert.data : {},
    raw,
  });
  if (counted) {
    state.counters.alerts++;
    if (state.paused) state.newWhilePaused++;
  }
  state.dirty.add("alerts").add("metrics").add("controls");
}

/** @param {State} state @param {Record<string, any>} data */
function applySession(state, data) {
  const body = data.session;
  if (!body || typeof body !== "object") {
    state.counters.ignored++;
    return;
  }
  state.counters.sessions++;
  if (data.type === "streaming_session_stopped") {
    const same = state.session && state.session.session_id === body.session_id;
    state.session = { ...(same ? state.session : {}), ...body, status: "stopped" };
    noteStreamTime(state, body.stopped_at);
  } else {
    if (state.session && state.session.session_id !== body.session_id) clearLive(state);
    state.session = { ...body, status: "active" };
    state.streamTime = NaN;
    noteStreamTime(state, body.started_at);
    state.health = null;
    if (state.appStatus.engine === "stopped") state.appStatus = { ...state.appStatus, engine: "waiting" };
  }
  // The empty lists explain themselves by the session ("no session yet" → "none detected yet").
  state.dirty.add("session").add("health").add("metrics").add("patterns").add("alerts");
}

/**
 * A new session: the previous session's patterns, alerts, indicators and counts leave the
 * live page (they stay in Sessions); prices stay until the new session's first bars.
 * @param {State} state
 */
function clearLive(state) {
  state.patterns = new Ring(state.settings.max_pattern_events);
  state.alerts = new Ring(state.settings.max_alert_events);
  state.seenPatterns.clear();
  state.seenAlerts.clear();
  state.indicators.clear();
  state.serverMetrics = null;
  state.newWhilePaused = 0;
  for (const name of ["patterns", "alerts", "indicators"]) state.counters[name] = 0;
  resetDayCounts(state.market);
  state.dirty.add("indicators").add("market").add("controls");
}

/** Moves the stream's clock forward to `iso` (never back). @param {State} state @param {any} iso */
function noteStreamTime(state, iso) {
  const t = typeof iso === "string" ? Date.parse(iso) : NaN;
  if (Number.isFinite(t) && !(t <= state.streamTime)) state.streamTime = t;
}

/** @param {State} state @param {Record<string, any>} alert */
function applyCritical(state, alert) {
  if (!alert || typeof alert !== "object") {
    state.counters.ignored++;
    return;
  }
  const component = String(alert.component ?? "");
  logCritical(state, alert, component);
  if (alert.resolved === true) {
    state.counters.recoveries++;
    state.criticals.delete(component);
    state.lastRecovery = alert;
  } else {
    state.counters.critical++;
    state.criticals.set(component, { alert, acknowledged: false });
    state.lastRecovery = null;
  }
  state.dirty.add("critical");
}

/**
 * The critical list: an alert opens an entry, its recovery (same component) marks the
 * newest open entry of that component recovered at the recovery's time.
 * @param {State} state @param {Record<string, any>} alert @param {string} component
 */
function logCritical(state, alert, component) {
  if (alert.resolved === true) {
    for (const entry of state.criticalLog.toArray()) {
      if (entry.component === component && !entry.recoveredAt) {
        entry.recoveredAt = String(alert.timestamp ?? "");
        state.criticalLog.version++;
        return;
      }
    }
    return;
  }
  const key = `${component}|${alert.timestamp}`;
  for (const entry of state.criticalLog.toArray()) if (entry.key === key) return;
  state.criticalLog.push({ key, component, alert, acknowledged: false, recoveredAt: "" });
}

/**
 * Replaces the live picture with a `snapshot` (first connect, resume too old, slow client).
 * Counters are kept: they count what this page applied.
 * @param {State} state
 * @param {Record<string, any>} snap
 * @returns {State}
 */
export function applySnapshot(state, snap) {
  state.counters.snapshots++;
  const settings = normaliseSettings(snap.settings ?? state.settings);
  state.settings = settings;
  state.patterns = new Ring(settings.max_pattern_events);
  state.alerts = new Ring(settings.max_alert_events);
  state.seenPatterns.clear();
  state.seenAlerts.clear();
  state.indicators.clear();
  state.criticals.clear();
  state.session = snap.session ?? null;
  // The app keeps the whole health message; the panels read its body.
  state.health = (snap.health && snap.health.health) || snap.health || null;
  // A snapshot's started_at is in the past; only its health report tells the stream's "now".
  state.streamTime = NaN;
  noteStreamTime(state, state.health?.timestamp);
  state.serverMetrics = snap.metrics ?? null;
  if (snap.app_status) state.appStatus = { ...state.appStatus, ...snap.app_status };
  const backfill = snap.backfill || {};
  for (const p of [...(backfill.patterns || []), ...(snap.recent_patterns || [])]) {
    const d = p && p.detection ? p.detection : p;
    addPattern(state, d, p && p.high_confidence, p && p.detection ? p : { type: "streaming_pattern", detection: d }, false);
  }
  for (const a of [...(backfill.alerts || []), ...(snap.recent_alerts || [])]) {
    const alert = a && a.alert ? a.alert : a;
    addAlert(state, alert, a && a.alert ? a : { type: "indicator_alert", alert }, false);
  }
  for (const c of snap.latest_indicators || []) {
    const calc = c && c.calculation ? c.calculation : c;
    addIndicator(state, calc, c && c.calculation ? c : { type: "streaming_indicator", calculation: calc }, false);
  }
  for (const c of snap.open_critical_alerts || []) {
    const alert = c && c.alert ? c.alert : c;
    if (alert && alert.resolved !== true) {
      state.criticals.set(String(alert.component ?? ""), { alert, acknowledged: false });
      logCritical(state, alert, String(alert.component ?? ""));
    }
  }
  if (Array.isArray(snap.latest_bars)) {
    for (const closed of [true, false]) {
      applyBars(state.market, { closed, bars: snap.latest_bars.filter((b) => b && (b.closed !== false) === closed) });
    }
  }
  if (snap.reason && snap.reason !== "connect") {
    const notice = { kind: "resynced", reason: snap.reason };
    if (snap.backfill) notice.backfilled = (backfill.patterns || []).length + (backfill.alerts || []).length;
    state.connection = { ...state.connection, notice };
  }
  for (const panel of PANELS) state.dirty.add(panel);
  return state;
}

/** @param {State} state @param {boolean} paused */
export function setPaused(state, paused) {
  state.paused = paused;
  if (!paused) state.newWhilePaused = 0;
  state.dirty.add("patterns").add("alerts").add("controls");
  return state;
}

/** @param {State} state @param {string} component */
export function acknowledgeCritical(state, component) {
  const open = state.criticals.get(component);
  if (open) open.acknowledged = true;
  for (const entry of state.criticalLog.toArray()) {
    if (entry.component === component && !entry.recoveredAt) entry.acknowledged = true;
  }
  state.criticalLog.version++;
  state.dirty.add("critical");
  return state;
}

/**
 * @param {State} state
 * @param {string} connectionState  connecting | connected | reconnecting | offline | unauthorized
 * @param {Record<string, any>|null} [notice]
 */
export function setConnection(state, connectionState, notice) {
  state.connection = {
    state: connectionState,
    notice: notice === undefined ? state.connection.notice : notice,
  };
  state.dirty.add("connection");
  return state;
}

/**
 * What the health panel shows: waiting (no health yet), live, stale, or stopped.
 * @param {State} state
 */
export function healthState(state) {
  if (state.session && state.session.status === "stopped") return "stopped";
  if (state.appStatus.engine === "stopped") return "stopped";
  if (state.appStatus.engine === "stale") return "stale";
  if (!state.health) return "waiting";
  return "live";
}

/**
 * The plan's four metrics: the server's when it sent them, else what this page counted.
 * @param {State} state
 */
export function displayMetrics(state) {
  const m = state.serverMetrics || {};
  return {
    active_symbols: m.active_symbols ?? state.health?.active_symbols ?? state.session?.symbol_count ?? 0,
    events_per_second: m.events_per_second ?? 0,
    patterns_detected: m.patterns_detected ?? state.counters.patterns,
    indicator_alerts: m.indicator_alerts ?? state.counters.alerts,
  };
}

/**
 * "Now" on the stream's clock. The stream keeps wall time in a live market, but runs on its
 * own clock in an accelerated demo or a replay (a session of another day, 60x faster). Each
 * time the latest event timestamp moves, the offset to the wall clock is measured; beyond
 * STREAM_CLOCK_TOLERANCE_MS, "now" is the wall clock plus that offset, otherwise the wall clock.
 */
export function createStreamClock() {
  let seen = NaN;
  let offset = 0;
  return {
    /** @param {State} state @param {number} wallNow ms since epoch */
    now(state, wallNow) {
      const t = state.streamTime;
      if (!Number.isFinite(t)) {
        seen = NaN;
        offset = 0;
      } else if (t !== seen) {
        seen = t;
        offset = t - wallNow;
      }
      return Math.abs(offset) > STREAM_CLOCK_TOLERANCE_MS ? wallNow + offset : wallNow;
    },
  };
}

/**
 * The session's duration in seconds, or null without a session: the producer's
 * `duration_seconds` once stopped, else from `started_at` to `now` (see createStreamClock).
 * @param {State} state
 * @param {number} now  ms since epoch on the stream's clock
 * @returns {number|null}
 */
export function sessionSeconds(state, now) {
  const s = state.session;
  if (!s) return null;
  const started = typeof s.started_at === "string" ? Date.parse(s.started_at) : NaN;
  if (s.status === "stopped") {
    if (typeof s.duration_seconds === "number" && Number.isFinite(s.duration_seconds)) return s.duration_seconds;
    const stopped = typeof s.stopped_at === "string" ? Date.parse(s.stopped_at) : NaN;
    return Number.isFinite(started) && Number.isFinite(stopped) ? Math.max(0, (stopped - started) / 1000) : null;
  }
  if (!Number.isFinite(started)) return null;
  return Math.max(0, (now - started) / 1000);
}

/**
 * Open critical alerts, most severe first, the unacknowledged ones before the others.
 * @param {State} state
 */
export function openCriticals(state) {
  const rank = { critical: 0, error: 1, warning: 2 };
  return [...state.criticals.values()].sort((a, b) =>
    Number(a.acknowledged) - Number(b.acknowledged)
    || (rank[a.alert.severity] ?? 3) - (rank[b.alert.severity] ?? 3));
}

/**
 * The session after a status refresh. The live stream is the authority: the database's
 * session (null when the producer stores nothing, or an older day's) never hides a live
 * one; it updates the same session or replaces an older one.
 * @param {Record<string, any>|null} live
 * @param {Record<string, any>|null|undefined} stored
 */
function mergeSession(live, stored) {
  if (!stored || typeof stored !== "object") return live;
  if (!live) return stored;
  if (stored.session_id === live.session_id) return { ...live, ...stored };
  return Date.parse(stored.started_at) > Date.parse(live.started_at) ? stored : live;
}

/**
 * Merges `GET /api/streaming/status` (manual or auto refresh) into the state: whatever of
 * session, metrics, health and app status it carries.
 * @param {State} state
 * @param {Record<string, any>} status
 */
export function applyStatus(state, status) {
  if (!status || typeof status !== "object") return state;
  state.session = mergeSession(state.session, status.session);
  const app = status.app_status ?? status.app;
  const metrics = status.metrics ?? app?.metrics;
  if (metrics && typeof metrics === "object") state.serverMetrics = { ...metrics };
  if (status.health) state.health = status.health.health || status.health;
  if (app && typeof app === "object") {
    const { redis, database, engine } = app;
    state.appStatus = { ...state.appStatus, ...(redis && { redis }), ...(database && { database }), ...(engine && { engine }) };
  }
  if (status.settings) state.settings = { ...state.settings, refresh_interval: normaliseSettings(status.settings).refresh_interval };
  state.dirty.add("session").add("metrics").add("health").add("appStatus");
  return state;
}
