"""A whole (short) session from the real engine on a scripted clock, watched in the browser:
open → patterns → close, with the final counts matching what the page counted."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.web.dashboard import field, metric, open_dashboard, rows
from tests.web.served_app import ServedApp

from tickstock.engine.runner import EngineConfig, run_engine
from tickstock.store.migrations import upgrade


class EngineThread:
    """``run_engine`` in a thread of its own with its own event loop; ``stop()`` ends it."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.stop_event: asyncio.Event | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.stop_event = asyncio.Event()
            await run_engine(self.config, self.stop_event)

        try:
            self.loop.run_until_complete(main())
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.loop.close()

    def start(self) -> EngineThread:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive() and self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(30)


@pytest.fixture
def engine_app(tmp_path: Path) -> Iterator[ServedApp]:
    """An app on a database of its own: the engine writes a session other tests must not see."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}"
    upgrade(url)
    app = ServedApp(url, tmp_path).start()
    yield app
    app.close()


def test_engine_session_from_open_to_close_in_the_browser(
    page: Page, engine_app: ServedApp
) -> None:
    open_dashboard(page, engine_app)
    expect(field(page, "health", "message")).to_have_text("Waiting for streaming data")
    engine = EngineThread(
        EngineConfig(
            redis_url=engine_app.redis_url,
            database_url=engine_app.env["DATABASE_URL"],
            symbols=40,
            speed=120,
            start=time(9, 29),
            day=date(2025, 10, 6),
            close_at=time(9, 37),
            until_close=True,
            whole_bars=True,
            health_interval=1,
            run_migrations=False,
        )
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
