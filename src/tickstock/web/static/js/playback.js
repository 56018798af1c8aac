/**
 * Replays a past session's events at 1x / 10x / 60x into a store, through the same
 * `applyEvent` as live. Time is simulated from the events' own timestamps: each tick
 * advances the simulated clock by (real elapsed × speed) and applies what is due.
 */

export const SPEEDS = Object.freeze([1, 10, 60]);

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
