// Front-end diagnostics: a debug mode that logs connection changes and events to the console,
// and uncaught errors shown as a text-only notice and reported to the app, rate-limited.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createApp } from "../../src/tickstock/web/static/js/app.js";
import { createDiagnostics, debugRequested, DEBUG_KEY, MAX_REPORTS_PER_MINUTE, reportOf, REPORT_PATH } from "../../src/tickstock/web/static/js/diagnostics.js";
import { sections } from "../../src/tickstock/web/static/js/sections/index.js";
import { dom, pattern, XSS } from "./fixtures.mjs";

function memoryStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)), removeItem: (k) => data.delete(k) };
}

function recordingConsole() {
  const lines = [];
  return { lines, debug: (...args) => lines.push(["debug", ...args]), info: (...args) => lines.push(["info", ...args]) };
}

/** Lets the report's promise chain run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup({ debug = false, token = null } = {}) {
  const { window } = dom();
  const posts = [];
  const clock = { t: 0 };
  const out = recordingConsole();
  const storage = memoryStorage();
  const diagnostics = createDiagnostics({
    console: out, storage, now: () => clock.t, debug,
    fetch: async (url, init) => { posts.push({ url, init, body: JSON.parse(init.body) }); return { ok: true, status: 204 }; },
    getToken: () => token,
    notice: window.document.getElementById("error-notice"),
    page: () => "/#/streaming",
  });
  return { window, doc: window.document, diagnostics, posts, clock, out, storage };
}

describe("debug mode", () => {
  test("is asked for by ?debug=1 (before or after the #) or by the stored choice", () => {
    assert.equal(debugRequested({ search: "?debug=1", hash: "" }, null), true);
    assert.equal(debugRequested({ search: "", hash: "#/streaming?debug=1" }, null), true);
    assert.equal(debugRequested({ search: "?x=2&debug=true", hash: "" }, null), true);
    assert.equal(debugRequested({ search: "?debug=0", hash: "" }, null), false);
    assert.equal(debugRequested({ search: "?nodebug=1", hash: "" }, null), false);
    assert.equal(debugRequested({ search: "", hash: "" }, memoryStorage({ [DEBUG_KEY]: "1" })), true);
    assert.equal(debugRequested({ search: "", hash: "" }, memoryStorage()), false);
  });

  test("logs connection changes and every received event only while on", () => {
    const { diagnostics, out, storage } = setup();
    diagnostics.connection("connected");
    diagnostics.event("streaming_pattern", pattern());
    assert.deepEqual(out.lines, []);
    diagnostics.setDebug(true);
    assert.equal(storage.getItem(DEBUG_KEY), "1");
    diagnostics.connection("reconnecting", { kind: "gap", missed: 3 });
    diagnostics.event("streaming_pattern", pattern());
    assert.deepEqual(out.lines.slice(1).map((l) => l.slice(0, 3)), [
      ["info", "[tickstock] connection", "reconnecting"],
      ["info", "[tickstock] event", "streaming_pattern"],
    ]);
    diagnostics.setDebug(false);
    assert.equal(storage.getItem(DEBUG_KEY), null);
  });

  test("the app logs each event and connection change in debug mode", () => {
    const { window } = dom();
    window.history.replaceState(null, "", "/?debug=1#/streaming");
    const logged = recordingConsole();
    Object.defineProperty(window, "console", { value: logged });
    const handlers = new Map();
    const socket = { on: (n, fn) => handlers.set(n, fn), connect() {}, disconnect() {}, close() {} };
    const app = createApp({
      doc: window.document, win: window, io: () => socket, storage: null, sessionStorage: null,
      fetch: async () => ({ ok: true, status: 200, json: async () => ({}) }), now: () => 0,
      requestFrame: () => {}, sections,
    });
    app.start();
    handlers.get("connect")();
    app.handleEvent("streaming_pattern", pattern());
    assert.deepEqual(logged.lines.map((l) => l[1]), ["[tickstock] connection", "[tickstock] event"]);
    window.close();
  });
});

describe("uncaught errors", () => {
  test("are shown as text and POSTed with the token, each message once", async () => {
    const { diagnostics, doc, posts } = setup({ token: "s3cret" });
    const sent = diagnostics.capture("error", { message: XSS, filename: "http://localhost/js/app.js", lineno: 12, colno: 4, error: { stack: "at x" } });
    assert.equal(sent, true);
    const notice = doc.getElementById("error-notice");
    assert.equal(notice.hidden, false);
    assert.equal(notice.querySelector("[data-field=text]").textContent, `Something went wrong on this page: ${XSS}`);
    assert.equal(notice.querySelectorAll("img, script").length, 0);
    assert.equal(diagnostics.capture("error", { message: XSS }), false, "the same message is reported once");
    await settle();
    assert.equal(posts.length, 1);
    assert.equal(posts[0].url, REPORT_PATH);
    assert.equal(posts[0].init.method, "POST");
    assert.equal(posts[0].init.headers.Authorization, "Bearer s3cret");
    assert.deepEqual(posts[0].body, { kind: "error", message: XSS, stack: "at x", page: "/#/streaming", source: "http://localhost/js/app.js", line: 12, column: 4 });
  });

  test("unhandled rejections report the reason's message, an Error's or a plain value's", () => {
    assert.deepEqual(reportOf("unhandledrejection", { reason: new TypeError("x is undefined") }, "/").message, "x is undefined");
    assert.equal(reportOf("unhandledrejection", { reason: "plain" }, "/").message, "plain");
    assert.equal(reportOf("unhandledrejection", { reason: undefined }, "/"), null);
    assert.equal(reportOf("error", {}, "/"), null);
  });

  test("are sized to the server's limits", () => {
    const report = reportOf("error", { message: "m".repeat(5000), error: { stack: "s".repeat(9000) } }, "/");
    assert.equal(report.message.length, 500);
    assert.equal(report.stack.length, 2000);
  });

  test("at most a few reports a minute leave the page, however many errors it has", async () => {
    const { diagnostics, posts, clock } = setup();
    for (let i = 0; i < 20; i++) diagnostics.capture("error", { message: `boom ${i}` });
    await settle();
    assert.equal(posts.length, MAX_REPORTS_PER_MINUTE);
    clock.t += 60_000;
    diagnostics.capture("error", { message: "later" });
    await settle();
    assert.equal(posts.length, MAX_REPORTS_PER_MINUTE + 1);
  });

  test("a report that cannot be sent is dropped quietly", async () => {
    const { window } = dom();
    const diagnostics = createDiagnostics({
      console: recordingConsole(), storage: null, now: () => 0, debug: false, getToken: () => null,
      fetch: async () => { throw new TypeError("offline"); }, notice: null, page: () => "/",
    });
    assert.equal(diagnostics.capture("error", { message: "x" }), true);
    await settle();
    window.close();
  });

  test("window errors and unhandled rejections are captured once installed", async () => {
    const { window, diagnostics, posts } = setup();
    diagnostics.install(window);
    window.dispatchEvent(new window.ErrorEvent("error", { message: "from the page", lineno: 3 }));
    const rejection = new window.Event("unhandledrejection");
    rejection.reason = new Error("nobody caught me");
    window.dispatchEvent(rejection);
    await settle();
    assert.deepEqual(posts.map((p) => [p.body.kind, p.body.message]), [
      ["error", "from the page"],
      ["unhandledrejection", "nobody caught me"],
    ]);
    window.close();
  });
});
