import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptFrame, acceptResumed, acceptSnapshot, authPayload, createResumeTracker } from "../../src/tickstock/web/static/js/resume.js";

const entry = (seq, event = "streaming_indicator", at = 1000 + seq) => ({ seq, event, at, data: { seq } });

const DET = { symbol: "NVDA", pattern_type: "Doji", timeframe: "1min", timestamp: "2019-03-01T15:30:00Z", confidence: 0.6 };
const ALERT = { symbol: "AAPL", alert_type: "RSI_OVERBOUGHT", timestamp: "2019-03-01T15:31:00Z", data: {} };
const PATTERN_ID = { symbol: "NVDA", pattern_type: "Doji", timeframe: "1min", timestamp: "2019-03-01T15:30:00Z" };

test("first connect sends only the token; after a snapshot, epoch and last_seq", () => {
  const t = createResumeTracker();
  assert.deepEqual(authPayload(t, "tok"), { token: "tok" });
  assert.deepEqual(authPayload(t, null), {});
  acceptSnapshot(t, { epoch: "e1", seq: 41, server_time: "2025-10-05T14:00:00Z" });
  assert.deepEqual(authPayload(t, "tok"), { token: "tok", epoch: "e1", last_seq: 41 });
});

test("frames advance last_seq and the last detection and alert held, sent as 'after'", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, { epoch: "e1", seq: 10 });
  const { entries, gap } = acceptFrame(t, {
    epoch: "e1",
    events: [
      { seq: 11, event: "streaming_pattern", data: { detection: { ...DET, symbol: "OLD" } } },
      { seq: 12, event: "streaming_pattern", data: { detection: DET } },
      { seq: 13, event: "indicator_alert", data: { alert: ALERT } },
      entry(14),
    ],
  });
  assert.equal(entries.length, 4);
  assert.equal(gap, null);
  assert.equal(authPayload(t).last_seq, 14);
  assert.deepEqual(authPayload(t).after, {
    pattern: PATTERN_ID,
    alert: { symbol: "AAPL", alert_type: "RSI_OVERBOUGHT", timestamp: "2019-03-01T15:31:00Z" },
  });
});

test("a snapshot's backfill and recent lists, newest last, tell where the page stands", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, {
    epoch: "e2",
    seq: 3,
    backfill: { patterns: [{ detection: { ...DET, symbol: "BF" } }], alerts: [{ alert: ALERT }] },
    recent_patterns: [{ detection: { ...DET, symbol: "R1" } }, { detection: DET }],
    recent_alerts: [],
  });
  assert.deepEqual(authPayload(t).after, {
    pattern: PATTERN_ID,
    alert: { symbol: "AAPL", alert_type: "RSI_OVERBOUGHT", timestamp: "2019-03-01T15:31:00Z" },
  });
});

test("an entry without a usable identity keeps the previous position", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, { epoch: "e1", seq: 0, recent_patterns: [{ detection: DET }] });
  acceptFrame(t, { epoch: "e1", events: [{ seq: 1, event: "streaming_pattern", data: { detection: { symbol: 5 } } }] });
  assert.deepEqual(authPayload(t).after, { pattern: PATTERN_ID });
});

test("replayed entries already applied are skipped as duplicates", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, { epoch: "e1", seq: 10 });
  acceptFrame(t, { epoch: "e1", events: [entry(11), entry(12)] });
  const { entries } = acceptFrame(t, { epoch: "e1", events: [entry(12), entry(13)] });
  assert.deepEqual(entries.map((e) => e.seq), [13]);
  assert.equal(t.duplicates, 1);
});

test("a hole in the sequence is detected and counted", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, { epoch: "e1", seq: 10 });
  const { gap } = acceptFrame(t, { epoch: "e1", events: [entry(11), entry(15)] });
  assert.deepEqual(gap, { after: 11, next: 15, missed: 3 });
  assert.equal(t.gaps, 1);
  assert.equal(t.missed, 3);
});

test("superseded seqs (conflated latest values) are no hole, and the frame may end with one", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, { epoch: "e1", seq: 10 });
  const { entries, gap } = acceptFrame(t, { epoch: "e1", events: [entry(12), entry(14)], superseded: [11, 13, 15] });
  assert.deepEqual(entries.map((e) => e.seq), [12, 14]);
  assert.equal(gap, null);
  assert.equal(t.gaps, 0);
  assert.equal(t.lastSeq, 15, "where the server's cursor is: a resume asks for 16 on");
  assert.equal(authPayload(t, null).last_seq, 15);
  acceptFrame(t, { epoch: "e1", events: [], superseded: [16] });
  assert.equal(t.lastSeq, 16, "a frame of superseded seqs only still moves the cursor");
});

test("a real hole beside superseded seqs still counts only the missing ones", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, { epoch: "e1", seq: 10 });
  const { gap } = acceptFrame(t, { epoch: "e1", events: [entry(12), entry(16)], superseded: [11, 13] });
  assert.deepEqual(gap, { after: 13, next: 16, missed: 2 });
  assert.equal(t.missed, 2);
});

test("a frame of a new epoch restarts the sequence instead of dropping everything", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, { epoch: "e1", seq: 500 });
  const { entries } = acceptFrame(t, { epoch: "e2", events: [entry(1)] });
  assert.equal(entries.length, 1);
  assert.equal(t.epoch, "e2");
  assert.equal(t.lastSeq, 1);
});

test("resumed reports how many events were recovered", () => {
  const t = createResumeTracker();
  assert.equal(acceptResumed(t, { from_seq: 5, to_seq: 9, count: 5 }), 5);
  assert.equal(t.recovered, 5);
});
