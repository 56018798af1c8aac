// Sessions (#/sessions): the list of past sessions, a session's own alerts, and its playback
// through the same panels as live, in a private state.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { closePages, openPage, Reply } from "./page.mjs";
import { detection, minute, XSS } from "./fixtures.mjs";

afterEach(closePages);

const monday = { session_id: "s-mon", universe: "market_leaders:top_500", status: "stopped", started_at: "2025-10-06T13:30:00Z",
  stopped_at: "2025-10-06T20:00:00Z", duration_seconds: 23400, total_patterns: 2, total_indicators: 45000 };
const friday = { session_id: "s-fri", universe: "sp500", status: "stopped", started_at: "2025-10-03T13:30:00Z",
  stopped_at: "2025-10-03T20:00:00Z", duration_seconds: 23400 };
const mondayAt = (n) => new Date(Date.parse(monday.started_at) + n * 60000).toISOString().replace(".000Z", "Z");
const sessionAlert = { kind: "indicator", symbol: "AAPL", alert_type: "RSI_OVERSOLD", timestamp: mondayAt(30), indicator: "RSI", value: 25, threshold: 30, session_id: "s-mon" };

function routes(over = {}) {
  return {
    "/api/streaming/sessions": { count: 2, sessions: [monday, friday] },
    "/api/streaming/alerts": (url) => ({ items: url.searchParams.get("session_id") === "s-mon" ? [sessionAlert] : [], total: 1, page: 1, pages: 1 }),
    "/api/streaming/sessions/s-mon/patterns": (url) => {
      const symbol = url.searchParams.get("symbol");
      const items = [detection({ symbol: "NVDA", timestamp: mondayAt(5) }), detection({ symbol: "AMD", pattern_type: XSS, timestamp: mondayAt(10) })]
        .filter((d) => !symbol || d.symbol === symbol);
      return { items, total: items.length, page: 1, pages: 1 };
    },
    ...over,
  };
}

const progress = (page) => page.text('.session-detail [role=toolbar] [role=status]');
const button = (page, text) => [...page.doc.querySelectorAll(".session-detail button")].find((b) => b.textContent === text);

async function openMonday(over) {
  const page = openPage({ hash: "#/sessions", routes: routes(over) });
  await page.until(() => page.doc.querySelectorAll(".session-list button").length === 2, "the session list");
  page.click(page.doc.querySelector(".session-list button"));
  return page;
}

describe("session list", () => {
  test("lists recorded sessions newest first, by their New York start, universe and status", async () => {
    const page = openPage({ hash: "#/sessions", routes: routes() });
    assert.equal(page.text("main section > [role=status]"), "Loading sessions…");
    await page.until(() => page.doc.querySelectorAll(".session-list button").length === 2, "the session list");
    assert.equal(page.text("main section > [role=status]"), "2 sessions, newest first");
    assert.deepEqual(page.texts(".session-list button"), [
      "10/06/2025, 09:30:00 ET — market_leaders:top_500 (stopped)",
      "10/03/2025, 09:30:00 ET — sp500 (stopped)",
    ]);
    assert.equal(page.calls[0].searchParams.get("limit"), "50");
  });

  test("says when no session was recorded, and when the list cannot be read", async () => {
    const empty = openPage({ hash: "#/sessions", routes: { "/api/streaming/sessions": { count: 0, sessions: [] } } });
    await empty.until(() => empty.text("main section > [role=status]").startsWith("No session"), "the empty state");
    assert.equal(empty.text("main section > [role=status]"), "No session recorded yet: the engine has not streamed a session.");
    const broken = openPage({ hash: "#/sessions", routes: { "/api/streaming/sessions": new Reply(503, { error: "store_unavailable", detail: "database is locked" }) } });
    await broken.until(() => broken.text("main section > [role=status]").startsWith("Could not"), "the error");
    assert.equal(broken.text("main section > [role=status]"), "Could not load sessions: store_unavailable: database is locked");
  });
});

describe("partial answers", () => {
  test("a session or alert missing fields reads as empty text, never 'undefined'", async () => {
    const page = openPage({ hash: "#/sessions", routes: {
      "/api/streaming/sessions": { sessions: [{ session_id: "x", started_at: monday.started_at }] },
      "/api/streaming/alerts": { items: [{ kind: "critical", severity: "error", timestamp: mondayAt(1) }, { kind: "indicator", timestamp: mondayAt(2) }], page: 1, pages: 1 },
    } });
    await page.until(() => page.doc.querySelectorAll(".session-list button").length === 1, "the list");
    assert.equal(page.text(".session-list button"), "10/06/2025, 09:30:00 ET —  ()");
    page.click(page.doc.querySelector(".session-list button"));
    await page.until(() => page.doc.querySelectorAll(".session-detail .data-table tbody tr").length === 2, "the alerts");
    const cells = [...page.doc.querySelectorAll(".session-detail .data-table tbody tr")].map((tr) => [...tr.children].slice(1, 3).map((td) => td.textContent));
    assert.deepEqual(cells, [["", "error"], ["", ""]]);
    assert.ok(!page.doc.querySelector("main").textContent.includes("undefined"));
    const empty = openPage({ hash: "#/sessions", routes: { "/api/streaming/sessions": {} } });
    await empty.until(() => empty.text("main section > [role=status]").startsWith("No session"), "the empty state");
  });

  test("a playback load abandoned by leaving the page is not reported as an error", async () => {
    let answer;
    const page = await openMonday({ "/api/streaming/sessions/s-mon/patterns": () => new Promise((resolve) => { answer = resolve; }) });
    page.click(button(page, "Load playback"));
    await page.until(() => answer, "the patterns request");
    const line = page.doc.querySelector(".session-detail [role=toolbar] [role=status]");
    await page.go("#/settings");
    answer({ items: [], total: 0, pages: 1 });
    await page.settle();
    assert.equal(line.textContent, "Loading events…");
  });
});

describe("one session", () => {
  test("shows its duration and counts, and the alerts of that session only", async () => {
    const page = await openMonday();
    await page.until(() => page.doc.querySelectorAll(".session-detail .data-table tbody tr").length === 1, "the session's alerts");
    assert.equal(page.text(".session-detail h2"), "Session 10/06/2025, 09:30:00 ET");
    assert.equal(page.text(".session-detail > p.muted"), "Duration 6h 30m 00s · 2 patterns · 45000 indicators");
    const asked = page.calls.find((u) => u.pathname === "/api/streaming/alerts");
    assert.equal(asked.searchParams.get("session_id"), "s-mon", "a session's alerts, not every alert since its start");
    assert.equal(asked.searchParams.has("since"), false);
    const cells = [...page.doc.querySelectorAll(".session-detail .data-table tbody td")].map((td) => td.textContent);
    assert.deepEqual(cells.slice(0, 3), ["10/06/2025, 10:00:00 ET", "AAPL", "RSI_OVERSOLD"]);
  });

  test("a session without stored counts says so with '?'; opening another session replaces the first", async () => {
    const page = await openMonday();
    page.click(page.doc.querySelectorAll(".session-list button")[1]);
    assert.equal(page.text(".session-detail h2"), "Session 10/03/2025, 09:30:00 ET");
    assert.equal(page.text(".session-detail > p.muted"), "Duration 6h 30m 00s · ? patterns · ? indicators");
    assert.equal(page.doc.querySelectorAll(".session-detail > h2").length, 1);
    assert.equal(page.doc.querySelectorAll(".session-detail [role=toolbar]").length, 1);
  });
});

describe("playback", () => {
  test("loads the session's patterns and alerts, then plays them at 60x into its own panels, not the live ones", async () => {
    const page = await openMonday();
    const play = button(page, "Play");
    assert.equal(play.disabled, true, "nothing to play before loading");
    assert.equal(page.text(".session-detail h1"), "Playback");
    assert.equal(page.doc.querySelector('.session-detail [data-panel="chart"]'), null, "the chart panel is live only");
    page.click(button(page, "Load playback"));
    await page.until(() => progress(page).endsWith("events ready (2 patterns, 1 alerts)"), "the playback to load");
    assert.equal(progress(page), "5 events ready (2 patterns, 1 alerts)");
    assert.equal(play.disabled, false);
    assert.equal(page.doc.querySelector(".playback-note").hidden, true);
    const speed = page.doc.querySelector('.session-detail select[aria-label="Playback speed"]');
    assert.deepEqual([...speed.options].map((o) => o.textContent), ["1x", "10x", "60x"]);
    speed.value = "60";
    speed.dispatchEvent(new page.window.Event("change"));
    page.click(play);
    assert.equal(play.textContent, "Pause");
    page.clock.t += 7 * 60 * 1000;  // 7 minutes at 60x: the whole 6.5-hour session
    page.runEvery(100);
    await page.until(() => progress(page) === "Done: 5 events replayed", "the playback to end");
    assert.equal(play.textContent, "Play", "a finished playback has nothing to pause");
    assert.equal(play.disabled, true);
    await page.until(() => page.doc.querySelectorAll(".session-detail .pattern-row").length === 2, "the played patterns");
    assert.deepEqual(page.texts(".session-detail .pattern-row .sym"), ["AMD", "NVDA"]);
    assert.equal(page.doc.querySelectorAll(".session-detail img").length, 0);
    assert.equal(page.app.state.patterns.size, 0, "the live state never sees a playback");
  });

  test("pausing stops the clock; one symbol's playback asks for that symbol only and starts from an empty picture", async () => {
    const page = await openMonday();
    page.click(button(page, "Load playback"));
    await page.until(() => progress(page).includes("events ready"), "the playback to load");
    const play = button(page, "Play");
    const rows = () => page.doc.querySelectorAll(".session-detail .pattern-row").length;
    page.click(play);
    page.clock.t += 4 * 60 * 1000;  // 4 minutes at 1x: only the session start is due
    page.runEvery(100);
    await page.until(() => progress(page).endsWith("· 1/5"), "the first event");
    page.click(play);
    assert.equal(play.textContent, "Play");
    page.clock.t += 60 * 60 * 1000;
    page.runEvery(100);
    await page.settle();
    assert.equal(rows(), 0, "a paused playback applies nothing");
    const speed = page.doc.querySelector('.session-detail select[aria-label="Playback speed"]');
    speed.value = "60";
    page.click(play);
    page.clock.t += 7 * 60 * 1000;
    page.runEvery(100);
    await page.until(() => rows() === 2, "the whole session played");
    page.doc.querySelector('.session-detail input[aria-label^="Only patterns"]').value = "nvda";
    page.click(button(page, "Load playback"));
    await page.until(() => progress(page).endsWith("(1 patterns, 1 alerts)"), "the one-symbol playback");
    assert.equal(page.calls.findLast((u) => u.pathname.endsWith("/patterns")).searchParams.get("symbol"), "NVDA");
    assert.equal(play.textContent, "Play");
    await page.until(() => rows() === 0, "the reload to start from an empty picture");
  });

  test("a session longer than the limit, or with many alerts, says what was left out", async () => {
    const page = await openMonday({
      "/api/streaming/sessions/s-mon/patterns": { items: [detection({ timestamp: mondayAt(1) })], total: 30000, page: 1, pages: 1 },
      "/api/streaming/alerts": (url) => ({ items: [{ ...sessionAlert, timestamp: mondayAt(Number(url.searchParams.get("page"))) }], total: 5000, page: 1, pages: 50 }),
    });
    page.click(button(page, "Load playback"));
    await page.until(() => progress(page).includes("events ready"), "the playback to load");
    const note = page.doc.querySelector(".playback-note");
    assert.equal(note.hidden, false);
    assert.equal(note.textContent, "Only the first 1 of 30,000 patterns are played back (limit 20,000). Only the newest 20 alerts were loaded.");
  });

  test("a failed load says why and lets the reader try again", async () => {
    const page = await openMonday({ "/api/streaming/sessions/s-mon/patterns": new Reply(500, { error: "internal_error", detail: "boom" }) });
    const load = button(page, "Load playback");
    page.click(load);
    await page.until(() => progress(page).startsWith("Could not load"), "the error");
    assert.equal(progress(page), "Could not load: internal_error: boom");
    assert.equal(load.disabled, false);
    assert.equal(button(page, "Play").disabled, true);
  });
});
