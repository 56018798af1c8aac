"""Catch-up from the open: a synthetic run started mid-session first plays the minutes from
the open, each once and in order, on a clock held at the start, then runs on at its speed.

The source is driven alone: its clock runs on a real monotonic clock plus an offset the test
moves forward while the source is catching up (a slow pipeline: ten real seconds a minute).
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from datetime import time as time_of_day

import pytest

from tickstock.engine.bars import SECONDS_PER_MINUTE
from tickstock.engine.clock import MarketCalendar, SimulatedClock, new_york_datetime
from tickstock.engine.config import EngineConfig
from tickstock.engine.faults import FaultSchedule
from tickstock.engine.health import FlowMeter
from tickstock.engine.sources import (
    MinuteClosed,
    MinuteForming,
    SessionClosed,
    SessionOpened,
    SourceContext,
)
from tickstock.engine.sources.synthetic import SyntheticSource

DAY = date(2025, 3, 3)
OPEN = new_york_datetime(DAY, time_of_day(9, 30))
START = new_york_datetime(DAY, time_of_day(9, 45, 20))  # mid-minute, 15 minutes in
SPEED = 60.0
SLOW_PIPELINE = 10.0  # real seconds the test lets pass for each caught-up minute


def minute(hh: int, mm: int) -> int:
    return int(new_york_datetime(DAY, time_of_day(hh, mm)).timestamp())


class MovableMonotonic:
    """Real monotonic time plus what the test adds (a pipeline slower than it is)."""

    def __init__(self) -> None:
        self.added = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.added


@pytest.fixture(scope="module")
def calendar() -> MarketCalendar:
    return MarketCalendar()


def run_source(
    calendar: MarketCalendar,
    *,
    catch_up: bool,
    whole_bars: bool = False,
    start: time_of_day = time_of_day(9, 45, 20),
    close: time_of_day = time_of_day(9, 47),
) -> list[tuple[object, float, bool]]:
    """Every event of a run from ``start`` (09:45:20) to ``close`` (09:47), with the
    simulated time and whether the clock was held when the source yielded it."""
    config = EngineConfig(
        redis_url="redis://127.0.0.1:1/0",
        symbols=5,
        speed=SPEED,
        start=start,
        day=DAY,
        close_at=close,
        until_close=True,
        catch_up=catch_up,
        whole_bars=whole_bars,
    )
    source = SyntheticSource(config, calendar)

    async def events() -> list[tuple[object, float, bool]]:
        monotonic = MovableMonotonic()
        clock = SimulatedClock(source.start_moment(), SPEED, monotonic)
        ctx = SourceContext(
            config, calendar, clock, asyncio.Event(), FlowMeter(), FaultSchedule(), lambda _: None
        )
        seen = []
        async for event in source.events(ctx):
            seen.append((event, clock.now(), clock.held))
            if isinstance(event, MinuteClosed) and event.catch_up:
                monotonic.added += SLOW_PIPELINE
        return seen

    return asyncio.run(asyncio.wait_for(events(), 30))


def closed(seen: list[tuple[object, float, bool]]) -> list[tuple[int, bool]]:
    return [(e.bars.minute_start, e.catch_up) for e, _, _ in seen if isinstance(e, MinuteClosed)]


@pytest.mark.parametrize("whole_bars", [False, True], ids=["ticks", "whole-bars"])
def test_every_minute_from_the_open_is_played_once_in_order_then_the_run_goes_on(
    calendar: MarketCalendar, whole_bars: bool
) -> None:
    seen = run_source(calendar, catch_up=True, whole_bars=whole_bars)

    first, _, _ = seen[0]
    assert first == SessionOpened(OPEN)  # the session message comes first, at the open
    assert isinstance(seen[-1][0], SessionClosed)
    caught_up = [(minute(9, 30 + m), True) for m in range(15)]  # 09:30 … 09:44
    assert closed(seen) == [*caught_up, (minute(9, 45), False), (minute(9, 46), False)]
    bars = [e.bars for e, _, _ in seen if isinstance(e, MinuteClosed)]
    assert all(b.has_bar.all() for b in bars)  # whole minutes, the 09:45 one too


def test_the_clock_waits_at_the_start_while_the_morning_is_played(
    calendar: MarketCalendar,
) -> None:
    seen = run_source(calendar, catch_up=True)

    during = [(at, held) for e, at, held in seen if isinstance(e, MinuteClosed) and e.catch_up]
    # 150 real seconds of a slow pipeline went by: the simulated clock did not move
    assert len(during) == 15 and all(held for _, held in during)
    [held_at] = {at for at, _ in during}
    assert START.timestamp() <= held_at < START.timestamp() + 1
    live = [(e, at) for e, at, held in seen if isinstance(e, MinuteClosed) and not e.catch_up]
    for event, at in live:  # then it runs on from the start: each minute closes on time
        minute_end = event.bars.minute_start + SECONDS_PER_MINUTE
        assert minute_end <= at < minute_end + 10, (event.bars.minute_start, at)
    assert not any(isinstance(e, MinuteForming) for e, _, _ in seen)


def test_without_catch_up_the_session_starts_at_the_start(calendar: MarketCalendar) -> None:
    seen = run_source(calendar, catch_up=False)

    assert seen[0][0] == SessionOpened(START)
    assert closed(seen) == [(minute(9, 45), False), (minute(9, 46), False)]
    assert not any(held for _, _, held in seen)


def test_a_start_before_the_open_has_nothing_to_catch_up(calendar: MarketCalendar) -> None:
    seen = run_source(
        calendar, catch_up=True, start=time_of_day(9, 29, 50), close=time_of_day(9, 31)
    )

    assert seen[0][0] == SessionOpened(OPEN)
    assert closed(seen) == [(minute(9, 30), False)]
    assert not any(held for _, _, held in seen)


def test_a_held_clock_stands_still_and_runs_on_from_where_it_stopped() -> None:
    now = [100.0]
    clock = SimulatedClock(START, 60.0, lambda: now[0])
    now[0] += 1.0
    clock.hold()
    held_at = clock.now()
    assert held_at == START.timestamp() + 60
    now[0] += 50.0
    assert clock.now() == held_at and clock.held
    clock.release()
    assert clock.now() == held_at and not clock.held
    now[0] += 2.0
    assert clock.now() == held_at + 120
