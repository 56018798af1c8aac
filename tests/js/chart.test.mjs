// The chart reads the exchange's clock and keeps its labels readable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { barTime, chartColors, chartTimeLabel, patternMarker } from "../../src/tickstock/web/static/js/sections/chart.js";
import { alertMarker, bollinger, createCandles, macd, rangeFor, rsi, tradingDaysRange } from "../../src/tickstock/web/static/js/chart-data.js";

test("chart times are labelled in New York time, not UTC", () => {
  assert.equal(chartTimeLabel(barTime("2025-10-06T13:30:00Z")), "09:30");
  assert.equal(chartTimeLabel(barTime("2025-12-01T20:59:30Z")), "15:59");
});

test("pattern markers are labelled by name, high confidence in its own colour, with a tooltip", () => {
  const high = patternMarker({ timestamp: "2025-10-06T13:31:00Z", confidence: 0.85, pattern_type: "Doji" });
  const low = patternMarker({ timestamp: "2025-10-06T13:31:00Z", confidence: 0.5, pattern_type: "Hammer" });
  assert.equal(high.text, "Doji");
  assert.equal(low.text, "Hammer");
  assert.notEqual(high.color, low.color);
  assert.equal(high.tooltip, "Doji · confidence 85% · 09:31 ET");
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

const bar = (minute, close, over = {}) => ({ timestamp: new Date(Date.UTC(2025, 9, 6, 13, 30 + minute)).toISOString(), open: close, high: close, low: close, close, volume: 10, ...over });

test("candles: a forming bar updates the newest minute, a new minute appends, an older one redraws", () => {
  const book = createCandles();
  assert.equal(book.put(bar(0, 10)), "append");
  assert.equal(book.put(bar(1, 11, { volume: 5 })), "append");
  assert.equal(book.put(bar(1, 11.5, { volume: 8 })), "update");  // the forming bar moves
  assert.equal(book.size, 2);
  assert.deepEqual(book.list().map((c) => [c.close, c.volume]), [[10, 10], [11.5, 8]]);
  assert.equal(book.put(bar(-5, 9)), "insert");  // scrolled back: an older page
  assert.deepEqual(book.list().map((c) => c.close), [9, 10, 11.5]);
  assert.equal(book.put({ timestamp: "nonsense", close: 1 }), "");
  assert.equal(book.last - book.first, 6 * 60);
});

test("Bollinger bands, RSI and MACD of the candles' closes", () => {
  const flat = Array.from({ length: 30 }, (_, i) => ({ time: i * 60, close: 10 }));
  const bb = bollinger(flat);
  assert.equal(bb.middle.length, 11);
  assert.deepEqual([bb.upper[0].value, bb.middle[0].value, bb.lower[0].value], [10, 10, 10]);
  const rising = Array.from({ length: 30 }, (_, i) => ({ time: i * 60, close: 10 + i }));
  const r = rsi(rising);
  assert.equal(r.length, 16);
  assert.equal(r[r.length - 1].value, 100);
  const m = macd(rising);
  assert.equal(m.line.length, 5);
  assert.ok(m.line[0].value > 0);
  assert.ok(Math.abs(m.hist[0].value - (m.line[0].value - m.signal[0].value)) < 1e-12);
  const wave = Array.from({ length: 40 }, (_, i) => ({ time: i * 60, close: 10 + Math.sin(i) }));
  const b = bollinger(wave);
  assert.ok(b.upper.every((p, i) => p.value > b.middle[i].value && b.middle[i].value > b.lower[i].value));
  assert.ok(rsi(wave).every((p) => p.value > 0 && p.value < 100));
});

test("alert markers say the alert, its value and threshold; range buttons end at the newest bar", () => {
  const m = alertMarker({ timestamp: "2025-10-06T13:31:00Z", alert_type: "RSI_OVERSOLD", value: 25.5, threshold: 30 });
  assert.equal(m.text, "RSI oversold");
  assert.equal(m.position, "belowBar");
  assert.equal(m.tooltip, "RSI oversold · value 25.50 / threshold 30.00 · 09:31 ET");
  const cross = alertMarker({ timestamp: "2025-10-06T13:31:00Z", alert_type: "MACD_BEARISH_CROSS", indicator: "MACD", value: 0.0114, threshold: 0.0123 });
  assert.equal(cross.tooltip, "MACD bearish cross · value 0.011 / threshold 0.012 · 09:31 ET", "MACD in thousandths, as the grid");
  assert.deepEqual(rangeFor("1h", 7200), { from: 3600, to: 7260 });
});

test("5 days: the newest five New York days with bars, and how many there are when fewer", () => {
  const t = (iso) => Date.parse(iso) / 1000;
  const two = [t("2025-10-03T14:00:00Z"), t("2025-10-03T19:59:00Z"), t("2025-10-06T13:30:00Z"), t("2025-10-06T15:00:00Z")];
  assert.deepEqual(tradingDaysRange(two), { from: two[0], to: two[3] + 60, found: 2 }, "a weekend is no day");
  const days = ["2025-09-26", "2025-09-29", "2025-09-30", "2025-10-01", "2025-10-02", "2025-10-03"];
  const six = days.flatMap((d) => [t(`${d}T13:30:00Z`), t(`${d}T19:59:00Z`)]);
  const range = tradingDaysRange(six);
  assert.equal(range.found, 5);
  assert.equal(range.from, t("2025-09-29T13:30:00Z"), "the fifth newest day, from its first bar");
  // 02:00 UTC is still the day before in New York (22:00 ET)
  assert.equal(tradingDaysRange([t("2025-10-06T02:00:00Z"), t("2025-10-06T14:00:00Z")]).found, 2);
  assert.deepEqual(tradingDaysRange([]), { from: 0, to: 0, found: 0 });
});
