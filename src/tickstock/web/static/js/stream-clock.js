/**
 * The stream's clock: "now" for durations, following the stream's own time when it runs
 * far from the wall clock (an accelerated demo or a replay).
 */

/** @typedef {import("./state.js").State} State */

/**
 * How far the stream's clock may drift from the wall clock and still count as live time:
 * beyond it (an accelerated or replayed session) durations follow the stream's own time.
 */
export const STREAM_CLOCK_TOLERANCE_MS = 10 * 60 * 1000;

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
