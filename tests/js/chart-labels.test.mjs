import assert from "node:assert/strict";
import { test } from "node:test";
import { fitLabels } from "../../src/tickstock/web/static/js/chart-data.js";

const marker = (time, text, position = "aboveBar") => ({ time, position, shape: "circle", color: "#000", text, id: `${position}|${time}` });
const texts = (markers) => markers.map((m) => m.text);

test("labels far enough apart are all kept", () => {
  const xOf = (t) => t * 100;  // a bar every 100 px: room for any name
  assert.deepEqual(texts(fitLabels([marker(1, "Doji"), marker(2, "Bearish Engulfing"), marker(3, "Hammer")], xOf)), ["Doji", "Bearish Engulfing", "Hammer"]);
});

test("a label that would run into the last one kept on its side is dropped, the marker stays", () => {
  const xOf = (t) => t * 10;  // a bar every 10 px, a day's view
  const out = fitLabels([marker(1, "Bearish Engulfing"), marker(2, "Doji"), marker(3, "Hammer"), marker(30, "Doji")], xOf);
  assert.deepEqual(texts(out), ["Bearish Engulfing", "", "", "Doji"]);
  assert.equal(out.length, 4, "every marker is still drawn");
  assert.deepEqual(out.map((m) => m.id), ["aboveBar|1", "aboveBar|2", "aboveBar|3", "aboveBar|30"]);
});

test("labels above and below the bars do not crowd each other", () => {
  const xOf = (t) => t * 10;
  const out = fitLabels([marker(1, "Doji"), marker(2, "RSI oversold", "belowBar"), marker(3, "Hammer")], xOf);
  assert.deepEqual(texts(out), ["Doji", "RSI oversold", ""]);
});

test("a marker the chart cannot place yet (no x) keeps its label and crowds no other", () => {
  const out = fitLabels([marker(1, "Doji"), marker(2, "Hammer"), marker(3, "Doji")], (t) => (t === 1 ? null : t * 10));
  assert.deepEqual(texts(out), ["Doji", "Hammer", ""]);
});

test("a label that would be cut by the right edge of the bars' area is dropped", () => {
  const xOf = (t) => t * 100;
  const out = fitLabels([marker(1, "Doji"), marker(5, "Bearish Engulfing")], xOf, 520);
  assert.deepEqual(texts(out), ["Doji", ""]);
});
