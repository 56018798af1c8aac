"""The chart's "5 days": the five newest New York days with stored bars, and a plain note
when fewer are stored. The app reads a database of this module's own with NVDA's bars of
two trading days (a Friday and the Monday after: the weekend is no day) and AMD's of six
(more than one page of stored bars, so the button pages back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, insert
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard
from tests.web.served_app import ServedApp

from tickstock.store.migrations import upgrade
from tickstock.store.tables import ohlcv_1min

#: New York trading days (13:30 UTC is 09:30 ET in October)
DAYS = ["2025-09-26", "2025-09-29", "2025-09-30", "2025-10-01", "2025-10-02", "2025-10-03"]
BARS_PER_DAY = 100


def day_bars(symbol: str, day: str) -> list[dict]:
    opening = datetime.fromisoformat(f"{day}T13:30:00").replace(tzinfo=UTC)
    return [
        {
            "symbol": symbol,
            "timestamp": opening + timedelta(minutes=m),
            "open": 100.0,
            "high": 101.0,
            "low": 99.0,
            "close": 100.0 + m / 100,
            "volume": 1000,
        }
        for m in range(BARS_PER_DAY)
    ]


@pytest.fixture
def stored_app(serve: Callable[..., ServedApp], tmp_path: Path) -> ServedApp:
    url = f"sqlite+aiosqlite:///{tmp_path / 'days.db'}"
    upgrade(url)
    engine = create_engine(f"sqlite:///{tmp_path / 'days.db'}")
    rows = day_bars("NVDA", "2025-10-03") + day_bars("NVDA", "2025-10-06")
    rows += [bar for day in DAYS for bar in day_bars("AMD", day)]
    with engine.begin() as conn:
        conn.execute(insert(ohlcv_1min), rows)
    engine.dispose()
    return serve(DATABASE_URL=url)


def test_five_days_says_how_many_days_are_stored_when_fewer(
    page: Page, stored_app: ServedApp
) -> None:
    page.console_allow(r"status of 404 .*/api/streaming/patterns/NVDA")  # type: ignore[attr-defined]
    open_dashboard(page, stored_app, "#/chart/NVDA")
    expect(page.locator('[data-chart="status"]')).to_contain_text("200 bars", timeout=EVENT_TIMEOUT)
    coverage = page.locator('[data-chart="coverage"]')
    page.locator('[data-range="5d"]').click()
    expect(coverage).to_have_text("2 of 5 days stored")
    page.locator('[data-range="1h"]').click()
    expect(coverage).to_have_text("")


def test_five_days_pages_back_until_five_days_are_loaded(page: Page, stored_app: ServedApp) -> None:
    page.console_allow(r"status of 404 .*/api/streaming/patterns/AMD")  # type: ignore[attr-defined]
    open_dashboard(page, stored_app, "#/chart/AMD")
    status = page.locator('[data-chart="status"]')
    expect(status).to_contain_text("390 bars", timeout=EVENT_TIMEOUT)  # one page
    page.locator('[data-range="5d"]').click()
    expect(status).to_contain_text("600 bars", timeout=EVENT_TIMEOUT)  # paged back: all six
    expect(page.locator('[data-chart="coverage"]')).to_have_text("")


def test_the_opening_shows_one_page_and_a_drag_back_loads_the_page_before(
    page: Page, stored_app: ServedApp
) -> None:
    """The opening fit shows the newest page whole; only a move to the left pages back (the fit
    itself, which reaches the oldest loaded bar, used to load a second page at every open)."""
    page.console_allow(r"status of 404 .*/api/streaming/patterns/AMD")  # type: ignore[attr-defined]
    open_dashboard(page, stored_app, "#/chart/AMD")
    status = page.locator('[data-chart="status"]')
    expect(status).to_contain_text("390 bars", timeout=EVENT_TIMEOUT)
    host = page.locator(".chart-host")
    box = host.bounding_box()
    assert box is not None, "the chart has no box"
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 4)
    expect(status).to_contain_text("390 bars")  # hovering is not a scroll
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 4, steps=10)
    page.mouse.up()
    expect(status).to_contain_text("600 bars", timeout=EVENT_TIMEOUT)
