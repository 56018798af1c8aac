/**
 * Settings: theme, sounds per alert class, desktop notifications, debug mode, panel layout
 * (show, hide, reorder; persisted), the access token, and the server's STREAMING_* settings.
 */
import { DEFAULT_ORDER, movePanel, PANEL_LABELS, setPanelVisible } from "../layout.js";
import { make } from "../render/dom.js";
import { SOUND_CLASSES } from "../sound.js";
import { heading } from "./history.js";

/** @param {any} app @returns {import("../router.js").Section} */
export function settingsSection(app) {
  return (container, scope) => {
    const doc = container.ownerDocument;
    const section = heading(doc, "Settings");
    container.append(section);
    const group = (title) => {
      const fs = make(doc, "fieldset", "settings-group");
      fs.append(make(doc, "legend", "", title));
      section.append(fs);
      return fs;
    };
    const checkbox = (parent, text, checked, onChange) => {
      const label = make(doc, "label", "check");
      const input = /** @type {HTMLInputElement} */ (make(doc, "input", "", undefined, { type: "checkbox" }));
      input.checked = checked;
      scope.listen(input, "change", () => onChange(input.checked, input));
      label.append(input, doc.createTextNode(` ${text}`));
      parent.append(label);
      return input;
    };

    const sounds = group("Alert sounds (opt-in)");
    const soundNames = { critical: "Critical alerts", bullish: "Bullish indicator alerts", bearish: "Bearish indicator alerts", pattern: "Every pattern" };
    for (const cls of SOUND_CLASSES) {
      checkbox(sounds, soundNames[cls], app.sound.isEnabled(cls), (on) => {
        app.sound.setEnabled(cls, on);
        if (on) app.sound.play(cls);
      });
    }

    const notes = group("Desktop notifications");
    if (app.notifier.supported) {
      checkbox(notes, "Notify me of critical and indicator alerts", app.notifier.enabled, async (on, input) => {
        input.checked = await app.notifier.setEnabled(on);
      });
    } else notes.append(make(doc, "p", "muted", "This browser does not support desktop notifications."));

    const diagnostics = group("Diagnostics");
    checkbox(diagnostics, "Debug mode: log connection changes and every received event to the browser console", app.diagnostics.debug, (on) => {
      app.diagnostics.setDebug(on);
    });

    const layout = group("Live Streaming panels");
    const list = make(doc, "ol", "layout-list");
    layout.append(list);
    const renderLayout = () => {
      list.replaceChildren(...app.layout.order.map((id, i) => {
        const li = make(doc, "li");
        const label = make(doc, "label", "check");
        const box = /** @type {HTMLInputElement} */ (make(doc, "input", "", undefined, { type: "checkbox", "data-panel-toggle": id }));
        box.checked = !app.layout.hidden.includes(id);
        label.append(box, doc.createTextNode(` ${PANEL_LABELS[id]}`));
        const up = /** @type {HTMLButtonElement} */ (make(doc, "button", "", "Up", { type: "button", "data-move": id, "data-delta": "-1", "aria-label": `Move ${PANEL_LABELS[id]} up` }));
        const down = /** @type {HTMLButtonElement} */ (make(doc, "button", "", "Down", { type: "button", "data-move": id, "data-delta": "1", "aria-label": `Move ${PANEL_LABELS[id]} down` }));
        up.disabled = i === 0;
        down.disabled = i === DEFAULT_ORDER.length - 1;
        li.append(label, up, down);
        return li;
      }));
    };
    scope.listen(list, "change", (event) => {
      const box = /** @type {HTMLInputElement} */ (event.target);
      const id = box.getAttribute("data-panel-toggle");
      if (id) app.setLayout(setPanelVisible(app.layout, id, box.checked));
    });
    scope.listen(list, "click", (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest?.("[data-move]");
      if (!button) return;
      app.setLayout(movePanel(app.layout, button.getAttribute("data-move"), Number(button.getAttribute("data-delta"))));
      renderLayout();
      /** @type {HTMLElement|null} */ (list.querySelector(`[data-move="${button.getAttribute("data-move")}"][data-delta="${button.getAttribute("data-delta")}"]`))?.focus();
    });
    renderLayout();

    const access = group("Access token");
    access.append(make(doc, "p", "muted", "Needed only when the server has TICKSTOCK_AUTH_TOKEN set. Kept for this browser tab only."));
    const form = make(doc, "form");
    const token = /** @type {HTMLInputElement} */ (make(doc, "input", "", undefined, { type: "password", autocomplete: "off", "aria-label": "Access token" }));
    form.append(token, make(doc, "button", "", "Save and reconnect", { type: "submit" }));
    access.append(form);
    scope.listen(form, "submit", (event) => {
      event.preventDefault();
      app.setToken(token.value.trim());
      token.value = "";
    });

    const server = group("Server settings (STREAMING_*)");
    const dl = make(doc, "dl", "facts");
    server.append(dl);
    // Redrawn when the server's settings arrive (the snapshot comes after a direct load or a
    // reload on this page) or change; until then the built-in defaults are shown.
    let shown = null;
    scope.add(app.addView({
      render(state) {
        if (state.settings === shown) return;
        shown = state.settings;
        dl.replaceChildren(...Object.entries(shown).flatMap(([name, value]) => [make(doc, "dt", "", name), make(doc, "dd", "", String(value))]));
      },
    }));
  };
}
