"""Firefox fixtures: Debian's Firefox ESR driven over WebDriver BiDi (tests/web/firefox/
driver.mjs, puppeteer-core, no browser download), on the same served apps, Redis and
scripted producer as the Chromium tests (``serve``, ``live``, ``feed`` from tests/web).

==================  ========  ==============================================================
fixture             scope     gives
==================  ========  ==============================================================
``firefox``         module    the ``Firefox`` driver process (one browser per test module,
                              closed before the Chromium tests run)
``ff_page``         function  a ``FirefoxPage`` in a fresh context; the test fails on any
                              console error, page error or HTTP error response it saw,
                              except those it allowed with ``ff_page.allow(regex)``
==================  ========  ==============================================================
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.web.firefox.firefox import FIREFOX, Firefox, FirefoxPage
from tests.web.served_app import ServedApp


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    if not Path(FIREFOX).exists():
        pytest.fail(f"{FIREFOX} is missing: install Debian's firefox-esr (make bootstrap)")
    if shutil.which("node") is None:
        pytest.fail("node is missing: the Firefox driver runs on node (make bootstrap)")
    browser = Firefox(tmp_path_factory.mktemp("firefox") / "driver.log")
    yield browser
    browser.close()


class GuardedPage(FirefoxPage):
    """A page whose problems (console errors, page errors, HTTP errors) fail the test."""

    allowed: list[re.Pattern[str]]

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [p for p in self.problems() if not any(a.search(p) for a in self.allowed)]


@pytest.fixture
def ff_page(firefox: Firefox, serve: Callable[..., ServedApp]) -> Iterator[GuardedPage]:
    """Depends on ``serve`` so that the page closes before its app stops (no reconnect noise)."""
    page = GuardedPage(firefox, firefox.request("newPage"))
    page.allowed = []
    yield page
    unexpected = page.unexpected()
    page.close()
    assert not unexpected, "Firefox reported errors:\n" + "\n".join(unexpected)
