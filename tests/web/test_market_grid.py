"""The market grid and the critical list on the Live page, against a real app and Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard
from tests.web.market import MarketFeed
from tests.web.served_app import ServedApp


def grid(page: Page) -> Locator:
    return page.locator('[data-panel="market"]')


def grid_symbols(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        '[data-panel="market"] .grid-body .grid-row:not([hidden])',
        "rows => rows.map(r => [r.getBoundingClientRect().top, r.dataset.symbol])"
        ".sort((a, b) => a[0] - b[0]).map(r => r[1])",
    )


def cell(page: Page, symbol: str, column: str) -> Locator:
    return grid(page).locator(f'.grid-body [data-symbol="{symbol}"] .c-{column}')


def test_the_grid_follows_a_live_session_a_price_changes_and_a_sort_holds(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started(symbols=3)
    feed.bars(1, {"AAPL": 101.0, "MSFT": 103.0, "NVDA": 102.0})
    expect(cell(page, "MSFT", "last")).to_have_text("103.00", timeout=EVENT_TIMEOUT)
    expect(cell(page, "MSFT", "changePct")).to_have_text("+3.00%")
    grid(page).locator('[data-sort="last"]').click()
    expect(grid(page).locator('[role="columnheader"]:has([data-sort="last"])')).to_have_attribute(
        "aria-sort", "descending"
    )
    assert grid_symbols(page) == ["MSFT", "NVDA", "AAPL"]
    feed.bars(2, {"AAPL": 104.5}, closed=False)  # the forming bar moves AAPL to the top
    expect(cell(page, "AAPL", "last")).to_have_text("104.50", timeout=EVENT_TIMEOUT)
    page.wait_for_function(
        "() => document.querySelector('[data-panel=market] .grid-body [data-symbol=AAPL]')"
        ".style.transform === 'translateY(0px)'",
        timeout=EVENT_TIMEOUT,
    )
    assert grid_symbols(page) == ["AAPL", "MSFT", "NVDA"]
    expect(grid(page).locator('[data-grid="count"]')).to_have_text("3 of 3 symbols")


def test_the_grid_takes_prices_from_detections_when_the_producer_has_no_bars_channel(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.pattern("NVDA", minute=3, confidence=0.9, pattern_type="Hammer")
    expect(cell(page, "NVDA", "last")).to_have_text("125.52", timeout=EVENT_TIMEOUT)
    expect(cell(page, "NVDA", "pattern")).to_have_text("Hammer 90%")


def test_the_critical_list_shows_an_outage_and_its_recovery(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.critical(minute=5, message="Redis publishing failing", component="redis")
    rows = page.locator('[data-panel="critical"] .critical-row')
    expect(rows).to_have_count(1, timeout=EVENT_TIMEOUT)
    expect(rows.first).to_contain_text("Redis publishing failing")
    expect(rows.first).to_contain_text("Manual intervention needed")
    expect(rows.first.locator(".crit-state")).to_have_text("open")
    feed.critical(minute=7, message="Redis publishing restored", component="redis", resolved=True)
    expect(rows.first.locator(".crit-state")).to_have_text(
        re.compile(r"recovered at 09:37:00 ET"), timeout=EVENT_TIMEOUT
    )
    expect(rows).to_have_count(1)


def test_a_new_session_clears_the_live_lists_and_counts(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.pattern("NVDA", 3, confidence=0.9)
    feed.alert("AAPL", 3)
    patterns = page.locator('[data-panel="patterns"] ol.stream > li')
    expect(patterns).to_have_count(1, timeout=EVENT_TIMEOUT)
    second = MarketFeed(live.redis_url, session_id="the-next-day")
    try:
        second.session_started()
        expect(page.locator('[data-panel="session"] [data-field="sessionId"]')).to_have_text(
            "the-next-day", timeout=EVENT_TIMEOUT
        )
        expect(patterns).to_have_count(0)
        expect(page.locator('[data-panel="alerts"] ol.stream > li')).to_have_count(0)
        second.pattern("TSLA", 5, confidence=0.6)
        expect(patterns).to_have_count(1, timeout=EVENT_TIMEOUT)
        expect(patterns.first).to_contain_text("TSLA")
    finally:
        second.close()


def test_the_live_page_charts_the_symbol_of_the_row_clicked(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    page.console_allow(r"status of 404 .*/api/streaming/(ohlcv|patterns)/")  # type: ignore[attr-defined]
    open_dashboard(page, live)
    feed.session_started(symbols=3)
    feed.bars(1, {"AAPL": 101.0, "MSFT": 103.0, "NVDA": 102.0})
    chart = page.locator('[data-panel="chart"]')
    expect(chart.locator(".empty")).to_have_text(
        "Select a row of the market grid to chart its symbol."
    )
    expect(cell(page, "AAPL", "last")).to_have_text("101.00", timeout=EVENT_TIMEOUT)
    cell(page, "AAPL", "volume").click()
    expect(chart.locator("h2")).to_have_text("Chart AAPL")
    expect(chart.locator(".chart-host")).to_have_attribute(
        "data-last-close", "101", timeout=EVENT_TIMEOUT
    )
    cell(page, "NVDA", "volume").click()
    expect(chart.locator("h2")).to_have_text("Chart NVDA")
    feed.bars(2, {"NVDA": 102.5}, closed=False)
    expect(chart.locator(".chart-host")).to_have_attribute(
        "data-last-close", "102.5", timeout=EVENT_TIMEOUT
    )
