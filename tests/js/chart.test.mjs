// The chart reads the exchange's clock and keeps its labels readable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { barTime, chartColors, chartTimeLabel, patternMarker } from "../../src/tickstock/web/static/js/sections/chart.js";

test("chart times are labelled in New York time, not UTC", () => {
  assert.equal(chartTimeLabel(barTime("2025-10-06T13:30:00Z")), "09:30");
  assert.equal(chartTimeLabel(barTime("2025-12-01T20:59:30Z")), "15:59");
});

test("only high-confidence pattern markers carry a label", () => {
  assert.equal(patternMarker({ timestamp: "2025-10-06T13:31:00Z", confidence: 0.85, pattern_type: "Doji" }).text, "Doji");
  assert.equal(patternMarker({ timestamp: "2025-10-06T13:31:00Z", confidence: 0.5, pattern_type: "Doji" }).text, "");
});

test("the chart's colours differ per theme and keep text readable on its background", () => {
  const light = chartColors(false);
  const dark = chartColors(true);
  assert.notEqual(light.layout.background.color, dark.layout.background.color);
  assert.notEqual(light.layout.textColor, dark.layout.textColor);
  const luminance = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const { layout } of [light, dark]) {
    const [a, b] = [luminance(layout.textColor), luminance(layout.background.color)].sort((x, y) => y - x);
    assert.ok((a + 0.05) / (b + 0.05) >= 4.5, "WCAG AA contrast");
  }
});
