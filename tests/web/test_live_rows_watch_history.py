"""The Live page's rows, against a real app and Chromium: the star beside a pattern's or an
alert's symbol link adds the symbol to the watchlist (the grid's and the symbol page's
list), by mouse or keyboard; and a filter in a session the database does not hold shows the
live matches with a note, without a failed request (the page's console stays clean)."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard, rows
from tests.web.market import MarketFeed
from tests.web.served_app import ServedApp


def star(page: Page, panel: str, symbol: str) -> Locator:
    row = rows(page, panel).filter(has=page.locator(".sym", has_text=symbol))
    return row.locator('[data-action="watch"]').first


def stored_lists(page: Page) -> list[dict]:
    return json.loads(page.evaluate("() => localStorage.getItem('tickstock.watchlists') || '[]'"))


def test_a_pattern_or_alert_rows_star_adds_its_symbol_to_the_watchlist_and_removes_it(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.pattern("NVDA", 1, confidence=0.9, pattern_type="Doji")
    feed.alert("AAPL", 2, "RSI_OVERBOUGHT")
    nvda, aapl = star(page, "patterns", "NVDA"), star(page, "alerts", "AAPL")
    expect(nvda).to_have_attribute("aria-pressed", "false", timeout=EVENT_TIMEOUT)
    expect(aapl).to_have_attribute("aria-label", "AAPL in the watchlist", timeout=EVENT_TIMEOUT)
    nvda.click()
    expect(nvda).to_have_attribute("aria-pressed", "true")
    expect(nvda).to_have_text("★")
    expect(page).to_have_url(f"{live.url}/#/streaming")  # the star opens nothing
    grid = page.locator('[data-panel="market"]')
    expect(grid.locator('.grid-body [data-symbol="NVDA"] [data-grid="star"]')).to_have_text("★")
    expect(grid.locator('[data-grid="watchlist"] option').nth(1)).to_have_text("Watchlist (1)")
    # By keyboard: the star is a button in the tab order.
    aapl.focus()
    page.keyboard.press("Enter")
    expect(aapl).to_have_attribute("aria-pressed", "true")
    assert stored_lists(page) == [{"name": "Watchlist", "symbols": ["NVDA", "AAPL"]}]
    page.keyboard.press("Space")
    expect(aapl).to_have_attribute("aria-pressed", "false")
    assert stored_lists(page) == [{"name": "Watchlist", "symbols": ["NVDA"]}]
    # The symbol page reads the same list. Its chart asks for NVDA's stored bars, and the
    # scripted producer stores none: the 404 (shown as "waiting for live bars") is expected.
    page.console_allow(r"status of 404 .*/api/streaming/(ohlcv|patterns)/NVDA")  # type: ignore[attr-defined]
    page.goto(f"{live.url}/#/symbol/NVDA")
    expect(page.locator('.symbol-page [data-grid="star"]')).to_have_text("★ In Watchlist")


def test_a_filter_in_a_session_the_database_does_not_hold_shows_live_matches_with_a_note(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    open_dashboard(page, live)
    feed.session_started()  # the scripted producer writes no rows
    feed.pattern("NVDA", 1, confidence=0.9, pattern_type="Doji")
    feed.pattern("AAPL", 2, confidence=0.7, pattern_type="Hammer")
    expect(rows(page, "patterns")).to_have_count(2, timeout=EVENT_TIMEOUT)
    page.locator('[data-filter="symbol"]').fill("NVDA")
    expect(page.locator('[data-control="match-count"]')).to_have_text(
        "1 patterns, 0 alerts match (live only): history not available for this session",
        timeout=EVENT_TIMEOUT,
    )
    expect(rows(page, "patterns")).to_have_count(1)
    expect(rows(page, "patterns").first).to_contain_text("NVDA")
    assert failed == []  # and the page fixture fails the test on any console error
