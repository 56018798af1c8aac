/**
 * The Live Streaming panels, one line each: the registry the live section, history playback
 * and the layout settings read, so that a new panel is its renderer, one line here and its
 * test.
 *
 * A line: `name` (its `data-panel`, its key in the saved layout), `label` (heading and the
 * settings' name for it), `create(el, ctx)` → `{render(state)}` (none: another section mounts
 * it, as the live chart), `triggers` (the `state.dirty` names that render it; default its
 * name) and `stars` (it shows watchlist stars, painted again when a list changes). A panel
 * without a slot in `#tpl-streaming` gets `<article class="panel" data-panel=name>` with an
 * `<h2>` of its label, and builds the rest itself.
 */
import { downloadCsv } from "./csv.js";
import { createAlertsPanel } from "./render/alerts.js";
import { createCriticalListPanel } from "./render/critical-list.js";
import { createGrid } from "./render/grid.js";
import { createHealthPanel } from "./render/health.js";
import { createIndicatorsPanel } from "./render/indicators.js";
import { createMetricsPanel } from "./render/metrics.js";
import { createPatternsPanel } from "./render/patterns.js";
import { createSessionPanel } from "./render/session.js";

/**
 * @typedef {{render: (state: import("./state.js").State) => boolean|void, rows?: any}} Panel
 * @typedef {{name: string, label: string, create?: (el: HTMLElement, ctx: any) => Panel,
 *   triggers?: string[], stars?: boolean}} PanelSpec
 */

/** @type {ReadonlyArray<PanelSpec>} in the default layout's order */
export const PANEL_SPECS = Object.freeze([
  { name: "session", label: "Session", create: createSessionPanel },
  { name: "metrics", label: "Metrics", create: createMetricsPanel },
  { name: "critical", label: "Critical alerts", create: (el, ctx) => createCriticalListPanel(el, { onAcknowledge: ctx.onAcknowledge ?? (() => {}) }) },
  { name: "market", label: "Market", create: marketGrid, stars: true },
  { name: "chart", label: "Chart" },  // mounted by the live section (sections/streaming.js)
  { name: "patterns", label: "Pattern stream", create: createPatternsPanel, stars: true },
  { name: "indicators", label: "Indicators", create: createIndicatorsPanel, stars: true },
  { name: "alerts", label: "Indicator alerts", create: createAlertsPanel, stars: true },
  // The health panel also depends on app status (stale engine) and the ingest counts.
  { name: "health", label: "System health", create: createHealthPanel, triggers: ["health", "appStatus", "session", "metrics"] },
]);

/** The market grid in its panel's `.grid-host`. */
function marketGrid(el, ctx) {
  return createGrid(/** @type {HTMLElement} */ (el.querySelector(".grid-host")), {
    now: ctx.now,
    openChart: ctx.openSymbol ?? ctx.openChart,
    rerender: ctx.rerender,
    later: ctx.later,
    watchlists: ctx.watchlists,
    download: (text, name) => downloadCsv(el.ownerDocument, text, name),
    onSelect: (symbol) => ctx.onSelect?.(symbol),
  });
}
