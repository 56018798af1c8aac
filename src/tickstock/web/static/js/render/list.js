/**
 * The list widgets: `KeyedList` (keyed, pooled row reuse with a work budget per render),
 * `ScrollWindow` (rows for the first pages only) and `createStreamList`, the stream lists'
 * shared part (patterns, alerts): the panel's `ol.stream`, empty note and "more" note, the
 * paused window, a bounded number of rows per frame, the jump back to the top when new
 * items arrive while auto-scroll is on, and the rows' watchlist stars (`stars.paint` from
 * a row's update, all refreshed after a render).
 */
import { setClass, setText } from "./dom.js";
import { createStars } from "./watch-star.js";

/** Rows from which a list surely fills its 420px (a row is at least 21px high). */
export const FULL_ROWS = 20;

/** Distance (px) from the end of the rows shown at which a scrolling reader gets more. */
const NEAR_END_PX = 200;

/**
 * How many of a long list's items have rows: a page (enough to fill the list) while the
 * reader is at the top, a page more each time they scroll near the end of what is shown.
 * Why: a scrolling list paints its whole content, and a new row at the top moves every row
 * below it; rows nobody scrolled to were most of a frame's style, layout and paint at
 * 500 events/s. A note under the list says how many are shown of how many.
 */
export class ScrollWindow {
  /**
   * @param {HTMLElement} list  the scrolling list
   * @param {HTMLElement|null} note  "20 of 50 shown · scroll for more", hidden when all are
   * @param {() => void} onResize  the window grew or shrank: render the list again
   * @param {number} [page]
   */
  constructor(list, note, onResize, page = FULL_ROWS) {
    this.page = page;
    this.size = page;
    this.total = 0;
    this.note = note;
    /** @type {unknown[]|null} the items last computed */
    this.frozen = null;
    // Read in the scroll event, where layout is already done: reading scroll positions in a
    // render would force a layout per frame.
    /** Whether the reader scrolled the list away from its top. */
    this.scrolledAway = false;
    list.addEventListener("scroll", () => {
      const top = list.scrollTop;
      this.scrolledAway = top > 0;
      let size = this.size;
      if (top <= 0) size = this.page;
      else if (size < this.total && top + list.clientHeight >= list.scrollHeight - NEAR_END_PX) size += this.page;
      if (size !== this.size) {
        this.size = size;
        onResize();
      }
    }, { passive: true });
  }

  /**
   * The list's items: `compute()` while live; paused, the ones it last showed (frozen), so a
   * scroll can still show more of them.
   * @template T
   * @param {boolean} paused
   * @param {() => T[]} compute
   * @returns {T[]}
   */
  items(paused, compute) {
    if (!paused || this.frozen === null) this.frozen = compute();
    return /** @type {T[]} */ (this.frozen);
  }

  /**
   * The items to give rows now, top first.
   * @template T
   * @param {T[]} items  all the list's items, in display order
   * @returns {T[]}
   */
  take(items) {
    this.total = items.length;
    const shown = items.length > this.size ? items.slice(0, this.size) : items;
    if (this.note) {
      const more = shown.length < items.length;
      if (this.note.hidden === more) this.note.hidden = !more;
      if (more) setText(this.note, `${shown.length} of ${items.length} shown · scroll for more`);
    }
    return shown;
  }
}

/**
 * A list whose rows are keyed and reused: rows for items still present keep their node
 * (and their open/closed state), new items take a pooled node, and only moved rows are
 * re-inserted. Work per render is O(rows shown), never O(events).
 * @template T
 */
export class KeyedList {
  /**
   * @param {HTMLElement} container
   * @param {{create: () => HTMLElement, update: (row: HTMLElement, item: T, fresh: boolean) => void,
   *   key: (item: T) => string, version?: (item: T) => unknown}} spec
   *   `version`: what a row shows of its item (default: the item itself); a row whose
   *   item and version did not change is not updated again (no formatting per frame).
   */
  constructor(container, spec) {
    this.container = container;
    this.spec = spec;
    /** @type {Map<string, HTMLElement>} */
    this.rows = new Map();
    /** @type {WeakMap<HTMLElement, T>} */
    this.itemOf = new WeakMap();
    /** @type {WeakMap<HTMLElement, unknown>} */
    this.versionOf = new WeakMap();
    /** @type {HTMLElement[]} */
    this.pool = [];
  }

  /**
   * Brings the rows to `items`, top first. At most `budget` rows are built, updated or moved
   * in one call: beyond it the rest of the list keeps its rows as they are (still wanted,
   * still in order, only not yet the newest) and the call returns false, so the caller
   * renders again next frame. A budget of at least the rows a list shows without scrolling
   * keeps every visible row current while bounding a frame's work at any event rate.
   * @param {T[]} items  in display order
   * @param {number} [budget]
   * @returns {boolean} true when the rows show `items` exactly
   */
  render(items, budget = Infinity) {
    // Enough rows to fill the list's max-height: the CSS then fixes its height (a relayout
    // boundary, see app.css `.stream.is-full`), which changes nothing on screen.
    setClass(this.container, "is-full", items.length >= FULL_ROWS);
    const key = this.spec.key;
    const wanted = new Set();
    for (const item of items) wanted.add(key(item));
    for (const [k, row] of this.rows) {
      if (!wanted.has(k)) {
        row.remove();
        this.rows.delete(k);
        this.itemOf.delete(row);
        this.pool.push(row);
      }
    }
    let work = 0;
    let cursor = this.container.firstChild;
    for (const item of items) {
      const k = key(item);
      let row = this.rows.get(k);
      const version = this.spec.version ? this.spec.version(item) : item;
      const stale = !row || this.itemOf.get(row) !== item || this.versionOf.get(row) !== version;
      if ((stale || row !== cursor) && work >= budget) return false;
      let fresh = false;
      if (!row) {
        row = this.pool.pop() || this.spec.create();
        this.rows.set(k, row);
        fresh = true;
      }
      if (stale) {
        this.itemOf.set(row, item);
        this.versionOf.set(row, version);
        this.spec.update(row, item, fresh);
      }
      if (row === cursor) {
        cursor = cursor.nextSibling;
        if (stale) work++;
      } else {
        this.container.insertBefore(row, cursor);
        work++;
      }
    }
    return true;
  }

  /** The item a row (or a node inside it) shows. @param {Node|null} node */
  itemAt(node) {
    let el = /** @type {Node|null} */ (node);
    while (el && el !== this.container) {
      if (el.parentNode === this.container) return this.itemOf.get(/** @type {HTMLElement} */ (el));
      el = el.parentNode;
    }
    return undefined;
  }
}

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
