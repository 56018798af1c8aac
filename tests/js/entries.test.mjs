// A frame's entries are applied one by one, each the one event it is: no client-made batch.
// A mixed frame (sessions, health, patterns seen on both channels, indicators, alerts, a
// critical, a plan-protocol batch, a malformed entry) gives one state however it is cut.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyEntries, applyEvent } from "../../src/tickstock/web/static/js/reducer.js";
import { acceptFrame, acceptSnapshot, createResumeTracker } from "../../src/tickstock/web/static/js/resume.js";
import { createState } from "../../src/tickstock/web/static/js/state.js";
import { alert, critical, detection, health, indicator, minute, pattern, started, stopped } from "./fixtures.mjs";

/** The entries of one busy minute and more, in seq order. */
function mixedEntries() {
  const data = [
    ["streaming_session", started()],
    ["streaming_health", health({ timestamp: minute(0) })],
  ];
  for (let i = 0; i < 30; i++) {
    data.push(["streaming_pattern", pattern({ symbol: `S${i % 5}`, timestamp: minute(i) }, false)]);
    if (i % 10 === 3) data.push(["streaming_pattern", pattern({ symbol: `S${i % 5}`, timestamp: minute(i) }, true)]);
    if (i % 3 === 0) data.push(["streaming_indicator", indicator({ symbol: `S${i % 4}`, indicator: i % 2 ? "MACD" : "RSI", value: i, timestamp: minute(i) })]);
    if (i % 7 === 0) data.push(["indicator_alert", alert({ symbol: `S${i % 5}`, timestamp: minute(i) })]);
  }
  data.push(["indicator_alert", alert({ symbol: "S0", timestamp: minute(0) })]); // a duplicate
  data.push(["critical_alert", critical()]);
  data.push(["streaming_pattern", null]); // malformed: counted, ignored
  data.push(["streaming_patterns_batch", {
    type: "streaming_patterns_batch",
    detections: [detection({ symbol: "B1", timestamp: minute(40) }), detection({ symbol: "B2", timestamp: minute(41) })],
  }]);
  data.push(["streaming_health", health({ timestamp: minute(41), active_symbols: 5 })]);
  data.push(["streaming_session", stopped()]);
  return data.map(([event, body], i) => ({ seq: i + 1, event, at: 1000 + i, data: body }));
}

/** What the page shows of a state. */
function picture(state) {
  return {
    counters: { ...state.counters },
    patterns: state.patterns.toArray().map((p) => [p.key, p.high_confidence, p.raw]),
    alerts: state.alerts.toArray().map((a) => [a.key, a.raw]),
    indicators: [...state.indicators.map.values()].map((c) => [c.key, c.value, c.raw]),
    health: state.health,
    session: state.session,
    streamTime: state.streamTime,
    criticals: [...state.criticals.keys()],
    market: [...state.market.rows.keys()].sort(),
    dirty: [...state.dirty].sort(),
  };
}

describe("frame entries", () => {
  test("a mixed frame counts and shows each event once, in its one shape", () => {
    const entries = mixedEntries();
    const state = applyEntries(createState(), entries);
    assert.deepEqual(
      { ...state.counters },
      {
        ...createState().counters,
        events: entries.length, patterns: 32, duplicates: 4, indicators: 10, alerts: 5,
        health: 2, sessions: 2, critical: 1, ignored: 1,
      },
    );
    assert.equal(state.patterns.size, 32);
    // High: the re-sighted S3 detections (flagged by their entry), the batch's 0.85 ones (by confidence).
    assert.deepEqual(state.patterns.toArray().filter((p) => p.high_confidence).map((p) => p.symbol), ["B2", "B1", "S3", "S3", "S3"]);
    // A relayed entry's row keeps that entry's data; a plan batch's detection gets its own.
    const relayed = state.patterns.toArray().find((p) => p.symbol === "S1");
    assert.equal(relayed.raw.type, "streaming_pattern");
    assert.ok(entries.some((e) => e.data === relayed.raw));
    assert.deepEqual(state.patterns.newest(0).raw, { type: "streaming_pattern", detection: detection({ symbol: "B2", timestamp: minute(41) }) });
    assert.equal(state.alerts.size, 5);
    assert.equal(state.indicators.size, 4, "the latest value per symbol and indicator");
    assert.equal(state.health.active_symbols, 5);
    assert.equal(state.session.status, "stopped");
    assert.deepEqual([...state.criticals.keys()], ["massive_websocket"]);
  });

  test("entries applied as one frame, as frames of any size, or event by event give the same state", () => {
    const entries = mixedEntries();
    const byEvent = createState();
    for (const e of entries) applyEvent(byEvent, e.event, e.data);
    const expected = picture(byEvent);
    for (const size of [1, 2, 7, 50, entries.length]) {
      const state = createState();
      for (let i = 0; i < entries.length; i += size) applyEntries(state, entries.slice(i, i + size));
      assert.deepEqual(picture(state), expected, `frames of ${size}`);
    }
  });

  test("a frame's new entries reach the reducer as relayed: patterns stay single events", () => {
    const tracker = createResumeTracker();
    acceptSnapshot(tracker, { epoch: "e1", seq: 0 });
    const events = [
      ...Array.from({ length: 120 }, (_, i) => ({ seq: i + 1, event: "streaming_pattern", data: pattern({ timestamp: minute(i) }) })),
      { seq: 121, event: "indicator_alert", data: alert() },
      { seq: 122, event: "streaming_pattern", data: pattern({ timestamp: minute(200) }) },
    ];
    const { entries } = acceptFrame(tracker, { epoch: "e1", events: [{ ...events[0] }, ...events] });
    assert.deepEqual(entries, events, "the duplicate is dropped, nothing is grouped");
    const state = applyEntries(createState(), entries);
    assert.equal(state.counters.events, 122);
    assert.equal(state.counters.patterns, 121);
    assert.equal(state.counters.alerts, 1);
  });
});
