/**
 * System health: status, data flow, resource usage and issues — or why there is none:
 * "Waiting for streaming data", "Session Stopped", "Stale" (no health for 3 intervals).
 * Below the status, the app's own ingest line: messages rejected and values normalised.
 */
import { healthState } from "../selectors.js";
import { formatNumber, setTime } from "../format.js";
import { make, setClass, setText } from "./dom.js";
import { fieldsOf } from "./fields.js";

const STATE_TEXT = {
  waiting: "Waiting for streaming data",
  stopped: "Session Stopped",
  stale: "Stale: no health report from the engine for 3 intervals",
};

/** @param {HTMLElement} root */
export function createHealthPanel(root) {
  const doc = root.ownerDocument;
  const f = fieldsOf(root);
  return {
    /** @param {import("../state.js").State} state */
    render(state) {
      const view = healthState(state);
      const h = state.health;
      const status = view === "live" ? String(h.status) : view;
      f.badge.className = `badge health-badge health-${status}`;
      setText(f.badge, view === "live" ? status : view === "waiting" ? "waiting" : view);
      setText(f.message, view === "live" ? `Engine ${status}` : STATE_TEXT[view]);
      f.details.hidden = !h || view === "waiting";
      setClass(root, "is-stale", view === "stale");
      renderIngest(f.ingest, state.serverMetrics);
      if (!h) return;
      setTime(f.time, h.timestamp);
      setText(f.connection, String(h.connection_status ?? "—"));
      setText(f.activeSymbols, formatNumber(h.active_symbols, 0));
      setText(f.ticks, formatNumber(h.data_flow?.ticks_per_second, 1));
      setText(f.bars, formatNumber(h.data_flow?.bars_per_minute, 0));
      setText(f.lag, `${formatNumber(h.data_flow?.processing_lag_ms, 0)} ms`);
      setText(f.cpu, `${formatNumber(h.resource_usage?.cpu_percent, 1)} %`);
      setText(f.memory, `${formatNumber(h.resource_usage?.memory_mb, 0)} MB`);
      setText(f.threads, formatNumber(h.resource_usage?.threads_active, 0));
      const issues = Array.isArray(h.issues) ? h.issues : [];
      f.issues.replaceChildren(...issues.slice(0, 20).map((issue) =>
        make(doc, "li", "", typeof issue === "string" ? issue : String(issue?.message ?? ""))));
      setText(f.issuesEmpty, issues.length ? "" : "No issues reported.");
    },
  };
}

/**
 * "Ingest: 3 rejected · 12 normalised" from the server's metrics; hidden until it sent them.
 * @param {HTMLElement|undefined} el @param {Record<string, number>|null} metrics
 */
export function renderIngest(el, metrics) {
  if (!el) return;
  const known = !!metrics && (typeof metrics.rejects === "number" || typeof metrics.normalised === "number");
  el.hidden = !known;
  if (!known) return;
  setText(el, `Ingest: ${formatNumber(metrics.rejects ?? 0, 0)} rejected · ${formatNumber(metrics.normalised ?? 0, 0)} normalised`);
}
