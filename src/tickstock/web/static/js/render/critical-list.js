/**
 * Critical alerts you can't miss: every critical alert of this page, open and recent,
 * newest first, with severity, component, time, message, action and state (open,
 * acknowledged, recovered at T). Acknowledged ones stay in the list, greyed. The list is
 * short (≤ 50) and changes rarely, so it is rebuilt when it changed.
 */
import { formatStamp } from "../format.js";
import { make, setText } from "./dom.js";

/** "open", "acknowledged" or "recovered at 10:47:10 ET". @param {{acknowledged: boolean, recoveredAt: string}} entry */
export function criticalStateText(entry) {
  if (entry.recoveredAt) return `recovered at ${formatStamp(entry.recoveredAt)}`;
  return entry.acknowledged ? "acknowledged" : "open";
}

/** @param {HTMLElement} root @param {{onAcknowledge: (component: string) => void}} ctx */
export function createCriticalListPanel(root, ctx) {
  const doc = root.ownerDocument;
  const list = /** @type {HTMLElement} */ (root.querySelector(".critical-list"));
  const empty = /** @type {HTMLElement} */ (root.querySelector(".empty"));
  let version = -1;
  list.addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest?.("[data-action=ack]");
    if (button) ctx.onAcknowledge(button.getAttribute("data-component") || "");
  });

  function rowOf(entry) {
    const a = entry.alert;
    const state = entry.recoveredAt ? "recovered" : entry.acknowledged ? "acked" : "open";
    const li = make(doc, "li", `critical-row sev-${String(a.severity ?? "")} is-${state}`);
    const line = make(doc, "p", "critical-line");
    const time = make(doc, "time", "t", formatStamp(a.timestamp), { datetime: String(a.timestamp ?? "") });
    line.append(
      make(doc, "strong", "sev", String(a.severity ?? "")),
      make(doc, "span", "comp", String(a.component ?? "")),
      time,
      make(doc, "span", `badge crit-state crit-${state}`, criticalStateText(entry)),
    );
    if (state === "open") {
      line.append(make(doc, "button", "json-btn", "Acknowledge", { type: "button", "data-action": "ack", "data-component": String(a.component ?? "") }));
    }
    li.append(line, make(doc, "p", "critical-message", String(a.message ?? "")));
    if (a.action_required) li.append(make(doc, "p", "critical-action muted", `Action: ${a.action_required}`));
    return li;
  }

  return {
    /** @param {import("../state.js").State} state */
    render(state) {
      const log = state.criticalLog;
      if (log.version === version) return;
      version = log.version;
      const items = log.toArray();
      empty.hidden = items.length > 0;
      list.replaceChildren(...items.map(rowOf));
      setText(root.querySelector("h2") ?? empty, items.some((e) => !e.recoveredAt && !e.acknowledged) ? "Critical alerts (open)" : "Critical alerts");
    },
  };
}
