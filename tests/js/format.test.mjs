import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatAlertType, formatApart, formatConfidence, formatCount, formatDuration, formatFixed, formatSigned, formatLocalTitle, formatNumber, formatNyDateTime,
  formatNyShort, formatNyTime, formatStamp, indicatorDigits, setTime, setToday,
} from "../../src/tickstock/web/static/js/format.js";
import { dom } from "./fixtures.mjs";

test("times show in New York time, summer (EDT) and winter (EST)", () => {
  assert.equal(formatNyTime("2025-10-05T14:15:00Z"), "10:15:00 ET");
  assert.equal(formatNyTime("2025-01-06T14:30:00Z"), "09:30:00 ET");
});

test("the local time for the title uses the reader's zone", () => {
  assert.equal(formatLocalTitle("2025-10-05T14:15:00Z", "Europe/Paris"), "Local time: 10/05/2025, 16:15:00 GMT+2");
});

test("missing or invalid times show a dash, not 'Invalid Date'", () => {
  assert.equal(formatNyTime(null), "—");
  assert.equal(formatNyTime("not a time"), "—");
  assert.equal(formatLocalTitle(undefined), "");
});

test("numbers are grouped, non-numbers are a dash", () => {
  assert.equal(formatNumber(45000, 0), "45,000");
  assert.equal(formatNumber(125.3, 1), "125.3");
  assert.equal(formatNumber({}), "—");
  assert.equal(formatNumber(Number.NaN), "—");
  assert.equal(formatFixed(-0.125, 2), "-0.13");
  assert.equal(formatFixed(125.5, 2), "125.50");
});

test("confidence is a clamped percentage", () => {
  assert.equal(formatConfidence(0.85), "85%");
  assert.equal(formatConfidence(1.2), "100%");
  assert.equal(formatConfidence("x"), "—");
});

test("durations and alert types read as words", () => {
  assert.equal(formatDuration(23400), "6h 30m 00s");
  assert.equal(formatDuration(75), "1m 15s");
  assert.equal(formatDuration(-1), "—");
  assert.equal(formatAlertType("RSI_OVERBOUGHT"), "RSI overbought");
  assert.equal(formatAlertType("MACD_BULLISH_CROSS"), "MACD bullish cross");
});

test("a signed change shows its sign, and what rounds to zero as plain 0.00", () => {
  assert.equal(formatSigned(1.2, 2), "+1.20");
  assert.equal(formatSigned(-0.346, 2), "-0.35");
  assert.equal(formatSigned(-0.004, 2), "0.00");
  assert.equal(formatSigned(0.004, 2), "0.00");
  assert.equal(formatSigned(-0, 2), "0.00");
  assert.equal(formatSigned(1234.5, 2), "+1,234.50");
  assert.equal(formatSigned(null, 2), "—");
});

test("a value that rounds to zero is 0.00, never -0.00 (an alert's MACD, a histogram)", () => {
  assert.equal(formatFixed(-0.004, 2), "0.00");
  assert.equal(formatFixed(-0.0004, 3), "0.000");
  assert.equal(formatFixed(-0, 2), "0.00");
  assert.equal(formatFixed(-0.006, 2), "-0.01");
});

test("a time that cannot be read shows a dash, never 'Invalid Date'; under a minute is in seconds", () => {
  assert.equal(formatNyShort("soon"), "—");
  assert.equal(formatNyDateTime(undefined), "—");
  assert.equal(formatStamp("soon"), "—");
  assert.equal(setToday(NaN), false, "no day from an unreadable clock");
  assert.equal(formatDuration(45.9), "45s");
  assert.equal(formatAlertType(null), "");
});

test("an element's time: New York text, local title and machine-readable datetime, over many distinct seconds", () => {
  const { window } = dom();
  const el = window.document.createElement("time");
  setToday(Date.parse("2025-10-05T16:00:00Z"));
  for (let i = 0; i < 1000; i++) setTime(el, new Date(Date.UTC(2025, 9, 5, 14, 0, 0) + i * 1000).toISOString());
  assert.equal(el.textContent, "10:16:39 ET");
  assert.equal(el.title, "Local time: 10/05/2025, 14:16:39 UTC");
  assert.equal(el.getAttribute("datetime"), "2025-10-05T14:16:39.000Z");
  setTime(el, null);
  assert.equal(el.textContent, "—");
  assert.equal(el.getAttribute("datetime"), "");
});

test("MACD values read in thousandths, other indicators in hundredths", () => {
  assert.equal(indicatorDigits("MACD"), 3);
  assert.equal(indicatorDigits("MACD_BEARISH_CROSS"), 3);
  assert.equal(indicatorDigits("RSI"), 2);
  assert.equal(indicatorDigits(undefined), 2);
});

test("a value and its threshold get decimals until they read apart, at most six", () => {
  assert.deepEqual(formatApart(0.0123, 0.0114, 2), ["0.012", "0.011"]);
  assert.deepEqual(formatApart(70.004, 70, 2), ["70.004", "70.000"]);
  assert.deepEqual(formatApart(0.25, 0.25, 3), ["0.250", "0.250"]);
  assert.deepEqual(formatApart(1e-9, 0, 3), ["0.000000", "0.000000"]);
  assert.deepEqual(formatApart(75.2, null, 2), ["75.20", "—"]);
  assert.deepEqual(formatApart(undefined, 70, 2), ["—", "70.00"]);
});

test("counts are grouped, with the noun singular for one", () => {
  assert.equal(formatCount(18288, "result"), "18,288 results");
  assert.equal(formatCount(1, "result"), "1 result");
  assert.equal(formatCount(0, "session"), "0 sessions");
});
