"""A second run of the same day on one database: its rows are its own, and the app
restores the latest session by position, never mixing in an earlier run's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from tests.integration.relay_harness import Listener, app_settings, running_app

from tickstock.contract.models import (
    IndicatorAlert,
    PatternDetection,
    SessionStart,
    SessionStop,
)
from tickstock.store import tables
from tickstock.store.database import Database
from tickstock.store.writer import StoreWriter

#: Both runs simulate the same morning: the same moments, the same detections.
OPEN = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)


def detection(symbol: str, minute: int) -> PatternDetection:
    return PatternDetection(
        symbol=symbol,
        pattern_type="Doji",
        confidence=0.6,
        timestamp=OPEN + timedelta(minutes=minute),
        timeframe="1min",
        bar_data={"open": 10.0, "high": 10.5, "low": 9.5, "close": 10.1, "volume": 100},
    )


def alert(symbol: str, minute: int) -> IndicatorAlert:
    return IndicatorAlert(
        symbol=symbol,
        alert_type="RSI_OVERBOUGHT",
        timestamp=OPEN + timedelta(minutes=minute),
        data={"indicator": "RSI", "value": 75.0, "threshold": 70},
    )


async def run_of_the_day(writer: StoreWriter, session_id: str, *, stop: bool) -> None:
    await writer.write_session_started(
        SessionStart(
            session_id=session_id,
            universe="demo",
            started_at=OPEN,
            symbol_count=3,
            status="active",
        )
    )
    await writer.write_patterns([detection("AAA", m) for m in range(3)], session_id)
    await writer.write_indicator_alerts([alert("AAA", 1)], session_id)
    if stop:
        await writer.write_session_stopped(
            SessionStop(
                session_id=session_id,
                stopped_at=OPEN + timedelta(minutes=5),
                duration_seconds=300,
                total_patterns=3,
                total_indicators=0,
            )
        )


async def count(database: Database, table, session_id: str) -> int:  # type: ignore[no-untyped-def]
    async with database.connect() as conn:
        query = select(func.count()).select_from(table).where(table.c.session_id == session_id)
        return int((await conn.execute(query)).scalar_one())


async def first_snapshot(redis_url: str, database: Database) -> dict:
    """What a page opened on an app just started on ``database`` gets first."""
    url = database.engine.url.render_as_string(hide_password=False)
    async with running_app(app_settings(redis_url, url), database) as app:
        client = Listener()
        await client.connect(app.url)
        [snapshot] = client.snapshots
        await client.disconnect()
    return snapshot


async def test_a_second_run_of_the_same_day_stores_its_own_rows(
    migrated_database: Database,
) -> None:
    writer = StoreWriter(migrated_database)
    await run_of_the_day(writer, "run-1", stop=True)
    await run_of_the_day(writer, "run-2", stop=False)
    for run in ("run-1", "run-2"):
        assert await count(migrated_database, tables.intraday_patterns, run) == 3
        assert await count(migrated_database, tables.streaming_alerts, run) == 1


async def test_the_app_restores_the_latest_run_only(
    redis_url: str, migrated_database: Database
) -> None:
    writer = StoreWriter(migrated_database)
    await run_of_the_day(writer, "run-1", stop=True)
    await run_of_the_day(writer, "run-2", stop=True)
    await run_of_the_day(writer, "run-3", stop=False)  # same started_at as the others
    await writer.write_patterns([detection("ZZZ", 4)], "run-2")  # a late write of an old run

    snapshot = await first_snapshot(redis_url, migrated_database)
    assert snapshot["session"]["session_id"] == "run-3"
    assert snapshot["session"]["status"] == "active"
    symbols = [p["detection"]["symbol"] for p in snapshot["recent_patterns"]]
    assert symbols == ["AAA", "AAA", "AAA"], "run-3's detections, none of run-2's"
    assert len(snapshot["recent_alerts"]) == 1
    assert snapshot["metrics"]["patterns_detected"] == 3


async def test_after_a_stopped_run_the_app_starts_clean_as_on_an_empty_database(
    redis_url: str, migrated_database: Database
) -> None:
    writer = StoreWriter(migrated_database)
    await run_of_the_day(writer, "run-1", stop=True)

    snapshot = await first_snapshot(redis_url, migrated_database)
    assert snapshot["session"] is None
    assert snapshot["recent_patterns"] == [] and snapshot["recent_alerts"] == []
    assert snapshot["metrics"]["patterns_detected"] == 0
    assert snapshot["app_status"]["engine"] == "waiting"
