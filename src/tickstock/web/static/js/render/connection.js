/**
 * Connection indicator (connected / reconnecting / offline / recovered N missed events /
 * feed gap hh:mm–hh:mm backfilled) and the app's own status (Redis, database, engine).
 */
import { formatNyShort } from "../format.js";
import { setClass, setText } from "./dom.js";
import { fieldsOf } from "./fields.js";

const STATE_TEXT = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  unauthorized: "Not authorised: enter the access token in Settings",
};

/** @param {Record<string, any>|null} notice */
export function noticeText(notice) {
  if (!notice) return "";
  if (notice.kind === "recovered") return `Recovered ${notice.count} missed event${notice.count === 1 ? "" : "s"}`;
  if (notice.kind === "feed_gap") {
    const b = notice.backfilled || {};
    const n = (b.patterns || 0) + (b.alerts || 0) + (b.health || 0) + (b.sessions || 0);
    return `Feed gap ${formatNyShort(notice.from)}–${formatNyShort(notice.to)} ET backfilled (${n} event${n === 1 ? "" : "s"})`;
  }
  if (notice.kind === "gap") return `${notice.missed} event${notice.missed === 1 ? "" : "s"} missed`;
  if (notice.kind === "resynced") {
    const why = { resume_too_old: "gone too long", epoch_changed: "server restarted", slow_client: "fell behind" }[notice.reason] || notice.reason;
    if (typeof notice.backfilled !== "number") return `Resynchronised (${why})`;
    const n = notice.backfilled;
    return `Resynchronised (${why}): ${n} stored event${n === 1 ? "" : "s"} backfilled`;
  }
  return "";
}

/** @param {HTMLElement} root  the top bar (connection and app status) */
export function createConnectionPanel(root) {
  const f = fieldsOf(root);
  return {
    /** @param {import("../state.js").State} state */
    render(state) {
      const c = state.connection;
      f.dot.className = `dot conn-${c.state}`;
      setText(f.state, STATE_TEXT[c.state] ?? c.state);
      const note = noticeText(c.notice);
      setText(f.notice, note);
      f.notice.hidden = !note;
      const a = state.appStatus;
      setText(f.redis, `Redis ${a.redis}`);
      setClass(f.redis, "is-down", a.redis !== "connected" && a.redis !== "unknown");
      setText(f.database, `Database ${a.database}`);
      setClass(f.database, "is-down", a.database === "down");
      setText(f.engine, `Engine ${a.engine}`);
      setClass(f.engine, "is-down", a.engine === "stale" || a.engine === "stopped");
    },
  };
}
