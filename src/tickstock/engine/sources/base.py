"""What every market source yields, and the run's context it is given.

A source decides when a session opens, which minutes close with which bars, and when the
session closes; it waits on the run's clock and stops when the run is stopped. It never
publishes or writes: the runner does that with what it yields. On a stop a source simply
returns; the runner closes a session still open.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import time as time_of_day
from typing import Protocol

from tickstock.engine.bars import ClosedBars
from tickstock.engine.clock import MarketCalendar, SimulatedClock, TradingSession, new_york_datetime
from tickstock.engine.config import EngineConfig
from tickstock.engine.critical import FailureKind
from tickstock.engine.faults import FaultSchedule
from tickstock.engine.health import FlowMeter


@dataclass(frozen=True, slots=True)
class SessionOpened:
    at: datetime


@dataclass(frozen=True, slots=True)
class MinuteClosed:
    bars: ClosedBars
    #: a minute from the provider's history (warm-up, refill): computed and stored, not published
    history: bool = False
    #: a minute from before the run's start, played at once (``--catch-up``): published and
    #: stored like any other, but not late, so its processing lag is not measured
    catch_up: bool = False


@dataclass(frozen=True, slots=True)
class MinuteForming:
    """The open minute's bars so far (for the forming bars of the bars channel)."""

    bars: ClosedBars


@dataclass(frozen=True, slots=True)
class SessionClosed:
    at: datetime


MarketEvent = SessionOpened | MinuteForming | MinuteClosed | SessionClosed


@dataclass(slots=True)
class SourceContext:
    """The run as a source sees it: its clock, its stop, where it counts ticks."""

    config: EngineConfig
    calendar: MarketCalendar
    clock: SimulatedClock
    stop: asyncio.Event
    meter: FlowMeter
    faults: FaultSchedule
    #: the feed watchdog: called with the simulated time read up to (critical when quiet)
    check_feed: Callable[[float], None]
    #: whether the runner wants the open minute's bars now (``MinuteForming``)
    forming_due: Callable[[], bool] = lambda: False
    #: raise (True) or resolve (False) a critical alert: a live feed's connection faults
    critical: Callable[[FailureKind, bool, str], None] = lambda kind, failing, detail: None

    def now(self) -> datetime:
        return self.clock.now_datetime()

    async def sleep_real(self, seconds: float) -> bool:
        """Sleep ``seconds`` of real time; True if the run was asked to stop meanwhile."""
        if seconds <= 0:
            return self.stop.is_set()
        try:
            async with asyncio.timeout(seconds):
                await self.stop.wait()
        except TimeoutError:
            return False
        return True

    async def sleep_until(self, sim_ts: float, poll: float = 1.0) -> bool:
        """Wait for simulated time ``sim_ts``; True if the run was stopped meanwhile."""
        while (delay := self.clock.real_seconds_until(sim_ts)) > 0:
            if await self.sleep_real(min(delay, poll)):
                return True
        return self.stop.is_set()

    def enough_days(self, done: int) -> bool:
        if self.config.until_close:
            return True
        return bool(self.config.days) and done >= self.config.days


class MarketSource(Protocol):
    """A market: its universe, where the run's clock starts, and its events."""

    universe_name: str
    symbols: tuple[str, ...]
    #: input rows left out as bad (a replay with ``--skip-bad-rows``); 0 for others
    skipped_rows: int

    def start_moment(self) -> datetime: ...

    def events(self, ctx: SourceContext) -> AsyncIterator[MarketEvent]: ...


def session_bounds(
    trading: TradingSession, close_at: time_of_day | None
) -> tuple[datetime, datetime]:
    """The session's open and close, the close brought forward by ``close_at`` (tests)."""
    close = trading.close
    if close_at is not None:
        close = min(close, new_york_datetime(trading.day, close_at))
    return trading.open, close
