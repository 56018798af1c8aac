/**
 * The Live Streaming panels, mounted from `#tpl-streaming` against ANY state: the live
 * section and history playback both use this, so playback shows exactly what live showed.
 */
import { downloadCsv } from "../csv.js";
import { createWatchlists } from "../grid-model.js";
import { createAlertsPanel } from "../render/alerts.js";
import { createCriticalListPanel } from "../render/critical-list.js";
import { createGrid } from "../render/grid.js";
import { createHealthPanel } from "../render/health.js";
import { createIndicatorsPanel } from "../render/indicators.js";
import { createMetricsPanel } from "../render/metrics.js";
import { createPatternsPanel } from "../render/patterns.js";
import { createSessionPanel } from "../render/session.js";

/**
 * @param {HTMLElement} container
 * @param {import("../scope.js").Scope} scope
 * @param {{filters: () => import("../filters.js").Filters, autoScroll: () => boolean,
 *   now: () => number, openChart: (symbol: string) => void, showJson: (data: any) => void,
 *   requestRender: () => void, watchlists?: ReturnType<typeof createWatchlists>,
 *   onAcknowledge?: (component: string) => void, openSymbol?: (symbol: string) => void,
 *   onSelect?: (symbol: string) => void}} ctx  `requestRender`: a render not caused by an event
 */
export function mountStreamingView(container, scope, ctx) {
  const doc = container.ownerDocument;
  const tpl = /** @type {HTMLTemplateElement} */ (doc.getElementById("tpl-streaming"));
  const root = /** @type {HTMLElement} */ (tpl.content.firstElementChild.cloneNode(true));
  container.append(root);
  const panelEl = (name) => /** @type {HTMLElement} */ (root.querySelector(`[data-panel="${name}"]`));
  /** Panels to render again though no event changed them (a list's window was scrolled). */
  const again = new Set();
  /** @param {string} name */
  const watchlists = ctx.watchlists ?? createWatchlists(null);
  const listCtx = (name) => ({
    ...ctx,
    watchlists,
    rerender() {
      again.add(name);
      ctx.requestRender();
    },
  });
  const win = /** @type {Window & typeof globalThis} */ (doc.defaultView);
  const panels = {
    session: createSessionPanel(panelEl("session"), ctx),
    critical: createCriticalListPanel(panelEl("critical"), { onAcknowledge: ctx.onAcknowledge ?? (() => {}) }),
    market: createGrid(/** @type {HTMLElement} */ (panelEl("market").querySelector(".grid-host")), {
      now: ctx.now,
      openChart: ctx.openSymbol ?? ctx.openChart,
      rerender: listCtx("market").rerender,
      later: (fn, ms) => win.setTimeout(() => {
        if (!scope.disposed) fn();
      }, ms),
      watchlists,
      download: (text, name) => downloadCsv(doc, text, name),
      onSelect: (symbol) => ctx.onSelect?.(symbol),
    }),
    metrics: createMetricsPanel(panelEl("metrics"), ctx),
    patterns: createPatternsPanel(panelEl("patterns"), listCtx("patterns")),
    indicators: createIndicatorsPanel(panelEl("indicators"), listCtx("indicators")),
    alerts: createAlertsPanel(panelEl("alerts"), listCtx("alerts")),
    health: createHealthPanel(panelEl("health")),
  };
  // The health panel also depends on app status (stale engine) and the ingest counts.
  const triggers = { health: ["health", "appStatus", "session", "metrics"], session: ["session"] };

  const panelsEl = /** @type {HTMLElement} */ (root.querySelector("[data-panels]"));
  scope.listen(panelsEl, "click", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const button = target.closest?.("[data-action]");
    if (!button) return;
    const listPanel = [panels.patterns, panels.alerts, panels.indicators].find((p) => p.rows.container.contains(button));
    const item = listPanel?.rows.itemAt(button);
    if (!item) return;
    event.preventDefault();
    const action = button.getAttribute("data-action");
    if (action === "chart") ctx.openChart(item.symbol);
    else if (action === "watch") watchlists.toggleInFirst(item.symbol);
    else ctx.showJson(item.raw);
  });
  // A star anywhere on the page (a row's, the grid's) changed a list: every panel
  // with stars paints them again, the grid its lists and rows.
  scope.add(watchlists.subscribe(() => {
    for (const name of ["market", "patterns", "indicators", "alerts"]) again.add(name);
    ctx.requestRender();
  }));

  return {
    root,
    panelsEl,
    panels,
    /**
     * Renders the dirty panels; returns the names that asked to stay dirty (debounced).
     * @param {import("../state.js").State} state
     * @param {boolean} [all]
     */
    render(state, all = false) {
      const kept = [];
      for (const [name, panel] of Object.entries(panels)) {
        const names = triggers[name] || [name];
        if (all || again.has(name) || names.some((n) => state.dirty.has(n))) {
          if (panel.render(state) === false) kept.push(name);
        }
      }
      again.clear();
      return kept;
    },
  };
}
