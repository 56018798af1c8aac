/**
 * Front-end diagnostics: a debug mode and the capture of uncaught errors.
 *
 * Debug mode (`?debug=1` in the address, or the Settings checkbox, kept in localStorage)
 * logs each connection change and each received event to the console. Uncaught errors
 * (`error`, `unhandledrejection`) are shown as a small notice (text only) and POSTed to
 * `/api/client-errors`, at most a few per minute and each message once, so a page stuck in
 * an error loop cannot flood the server.
 */

export const DEBUG_KEY = "tickstock.debug";
export const REPORT_PATH = "/api/client-errors";
/** Reports sent per minute at most; the same message is sent once per page. */
export const MAX_REPORTS_PER_MINUTE = 5;
/** The server's field limits, applied here so a report is never refused for its size. */
const LIMITS = { message: 500, source: 300, stack: 2000, page: 300 };

/**
 * Whether debug mode is on: `debug=1` in the query (before or after the `#`) or the stored choice.
 * @param {{search?: string, hash?: string}} location @param {Storage|null} storage
 */
export function debugRequested(location, storage) {
  const query = `${location.search || ""}&${(location.hash || "").split("?")[1] || ""}`;
  if (/(^|[?&])debug=(1|true|on)(&|$)/.test(query)) return true;
  try {
    return storage?.getItem(DEBUG_KEY) === "1";
  } catch {
    return false;
  }
}

/** @param {unknown} value @param {number} max */
function clip(value, max) {
  return typeof value === "string" ? value.slice(0, max) : "";
}

/**
 * The report of one uncaught error, or null for an event that carries nothing to report.
 * @param {"error"|"unhandledrejection"} kind @param {any} event @param {string} page
 */
export function reportOf(kind, event, page) {
  let message = "";
  let stack = "";
  if (kind === "error") {
    message = event?.message || event?.error?.message || "";
    stack = event?.error?.stack || "";
  } else {
    const reason = event?.reason;
    message = reason instanceof Error || typeof reason?.message === "string" ? reason.message : String(reason ?? "");
    stack = typeof reason?.stack === "string" ? reason.stack : "";
  }
  if (!message) return null;
  const report = { kind, message: clip(String(message), LIMITS.message), stack: clip(stack, LIMITS.stack), page: clip(page, LIMITS.page) };
  if (kind === "error") {
    const line = Number(event?.lineno);
    const column = Number(event?.colno);
    Object.assign(report, { source: clip(event?.filename, LIMITS.source) });
    if (Number.isInteger(line) && line >= 0) Object.assign(report, { line });
    if (Number.isInteger(column) && column >= 0) Object.assign(report, { column });
  }
  return report;
}

/**
 * @param {{console: Pick<Console, "info">, fetch: typeof fetch, getToken: () => string|null,
 *   storage: Storage|null, now: () => number, notice: HTMLElement|null, page: () => string,
 *   debug: boolean}} deps
 */
export function createDiagnostics(deps) {
  const { console: out, storage, now, notice } = deps;
  const sentMessages = new Set();
  /** @type {number[]} */
  let sentAt = [];
  let debug = deps.debug;

  const diagnostics = {
    get debug() {
      return debug;
    },
    /** Turns debug mode on or off and remembers the choice. @param {boolean} on */
    setDebug(on) {
      debug = on;
      try {
        if (on) storage?.setItem(DEBUG_KEY, "1");
        else storage?.removeItem(DEBUG_KEY);
      } catch {
        // this page only
      }
      out.info(`[tickstock] debug mode ${on ? "on" : "off"}`);
    },
    /** @param {string} state @param {any} [notice] */
    connection(state, notice) {
      if (debug) out.info("[tickstock] connection", state, notice ?? "");
    },
    /** @param {string} name @param {any} data */
    event(name, data) {
      if (debug) out.info("[tickstock] event", name, data);
    },
    /** Shows and reports one uncaught error. @param {"error"|"unhandledrejection"} kind @param {any} event */
    capture(kind, event) {
      const report = reportOf(kind, event, deps.page());
      if (!report) return false;
      show(report.message);
      return send(report);
    },
    /** Listens for uncaught errors on `win`. @param {Pick<Window, "addEventListener">} win */
    install(win) {
      win.addEventListener("error", (event) => diagnostics.capture("error", event));
      win.addEventListener("unhandledrejection", (event) => diagnostics.capture("unhandledrejection", event));
    },
  };

  /** @param {string} message */
  function show(message) {
    if (!notice) return;
    const text = notice.querySelector("[data-field=text]") || notice;
    text.textContent = `Something went wrong on this page: ${message}`;
    notice.hidden = false;
  }

  /** @param {Record<string, unknown>} report */
  function send(report) {
    const t = now();
    sentAt = sentAt.filter((at) => t - at < 60_000);
    const key = `${report.kind}|${report.message}`;
    if (sentMessages.has(key) || sentAt.length >= MAX_REPORTS_PER_MINUTE) return false;
    sentMessages.add(key);
    sentAt.push(t);
    const headers = { "Content-Type": "application/json" };
    const token = deps.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    // A report that cannot be sent is not itself reported: that would loop.
    Promise.resolve()
      .then(() => deps.fetch(REPORT_PATH, { method: "POST", headers, body: JSON.stringify(report), credentials: "same-origin", keepalive: true }))
      .catch(() => {});
    return true;
  }

  return diagnostics;
}
