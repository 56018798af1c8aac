// Theme persistence, router mount/unmount without leaks, per-frame scheduling, layout,
// shortcuts and playback.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { actionFor, renderHelp, SHORTCUTS } from "../../src/tickstock/web/static/js/keys.js";
import { applyLayout, loadLayout, movePanel, saveLayout, setPanelVisible } from "../../src/tickstock/web/static/js/layout.js";
import { createPlayback, toEvents } from "../../src/tickstock/web/static/js/playback.js";
import { createRouter, parseHash } from "../../src/tickstock/web/static/js/router.js";
import { createScheduler } from "../../src/tickstock/web/static/js/scheduler.js";
import { applyEvent, createState } from "../../src/tickstock/web/static/js/store.js";
import { createTheme, THEME_KEY } from "../../src/tickstock/web/static/js/theme.js";
import { dom, minute } from "./fixtures.mjs";

function fakeMedia(matches) {
  const listeners = new Set();
  return {
    get matches() { return matches; },
    set(v) { matches = v; for (const l of listeners) l(); },
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
    listeners,
  };
}

describe("theme", () => {
  test("follows the OS by default, live", () => {
    const { window } = dom();
    const media = fakeMedia(true);
    const theme = createTheme({ root: window.document.documentElement, storage: window.localStorage, matchMedia: () => media });
    assert.equal(window.document.documentElement.dataset.theme, "dark");
    media.set(false);
    assert.equal(window.document.documentElement.dataset.theme, "light");
    theme.destroy();
    assert.equal(media.listeners.size, 0);
  });

  test("a chosen theme is applied, persisted and restored over the OS setting", () => {
    const { window } = dom();
    const media = fakeMedia(false);
    createTheme({ root: window.document.documentElement, storage: window.localStorage, matchMedia: () => media }).set("dark");
    assert.equal(window.localStorage.getItem(THEME_KEY), "dark");
    const root = window.document.createElement("html");
    const again = createTheme({ root, storage: window.localStorage, matchMedia: () => media });
    assert.equal(again.preference, "dark");
    assert.equal(root.dataset.theme, "dark");
    media.set(false);
    assert.equal(root.dataset.theme, "dark", "an explicit choice ignores the OS");
  });
});

describe("router", () => {
  test("parses deep links", () => {
    assert.deepEqual(parseHash("#/chart/BRK.B"), { name: "chart", params: ["BRK.B"] });
    assert.deepEqual(parseHash(""), { name: "streaming", params: [] });
  });

  test("unmounting a section releases every listener and timer it registered", () => {
    const { window } = dom();
    const doc = window.document;
    let live = 0;
    const realAdd = window.EventTarget.prototype.addEventListener;
    const realRemove = window.EventTarget.prototype.removeEventListener;
    window.EventTarget.prototype.addEventListener = function (...a) { live++; return realAdd.apply(this, a); };
    window.EventTarget.prototype.removeEventListener = function (...a) { live--; return realRemove.apply(this, a); };
    const timers = new Set();
    const clock = { setInterval: () => { const id = {}; timers.add(id); return id; }, clearInterval: (id) => timers.delete(id) };
    const mounted = [];
    const section = (name) => (container, scope) => {
      mounted.push(name);
      const button = doc.createElement("button");
      container.append(button);
      scope.listen(button, "click", () => {});
      scope.listen(doc, "keydown", () => {});
      scope.every(() => {}, 1000, clock);
    };
    const router = createRouter({ window, outlet: doc.getElementById("main"), sections: { streaming: section("streaming"), settings: section("settings") } });
    const baseline = live;
    assert.equal(timers.size, 1);
    window.location.hash = "#/settings";
    window.dispatchEvent(new window.HashChangeEvent("hashchange"));
    assert.deepEqual(mounted, ["streaming", "settings"]);
    assert.equal(live, baseline, "the old section's listeners are gone, the new one's added");
    assert.equal(timers.size, 1);
    router.destroy();
    assert.equal(timers.size, 0);
    assert.equal(live, baseline - 1 - 2, "router's own hashchange and the section's two listeners removed");
    assert.equal(doc.getElementById("main").children.length, 1);
  });

  test("an unknown route shows the Live Streaming section", () => {
    const { window } = dom();
    window.location.hash = "#/nowhere";
    const seen = [];
    createRouter({ window, outlet: window.document.getElementById("main"), sections: { streaming: () => seen.push("streaming") } });
    assert.deepEqual(seen, ["streaming"]);
  });
});

describe("scheduler", () => {
  test("many events, one render per frame; latency measured from the first event", () => {
    const frames = [];
    let t = 0;
    let renders = 0;
    const s = createScheduler({ requestFrame: (cb) => frames.push(cb), now: () => t, render: () => renders++ });
    for (let i = 0; i < 2000; i++) s.schedule();
    assert.equal(frames.length, 1);
    t = 16;
    frames.shift()(t);
    assert.equal(renders, 1);
    assert.equal(s.stats.framesRendered, 1);
    assert.equal(s.stats.lastLatencyMs, 16);
    s.schedule();
    assert.equal(frames.length, 1, "a new frame after the previous ran");
  });
});

describe("layout", () => {
  test("hide and reorder panels, persisted and applied to the DOM", () => {
    const { window } = dom();
    const doc = window.document;
    let layout = loadLayout(window.localStorage);
    layout = movePanel(layout, "health", -1);
    layout = setPanelVisible(layout, "indicators", false);
    saveLayout(window.localStorage, layout);
    const restored = loadLayout(window.localStorage);
    assert.deepEqual(restored, layout);
    const container = doc.importNode(doc.getElementById("tpl-streaming").content, true).querySelector("[data-panels]");
    applyLayout(container, restored);
    assert.deepEqual([...container.children].map((c) => c.dataset.panel), ["session", "metrics", "critical", "market", "chart", "patterns", "indicators", "health", "alerts"]);
    assert.equal(container.querySelector('[data-panel="indicators"]').hidden, true);
  });

  test("a corrupt saved layout falls back to the default", () => {
    const { window } = dom();
    window.localStorage.setItem("tickstock.layout", "{not json");
    assert.equal(loadLayout(window.localStorage).order[0], "session");
  });
});

describe("keyboard", () => {
  test("shortcuts act outside text fields only; the help lists every shortcut", () => {
    const { window } = dom();
    const doc = window.document;
    const input = doc.createElement("input");
    const key = (k, target = doc.body) => actionFor({ key: k, target, ctrlKey: false, metaKey: false, altKey: false });
    assert.equal(key("?"), "help");
    assert.equal(key("p"), "pause");
    assert.equal(key("p", input), null);
    assert.equal(key("Escape", input), "close");
    const dl = doc.createElement("dl");
    renderHelp(dl);
    assert.equal(dl.querySelectorAll("dt").length, SHORTCUTS.length);
  });
});

describe("playback", () => {
  test("replays through the same reducer at 60x, in time order", () => {
    const events = toEvents({
      session: { session_id: "s", universe: "u", started_at: minute(0), symbol_count: 2, stopped_at: minute(10), duration_seconds: 600, total_patterns: 1, total_indicators: 0 },
      alerts: [{ kind: "indicator", timestamp: minute(5), symbol: "AAPL", alert_type: "RSI_OVERSOLD", indicator: "RSI", value: 25, threshold: 30 },
        { kind: "critical", timestamp: minute(2), severity: "error", message: "m", component: "c", resolved: false }],
      patterns: [{ symbol: "NVDA", pattern_type: "Doji", confidence: 0.9, timestamp: minute(1), timeframe: "1min", bar_data: null }],
    });
    assert.deepEqual(events.map((e) => e.name), ["streaming_session", "streaming_pattern", "critical_alert", "indicator_alert", "streaming_session"]);
    const state = createState();
    let t = 0;
    const playback = createPlayback({ events, now: () => t, apply: (n, d) => applyEvent(state, n, d) });
    playback.setSpeed(60);
    playback.play();
    playback.tick();
    assert.equal(state.session.status, "active");
    t = 3000; // 3 s × 60 = 3 simulated minutes
    playback.tick();
    assert.equal(state.patterns.size, 1);
    assert.equal(state.criticals.size, 1);
    assert.equal(state.alerts.size, 0);
    t = 10000;
    playback.tick();
    assert.ok(playback.done);
    assert.equal(state.session.status, "stopped");
    assert.equal(state.counters.events, 5);
  });
});
