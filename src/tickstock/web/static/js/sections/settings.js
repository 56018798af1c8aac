/**
 * Settings: theme, sounds per alert class, desktop notifications, debug mode, panel layout
 * (show, hide, reorder; persisted), the access token, and the server's settings the
 * dashboard follows (STREAMING_* and the engine's health interval), by name and with units.
 */
import { formatCount } from "../format.js";
import { DEFAULT_ORDER, movePanel, PANEL_LABELS, setPanelVisible } from "../layout.js";
import { make } from "../render/dom.js";
import { SOUND_CLASSES } from "../sound.js";
import { heading } from "./history.js";

/** Headings of the server settings, by the `group` index of SERVER_SETTINGS. */
export const SERVER_SETTING_GROUPS = Object.freeze(["Dashboard (STREAMING_*)", "Engine (TICKSTOCK_*)"]);

/**
 * The server settings the snapshot carries: the environment variable that sets each one,
 * its unit, and what it means (settings.py's description).
 * @type {ReadonlyArray<{name: string, env: string, group: number, meaning: string, unit?: string, zero?: string}>}
 */
export const SERVER_SETTINGS = Object.freeze([
  { name: "refresh_interval", env: "STREAMING_REFRESH_INTERVAL", group: 0, unit: "second", zero: "manual only",
    meaning: "Seconds between automatic refreshes of the dashboard's API data (0 = manual only)." },
  { name: "max_pattern_events", env: "STREAMING_MAX_PATTERN_EVENTS", group: 0, unit: "pattern", meaning: "Patterns kept in the live pattern stream." },
  { name: "max_alert_events", env: "STREAMING_MAX_ALERT_EVENTS", group: 0, unit: "alert", meaning: "Alerts kept in the live alert list." },
  { name: "auto_scroll", env: "STREAMING_AUTO_SCROLL", group: 0, meaning: "Streams scroll to the newest event by default." },
  { name: "sound_alerts", env: "STREAMING_SOUND_ALERTS", group: 0, meaning: "Play a sound on alerts by default (each user can still opt in or out)." },
  { name: "health_interval", env: "TICKSTOCK_HEALTH_INTERVAL", group: 1, unit: "second",
    meaning: "Seconds between health messages; the app shows the engine stale after 3 missed." },
]);

/** "30 seconds", "50 patterns", "0 (manual only)", "on"/"off". @param {{unit?: string, zero?: string}} setting @param {unknown} value */
export function settingText(setting, value) {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value !== "number") return "—";
  if (value === 0 && setting.zero) return `0 (${setting.zero})`;
  return setting.unit ? formatCount(value, setting.unit) : String(value);
}

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

    const server = group("Server settings");
    const lists = SERVER_SETTING_GROUPS.map((title) => {
      const dl = make(doc, "dl", "facts");
      server.append(make(doc, "h3", "", title), dl);
      return dl;
    });
    // Redrawn when the server's settings arrive (the snapshot comes after a direct load or a
    // reload on this page) or change; until then the built-in defaults are shown.
    let shown = null;
    scope.add(app.addView({
      render(state) {
        if (state.settings === shown) return;
        shown = state.settings;
        lists.forEach((dl, i) => dl.replaceChildren(...SERVER_SETTINGS.filter((s) => s.group === i).flatMap((s) => [
          make(doc, "dt", "", s.env, { title: s.meaning }),
          make(doc, "dd", "", settingText(s, shown[s.name])),
        ])));
      },
    }));
  };
}
