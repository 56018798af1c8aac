"""Day after day, the synthetic market goes on from where it closed: a day opens from the
last day's closes, an overnight gap away, not from prices drawn anew (the grid's change
read -98 % to +190 % from a demo's second day on)."""

from __future__ import annotations

import asyncio
from datetime import date
from datetime import time as time_of_day

import numpy as np

from tickstock.engine.clock import MarketCalendar, SimulatedClock
from tickstock.engine.config import EngineConfig
from tickstock.engine.faults import FaultSchedule
from tickstock.engine.feeds import OVERNIGHT_GAP, SyntheticFeed
from tickstock.engine.health import FlowMeter
from tickstock.engine.sources import MinuteClosed, SessionOpened, SourceContext
from tickstock.engine.sources.synthetic import SyntheticSource

#: Fast enough that the night between two five-minute sessions passes in about a second.
SPEED = 60_000.0


def sessions_of_two_days() -> list[list[MinuteClosed]]:
    """The closed minutes of each session of a run over two trading days (09:30–09:35)."""
    config = EngineConfig(
        redis_url="redis://127.0.0.1:1/0",
        symbols=20,
        speed=SPEED,
        start=time_of_day(9, 29),
        day=date(2025, 3, 7),  # a Friday: the next session is Monday's
        close_at=time_of_day(9, 35),
        days=2,
        whole_bars=True,
    )
    calendar = MarketCalendar()
    source = SyntheticSource(config, calendar)

    async def run() -> list[list[MinuteClosed]]:
        clock = SimulatedClock(source.start_moment(), SPEED)
        ctx = SourceContext(
            config, calendar, clock, asyncio.Event(), FlowMeter(), FaultSchedule(), lambda _: None
        )
        sessions: list[list[MinuteClosed]] = []
        async for event in source.events(ctx):
            if isinstance(event, SessionOpened):
                sessions.append([])
            elif isinstance(event, MinuteClosed):
                sessions[-1].append(event)
        return sessions

    return asyncio.run(asyncio.wait_for(run(), 30))


def test_the_second_day_opens_near_the_first_days_close() -> None:
    first, second = sessions_of_two_days()
    closes, opens = first[-1].bars.close, second[0].bars.open
    assert np.all(first[-1].bars.has_bar) and np.all(second[0].bars.has_bar)
    moves = np.abs(np.log(opens / closes))
    # an overnight gap (sd 1 %) plus the first minute's move: nowhere near a new draw
    assert moves.max() < 6 * OVERNIGHT_GAP, f"largest close-to-open move {moves.max():.1%}"
    assert moves.max() > 0, "the next day opened at exactly the last close: no overnight gap"


def test_without_a_last_close_the_prices_come_from_the_seed() -> None:
    drawn = SyntheticFeed(5, seed=7).last_price
    again = SyntheticFeed(5, seed=7, opening_prices=None).last_price
    assert np.array_equal(drawn, again)
    carried = SyntheticFeed(5, seed=7, opening_prices=np.full(5, 100.0)).last_price
    assert np.all(np.abs(carried - 100.0) < 100.0 * 6 * OVERNIGHT_GAP)
