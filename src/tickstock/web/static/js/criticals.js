/**
 * The reducer's critical-alert part: the open alerts by component (the banner) and the
 * page's log of alerts and recoveries (the critical list), kept in step.
 */

/** @typedef {import("./state.js").State} State */

/** @param {State} state @param {Record<string, any>} alert */
export function applyCritical(state, alert) {
  if (!alert || typeof alert !== "object") {
    state.counters.ignored++;
    return;
  }
  const component = String(alert.component ?? "");
  logCritical(state, alert, component);
  if (alert.resolved === true) {
    state.counters.recoveries++;
    state.criticals.delete(component);
    state.lastRecovery = alert;
  } else {
    state.counters.critical++;
    state.criticals.set(component, { alert, acknowledged: false });
    state.lastRecovery = null;
  }
  state.dirty.add("critical");
}

/**
 * The critical list: an alert opens an entry, its recovery (same component) marks the
 * newest open entry of that component recovered at the recovery's time.
 * @param {State} state @param {Record<string, any>} alert @param {string} component
 */
export function logCritical(state, alert, component) {
  if (alert.resolved === true) {
    for (const entry of state.criticalLog.toArray()) {
      if (entry.component === component && !entry.recoveredAt) {
        entry.recoveredAt = String(alert.timestamp ?? "");
        state.criticalLog.version++;
        return;
      }
    }
    return;
  }
  const key = `${component}|${alert.timestamp}`;
  for (const entry of state.criticalLog.toArray()) if (entry.key === key) return;
  state.criticalLog.push({ key, component, alert, acknowledged: false, recoveredAt: "" });
}

/** @param {State} state @param {string} component */
export function acknowledgeCritical(state, component) {
  const open = state.criticals.get(component);
  if (open) open.acknowledged = true;
  for (const entry of state.criticalLog.toArray()) {
    if (entry.component === component && !entry.recoveredAt) entry.acknowledged = true;
  }
  state.criticalLog.version++;
  state.dirty.add("critical");
  return state;
}
