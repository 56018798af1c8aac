// Drives Debian's Firefox ESR for the pytest browser suite, through puppeteer-core's
// WebDriver BiDi support (puppeteer-core never downloads a browser).
//
// A line-oriented JSON protocol on stdin/stdout, one request and one reply per line:
//   request  {"id": 1, "op": "goto", "page": 1, "url": "http://127.0.0.1:.../"}
//   reply    {"id": 1, "ok": true, "value": ...}  or  {"id": 1, "ok": false, "error": "..."}
// The first line written is {"ready": true, "version": "firefox/…"} once Firefox runs.
// pytest (tests/web/firefox/firefox.py) publishes the market events between requests and
// asserts on the values returned; every wait here is bounded by the request's timeout.
import { createInterface } from "node:readline";
import puppeteer from "puppeteer-core";

const FIREFOX = process.env.TICKSTOCK_FIREFOX || "/usr/bin/firefox-esr";
const VIEWPORT = { width: 1400, height: 1000 };

/** A page with the console errors, uncaught errors and failed responses it has seen. */
class WatchedPage {
  constructor(context, page) {
    this.context = context;
    this.page = page;
    this.problems = [];
    page.on("console", (m) => {
      if (m.type() === "error") this.problems.push(`console.error: ${m.text()}`);
    });
    page.on("pageerror", (e) => this.problems.push(`pageerror: ${e.message ?? e}`));
    page.on("response", (r) => {
      if (r.status() >= 400) this.problems.push(`HTTP ${r.status()} ${r.url()}`);
    });
  }
}

// The predicates come from the test code as function sources: built here once into a
// function that puppeteer serialises again, because the page's CSP forbids eval in the page.
const toFunction = (source) => new Function(`return (${source});`)();

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: FIREFOX,
  headless: true,
  protocolTimeout: 30_000,
});
const pages = new Map();
let nextPage = 1;

const page = (id) => {
  const watched = pages.get(id);
  if (!watched) throw new Error(`no page ${id}`);
  return watched;
};

const ops = {
  async newPage() {
    // A fresh context per page: no storage shared with another test.
    const context = await browser.createBrowserContext();
    const p = await context.newPage();
    await p.setViewport(VIEWPORT);
    const id = nextPage++;
    pages.set(id, new WatchedPage(context, p));
    return id;
  },
  async goto({ page: id, url, timeout }) {
    const response = await page(id).page.goto(url, { waitUntil: "load", timeout });
    return response ? response.status() : null;
  },
  async reload({ page: id, timeout }) {
    await page(id).page.reload({ waitUntil: "load", timeout });
    return null;
  },
  async evaluate({ page: id, fn, arg }) {
    return page(id).page.evaluate(toFunction(fn), arg ?? null);
  },
  async waitFor({ page: id, fn, arg, timeout }) {
    const handle = await page(id).page.waitForFunction(toFunction(fn), { timeout, polling: 50 }, arg ?? null);
    const value = await handle.jsonValue();
    await handle.dispose();
    return value;
  },
  async click({ page: id, selector, timeout }) {
    await page(id).page.locator(selector).setTimeout(timeout).click();
    return null;
  },
  async fill({ page: id, selector, value, timeout }) {
    await page(id).page.locator(selector).setTimeout(timeout).fill(value);
    return null;
  },
  async select({ page: id, selector, value }) {
    return page(id).page.select(selector, value);
  },
  async problems({ page: id }) {
    return page(id).problems;
  },
  async closePage({ page: id }) {
    const watched = page(id);
    pages.delete(id);
    await watched.context.close();
    return null;
  },
};

const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
reply({ ready: true, version: await browser.version() });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    reply({ id: null, ok: false, error: `bad request line: ${err.message}` });
    continue;
  }
  if (request.op === "quit") break;
  const op = ops[request.op];
  try {
    if (!op) throw new Error(`unknown op ${request.op}`);
    reply({ id: request.id, ok: true, value: (await op(request)) ?? null });
  } catch (err) {
    reply({ id: request.id, ok: false, error: String(err?.stack ?? err) });
  }
}
await browser.close();
