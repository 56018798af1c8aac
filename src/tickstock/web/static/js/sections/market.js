/**
 * The Market section (`#/market`): the market grid on its own, as tall as the window —
 * every symbol of the universe with price, change, volume, indicators, latest pattern and
 * today's alerts; sort, filter, watchlists; a click opens the symbol's page (chart, grid row, today's patterns and alerts).
 */
import { downloadCsv } from "../csv.js";
import { createGrid } from "../render/grid.js";
import { make } from "../render/dom.js";

/** @param {import("../app.js").App} app @returns {import("../router.js").Section} */
export function marketSection(app) {
  return (container, scope) => {
    const doc = container.ownerDocument;
    const section = make(doc, "section", "section market-section", undefined, { "aria-labelledby": "market-title" });
    section.append(make(doc, "h1", "", "Market", { id: "market-title" }));
    const host = make(doc, "div", "grid-host grid-page");
    section.append(host);
    container.append(section);
    let again = false;
    const grid = createGrid(host, {
      now: app.now,
      openChart: app.openSymbol,
      rerender() {
        again = true;
        app.rerender();
      },
      later: (fn, ms) => app.win.setTimeout(() => {
        if (!scope.disposed) fn();
      }, ms),
      watchlists: app.watchlists,
      download: (text, name) => downloadCsv(doc, text, name),
      label: "Market grid: every symbol",
    });
    let first = true;
    scope.add(app.addView({
      render(state) {
        if (first || again || state.dirty.has("market")) grid.render(state);
        first = again = false;
      },
    }));
  };
}
