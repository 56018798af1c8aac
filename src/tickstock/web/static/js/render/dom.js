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

/**
 * Sets text only when it changed (cheap re-renders of reused nodes). An element holding one
 * text node gets that node's `data` rewritten: `textContent =` would replace the node, and a
 * removed and inserted node costs style and layout work that a changed text does not (the
 * grid's cells and the lists' rows, many times a second; seen in a Chrome trace).
 * @param {Node} el @param {string} text
 */
export function setText(el, text) {
  const only = el.firstChild;
  if (only !== null && only === el.lastChild && only.nodeType === 3 && text !== "") {
    if (/** @type {Text} */ (only).data !== text) /** @type {Text} */ (only).data = text;
  } else if (el.textContent !== text) el.textContent = text;
}

/** Sets `aria-label` only when it changed. @param {Element} el @param {string} label */
export function setLabel(el, label) {
  if (el.getAttribute("aria-label") !== label) el.setAttribute("aria-label", label);
}

/** @param {Element} el @param {string} name @param {boolean} on */
export function setClass(el, name, on) {
  if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
}
