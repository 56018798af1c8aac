import assert from "node:assert/strict";
import { test } from "node:test";
import { alertsToCsv, csvCell } from "../../src/tickstock/web/static/js/csv.js";
import { isActive, matchesAlert, matchesPattern, normaliseFilters, take } from "../../src/tickstock/web/static/js/filters.js";

const p = (symbol, pattern_type, confidence) => ({ symbol, pattern_type, confidence });

test("filters combine symbol, pattern type and minimum confidence", () => {
  const f = normaliseFilters({ symbol: " nv ", patternType: "DOJI", minConfidence: "80" });
  assert.deepEqual(f, { symbol: "NV", patternType: "doji", minConfidence: 0.8, alertType: "" });
  assert.ok(isActive(f));
  assert.ok(matchesPattern(p("NVDA", "Doji", 0.85), f));
  assert.ok(!matchesPattern(p("NVDA", "Doji", 0.79), f));
  assert.ok(!matchesPattern(p("AAPL", "Doji", 0.9), f));
  assert.ok(!matchesPattern(p("NVDA", "Hammer", 0.9), f));
});

test("empty filters match everything; alert type matches exactly", () => {
  const none = normaliseFilters({});
  assert.ok(!isActive(none));
  assert.ok(matchesPattern(p("X", "Y", 0), none));
  const f = normaliseFilters({ alertType: "rsi_oversold" });
  assert.ok(matchesAlert({ symbol: "A", alert_type: "RSI_OVERSOLD" }, f));
  assert.ok(!matchesAlert({ symbol: "A", alert_type: "RSI_OVERBOUGHT" }, f));
});

test("take stops at the limit of matching items", () => {
  assert.deepEqual(take([1, 2, 3, 4, 5, 6], (n) => n % 2 === 0, 2), [2, 4]);
});

test("CSV cells are quoted when they hold quotes, commas or newlines", () => {
  assert.equal(csvCell('say "hi", ok'), '"say ""hi"", ok"');
  assert.equal(csvCell("two\nlines"), '"two\nlines"');
  assert.equal(csvCell("plain"), "plain");
  assert.equal(csvCell(null), "");
});

test("CSV text cells that a spreadsheet would run as formulas are neutralised", () => {
  for (const evil of ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tx"]) {
    assert.ok(csvCell(evil).replace(/^"/, "").startsWith("'"), evil);
  }
  assert.equal(csvCell(-1.5), "-1.5", "numbers stay numbers");
});

test("alerts export has a header and one row per alert", () => {
  const csv = alertsToCsv([{ timestamp: "2025-10-05T15:30:00Z", symbol: "AAPL", alert_type: "RSI_OVERBOUGHT", data: { indicator: "RSI", value: 75.2, threshold: 70 } }]);
  assert.equal(csv, "timestamp,symbol,alert_type,indicator,value,threshold\r\n2025-10-05T15:30:00Z,AAPL,RSI_OVERBOUGHT,RSI,75.2,70\r\n");
});
