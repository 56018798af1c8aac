/**
 * The star beside a symbol link in the Live page's rows (patterns, indicators, alerts): it
 * adds the symbol to, or removes it from, the first watchlist (made on demand), as the
 * symbol page's star does. A real button (Tab, then Enter or Space), its state in
 * `aria-pressed` and in the glyph (★ / ☆) so it reads without colour; colours from the theme.
 */
import { make, setLabel, setText } from "./dom.js";

/** @typedef {ReturnType<typeof import("../grid-model.js").createWatchlists>} Watchlists */

/** @param {Document} doc */
export function makeStar(doc) {
  return make(doc, "button", "star row-star", "☆", { type: "button", "data-action": "watch", "aria-pressed": "false" });
}

/** @param {HTMLElement} button @param {string} symbol @param {boolean} watched */
export function paintStar(button, symbol, watched) {
  setText(button, watched ? "★" : "☆");
  const pressed = String(watched);
  if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
  setLabel(button, `${symbol} in the watchlist`);
}

/**
 * Keeps a list's stars current: a row's star is painted when the row is, and every star of
 * the list again after a watchlist changed (rows whose item did not change are not updated).
 * @param {HTMLElement} list @param {Watchlists} watchlists
 */
export function createStars(list, watchlists) {
  let paintedAt = watchlists.version;
  return {
    /** @param {HTMLElement} button @param {string} symbol */
    paint(button, symbol) {
      paintStar(button, symbol, watchlists.inFirst(symbol));
    },
    /** @param {(node: Node) => any} itemAt  the item a row's node shows */
    refresh(itemAt) {
      if (paintedAt === watchlists.version) return;
      paintedAt = watchlists.version;
      for (const button of list.querySelectorAll("[data-action=watch]")) {
        const item = itemAt(button);
        if (item) paintStar(/** @type {HTMLElement} */ (button), item.symbol, watchlists.inFirst(item.symbol));
      }
    },
  };
}
