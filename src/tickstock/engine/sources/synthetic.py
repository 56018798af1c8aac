"""The synthetic market as a source: the seeded feed on the simulated clock, day after day.

Every minute it feeds the seeded ticks to the bar aggregator (or takes whole bars) as the
simulated clock passes, drops the ticks of an injected feed gap, and closes the minute.
However late the loop gets to a session (start-up work, a stalled event loop), the session
covers every minute from the open, or from the run's start when that is later.

With ``catch_up`` a run started after the open (``--start 11:00``, or now at speed 1)
covers the session from the open too: the minutes before the start are played at once, in
order, as fast as the pipeline goes, while the simulated clock waits at the start; then it
runs on at its speed. Those minutes are marked ``catch_up``: they are published and stored
like any minute, but they are not late, so the runner does not measure their lag.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day

import numpy as np

from tickstock.engine.bars import SECONDS_PER_MINUTE, BarAggregator, ClosedBars
from tickstock.engine.clock import NEW_YORK, MarketCalendar, TradingSession, new_york_datetime
from tickstock.engine.config import EngineConfig
from tickstock.engine.faults import FaultKind
from tickstock.engine.feeds import SyntheticFeed
from tickstock.engine.sources.base import (
    MarketEvent,
    MinuteClosed,
    MinuteForming,
    SessionClosed,
    SessionOpened,
    SourceContext,
    session_bounds,
)
from tickstock.engine.universe import load_universe, named_universe

log = logging.getLogger(__name__)

#: Real seconds between looks at the clock while a minute fills with ticks.
TICK_POLL_SECONDS = 0.05
#: Pre-market time shown before the next day's open when the run moves on overnight.
PRE_MARKET = timedelta(minutes=1)


class SyntheticSource:
    """The named universe (or the first ``config.symbols`` leaders) of the seeded market."""

    skipped_rows = 0

    def __init__(self, config: EngineConfig, calendar: MarketCalendar | None = None) -> None:
        self.config = config
        self.calendar = calendar or MarketCalendar()
        universe = (
            named_universe(config.universe) if config.universe else load_universe(config.symbols)
        )
        self.universe_name, self.symbols = universe.name, tuple(universe.symbols)
        self._start: datetime | None = None
        #: the last simulated day's closing prices: the next day opens from them
        self._closes: np.ndarray | None = None

    def start_moment(self) -> datetime:
        if self._start is None:
            self._start = self._first_moment()
        return self._start

    def _first_moment(self) -> datetime:
        cfg = self.config
        if cfg.day is None and cfg.start is None and cfg.speed == 1.0:
            return datetime.now(UTC)
        day = cfg.day or datetime.now(NEW_YORK).date()
        if cfg.day is None:
            day = self.calendar.session_on_or_after(day).day
        elif self.calendar.session_on(day) is None:
            raise ValueError(f"{day.isoformat()} is not a trading day of the NYSE")
        return new_york_datetime(day, cfg.start or time_of_day(9, 29))

    async def events(self, ctx: SourceContext) -> AsyncIterator[MarketEvent]:
        #: the simulated moment from which the loop owes every minute: the run's start,
        #: then each next day's pre-market. A session opens at max(open, this), never at the
        #: moment the loop happened to look at the clock, so a stall cannot skip a minute.
        market_from = self.start_moment()
        trading = self.calendar.session_on_or_after(market_from.astimezone(NEW_YORK).date())
        done = 0
        while True:
            if market_from >= session_bounds(trading, self.config.close_at)[1]:
                trading = self.calendar.next_session(trading.day)  # started after the close
            async for event in self._day(ctx, trading, market_from):
                yield event
            if ctx.stop.is_set():
                return
            done += 1
            if ctx.enough_days(done):
                return
            trading = self.calendar.next_session(trading.day)
            market_from = trading.open - PRE_MARKET
            ctx.clock.jump_to(market_from)
            log.info("next trading day: %s", trading.day.isoformat())

    async def _day(
        self, ctx: SourceContext, trading: TradingSession, market_from: datetime
    ) -> AsyncIterator[MarketEvent]:
        """One trading day; returns early (no close event) when the run is stopped."""
        cfg = self.config
        open_, close = session_bounds(trading, cfg.close_at)
        if await ctx.sleep_until(open_.timestamp()):
            return
        opened_at = max(open_, market_from)
        if opened_at >= close:
            return
        #: minutes that end by then are owed at once, on the held clock (catch-up)
        catch_up_until = opened_at.timestamp() if cfg.catch_up else open_.timestamp()
        if catch_up_until > open_.timestamp():
            opened_at = open_
            ctx.clock.hold()
            log.info(
                "catching up from the open to %s New York",
                market_from.astimezone(NEW_YORK).strftime("%H:%M:%S"),
            )
        try:
            async for event in self._minutes(ctx, trading, opened_at, close, catch_up_until):
                yield event
        finally:
            ctx.clock.release()

    async def _minutes(
        self,
        ctx: SourceContext,
        trading: TradingSession,
        opened_at: datetime,
        close: datetime,
        catch_up_until: float,
    ) -> AsyncIterator[MarketEvent]:
        cfg = self.config
        open_ = session_bounds(trading, cfg.close_at)[0]
        caught_up_from = time.perf_counter()  # for the log line only
        yield SessionOpened(opened_at)
        feed = SyntheticFeed(
            len(self.symbols),
            cfg.seed + trading.day.toordinal(),
            cfg.tick_rate,
            session_open=open_.timestamp(),
            session_seconds=(trading.close - trading.open).total_seconds(),
            opening_prices=self._closes,
        )
        aggregator = BarAggregator(self.symbols)
        gaps = ctx.faults.windows(FaultKind.FEED_GAP, trading.day)
        minute = int(opened_at.timestamp() // SECONDS_PER_MINUTE) * SECONDS_PER_MINUTE
        cursor = opened_at.timestamp()
        end = close.timestamp()
        while minute < end:
            minute_end = min(minute + SECONDS_PER_MINUTE, int(end))
            catching_up = minute_end <= catch_up_until
            if not catching_up and ctx.clock.held:
                ctx.clock.release()  # caught up: the run's own clock from its start
                log.info(
                    "caught up: %d minutes in %.1f s",
                    (minute - open_.timestamp()) // SECONDS_PER_MINUTE,
                    time.perf_counter() - caught_up_from,
                )
            while True:
                target = min(ctx.clock.now(), minute_end)
                if not cfg.whole_bars:
                    chunk = feed.ticks(cursor, target)
                    keep = np.ones(len(chunk), dtype=np.bool_)
                    for start, stop in gaps:  # the injected outage: those ticks never arrive
                        keep &= (chunk.ts < start) | (chunk.ts >= stop)
                    if keep.any():
                        idx, ts = chunk.symbol_idx[keep], chunk.ts[keep]
                        aggregator.add_ticks(idx, chunk.price[keep], chunk.size[keep], ts)
                        ctx.meter.add_ticks(target, len(idx), float(ts.max()))
                    cursor = max(cursor, math.floor(target))
                    ctx.check_feed(target)
                    if (
                        not catching_up
                        and ctx.forming_due()
                        and (forming := aggregator.forming(minute)) is not None
                    ):
                        yield MinuteForming(forming)
                if target >= minute_end:
                    break
                wait = min(TICK_POLL_SECONDS, ctx.clock.real_seconds_until(minute_end))
                if await ctx.sleep_real(wait):
                    return
            if cfg.whole_bars:
                bars = self._whole_bars(ctx, feed, minute)
                ctx.check_feed(minute_end)
            else:
                bars = aggregator.close_minute(minute)
            yield MinuteClosed(bars, catch_up=catching_up)
            minute += SECONDS_PER_MINUTE
        self._closes = feed.last_price.copy()
        yield SessionClosed(close)

    def _whole_bars(self, ctx: SourceContext, feed: SyntheticFeed, minute: int) -> ClosedBars:
        bars = feed.bars(minute)
        moment = datetime.fromtimestamp(minute + SECONDS_PER_MINUTE / 2, tz=UTC)
        if ctx.faults.active(FaultKind.FEED_GAP, moment):
            bars.has_bar[:] = False
            return bars
        ticks = int(bars.has_bar.sum())
        ctx.meter.add_ticks(minute + SECONDS_PER_MINUTE, ticks, minute + SECONDS_PER_MINUTE - 1)
        return bars
