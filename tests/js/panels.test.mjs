// The panel registry (panels.js): one line per Live panel, read by the view and the layout.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { emptyFilters } from "../../src/tickstock/web/static/js/filters.js";
import { DEFAULT_ORDER, PANEL_LABELS, applyLayout, normaliseLayout } from "../../src/tickstock/web/static/js/layout.js";
import { PANEL_SPECS } from "../../src/tickstock/web/static/js/panels.js";
import { make, setText } from "../../src/tickstock/web/static/js/render/dom.js";
import { mountStreamingView } from "../../src/tickstock/web/static/js/sections/streaming-view.js";
import { Scope } from "../../src/tickstock/web/static/js/scope.js";
import { createState } from "../../src/tickstock/web/static/js/store.js";
import { dom, XSS } from "./fixtures.mjs";

const ctxFor = () => ({ filters: () => emptyFilters(), autoScroll: () => true, now: () => 0,
  openChart() {}, showJson() {}, requestRender() {} });

/** A toy panel, as a new panel's renderer would be: nodes built once, text set on render. */
function createToyPanel(root) {
  const line = root.appendChild(make(root.ownerDocument, "p", "muted", "", { "data-field": "status" }));
  return { render(state) { setText(line, state.health?.status ?? "none"); } };
}

describe("the panel registry", () => {
  test("gives the layout its default order and the settings their labels", () => {
    assert.deepEqual(DEFAULT_ORDER, PANEL_SPECS.map((spec) => spec.name));
    assert.equal(PANEL_LABELS.market, "Market");
    assert.equal(PANEL_LABELS.health, "System health");
  });

  test("declares the page's panels in the order of their slots in #tpl-streaming", () => {
    const doc = dom().window.document;
    const slots = [...doc.getElementById("tpl-streaming").content.querySelectorAll("[data-panel]")];
    assert.deepEqual(slots.map((el) => el.getAttribute("data-panel")), DEFAULT_ORDER);
    for (const el of slots) assert.equal(el.querySelector("h2").textContent, PANEL_LABELS[el.getAttribute("data-panel")]);
  });

  test("mounts every panel with a renderer; the chart is left to the live section", () => {
    const doc = dom().window.document;
    const view = mountStreamingView(doc.getElementById("main"), new Scope(), ctxFor());
    assert.deepEqual(Object.keys(view.panels).sort(), DEFAULT_ORDER.filter((n) => n !== "chart").sort());
  });

  test("a panel without a slot gets its article and heading, renders on its triggers, text only", () => {
    const doc = dom().window.document;
    const specs = [...PANEL_SPECS, { name: "toy", label: "Toy <b>panel</b>", create: createToyPanel, triggers: ["health"] }];
    const view = mountStreamingView(doc.getElementById("main"), new Scope(), ctxFor(), specs);
    const article = view.panelsEl.querySelector(':scope > article.panel[data-panel="toy"]');
    assert.ok(article, "the toy panel's article is in the panels");
    assert.equal(article.getAttribute("aria-labelledby"), "p-toy");
    assert.equal(doc.getElementById("p-toy").textContent, "Toy <b>panel</b>");
    assert.equal(article.querySelector("b"), null);

    const state = createState();
    state.dirty.clear();
    state.health = { status: XSS };
    view.render(state);
    assert.equal(article.querySelector('[data-field="status"]').textContent, "", "not rendered: nothing it reads changed");
    state.dirty.add("health");
    view.render(state);
    assert.equal(article.querySelector('[data-field="status"]').textContent, XSS);
    assert.equal(article.querySelectorAll("img").length, 0);

    // the saved layout places and hides it like any other panel
    applyLayout(view.panelsEl, { order: ["toy", ...DEFAULT_ORDER], hidden: ["toy"] });
    assert.equal(view.panelsEl.firstElementChild, article);
    assert.equal(article.hidden, true);
    assert.deepEqual(normaliseLayout({ order: ["toy"] }).order, DEFAULT_ORDER, "a name not in the registry is not kept");
  });
});
