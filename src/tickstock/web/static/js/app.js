/**
 * The application object: one live state, the scheduler, the socket, the router and the
 * opt-in services, wired together. Every browser global is injected, so tests can build
 * an App on jsdom with fakes for the network and the clock.
 */
import { createApi } from "./api.js";
import { Emitter } from "./emitter.js";
import { createDiagnostics, debugRequested } from "./diagnostics.js";
import { emptyFilters } from "./filters.js";
import { formatAlertType, setToday } from "./format.js";
import { createWatchlists } from "./grid-model.js";
import { actionFor, renderHelp } from "./keys.js";
import { loadLayout, saveLayout } from "./layout.js";
import { createNotifier } from "./notify.js";
import { acknowledgeCritical, applyEntries, applySnapshot, setConnection, setPaused } from "./reducer.js";
import { createBanner } from "./render/banner.js";
import { createConnectionPanel } from "./render/connection.js";
import { createRouter, hrefFor } from "./router.js";
import { createScheduler } from "./scheduler.js";
import { connect } from "./socket.js";
import { createSound, soundClassOf } from "./sound.js";
import { createState } from "./state.js";
import { createTheme } from "./theme.js";

const TOKEN_KEY = "tickstock.token";
const AUTOSCROLL_KEY = "tickstock.autoscroll";
const ANNOUNCE_GAP_MS = 3000;

/**
 * @typedef {{render: (state: import("./state.js").State) => string[]|void}} View
 * @typedef {ReturnType<typeof createApp>} App
 */

/**
 * @param {{doc: Document, win: Window & typeof globalThis, io?: Function, fetch: typeof fetch,
 *   storage: Storage|null, sessionStorage: Storage|null, now: () => number,
 *   requestFrame: (cb: (t: number) => void) => any, AudioContext?: any, Notification?: any,
 *   sections: (app: any) => Record<string, import("./router.js").Section>}} deps
 */
export function createApp(deps) {
  const { doc, win, storage, now } = deps;
  const byId = (id) => /** @type {HTMLElement} */ (doc.getElementById(id));
  /** @type {Set<View>} */
  const views = new Set();
  const bus = new Emitter();
  const banner = createBanner(byId("critical-banner"));
  const connectionPanel = createConnectionPanel(byId("topbar"));
  let lastAnnounce = -Infinity;

  const app = {
    doc, win, now, bus,
    state: createState(),
    filters: emptyFilters(),
    prefs: { autoScroll: true, autoScrollChosen: false },
    layout: loadLayout(storage),
    watchlists: createWatchlists(storage),
    api: createApi({ fetch: deps.fetch, getToken: () => app.token }),
    theme: createTheme({ root: doc.documentElement, storage, matchMedia: win.matchMedia ? (q) => win.matchMedia(q) : null }),
    sound: createSound({ AudioContext: deps.AudioContext, storage, now }),
    notifier: createNotifier({ Notification: deps.Notification, storage, now }),
    diagnostics: createDiagnostics({
      console: win.console,
      fetch: deps.fetch,
      getToken: () => app.token,
      storage,
      now,
      notice: doc.getElementById("error-notice"),
      page: () => `${win.location.pathname}${win.location.hash}`,
      debug: debugRequested(win.location, storage),
    }),
    /** @type {null|(() => Promise<void>)} set by the Live Streaming section */
    refreshNow: null,
    /** @type {ReturnType<typeof connect>|null} */
    connection: null,
    /** @type {ReturnType<typeof createRouter>|null} */
    router: null,
    get token() {
      try {
        return deps.sessionStorage?.getItem(TOKEN_KEY) || null;
      } catch {
        return null;
      }
    },
    /** @param {string} value */
    setToken(value) {
      try {
        if (value) deps.sessionStorage?.setItem(TOKEN_KEY, value);
        else deps.sessionStorage?.removeItem(TOKEN_KEY);
      } catch {
        // not kept beyond this page
      }
      app.connection?.reconnect();
    },
    schedule: () => scheduler.schedule(),
    /** A render not caused by an event (no latency sample): e.g. a list scrolled for more. */
    rerender: () => scheduler.schedule(false),
    /** Registers a view rendered every frame; returns its removal. @param {View} view */
    addView(view) {
      views.add(view);
      app.schedule();
      return () => views.delete(view);
    },
    /** @param {import("./filters.js").Filters} filters */
    setFilters(filters) {
      app.filters = filters;
      app.state.dirty.add("patterns").add("alerts").add("indicators");
      app.schedule();
    },
    /** @param {import("./layout.js").Layout} layout */
    setLayout(layout) {
      app.layout = layout;
      saveLayout(storage, layout);
    },
    /** @param {string} symbol */
    openChart(symbol) {
      win.location.hash = hrefFor("chart", symbol);
    },
    /** The symbol page: chart, grid row, today's patterns and alerts. @param {string} symbol */
    openSymbol(symbol) {
      win.location.hash = hrefFor("symbol", symbol);
    },
    /** Shows any event as escaped JSON text. @param {any} data */
    showJson(data) {
      byId("json-text").textContent = JSON.stringify(data, null, 2);
      openDialog(byId("json-dialog"));
    },
    /**
     * Applies a frame's entries one by one (`applyEntries`), then their side effects (chart
     * bus, sound, notification, announcement). One render is scheduled for the frame, and
     * its patterns play one sound, however many it carries.
     * @param {ReadonlyArray<{event: string, data: any}>} entries
     */
    handleEntries(entries) {
      if (!entries.length) return;
      // Before applying: the event → frame latency starts with the entries' arrival.
      scheduler.schedule();
      for (const { event, data } of entries) app.diagnostics.event(event, data);
      applyEntries(app.state, entries);
      let patterns = false;
      for (const { event, data } of entries) patterns = sideEffects(event, data) || patterns;
      if (patterns) app.sound.play("pattern");
    },
    /** Applies one relayed event and its side effects, as a frame of one entry. */
    handleEvent(name, data) {
      app.handleEntries([{ event: name, data }]);
    },
    /** @param {any} snap */
    handleSnapshot(snap) {
      applySnapshot(app.state, snap);
      const settings = app.state.settings;
      if (!app.prefs.autoScrollChosen) app.prefs.autoScroll = settings.auto_scroll;
      app.sound.applyDefault(settings.sound_alerts);
      scheduler.schedule();
    },
    /** Runs a shortcut or toolbar action by name. @param {string} action */
    command(action) {
      if (action.startsWith("route:")) {
        win.location.hash = hrefFor(action.slice(6));
      } else if (action === "pause") {
        setPaused(app.state, !app.state.paused);
        app.schedule();
      } else if (action === "autoscroll") {
        app.prefs.autoScroll = !app.prefs.autoScroll;
        app.prefs.autoScrollChosen = true;
        try {
          storage?.setItem(AUTOSCROLL_KEY, String(app.prefs.autoScroll));
        } catch {
          // not persisted
        }
        app.state.dirty.add("controls");
        app.schedule();
      } else if (action === "refresh") {
        app.refreshNow?.();
      } else if (action === "theme") {
        app.theme.cycle();
        /** @type {HTMLSelectElement} */ (byId("theme-select")).value = app.theme.preference;
      } else if (action === "search") {
        /** @type {HTMLElement|null} */ (doc.querySelector("[data-filter=symbol]"))?.focus();
      } else if (action === "help") {
        const help = /** @type {HTMLDialogElement} */ (byId("help-dialog"));
        if (help.open) closeDialog(help);
        else openDialog(help);
      } else if (action === "close") {
        for (const d of doc.querySelectorAll("dialog[open]")) closeDialog(/** @type {HTMLDialogElement} */ (d));
      }
    },
    /** Read-only figures for the browser tests and benchmark (`window.__tickstock`). */
    stats: Object.freeze({
      get eventsApplied() {
        return app.state.counters.events;
      },
      get framesRendered() {
        return scheduler.stats.framesRendered;
      },
      get lastRenderMs() {
        return scheduler.stats.lastRenderMs;
      },
      get maxRenderMs() {
        return scheduler.stats.maxRenderMs;
      },
      get lastLatencyMs() {
        return scheduler.stats.lastLatencyMs;
      },
      /** How many latencies were ever recorded (latencies() keeps the last 1,024). */
      get latencySamples() {
        return scheduler.stats.latencySamples;
      },
      get counters() {
        return { ...app.state.counters };
      },
      latencies: () => scheduler.latencies(),
    }),
  };

  try {
    const saved = storage?.getItem(AUTOSCROLL_KEY);
    if (saved === "true" || saved === "false") {
      app.prefs.autoScroll = saved === "true";
      app.prefs.autoScrollChosen = true;
    }
  } catch {
    // default applies
  }

  const scheduler = createScheduler({ requestFrame: deps.requestFrame, now, render });

  function render() {
    const state = app.state;
    // Times of another New York day than the stream's show their date.
    if (setToday(Number.isFinite(state.streamTime) ? state.streamTime : now())) state.dirty.add("critical");
    if (state.dirty.has("critical")) banner.render(state);
    if (state.dirty.has("connection") || state.dirty.has("appStatus")) connectionPanel.render(state);
    const kept = [];
    for (const view of views) kept.push(...(view.render(state) || []));
    state.dirty.clear();
    for (const name of kept) state.dirty.add(name);
    if (kept.length) scheduler.schedule(false);
  }

  function announce(text) {
    const t = now();
    if (t - lastAnnounce < ANNOUNCE_GAP_MS) return;
    lastAnnounce = t;
    byId("announcer").textContent = text;
  }

  /**
   * One event's side effects beside the state. Returns whether it brought patterns, whose
   * sound the caller plays once per frame.
   * @param {string} name @param {any} data @returns {boolean}
   */
  function sideEffects(name, data) {
    if (name === "indicator_alert" && data?.alert) {
      const a = data.alert;
      const text = `${a.symbol}: ${formatAlertType(a.alert_type)}`;
      app.sound.play(soundClassOf("indicator", a.alert_type));
      app.notifier.notify("TickStock alert", text);
      announce(`New alert ${text}`);
      bus.emit("alert", a);
    } else if (name === "critical_alert" && data?.alert) {
      const a = data.alert;
      if (a.resolved === true) {
        announce(`Recovered: ${a.component}`);
      } else {
        app.sound.play("critical");
        app.notifier.notify(`TickStock ${a.severity}`, String(a.message));
        announce(`${a.severity} alert: ${a.message}`);
      }
    } else if (name === "streaming_pattern" && data?.detection) {
      bus.emit("pattern", data.detection, data);
      return true;
    } else if (name === "streaming_bars") {
      bus.emit("bars", data);
    } else if (name === "streaming_patterns_batch") {
      // A plan-protocol producer batch: one event, many detections.
      for (const d of data?.detections || []) bus.emit("pattern", d, { detection: d });
      return true;
    }
    return false;
  }

  function openDialog(dialog) {
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) dialog.showModal();
    } else dialog.setAttribute("open", "");
  }

  function closeDialog(dialog) {
    if (typeof dialog.close === "function") dialog.close();
    else dialog.removeAttribute("open");
  }

  /** Binds the shell (header, banner, dialogs, keys), the router and the socket. */
  app.start = () => {
    app.diagnostics.install(win);
    const errorNotice = byId("error-notice");
    errorNotice?.querySelector("[data-dismiss]")?.addEventListener("click", () => {
      errorNotice.hidden = true;
    });
    renderHelp(byId("help-list"));
    const themeSelect = /** @type {HTMLSelectElement} */ (byId("theme-select"));
    themeSelect.value = app.theme.preference;
    themeSelect.addEventListener("change", () => app.theme.set(themeSelect.value));
    byId("help-button").addEventListener("click", () => app.command("help"));
    byId("ack-button").addEventListener("click", () => {
      if (banner.component !== null) acknowledgeCritical(app.state, banner.component);
      app.schedule();
    });
    for (const button of doc.querySelectorAll("dialog [data-close]")) {
      button.addEventListener("click", () => closeDialog(/** @type {HTMLDialogElement} */ (button.closest("dialog"))));
    }
    doc.addEventListener("keydown", (event) => {
      const action = actionFor(event);
      if (!action) return;
      event.preventDefault();
      app.command(action);
    });
    const main = byId("main");
    let firstRoute = true;
    app.router = createRouter({
      window: win,
      outlet: main,
      sections: deps.sections(app),
      onChange(route) {
        for (const link of doc.querySelectorAll(".sidebar a[data-route]")) {
          if (link.getAttribute("data-route") === route.name) link.setAttribute("aria-current", "page");
          else link.removeAttribute("aria-current");
        }
        if (!firstRoute) main.focus();
        firstRoute = false;
      },
    });
    if (deps.io) {
      app.connection = connect({
        io: deps.io,
        getToken: () => app.token,
        onSnapshot: app.handleSnapshot,
        onEntries: app.handleEntries,
        onConnection(state, notice) {
          app.diagnostics.connection(state, notice);
          setConnection(app.state, state, notice);
          app.schedule();
        },
      });
    }
    app.schedule();
  };

  return app;
}
