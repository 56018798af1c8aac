/** Boots the dashboard in the browser: real globals into createApp, then start. */
import { io } from "/vendor/socket.io-client/socket.io.esm.min.js";
import { createApp } from "./app.js";
import { sections } from "./sections/index.js";

function storageOf(name) {
  try {
    return window[name];
  } catch {
    return null;
  }
}

const app = createApp({
  doc: document,
  win: window,
  io,
  fetch: window.fetch.bind(window),
  storage: storageOf("localStorage"),
  sessionStorage: storageOf("sessionStorage"),
  now: () => performance.timeOrigin + performance.now(),
  requestFrame: (cb) => window.requestAnimationFrame(cb),
  AudioContext: window.AudioContext,
  Notification: window.Notification,
  sections,
});

Object.defineProperty(window, "__tickstock", { value: app.stats, writable: false, configurable: false });
app.start();
