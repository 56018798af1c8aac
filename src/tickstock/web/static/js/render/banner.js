/**
 * Critical alert banner: the most severe open alert not yet acknowledged, coloured by
 * severity, with an Acknowledge button; a recovery (`resolved: true`, same component)
 * removes it.
 */
import { openCriticals } from "../selectors.js";
import { setText } from "./dom.js";
import { fieldsOf } from "./fields.js";
import { setTime } from "../format.js";

/** @param {HTMLElement} root */
export function createBanner(root) {
  const f = fieldsOf(root);
  return {
    /** @returns {string|null} the component the banner shows, for the Acknowledge button */
    component: /** @type {string|null} */ (null),
    /** @param {import("../state.js").State} state */
    render(state) {
      const open = openCriticals(state).filter((c) => !c.acknowledged);
      const top = open[0];
      root.hidden = !top;
      this.component = top ? String(top.alert.component ?? "") : null;
      if (!top) return;
      const a = top.alert;
      root.className = `banner severity-${a.severity}`;
      setText(f.severity, String(a.severity).toUpperCase());
      setText(f.message, String(a.message ?? ""));
      setText(f.component, String(a.component ?? ""));
      setText(f.action, a.action_required ? `Action: ${a.action_required}` : "");
      setTime(f.time, a.timestamp);
      setText(f.more, open.length > 1 ? `+${open.length - 1} more` : "");
    },
  };
}
