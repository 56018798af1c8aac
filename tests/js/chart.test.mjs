// The chart reads the exchange's clock and keeps its labels readable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { barTime, chartTimeLabel, patternMarker } from "../../src/tickstock/web/static/js/sections/chart.js";

test("chart times are labelled in New York time, not UTC", () => {
  assert.equal(chartTimeLabel(barTime("2025-10-06T13:30:00Z")), "09:30");
  assert.equal(chartTimeLabel(barTime("2025-12-01T20:59:30Z")), "15:59");
});

test("only high-confidence pattern markers carry a label", () => {
  assert.equal(patternMarker({ timestamp: "2025-10-06T13:31:00Z", confidence: 0.85, pattern_type: "Doji" }).text, "Doji");
  assert.equal(patternMarker({ timestamp: "2025-10-06T13:31:00Z", confidence: 0.5, pattern_type: "Doji" }).text, "");
});
