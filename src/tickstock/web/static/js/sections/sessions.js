/**
 * Sessions: pick a past session, browse its alerts (paginated by the API), and play the
 * session back at 1x/10x/60x — all its patterns (or one symbol's) and its alerts — through
 * the same store and panels as live (a private state, so playback never mixes with the live
 * one). A playback holds at most MAX_PLAYBACK_PATTERNS detections; a note says when more
 * were left out.
 */
import { withLoading } from "../api.js";
import { formatCount, formatDuration, formatNyDateTime } from "../format.js";
import { make, setText } from "../render/dom.js";
import { createPlayback, loadSessionAlerts, loadSessionPatterns, MAX_PLAYBACK_PATTERNS, SPEEDS, toEvents } from "../playback.js";
import { applyEvent, applySnapshot } from "../reducer.js";
import { createState } from "../state.js";
import { createScheduler } from "../scheduler.js";
import { emptyFilters } from "../filters.js";
import { mountStreamingView } from "./streaming-view.js";
import { heading } from "./history.js";
import { mountPagedTable } from "./table.js";

const count = (n) => n.toLocaleString("en-US");

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
        setText(status, sessions.length ? `${formatCount(sessions.length, "session")}, newest first` : "No session recorded yet: the engine has not streamed a session.");
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
        fetchPage: (page, signal) => app.api.get("/api/streaming/alerts", { page, per_page: 50, session_id: session.session_id }, { signal }),
      }).load(1);
      mountPlayer(detail, s, session);
    }

    function mountPlayer(parent, s, session) {
      const bar = make(doc, "div", "toolbar", undefined, { role: "toolbar", "aria-label": "Playback" });
      const symbol = /** @type {HTMLInputElement} */ (make(doc, "input", "", undefined, {
        type: "text", placeholder: "All symbols", maxlength: "10", "aria-label": "Only patterns of this symbol (optional)",
      }));
      const load = /** @type {HTMLButtonElement} */ (make(doc, "button", "", "Load playback", { type: "button" }));
      const play = make(doc, "button", "", "Play", { type: "button" });
      const speed = /** @type {HTMLSelectElement} */ (make(doc, "select", "", undefined, { "aria-label": "Playback speed" }));
      for (const v of SPEEDS) speed.append(make(doc, "option", "", `${v}x`, { value: String(v) }));
      const progress = make(doc, "span", "muted", "", { role: "status" });
      bar.append(make(doc, "span", "", "Playback:"), symbol, load, play, speed, progress);
      const note = make(doc, "p", "muted playback-note", "", { role: "note" });
      note.hidden = true;
      parent.append(bar, note);
      /** @type {HTMLButtonElement} */ (play).disabled = true;

      const state = createState(app.state.settings);
      const filters = emptyFilters();
      const view = mountStreamingView(parent, s, {
        filters: () => filters, autoScroll: () => true, now: app.now, openChart: app.openChart, showJson: app.showJson,
        requestRender: () => scheduler.schedule(false), watchlists: app.watchlists,  // the stars are the reader's lists
      });
      view.root.querySelector(".toolbar")?.remove();
      view.root.querySelector('[data-panel="chart"]')?.remove();  // live only
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
      /** @type {AbortController|null} */
      let loading = null;
      s.add(() => loading?.abort());

      s.listen(load, "click", async () => {
        loading?.abort();
        const controller = loading = new AbortController();
        const { signal } = controller;
        if (playback) {
          // A reload (another symbol, say) starts from an empty picture, not on top of the last.
          playback.pause();
          playback = null;
          applySnapshot(state, {});
          scheduler.schedule();
        }
        setText(play, "Play");
        /** @type {HTMLButtonElement} */ (play).disabled = true;
        load.disabled = true;
        note.hidden = true;
        setText(note, "");
        setText(progress, "Loading events…");
        try {
          const get = (path, params, options) => app.api.get(path, params, options);
          const only = symbol.value.trim().toUpperCase();
          const { patterns, total, truncated } = await loadSessionPatterns(get, session.session_id, {
            symbol: only || undefined, signal,
            onPage: (loaded, of) => setText(progress, `Loading patterns… ${count(loaded)}/${count(of)}`),
          });
          setText(progress, "Loading alerts…");
          const { alerts, truncated: alertsTruncated } = await loadSessionAlerts(get, session, { signal });
          const notes = [];
          if (truncated) notes.push(`Only the first ${count(patterns.length)} of ${count(total)} patterns are played back (limit ${count(MAX_PLAYBACK_PATTERNS)}).`);
          if (alertsTruncated) notes.push(`Only the newest ${count(alerts.length)} alerts were loaded.`);
          setText(note, notes.join(" "));
          note.hidden = notes.length === 0;
          const events = toEvents({ session, alerts, patterns });
          playback = createPlayback({
            events, now: app.now,
            apply: (name, data) => applyEvent(state, name, data),
            onProgress: (t, done) => {
              setText(progress, done ? `Done: ${events.length} events replayed` : `${formatNyDateTime(t)} · ${playback.index}/${events.length}`);
              if (done) {  // nothing left to pause: Load playback plays it again
                setText(play, "Play");
                /** @type {HTMLButtonElement} */ (play).disabled = true;
              }
              scheduler.schedule();
            },
          });
          setText(progress, `${count(events.length)} events ready (${count(patterns.length)} patterns, ${count(alerts.length)} alerts)`);
          /** @type {HTMLButtonElement} */ (play).disabled = events.length === 0;
        } catch (err) {
          if (signal.aborted) return;
          setText(progress, `Could not load: ${err.message}`);
        } finally {
          if (loading === controller) {
            loading = null;
            load.disabled = false;
          }
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
      // Ticks only while playing: a loaded, paused playback keeps its "events ready" line.
      s.every(() => { if (playback?.playing) playback.tick(); }, 100, app.win);
    }
  };
}
