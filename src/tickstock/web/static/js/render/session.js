/**
 * Session indicator: a dot that pulses while a session is active (green) and turns red when
 * stopped; universe, start time, live duration, and the final counts at the close.
 */
import { formatDuration, formatNumber, setTime } from "../format.js";
import { sessionSeconds } from "../selectors.js";
import { createStreamClock } from "../stream-clock.js";
import { setClass, setText } from "./dom.js";
import { fieldsOf } from "./fields.js";

/** @param {HTMLElement} root @param {{now: () => number}} ctx */
export function createSessionPanel(root, ctx) {
  const f = fieldsOf(root);
  const clock = createStreamClock();
  return {
    /** @param {import("../state.js").State} state */
    render(state) {
      const s = state.session;
      const status = !s ? "none" : s.status === "stopped" ? "stopped" : "active";
      setClass(f.dot, "is-active", status === "active");
      setClass(f.dot, "is-stopped", status !== "active");
      setText(f.status, status === "active" ? "Session active" : status === "stopped" ? "Session stopped" : "No session yet");
      setText(f.universe, s?.universe ? String(s.universe) : "—");
      setText(f.sessionId, s?.session_id ? String(s.session_id) : "—");
      setText(f.symbols, s?.symbol_count !== undefined ? formatNumber(s.symbol_count, 0) : "—");
      setTime(f.started, s?.started_at ?? null);
      const seconds = sessionSeconds(state, clock.now(state, ctx.now()));
      setText(f.duration, seconds === null ? "—" : formatDuration(seconds));
      f.final.hidden = status !== "stopped";
      if (status === "stopped") {
        setTime(f.stopped, s.stopped_at ?? null);
        setText(f.totalPatterns, formatNumber(s.total_patterns, 0));
        setText(f.totalIndicators, formatNumber(s.total_indicators, 0));
      }
    },
  };
}
