"""A whole (short) session from the real engine on a scripted clock, watched in the browser:
open → patterns → close, with the final counts matching what the page counted."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.web.dashboard import field, metric, open_dashboard, rows
from tests.web.scripted_engine import EngineThread, scripted_session
from tests.web.served_app import ServedApp

from tickstock.store.migrations import upgrade


@pytest.fixture
def engine_app(serve: Callable[..., ServedApp], tmp_path: Path) -> ServedApp:
    """An app on a database of its own: the engine writes a session other tests must not see.
    Started by ``serve``, so the page closes before the app stops."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}"
    upgrade(url)
    return serve(DATABASE_URL=url)


def test_engine_session_from_open_to_close_in_the_browser(
    page: Page, engine_app: ServedApp
) -> None:
    open_dashboard(page, engine_app)
    expect(field(page, "health", "message")).to_have_text("Waiting for streaming data")
    engine = EngineThread(
        scripted_session(engine_app.redis_url, engine_app.env["DATABASE_URL"], close_at=time(9, 37))
    ).start()
    try:
        expect(field(page, "session", "status")).to_have_text("Session active", timeout=20_000)
        expect(field(page, "session", "symbols")).to_have_text("40")
        expect(rows(page, "patterns").first).to_be_visible(timeout=20_000)
        expect(field(page, "health", "badge")).to_have_text(
            re.compile("healthy|warning"), timeout=20_000
        )
        expect(field(page, "session", "status")).to_have_text("Session stopped", timeout=30_000)
        expect(field(page, "health", "message")).to_have_text("Session Stopped")
        total = field(page, "session", "totalPatterns").text_content() or "?"
        expect(metric(page, "patternsDetected")).to_have_text(total, timeout=10_000)
        expect(field(page, "session", "duration")).to_have_text(re.compile(r"^7m \d\ds$"))
    finally:
        engine.stop()
    assert engine.error is None, engine.error
