// Watchlists in the market grid (#/market): make one (named through the browser's prompt),
// show only its symbols, rename, delete and export it; and the model behind them, which
// keeps only valid lists from storage and refuses bad names and symbols.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { cleanName, createWatchlists, normaliseWatchlists, WATCHLISTS_KEY } from "../../src/tickstock/web/static/js/grid-model.js";
import { closePages, openPage } from "./page.mjs";
import { minute } from "./fixtures.mjs";

afterEach(closePages);

function memoryStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)), removeItem: (k) => data.delete(k) };
}

/** The Market page with three symbols priced; `answers` are what the prompt returns, in turn. */
async function market(answers = []) {
  const page = openPage({ hash: "#/market" });
  page.window.prompt = () => answers.shift() ?? null;
  page.socket.connect();
  page.socket.emit("snapshot", { epoch: "e1", seq: 0, latest_bars: ["AAPL", "AMD", "NVDA"].map((symbol, i) => ({
    symbol, timestamp: minute(1), open: 10, high: 12, low: 9, close: 10 + i, volume: 5, closed: true })) });
  page.flush();
  const grid = (name) => page.doc.querySelector(`.grid-page [data-grid="${name}"]`);
  page.grid = grid;
  page.symbols = () => [...page.doc.querySelectorAll(".grid-page .grid-body .grid-row:not([hidden])")].map((r) => r.getAttribute("data-symbol"));
  page.options = () => [...grid("watchlist").options].map((o) => o.textContent);
  page.choose = (value) => {
    grid("watchlist").value = value;
    grid("watchlist").dispatchEvent(new page.window.Event("change"));
    page.flush();
  };
  page.star = (symbol) => {
    page.click(page.doc.querySelector(`.grid-page .grid-body [data-symbol="${symbol}"] [data-grid="star"]`));
    page.flush();
  };
  return page;
}

describe("watchlists in the grid", () => {
  test("New list asks a name and shows the list (empty); stars add symbols; All symbols shows everything", async () => {
    const page = await market(["  Tech  "]);
    assert.equal(page.grid("rename").disabled, true, "All symbols cannot be renamed");
    page.click(page.grid("new"));
    page.flush();
    assert.deepEqual(page.options(), ["All symbols", "Tech (0)"]);
    assert.equal(page.grid("watchlist").value, "Tech");
    assert.deepEqual(page.symbols(), []);
    assert.equal(page.grid("delete").disabled, false);
    page.choose("");
    page.star("NVDA");
    page.star("AAPL");
    assert.deepEqual(page.options(), ["All symbols", "Tech (2)"]);
    page.choose("Tech");
    assert.deepEqual(page.symbols(), ["AAPL", "NVDA"]);
    assert.equal(page.text('.grid-page [data-grid="count"]'), "2 of 3 symbols");
    page.star("AAPL");  // a star in a chosen list takes the symbol out of it
    assert.deepEqual(page.symbols(), ["NVDA"]);
  });

  test("a cancelled or empty prompt makes no list; a taken name is refused", async () => {
    const page = await market([null, "   ", "Mine", "Mine"]);
    for (let i = 0; i < 4; i++) {
      page.click(page.grid("new"));
      page.flush();
    }
    assert.deepEqual(page.options(), ["All symbols", "Mine (0)"]);
  });

  test("rename keeps the symbols; delete returns to All symbols; export downloads one symbol a line", async () => {
    const page = await market(["Swing", "Long term"]);
    page.click(page.grid("new"));
    page.choose("");
    page.star("AMD");
    page.choose("Swing");
    page.click(page.grid("rename"));
    page.flush();
    assert.deepEqual(page.options(), ["All symbols", "Long term (1)"]);
    assert.equal(page.grid("watchlist").value, "Long term");
    let blob = null;
    page.window.URL.createObjectURL = (b) => { blob = b; return "blob:list"; };
    page.window.URL.revokeObjectURL = () => {};
    const names = [];
    page.doc.addEventListener("click", (event) => {
      const link = event.target.closest?.("a[download]");
      if (link) { event.preventDefault(); names.push(link.download); }
    });
    page.click(page.grid("export"));
    assert.deepEqual(names, ["watchlist-Long_term.txt"]);
    assert.equal(await blob.text(), "AMD\n");
    page.click(page.grid("rename"));  // the prompt has no more answers: cancelled
    page.flush();
    assert.deepEqual(page.options(), ["All symbols", "Long term (1)"]);
    page.click(page.grid("delete"));
    page.flush();
    assert.deepEqual(page.options(), ["All symbols"]);
    assert.deepEqual(page.symbols(), ["AAPL", "AMD", "NVDA"]);
    assert.deepEqual(JSON.parse(page.window.localStorage.getItem(WATCHLISTS_KEY)), []);
  });

  test("a chosen list that no longer exists falls back to All symbols at the next render", async () => {
    const page = await market(["Gone"]);
    page.click(page.grid("new"));
    page.flush();
    page.app.watchlists.remove("Gone");
    page.socket.emit("frame", { epoch: "e1", events: [{ seq: 1, event: "streaming_bars", at: 1, data: { type: "streaming_bars", timeframe: "1min", closed: false,
      bars: [{ symbol: "AMD", timestamp: minute(2), open: 11, high: 11, low: 11, close: 11, volume: 1 }] } }] });
    page.flush();
    assert.equal(page.grid("watchlist").value, "");
    assert.deepEqual(page.options(), ["All symbols"]);
    assert.equal(page.grid("rename").disabled, true, "no list to rename");
    assert.equal(page.grid("delete").disabled, true);
    assert.deepEqual(page.symbols(), ["AAPL", "AMD", "NVDA"]);
  });

  test("without a prompt (a browser that blocks it) New list does nothing", async () => {
    const page = await market();
    page.window.prompt = undefined;
    page.click(page.grid("new"));
    page.flush();
    assert.deepEqual(page.options(), ["All symbols"]);
  });
});

describe("the watchlist model", () => {
  test("keeps only valid lists from storage: named, unique, with valid unique symbols", () => {
    assert.deepEqual(normaliseWatchlists([
      { name: " A ", symbols: ["nvda", "NVDA", "bad symbol", 7, "BRK.B"] },
      { name: "A", symbols: ["AMD"] },
      { name: "", symbols: [] },
      null,
      { name: "B", symbols: "AMD" },
    ]), [{ name: "A", symbols: ["NVDA", "BRK.B"] }, { name: "B", symbols: [] }]);
    assert.deepEqual(normaliseWatchlists({ not: "a list" }), []);
    assert.equal(cleanName(`a\u0000b${"x".repeat(50)}`).length, 40);
    const garbled = createWatchlists(memoryStorage({ [WATCHLISTS_KEY]: "{not json" }));
    assert.deepEqual(garbled.lists, []);
  });

  test("refuses bad names and symbols, renames onto itself, and tells its listeners of each change", () => {
    const model = createWatchlists(memoryStorage());
    let told = 0;
    const off = model.subscribe(() => told++);
    assert.equal(model.first, "");
    assert.equal(model.create("Main"), "Main");
    assert.equal(model.first, "Main");
    assert.equal(model.toggle("Main", "not valid"), false);
    assert.equal(model.toggle("Nope", "AMD"), false);
    assert.equal(model.toggleInFirst("AMD"), true);
    assert.equal(model.inFirst("AMD"), true);
    assert.equal(model.toggleInFirst("bad symbol"), false);
    assert.equal(model.rename("Main", "Main"), "Main", "the same name is fine");
    model.create("Other");
    assert.equal(model.rename("Main", "Other"), "", "a taken name is refused");
    assert.equal(model.rename("Missing", "X"), "");
    assert.equal(model.symbols("Missing"), null);
    assert.equal(model.exportText("Missing"), "");
    assert.equal(told, 4);
    off();
    model.remove("Other");
    assert.equal(told, 4);
  });

  test("storage that refuses keeps the lists for this page", () => {
    const refusing = { getItem: () => null, setItem() { throw new Error("quota"); } };
    const model = createWatchlists(refusing);
    assert.equal(model.create("Here"), "Here");
    assert.deepEqual(model.lists, [{ name: "Here", symbols: [] }]);
  });
});
