"""Live data into closed minutes: whole 1-minute bars, or trades built into bars.

A live feed delivers a minute's bars over a second or two after the minute ends (Massive
``AM``, Alpaca ``bars``), or its trades during the minute. A minute closes — once, never to
change — when every symbol has reported, or ``grace`` real seconds after its first bar (for
trades: after the first trade of a later minute arrived). Until then:

* a late bar for the open minute is folded in; a bar for a minute already closed is counted
  (``late``) and dropped — a published bar never changes;
* the same bar again is a duplicate (counted, ignored); a different bar for the same symbol
  and minute is a correction (counted, replaces the first);
* a bar with an unknown symbol or inconsistent prices is counted and dropped;
* a symbol with no bar (halted, no trades) has no bar: a gap is not a zero bar.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tickstock.engine.bars import SECONDS_PER_MINUTE, BarAggregator, ClosedBars, minute_start_of

log = logging.getLogger(__name__)


@dataclass(slots=True)
class FeedCounts:
    """What a live feed delivered that did not become a bar as sent."""

    bars: int = 0
    trades: int = 0
    late: int = 0
    duplicates: int = 0
    corrections: int = 0
    unknown_symbols: int = 0
    bad: int = 0
    outside_session: int = 0
    logged: set[str] = field(default_factory=set)

    def note(self, kind: str, detail: str) -> None:
        """Count one dropped item of ``kind``; log the first of each kind with its context."""
        setattr(self, kind, getattr(self, kind) + 1)
        if kind not in self.logged:
            self.logged.add(kind)
            log.warning("live feed: %s (further ones are counted, not logged)", detail)


@dataclass(slots=True)
class ClosedMinute:
    bars: ClosedBars
    #: monotonic moment the minute's last bar (or closing trade) arrived
    last_arrival: float


class _OpenMinute:
    __slots__ = ("count", "first_arrival", "has", "last_arrival", "values")

    def __init__(self, n_symbols: int, now: float) -> None:
        self.values = np.full((5, n_symbols), np.nan)
        self.has = np.zeros(n_symbols, dtype=np.bool_)
        self.count = 0
        self.first_arrival = now
        self.last_arrival = now


class MinuteBars:
    """Whole 1-minute bars per symbol until their minute closes (rules in the module doc)."""

    def __init__(self, symbols: Sequence[str], grace: float, counts: FeedCounts) -> None:
        self.symbols = tuple(symbols)
        self.index = {s: i for i, s in enumerate(self.symbols)}
        self.grace = grace
        self.counts = counts
        self.open: dict[int, _OpenMinute] = {}
        self.last_closed: int | None = None

    def add(
        self, symbol: str, minute: int, ohlcv: tuple[float, float, float, float, float], now: float
    ) -> None:
        i = self.index.get(symbol)
        if i is None:
            self.counts.note("unknown_symbols", f"bar for unknown symbol {symbol!r}")
            return
        o, h, lo, c, v = ohlcv
        if not (
            all(math.isfinite(x) for x in ohlcv)
            and 0 <= lo <= min(o, c)
            and h >= max(o, c)
            and v >= 0
            and minute % SECONDS_PER_MINUTE == 0
        ):
            self.counts.note("bad", f"inconsistent bar {symbol} at {minute}: {ohlcv}")
            return
        if self.last_closed is not None and minute <= self.last_closed:
            self.counts.note("late", f"bar {symbol} at {minute} after its minute closed")
            return
        entry = self.open.get(minute)
        if entry is None:
            entry = self.open[minute] = _OpenMinute(len(self.symbols), now)
        entry.last_arrival = now
        self.counts.bars += 1
        if entry.has[i]:
            if tuple(entry.values[:, i].tolist()) == ohlcv:
                self.counts.note("duplicates", f"duplicate bar {symbol} at {minute}")
                return
            self.counts.note("corrections", f"corrected bar {symbol} at {minute}")
        else:
            entry.has[i] = True
            entry.count += 1
        entry.values[:, i] = ohlcv

    def due(self, now: float, until: int | None = None) -> list[ClosedMinute]:
        """The minutes to close now, in order; ``until`` (a session's close): every minute
        before it and none from it on — those are the next session's, or outside one."""
        closed = []
        for minute in sorted(self.open):
            entry = self.open[minute]
            complete = entry.count == len(self.symbols)
            if until is not None and minute >= until:
                break
            forced = until is not None
            if not (complete or forced or now >= entry.first_arrival + self.grace):
                break
            del self.open[minute]
            self.last_closed = minute
            o, h, lo, c, v = entry.values
            bars = ClosedBars(minute, o, h, lo, c, v, entry.has)
            closed.append(ClosedMinute(bars, entry.last_arrival))
        return closed


class MinuteTrades:
    """Trades built into 1-minute bars; a minute closes ``grace`` after a later one began."""

    def __init__(self, symbols: Sequence[str], grace: float, counts: FeedCounts) -> None:
        self.aggregator = BarAggregator(symbols)
        self.grace = grace
        self.counts = counts
        self.with_data: set[int] = set()
        self.newest = -1
        #: minute → monotonic moment the first trade after its end arrived
        self.ended_at: dict[int, float] = {}
        self.last_arrival = 0.0
        #: the latest trade's moment: the clock follows it before a minute has closed
        self.latest_ts = 0.0

    def add(self, symbol: str, price: float, size: float, ts: float, now: float) -> None:
        i = self.aggregator.index_of.get(symbol)
        if i is None:
            self.counts.note("unknown_symbols", f"trade for unknown symbol {symbol!r}")
            return
        minute = minute_start_of(ts)
        last = self.aggregator.last_closed_minute
        if last is not None and minute <= last:
            self.counts.note("late", f"trade {symbol} at {ts} after its minute closed")
            return
        before = self.aggregator.rejected_ticks
        self.aggregator.add_tick(i, price, size, ts)
        if self.aggregator.rejected_ticks != before:
            self.counts.note("bad", f"bad trade {symbol}: price {price}, size {size}")
            return
        self.counts.trades += 1
        self.with_data.add(minute)
        self.last_arrival = now
        self.latest_ts = max(self.latest_ts, ts)
        if minute > self.newest:
            for earlier in self.with_data:
                if earlier < minute:
                    self.ended_at.setdefault(earlier, now)
            self.newest = minute

    def due(self, now: float, until: int | None = None) -> list[ClosedMinute]:
        """As ``MinuteBars.due``: ``until`` closes every minute before it, none from it on."""
        closed = []
        for minute in sorted(self.with_data):
            if until is not None and minute >= until:
                break
            ended = self.ended_at.get(minute)
            forced = until is not None
            if not (forced or (ended is not None and now >= ended + self.grace)):
                break
            self.with_data.discard(minute)
            arrival = self.ended_at.pop(minute, self.last_arrival)
            closed.append(ClosedMinute(self.aggregator.close_minute(minute), arrival))
        return closed
