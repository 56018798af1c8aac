/**
 * Filters that find: a filter on the Live page asks the API for the session's matching
 * history (the stored patterns and alerts, paginated) and then keeps the live matches, so a
 * symbol with no pattern among the newest 50 still lists its session's patterns. The pure
 * parts (query, merge, count) are unit-tested; `createFilterHistory` does the fetching.
 *
 * A session the database does not hold (a producer that writes no rows) has no history:
 * its patterns endpoint answers 404, which a browser logs as an error. So the controller
 * first looks the session up in the stored sessions list (a 200 either way), and for a
 * session not stored it asks nothing more and says so: live matches only.
 */
import { isActive } from "./filters.js";
import { alertKey, patternKey } from "./state.js";

const SYMBOL = /^[A-Z][A-Z0-9.-]{0,9}$/;
/** Most history matches fetched per list (the newest of the session). */
export const HISTORY_LIMIT = 200;
/** Milliseconds a filter must stay unchanged before the API is asked (typing). */
export const QUERY_DELAY_MS = 300;
/** What the count says when the session is not in the database. */
export const NOT_STORED = "history not available for this session";
/** Sessions listed up to the live one's start when looking it up (newest first; runs of one replayed day share a start). */
const SESSIONS_LOOKUP = 50;
/** Slack after the live start for the stored one (the producer stamps both; a little skew is fine). */
const STARTED_SLACK_MS = 60_000;

/**
 * The API queries of a filter in a session, or null when there is nothing to ask.
 * Symbol and pattern type match exactly in the API: a partial symbol is matched on the
 * fetched rows instead, and a pattern type is sent as the name the stream spells it.
 * @param {import("./filters.js").Filters} f
 * @param {string|null|undefined} sessionId
 * @param {Iterable<string>} knownPatternTypes
 * @param {string} [startedAt]  the session's start (ISO), to look it up among the stored ones
 */
export function historyQuery(f, sessionId, knownPatternTypes = [], startedAt = "") {
  if (!sessionId || !isActive(f)) return null;
  const patterns = { per_page: HISTORY_LIMIT };
  const alerts = { kind: "indicator", session_id: sessionId, per_page: 100 };
  if (SYMBOL.test(f.symbol)) {
    patterns.symbol = f.symbol;
    alerts.symbol = f.symbol;
  }
  if (f.patternType) {
    for (const name of knownPatternTypes) {
      if (String(name).toLowerCase() === f.patternType) patterns.pattern_type = name;
    }
  }
  if (f.minConfidence > 0) patterns.min_confidence = f.minConfidence;
  if (f.alertType) alerts.type = f.alertType;
  // Exact: every active filter was applied by the API, so its total is the session's count.
  const symbolExact = !f.symbol || "symbol" in patterns;
  const exact = {
    patterns: symbolExact && (!f.patternType || "pattern_type" in patterns),
    alerts: symbolExact,
  };
  return { sessionId, startedAt, patterns, alerts, exact, key: JSON.stringify([sessionId, patterns, alerts, f]) };
}

/**
 * The stored-sessions query that finds a session: those started before its start (plus a
 * minute of slack), newest first, so newer sessions cannot push it off the page.
 * @param {string} [startedAt]
 */
export function sessionLookup(startedAt) {
  const t = Date.parse(String(startedAt ?? ""));
  const params = { limit: SESSIONS_LOOKUP };
  if (Number.isFinite(t)) params.before = new Date(t + STARTED_SLACK_MS).toISOString();
  return params;
}

/** A stored detection (API) as a store item. @param {any} d */
export function patternItemOf(d) {
  const detection = d?.detection ?? d;
  const high = d?.high_confidence ?? detection.confidence >= 0.8;
  return {
    key: patternKey(detection), symbol: detection.symbol, pattern_type: String(detection.pattern_type ?? ""),
    confidence: Number(detection.confidence), timestamp: detection.timestamp, timeframe: detection.timeframe,
    bar_data: detection.bar_data ?? null, high_confidence: Boolean(high),
    raw: { type: "streaming_pattern", detection, high_confidence: Boolean(high) },
  };
}

/** A stored alert row (API) as a store item. @param {any} row */
export function alertItemOf(row) {
  const alert = { symbol: row.symbol, alert_type: row.alert_type, timestamp: row.timestamp,
    data: { indicator: row.indicator, value: row.value, threshold: row.threshold } };
  return { key: alertKey(alert), symbol: alert.symbol, alert_type: String(alert.alert_type ?? ""),
    timestamp: alert.timestamp, data: alert.data, raw: { type: "indicator_alert", alert } };
}

/**
 * Live matches and history matches as one list, newest first, each once.
 * @template {{key: string, timestamp: string}} T
 * @param {T[]} live @param {T[]} history @param {number} limit
 * @returns {T[]}
 */
export function mergeMatches(live, history, limit) {
  const byKey = new Map();
  for (const item of history) byKey.set(item.key, item);
  for (const item of live) byKey.set(item.key, item);  // the live copy knows the latest flags
  return [...byKey.values()]
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0))
    .slice(0, limit);
}

/**
 * How many match in the whole session: the API's total plus live matches it did not hold.
 * @param {number} total @param {Set<string>} historyKeys @param {Array<{key: string}>} live
 */
export function countMatches(total, historyKeys, live) {
  let extra = 0;
  for (const item of live) if (!historyKeys.has(item.key)) extra++;
  return total + extra;
}

/**
 * Fetches the history of the current filter (debounced, the newest answer wins).
 * @param {{api: {get: (path: string, params?: Record<string, any>) => Promise<any>},
 *   later: (fn: () => void, ms: number) => any, cancel: (id: any) => void, onChange: () => void}} deps
 */
export function createFilterHistory(deps) {
  let wanted = "";
  let timer = null;
  /** @type {null|{key: string, exact: {patterns: boolean, alerts: boolean}, patterns: any[], alerts: any[], patternTotal: number, alertTotal: number, patternKeys: Set<string>, alertKeys: Set<string>, error: string, notStored: boolean}} `notStored`: the database holds no such session */
  let current = null;
  /** Sessions found stored (a session not found is looked up again with the next query). */
  const stored = new Set();

  async function isStored(query) {
    if (stored.has(query.sessionId)) return true;
    const body = await deps.api.get("/api/streaming/sessions", sessionLookup(query.startedAt));
    const found = (body?.sessions ?? []).some((s) => s?.session_id === query.sessionId);
    if (found) stored.add(query.sessionId);
    return found;
  }

  async function fetchPatterns(query) {
    const path = `/api/streaming/sessions/${encodeURIComponent(query.sessionId)}/patterns`;
    const first = await deps.api.get(path, { ...query.patterns, page: 1 });
    let items = first?.items ?? [];
    const pages = first?.pages ?? 1;
    if (pages > 1) {
      // The API lists a session oldest first: the newest matches are on its last pages.
      const last = await deps.api.get(path, { ...query.patterns, page: pages });
      items = last?.items ?? [];
      if (items.length < HISTORY_LIMIT / 2 && pages > 2) {
        const before = await deps.api.get(path, { ...query.patterns, page: pages - 1 });
        items = [...(before?.items ?? []), ...items];
      }
    }
    return { items: items.map(patternItemOf), total: first?.total ?? items.length };
  }

  /** @returns {NonNullable<typeof current>} */
  const nothing = (query, error, notStored) => ({ key: query.key, exact: { patterns: false, alerts: false },
    patterns: [], alerts: [], patternTotal: 0, alertTotal: 0, patternKeys: new Set(), alertKeys: new Set(),
    error, notStored });

  async function run(query) {
    try {
      if (!(await isStored(query))) {
        if (query.key !== wanted) return;
        current = nothing(query, "", true);
        deps.onChange();
        return;
      }
      const [patterns, alerts] = await Promise.all([
        fetchPatterns(query),
        deps.api.get("/api/streaming/alerts", query.alerts)
          .then((page) => ({ items: (page?.items ?? []).map(alertItemOf), total: page?.total ?? 0 })),
      ]);
      if (query.key !== wanted) return;
      current = { key: query.key, exact: query.exact, patterns: patterns.items, alerts: alerts.items,
        patternTotal: patterns.total, alertTotal: alerts.total, patternKeys: new Set(patterns.items.map((p) => p.key)),
        alertKeys: new Set(alerts.items.map((a) => a.key)), error: "", notStored: false };
    } catch (err) {
      if (query.key !== wanted) return;
      current = nothing(query, String(err?.message ?? err), false);
    }
    deps.onChange();
  }

  return {
    /** What the panels merge in, or null (no filter, or not fetched yet). */
    get current() {
      return current && current.key === wanted ? current : null;
    },
    get pending() {
      return Boolean(wanted) && (!current || current.key !== wanted);
    },
    /** @param {ReturnType<typeof historyQuery>} query */
    want(query) {
      const key = query?.key ?? "";
      if (key === wanted) return;
      wanted = key;
      if (timer !== null) deps.cancel(timer);
      timer = null;
      if (!query) {
        current = null;
        deps.onChange();
        return;
      }
      timer = deps.later(() => {
        timer = null;
        run(query);
      }, QUERY_DELAY_MS);
    },
  };
}
