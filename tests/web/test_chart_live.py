"""The chart moves with the bars channel, even when its symbol has no pattern at all."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard
from tests.web.market import MarketFeed
from tests.web.served_app import ServedApp


def test_the_chart_moves_with_no_pattern_for_its_symbol(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    page.console_allow(r"status of 404 .*/api/streaming/(ohlcv|patterns)/MSFT")  # type: ignore[attr-defined]
    open_dashboard(page, live, "#/chart/MSFT")
    host = page.locator(".chart-host")
    expect(host.locator("canvas").first).to_be_visible(timeout=EVENT_TIMEOUT)
    expect(page.locator('[data-chart="status"]')).to_contain_text(
        "waiting for live bars", timeout=EVENT_TIMEOUT
    )
    feed.session_started()
    feed.bars(1, {"MSFT": 101.0, "AAPL": 99.0})
    expect(host).to_have_attribute("data-last-close", "101", timeout=EVENT_TIMEOUT)
    feed.bars(2, {"MSFT": 102.25}, closed=False)  # the forming bar of the next minute
    expect(host).to_have_attribute("data-last-close", "102.25", timeout=EVENT_TIMEOUT)
    feed.bars(2, {"MSFT": 102.75}, closed=False)  # it moves within its minute
    expect(host).to_have_attribute("data-last-close", "102.75", timeout=EVENT_TIMEOUT)
    expect(page.locator('[data-chart="status"]')).to_contain_text("2 bars")
    # the panes: price with bands, volume, RSI, MACD
    assert (
        page.locator(".chart-host table tr").count() >= 4
        or page.evaluate("() => document.querySelectorAll('.chart-host canvas').length") >= 4
    )
    page.locator('[data-range="1h"]').click()
    expect(host).to_have_attribute("data-last-close", "102.75")
    # nothing stored, one live day: "5 days" says so instead of silently showing less
    coverage = page.locator('[data-chart="coverage"]')
    page.locator('[data-range="5d"]').click()
    expect(coverage).to_have_text("1 of 5 days stored")
    page.locator('[data-range="day"]').click()
    expect(coverage).to_have_text("")


def test_the_symbol_page_shows_its_grid_row_chart_and_todays_patterns_and_alerts(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    page.console_allow(r"status of 404 .*/api/streaming/(ohlcv|patterns)/AMD")  # type: ignore[attr-defined]
    open_dashboard(page, live)
    feed.session_started()
    feed.bars(1, {"AMD": 104.0, "NVDA": 99.0})
    grid_link = page.locator(
        '[data-panel="market"] .grid-body [data-symbol="AMD"] [data-grid="open"]'
    )
    expect(grid_link).to_have_text("AMD", timeout=EVENT_TIMEOUT)
    grid_link.click()
    expect(page).to_have_url(f"{live.url}/#/symbol/AMD")
    facts = page.locator(".symbol-facts")
    expect(facts).to_contain_text("104.00")
    expect(page.locator(".chart-host canvas").first).to_be_visible(timeout=EVENT_TIMEOUT)
    empty_text = "(el) => getComputedStyle(el, '::before').content"
    assert page.locator(".symbol-alerts").evaluate(empty_text) == '"No alert today yet"'
    feed.pattern("AMD", 2, confidence=0.9, pattern_type="Hammer")
    feed.alert("AMD", 2, alert_type="RSI_OVERBOUGHT")
    feed.bars(2, {"AMD": 105.5}, closed=False)
    expect(page.locator(".symbol-patterns li")).to_have_count(1, timeout=EVENT_TIMEOUT)
    expect(page.locator(".symbol-patterns li")).to_contain_text("Hammer 90%")
    expect(page.locator(".symbol-alerts li")).to_contain_text("RSI overbought")
    assert page.locator(".symbol-alerts").evaluate(empty_text) == "none"
    expect(facts).to_contain_text("105.50", timeout=EVENT_TIMEOUT)
    expect(facts).to_contain_text("Hammer 90%")
    watch = page.locator(".symbol-page h1 [data-grid=star]")
    watch.click()
    expect(watch).to_have_text("★ In Watchlist")
    page.goto(f"{live.url}/#/market")
    expect(page.locator('[data-grid="watchlist"] option')).to_have_text(
        ["All symbols", "Watchlist (1)"]
    )
