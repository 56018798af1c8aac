/**
 * Batches DOM work per animation frame: events only mark state dirty and ask for a frame;
 * one render runs per frame whatever the event rate. Measures event → frame latency and
 * render time for `window.__tickstock` and the browser benchmark.
 *
 * A frame's list work is bounded (KeyedList.render's budget): a list brings its top rows —
 * more than it shows without scrolling — up to date in the frame, and rows further down
 * in the next frames (re-renders scheduled with `schedule(false)`, not counted as events).
 * An event's latency ends with the frame that shows it at the top of its list.
 */

const LATENCY_SAMPLES = 1024;

/**
 * @param {{requestFrame: (cb: (t: number) => void) => any, now: () => number,
 *   render: () => void}} deps
 */
export function createScheduler({ requestFrame, now, render }) {
  let pending = false;
  /** @type {number|null} time of the oldest event not yet rendered */
  let oldestPending = null;
  const latencies = new Float64Array(LATENCY_SAMPLES);
  const stats = { framesRendered: 0, lastRenderMs: 0, maxRenderMs: 0, lastLatencyMs: 0, latencySamples: 0 };

  function frame() {
    pending = false;
    const start = now();
    render();
    const end = now();
    stats.framesRendered++;
    stats.lastRenderMs = end - start;
    stats.maxRenderMs = Math.max(stats.maxRenderMs, stats.lastRenderMs);
    if (oldestPending !== null) {
      stats.lastLatencyMs = end - oldestPending;
      latencies[stats.latencySamples % LATENCY_SAMPLES] = stats.lastLatencyMs;
      stats.latencySamples++;
      oldestPending = null;
    }
  }

  return {
    stats,
    /**
     * Something changed: render on the next frame (once, however many calls).
     * @param {boolean} [fromEvent]  false for re-renders not caused by an event (debounce)
     */
    schedule(fromEvent = true) {
      if (fromEvent && oldestPending === null) oldestPending = now();
      if (!pending) {
        pending = true;
        requestFrame(frame);
      }
    },
    /** Recent event → rendered latencies (ms), oldest first. */
    latencies() {
      const n = Math.min(stats.latencySamples, LATENCY_SAMPLES);
      const out = [];
      for (let i = stats.latencySamples - n; i < stats.latencySamples; i++) out.push(latencies[i % LATENCY_SAMPLES]);
      return out;
    },
  };
}
