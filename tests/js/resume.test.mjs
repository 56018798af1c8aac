import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptFrame, acceptResumed, acceptSnapshot, authPayload, createResumeTracker, dispatchEntries } from "../../src/tickstock/web/static/js/resume.js";

const entry = (seq, event = "streaming_indicator", at = 1000 + seq) => ({ seq, event, at, data: { seq } });

test("first connect sends only the token; after a snapshot, epoch and last_seq", () => {
  const t = createResumeTracker();
  assert.deepEqual(authPayload(t, "tok"), { token: "tok" });
  assert.deepEqual(authPayload(t, null), {});
  acceptSnapshot(t, { epoch: "e1", seq: 41, server_time: "2025-10-05T14:00:00Z" });
  assert.deepEqual(authPayload(t, "tok"), { token: "tok", epoch: "e1", last_seq: 41, last_at: "2025-10-05T14:00:00.000Z" });
});

test("frames advance last_seq and last_at, re-evaluated for the next reconnect", () => {
  const t = createResumeTracker();
  acceptSnapshot(t, { epoch: "e1", seq: 10 });
  const { entries, gap } = acceptFrame(t, { epoch: "e1", events: [entry(11), entry(12)] });
  assert.equal(entries.length, 2);
  assert.equal(gap, null);
  assert.equal(authPayload(t).last_seq, 12);
  assert.equal(authPayload(t).last_at, new Date(1012).toISOString());
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

test("consecutive patterns are grouped in batches of at most 50, order kept", () => {
  const calls = [];
  const entries = [
    ...Array.from({ length: 120 }, (_, i) => entry(i, "streaming_pattern")),
    entry(200, "indicator_alert"),
    entry(201, "streaming_pattern"),
  ];
  dispatchEntries(entries, (name, data) => calls.push([name, data.items ? data.items.length : 1]));
  assert.deepEqual(calls, [
    ["streaming_patterns_batch", 50], ["streaming_patterns_batch", 50], ["streaming_patterns_batch", 20],
    ["indicator_alert", 1], ["streaming_pattern", 1],
  ]);
});
