// Static checks of the dashboard's source: no HTML-string sinks, no inline script or
// style, nothing the strict CSP would block.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { STATIC } from "./fixtures.mjs";

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "api-docs") return [];
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}
const root = fileURLToPath(STATIC);
const sources = files(root).filter((p) => /\.(js|html)$/.test(p));

test("no HTML-string DOM sinks anywhere in the dashboard", () => {
  const sink = /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\s*\(|new Function\s*\()/;
  const offenders = sources.filter((p) => sink.test(readFileSync(p, "utf8")));
  assert.ok(sources.length > 20, "the scan sees the sources");
  assert.deepEqual(offenders, []);
});

test("index.html has no inline script, style attribute or inline handler", () => {
  const html = readFileSync(join(root, "index.html"), "utf8");
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1], /\bsrc=/, "every script is a file");
    assert.equal(m[2].trim(), "");
  }
  assert.doesNotMatch(html, /\sstyle\s*=/);
  assert.doesNotMatch(html, /<style\b/);
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
});

test("the vendor modules the page loads exist under the served node_modules paths", () => {
  const nm = new URL("../../node_modules/", import.meta.url);
  readFileSync(new URL("socket.io-client/dist/socket.io.esm.min.js", nm));
  readFileSync(new URL("lightweight-charts/dist/lightweight-charts.standalone.production.mjs", nm));
  const main = readFileSync(join(root, "js/main.js"), "utf8");
  assert.match(main, /\/vendor\/socket\.io-client\/socket\.io\.esm\.min\.js/);
});
