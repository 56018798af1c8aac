"""A second and a third run of the same trading day on one database (``make demo`` again)
look exactly like the first: a clean page before the open, the engine live (never stale)
all session, and the same counts, lists and duration at the close."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from time import monotonic as time_now

import pytest
from playwright.sync_api import Page, expect
from tests.web.dashboard import field, metric, open_dashboard, rows
from tests.web.scripted_engine import EngineThread, scripted_session
from tests.web.served_app import ServedApp

from tickstock.store.migrations import upgrade

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def database_of_the_runs(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'runs.db'}"
    upgrade(url)
    yield url


def engine_status(page: Page):  # type: ignore[no-untyped-def]
    return page.locator('.app-status [data-field="engine"]')


def one_run(page: Page, database_url: str, log_dir: Path) -> dict[str, object]:
    """``make demo`` once: a fresh app on the shared database, the page, the same day."""
    app = ServedApp(database_url, log_dir, env={"TICKSTOCK_HEALTH_INTERVAL": "1"}).start()
    try:
        open_dashboard(page, app)
        expect(field(page, "health", "message")).to_have_text("Waiting for streaming data")
        assert rows(page, "patterns").count() == 0 and rows(page, "alerts").count() == 0
        expect(metric(page, "patternsDetected")).to_have_text("0")
        engine = EngineThread(
            scripted_session(app.redis_url, database_url, close_at=time(9, 50))
        ).start()
        try:
            expect(field(page, "session", "status")).to_have_text("Session active", timeout=20_000)
            expect(rows(page, "patterns").first).to_be_visible(timeout=20_000)
            expect(engine_status(page)).to_have_text(re.compile("live", re.I), timeout=10_000)
            stale = []  # the header sampled through the session: "Engine stale" never shows
            deadline = time_now() + 60
            while (field(page, "session", "status").text_content() or "") != "Session stopped":
                if "stale" in (engine_status(page).text_content() or "").lower():
                    stale.append(field(page, "session", "duration").text_content())
                assert time_now() < deadline, "the session did not stop within 60 s"
                page.wait_for_timeout(200)
            total = field(page, "session", "totalPatterns").text_content() or "?"
            expect(metric(page, "patternsDetected")).to_have_text(total, timeout=10_000)
            return {
                "stale_at": stale,
                "patterns": total,
                "alerts": metric(page, "indicatorAlerts").text_content(),
                "duration": field(page, "session", "duration").text_content(),
                "symbols": rows(page, "patterns").locator(".sym").all_text_contents(),
            }
        finally:
            engine.stop()
            assert engine.error is None, engine.error
    finally:
        page.goto("about:blank")  # leave before the app goes: no reconnect attempts to log
        app.close()


def test_three_runs_of_the_same_day_on_one_database_look_the_same(
    page: Page, database_of_the_runs: str, tmp_path: Path
) -> None:
    runs = [one_run(page, database_of_the_runs, tmp_path) for _ in range(3)]
    first = runs[0]
    for number, run in enumerate(runs, start=1):
        assert run["stale_at"] == [], f"run {number}: the engine showed stale at {run['stale_at']}"
        for key in ("patterns", "alerts", "duration", "symbols"):
            assert run[key] == first[key], f"run {number} differs in {key}: {run[key]!r}"
    assert first["patterns"] not in ("0", "?")
