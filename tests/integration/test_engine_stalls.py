"""A stalled event loop never loses or merges a minute: every minute closes, once, in order.

The stalls are injected, not hoped for: the engine's real clock is a ``StallingClock`` whose
time jumps forward at once, exactly what a loop blocked for that long sees when it wakes up.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from datetime import time as time_of_day

import orjson
import pytest
from tests.integration.engine_support import Recorder
from tests.servers import async_wait_until

from tickstock.contract import Channel, format_timestamp
from tickstock.engine.clock import new_york_datetime
from tickstock.engine.runner import EngineConfig, run_engine

pytestmark = pytest.mark.timeout(60)

SPEED = 600.0  # one real second is ten simulated minutes
DAY = date(2025, 3, 3)
OPEN = new_york_datetime(DAY, time_of_day(9, 30))
SESSION_MINUTES = [int(OPEN.timestamp()) + 60 * m for m in range(30)]  # 09:30 … 09:59


class StallingClock:
    """Real monotonic time that jumps forward, as a blocked loop sees it when it wakes up.

    ``at_reads``: {n: seconds} — the clock jumps just before its n-th read (the 1st read is
    the engine's start); ``after``: ((real seconds after the 1st read, seconds), ...) — from
    that moment on, every read is that much later.
    """

    def __init__(
        self,
        at_reads: dict[int, float] | None = None,
        after: tuple[tuple[float, float], ...] = (),
    ) -> None:
        self.at_reads = at_reads or {}
        self.after = after
        self.reads = 0
        self.jumped = 0.0
        self.origin: float | None = None

    def __call__(self) -> float:
        real = time.monotonic()
        self.reads += 1
        if self.origin is None:
            self.origin = real
        self.jumped += self.at_reads.get(self.reads, 0.0)
        elapsed = real - self.origin
        late = sum(seconds for at, seconds in self.after if elapsed >= at)
        return real + self.jumped + late


def config(redis_url: str, **overrides: object) -> EngineConfig:
    base = dict(
        redis_url=redis_url,
        symbols=20,
        speed=SPEED,
        start=time_of_day(9, 29),
        day=DAY,
        close_at=time_of_day(10, 0),
        until_close=True,
        health_interval=0.25,
    )
    base.update(overrides)
    return EngineConfig(**base)  # type: ignore[arg-type]


def indicator_minutes(recorder: Recorder) -> list[str]:
    """The timestamp of every indicator batch received, in order of arrival."""
    stamps = []
    for raw in recorder.messages[Channel.INDICATORS_STREAMING.value]:
        calculations = orjson.loads(raw)["calculations"]
        stamps.extend(sorted({c["timestamp"] for c in calculations}))
    return stamps


@pytest.mark.parametrize("read", [2, 3, 4, 6])
async def test_a_stall_before_the_open_still_opens_the_session_at_the_open(
    redis_url: str, read: int
) -> None:
    # 20 simulated minutes vanish at once somewhere between start-up and the open
    report = await run_engine(config(redis_url), monotonic=StallingClock(at_reads={read: 2.0}))

    session = report.sessions[0]
    assert session.started_at == OPEN
    assert report.closed_minutes == SESSION_MINUTES
    assert session.total_bars == 20 * 30


@pytest.mark.parametrize("whole_bars", [False, True], ids=["ticks", "whole-bars"])
async def test_stalls_mid_session_close_every_minute_once_and_in_order(
    redis_url: str, whole_bars: bool
) -> None:
    # 09:29 + 0.6 s → 09:35, then jumps of 7.5 and 4.2 simulated minutes, landing mid-minute.
    clock = StallingClock(after=((0.6, 0.75), (0.9, 0.42)))
    async with Recorder(redis_url) as recorder:
        report = await run_engine(config(redis_url, whole_bars=whole_bars), monotonic=clock)
        published = report.published_by_channel[Channel.INDICATORS_STREAMING.value]
        await async_wait_until(
            lambda: len(recorder.messages[Channel.INDICATORS_STREAMING.value]) == published,
            5,
            lambda: (
                f"{published} indicator batches received, got "
                f"{len(recorder.messages[Channel.INDICATORS_STREAMING.value])}"
            ),
        )

    assert report.closed_minutes == SESSION_MINUTES
    assert report.sessions[0].total_bars == 20 * 30  # a merged minute would have fewer bars
    received = indicator_minutes(recorder)
    assert received == sorted(received)
    ready_from = OPEN.timestamp() + 60 * 14  # RSI(14) has its first value at the 15th bar
    expected = [
        format_timestamp(datetime.fromtimestamp(m, tz=UTC))
        for m in SESSION_MINUTES
        if m >= ready_from
    ]
    assert sorted(set(received)) == expected
