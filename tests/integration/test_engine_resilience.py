"""Redis restarted mid-run and the database down: buffered, republished in order, alerted."""

from __future__ import annotations

import asyncio
from datetime import date
from datetime import time as time_of_day

import orjson
import pytest
from sqlalchemy import select
from tests.integration.engine_support import Recorder
from tests.servers import RedisServer, async_wait_until

from tickstock.contract import Channel
from tickstock.engine.faults import parse_fault
from tickstock.engine.runner import EngineConfig, run_engine
from tickstock.store import tables
from tickstock.store.database import open_database

pytestmark = pytest.mark.timeout(120)


def config(redis_url: str, database_url: str | None = None, **overrides: object) -> EngineConfig:
    base = dict(
        redis_url=redis_url,
        database_url=database_url,
        symbols=20,
        speed=300,
        start=time_of_day(9, 29),
        day=date(2025, 3, 3),
        close_at=time_of_day(10, 0),
        until_close=True,
        health_interval=0.25,
        record_publish_order=True,
    )
    base.update(overrides)
    return EngineConfig(**base)  # type: ignore[arg-type]


async def redis_alert_states(database_url: str) -> list[bool]:
    """``resolved`` of each stored redis_publisher critical alert, oldest first."""
    database = open_database(database_url, read_only=True)
    t = tables.streaming_alerts
    try:
        async with database.connect() as conn:
            rows = await conn.execute(
                select(t.c.resolved)
                .where(t.c.component == "redis_publisher")
                .order_by(t.c.timestamp, t.c.resolved)
            )
            return [bool(r) for r in rows.scalars()]
    finally:
        await database.dispose()


def critical_alerts(recorder: Recorder) -> list[dict]:
    return [orjson.loads(m)["alert"] for m in recorder.messages[Channel.ALERTS_CRITICAL.value]]


async def test_redis_restart_loses_nothing_within_the_bound(
    fresh_redis: RedisServer, sqlite_url: str
) -> None:
    async with Recorder(fresh_redis.url) as recorder:
        engine = asyncio.create_task(run_engine(config(fresh_redis.url, sqlite_url)))
        await async_wait_until(
            lambda: len(recorder.messages[Channel.INDICATORS_STREAMING.value]) > 0,
            10,
            "indicators flowing before the restart",
        )
        # In threads: stopping and starting a server takes real time, and blocking the loop the
        # engine runs in would stand for a stall rather than an outage.
        await asyncio.to_thread(fresh_redis.stop)
        await asyncio.sleep(1.0)  # the outage itself: the engine keeps computing meanwhile
        await asyncio.to_thread(fresh_redis.start)
        report = await asyncio.wait_for(engine, 60)

    assert report.dropped_messages == 0 and report.unpublished == 0
    assert report.publish_order == sorted(report.publish_order)
    assert len(report.publish_order) == len(set(report.publish_order)) == report.published
    # The alert and its recovery go out as soon as Redis is back, possibly before a
    # subscriber has re-subscribed (pub/sub is at-most-once), so the database is the witness.
    assert (report.critical_raised, report.critical_resolved) == (1, 1)
    assert await redis_alert_states(sqlite_url) == [False, True]
    assert report.minutes == 30 and report.sessions[0].total_bars == 600


async def test_feed_gap_raises_feed_lost_then_recovery(redis_url: str) -> None:
    async with Recorder(redis_url) as recorder:
        report = await run_engine(
            config(redis_url, faults=(parse_fault("feed-gap@09:40+90s"),), feed_lost_after=30)
        )
        await async_wait_until(
            lambda: len(critical_alerts(recorder)) >= 2, 5, "feed alert and recovery received"
        )
    feed = [a for a in critical_alerts(recorder) if a["component"] == "market_feed"]
    assert [(a["severity"], a.get("resolved", False)) for a in feed] == [
        ("critical", False),
        ("critical", True),
    ]
    assert report.sessions[0].total_bars < 600  # the gap minutes had no bars


async def test_database_down_alerts_then_writes_everything(redis_url: str, sqlite_url: str) -> None:
    pytest.importorskip("tickstock.store.writer")
    async with Recorder(redis_url) as recorder:
        report = await run_engine(
            config(redis_url, sqlite_url, faults=(parse_fault("db-down@09:40+300s"),))
        )
        await async_wait_until(
            lambda: len(critical_alerts(recorder)) >= 2, 5, "database alert and recovery received"
        )
    db = [a for a in critical_alerts(recorder) if a["component"] == "database"]
    assert [(a["severity"], a.get("resolved", False)) for a in db] == [
        ("error", False),
        ("error", True),
    ]
    session = report.sessions[0]
    assert report.rows_written["indicators"] == session.total_indicators
    assert report.rows_written["bars"] == session.total_bars
    assert report.unwritten_rows == 0 and report.dropped_rows == 0
