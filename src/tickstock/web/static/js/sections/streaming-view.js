/**
 * The Live Streaming panels, mounted from `#tpl-streaming` against ANY state: the live
 * section and history playback both use this, so playback shows exactly what live showed.
 */
import { createWatchlists } from "../grid-model.js";
import { make } from "../render/dom.js";
import { PANEL_SPECS } from "../panels.js";

/**
 * @param {HTMLElement} container
 * @param {import("../scope.js").Scope} scope
 * @param {{filters: () => import("../filters.js").Filters, autoScroll: () => boolean,
 *   now: () => number, openChart: (symbol: string) => void, showJson: (data: any) => void,
 *   requestRender: () => void, watchlists?: ReturnType<typeof createWatchlists>,
 *   onAcknowledge?: (component: string) => void, openSymbol?: (symbol: string) => void,
 *   onSelect?: (symbol: string) => void}} ctx  `requestRender`: a render not caused by an event
 * @param {ReadonlyArray<import("../panels.js").PanelSpec>} [specs]  the panels (panels.js)
 */
export function mountStreamingView(container, scope, ctx, specs = PANEL_SPECS) {
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
  const later = (fn, ms) => win.setTimeout(() => {
    if (!scope.disposed) fn();
  }, ms);
  const panelsEl = /** @type {HTMLElement} */ (root.querySelector("[data-panels]"));
  /** @type {Record<string, import("../panels.js").Panel>} */
  const panels = {};
  /** @type {Record<string, string[]>} */
  const triggers = {};
  for (const spec of specs) {
    if (!spec.create) continue;
    panels[spec.name] = spec.create(panelEl(spec.name) ?? slot(panelsEl, spec), { ...listCtx(spec.name), later });
    if (spec.triggers) triggers[spec.name] = spec.triggers;
  }

  scope.listen(panelsEl, "click", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const button = target.closest?.("[data-action]");
    if (!button) return;
    const listPanel = Object.values(panels).find((p) => p.rows?.container.contains(button));
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
    for (const spec of specs) if (spec.stars) again.add(spec.name);
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

/**
 * The `<article>` of a panel that has no slot in `#tpl-streaming`: its heading, labelled as
 * the declared ones are; the panel builds the rest.
 * @param {HTMLElement} panelsEl
 * @param {import("../panels.js").PanelSpec} spec
 */
function slot(panelsEl, spec) {
  const doc = panelsEl.ownerDocument;
  const article = make(doc, "article", "panel", undefined, { "data-panel": spec.name, "aria-labelledby": `p-${spec.name}` });
  article.append(make(doc, "h2", "", spec.label, { id: `p-${spec.name}` }));
  panelsEl.append(article);
  return article;
}
