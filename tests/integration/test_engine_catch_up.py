"""``--catch-up``: a synthetic session started at 09:45 first plays 09:30–09:44 at once —
published (after the session's start message, each minute once, in order) and stored like
any minute — then runs on at its speed; the burst is not taken for processing lag."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from datetime import time as time_of_day

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from tests.integration.engine_support import Recorder

from tickstock.contract import Channel, format_timestamp
from tickstock.engine.check_producer import check_producer
from tickstock.engine.clock import new_york_datetime
from tickstock.engine.runner import Engine, EngineConfig, run_engine
from tickstock.engine.sources import MarketEvent, MinuteClosed, SourceContext
from tickstock.engine.sources.synthetic import SyntheticSource

pytestmark = pytest.mark.timeout(120)

DAY = date(2025, 3, 3)
SYMBOLS = 20


def minutes(first: str, count: int) -> list[int]:
    hh, mm = (int(part) for part in first.split(":"))
    start = int(new_york_datetime(DAY, time_of_day(hh, mm)).timestamp())
    return [start + 60 * m for m in range(count)]


def late_start(redis_url: str, database_url: str | None = None) -> EngineConfig:
    return EngineConfig(
        redis_url=redis_url,
        database_url=database_url,
        symbols=SYMBOLS,
        speed=60,
        start=time_of_day(9, 45),
        day=DAY,
        close_at=time_of_day(9, 47),
        until_close=True,
        health_interval=0.25,
        catch_up=True,
    )


class ArrivalOrder(Recorder):
    """Also keeps the channel of every message in order of arrival."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.arrivals: list[str] = []

    def record(self, channel: str, data: bytes) -> None:
        super().record(channel, data)
        self.arrivals.append(channel)


def closed_bar_minutes(recorder: Recorder) -> list[str]:
    """The minute of every closed bars batch received, in order of arrival."""
    stamps = []
    for raw in recorder.messages[Channel.BARS_STREAMING.value]:
        message = orjson.loads(raw)
        if message["closed"]:
            stamps.extend(sorted({bar["timestamp"] for bar in message["bars"]}))
    return stamps


async def test_the_morning_is_published_and_stored_first_then_the_session_runs_on(
    redis_url: str, sqlite_url: str
) -> None:
    from tickstock.store import tables

    ready, done = asyncio.Event(), asyncio.Event()
    checker = asyncio.create_task(check_producer(redis_url, 60, ready=ready, stop=done))
    await asyncio.wait_for(ready.wait(), 10)
    async with ArrivalOrder(redis_url) as recorder:
        try:
            report = await run_engine(late_start(redis_url, sqlite_url))
        finally:
            done.set()
    checked = await checker

    assert checked.violations == []
    session_minutes = minutes("09:30", 17)  # 09:30 … 09:46
    assert report.closed_minutes == session_minutes
    session = report.sessions[0]
    assert session.started_at == new_york_datetime(DAY, time_of_day(9, 30))
    assert session.total_bars == SYMBOLS * 17
    assert session.total_patterns > 0  # the morning's bars make detections by 09:46
    # the session's start message comes before any of its minutes
    arrivals = recorder.arrivals
    assert arrivals.index(Channel.SESSION_STARTED.value) < arrivals.index(
        Channel.BARS_STREAMING.value
    )
    expected = [format_timestamp(datetime.fromtimestamp(m, tz=UTC)) for m in session_minutes]
    assert closed_bar_minutes(recorder) == expected  # each minute once, in order
    engine = create_async_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            bars = select(func.count()).select_from(tables.ohlcv_1min)
            patterns = select(func.count()).select_from(tables.intraday_patterns)
            assert (await conn.execute(bars)).scalar_one() == SYMBOLS * 17
            assert (await conn.execute(patterns)).scalar_one() == session.total_patterns
    finally:
        await engine.dispose()


class MovableMonotonic:
    """Real monotonic time plus what the test adds."""

    def __init__(self) -> None:
        self.added = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.added


class SlowCatchUp:
    """The synthetic market, but each caught-up minute takes a real second more (as a
    morning of 5,000 symbols would): 15 seconds of catching up, 15 minutes at 60x."""

    skipped_rows = 0

    def __init__(self, config: EngineConfig, monotonic: MovableMonotonic) -> None:
        self.inner = SyntheticSource(config)
        self.universe_name, self.symbols = self.inner.universe_name, self.inner.symbols
        self.monotonic = monotonic
        #: called after each caught-up minute (a health report in the middle of the burst)
        self.after_minute: Callable[[], None] = lambda: None

    def start_moment(self) -> datetime:
        return self.inner.start_moment()

    async def events(self, ctx: SourceContext) -> AsyncIterator[MarketEvent]:
        async for event in self.inner.events(ctx):
            yield event
            if isinstance(event, MinuteClosed) and event.catch_up:
                self.monotonic.added += 1.0
                self.after_minute()


async def test_a_slow_catch_up_is_neither_processing_lag_nor_a_quiet_feed(
    redis_url: str,
) -> None:
    config = replace(late_start(redis_url), lag_warning_ms=1000, lag_critical_ms=5000)
    monotonic = MovableMonotonic()
    source = SlowCatchUp(config, monotonic)
    engine = Engine(config, None, asyncio.Event(), monotonic, source=source)
    source.after_minute = engine.publish_health
    async with Recorder(redis_url) as recorder:
        report = await asyncio.wait_for(engine.run(), 60)

    health = [orjson.loads(raw)["health"] for raw in recorder.messages[Channel.HEALTH.value]]
    assert len(health) >= 15
    # the clock waited at 09:45 while 09:30-09:44 were played: no "no tick for 12 min"
    misjudged = [i for h in health for i in h["issues"] if "feed" in i or "lag" in i]
    assert misjudged == []
    assert monotonic.added == 15.0
    assert report.closed_minutes == minutes("09:30", 17)
    assert len(report.lag_ms) == 2  # measured for the two minutes after the start only
    assert max(report.lag_ms) < config.lag_critical_ms, report.lag_ms
    assert report.critical_raised == 0


async def test_the_burst_waits_for_the_writes_rather_than_overflow_their_buffer(
    redis_url: str, sqlite_url: str
) -> None:
    """A write buffer of 300 rows, and the morning of 20 symbols is several times that:
    the burst keeps the backlog under half the bound instead of dropping the oldest rows."""
    from tickstock.store import tables

    config = replace(late_start(redis_url, sqlite_url), write_buffer=300)
    report = await run_engine(config)

    assert report.dropped_rows == 0 and report.unwritten_rows == 0
    engine = create_async_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            bars = select(func.count()).select_from(tables.ohlcv_1min)
            assert (await conn.execute(bars)).scalar_one() == SYMBOLS * 17
    finally:
        await engine.dispose()
