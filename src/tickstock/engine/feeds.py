"""Market-data feeds: a seeded synthetic market and a CSV replay of one-minute bars.

The synthetic feed is deterministic given its seed and the simulated clock: every simulated
second (or minute, in bar mode) draws from its own generator seeded by ``(seed, second)``,
so the same clock gives the same ticks however the runtime slices time. Ticks come out as
parallel numpy arrays, one chunk per simulated second — never one Python object per tick —
which keeps 5,000 symbols cheap.

Prices follow a geometric Brownian motion whose volatility switches between three regimes
(calm, normal, volatile) per symbol, minute by minute; tick and volume intensity follow the
U shape of a trading day (busy at the open and the close, quiet at lunch).
"""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tickstock.contract import parse_timestamp
from tickstock.engine.bars import SECONDS_PER_MINUTE, ClosedBars
from tickstock.engine.universe import is_valid_symbol
from tickstock.errors import FeedError, TimestampError

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: Annualised volatility of each regime, and the per-minute chance of leaving a regime.
REGIME_VOLATILITY = np.array([0.15, 0.35, 0.9])
REGIME_SWITCH_PROBABILITY = 0.02
#: Standard deviation of the overnight move (log return) from one day's close to the next open.
OVERNIGHT_GAP = 0.01
#: Trading seconds in a year (252 days of 6.5 hours), to scale annual volatility.
SECONDS_PER_YEAR = 252 * 23_400
CSV_HEADER = ("timestamp", "symbol", "open", "high", "low", "close", "volume")


def intraday_intensity(seconds_since_open: float, session_seconds: float = 23_400) -> float:
    """The U-shaped activity multiplier: 2.5 at the open and close, 0.5 at mid-session."""
    x = min(max(seconds_since_open / session_seconds, 0.0), 1.0)
    return 0.5 + 8.0 * (x - 0.5) ** 2


@dataclass(frozen=True, slots=True)
class TickChunk:
    """The ticks of one stretch of simulated time, as parallel arrays."""

    symbol_idx: IntArray
    price: FloatArray
    size: FloatArray
    ts: FloatArray

    def __len__(self) -> int:
        return int(self.symbol_idx.size)


class SyntheticFeed:
    """A seeded market of ``n_symbols`` symbols, ticking at ``tick_rate`` per symbol per second.

    Call :meth:`ticks` with consecutive, increasing ranges of simulated time (or
    :meth:`bars` minute by minute in bar mode); the state (prices, regimes) advances with it.
    """

    def __init__(
        self,
        n_symbols: int,
        seed: int = 42,
        tick_rate: float = 1.0,
        session_open: float | None = None,
        session_seconds: float = 23_400,
        opening_prices: FloatArray | None = None,
    ) -> None:
        """``opening_prices``: the last day's closes, which this day opens from (an overnight
        gap away); without them the prices are drawn from the seed."""
        if tick_rate <= 0:
            raise ValueError("tick_rate must be positive")
        self.n_symbols = n_symbols
        self.seed = seed
        self.tick_rate = tick_rate
        self.session_open = session_open
        self.session_seconds = session_seconds
        rng = np.random.default_rng([seed, 0])
        self.last_price: FloatArray = np.round(
            np.exp(rng.uniform(np.log(10), np.log(800), n_symbols)), 2
        )
        self.regime = rng.choice(3, size=n_symbols, p=[0.3, 0.55, 0.15])
        self.base_size = np.exp(rng.uniform(np.log(50), np.log(500), n_symbols))
        if opening_prices is not None:
            gap = np.random.default_rng([seed, 3]).normal(0.0, OVERNIGHT_GAP, n_symbols)
            self.last_price = np.maximum(np.round(opening_prices * np.exp(gap), 2), 0.01)
        self._regime_minute: int | None = None
        self._next_second: int | None = None

    def _intensity(self, ts: float) -> float:
        if self.session_open is None:
            return 1.0
        return intraday_intensity(ts - self.session_open, self.session_seconds)

    def _advance_regimes(self, minute: int) -> None:
        if self._regime_minute == minute:
            return
        self._regime_minute = minute
        rng = np.random.default_rng([self.seed, 1, minute])
        switch = rng.random(self.n_symbols) < REGIME_SWITCH_PROBABILITY
        self.regime[switch] = rng.integers(0, 3, int(switch.sum()))

    def _sigma_per_second(self) -> FloatArray:
        return REGIME_VOLATILITY[self.regime] / math.sqrt(SECONDS_PER_YEAR)

    def ticks(self, start: float, end: float) -> TickChunk:
        """The ticks with timestamps in the whole simulated seconds of ``[start, end)``."""
        first, last = math.floor(start), math.floor(end)
        if self._next_second is not None:
            first = max(first, self._next_second)
        chunks = [self._one_second(s) for s in range(first, last)]
        if last > first:
            self._next_second = last
        if not chunks:
            empty = np.empty(0)
            return TickChunk(np.empty(0, dtype=np.intp), empty, empty, empty)
        return TickChunk(
            np.concatenate([c.symbol_idx for c in chunks]),
            np.concatenate([c.price for c in chunks]),
            np.concatenate([c.size for c in chunks]),
            np.concatenate([c.ts for c in chunks]),
        )

    def _one_second(self, second: int) -> TickChunk:
        self._advance_regimes(second // SECONDS_PER_MINUTE)
        rng = np.random.default_rng([self.seed, 2, second])
        intensity = self._intensity(second)
        counts = rng.poisson(self.tick_rate * intensity, self.n_symbols)
        idx = np.repeat(np.arange(self.n_symbols, dtype=np.intp), counts)
        n = idx.size
        if n == 0:
            empty = np.empty(0)
            return TickChunk(idx, empty, empty, empty)
        # Sort the offsets within each symbol's run so its ticks are in time order.
        offsets = np.sort(rng.random(n) + idx) - idx
        dt = 1.0 / np.maximum(counts[idx], 1)
        shocks = rng.standard_normal(n) * self._sigma_per_second()[idx] * np.sqrt(dt)
        cum = np.cumsum(shocks)
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        run_start = np.repeat(starts, counts)
        base = cum[run_start] - shocks[run_start]
        log_path = cum - base
        price = self.last_price[idx] * np.exp(log_path)
        ends = np.cumsum(counts) - 1
        ticked = counts > 0
        self.last_price[ticked] = price[ends[ticked]]
        size = np.maximum(
            1.0, np.round(rng.lognormal(0.0, 0.8, n) * self.base_size[idx] * intensity / 10)
        )
        return TickChunk(idx, np.round(price, 4), size, second + offsets)

    def bars(self, minute_start: int, steps: int = 8) -> ClosedBars:
        """Whole bars for one minute, without ticks: the fast mode for large universes."""
        self._advance_regimes(minute_start // SECONDS_PER_MINUTE)
        rng = np.random.default_rng([self.seed, 3, minute_start])
        intensity = self._intensity(minute_start + SECONDS_PER_MINUTE / 2)
        step_sigma = self._sigma_per_second() * math.sqrt(SECONDS_PER_MINUTE / steps)
        shocks = rng.standard_normal((steps, self.n_symbols)) * step_sigma
        path = self.last_price * np.exp(np.cumsum(shocks, axis=0))
        open_ = self.last_price.copy()
        close = np.round(path[-1], 4)
        high = np.maximum(np.round(path.max(axis=0), 4), np.maximum(open_, close))
        low = np.minimum(np.round(path.min(axis=0), 4), np.minimum(open_, close))
        volume = np.round(
            rng.lognormal(0.0, 0.5, self.n_symbols)
            * self.base_size
            * self.tick_rate
            * SECONDS_PER_MINUTE
            * intensity
        )
        self.last_price = close.copy()
        has_bar = np.ones(self.n_symbols, dtype=np.bool_)
        return ClosedBars(minute_start, open_, high, low, close, volume, has_bar)


@dataclass(slots=True)
class ReplayData:
    """A validated CSV replay: its symbols and one ``ClosedBars`` per minute, in time order."""

    source: str
    symbols: tuple[str, ...]
    minutes: list[ClosedBars]
    skipped_rows: int = 0
    skipped_reasons: list[str] = field(default_factory=list)

    @property
    def first_minute(self) -> int | None:
        return self.minutes[0].minute_start if self.minutes else None


@dataclass(frozen=True, slots=True)
class _Row:
    minute: int
    symbol: str
    values: tuple[float, float, float, float, float]


def _parse_timestamp(text: str) -> int:
    try:
        moment = parse_timestamp(text, zone_required=True)
    except TimestampError as exc:
        hint = "; use UTC with Z" if exc.kind == "zoneless" else ""
        raise ValueError(f"{exc}{hint}") from None
    epoch = moment.timestamp()
    if epoch % SECONDS_PER_MINUTE:
        raise ValueError(f"timestamp {text!r} is not the start of a minute")
    return int(epoch)


def _parse_row(cells: Sequence[str]) -> _Row:
    if len(cells) != len(CSV_HEADER):
        raise ValueError(f"expected {len(CSV_HEADER)} columns, got {len(cells)}")
    minute = _parse_timestamp(cells[0])
    symbol = cells[1].strip()
    if not is_valid_symbol(symbol):
        raise ValueError(f"symbol {symbol!r} does not match the contract's symbol format")
    try:
        o, h, lo, c, v = (float(x) for x in cells[2:])
    except ValueError:
        raise ValueError("open, high, low, close and volume must be numbers") from None
    if not all(math.isfinite(x) for x in (o, h, lo, c, v)):
        raise ValueError("prices and volume must be finite")
    if min(o, h, lo, c) < 0 or v < 0:
        raise ValueError("prices and volume must not be negative")
    if lo > min(o, c) or h < max(o, c):
        raise ValueError(f"inconsistent bar: open={o} high={h} low={lo} close={c}")
    if v != int(v):
        raise ValueError(f"volume {v} is not a whole number")
    return _Row(minute, symbol, (o, h, lo, c, v))


class _CheckedRows:
    """A replay file's rows, checked one by one: a row that does not parse, or a second bar
    for a (minute, symbol), raises ``FeedError`` with its line - or, with ``skip_bad_rows``,
    is noted in ``skipped`` and left out."""

    def __init__(self, source: str, skip_bad_rows: bool) -> None:
        self.source = source
        self.skip_bad_rows = skip_bad_rows
        self.kept: list[_Row] = []
        self.skipped: list[str] = []
        self._seen: set[tuple[int, str]] = set()

    def parse(self, line: int, cells: Sequence[str]) -> _Row | None:
        """The row of ``cells`` (not kept yet), or ``None`` when it was skipped."""
        try:
            row = _parse_row(cells)
            if (row.minute, row.symbol) in self._seen:
                raise ValueError(f"a second bar for {row.symbol} at {cells[0].strip()}")
        except ValueError as exc:
            if not self.skip_bad_rows:
                raise FeedError(self.source, line, str(exc)) from None
            self.skipped.append(f"line {line}: {exc}")
            return None
        return row

    def keep(self, row: _Row) -> None:
        self._seen.add((row.minute, row.symbol))
        self.kept.append(row)

    def replay(self) -> ReplayData:
        """The kept rows as minutes of bars."""
        return _to_minutes(self.source, self.kept, self.skipped)


def load_replay(path: str | Path, skip_bad_rows: bool = False) -> ReplayData:
    """Read and validate the whole CSV before anything is published.

    A malformed row raises ``FeedError`` with its line number, unless ``skip_bad_rows``:
    then it is counted, logged and left out.
    """
    source = str(path)
    try:
        handle = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise FeedError(source, None, f"cannot open: {exc.strerror}") from None
    rows = _CheckedRows(source, skip_bad_rows)
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip().lower() for h in header) != CSV_HEADER:
            raise FeedError(source, 1, f"header must be {','.join(CSV_HEADER)}")
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            row = rows.parse(line, cells)
            if row is None:
                log.warning("replay %s: skipped %s", source, rows.skipped[-1])
                continue
            rows.keep(row)
    if rows.skipped:
        log.warning("replay %s: skipped %d bad rows", source, len(rows.skipped))
    return rows.replay()


def _to_minutes(source: str, rows: list[_Row], skipped: list[str]) -> ReplayData:
    symbols = tuple(sorted({r.symbol for r in rows}))
    index = {s: i for i, s in enumerate(symbols)}
    rows.sort(key=lambda r: (r.minute, index[r.symbol]))
    minutes: list[ClosedBars] = []
    start = 0
    while start < len(rows):
        minute = rows[start].minute
        end = start
        while end < len(rows) and rows[end].minute == minute:
            end += 1
        chunk = rows[start:end]
        values = np.array([r.values for r in chunk], dtype=np.float64)
        minutes.append(
            ClosedBars.from_bars(
                minute,
                len(symbols),
                [index[r.symbol] for r in chunk],
                values[:, 0],
                values[:, 1],
                values[:, 2],
                values[:, 3],
                values[:, 4],
            )
        )
        start = end
    return ReplayData(source, symbols, minutes, len(skipped), skipped)
