"""A live provider as a source: its bars (or trades) → closed minutes, sessions by the calendar.

The provider's connection (``massive.py``, ``alpaca.py``) runs as a task and calls this
source back with bars, trades and connection changes; the source closes minutes by the rules
of ``minutes.py`` and yields them. The clock follows the data: when a minute closes, its end
is the moment its last bar arrived, so the processing lag is measured from there.

Sessions follow the XNYS calendar: a minute inside a trading day's regular hours (holidays
have none, half days close at 13:00) opens the day's session if none is open — when it
closes (minute bars), or with its first trade (trades), so the first minute's forming bars
are seen; the session closes when the clock passes the close. Pre-market and after-hours minutes are streamed only
with ``extended_hours`` (04:00-20:00 New York); otherwise they are counted and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from typing import Protocol

from tickstock.engine.bars import SECONDS_PER_MINUTE
from tickstock.engine.clock import NEW_YORK, MarketCalendar, TradingSession, new_york_datetime
from tickstock.engine.config import EngineConfig, LiveFeedConfig
from tickstock.engine.critical import FailureKind, subscription_refused, websocket_down
from tickstock.engine.sources.base import (
    MarketEvent,
    MinuteClosed,
    MinuteForming,
    SessionClosed,
    SessionOpened,
    SourceContext,
    session_bounds,
)
from tickstock.engine.sources.minutes import ClosedMinute, FeedCounts, MinuteBars, MinuteTrades
from tickstock.engine.warmup import WARMUP_LOOKBACK, History, history_for, to_minutes

log = logging.getLogger(__name__)

#: Real seconds between looks at the open minutes and the session's close.
POLL_SECONDS = 0.1
EXTENDED_OPEN = time_of_day(4, 0)
EXTENDED_CLOSE = time_of_day(20, 0)


class Connection(Protocol):
    """A provider's WebSocket: connects, reconnects, calls the source back; ``close`` ends it."""

    async def run(self, feed: LiveSource) -> None: ...

    async def close(self) -> None: ...


class LiveSource:
    """Bars or trades of a live provider, minute by minute (rules in the module doc)."""

    skipped_rows = 0

    def __init__(self, config: EngineConfig, connection: Connection) -> None:
        assert config.live is not None
        self.config = config
        self.live: LiveFeedConfig = config.live
        self.connection = connection
        self.symbols = self.live.symbols
        count = len(self.symbols)
        self.universe_name = (self.live.universe or f"{self.live.provider}:{count} symbols")[:200]
        self.counts = FeedCounts()
        trades = self.live.subscription in ("T", "A", "trades")
        self.minutes: MinuteBars | MinuteTrades = (
            MinuteTrades(self.symbols, self.live.close_grace, self.counts)
            if trades
            else MinuteBars(self.symbols, self.live.close_grace, self.counts)
        )
        self.calendar = MarketCalendar()
        self._sessions: dict[date, TradingSession | None] = {}
        self.connected = False
        self.messages = 0
        self.ctx: SourceContext | None = None
        self._wake: asyncio.Event | None = None
        self._closing = False
        self._down = websocket_down(self.live.provider)
        self._refused = subscription_refused(self.live.provider)
        self._start = datetime.now(UTC)
        #: the last live minute yielded: a gap after it is refilled from history
        self.last_live: int | None = None
        #: the open session's first live minute (its warm-up or refill came before it)
        self._first_live = 0
        self._history: History | None = None
        self.history_failures = 0

    def start_moment(self) -> datetime:
        return self._start

    # --- called by the connection ---------------------------------------------------------

    def bar(
        self, symbol: str, minute: int, ohlcv: tuple[float, float, float, float, float]
    ) -> None:
        assert isinstance(self.minutes, MinuteBars)
        self.minutes.add(symbol, minute, ohlcv, time.monotonic())

    def trade(self, symbol: str, price: float, size: float, ts: float) -> None:
        assert isinstance(self.minutes, MinuteTrades)
        self.minutes.add(symbol, price, size, ts, time.monotonic())

    def batch_done(self, items: int) -> None:
        """A message batch was handled: wake the loop at once (a minute may be complete)."""
        self.messages += items
        if self._wake is not None:
            self._wake.set()

    def connection_up(self) -> None:
        """Data (or a subscription status) arrived: the connection works."""
        if not self.connected:
            self.connected = True
            self._alert(self._down, False, "")

    def connection_lost(self, reason: str) -> None:
        if self._closing or not self.connected:  # a refused key, or already reported
            return
        self.connected = False
        log.warning("%s WebSocket lost: %s", self.live.provider, reason)
        self._alert(self._down, True, reason[:120])

    def refused(self, detail: str) -> None:
        log.error("%s refused: %s", self.live.provider, detail)
        self._alert(self._refused, True, detail[:120])

    def _alert(self, kind: FailureKind, failing: bool, detail: str) -> None:
        if self.ctx is not None:
            self.ctx.critical(kind, failing, detail)

    def feed_connected(self) -> bool:
        """For health: down only once a connection that worked was lost (not while starting)."""
        return self.connected or self.messages == 0

    def health_issues(self) -> list[str]:
        issues: list[str] = []
        c = self.counts
        dropped = c.late + c.bad + c.unknown_symbols
        if dropped:
            issues.append(
                f"{self.live.provider}: {c.late} late, {c.bad} bad, "
                f"{c.unknown_symbols} unknown-symbol items dropped"
            )
        return issues

    # --- the minutes ----------------------------------------------------------------------

    def _bounds(self, minute: int, close_at: bool = True) -> tuple[datetime, datetime] | None:
        """The session (open, close) that ``minute`` belongs to, or None outside sessions.

        ``close_at``: honour the config's early close (a test's short session); history
        minutes of earlier days are judged by the calendar alone.
        """
        moment = datetime.fromtimestamp(minute, tz=UTC)
        day = moment.astimezone(NEW_YORK).date()
        if day not in self._sessions:  # exchange_calendars is pandas: ms a call, once a day
            self._sessions[day] = self.calendar.session_on(day)
        trading = self._sessions[day]
        if trading is None:
            return None
        if self.live.extended_hours:
            open_ = new_york_datetime(trading.day, EXTENDED_OPEN)
            close = new_york_datetime(trading.day, EXTENDED_CLOSE)
        else:
            open_, close = session_bounds(trading, self.config.close_at if close_at else None)
        return (open_, close) if open_ <= moment < close else None

    async def events(self, ctx: SourceContext) -> AsyncIterator[MarketEvent]:
        self.ctx = ctx
        self._wake = asyncio.Event()
        task = asyncio.create_task(self.connection.run(self), name=f"{self.live.provider}-feed")
        close: datetime | None = None  # the open session's close
        done = 0
        try:
            while not ctx.stop.is_set():
                if task.done():
                    task.result()  # a refused key raises here
                    return
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(POLL_SECONDS):
                        await self._wake.wait()
                self._wake.clear()
                for minute in self.minutes.due(time.monotonic()):
                    start = minute.bars.minute_start
                    bounds = self._bounds(start)
                    if bounds is None:
                        self.counts.note("outside_session", "a minute outside the session")
                        continue
                    if close is not None and bounds[1] != close:  # a new day's first minute
                        yield SessionClosed(close)
                        close = None
                    if close is None:
                        async for event in self._open(start, bounds):
                            yield event
                        close = bounds[1]
                    elif start < self._first_live:  # a straggler before the session's first
                        self.counts.note("late", f"trades of {start}, before the session opened")
                        continue
                    elif start != self._first_live:  # (its history came when it opened)
                        async for past in self._history_before(start):
                            yield past
                    yield self._closed(ctx, minute)
                    self.last_live = start
                if close is None and (begun := self._session_begun(ctx)) is not None:
                    async for event in self._open(*begun):
                        yield event
                    close = begun[1][1]
                if close is not None:
                    if (forming := self._forming(ctx)) is not None:
                        yield forming
                    ctx.check_feed(ctx.clock.now())
                    if ctx.clock.now() >= close.timestamp():
                        for minute in self.minutes.due(time.monotonic(), int(close.timestamp())):
                            yield self._closed(ctx, minute)
                        yield SessionClosed(close)
                        close = None
                        done += 1
                        if ctx.enough_days(done):
                            return
        finally:
            self._closing = True
            await self.connection.close()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _open(
        self, minute: int, bounds: tuple[datetime, datetime]
    ) -> AsyncIterator[MarketEvent]:
        """A session opens with ``minute``, its first live minute: warm-up (or refill) first."""
        async for past in self._history_before(minute):
            yield past
        self._first_live = minute
        yield SessionOpened(max(bounds[0], datetime.fromtimestamp(minute, tz=UTC)))

    def _session_begun(self, ctx: SourceContext) -> tuple[int, tuple[datetime, datetime]] | None:
        """Trades: the earliest open minute inside a session, so the session opens with its
        first trade and its forming bars flow before the minute closes. The clock follows
        the trades until then. Minute aggregates open the session when a minute closes."""
        trades = self.minutes
        if not isinstance(trades, MinuteTrades):
            return None
        for minute in sorted(trades.with_data):
            if (bounds := self._bounds(minute)) is not None:
                ctx.clock.anchor(trades.latest_ts, trades.last_arrival)
                return minute, bounds
        return None

    async def _history_before(self, minute: int) -> AsyncIterator[MinuteClosed]:
        """Warm-up before the first live minute; a refill when minutes are missing before it."""
        live = self.live
        if self.last_live is None:
            if live.warmup_minutes <= 0:
                return
            start, keep = minute - int(WARMUP_LOOKBACK.total_seconds()), live.warmup_minutes
        else:
            missing = (minute - self.last_live) // SECONDS_PER_MINUTE - 1
            if live.refill_after_minutes <= 0 or missing <= live.refill_after_minutes:
                return
            start, keep = self.last_live + SECONDS_PER_MINUTE, missing
        try:
            if self._history is None:
                self._history = history_for(live)
            rows = await asyncio.to_thread(self._history.bars, self.symbols, *_span(start, minute))
        except Exception as exc:  # a provider's REST fault must not stop the live feed
            self.history_failures += 1
            log.warning("%s history unavailable (%s); going on without it", live.provider, exc)
            return
        minutes = [
            bars
            for bars in to_minutes(rows, self.symbols, start, minute)
            if self._bounds(bars.minute_start, close_at=False) is not None
        ][-keep:]
        log.info("%s history: %d minutes before %s", live.provider, len(minutes), minute)
        for bars in minutes:
            yield MinuteClosed(bars, history=True)

    def _forming(self, ctx: SourceContext) -> MinuteForming | None:
        """Trades: the open minute's bars so far, when the runner wants them (once a second)."""
        trades = self.minutes
        if not isinstance(trades, MinuteTrades) or trades.newest < 0 or not ctx.forming_due():
            return None
        bars = trades.aggregator.forming(trades.newest)
        return MinuteForming(bars) if bars is not None else None

    def _closed(self, ctx: SourceContext, minute: ClosedMinute) -> MinuteClosed:
        end = minute.bars.minute_start + SECONDS_PER_MINUTE
        ctx.clock.anchor(end, minute.last_arrival)
        bars = int(minute.bars.has_bar.sum())
        ctx.meter.add_ticks(end, bars, end - 1 if bars else None)
        return MinuteClosed(minute.bars)


def _span(start: int, end: int) -> tuple[datetime, datetime]:
    return datetime.fromtimestamp(start, tz=UTC), datetime.fromtimestamp(end, tz=UTC)
