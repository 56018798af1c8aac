import assert from "node:assert/strict";
import { test } from "node:test";
import { chartColors } from "../../src/tickstock/web/static/js/sections/chart.js";
import { alertMarker, markerColor, patternMarker } from "../../src/tickstock/web/static/js/chart-data.js";

/** WCAG contrast ratio of two #rrggbb colours. */
function contrast(a, b) {
  const lum = (hex) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const at = "2025-10-06T13:31:00Z";
const markers = [
  patternMarker({ timestamp: at, confidence: 0.5, pattern_type: "Doji" }),
  patternMarker({ timestamp: at, confidence: 0.9, pattern_type: "Doji" }),
  alertMarker({ timestamp: at, alert_type: "RSI_OVERSOLD" }),
  alertMarker({ timestamp: at, alert_type: "RSI_OVERBOUGHT" }),
];

for (const dark of [false, true]) {
  test(`every marker label reads at 4.5:1 or more on the ${dark ? "dark" : "light"} chart`, () => {
    const background = chartColors(dark).layout.background.color;
    for (const m of markers) {
      const color = markerColor(m.color, dark);
      assert.ok(contrast(color, background) >= 4.5, `${m.text} ${color} on ${background}: ${contrast(color, background).toFixed(2)}`);
    }
  });
}

test("the lines between the chart's panes are the theme's border, not a bright line on the dark chart", () => {
  assert.equal(chartColors(false).layout.panes.separatorColor, "#d0d7de");
  assert.equal(chartColors(true).layout.panes.separatorColor, "#30363d");
});
