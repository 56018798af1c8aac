/**
 * Desktop notifications for critical and indicator alerts: opt-in (asks permission on the
 * reader's click), persisted, and throttled so a burst produces one notification.
 */

export const NOTIFY_KEY = "tickstock.notify";
const MIN_GAP_MS = 5000;

/**
 * @param {{Notification?: any, storage: Storage|null, now: () => number}} deps
 */
export function createNotifier({ Notification: N, storage, now }) {
  let on = false;
  try {
    on = storage?.getItem(NOTIFY_KEY) === "on";
  } catch {
    on = false;
  }
  let last = -Infinity;

  return {
    get supported() {
      return Boolean(N);
    },
    get enabled() {
      return on && Boolean(N) && N.permission === "granted";
    },
    /** @param {boolean} wanted */
    async setEnabled(wanted) {
      if (wanted && N && N.permission !== "granted") {
        const answer = await N.requestPermission();
        wanted = answer === "granted";
      }
      on = wanted && Boolean(N);
      try {
        storage?.setItem(NOTIFY_KEY, on ? "on" : "off");
      } catch {
        // not persisted
      }
      return on;
    },
    /** @param {string} title @param {string} body @returns {boolean} shown */
    notify(title, body) {
      if (!this.enabled) return false;
      const t = now();
      if (t - last < MIN_GAP_MS) return false;
      last = t;
      new N(title, { body, tag: "tickstock" });
      return true;
    },
  };
}
