/**
 * The stream lists' shared part (patterns, alerts): the panel's `ol.stream`, empty note and
 * "more" note, the paused window (ScrollWindow), a bounded number of rows per frame, and
 * the jump back to the top when new items arrive while auto-scroll is on, and the rows'
 * watchlist stars (`stars.paint` from a row's update, all refreshed after a render).
 */
import { KeyedList, ScrollWindow, setText } from "./dom.js";
import { createStars } from "./watch-star.js";

/**
 * @param {HTMLElement} root  the panel (contains `ol.stream`, `.empty` and `.more`)
 * @param {{autoScroll: () => boolean, rerender: () => void,
 *   watchlists: import("./watch-star.js").Watchlists}} ctx
 * @param {ConstructorParameters<typeof KeyedList>[1]} rowSpec  how a row is keyed, built and updated
 * @param {number} rowsPerFrame  rows built, updated or moved per frame at most
 */
export function createStreamList(root, ctx, rowSpec, rowsPerFrame) {
  const list = /** @type {HTMLElement} */ (root.querySelector("ol.stream"));
  const empty = /** @type {HTMLElement} */ (root.querySelector(".empty"));
  const note = /** @type {HTMLElement} */ (root.querySelector(".more"));
  const shown = new ScrollWindow(list, note, ctx.rerender);
  const stars = createStars(list, ctx.watchlists);
  const rows = new KeyedList(list, rowSpec);
  let lastTopKey = "";

  return {
    rows,
    stars,
    /**
     * Renders the items `select` returns (kept as they were while paused).
     * @param {import("../state.js").State} state
     * @param {() => any[]} select  the items to show, newest first
     * @param {() => string} emptyText  why the list is empty
     * @returns {false|undefined}  false: rows left for the next frame, stay dirty
     */
    render(state, select, emptyText) {
      const items = shown.items(state.paused, select);
      const complete = rows.render(shown.take(items), rowsPerFrame);
      stars.refresh((node) => rows.itemAt(node));
      if (state.paused) return complete ? undefined : false;
      empty.hidden = items.length > 0;
      if (!items.length) setText(empty, emptyText());
      const top = items[0]?.key ?? "";
      if (top !== lastTopKey && shown.scrolledAway && ctx.autoScroll()) {
        list.scrollTop = 0;
        shown.scrolledAway = false;
      }
      lastTopKey = top;
      // Rows left for the next frame: stay dirty (re-rendered without counting as an event).
      if (!complete) return false;
    },
  };
}
