"""Browser fixtures: a real app (uvicorn subprocess) on a redis-server of its own and a
migrated SQLite database, a scripted producer, and headless Chromium whose console must stay clean.

==================  ========  ==============================================================
fixture             scope     gives
==================  ========  ==============================================================
``browser``         session   Debian's Chromium driven by Playwright (never downloaded)
``database_url``    function  ``sqlite+aiosqlite:///…`` migrated to head
``serve``           function  ``serve(**env) -> ServedApp``: starts an app with extra env
``live``            function  a started ``ServedApp`` with the default settings
``feed``            function  ``live.feed``: the ``MarketFeed`` publishing to its Redis
``page``            function  a page on which any console error or page error fails the test;
                              ``page.console_allow(regex)`` tolerates an expected one
==================  ========  ==============================================================

Tests drive time through the feed (simulated market minutes) and wait with Playwright's
bounded ``expect(...)`` — never with sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from tests.web.market import MarketFeed
from tests.web.served_app import ServedApp

from tickstock.store.migrations import upgrade

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated database for the session: the app only reads it, tests write nothing."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('web-db') / 'tickstock.db'}"
    upgrade(url)
    return url


class AppPool:
    """Hands out fresh apps; a spare with the default settings boots while a test runs,
    so a test waits only for what is left of its start (each app has a fresh state)."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.database_url, self.log_dir = database_url, log_dir
        self.spare: ServedApp | None = None

    def take(self, env: dict[str, str]) -> ServedApp:
        if env or self.spare is None:
            app = ServedApp(self.database_url, self.log_dir, env)
        else:
            app = self.spare
        if not env:
            self.spare = ServedApp(self.database_url, self.log_dir).launch()
        return app.start()

    def close(self) -> None:
        if self.spare is not None:
            self.spare.close()


@pytest.fixture(scope="session")
def app_pool(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppPool]:
    pool = AppPool(database_url, tmp_path_factory.mktemp("web-logs"))
    yield pool
    pool.close()


@pytest.fixture
def serve(app_pool: AppPool) -> Iterator[Callable[..., ServedApp]]:
    started: list[ServedApp] = []

    def start(**env: str) -> ServedApp:
        app = app_pool.take(env)
        started.append(app)
        return app

    yield start
    for app in started:
        app.close()


@pytest.fixture
def live(serve: Callable[..., ServedApp]) -> ServedApp:
    return serve()


@pytest.fixture
def feed(live: ServedApp) -> MarketFeed:
    return live.feed


class ConsoleGuard:
    """Every console error and uncaught page error; the test fails on any not allowed."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.errors.append(f"console.error: {message.text} ({where})")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"pageerror: {error}")

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


def open_page(browser: Browser, guard: ConsoleGuard, **context_options: object) -> Page:
    context = browser.new_context(viewport=VIEWPORT, **context_options)
    page = context.new_page()
    page.on("console", guard.on_console)
    page.on("pageerror", guard.on_page_error)
    page.console_allow = lambda pattern: guard.allowed.append(re.compile(pattern))  # type: ignore[attr-defined]
    return page


@pytest.fixture
def console_guard() -> ConsoleGuard:
    return ConsoleGuard()


@pytest.fixture
def new_page(
    browser: Browser, console_guard: ConsoleGuard, serve: Callable[..., ServedApp]
) -> Iterator[Callable[..., Page]]:
    """``new_page(**context_options)``: more pages (tabs, dark scheme), same console guard.

    Depends on ``serve`` so that pages close before the apps stop (no reconnect noise)."""
    pages: list[Page] = []

    def make(**options: object) -> Page:
        page = open_page(browser, console_guard, **options)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()
    unexpected = console_guard.unexpected()
    assert not unexpected, "the browser reported errors:\n" + "\n".join(unexpected)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()
