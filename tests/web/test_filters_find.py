"""Filters that find: a filter asks the API for the session's matching history, then keeps
the live matches. The app reads a database of this module's own: an active session ``fs1``
with 5 early AMD detections and 75 later ones of other symbols, so none of AMD's is among
the newest 50 the page holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, insert
from tests.integration.test_api_queries import T0, pattern_row
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard, rows
from tests.web.market import MarketFeed
from tests.web.served_app import ServedApp

from tickstock.store.migrations import upgrade
from tickstock.store.tables import intraday_patterns, streaming_sessions

OTHERS = ("NVDA", "AAPL", "TSLA", "MSFT", "META")


def fill(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    session = {
        "session_id": "fs1",
        "universe": "filters_find",
        "status": "active",
        "started_at": T0,
        "symbol_count": 6,
        "total_patterns": 0,
        "total_indicators": 0,
    }
    early = [pattern_row("AMD", n, 0.6) | {"session_id": "fs1"} for n in range(5)]
    later = [pattern_row(OTHERS[i % 5], 10 + i, 0.6) | {"session_id": "fs1"} for i in range(75)]
    with engine.begin() as conn:
        conn.execute(insert(streaming_sessions), [session])
        conn.execute(insert(intraday_patterns), early + later)
    engine.dispose()


@pytest.fixture
def filled_app(serve: Callable[..., ServedApp], tmp_path: Path) -> ServedApp:
    url = f"sqlite+aiosqlite:///{tmp_path / 'filters.db'}"
    upgrade(url)
    fill(tmp_path / "filters.db")
    return serve(DATABASE_URL=url)


def test_a_filter_for_a_symbol_absent_from_the_newest_50_lists_its_session_patterns(
    page: Page, filled_app: ServedApp
) -> None:
    open_dashboard(page, filled_app)
    expect(rows(page, "patterns").first).to_be_visible(timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns").filter(has_text="AMD")).to_have_count(0)
    page.locator('[data-filter="symbol"]').fill("AMD")
    count = page.locator('[data-control="match-count"]')
    expect(count).to_have_text("5 patterns, 0 alerts match in this session", timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns")).to_have_count(5)
    assert all("AMD" in text for text in rows(page, "patterns").all_inner_texts())
    # A live match joins the session's history, newest first, and the count follows.
    feed = MarketFeed(filled_app.redis_url, session_id="fs1")
    try:
        feed.pattern("AMD", 120, confidence=0.9, pattern_type="Hammer")
    finally:
        feed.close()
    expect(count).to_have_text("6 patterns, 0 alerts match in this session", timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns")).to_have_count(6)
    expect(rows(page, "patterns").first).to_contain_text("Hammer")
    page.locator('[data-filter="symbol"]').fill("")
    expect(count).to_have_text("")
