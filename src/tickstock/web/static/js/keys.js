/**
 * Keyboard shortcuts. One table drives both the key handling and the help overlay (`?`),
 * so the overlay can never list a shortcut that does not exist.
 */

/** @typedef {{key: string, label: string, action: string}} Shortcut */

/** @type {ReadonlyArray<Shortcut>} */
export const SHORTCUTS = Object.freeze([
  { key: "?", label: "Show or hide this help", action: "help" },
  { key: "1", label: "Live Streaming", action: "route:streaming" },
  { key: "2", label: "Pattern history", action: "route:history" },
  { key: "3", label: "Alerts", action: "route:alerts" },
  { key: "4", label: "Sessions", action: "route:sessions" },
  { key: "5", label: "Settings", action: "route:settings" },
  { key: "p", label: "Pause or resume the streams", action: "pause" },
  { key: "s", label: "Auto-scroll on or off", action: "autoscroll" },
  { key: "r", label: "Refresh status now", action: "refresh" },
  { key: "t", label: "Switch theme (system, light, dark)", action: "theme" },
  { key: "/", label: "Search by symbol", action: "search" },
  { key: "Escape", label: "Close the open dialog", action: "close" },
]);

/** Whether a key event comes from a text field (shortcuts must not steal typing). */
function typing(event) {
  const el = /** @type {HTMLElement|null} */ (event.target);
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  return tag === "textarea" || tag === "select" || el.isContentEditable
    || (tag === "input" && !["checkbox", "radio", "button", "range"].includes(/** @type {HTMLInputElement} */ (el).type));
}

/**
 * The action for a keydown, or null.
 * @param {KeyboardEvent} event
 */
export function actionFor(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (event.key !== "Escape" && typing(event)) return null;
  const shortcut = SHORTCUTS.find((s) => s.key === event.key);
  return shortcut ? shortcut.action : null;
}

/**
 * Fills a help list with the shortcut table.
 * @param {HTMLElement} list  a <dl>
 */
export function renderHelp(list) {
  const doc = list.ownerDocument;
  list.replaceChildren();
  for (const s of SHORTCUTS) {
    const dt = doc.createElement("dt");
    const kbd = doc.createElement("kbd");
    kbd.textContent = s.key;
    dt.append(kbd);
    const dd = doc.createElement("dd");
    dd.textContent = s.label;
    list.append(dt, dd);
  }
}
