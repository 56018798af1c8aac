/**
 * Sessions: pick a past session, browse its alerts (paginated by the API) and patterns of
 * a symbol, and play the session back at 1x/10x/60x through the same store and panels as
 * live (a private state, so playback never mixes with the live one).
 */
import { withLoading } from "../api.js";
import { formatDuration, formatNyDateTime } from "../format.js";
import { make, setText } from "../render/dom.js";
import { createPlayback, SPEEDS, toEvents } from "../playback.js";
import { applyEvent, createState } from "../store.js";
import { createScheduler } from "../scheduler.js";
import { emptyFilters } from "../filters.js";
import { mountStreamingView } from "./streaming-view.js";
import { heading } from "./history.js";
import { mountPagedTable } from "./table.js";

const MAX_ALERT_PAGES = 20;

/** @param {any} app @returns {import("../router.js").Section} */
export function sessionsSection(app) {
  return (container, scope) => {
    const doc = container.ownerDocument;
    const section = heading(doc, "Sessions");
    const status = make(doc, "p", "muted", "Loading sessions…", { role: "status" });
    const list = make(doc, "ul", "session-list");
    const detail = make(doc, "div", "session-detail");
    section.append(status, list, detail);
    container.append(section);
    /** @type {import("../scope.js").Scope|null} */
    let detailScope = null;

    withLoading(section, app.api.get("/api/streaming/sessions", { limit: 50 }))
      .then((body) => {
        const sessions = body?.sessions ?? [];
        setText(status, sessions.length ? `${sessions.length} session(s), newest first` : "No session recorded yet: the engine has not streamed a session.");
        list.replaceChildren(...sessions.map((s) => {
          const li = make(doc, "li");
          const button = make(doc, "button", "link", `${formatNyDateTime(s.started_at)} — ${s.universe ?? ""} (${s.status ?? ""})`, { type: "button" });
          scope.listen(button, "click", () => openSession(s));
          li.append(button);
          return li;
        }));
      })
      .catch((err) => setText(status, `Could not load sessions: ${err.message}`));

    function openSession(session) {
      detailScope?.dispose();
      detailScope = scope.child();
      detail.replaceChildren();
      const s = detailScope;
      detail.append(make(doc, "h2", "", `Session ${formatNyDateTime(session.started_at)}`),
        make(doc, "p", "muted", `Duration ${formatDuration(session.duration_seconds)} · ${session.total_patterns ?? "?"} patterns · ${session.total_indicators ?? "?"} indicators`));
      mountPagedTable(detail, s, {
        app,
        caption: "Alerts of this session",
        empty: "No alert was stored for this session.",
        columns: [
          { label: "Time (ET)", value: (i) => i.timestamp, time: true },
          { label: "Symbol", value: (i) => i.symbol ?? "", symbol: true },
          { label: "Type", value: (i) => String(i.alert_type ?? i.severity ?? "") },
        ],
        fetchPage: (page, signal) => app.api.get("/api/streaming/alerts", { page, per_page: 50, since: session.started_at }, { signal }),
      }).load(1);
      mountPlayer(detail, s, session);
    }

    function mountPlayer(parent, s, session) {
      const bar = make(doc, "div", "toolbar", undefined, { role: "toolbar", "aria-label": "Playback" });
      const symbols = /** @type {HTMLInputElement} */ (make(doc, "input", "", undefined, { type: "text", placeholder: "NVDA, AAPL", "aria-label": "Symbols whose patterns to include" }));
      const load = make(doc, "button", "", "Load playback", { type: "button" });
      const play = make(doc, "button", "", "Play", { type: "button" });
      const speed = /** @type {HTMLSelectElement} */ (make(doc, "select", "", undefined, { "aria-label": "Playback speed" }));
      for (const v of SPEEDS) speed.append(make(doc, "option", "", `${v}x`, { value: String(v) }));
      const progress = make(doc, "span", "muted", "", { role: "status" });
      bar.append(make(doc, "span", "", "Playback:"), symbols, load, play, speed, progress);
      parent.append(bar);
      /** @type {HTMLButtonElement} */ (play).disabled = true;

      const state = createState(app.state.settings);
      const filters = emptyFilters();
      const view = mountStreamingView(parent, s, {
        filters: () => filters, autoScroll: () => true, now: app.now, openChart: app.openChart, showJson: app.showJson,
      });
      view.root.querySelector(".toolbar")?.remove();
      /** @type {HTMLElement} */ (view.root.querySelector("h1")).textContent = "Playback";
      const scheduler = createScheduler({
        requestFrame: (cb) => app.win.requestAnimationFrame(cb), now: app.now,
        render() {
          const kept = view.render(state);
          state.dirty.clear();
          for (const k of kept) state.dirty.add(k);
          if (kept.length) scheduler.schedule(false);
        },
      });
      let playback = null;

      s.listen(load, "click", async () => {
        setText(progress, "Loading events…");
        try {
          const alerts = [];
          for (let page = 1; page <= MAX_ALERT_PAGES; page++) {
            const body = await app.api.get("/api/streaming/alerts", { page, per_page: 100, since: session.started_at });
            alerts.push(...(body?.items ?? []).filter((a) => !a.session_id || a.session_id === session.session_id));
            if (page >= (body?.pages ?? 1)) break;
          }
          const patterns = [];
          for (const sym of symbols.value.split(/[\s,]+/).filter(Boolean).slice(0, 10)) {
            const body = await app.api.get(`/api/streaming/patterns/${encodeURIComponent(sym.toUpperCase())}`, {
              limit: 500, since: session.started_at, until: session.stopped_at ?? undefined,
            });
            patterns.push(...(body?.patterns ?? []));
          }
          const events = toEvents({ session, alerts, patterns });
          playback = createPlayback({
            events, now: app.now,
            apply: (name, data) => applyEvent(state, name, data),
            onProgress: (t, done) => {
              setText(progress, done ? `Done: ${events.length} events replayed` : `${formatNyDateTime(t)} · ${playback.index}/${events.length}`);
              scheduler.schedule();
            },
          });
          setText(progress, `${events.length} events ready`);
          /** @type {HTMLButtonElement} */ (play).disabled = events.length === 0;
        } catch (err) {
          setText(progress, `Could not load: ${err.message}`);
        }
      });
      s.listen(speed, "change", () => playback?.setSpeed(Number(speed.value)));
      s.listen(play, "click", () => {
        if (!playback) return;
        if (playback.playing) {
          playback.pause();
          setText(play, "Play");
        } else {
          playback.setSpeed(Number(speed.value));
          playback.play();
          setText(play, "Pause");
        }
      });
      s.every(() => playback?.tick(), 100, app.win);
    }
  };
}
