// The whole page on jsdom with a fake Socket.IO server: a snapshot renders at once, frames
// render once per animation frame, every event is counted, and resume data is sent back.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { createApp } from "../../src/tickstock/web/static/js/app.js";
import { FULL_ROWS } from "../../src/tickstock/web/static/js/render/list.js";
import { sections } from "../../src/tickstock/web/static/js/sections/index.js";
import { alert, dom, minute, pattern, started, XSS } from "./fixtures.mjs";
import { fakeIo, frameFlusher } from "./page.mjs";

const windows = [];
// Each page's timers (auto-refresh, session clock) end with its window.
afterEach(() => {
  for (const w of windows.splice(0)) w.close();
});

function page() {
  const { window } = dom();
  windows.push(window);
  const frames = [];
  const { io, socket } = fakeIo();
  const calls = [];
  const clock = { t: Date.parse("2025-10-05T14:00:00Z") };
  const app = createApp({
    doc: window.document, win: window, io, storage: window.localStorage, sessionStorage: window.sessionStorage,
    fetch: async (url) => { calls.push(url); return { ok: true, status: 200, json: async () => ({ session: null }) }; },
    now: () => clock.t,
    requestFrame: (cb) => frames.push(cb),
    sections,
  });
  app.start();
  const flush = frameFlusher(frames, clock);
  return { window, doc: window.document, app, socket, flush, calls, frames };
}

test("a page opened mid-session renders the snapshot at once", () => {
  const { doc, socket, flush } = page();
  socket.connect();
  socket.emit("snapshot", { epoch: "e1", seq: 100, reason: "connect", session: started().session,
    metrics: { active_symbols: 480, events_per_second: 3, patterns_detected: 12, indicator_alerts: 2 },
    recent_patterns: [pattern()], recent_alerts: [], latest_indicators: [], open_critical_alerts: [],
    settings: { refresh_interval: 0, max_pattern_events: 50, max_alert_events: 30, auto_scroll: true, sound_alerts: false } });
  flush();
  assert.equal(doc.querySelectorAll(".pattern-row").length, 1);
  assert.equal(doc.querySelector('[data-field="status"]').textContent, "Session active");
  assert.equal(doc.querySelector('[data-field="activeSymbols"]').textContent, "480");
  assert.equal(doc.querySelector('[data-control="refresh-info"]').textContent, "Manual refresh only");
});

test("2,000 events in frames: one render per animation frame, all counted, DOM bounded", () => {
  const { doc, app, socket, flush, frames } = page();
  socket.connect();
  socket.emit("snapshot", { epoch: "e1", seq: 0, settings: { max_pattern_events: 50 } });
  flush();
  const framesBefore = app.stats.framesRendered;
  for (let f = 0; f < 20; f++) {
    socket.emit("frame", { epoch: "e1", events: Array.from({ length: 100 }, (_, i) => {
      const seq = f * 100 + i + 1;
      return { seq, event: "streaming_pattern", at: seq, data: pattern({ timestamp: minute(seq), symbol: seq === 2000 ? XSS : "NVDA" }) };
    }) });
  }
  assert.equal(frames.length, 1, "2,000 events ask for one animation frame");
  frames.shift()(0);
  assert.equal(app.stats.framesRendered - framesBefore, 1);
  flush();
  assert.equal(app.stats.eventsApplied, 2000);
  assert.equal(app.state.counters.patterns, 2000);
  assert.equal(doc.querySelectorAll(".pattern-row").length, FULL_ROWS, "rows for the list's first page only");
  assert.equal(doc.querySelector('[data-panel="patterns"] .more').textContent, `${FULL_ROWS} of 50 shown · scroll for more`);
  assert.equal(doc.querySelector(".pattern-row .sym").textContent, XSS);
  assert.equal(doc.querySelectorAll("main img").length, 0);
  assert.throws(() => { "use strict"; app.stats.eventsApplied = 0; }, TypeError, "stats are read-only");
});

test("a reconnect sends the epoch, last_seq and the last detection it holds; resumed shows the recovery", () => {
  const { doc, socket, flush } = page();
  socket.connect();
  socket.emit("snapshot", { epoch: "e1", seq: 10 });
  const detection = { symbol: "NVDA", pattern_type: "Doji", confidence: 0.6, timestamp: "2019-03-01T15:30:00Z", timeframe: "1min", bar_data: { open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 } };
  socket.emit("frame", { epoch: "e1", events: [{ seq: 11, event: "streaming_pattern", at: 5000, data: { type: "streaming_pattern", detection } }] });
  socket.disconnect();
  socket.connect();
  assert.deepEqual(socket.authPayloads.at(-1), {
    epoch: "e1",
    last_seq: 11,
    after: { pattern: { symbol: "NVDA", pattern_type: "Doji", timeframe: "1min", timestamp: "2019-03-01T15:30:00Z" } },
  });
  socket.emit("resumed", { from_seq: 12, to_seq: 14, count: 3 });
  flush();
  assert.equal(doc.querySelector('#topbar [data-field="notice"]').textContent, "Recovered 3 missed events");
});

test("navigating away unmounts Live Streaming; its auto-refresh stops", () => {
  const { window, doc, app, socket, flush } = page();
  socket.connect();
  socket.emit("snapshot", { epoch: "e1", seq: 0, settings: { refresh_interval: 30 } });
  flush();
  assert.match(doc.querySelector('[data-control="refresh-info"]').textContent, /every 30s/);
  assert.ok(app.refreshNow);
  window.location.hash = "#/settings";
  window.dispatchEvent(new window.HashChangeEvent("hashchange"));
  assert.equal(app.refreshNow, null);
  assert.equal(doc.querySelector("main h1").textContent, "Settings");
  assert.equal(doc.querySelector('.sidebar a[aria-current="page"]').textContent, "Settings");
});

test("the raw JSON view shows the event as escaped text", () => {
  const { doc, app } = page();
  app.showJson({ symbol: XSS });
  assert.match(doc.getElementById("json-text").textContent, /<img src=x/);
  assert.equal(doc.querySelectorAll("dialog img").length, 0);
});

test("a frame's entries reach the chart bus one by one; its patterns play one sound, its alerts each theirs", () => {
  const { app, socket, flush } = page();
  socket.connect();
  socket.emit("snapshot", { epoch: "e1", seq: 0 });
  flush();
  const plays = [];
  app.sound.play = (cls) => plays.push(cls);
  const patterns = [];
  app.bus.on("pattern", (d, data) => patterns.push([d.timestamp, data]));
  const events = [1, 2, 3].map((n) => ({ seq: n, event: "streaming_pattern", at: n, data: pattern({ timestamp: minute(n) }) }));
  const bearish = { seq: 4, event: "indicator_alert", at: 4, data: alert({ alert_type: "RSI_OVERBOUGHT" }) };
  const bullish = { seq: 5, event: "indicator_alert", at: 5, data: alert({ alert_type: "RSI_OVERSOLD", timestamp: minute(5) }) };
  socket.emit("frame", { epoch: "e1", events: [...events, bearish, bullish] });
  assert.deepEqual(patterns, events.map((e) => [e.data.detection.timestamp, e.data]));
  assert.deepEqual(plays, ["bearish", "bullish", "pattern"]);
  socket.emit("frame", { epoch: "e1", events: [{ seq: 6, event: "streaming_health", at: 6, data: { type: "streaming_health", health: {} } }] });
  assert.deepEqual(plays, ["bearish", "bullish", "pattern"], "a frame without patterns plays no pattern sound");
  assert.equal(app.state.counters.events, 6);
});
