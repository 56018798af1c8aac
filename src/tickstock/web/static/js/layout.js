/**
 * Which Live Streaming panels show and in what order, persisted in localStorage. Pure
 * functions on a layout object plus `applyLayout`, which reorders and hides DOM panels
 * marked `data-panel`.
 */
import { PANEL_SPECS } from "./panels.js";

export const LAYOUT_KEY = "tickstock.layout";
/** The panels' order before the reader changes it: the registry's (panels.js). */
export const DEFAULT_ORDER = Object.freeze(PANEL_SPECS.map((spec) => spec.name));
export const PANEL_LABELS = Object.freeze(Object.fromEntries(PANEL_SPECS.map((spec) => [spec.name, spec.label])));

/** @typedef {{order: string[], hidden: string[]}} Layout */

/** @param {Storage|null} storage @returns {Layout} */
export function loadLayout(storage) {
  let saved = null;
  try {
    saved = JSON.parse(storage?.getItem(LAYOUT_KEY) || "null");
  } catch {
    saved = null;
  }
  return normaliseLayout(saved);
}

/** Keeps known panels only, appends panels missing from a saved order. @returns {Layout} */
export function normaliseLayout(value) {
  const order = Array.isArray(value?.order) ? value.order.filter((id) => DEFAULT_ORDER.includes(id)) : [];
  // A panel new since the order was saved goes where the default order puts it.
  DEFAULT_ORDER.forEach((id, i) => {
    if (order.includes(id)) return;
    const before = DEFAULT_ORDER.slice(0, i).reverse().find((prev) => order.includes(prev));
    order.splice(before === undefined ? 0 : order.indexOf(before) + 1, 0, id);
  });
  const hidden = Array.isArray(value?.hidden) ? value.hidden.filter((id) => DEFAULT_ORDER.includes(id)) : [];
  return { order: [...new Set(order)], hidden: [...new Set(hidden)] };
}

/** @param {Storage|null} storage @param {Layout} layout */
export function saveLayout(storage, layout) {
  try {
    storage?.setItem(LAYOUT_KEY, JSON.stringify(layout));
  } catch {
    // Not persisted (storage disabled); the layout still applies to this page.
  }
}

/** @param {Layout} layout @param {string} id @param {-1|1} delta @returns {Layout} */
export function movePanel(layout, id, delta) {
  const order = [...layout.order];
  const i = order.indexOf(id);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= order.length) return layout;
  [order[i], order[j]] = [order[j], order[i]];
  return { ...layout, order };
}

/** @param {Layout} layout @param {string} id @param {boolean} visible @returns {Layout} */
export function setPanelVisible(layout, id, visible) {
  const hidden = layout.hidden.filter((h) => h !== id);
  if (!visible) hidden.push(id);
  return { ...layout, hidden };
}

/**
 * Reorders `container`'s `[data-panel]` children and hides the hidden ones.
 * @param {HTMLElement} container
 * @param {Layout} layout
 */
export function applyLayout(container, layout) {
  for (const id of layout.order) {
    const panel = /** @type {HTMLElement|null} */ (container.querySelector(`:scope > [data-panel="${id}"]`));
    if (!panel) continue;
    container.append(panel);
    panel.hidden = layout.hidden.includes(id);
  }
}
