"""How the tests read the dashboard: locators named after what a trader sees."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect
from tests.web.served_app import ServedApp

#: Bounded wait for anything that crosses Redis → app → Socket.IO → a frame.
EVENT_TIMEOUT = 5_000


def open_dashboard(page: Page, app: ServedApp, route: str = "#/streaming") -> Page:
    page.goto(f"{app.url}/{route}")
    expect(connection_state(page)).to_have_text("Connected", timeout=EVENT_TIMEOUT)
    return page


def connection_state(page: Page) -> Locator:
    return page.locator("#connection [data-field=state]")


def connection_notice(page: Page) -> Locator:
    return page.locator("#connection [data-field=notice]")


def field(page: Page, panel: str, name: str) -> Locator:
    return page.locator(f'[data-panel="{panel}"] [data-field="{name}"]')


def metric(page: Page, name: str) -> Locator:
    return field(page, "metrics", name)


def rows(page: Page, panel: str) -> Locator:
    return page.locator(f'[data-panel="{panel}"] ol.stream > li')


def more_note(page: Page, panel: str) -> Locator:
    """The note under a long list: how many rows are shown of how many."""
    return page.locator(f'[data-panel="{panel}"] .more')


def empty_text(page: Page, panel: str) -> Locator:
    return page.locator(f'[data-panel="{panel}"] .empty')


def banner(page: Page) -> Locator:
    return page.locator("#critical-banner")


def stats(page: Page) -> dict:
    """``window.__tickstock``'s counters (what the page applied)."""
    return page.evaluate("() => ({...window.__tickstock.counters})")
