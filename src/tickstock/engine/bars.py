"""One-minute OHLCV bars for every symbol of the universe, built from ticks.

The engine computes everything once per minute close, across all symbols at once, so bars
live in numpy arrays indexed by symbol (shape ``(n_symbols,)``) rather than in one object per
symbol. A tick belongs to the minute that contains its *exchange* timestamp, not to the minute
in which it happened to arrive:

* out-of-order ticks inside a minute are ordered by timestamp: open is the earliest tick,
  close the latest (equal timestamps keep arrival order);
* ticks for a minute that is already closed are counted in ``late_ticks`` and dropped — a
  published bar never changes afterwards;
* ticks for a future minute are held in that minute's own accumulator until it closes;
* a symbol with no tick in a minute has no bar (``has_bar`` is False and its values are NaN):
  a gap is not a flat bar, and indicators must not advance on it.

Timestamps are epoch seconds (UTC); a minute is identified by its start, a multiple of 60.
Volumes are float64 so that fractional sizes survive; the publisher rounds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

SECONDS_PER_MINUTE = 60


def minute_start_of(ts: float) -> int:
    """The start (epoch seconds) of the minute containing ``ts``."""
    return int(ts // SECONDS_PER_MINUTE) * SECONDS_PER_MINUTE


@dataclass(frozen=True, slots=True)
class ClosedBars:
    """The bars of one closed minute for the whole universe.

    Arrays are indexed by symbol; where ``has_bar`` is False the prices and volume are NaN.
    """

    minute_start: int
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    has_bar: BoolArray

    @property
    def n_symbols(self) -> int:
        return int(self.has_bar.shape[0])

    @property
    def timestamp(self) -> datetime:
        """The minute's start as an aware UTC datetime (the bar's published timestamp)."""
        return datetime.fromtimestamp(self.minute_start, tz=UTC)

    @classmethod
    def from_bars(
        cls,
        minute_start: int,
        n_symbols: int,
        symbol_idx: npt.ArrayLike,
        open: npt.ArrayLike,
        high: npt.ArrayLike,
        low: npt.ArrayLike,
        close: npt.ArrayLike,
        volume: npt.ArrayLike,
    ) -> ClosedBars:
        """Whole bars (e.g. from a CSV replay) for some symbols of one minute.

        Raises ``ValueError`` for an inconsistent bar (``low > min(open, close)``,
        ``high < max(open, close)``, a negative price or volume) or a symbol given twice,
        because replaying a broken file silently would publish broken bars.
        """
        if minute_start % SECONDS_PER_MINUTE:
            raise ValueError(f"minute_start {minute_start} is not on a minute boundary")
        idx = np.asarray(symbol_idx, dtype=np.intp)
        fields = [np.asarray(a, dtype=np.float64) for a in (open, high, low, close, volume)]
        if any(f.shape != idx.shape for f in fields):
            raise ValueError("symbol_idx and the OHLCV arrays must have the same length")
        o, h, lo, c, v = fields
        if idx.size and (idx.min() < 0 or idx.max() >= n_symbols):
            raise ValueError(f"symbol index out of range 0..{n_symbols - 1}")
        if np.unique(idx).size != idx.size:
            raise ValueError("a symbol appears twice in one minute")
        finite = np.isfinite(o) & np.isfinite(h) & np.isfinite(lo) & np.isfinite(c)
        consistent = (lo <= np.minimum(o, c)) & (h >= np.maximum(o, c)) & (lo >= 0) & (v >= 0)
        bad = ~(finite & consistent)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"inconsistent bar for symbol index {int(idx[first])}: "
                f"o={o[first]} h={h[first]} l={lo[first]} c={c[first]} v={v[first]}"
            )
        arrays = [np.full(n_symbols, np.nan) for _ in range(5)]
        for target, source in zip(arrays, fields, strict=True):
            target[idx] = source
        has_bar = np.zeros(n_symbols, dtype=np.bool_)
        has_bar[idx] = True
        return cls(minute_start, *arrays, has_bar=has_bar)


class _MinuteAccumulator:
    """Running OHLCV of one still-open minute, with the timestamps that decide open/close."""

    __slots__ = (
        "close",
        "close_ts",
        "has_tick",
        "high",
        "low",
        "n_ticks",
        "open",
        "open_ts",
        "volume",
    )

    def __init__(self, n_symbols: int) -> None:
        self.open = np.full(n_symbols, np.nan)
        self.high = np.full(n_symbols, -np.inf)
        self.low = np.full(n_symbols, np.inf)
        self.close = np.full(n_symbols, np.nan)
        self.volume = np.zeros(n_symbols)
        self.open_ts = np.full(n_symbols, np.inf)
        self.close_ts = np.full(n_symbols, -np.inf)
        self.has_tick = np.zeros(n_symbols, dtype=np.bool_)
        self.n_ticks = 0

    def add_one(self, i: int, price: float, size: float, ts: float) -> None:
        if ts < self.open_ts[i]:
            self.open[i] = price
            self.open_ts[i] = ts
        if ts >= self.close_ts[i]:
            self.close[i] = price
            self.close_ts[i] = ts
        self.high[i] = max(self.high[i], price)
        self.low[i] = min(self.low[i], price)
        self.volume[i] += size
        self.has_tick[i] = True
        self.n_ticks += 1

    def add_many(self, idx: IntArray, price: FloatArray, size: FloatArray, ts: FloatArray) -> None:
        # Sort by (symbol, ts); the stable sort keeps arrival order among equal timestamps,
        # so the first of a run is the open candidate and the last the close candidate.
        order = np.lexsort((ts, idx))
        idx, price, size, ts = idx[order], price[order], size[order], ts[order]
        starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
        ends = np.r_[starts[1:], idx.size] - 1
        symbols = idx[starts]

        first_ts, last_ts = ts[starts], ts[ends]
        earlier = first_ts < self.open_ts[symbols]  # an equal ts arrived later: keep the old open
        self.open[symbols[earlier]] = price[starts][earlier]
        self.open_ts[symbols[earlier]] = first_ts[earlier]
        later = last_ts >= self.close_ts[symbols]  # an equal ts arrived later: it is the close
        self.close[symbols[later]] = price[ends][later]
        self.close_ts[symbols[later]] = last_ts[later]

        self.high[symbols] = np.maximum(self.high[symbols], np.maximum.reduceat(price, starts))
        self.low[symbols] = np.minimum(self.low[symbols], np.minimum.reduceat(price, starts))
        self.volume[symbols] += np.add.reduceat(size, starts)
        self.has_tick[symbols] = True
        self.n_ticks += int(idx.size)

    def to_bars(self, minute_start: int) -> ClosedBars:
        missing = ~self.has_tick
        high, low = self.high.copy(), self.low.copy()
        high[missing] = np.nan
        low[missing] = np.nan
        volume = self.volume.copy()
        volume[missing] = np.nan
        return ClosedBars(
            minute_start, self.open, high, low, self.close, volume, self.has_tick.copy()
        )


class BarAggregator:
    """Ticks → one-minute OHLCV bars for a fixed universe of symbols.

    Symbols are addressed by their index in ``symbols`` (the fast path) or by name. The
    runtime calls :meth:`close_minute` once per minute, in increasing order, after the
    minute's grace period for stragglers has passed.
    """

    def __init__(self, symbols: Sequence[str]) -> None:
        self.symbols: tuple[str, ...] = tuple(symbols)
        if len(set(self.symbols)) != len(self.symbols):
            raise ValueError("symbols must be unique")
        self.index_of: dict[str, int] = {s: i for i, s in enumerate(self.symbols)}
        self._open_minutes: dict[int, _MinuteAccumulator] = {}
        self._last_closed: int | None = None
        #: ticks for a minute already closed (or skipped) — dropped, never merged
        self.late_ticks = 0
        #: ticks with an unknown symbol, a non-positive/NaN price or a negative/NaN size
        self.rejected_ticks = 0

    @property
    def n_symbols(self) -> int:
        return len(self.symbols)

    @property
    def last_closed_minute(self) -> int | None:
        return self._last_closed

    def _accumulator(self, minute: int) -> _MinuteAccumulator:
        acc = self._open_minutes.get(minute)
        if acc is None:
            acc = self._open_minutes[minute] = _MinuteAccumulator(self.n_symbols)
        return acc

    def add_tick(self, symbol: int | str, price: float, size: float, ts: float) -> None:
        """Add one tick; ``symbol`` is an index or a name from the universe."""
        i = self.index_of.get(symbol, -1) if isinstance(symbol, str) else int(symbol)
        if not (0 <= i < self.n_symbols and price > 0 and size >= 0):  # NaN fails too
            self.rejected_ticks += 1
            return
        minute = minute_start_of(ts)
        if self._last_closed is not None and minute <= self._last_closed:
            self.late_ticks += 1
            return
        self._accumulator(minute).add_one(i, float(price), float(size), float(ts))

    def add_ticks(
        self,
        symbol_idx: npt.ArrayLike,
        price: npt.ArrayLike,
        size: npt.ArrayLike,
        ts: npt.ArrayLike,
    ) -> None:
        """Add a batch of ticks (parallel arrays), possibly spanning several minutes."""
        idx = np.asarray(symbol_idx, dtype=np.intp)
        p = np.asarray(price, dtype=np.float64)
        s = np.asarray(size, dtype=np.float64)
        t = np.asarray(ts, dtype=np.float64)
        valid = (idx >= 0) & (idx < self.n_symbols) & (p > 0) & (s >= 0) & np.isfinite(t)
        self.rejected_ticks += int(idx.size - np.count_nonzero(valid))
        idx, p, s, t = idx[valid], p[valid], s[valid], t[valid]
        minutes = (t // SECONDS_PER_MINUTE).astype(np.int64) * SECONDS_PER_MINUTE
        if self._last_closed is not None:
            late = minutes <= self._last_closed
            self.late_ticks += int(np.count_nonzero(late))
            idx, p, s, t, minutes = idx[~late], p[~late], s[~late], t[~late], minutes[~late]
        if idx.size == 0:
            return
        for minute in np.unique(minutes):
            sel = minutes == minute
            self._accumulator(int(minute)).add_many(idx[sel], p[sel], s[sel], t[sel])

    def forming(self, minute_start: int) -> ClosedBars | None:
        """The still-open minute's bars so far (copies), or None before its first tick."""
        acc = self._open_minutes.get(minute_start)
        if acc is None or not acc.n_ticks:
            return None
        bars = acc.to_bars(minute_start)
        return ClosedBars(
            minute_start,
            bars.open.copy(),
            bars.high,
            bars.low,
            bars.close.copy(),
            bars.volume,
            bars.has_bar,
        )

    def close_minute(self, minute_start: int) -> ClosedBars:
        """Finish the minute starting at ``minute_start`` and return its bars.

        Closing a minute closes every earlier one too: ticks still held for an earlier,
        never-closed minute are counted as late and dropped.
        """
        if minute_start % SECONDS_PER_MINUTE:
            raise ValueError(f"minute_start {minute_start} is not on a minute boundary")
        if self._last_closed is not None and minute_start <= self._last_closed:
            raise ValueError(
                f"minute {minute_start} is not after the last closed minute {self._last_closed}"
            )
        for minute in [m for m in self._open_minutes if m < minute_start]:
            self.late_ticks += self._open_minutes.pop(minute).n_ticks
        acc = self._open_minutes.pop(minute_start, None) or _MinuteAccumulator(self.n_symbols)
        self._last_closed = minute_start
        return acc.to_bars(minute_start)
