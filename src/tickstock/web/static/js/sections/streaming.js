/**
 * The Live Streaming section: the shared panels bound to the live state, plus the live
 * controls (pause with "N new", auto-scroll, refresh and auto-refresh, filters, CSV).
 */
import { withLoading } from "../api.js";
import { alertsToCsv, downloadCsv } from "../csv.js";
import { countMatches, createFilterHistory, historyQuery, NOT_STORED } from "../filter-history.js";
import { isActive, matchesAlert, matchesPattern, normaliseFilters } from "../filters.js";
import { formatAlertType, formatNyTime } from "../format.js";
import { applyLayout } from "../layout.js";
import { ALERT_TYPES } from "../render/alerts.js";
import { make, setText } from "../render/dom.js";
import { acknowledgeCritical, applyStatus } from "../reducer.js";
import { mountChart } from "./chart.js";
import { mountStreamingView } from "./streaming-view.js";

/**
 * @param {import("../app.js").App} app
 * @param {() => Promise<any>} [loadCharts]  the chart library (the Chart panel)
 * @returns {import("../router.js").Section}
 */
export function streamingSection(app, loadCharts) {
  return (container, scope) => {
    const history = createFilterHistory({
      api: app.api,
      later: (fn, ms) => app.win.setTimeout(() => {
        if (!scope.disposed) fn();
      }, ms),
      cancel: (id) => app.win.clearTimeout(id),
      onChange() {
        app.state.dirty.add("patterns").add("alerts").add("controls");
        app.schedule();
      },
    });
    const view = mountStreamingView(container, scope, {
      history: () => history.current,
      filters: () => app.filters,
      autoScroll: () => app.prefs.autoScroll,
      now: app.now,
      openChart: app.openChart,
      showJson: app.showJson,
      requestRender: app.rerender,
      watchlists: app.watchlists,
      openSymbol: app.openSymbol,
      onSelect: (symbol) => chartPanel.show(symbol),
      onAcknowledge(component) {
        acknowledgeCritical(app.state, component);
        app.schedule();
      },
    });
    const root = view.root;
    const chartPanel = liveChart(app, loadCharts, /** @type {HTMLElement} */ (root.querySelector('[data-panel="chart"]')), scope);
    const control = (name) => /** @type {HTMLElement} */ (root.querySelector(`[data-control="${name}"]`));
    const filterEl = (name) => /** @type {HTMLInputElement} */ (root.querySelector(`[data-filter="${name}"]`));
    applyLayout(view.panelsEl, app.layout);

    const alertSelect = filterEl("alertType");
    for (const type of ALERT_TYPES) alertSelect.append(make(app.doc, "option", "", formatAlertType(type), { value: type }));
    for (const name of ["symbol", "patternType", "minConfidence", "alertType"]) {
      const el = filterEl(name);
      const f = app.filters;
      el.value = name === "minConfidence" ? String(Math.round(f.minConfidence * 100)) : String(f[name]);
      scope.listen(el, "input", () => {
        app.setFilters(normaliseFilters({
          symbol: filterEl("symbol").value, patternType: filterEl("patternType").value,
          minConfidence: filterEl("minConfidence").value, alertType: filterEl("alertType").value,
        }));
      });
    }

    const pause = control("pause");
    const newCount = control("new-count");
    const autoscroll = control("autoscroll");
    const refreshInfo = control("refresh-info");
    const matchCount = control("match-count");
    /** The filter's history query follows the filters and the session. */
    const askHistory = () => {
      const types = new Set();
      for (const p of app.state.patterns.toArray()) types.add(p.pattern_type);
      for (const row of app.state.market.rows.values()) if (row.pattern) types.add(row.pattern);
      const session = app.state.session;
      history.want(historyQuery(app.filters, session?.session_id, types, session?.started_at));
    };
    const renderCount = () => {
      const f = app.filters;
      if (!isActive(f)) return setText(matchCount, "");
      if (history.pending) return setText(matchCount, "Searching the session…");
      const h = history.current;
      const livePatterns = app.state.patterns.toArray().filter((p) => matchesPattern(p, f));
      const liveAlerts = app.state.alerts.toArray().filter((a) => matchesAlert(a, f));
      const liveOnly = `${livePatterns.length} patterns, ${liveAlerts.length} alerts match (live only)`;
      if (!h) return setText(matchCount, liveOnly);
      if (h.notStored) return setText(matchCount, `${liveOnly}: ${NOT_STORED}`);
      if (h.error) return setText(matchCount, `Live matches only: the session's history could not be searched (${h.error})`);
      const patterns = countMatches(h.patternTotal, h.patternKeys, livePatterns);
      const alerts = countMatches(h.alertTotal, h.alertKeys, liveAlerts);
      const at = (exact) => (exact ? "" : "at least ");
      setText(matchCount, `${at(h.exact.patterns)}${patterns} patterns, ${at(h.exact.alerts)}${alerts} alerts match in this session`);
    };
    const renderControls = () => {
      const s = app.state;
      setText(pause, s.paused ? "Resume" : "Pause");
      pause.setAttribute("aria-pressed", String(s.paused));
      setText(newCount, s.paused && s.newWhilePaused ? `${s.newWhilePaused} new` : "");
      setText(autoscroll, app.prefs.autoScroll ? "Auto-scroll on" : "Auto-scroll off");
      autoscroll.setAttribute("aria-pressed", String(app.prefs.autoScroll));
    };
    scope.listen(pause, "click", () => app.command("pause"));
    scope.listen(autoscroll, "click", () => app.command("autoscroll"));
    scope.listen(control("refresh"), "click", () => refresh());
    scope.listen(control("csv"), "click", () => {
      downloadCsv(app.doc, alertsToCsv(app.state.alerts.toArray()), "tickstock-alerts.csv");
    });

    async function refresh() {
      setText(refreshInfo, "Refreshing…");
      try {
        const status = await withLoading(root, app.api.get("/api/streaming/status"));
        applyStatus(app.state, status);
        app.schedule();
        setText(refreshInfo, `Updated ${formatNyTime(app.now())}`);
      } catch (err) {
        setText(refreshInfo, `Refresh failed: ${err.message}`);
      }
    }
    app.refreshNow = refresh;
    scope.add(() => {
      app.refreshNow = null;
    });

    // Auto-refresh follows STREAMING_REFRESH_INTERVAL (0 = manual only); re-armed when it changes.
    let armed = -1;
    const timers = { scope: scope.child() };
    const arm = () => {
      const seconds = app.state.settings.refresh_interval;
      if (seconds === armed) return;
      armed = seconds;
      timers.scope.dispose();
      timers.scope = scope.child();
      if (seconds > 0) timers.scope.every(refresh, seconds * 1000, app.win);
      setText(refreshInfo, seconds > 0 ? `Auto-refresh every ${seconds}s` : "Manual refresh only");
    };

    // The session's live duration ticks once a second.
    scope.every(() => {
      if (app.state.session?.status === "active") {
        app.state.dirty.add("session");
        app.schedule();
      }
    }, 1000, app.win);

    let first = true;
    scope.add(app.addView({
      render(state) {
        const kept = view.render(state, first);
        first = false;
        if (state.dirty.has("controls") || state.dirty.has("patterns")) renderControls();
        if (state.dirty.has("session") || state.dirty.has("controls") || state.dirty.has("patterns")) {
          askHistory();
          renderCount();
        }
        arm();
        return kept;
      },
    }));
    renderControls();
    app.schedule();
  };
}

/**
 * The Live page's Chart panel: the symbol whose grid row was clicked, remounted in a child
 * scope when the selection changes. Nothing is charted before a click: a symbol with no
 * stored bar answers 404, which a page should not provoke on its own.
 * @param {import("../app.js").App} app @param {(() => Promise<any>)|undefined} loadCharts
 * @param {HTMLElement} panel @param {import("../scope.js").Scope} scope
 */
function liveChart(app, loadCharts, panel, scope) {
  const host = /** @type {HTMLElement} */ (panel.querySelector(".live-chart"));
  const empty = /** @type {HTMLElement} */ (panel.querySelector(".empty"));
  const title = /** @type {HTMLElement} */ (panel.querySelector("h2"));
  let shown = "";
  let child = scope.child();
  return {
    /** A symbol the reader chose. @param {string} symbol */
    show(symbol) {
      if (!symbol || symbol === shown || !loadCharts) return;
      shown = symbol;
      child.dispose();
      child = scope.child();
      host.replaceChildren();
      empty.hidden = true;
      setText(title, `Chart ${symbol}`);
      mountChart(app, loadCharts, host, child, symbol);
    },
  };
}
