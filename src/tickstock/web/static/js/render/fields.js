/** Looks up a panel's `[data-field]` elements once, so renders never query the DOM. */

/**
 * @param {HTMLElement} root
 * @returns {Record<string, HTMLElement>}
 */
export function fieldsOf(root) {
  /** @type {Record<string, HTMLElement>} */
  const fields = {};
  for (const el of root.querySelectorAll("[data-field]")) fields[/** @type {HTMLElement} */ (el).dataset.field] = /** @type {HTMLElement} */ (el);
  return fields;
}
