// Every panel renders event text as literal text: a symbol or message carrying markup
// creates no element. Lists are bounded and rows are reused, not rebuilt.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { emptyFilters } from "../../src/tickstock/web/static/js/filters.js";
import { createBanner } from "../../src/tickstock/web/static/js/render/banner.js";
import { createConnectionPanel } from "../../src/tickstock/web/static/js/render/connection.js";
import { FULL_ROWS, KeyedList } from "../../src/tickstock/web/static/js/render/list.js";
import { PATTERN_ROWS_PER_FRAME } from "../../src/tickstock/web/static/js/render/patterns.js";
import { acknowledgeCritical, applyEvent, applySnapshot, createState, setPaused } from "../../src/tickstock/web/static/js/store.js";
import { mountStreamingView } from "../../src/tickstock/web/static/js/sections/streaming-view.js";
import { Scope } from "../../src/tickstock/web/static/js/scope.js";
import { createWatchlists } from "../../src/tickstock/web/static/js/grid-model.js";
import { alert, critical, dom, health, indicator, minute, pattern, started, stopped, XSS } from "./fixtures.mjs";

function mount(settings, watchlists) {
  const { window } = dom();
  const doc = window.document;
  const opened = [];
  const state = createState(settings);
  const ctx = { filters: () => ctx.f, f: emptyFilters(), autoScroll: () => true, now: () => Date.parse("2025-10-05T14:00:00Z"),
    openChart: (s) => opened.push(["chart", s]), showJson: (d) => opened.push(["json", d]),
    renderRequests: 0, requestRender: () => ctx.renderRequests++, watchlists };
  const view = mountStreamingView(doc.getElementById("main"), new Scope(), ctx);
  const render = () => {
    view.render(state, true);
    state.dirty.clear();
  };
  return { window, doc, state, view, render, opened, ctx };
}

/** jsdom lays nothing out: gives a list the geometry a browser would (40px rows, 420px
 * high); returns a function that scrolls it, as a reader would. */
function scrollable(list) {
  Object.defineProperty(list, "clientHeight", { value: 420 });
  Object.defineProperty(list, "scrollHeight", { get: () => 40 * list.children.length });
  let top = 0;
  Object.defineProperty(list, "scrollTop", { get: () => top, set: (v) => { top = v; } });
  return (px) => {
    top = px;
    list.dispatchEvent(new list.ownerDocument.defaultView.Event("scroll"));
  };
}

/** Renders as the scheduler does: only what is dirty or asked again, until nothing is kept. */
function renderAsScheduler(view, state, all = false) {
  let kept = view.render(state, all);
  for (let n = 0; n < 10 && kept.length; n++) {
    state.dirty.clear();
    for (const name of kept) state.dirty.add(name);
    kept = view.render(state);
  }
  state.dirty.clear();
}

const noInjected = (root) => assert.equal(root.querySelectorAll("img, script").length, 0, "markup from event text became elements");

describe("renderers", () => {
  test("pattern stream: markup in symbol and type renders as text", () => {
    const { doc, state, render } = mount();
    applyEvent(state, "streaming_pattern", pattern({ symbol: XSS, pattern_type: XSS }));
    render();
    const row = doc.querySelector(".pattern-row");
    noInjected(doc.body);
    assert.equal(row.querySelector(".sym").textContent, XSS);
    assert.equal(row.querySelector(".ptype").textContent, XSS);
  });

  test("pattern stream: newest first, bounded, confidence bar, badge and bar data", () => {
    const { doc, state, render } = mount({ max_pattern_events: 10 });
    for (let i = 0; i < 25; i++) applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(i), confidence: i === 24 ? 0.9 : 0.5 }));
    render();
    const rows = doc.querySelectorAll(".pattern-row");
    assert.equal(rows.length, 10);
    assert.equal(rows[0].querySelector("time").dateTime, new Date(minute(24)).toISOString());
    assert.equal(rows[0].querySelector(".conf-text").textContent, "90%");
    assert.equal(rows[0].querySelector(".conf-fill").style.width, "90%");
    assert.equal(rows[0].querySelector(".badge-high").hidden, false);
    assert.equal(rows[1].querySelector(".badge-high").hidden, true);
    assert.deepEqual([...rows[0].querySelectorAll(".bar-data dd")].map((d) => d.textContent), ["125.50", "125.75", "125.45", "125.52", "250,000"]);
    assert.match(rows[0].querySelector("time").title, /^Local time: /);
  });

  test("rows are reused: a new event moves one row in, existing nodes stay", () => {
    const { doc, state, render } = mount({ max_pattern_events: 5 });
    for (let i = 0; i < 5; i++) applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(i) }));
    render();
    const before = [...doc.querySelectorAll(".pattern-row")];
    before[0].querySelector("details").open = true;
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(5) }));
    render();
    const after = [...doc.querySelectorAll(".pattern-row")];
    assert.equal(after.length, 5);
    assert.deepEqual(after.slice(1), before.slice(0, 4), "the four surviving rows are the same nodes");
    assert.equal(after[1].querySelector("details").open, true, "an expanded row stays expanded");
  });

  test("a frame's row work is bounded: the top rows first, the rest on the next renders", () => {
    const { doc } = mount();
    const ol = doc.createElement("ol");
    let updates = 0;
    const list = new KeyedList(ol, {
      key: (item) => item.k,
      create: () => doc.createElement("li"),
      update(li, item) {
        updates++;
        li.textContent = item.k;
      },
    });
    const shown = () => [...ol.children].map((li) => li.textContent);
    const events = Array.from({ length: 42 }, (_, i) => ({ k: `e${i}` }));
    const items = (from, to) => events.slice(from, to).reverse();
    const first = items(0, 30); // e29 … e0, newest first
    assert.equal(list.render(first, 8), false, "30 new rows do not fit a budget of 8");
    assert.deepEqual(shown(), first.slice(0, 8).map((i) => i.k), "the newest 8, in order");
    assert.equal(list.render(first, 8), false);
    assert.equal(list.render(first, 8), false);
    assert.equal(list.render(first, 8), true, "done on the 4th render");
    assert.deepEqual(shown(), first.map((i) => i.k));
    assert.equal(updates, 30, "each row formatted once");
    assert.ok(ol.classList.contains("is-full") === first.length >= FULL_ROWS);
    // 12 newer events: the visible top is current at once, older rows kept in order below.
    const next = items(12, 42).slice(0, 30);
    updates = 0;
    assert.equal(list.render(next, 8), false);
    const now = shown();
    assert.deepEqual(now.slice(0, 8), next.slice(0, 8).map((i) => i.k));
    assert.deepEqual(now.slice(8), ["e29", "e28", "e27", "e26", "e25", "e24", "e23", "e22", "e21", "e20", "e19", "e18", "e17", "e16", "e15", "e14", "e13", "e12"],
      "only rows still wanted remain, in order");
    assert.equal(updates, 8);
    assert.equal(list.render(next, 8), true);
    assert.deepEqual(shown(), next.map((i) => i.k));
    assert.equal(list.render(next, 8), true, "nothing left to do costs nothing");
    assert.equal(updates, 12);
  });

  test("a burst larger than a frame's budget fills the pattern list over a few renders", () => {
    const { doc, state, view } = mount({ max_pattern_events: 50 });
    for (let i = 0; i < 60; i++) applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(i) }));
    let renders = 0;
    let kept;
    do {
      kept = view.render(state, renders === 0);
      state.dirty.clear();
      for (const name of kept) state.dirty.add(name);
      renders++;
      const rows = doc.querySelectorAll(".pattern-row");
      assert.equal(rows[0].querySelector("time").dateTime, new Date(minute(59)).toISOString(), "the newest row is on top from the first render");
    } while (kept.includes("patterns") && renders < 10);
    assert.equal(renders, Math.ceil(FULL_ROWS / PATTERN_ROWS_PER_FRAME));
    const rows = doc.querySelectorAll(".pattern-row");
    assert.equal(rows.length, FULL_ROWS);
    assert.equal(rows[FULL_ROWS - 1].querySelector("time").dateTime, new Date(minute(59 - FULL_ROWS + 1)).toISOString());
  });

  test("a long list has rows for its first page; scrolling near the end shows a page more, back to the top one page", () => {
    const { doc, state, view, ctx } = mount({ max_pattern_events: 50 });
    const list = doc.querySelector('[data-panel="patterns"] ol.stream');
    const note = doc.querySelector('[data-panel="patterns"] .more');
    for (let i = 0; i < 60; i++) applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(i) }));
    const renderAll = (all = false) => renderAsScheduler(view, state, all);
    renderAll(true);
    assert.equal(doc.querySelectorAll(".pattern-row").length, FULL_ROWS);
    assert.equal(note.hidden, false);
    assert.equal(note.textContent, `${FULL_ROWS} of 50 shown · scroll for more`);
    const scrollTo = scrollable(list);
    scrollTo(10);
    assert.equal(ctx.renderRequests, 0, "not near the end: nothing to add");
    scrollTo(40 * FULL_ROWS - 420 - 100);
    assert.equal(ctx.renderRequests, 1, "near the end: a render is asked for");
    renderAll();
    assert.equal(doc.querySelectorAll(".pattern-row").length, 2 * FULL_ROWS);
    assert.equal(note.textContent, `${2 * FULL_ROWS} of 50 shown · scroll for more`);
    scrollTo(40 * 2 * FULL_ROWS - 420);
    renderAll();
    assert.equal(doc.querySelectorAll(".pattern-row").length, 50, "never more than the list holds");
    assert.equal(note.hidden, true, "all shown: no note");
    scrollTo(0);
    renderAll();
    assert.equal(doc.querySelectorAll(".pattern-row").length, FULL_ROWS, "back at the top: one page again");
  });

  test("a paused list stays frozen, and scrolling it still shows more of what it held", () => {
    const { doc, state, view } = mount({ max_pattern_events: 50 });
    for (let i = 0; i < 60; i++) applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(i) }));
    renderAsScheduler(view, state, true);
    setPaused(state, true);
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(60) }));
    renderAsScheduler(view, state);
    const scrollTo = scrollable(doc.querySelector('[data-panel="patterns"] ol.stream'));
    scrollTo(40 * FULL_ROWS - 420);
    renderAsScheduler(view, state);
    const rows = doc.querySelectorAll(".pattern-row");
    assert.equal(rows.length, 2 * FULL_ROWS);
    assert.equal(rows[0].querySelector("time").dateTime, new Date(minute(59)).toISOString(), "the pattern that came while paused is not shown");
    assert.equal(rows[2 * FULL_ROWS - 1].querySelector("time").dateTime, new Date(minute(59 - 2 * FULL_ROWS + 1)).toISOString());
  });

  test("paused lists freeze until resumed", () => {
    const { doc, state, render } = mount();
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(0) }));
    render();
    setPaused(state, true);
    applyEvent(state, "streaming_pattern", pattern({ timestamp: minute(1) }));
    render();
    assert.equal(doc.querySelectorAll(".pattern-row").length, 1);
    setPaused(state, false);
    render();
    assert.equal(doc.querySelectorAll(".pattern-row").length, 2);
  });

  test("filters apply to the rendered list and the empty state says why", () => {
    const { doc, state, render, ctx } = mount();
    applyEvent(state, "streaming_pattern", pattern());
    ctx.f = { ...emptyFilters(), symbol: "AAPL" };
    render();
    assert.equal(doc.querySelectorAll(".pattern-row").length, 0);
    assert.equal(doc.querySelector('[data-panel="patterns"] .empty').textContent, "No pattern matches the current filters.");
  });

  test("empty states explain the situation before any session", () => {
    const { doc, render } = mount();
    render();
    assert.match(doc.querySelector('[data-panel="patterns"] .empty').textContent, /no streaming session has started/);
    assert.equal(doc.querySelector('[data-panel="health"] [data-field="message"]').textContent, "Waiting for streaming data");
  });

  test("indicators: MACD and BB lines show real numbers, never {}", () => {
    const { doc, state, render } = mount();
    applyEvent(state, "streaming_indicator", indicator({ indicator: "MACD", value: 0.42, values: { macd: 0.42, signal: 0.1, histogram: 0.32 } }));
    applyEvent(state, "streaming_indicator", indicator({ symbol: "AAPL", indicator: "BB", value: 101, values: { upper: 103.2, middle: 101, lower: 98.8 } }));
    applyEvent(state, "streaming_indicator", indicator({ symbol: XSS }));
    render();
    const text = [...doc.querySelectorAll(".indicator-row .ivalue")].map((e) => e.textContent);
    assert.deepEqual(text, ["72.50", "upper 103.20 · middle 101.00 · lower 98.80", "macd 0.420 · signal 0.100 · histogram 0.320"]);
    const pairs = [...doc.querySelectorAll(".indicator-row .ivalue")].map((e) => [...e.querySelectorAll(".pair")].map((p) => p.textContent));
    assert.deepEqual(pairs[1], ["upper 103.20", "middle 101.00", "lower 98.80"], "each name with its value, unbroken");
    assert.deepEqual(pairs[0], ["72.50"]);
    const lower = doc.querySelectorAll(".indicator-row .ivalue")[1].lastElementChild;
    applyEvent(state, "streaming_indicator", indicator({ indicator: "MACD", value: 0.5, timestamp: minute(1), values: { macd: 0.5, signal: 0.2, histogram: 0.3 } }));
    render();
    assert.equal(doc.querySelectorAll(".indicator-row .ivalue")[2].lastElementChild, lower, "a value that did not change keeps its nodes");
    applyEvent(state, "streaming_indicator", indicator({ symbol: "AAPL", indicator: "BB", value: 101, timestamp: minute(2), values: { upper: 103.2, middle: 101, lower: 98.7 } }));
    render();
    assert.equal(doc.querySelector(".indicator-row .ivalue").textContent, "upper 103.20 · middle 101.00 · lower 98.70");
    assert.ok(!doc.body.textContent.includes("{}"));
    assert.ok(!doc.body.textContent.includes("[object Object]"));
    noInjected(doc.body);
  });

  test("alerts: priority visuals per type, bounded, markup as text", () => {
    const { doc, state, render } = mount({ max_alert_events: 3 });
    for (let i = 0; i < 5; i++) applyEvent(state, "indicator_alert", alert({ timestamp: minute(i), alert_type: "MACD_BULLISH_CROSS" }));
    applyEvent(state, "indicator_alert", alert({ symbol: XSS, timestamp: minute(9) }));
    render();
    const rows = doc.querySelectorAll(".alert-row");
    assert.equal(rows.length, 3);
    assert.ok(rows[0].classList.contains("alert--rsi-overbought") && rows[0].classList.contains("dir-bearish"));
    assert.ok(rows[1].classList.contains("prio-high") && rows[1].classList.contains("dir-bullish"));
    assert.equal(rows[0].querySelector(".sym").textContent, XSS);
    assert.equal(rows[0].querySelector(".adetail").textContent, "RSI 75.20 (threshold 70.00)");
    assert.equal(doc.querySelector('[data-panel="alerts"] ol').getAttribute("aria-live"), "polite");
    noInjected(doc.body);
  });

  test("alerts: a MACD cross shows thousandths, more while value and threshold would read alike", () => {
    const { doc, state, render } = mount();
    const cross = (i, value, threshold) => applyEvent(state, "indicator_alert", alert({
      timestamp: minute(i), alert_type: "MACD_BULLISH_CROSS", data: { indicator: "MACD", value, threshold } }));
    cross(1, 0.0123, 0.0114);
    cross(2, 0.01042, 0.01038);
    cross(3, 0.25, 0.25);
    render();
    const details = [...doc.querySelectorAll(".alert-row .adetail")].map((e) => e.textContent);
    assert.deepEqual(details, ["MACD 0.250 (threshold 0.250)", "MACD 0.01042 (threshold 0.01038)", "MACD 0.012 (threshold 0.011)"]);
  });

  test("health: details, issues as text, stale and Session Stopped", () => {
    const { doc, state, render } = mount();
    applyEvent(state, "streaming_session", started());
    applyEvent(state, "streaming_health", health({ status: "warning", issues: [XSS, { message: "lag high" }] }));
    render();
    const panel = doc.querySelector('[data-panel="health"]');
    assert.equal(panel.querySelector('[data-field="badge"]').textContent, "warning");
    assert.deepEqual([...panel.querySelectorAll(".issues li")].map((li) => li.textContent), [XSS, "lag high"]);
    assert.equal(panel.querySelector('[data-field="cpu"]').textContent, "35.2 %");
    noInjected(doc.body);
    applyEvent(state, "app_status", { engine: "stale" });
    render();
    assert.match(panel.querySelector('[data-field="message"]').textContent, /^Stale/);
    applyEvent(state, "streaming_session", stopped());
    render();
    assert.equal(panel.querySelector('[data-field="message"]').textContent, "Session Stopped");
  });

  test("health: the ingest line counts rejects and normalisations, hidden until the server sends them", () => {
    const { doc, state, render } = mount();
    render();
    const line = doc.querySelector('[data-panel="health"] [data-field="ingest"]');
    assert.equal(line.hidden, true);
    applyEvent(state, "metrics", { active_symbols: 3, events_per_second: 1, patterns_detected: 2, indicator_alerts: 0, rejects: 1200, normalised: 7 });
    render();
    assert.equal(line.hidden, false);
    assert.equal(line.textContent, "Ingest: 1,200 rejected · 7 normalised");
  });

  test("session: active pulses with live duration; stopped shows final counts", () => {
    const { doc, state, render } = mount();
    applyEvent(state, "streaming_session", started({ universe: XSS }));
    applyEvent(state, "streaming_health", health({ timestamp: "2025-10-05T14:00:00Z" })); // the stream keeps wall time
    render();
    const panel = doc.querySelector('[data-panel="session"]');
    assert.ok(panel.querySelector('[data-field="dot"]').classList.contains("is-active"));
    assert.equal(panel.querySelector('[data-field="universe"]').textContent, XSS);
    assert.equal(panel.querySelector('[data-field="duration"]').textContent, "30m 00s");
    assert.equal(panel.querySelector('[data-field="final"]').hidden, true);
    applyEvent(state, "streaming_session", stopped());
    render();
    assert.ok(panel.querySelector('[data-field="dot"]').classList.contains("is-stopped"));
    assert.equal(panel.querySelector('[data-field="totalPatterns"]').textContent, "1,250");
    assert.equal(panel.querySelector('[data-field="duration"]').textContent, "6h 30m 00s");
    noInjected(doc.body);
  });

  test("metrics: a snapshot's metrics show at once; updates are debounced", () => {
    const { doc, state, view } = mount();
    applySnapshot(state, { epoch: "e", seq: 1, metrics: { active_symbols: 480, events_per_second: 12.5, patterns_detected: 900, indicator_alerts: 40 } });
    view.render(state, true);
    const f = (n) => doc.querySelector(`[data-panel="metrics"] [data-field="${n}"]`).textContent;
    assert.equal(f("activeSymbols"), "480");
    assert.equal(f("patternsDetected"), "900");
    applyEvent(state, "metrics", { active_symbols: 481, events_per_second: 1, patterns_detected: 901, indicator_alerts: 40 });
    const kept = view.render(state);
    assert.deepEqual(kept, ["metrics"], "a second update within the debounce interval waits");
    assert.equal(f("activeSymbols"), "480");
  });

  test("clicking a symbol opens its chart; JSON opens the raw event", () => {
    const { window, doc, state, render, opened } = mount();
    applyEvent(state, "indicator_alert", alert());
    render();
    doc.querySelector(".alert-row .sym").dispatchEvent(new window.MouseEvent("click", { bubbles: true }));
    doc.querySelector(".alert-row .json-btn").dispatchEvent(new window.MouseEvent("click", { bubbles: true }));
    assert.deepEqual(opened[0], ["chart", "AAPL"]);
    assert.equal(opened[1][0], "json");
    assert.equal(opened[1][1].alert.symbol, "AAPL");
  });

  test("banner: severity, acknowledge hides it, recovery clears it; markup as text", () => {
    const { doc, state } = mount();
    const banner = createBanner(doc.getElementById("critical-banner"));
    applyEvent(state, "critical_alert", critical({ message: XSS }));
    banner.render(state);
    const el = doc.getElementById("critical-banner");
    assert.equal(el.hidden, false);
    assert.ok(el.classList.contains("severity-critical"));
    assert.equal(el.querySelector('[data-field="message"]').textContent, XSS);
    noInjected(doc.body);
    acknowledgeCritical(state, "massive_websocket");
    banner.render(state);
    assert.equal(el.hidden, true, "acknowledged");
    applyEvent(state, "critical_alert", critical({ message: "again" }));
    banner.render(state);
    assert.equal(el.hidden, false, "a new alert of the component shows again");
    applyEvent(state, "critical_alert", critical({ resolved: true }));
    banner.render(state);
    assert.equal(el.hidden, true);
  });

  test("connection indicator: recovered N, feed gap range, app status down", () => {
    const { doc, state } = mount();
    const panel = createConnectionPanel(doc.getElementById("topbar"));
    state.connection = { state: "connected", notice: { kind: "recovered", count: 66 } };
    state.appStatus = { redis: "reconnecting", database: "down", engine: "live" };
    panel.render(state);
    const f = (n) => doc.querySelector(`#connection [data-field="${n}"], .app-status [data-field="${n}"]`);
    assert.equal(f("notice").textContent, "Recovered 66 missed events");
    assert.ok(f("database").classList.contains("is-down"));
    assert.ok(f("redis").classList.contains("is-down"));
    state.connection = { state: "reconnecting", notice: { kind: "feed_gap", from: "2025-10-05T14:02:00Z", to: "2025-10-05T14:05:00Z", backfilled: { patterns: 2, alerts: 1 } } };
    panel.render(state);
    assert.equal(f("state").textContent, "Reconnecting…");
    assert.equal(f("notice").textContent, "Feed gap 10:02–10:05 ET backfilled (3 events)");
  });
});

describe("watchlist stars beside every symbol link of the Live rows", () => {
  test("a pattern, indicator or alert row's star adds its symbol to the watchlist and removes it; every star and the grid follow", () => {
    const watchlists = createWatchlists(null);
    const { doc, state, render, opened } = mount(undefined, watchlists);
    applyEvent(state, "streaming_pattern", pattern({ symbol: "NVDA", timestamp: minute(1) }));
    applyEvent(state, "streaming_indicator", indicator({ symbol: "NVDA", indicator: "RSI", value: 55 }));
    applyEvent(state, "indicator_alert", alert({ symbol: "NVDA", timestamp: minute(2) }));
    applyEvent(state, "indicator_alert", alert({ symbol: "AAPL", timestamp: minute(3), alert_type: "RSI_OVERSOLD" }));
    render();
    const star = (panel, symbol) => [...doc.querySelectorAll(`[data-panel="${panel}"] ol.stream > li`)]
      .find((li) => li.querySelector(".sym").textContent === symbol).querySelector("[data-action=watch]");
    const patternStar = star("patterns", "NVDA");
    assert.equal(patternStar.tagName, "BUTTON");  // focusable, Enter and Space click it
    assert.equal(patternStar.getAttribute("aria-label"), "NVDA in the watchlist");
    assert.deepEqual([patternStar.textContent, patternStar.getAttribute("aria-pressed")], ["☆", "false"]);
    patternStar.click();
    assert.deepEqual(watchlists.lists, [{ name: "Watchlist", symbols: ["NVDA"] }]);
    assert.equal(opened.length, 0);  // the star opens nothing
    render();
    for (const panel of ["patterns", "indicators", "alerts"]) {
      assert.deepEqual([star(panel, "NVDA").textContent, star(panel, "NVDA").getAttribute("aria-pressed")], ["★", "true"]);
    }
    assert.equal(star("alerts", "AAPL").getAttribute("aria-pressed"), "false");
    const gridStar = doc.querySelector('[data-panel="market"] [data-symbol="NVDA"] [data-grid=star]');
    assert.equal(gridStar.textContent, "★");
    assert.match(doc.querySelector('[data-panel="market"] [data-grid=watchlist]').textContent, /Watchlist \(1\)/);
    star("alerts", "AAPL").click();
    star("alerts", "NVDA").click();  // removes it, from the pattern row's star too
    render();
    assert.deepEqual(watchlists.lists, [{ name: "Watchlist", symbols: ["AAPL"] }]);
    assert.equal(star("patterns", "NVDA").getAttribute("aria-pressed"), "false");
    assert.equal(star("indicators", "NVDA").textContent, "☆");
    assert.equal(star("alerts", "AAPL").textContent, "★");
    // The grid's own star is the same list: the rows follow it.
    doc.querySelector('[data-panel="market"] [data-symbol="NVDA"] [data-grid=star]').click();
    render();
    assert.equal(star("patterns", "NVDA").textContent, "★");
  });
});
