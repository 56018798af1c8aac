/**
 * Selectors: what the panels show, derived from the state without changing it.
 */

/** @typedef {import("./state.js").State} State */

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
