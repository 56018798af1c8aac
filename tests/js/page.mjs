// A whole dashboard page on jsdom for the section tests: the real index.html, app and
// sections, a fake Socket.IO server, a fetch that answers from a table of routes, a fake
// chart library, and animation frames run on demand. Waits are bounded and say what they
// waited for.
import assert from "node:assert/strict";
import { createApp } from "../../src/tickstock/web/static/js/app.js";
import { chartSection } from "../../src/tickstock/web/static/js/sections/chart.js";
import { sections as appSections } from "../../src/tickstock/web/static/js/sections/index.js";
import { streamingSection } from "../../src/tickstock/web/static/js/sections/streaming.js";
import { symbolSection } from "../../src/tickstock/web/static/js/sections/symbol.js";
import { dom } from "./fixtures.mjs";

/** Runs the requested animation frames 16 ms apart until none is requested (bounded: a
 * test never hangs). @param {Function[]} frames @param {{t: number}} clock */
export function frameFlusher(frames, clock) {
  return () => {
    for (let i = 0; i < 100 && frames.length; i++) {
      clock.t += 16;
      for (const cb of frames.splice(0)) cb(clock.t);
    }
    assert.equal(frames.length, 0, "rendering settles");
  };
}

/** A Socket.IO stand-in: `connect()`, then `emit(name, data)` plays the server's side. */
export function fakeIo() {
  const handlers = new Map();
  const socket = {
    authPayloads: [],
    on: (name, fn) => handlers.set(name, fn),
    connect() { socket.opts.auth((p) => socket.authPayloads.push(p)); handlers.get("connect")?.(); },
    disconnect() { handlers.get("disconnect")?.("io client disconnect"); },
    close() {},
    emit: (name, data) => handlers.get(name)(data),
  };
  const io = (opts) => { socket.opts = opts; return socket; };
  return { io, socket };
}

/** A route's answer other than 200 with a body. */
export class Reply {
  /** @param {number} status @param {any} body */
  constructor(status, body) {
    this.status = status;
    this.body = body;
  }
}

/**
 * A fetch that answers from `routes` (pathname → body, Reply, or `(url) => either`, maybe a
 * promise); an unknown path answers 404. Every URL asked is kept in `calls`.
 */
export function fakeFetch(routes) {
  const calls = [];
  const fetch = async (input, init = {}) => {
    const url = new URL(String(input), "http://localhost/");
    calls.push(url);
    let answer = routes[url.pathname];
    if (typeof answer === "function") answer = await answer(url, init);
    if (init.signal?.aborted) throw Object.assign(new Error("aborted"), { name: "AbortError" });
    if (answer === undefined) answer = new Reply(404, { error: "not_found", detail: url.pathname });
    const reply = answer instanceof Reply ? answer : new Reply(200, answer);
    return { ok: reply.status < 400, status: reply.status, statusText: "", json: async () => reply.body };
  };
  return { fetch, calls };
}

/**
 * The parts of lightweight-charts the chart section uses, recording what it is given: each
 * series keeps the points it shows (`setData`, then `update` replacing or appending by time).
 */
export function fakeCharts() {
  const lib = {
    charts: [],
    markerSets: [],
    LineSeries: "Line",
    CandlestickSeries: "Candlestick",
    HistogramSeries: "Histogram",
    createChart(host, options) {
      const chart = {
        host, options, series: [], applied: [], removed: false, fitted: 0, visible: null,
        onCrosshair: null, stretch: [], rangeListeners: [], sizeListeners: [],
        /** Pixels per second of the time scale (a zoom); null: not laid out yet. */
        pxPerSecond: null,
        /** The reader (or the chart) moved the visible range: every listener hears it. */
        onRange(range) { for (const fn of chart.rangeListeners) fn(range); },
        addSeries(type, opts, pane) {
          const s = {
            type, opts, pane, points: [], updates: 0,
            setData(points) { s.points = [...points]; },
            update(p) {
              const last = s.points[s.points.length - 1];
              if (last && last.time === p.time) s.points[s.points.length - 1] = p;
              else s.points.push(p);
              s.updates++;
            },
          };
          chart.series.push(s);
          return s;
        },
        panes: () => [0, 1, 2, 3].map((i) => ({ setStretchFactor: (f) => { chart.stretch[i] = f; } })),
        applyOptions: (o) => chart.applied.push(o),
        remove() { chart.removed = true; },
        timeScale: () => ({
          fitContent() { chart.fitted++; },
          setVisibleRange(r) { chart.visible = r; },
          subscribeVisibleLogicalRangeChange(fn) { chart.rangeListeners.push(fn); },
          subscribeSizeChange(fn) { chart.sizeListeners.push(fn); },
          timeToCoordinate: (time) => (chart.pxPerSecond === null ? null : time * chart.pxPerSecond),
        }),
        subscribeCrosshairMove(fn) { chart.onCrosshair = fn; },
        /** The series titled or typed so, in the order added. */
        named(title) { return chart.series.find((s) => s.opts.title === title); },
        get candles() { return chart.series.find((s) => s.type === "Candlestick"); },
        get volume() { return chart.series.find((s) => s.type === "Histogram" && s.pane === 1); },
      };
      lib.charts.push(chart);
      return chart;
    },
    createSeriesMarkers(series, markers) {
      const set = { series, markers, setMarkers(m) { set.markers = m; } };
      lib.markerSets.push(set);
      return set;
    },
  };
  return lib;
}

const windows = [];

/** Closes every page opened (their timers end with them): `afterEach(closePages)`. */
export function closePages() {
  for (const w of windows.splice(0)) w.close();
}

/**
 * Opens the page at `hash` with the app started.
 * @param {{hash?: string, routes?: Record<string, any>, charts?: any, storage?: any, sessionStorage?: any,
 *   AudioContext?: any, Notification?: any, start?: number}} [options]
 */
export function openPage(options = {}) {
  const { window } = dom();
  windows.push(window);
  if (options.hash) window.history.replaceState(null, "", `/${options.hash}`);
  // The page's repeating timers, run on demand by `runEvery(ms)` (the session clock, auto-refresh).
  const intervals = new Map();
  let nextInterval = 1;
  window.setInterval = (fn, ms) => {
    intervals.set(nextInterval, { fn, ms });
    return nextInterval++;
  };
  window.clearInterval = (id) => intervals.delete(id);
  /** Runs once every repeating timer of period `ms`; returns how many ran. */
  const runEvery = (ms) => {
    const due = [...intervals.values()].filter((i) => i.ms === ms);
    for (const i of due) i.fn();
    return due.length;
  };
  const frames = [];
  const { io, socket } = fakeIo();
  const { fetch, calls } = fakeFetch(options.routes ?? {});
  const clock = { t: options.start ?? Date.parse("2025-10-05T14:00:00Z") };
  const charts = options.charts;
  const loadCharts = async () => {
    if (!charts) throw new Error("no chart library in this test");
    return charts;
  };
  const app = createApp({
    doc: window.document, win: window, io, fetch,
    storage: options.storage === undefined ? window.localStorage : options.storage,
    sessionStorage: options.sessionStorage === undefined ? window.sessionStorage : options.sessionStorage,
    now: () => clock.t,
    requestFrame: (cb) => frames.push(cb),
    AudioContext: options.AudioContext,
    Notification: options.Notification,
    sections: (a) => ({
      ...appSections(a),
      streaming: streamingSection(a, loadCharts),
      chart: chartSection(a, loadCharts),
      symbol: symbolSection(a, loadCharts),
    }),
  });
  app.start();
  const flush = frameFlusher(frames, clock);
  /** Lets promises and timers run, rendering frames, until `ready()` holds (at most 5 s: a loaded machine). */
  const until = async (ready, what) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      flush();
      if (ready()) return;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  /** Lets every pending promise and zero-delay timer run (the fakes answer without I/O), then renders. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    flush();
  };
  const doc = window.document;
  /** Navigates as a link does, and waits for the route to change. */
  const go = async (hash) => {
    window.location.hash = hash;
    await until(() => `#/${[app.router.route.name, ...app.router.route.params].join("/")}` === decodeURIComponent(hash), `route ${hash}`);
  };
  const text = (selector) => doc.querySelector(selector)?.textContent ?? null;
  const texts = (selector) => [...doc.querySelectorAll(selector)].map((e) => e.textContent);
  const click = (el) => el.dispatchEvent(new window.MouseEvent("click", { bubbles: true, cancelable: true }));
  return { window, doc, app, socket, clock, frames, calls, flush, until, settle, go, intervals, runEvery, text, texts, click };
}
