import assert from "node:assert/strict";
import { test } from "node:test";
import { symbolFacts } from "../../src/tickstock/web/static/js/sections/symbol.js";

const row = (last, prevClose) => ({
  symbol: "NVDA", last, previousClose: prevClose, open: prevClose, volume: 1200, rsi: 48.5, macdHist: -0.0004,
  bbUpper: null, bbLower: null, pattern: null, patternConfidence: null, alerts: 0,
});
const fact = (facts, label) => Object.fromEntries(facts)[label];

test("the symbol page's change reads like the grid's: signed, and 0.00 when it rounds to zero", () => {
  assert.equal(fact(symbolFacts(row(47.01, 47.014)), "Change"), "0.00 (-0.01%)");
  assert.equal(fact(symbolFacts(row(48.5, 47.5)), "Change"), "+1.00 (+2.11%)");
  assert.equal(fact(symbolFacts(row(46.5, 47.5)), "Change"), "-1.00 (-2.11%)");
  assert.equal(fact(symbolFacts(row(47.5, 47.5)), "Change"), "0.00 (0.00%)");
});

test("a MACD histogram that rounds to zero is 0.000, not -0.000", () => {
  assert.equal(fact(symbolFacts(row(47.5, 47.5)), "MACD histogram"), "0.000");
});
