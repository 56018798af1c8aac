/**
 * The reducer: applies every event, snapshot and status refresh to the state.
 *
 * Pure: no DOM, no clock, no I/O. `applyEvent` does O(1) work per event (ring buffers and
 * maps), counts EVERY event even when a bounded list keeps only the newest N, and records
 * which panels changed in `state.dirty` so the scheduler renders once per frame. Live
 * streaming and history playback feed the same functions.
 */
import { applyCritical, logCritical } from "./criticals.js";
import { applyAlert, applyBars, applyDetection, applyIndicator, resetDayCounts } from "./market.js";
import { Ring } from "./ring.js";
import { indicatorLines } from "./selectors.js";
import { HIGH_CONFIDENCE, PANELS, alertKey, normaliseSettings, patternKey } from "./state.js";

/**
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Detection} Detection
 * @typedef {import("./state.js").PatternItem} PatternItem
 */

export { acknowledgeCritical } from "./criticals.js";

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
      // A producer's batch message as the plan protocol relays it: one event, many detections.
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
 * Applies a frame's entries in `seq` order, each as the one event it is (`applyEvent`):
 * the frame is not regrouped, so every event has one shape.
 * @param {State} state
 * @param {ReadonlyArray<{event: string, data: any}>} entries
 * @returns {State}
 */
export function applyEntries(state, entries) {
  for (const entry of entries) applyEvent(state, entry.event, entry.data);
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
