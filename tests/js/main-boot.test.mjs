// The browser boot (js/main.js): the app built on the page's real globals and started. It
// imports Socket.IO from /vendor/, which a module resolve hook (node:module register) points
// at a stand-in here; the page's globals are a jsdom window set for this file's process.
import assert from "node:assert/strict";
import { register } from "node:module";
import { test } from "node:test";
import { dom, STATIC } from "./fixtures.mjs";

const fakeSocketIo = "export const io = (...args) => globalThis.__fakeIo(...args);";
const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === "/vendor/socket.io-client/socket.io.esm.min.js") {
    return { url: "data:text/javascript,${encodeURIComponent(fakeSocketIo)}", shortCircuit: true };
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

test("the boot starts the dashboard on the page's globals, opens the socket and exposes read-only figures", async () => {
  const { window } = dom();
  window.location.hash = "";
  window.fetch = async () => ({ ok: true, status: 200, json: async () => ({ session: null }) });
  // Storage the browser refuses to hand out (blocked cookies): the page still boots.
  Object.defineProperty(window, "localStorage", { get() { throw new window.DOMException("blocked", "SecurityError"); } });
  const opened = [];
  const handlers = new Map();
  globalThis.__fakeIo = (options) => {
    opened.push(options);
    return { on: (name, fn) => handlers.set(name, fn), connect() {}, disconnect() {}, close() {} };
  };
  Object.assign(globalThis, { window, document: window.document });
  try {
    await import(new URL("js/main.js", STATIC).href);
    assert.equal(opened.length, 1);
    assert.equal(opened[0].path, "/socket.io");
    assert.equal(window.document.querySelector("main h1").textContent, "Live Streaming");
    const stats = window.__tickstock;
    assert.equal(stats.eventsApplied, 0);
    assert.throws(() => { "use strict"; window.__tickstock = {}; }, TypeError, "the figures cannot be replaced");
    handlers.get("connect")();
    handlers.get("snapshot")({ epoch: "e1", seq: 0, session: { session_id: "s", status: "active", started_at: "2025-10-05T13:30:00Z" } });
    assert.equal(stats.counters.snapshots, 1);
  } finally {
    delete globalThis.window;
    delete globalThis.document;
    delete globalThis.__fakeIo;
    window.close();
  }
});
