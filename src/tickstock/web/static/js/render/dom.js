/**
 * The only way panels create DOM: elements with text set through `textContent` and
 * attributes through `setAttribute` — never HTML strings, so event text cannot become markup.
 */

/**
 * @param {Document} doc
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 * @param {Record<string, string>} [attrs]
 */
export function make(doc, tag, className, text, attrs) {
  const el = doc.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  if (attrs) for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  return el;
}

/** Sets text only when it changed (cheap re-renders of reused nodes). @param {Node} el @param {string} text */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** @param {Element} el @param {string} name @param {boolean} on */
export function setClass(el, name, on) {
  if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
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

  /** @param {T[]} items  in display order */
  render(items) {
    const wanted = new Set(items.map(this.spec.key));
    for (const [key, row] of this.rows) {
      if (!wanted.has(key)) {
        row.remove();
        this.rows.delete(key);
        this.itemOf.delete(row);
        this.pool.push(row);
      }
    }
    let cursor = this.container.firstChild;
    for (const item of items) {
      const key = this.spec.key(item);
      let row = this.rows.get(key);
      let fresh = false;
      if (!row) {
        row = this.pool.pop() || this.spec.create();
        this.rows.set(key, row);
        fresh = true;
      }
      const version = this.spec.version ? this.spec.version(item) : item;
      if (fresh || this.itemOf.get(row) !== item || this.versionOf.get(row) !== version) {
        this.itemOf.set(row, item);
        this.versionOf.set(row, version);
        this.spec.update(row, item, fresh);
      }
      if (row === cursor) cursor = cursor.nextSibling;
      else this.container.insertBefore(row, cursor);
    }
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
