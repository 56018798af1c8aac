/**
 * The plan's four metrics (active symbols, events/s, patterns detected, indicator alerts),
 * debounced: at most one text update per `minIntervalMs`, however fast events arrive.
 */
import { displayMetrics } from "../selectors.js";
import { formatNumber } from "../format.js";
import { setText } from "./dom.js";
import { fieldsOf } from "./fields.js";

export const METRICS_MIN_INTERVAL_MS = 250;

/** @param {HTMLElement} root @param {{now: () => number, minIntervalMs?: number}} ctx */
export function createMetricsPanel(root, ctx) {
  const f = fieldsOf(root);
  const interval = ctx.minIntervalMs ?? METRICS_MIN_INTERVAL_MS;
  let last = -Infinity;
  return {
    /**
     * @param {import("../state.js").State} state
     * @returns {boolean|void} false when debounced (the caller keeps the panel dirty)
     */
    render(state) {
      const t = ctx.now();
      if (t - last < interval) return false;
      last = t;
      const m = displayMetrics(state);
      setText(f.activeSymbols, formatNumber(m.active_symbols, 0));
      setText(f.eventsPerSecond, formatNumber(m.events_per_second, 1));
      setText(f.patternsDetected, formatNumber(m.patterns_detected, 0));
      setText(f.indicatorAlerts, formatNumber(m.indicator_alerts, 0));
    },
  };
}
