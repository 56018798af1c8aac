// Pattern history (#/history) and the alerts browser (#/alerts): paginated API results in
// tables built from text, with their filters, a loading state, the empty state that says
// why, and the server's error message.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { closePages, openPage, Reply } from "./page.mjs";
import { detection, minute, XSS } from "./fixtures.mjs";

afterEach(closePages);

const stored = (n, over = {}) => ({ ...detection({ timestamp: minute(n), ...over }), high_confidence: true });
const rows = (page) => [...page.doc.querySelectorAll(".data-table tbody tr")]
  .map((tr) => [...tr.children].map((td) => td.textContent));
const status = (page) => page.text(".paged [role=status]");

describe("pattern history", () => {
  test("without a symbol it says what to do; Search lists the symbol's detections as text, newest first", async () => {
    const page = openPage({ hash: "#/history", routes: {
      "/api/streaming/patterns/NVDA": { symbol: "NVDA", patterns: [stored(2, { pattern_type: XSS }), stored(1, { confidence: 0.5 })] },
    } });
    assert.equal(page.text("main h1"), "Pattern history");
    assert.equal(page.text("main p.muted:not([hidden])"), "Enter a symbol and press Search to see its detections.");
    page.click(page.doc.querySelector("main form button[type=submit]"));
    assert.equal(page.calls.length, 0, "no search without a symbol");
    page.doc.querySelector("input[name=symbol]").value = " nvda ";
    page.doc.querySelector("main form").requestSubmit();
    await page.until(() => rows(page).length === 2, "two detections");
    assert.equal(page.doc.querySelector("main p.muted").hidden, true, "the hint goes");
    assert.deepEqual(rows(page), [
      ["10/05/2025, 09:32:00 ET", "NVDA", XSS, "85%", "1min", "JSON"],
      ["10/05/2025, 09:31:00 ET", "NVDA", "Doji", "50%", "1min", "JSON"],
    ]);
    assert.equal(page.doc.querySelectorAll("main img").length, 0);
    assert.equal(status(page), "2 results");
    assert.equal(page.text(".pager span"), "Page 1 of 1");
    const url = page.calls.at(-1);
    assert.equal(url.searchParams.get("limit"), "50");
    assert.equal(url.searchParams.has("min_confidence"), false, "0 asks for no minimum");
    assert.equal(url.searchParams.has("pattern_type"), false);
    assert.equal(page.doc.querySelector(".data-table time").getAttribute("title"), "Local time: 10/05/2025, 13:32:00 UTC");
  });

  test("a deep link searches at once; a full page offers Next, which asks for what came before its oldest", async () => {
    const first = Array.from({ length: 50 }, (_, i) => stored(100 - i));
    const page = openPage({ hash: "#/history/amd", routes: {
      "/api/streaming/patterns/AMD": (url) => ({ patterns: url.searchParams.get("until") ? [stored(10)] : first }),
    } });
    await page.until(() => rows(page).length === 50, "the first page");
    assert.equal(page.doc.querySelector("input[name=symbol]").value, "amd");
    assert.equal(page.text(".pager span"), "Page 1 of 2");
    const [prev, next] = [...page.doc.querySelectorAll(".pager button")];
    assert.equal(prev.disabled, true);
    assert.equal(next.disabled, false);
    page.click(next);
    await page.until(() => rows(page).length === 1, "the second page");
    assert.equal(page.calls.at(-1).searchParams.get("until"), minute(51));
    assert.equal(page.text(".pager span"), "Page 2 of 2");
    assert.equal(next.disabled, true);
    page.click(prev);
    await page.until(() => rows(page).length === 50, "the first page again");
    assert.equal(page.calls.at(-1).searchParams.has("until"), false);
  });

  test("filters go to the API; no result says so; the server's error is shown", async () => {
    let answer = { patterns: [] };
    const page = openPage({ hash: "#/history", routes: { "/api/streaming/patterns/TSLA": () => answer } });
    page.doc.querySelector("input[name=symbol]").value = "TSLA";
    page.doc.querySelector("input[name=pattern_type]").value = " Hammer ";
    page.doc.querySelector("input[name=min_confidence]").value = "80";  // percent, as shown everywhere
    page.doc.querySelector("main form").requestSubmit();
    await page.until(() => status(page) === "No detection for this symbol and these filters.", "the empty state");
    assert.equal(page.calls.at(-1).searchParams.get("pattern_type"), "Hammer");
    assert.equal(page.calls.at(-1).searchParams.get("min_confidence"), "0.8");
    answer = new Reply(404, { error: "not_found", detail: "unknown symbol TSLA" });
    page.doc.querySelector("main form").requestSubmit();
    await page.until(() => status(page) === "Could not load: not_found: unknown symbol TSLA", "the error");
    assert.equal(rows(page).length, 0);
  });

  test("a symbol opens its chart, JSON shows the stored record", async () => {
    const page = openPage({ hash: "#/history/NVDA", routes: { "/api/streaming/patterns/NVDA": { patterns: [stored(1)] } } });
    await page.until(() => rows(page).length === 1, "a detection");
    page.click(page.doc.querySelector('.data-table [data-action="json"]'));
    assert.equal(JSON.parse(page.text("#json-text")).pattern_type, "Doji");
    page.click(page.doc.querySelector('.data-table [data-action="chart"]'));
    assert.equal(page.window.location.hash, "#/chart/NVDA");
  });

  test("the table is busy while a page loads, and an answer overtaken by a newer search is dropped", async () => {
    const pending = [];
    const page = openPage({ hash: "#/history", routes: {
      "/api/streaming/patterns/SLOW": () => new Promise((resolve) => pending.push(() => resolve({ patterns: [stored(1, { symbol: "SLOW" })] }))),
      "/api/streaming/patterns/FAST": { patterns: [stored(2, { symbol: "FAST" }), stored(1, { symbol: "FAST" })] },
    } });
    const search = async (symbol) => {
      page.doc.querySelector("input[name=symbol]").value = symbol;
      page.doc.querySelector("main form").requestSubmit();
    };
    search("SLOW");
    await page.until(() => pending.length === 1, "the slow request");
    const wrap = page.doc.querySelector(".paged");
    assert.equal(wrap.getAttribute("aria-busy"), "true");
    assert.equal(status(page), "Loading…");
    search("FAST");
    await page.until(() => rows(page).length === 2, "the newer answer");
    pending[0]();
    await page.settle();
    assert.equal(wrap.hasAttribute("aria-busy"), false);
    assert.deepEqual(rows(page).map((r) => r[1]), ["FAST", "FAST"]);
    assert.equal(status(page), "2 results");
  });
});

describe("partial answers", () => {
  test("rows missing fields read as empty text, never 'undefined'; a bare list is one page", async () => {
    const page = openPage({ hash: "#/alerts", routes: { "/api/streaming/alerts": [
      { kind: "critical", timestamp: minute(1), message: "Feed slow" },
      { kind: "critical", severity: "warning", timestamp: minute(2) },
    ] } });
    await page.until(() => rows(page).length === 2, "the rows");
    assert.deepEqual(rows(page).map((r) => r.slice(1, 3)), [["", ""], ["", "warning"]]);
    assert.equal(rows(page)[0][3], "Feed slow");
    assert.ok(!page.doc.querySelector("main").textContent.includes("undefined"));
    assert.equal(page.text(".pager span"), "Page 1 of 1");
    page.click(page.doc.querySelector(".data-table tbody td"));  // not on a button: nothing opens
    assert.equal(page.window.location.hash, "#/alerts");
    const history = openPage({ hash: "#/history/NVDA", routes: { "/api/streaming/patterns/NVDA": { patterns: [{ timestamp: minute(1), confidence: 0.5 }] } } });
    await history.until(() => rows(history).length === 1, "the detection");
    assert.deepEqual(rows(history)[0].slice(1), ["", "", "50%", "", "JSON"]);
    const none = openPage({ hash: "#/history/NVDA", routes: { "/api/streaming/patterns/NVDA": {} } });
    await none.until(() => status(none) === "No detection for this symbol and these filters.", "the empty state");
  });
});

describe("alerts browser", () => {
  const indicatorItem = (n, over = {}) => ({ kind: "indicator", symbol: "AAPL", alert_type: "RSI_OVERBOUGHT", timestamp: minute(n),
    data: { indicator: "RSI", value: 75.2, threshold: 70 }, ...over });
  const criticalItem = { kind: "critical", severity: "critical", component: "redis", message: "Redis publishing restored",
    resolved: true, timestamp: minute(3) };

  test("opens on the newest alerts: indicator and critical rows read as text, with the total and pages", async () => {
    const page = openPage({ hash: "#/alerts", routes: {
      "/api/streaming/alerts": { items: [criticalItem, indicatorItem(2, { symbol: XSS })], total: 18288, page: 1, pages: 3 },
    } });
    await page.until(() => rows(page).length === 2, "the first page");
    assert.equal(page.text("main h1"), "Alerts");
    const [critical, indicator] = rows(page);
    assert.deepEqual(critical.slice(1, 4), ["", "critical redis", "Redis publishing restored (recovered)"]);
    assert.equal(indicator[1], XSS);
    assert.equal(indicator[2], "RSI overbought");
    assert.equal(page.doc.querySelectorAll("main img").length, 0);
    assert.equal(status(page), "18,288 results", "a grouped count");
    assert.equal(page.text(".pager span"), "Page 1 of 3");
    assert.equal(page.calls[0].searchParams.get("per_page"), "50");
    page.click(page.doc.querySelectorAll(".pager button")[1]);
    await page.until(() => page.calls.length === 2, "page 2 asked");
    assert.equal(page.calls[1].searchParams.get("page"), "2");
  });

  test("Apply sends the filters and points the CSV link at the same alerts", async () => {
    const page = openPage({ hash: "#/alerts", routes: { "/api/streaming/alerts": { items: [], total: 0, page: 1, pages: 1 } } });
    await page.until(() => status(page) === "No alert matches these filters.", "the empty state");
    const [kind, type, severity] = page.doc.querySelectorAll("main form select");
    page.doc.querySelector("main form input").value = " aapl ";
    kind.value = "indicator";
    type.value = "MACD_BULLISH_CROSS";
    severity.value = "";
    page.doc.querySelector("main form").requestSubmit();
    await page.until(() => page.calls.length === 2, "the filtered request");
    const asked = Object.fromEntries(page.calls[1].searchParams);
    assert.deepEqual(asked, { page: "1", per_page: "50", kind: "indicator", type: "MACD_BULLISH_CROSS", symbol: "AAPL" });
    assert.equal(page.doc.querySelector("main form a").getAttribute("href"),
      "/api/streaming/alerts.csv?kind=indicator&type=MACD_BULLISH_CROSS&symbol=AAPL");
  });

  test("an unreachable server is said plainly", async () => {
    const page = openPage({ hash: "#/alerts", routes: { "/api/streaming/alerts": () => { throw new TypeError("fetch failed"); } } });
    await page.until(() => status(page)?.startsWith("Could not load"), "the error");
    assert.equal(status(page), "Could not load: network_error: The server could not be reached.");
  });
});
