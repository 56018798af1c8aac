"""The Sessions section's playback in a real browser: pick a stored session, load it (every
pattern of the session through the paginated session-patterns endpoint, no symbol needed,
plus its alerts) and replay it at 60x into the Playback panels.

The app reads a database of this module's own, filled before it starts: a three-minute
session ``pb1`` (12 detections of three symbols, one alert) and a later session ``pb2``
whose detections must not be replayed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import create_engine, insert
from tests.integration.test_api_queries import T0, indicator_alert_row, pattern_row
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard, rows
from tests.web.served_app import ServedApp

from tickstock.store.migrations import upgrade
from tickstock.store.tables import intraday_patterns, streaming_alerts, streaming_sessions

SYMBOLS = ("NVDA", "AAPL", "TSLA")
#: pb1 lasts 3 simulated minutes: 3 s of real time at 60x; allow a loaded machine plenty more.
REPLAY_TIMEOUT = 20_000


def session_row(session_id: str, start_minute: int) -> dict:
    started = T0 + timedelta(minutes=start_minute)
    return {
        "session_id": session_id,
        "universe": f"playback_{session_id}",
        "status": "stopped",
        "started_at": started,
        "symbol_count": 3,
        "stopped_at": started + timedelta(minutes=3),
        "duration_seconds": 180.0,
        "total_patterns": 12,
        "total_indicators": 0,
    }


def detection(session_id: str, symbol: str, second: int) -> dict:
    row = pattern_row(symbol, 0, 0.9 if symbol == "NVDA" else 0.6)
    return row | {"session_id": session_id, "timestamp": T0 + timedelta(seconds=second)}


def fill(path: Path) -> None:
    # A synchronous engine: Playwright's sync API already runs an event loop in this thread.
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(insert(streaming_sessions), [session_row("pb1", 0), session_row("pb2", 60)])
        conn.execute(
            insert(intraday_patterns),
            # Inserted newest first: the page order must come from the timestamps.
            [detection("pb1", SYMBOLS[i % 3], 10 + 12 * i) for i in reversed(range(12))]
            + [detection("pb2", "MSFT", 3700 + i) for i in range(5)],
        )
        conn.execute(
            insert(streaming_alerts), indicator_alert_row("AAPL", 1) | {"session_id": "pb1"}
        )
    engine.dispose()


@pytest.fixture
def playback_app(serve: Callable[..., ServedApp], tmp_path: Path) -> ServedApp:
    url = f"sqlite+aiosqlite:///{tmp_path / 'playback.db'}"
    upgrade(url)
    fill(tmp_path / "playback.db")
    return serve(DATABASE_URL=url)


def open_session(page: Page, app: ServedApp, session_id: str) -> Locator:
    open_dashboard(page, app, "#/sessions")
    page.get_by_role("button", name=re.compile(f"playback_{session_id}")).click()
    toolbar = page.get_by_role("toolbar", name="Playback")
    expect(toolbar).to_be_visible(timeout=EVENT_TIMEOUT)
    return toolbar


def test_a_whole_session_is_loaded_without_a_symbol_and_replayed_at_60x(
    page: Page, playback_app: ServedApp
) -> None:
    toolbar = open_session(page, playback_app, "pb1")
    status = toolbar.get_by_role("status")
    play = toolbar.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_disabled()

    toolbar.get_by_role("button", name="Load playback").click()
    expect(status).to_have_text(
        "15 events ready (12 patterns, 1 alerts)", timeout=EVENT_TIMEOUT
    )  # 12 patterns + 1 alert + session start and stop
    expect(page.get_by_role("note")).to_be_hidden()
    toolbar.get_by_label("Playback speed").select_option("60")
    play.click()

    expect(status).to_have_text("Done: 15 events replayed", timeout=REPLAY_TIMEOUT)
    expect(rows(page, "patterns")).to_have_count(12, timeout=EVENT_TIMEOUT)
    expect(rows(page, "alerts")).to_have_count(1, timeout=EVENT_TIMEOUT)
    shown = rows(page, "patterns").all_inner_texts()
    assert not any("MSFT" in text for text in shown), "another session's detections replayed"
    for symbol in SYMBOLS:
        assert sum(symbol in text for text in shown) == 4, (symbol, shown)


def test_the_optional_symbol_filter_loads_only_that_symbol(
    page: Page, playback_app: ServedApp
) -> None:
    toolbar = open_session(page, playback_app, "pb1")
    toolbar.get_by_label("Only patterns of this symbol (optional)").fill("aapl")
    toolbar.get_by_role("button", name="Load playback").click()
    expect(toolbar.get_by_role("status")).to_have_text(
        "7 events ready (4 patterns, 1 alerts)", timeout=EVENT_TIMEOUT
    )


def test_an_invalid_symbol_says_why_it_could_not_load(page: Page, playback_app: ServedApp) -> None:
    page.console_allow(r"400")  # type: ignore[attr-defined]
    toolbar = open_session(page, playback_app, "pb1")
    toolbar.get_by_label("Only patterns of this symbol (optional)").fill("a b")
    toolbar.get_by_role("button", name="Load playback").click()
    expect(toolbar.get_by_role("status")).to_have_text(
        re.compile(r"^Could not load: .*symbol: must match"), timeout=EVENT_TIMEOUT
    )
    expect(toolbar.get_by_role("button", name="Play", exact=True)).to_be_disabled()
