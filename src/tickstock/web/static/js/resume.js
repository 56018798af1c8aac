/**
 * Resume bookkeeping of docs/socket-protocol.md: the epoch and last sequence number seen,
 * the last detection and indicator alert held (where a backfill from the database starts:
 * by position, never by the browser's clock), the auth payload sent at each (re)connect,
 * and gap / duplicate detection on frames. Pure, so it is unit-tested without a server.
 */

export function createResumeTracker() {
  return {
    /** @type {string|null} */ epoch: null,
    /** @type {number|null} */ lastSeq: null,
    /** @type {Record<string, string>|null} the last detection held: its identity */ lastPattern: null,
    /** @type {Record<string, string>|null} the last indicator alert held: its identity */ lastAlert: null,
    /** sequence holes seen (should stay 0; the server promises none) */ gaps: 0,
    /** events lost in those holes */ missed: 0,
    /** entries at or below lastSeq, skipped */ duplicates: 0,
    /** events the server replayed after a resume */ recovered: 0,
  };
}

/** @typedef {ReturnType<typeof createResumeTracker>} ResumeTracker */

const PATTERN_KEYS = ["symbol", "pattern_type", "timeframe", "timestamp"];
const ALERT_KEYS = ["symbol", "alert_type", "timestamp"];

/** @param {Record<string, any>|undefined} body @param {string[]} keys */
function identity(body, keys) {
  if (!body || typeof body !== "object") return null;
  const id = {};
  for (const key of keys) {
    if (typeof body[key] !== "string") return null;
    id[key] = body[key];
  }
  return id;
}

/**
 * Notes a relayed event the page now holds. @param {ResumeTracker} tracker
 * @param {string} event @param {any} data
 */
export function hold(tracker, event, data) {
  if (event === "streaming_pattern") {
    tracker.lastPattern = identity(data?.detection, PATTERN_KEYS) ?? tracker.lastPattern;
  } else if (event === "indicator_alert") {
    tracker.lastAlert = identity(data?.alert, ALERT_KEYS) ?? tracker.lastAlert;
  }
}

/**
 * The Socket.IO `auth` payload, evaluated again at every reconnect.
 * @param {ResumeTracker} tracker
 * @param {string|null|undefined} token
 */
export function authPayload(tracker, token) {
  /** @type {Record<string, any>} */
  const payload = {};
  if (token) payload.token = token;
  if (tracker.epoch !== null && tracker.lastSeq !== null) {
    payload.epoch = tracker.epoch;
    payload.last_seq = tracker.lastSeq;
    const after = {};
    if (tracker.lastPattern) after.pattern = tracker.lastPattern;
    if (tracker.lastAlert) after.alert = tracker.lastAlert;
    if (after.pattern || after.alert) payload.after = after;
  }
  return payload;
}

/**
 * @param {ResumeTracker} tracker
 * @param {{epoch: string, seq: number, backfill?: any, recent_patterns?: any[], recent_alerts?: any[]}} snapshot
 */
export function acceptSnapshot(tracker, snapshot) {
  tracker.epoch = snapshot.epoch;
  tracker.lastSeq = snapshot.seq;
  const backfill = snapshot.backfill || {};
  // newest last in each: what the page holds ends with the snapshot's recent lists
  for (const p of [...(backfill.patterns || []), ...(snapshot.recent_patterns || [])]) hold(tracker, "streaming_pattern", p);
  for (const a of [...(backfill.alerts || []), ...(snapshot.recent_alerts || [])]) hold(tracker, "indicator_alert", a);
}

/** @param {ResumeTracker} tracker @param {{count?: number}} resumed */
export function acceptResumed(tracker, resumed) {
  const count = Number(resumed?.count) || 0;
  tracker.recovered += count;
  return count;
}

/**
 * Filters a frame's entries to the new ones and updates the bookkeeping. A frame's
 * `superseded` seqs (latest-value events a later one replaces, docs/socket-protocol.md) were
 * left out on purpose: they are neither a hole nor lost, and the frame ends at the larger of
 * its last entry and its last superseded seq, where the server's cursor for this page is.
 * @param {ResumeTracker} tracker
 * @param {{epoch: string, events: Array<{seq: number, event: string, at?: number, data: any}>, superseded?: number[]}} frame
 * @returns {{entries: Array<{seq: number, event: string, at?: number, data: any}>, gap: null|{after: number, next: number, missed: number}}}
 */
export function acceptFrame(tracker, frame) {
  const events = Array.isArray(frame?.events) ? frame.events : [];
  const superseded = Array.isArray(frame?.superseded) ? frame.superseded : [];
  if (tracker.epoch !== null && frame.epoch !== tracker.epoch) {
    // A new server epoch without a snapshot: sequence numbers restarted, start over.
    tracker.lastSeq = null;
  }
  tracker.epoch = frame.epoch ?? tracker.epoch;
  const entries = [];
  let gap = null;
  let skip = 0; // the next superseded seq to step over (ascending, as the server lists them)
  /** moves lastSeq over the superseded seqs that follow it directly */
  const stepOver = (/** @type {number} */ upTo) => {
    while (skip < superseded.length && superseded[skip] <= upTo) {
      if (tracker.lastSeq !== null && superseded[skip] === tracker.lastSeq + 1) tracker.lastSeq++;
      skip++;
    }
  };
  for (const entry of events) {
    const seq = entry.seq;
    if (tracker.lastSeq !== null && seq <= tracker.lastSeq) {
      tracker.duplicates++;
      continue;
    }
    stepOver(seq);
    if (tracker.lastSeq !== null && seq > tracker.lastSeq + 1) {
      const missed = seq - tracker.lastSeq - 1;
      tracker.gaps++;
      tracker.missed += missed;
      gap = { after: tracker.lastSeq, next: seq, missed };
    }
    tracker.lastSeq = seq;
    hold(tracker, entry.event, entry.data);
    entries.push(entry);
  }
  stepOver(Infinity); // a frame may end with superseded seqs: the cursor is past them
  return { entries, gap };
}
