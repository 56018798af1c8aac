"""A 30-minute session for 20 symbols, checked live by check-producer and against the database."""

from __future__ import annotations

import asyncio
from datetime import date
from datetime import time as time_of_day

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from tickstock.contract import Channel
from tickstock.engine.check_producer import check_producer
from tickstock.engine.runner import EngineConfig, run_engine

pytestmark = pytest.mark.timeout(120)


def short_session(redis_url: str, database_url: str | None) -> EngineConfig:
    return EngineConfig(
        redis_url=redis_url,
        database_url=database_url,
        symbols=20,
        speed=600,  # 31 simulated minutes in ~3 s
        start=time_of_day(9, 29),
        day=date(2025, 3, 3),
        close_at=time_of_day(10, 0),
        until_close=True,
        health_interval=0.25,
    )


async def run_with_checker(config: EngineConfig):  # type: ignore[no-untyped-def]
    ready, done = asyncio.Event(), asyncio.Event()
    checker = asyncio.create_task(check_producer(config.redis_url, 60, ready=ready, stop=done))
    await asyncio.wait_for(ready.wait(), 10)
    try:
        report = await run_engine(config)
    finally:
        done.set()
    return report, await checker


async def test_a_session_keeps_the_contract_as_seen_by_check_producer(redis_url: str) -> None:
    report, checked = await run_with_checker(short_session(redis_url, None))

    assert checked.violations == []
    channels = checked.channels
    assert channels[Channel.SESSION_STARTED.value].messages == 1
    assert channels[Channel.SESSION_STOPPED.value].messages == 1
    assert checked.unpaired_sessions == []
    assert channels[Channel.HEALTH.value].messages >= 3
    for channel, count in report.published_by_channel.items():
        assert channels[channel].messages == count, channel
    session = report.sessions[0]
    assert session.started_at.isoformat().startswith("2025-03-03T14:30:00")
    assert session.total_indicators == channels[Channel.INDICATORS_STREAMING.value].items
    assert session.total_patterns == channels[Channel.PATTERNS_STREAMING.value].items
    assert report.minutes == 30 and session.total_bars == 30 * 20


async def test_database_rows_equal_what_was_published(redis_url: str, sqlite_url: str) -> None:
    pytest.importorskip("tickstock.store.writer")
    from tickstock.store import tables

    report, checked = await run_with_checker(short_session(redis_url, sqlite_url))

    assert checked.violations == []
    session = report.sessions[0]
    engine = create_async_engine(sqlite_url)
    try:
        async with engine.connect() as conn:

            async def count(table) -> int:  # type: ignore[no-untyped-def]
                return (await conn.execute(select(func.count()).select_from(table))).scalar_one()

            assert await count(tables.intraday_indicators) == session.total_indicators
            assert await count(tables.intraday_patterns) == session.total_patterns
            assert await count(tables.ohlcv_1min) == session.total_bars
            row = (await conn.execute(select(tables.streaming_sessions))).one()
            assert row.total_patterns == session.total_patterns
            assert row.total_indicators == session.total_indicators
            assert row.status == "stopped"
    finally:
        await engine.dispose()
    assert report.unwritten_rows == 0 and report.dropped_rows == 0


async def test_prices_on_the_bars_channel_closed_each_minute_and_forming_once_a_second(
    redis_url: str,
) -> None:
    from dataclasses import replace

    config = replace(
        short_session(redis_url, None), speed=60, close_at=time_of_day(9, 33), forming_bars=True
    )
    report, checked = await run_with_checker(config)

    assert checked.violations == []  # no closed bar twice, no forming bar within a second
    bars = checked.channels[Channel.BARS_STREAMING.value]
    assert checked.bars_closed == report.sessions[0].total_bars == 3 * 20
    assert checked.bars_forming > 0, "forming bars were published between the closes"
    assert bars.items == checked.bars_closed + checked.bars_forming
