/**
 * Hash routes (`#/streaming`, `#/market`, `#/history`, `#/alerts`, `#/sessions`, `#/settings`,
 * `#/chart/SYMBOL`, `#/symbol/SYMBOL`). Each section is `mount(container, scope, params)`; leaving a route
 * disposes its Scope, which removes every listener and timer the section registered.
 */
import { Scope } from "./scope.js";

export const DEFAULT_ROUTE = "streaming";

/**
 * @param {string} hash  e.g. "#/chart/NVDA"
 * @returns {{name: string, params: string[]}}
 */
export function parseHash(hash) {
  const parts = String(hash || "").replace(/^#\/?/, "").split("/").filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { name: parts[0] || DEFAULT_ROUTE, params: parts.slice(1) };
}

/** @param {string} name @param {...string} params */
export function hrefFor(name, ...params) {
  return `#/${[name, ...params].map(encodeURIComponent).join("/")}`;
}

/**
 * @typedef {(container: HTMLElement, scope: Scope, params: string[]) => void} Section
 * @param {{window: Window, outlet: HTMLElement, sections: Record<string, Section>,
 *   onChange?: (route: {name: string, params: string[]}) => void}} deps
 */
export function createRouter({ window: win, outlet, sections, onChange }) {
  /** @type {Scope|null} */
  let current = null;
  let route = { name: "", params: /** @type {string[]} */ ([]) };

  function show() {
    let next = parseHash(win.location.hash);
    if (!sections[next.name]) next = { name: DEFAULT_ROUTE, params: [] };
    if (current) current.dispose();
    outlet.replaceChildren();
    current = new Scope();
    route = next;
    sections[next.name](outlet, current, next.params);
    onChange?.(next);
  }

  win.addEventListener("hashchange", show);
  show();

  return {
    get route() {
      return route;
    },
    /** @param {string} name @param {...string} params */
    go(name, ...params) {
      win.location.hash = hrefFor(name, ...params);
    },
    destroy() {
      win.removeEventListener("hashchange", show);
      current?.dispose();
      current = null;
    },
  };
}
