// The two scripts that run on their own in the browser: the API reference page (api-docs,
// built from the real openapi.json as text), and the theme boot that applies the stored
// theme before first paint. Each runs at import, against globals set for it here (this
// file's process only); a query string imports it afresh per case.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, describe, test } from "node:test";
import { JSDOM } from "jsdom";
import { STATIC, XSS } from "./fixtures.mjs";

const saved = { document: globalThis.document, fetch: globalThis.fetch, window: globalThis.window, localStorage: globalThis.localStorage };
afterEach(() => Object.assign(globalThis, saved));

function page(file) {
  const html = readFileSync(new URL(file, STATIC), "utf8").replace(/<script[^>]*><\/script>/g, "");
  return new JSDOM(html, { url: "http://localhost/" }).window;
}

/** Imports `path` once more (a distinct URL), with `globals` set while it runs. */
async function run(path, globals, name) {
  Object.assign(globalThis, globals);
  await import(`${new URL(path, STATIC).href}?case=${encodeURIComponent(name)}`);
}

/** Waits (bounded) for the status line to leave "Loading…". */
async function loaded(doc) {
  for (let i = 0; i < 200 && doc.getElementById("status").textContent === "Loading…"; i++) await new Promise((r) => setTimeout(r, 1));
  return doc.getElementById("status").textContent;
}

describe("API reference page", () => {
  test("lists every endpoint of the real openapi.json with its parameters and responses", async () => {
    const win = page("api-docs/index.html");
    const spec = JSON.parse(readFileSync(new URL("api-docs/openapi.json", STATIC), "utf8"));
    const asked = [];
    await run("api-docs/docs.js", { document: win.document, fetch: async (url, init) => {
      asked.push([url, init.credentials]);
      return { ok: true, status: 200, json: async () => spec };
    } }, "real");
    assert.equal(await loaded(win.document), `${spec.info.title} ${spec.info.version}`);
    assert.deepEqual(asked, [["/api/openapi.json", "same-origin"]]);
    const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    const sections = [...win.document.querySelectorAll("#endpoints section")];
    assert.equal(sections.length, operations);
    const alerts = sections.find((s) => s.querySelector("h2").textContent === "GET/api/streaming/alerts");
    assert.ok(alerts, "the alerts endpoint is listed");
    const params = Object.fromEntries([...alerts.querySelectorAll("tr")].slice(1).map((tr) => [tr.children[0].textContent, [...tr.children].map((td) => td.textContent)]));
    assert.equal(params.per_page[1], "query");
    assert.match(params.per_page[2], /integer/);
    assert.match(alerts.lastElementChild.textContent, /^Responses: 200 /);
  });

  test("schemas read in words; text from the description stays text", async () => {
    const win = page("api-docs/index.html");
    const spec = { info: { title: "T", version: "1" }, paths: { "/x": { get: { summary: XSS, parameters: [
      { name: "kind", in: "query", schema: { type: ["string", "null"], enum: ["a", "b"], default: "a", pattern: "^[ab]$" }, description: "which" },
      { name: "n", in: "query", schema: { type: "integer", minimum: 1, maximum: 9, format: "int32" } },
      { name: "free", in: "query" },
    ], responses: { 200: {}, 404: { description: "none" } } }, post: {} } } };
    await run("api-docs/docs.js", { document: win.document, fetch: async () => ({ ok: true, status: 200, json: async () => spec }) }, "words");
    assert.equal(await loaded(win.document), "T 1");
    const cells = [...win.document.querySelectorAll("#endpoints td")].map((td) => td.textContent);
    assert.deepEqual(cells, [
      "kind", "query", "string|null; one of a, b; default a; pattern ^[ab]$", "which",
      "n", "query", "integer; ≥ 1; ≤ 9; int32", "",
      "free", "query", "", "",
    ]);
    assert.equal(win.document.querySelector("#endpoints p").textContent, XSS);
    assert.equal(win.document.querySelectorAll("img").length, 0);
    assert.equal(win.document.querySelectorAll("#endpoints section")[1].lastElementChild.textContent, "Responses: ");
    assert.equal(win.document.querySelectorAll("#endpoints section")[0].lastElementChild.textContent, "Responses: 200  · 404 none");
  });

  test("a description that cannot be loaded says so", async () => {
    const win = page("api-docs/index.html");
    await run("api-docs/docs.js", { document: win.document, fetch: async () => ({ ok: false, status: 503 }) }, "down");
    assert.equal(await loaded(win.document), "Could not load the API description: Error: HTTP 503");
  });
});

describe("theme boot", () => {
  const boot = async (stored, prefersDark, name, { refuse = false, media = true } = {}) => {
    const win = page("index.html");
    const storage = { getItem: (k) => { if (refuse) throw new Error("denied"); return k === "tickstock.theme" ? stored : null; } };
    const fakeWindow = { matchMedia: media ? (q) => ({ matches: q === "(prefers-color-scheme: dark)" && prefersDark }) : undefined };
    await run("js/theme-boot.js", { document: win.document, window: fakeWindow, localStorage: storage }, name);
    return win.document.documentElement.getAttribute("data-theme");
  };

  test("applies the stored theme, else the system's, before the modules load", async () => {
    assert.equal(await boot("dark", false, "stored-dark"), "dark");
    assert.equal(await boot("light", true, "stored-light"), "light");
    assert.equal(await boot(null, true, "system-dark"), "dark");
    assert.equal(await boot("system", false, "system-light"), "light");
  });

  test("storage the browser refuses, or no matchMedia, gives the light theme", async () => {
    assert.equal(await boot("dark", true, "refused", { refuse: true }), "dark", "refused storage follows the system");
    assert.equal(await boot(null, true, "no-media", { media: false }), "light");
  });
});
