/**
 * Replays a past session's events at 1x / 10x / 60x into a store, through the same
 * `applyEvent` as live. Time is simulated from the events' own timestamps: each tick
 * advances the simulated clock by (real elapsed × speed) and applies what is due.
 */

export const SPEEDS = Object.freeze([1, 10, 60]);
/** Most detections a playback loads (a busy day has more: the rest is left out, with a note). */
export const MAX_PLAYBACK_PATTERNS = 20_000;
/** Detections per request (the API allows up to 500). */
export const PATTERN_PAGE_SIZE = 500;
/** Alert pages (of 100) read per playback. */
export const MAX_ALERT_PAGES = 20;

/**
 * @typedef {(path: string, params?: Record<string, unknown>, options?: {signal?: AbortSignal}) => Promise<any>} ApiGet
 */

/**
 * Every detection of a session, oldest first, read page after page from
 * `/api/streaming/sessions/{id}/patterns`, stopping at `max` (then `truncated` is true).
 * @param {ApiGet} get
 * @param {string} sessionId
 * @param {{symbol?: string, max?: number, perPage?: number, signal?: AbortSignal,
 *   onPage?: (loaded: number, total: number) => void}} [options]
 * @returns {Promise<{patterns: any[], total: number, truncated: boolean}>}
 */
export async function loadSessionPatterns(get, sessionId, { symbol, max = MAX_PLAYBACK_PATTERNS, perPage = PATTERN_PAGE_SIZE, signal, onPage } = {}) {
  const path = `/api/streaming/sessions/${encodeURIComponent(sessionId)}/patterns`;
  const patterns = [];
  let total = 0;
  const lastPage = Math.max(1, Math.ceil(max / perPage));
  for (let page = 1; page <= lastPage; page++) {
    const body = await get(path, { page, per_page: perPage, symbol: symbol || undefined }, { signal });
    const items = Array.isArray(body?.items) ? body.items : [];
    total = Number.isFinite(body?.total) ? body.total : patterns.length + items.length;
    patterns.push(...items);
    onPage?.(Math.min(patterns.length, max), total);
    if (!items.length || page >= (body?.pages ?? 1) || patterns.length >= max) break;
  }
  if (patterns.length > max) patterns.length = max;
  return { patterns, total, truncated: total > patterns.length };
}

/**
 * The alerts of a session (`session_id` filter of the alerts endpoint, newest first,
 * `maxPages` pages of 100); `truncated` when pages were left unread.
 * @param {ApiGet} get
 * @param {{session_id: string, started_at: string}} session
 * @param {{maxPages?: number, signal?: AbortSignal}} [options]
 * @returns {Promise<{alerts: any[], truncated: boolean}>}
 */
export async function loadSessionAlerts(get, session, { maxPages = MAX_ALERT_PAGES, signal } = {}) {
  const alerts = [];
  for (let page = 1; page <= maxPages; page++) {
    const body = await get("/api/streaming/alerts", { page, per_page: 100, session_id: session.session_id }, { signal });
    alerts.push(...(body?.items ?? []));
    const pages = body?.pages ?? 1;
    if (page >= pages) return { alerts, truncated: false };
  }
  return { alerts, truncated: true };
}

/**
 * Turns API records (session, alerts, patterns) into relay-shaped events, oldest first.
 * @param {{session?: any, alerts?: any[], patterns?: any[]}} records
 * @returns {Array<{t: number, name: string, data: any}>}
 */
export function toEvents({ session, alerts = [], patterns = [] }) {
  const out = [];
  if (session?.started_at) {
    const { stopped_at: _s, duration_seconds: _d, total_patterns: _p, total_indicators: _i, ...start } = session;
    out.push({ t: Date.parse(session.started_at), name: "streaming_session", data: { type: "streaming_session_started", session: { ...start, status: "active" } } });
  }
  for (const p of patterns) {
    out.push({ t: Date.parse(p.timestamp), name: "streaming_pattern", data: { type: "streaming_pattern", detection: p, high_confidence: Boolean(p.high_confidence) } });
  }
  for (const a of alerts) {
    if (a.kind === "critical") {
      out.push({ t: Date.parse(a.timestamp), name: "critical_alert", data: { type: "critical_alert", alert: {
        severity: a.severity, message: a.message, timestamp: a.timestamp, component: a.component,
        action_required: a.action_required, resolved: Boolean(a.resolved) } } });
    } else {
      out.push({ t: Date.parse(a.timestamp), name: "indicator_alert", data: { type: "indicator_alert", alert: {
        symbol: a.symbol, alert_type: a.alert_type, timestamp: a.timestamp,
        data: { indicator: a.indicator, value: a.value, threshold: a.threshold } } } });
    }
  }
  if (session?.stopped_at) {
    out.push({ t: Date.parse(session.stopped_at), name: "streaming_session", data: { type: "streaming_session_stopped", session } });
  }
  return out.filter((e) => Number.isFinite(e.t)).sort((a, b) => a.t - b.t);
}

/**
 * @param {{events: Array<{t: number, name: string, data: any}>, apply: (name: string, data: any) => void,
 *   now: () => number, onProgress?: (simTime: number, done: boolean) => void}} deps
 */
export function createPlayback({ events, apply, now, onProgress }) {
  let index = 0;
  let speed = 1;
  let playing = false;
  let simTime = events.length ? events[0].t : 0;
  let lastReal = now();

  return {
    get index() {
      return index;
    },
    get simTime() {
      return simTime;
    },
    get done() {
      return index >= events.length;
    },
    get playing() {
      return playing;
    },
    /** @param {number} s */
    setSpeed(s) {
      speed = SPEEDS.includes(s) ? s : 1;
    },
    play() {
      playing = true;
      lastReal = now();
    },
    pause() {
      playing = false;
    },
    /** Advances the simulated clock and applies every due event; call from a timer. */
    tick() {
      const real = now();
      if (playing) simTime += (real - lastReal) * speed;
      lastReal = real;
      while (index < events.length && events[index].t <= simTime) {
        const e = events[index++];
        apply(e.name, e.data);
      }
      if (index >= events.length) playing = false;
      onProgress?.(simTime, index >= events.length);
    },
  };
}
