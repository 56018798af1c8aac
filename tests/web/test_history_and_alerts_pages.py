"""The Pattern history and Alerts pages over a stored day, as a reader uses them: on a phone
and with the filters the live page taught them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import create_async_engine
from tests.integration.test_api_queries import populate
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard
from tests.web.served_app import ServedApp

from tickstock.store.migrations import upgrade

PHONE = {"width": 390, "height": 844}


async def _populate(url: str) -> None:
    engine = create_async_engine(url)
    try:
        await populate(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def stored_day(serve: Callable[..., ServedApp], tmp_path: Path) -> ServedApp:
    """An app on a database of its own holding a stored day (other tests must not see it).

    Started by ``serve``, so the pages close before it stops (a page still open would log
    its reconnect being refused)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'stored.db'}"
    upgrade(url)
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        pool.submit(asyncio.run, _populate(url)).result()
    return serve(DATABASE_URL=url)


def page_scrolls_sideways(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("route", ["#/alerts", "#/history/NVDA"])
def test_on_a_phone_a_wide_table_scrolls_in_its_box_not_the_whole_page(
    page: Page, stored_day: ServedApp, route: str
) -> None:
    page.set_viewport_size(PHONE)
    open_dashboard(page, stored_day, route)
    table = page.locator("main table.data-table")
    expect(table.locator("tbody tr").first).to_be_visible(timeout=EVENT_TIMEOUT)
    assert not page_scrolls_sideways(page), "the page scrolls sideways on a 390 px phone"
    # Every column is still reachable: the table's own box scrolls to its Raw column.
    box = page.locator("main .table-scroll")
    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    expect(table.locator("tbody tr").first.get_by_role("button", name="JSON")).to_be_in_viewport()


def test_pattern_history_takes_min_confidence_in_percent_like_the_live_filter(
    page: Page, stored_day: ServedApp
) -> None:
    open_dashboard(page, stored_day, "#/history/NVDA")
    rows = page.locator("main table.data-table tbody tr")
    expect(rows).to_have_count(11, timeout=EVENT_TIMEOUT)  # NVDA's 10 Doji and 1 Hammer
    page.get_by_label("Min confidence").fill("80")
    page.get_by_role("button", name="Search").click()
    # 0.80, 0.85, 0.90, 0.95 and the Hammer at 0.90
    expect(rows).to_have_count(5, timeout=EVENT_TIMEOUT)
    for text in rows.locator("td:nth-child(4)").all_text_contents():
        assert int(text.rstrip("%")) >= 80, text
