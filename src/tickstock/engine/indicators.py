"""Incremental RSI, MACD and Bollinger Bands for every symbol at once.

Each indicator keeps its running state in arrays of shape ``(n_symbols,)`` and advances, once
per minute close, only the symbols that have a new bar (``mask``). A symbol that misses a bar
simply does not advance, so its values are exactly what TA-Lib gives on that symbol's own
series of bars.

TA-Lib is the reference (`style.md`), so the arithmetic replicates TA-Lib's own, operation by
operation, rather than the textbook formulas:

* **RSI** (Wilder): the first averages are the plain means of the first ``period`` changes;
  then ``avg = (avg * (period - 1) + change) / period``. A series with no change at all gives
  RSI **0** (TA-Lib's choice when average gain + average loss is zero). First value after
  ``period`` changes, i.e. at the ``period + 1``-th bar (index 14 for RSI(14)).
* **MACD**: TA-Lib computes both EMAs from the bar where the slow one can start (index
  ``slow - 1``): the slow EMA is seeded with the mean of the first ``slow`` closes and the fast
  EMA with the mean of the last ``fast`` of those same closes. The signal EMA is seeded with the
  mean of its first ``signal`` MACD values. All three lines appear together at index
  ``slow + signal - 2`` (33 for 12/26/9). EMA step: ``ema = (x - ema) * k + ema``,
  ``k = 2 / (period + 1)``.
* **Bollinger Bands** (SMA middle, population standard deviation): running sums of ``x`` and
  ``x²`` in TA-Lib's order; variance ``E[x²] - mean²``, taken as 0 below 1e-8 (so a flat series
  has zero width). First value at index ``period - 1``.

Agreement with TA-Lib is to 1e-6 (in practice bit-identical) from each indicator's first value.

Each indicator declares what the rest of the engine needs (``Indicator``: its wire name, its
lines, its metadata, its warm-up) and is listed in ``INDICATORS``; the bank, the snapshot,
the pipeline's messages and the stored rows follow from that, so adding one touches this file
and its test.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: TA-Lib treats |x| < 1e-8 as zero (TA_IS_ZERO) and x < 1e-8 as not positive.
TA_EPSILON = 1e-8


def _ema_factor(period: int) -> float:
    return 2.0 / (period + 1)


class Indicator(ABC):
    """One indicator for every symbol, and what it declares for the wire.

    ``name`` is the indicator as published ("RSI"). ``lines`` maps each wire field to the
    attribute holding that line: ``"value"`` is the main line, the other fields are the
    message's ``values`` (none for a single-line indicator). ``metadata`` is published with
    every value. The constructor takes ``n_symbols`` and keyword parameters; the bank hands it
    the ones named ``<prefix>_<parameter>`` (``rsi_period`` → ``period``).
    """

    name: ClassVar[str]
    prefix: ClassVar[str]
    lines: ClassVar[dict[str, str]]
    bars_seen: npt.NDArray[np.int64]

    @property
    @abstractmethod
    def warmup_bars(self) -> int:
        """Bars a symbol needs before its first value."""

    @property
    def ready(self) -> BoolArray:
        return self.bars_seen >= self.warmup_bars

    @property
    @abstractmethod
    def metadata(self) -> dict[str, Any]:
        """Its parameters, as published with each value."""

    @abstractmethod
    def update(self, close: FloatArray, mask: BoolArray) -> None:
        """Advance the symbols in ``mask`` by their new ``close``."""


class RelativeStrengthIndex(Indicator):
    """Wilder's RSI, one running average gain/loss pair per symbol."""

    name, prefix = "RSI", "rsi"
    lines: ClassVar[dict[str, str]] = {"value": "value"}

    def __init__(self, n_symbols: int, period: int = 14) -> None:
        if period < 2:
            raise ValueError("RSI period must be at least 2")
        self.period = period
        self.bars_seen = np.zeros(n_symbols, dtype=np.int64)
        self.prev_close = np.full(n_symbols, np.nan)
        self.avg_gain = np.zeros(n_symbols)
        self.avg_loss = np.zeros(n_symbols)
        self.value = np.full(n_symbols, np.nan)

    @property
    def warmup_bars(self) -> int:
        """Bars needed before the first value (``period + 1``)."""
        return self.period + 1

    @property
    def metadata(self) -> dict[str, Any]:
        return {"period": self.period}

    def update(self, close: FloatArray, mask: BoolArray) -> None:
        p = self.period
        i = np.flatnonzero(mask & (self.bars_seen >= 1))
        change = close[i] - self.prev_close[i]
        gain, loss = np.maximum(change, 0.0), np.maximum(-change, 0.0)
        n_changes = self.bars_seen[i]  # this bar brings change number n_changes

        seeding = n_changes <= p
        s = i[seeding]
        self.avg_gain[s] += gain[seeding]  # plain sums while seeding
        self.avg_loss[s] += loss[seeding]
        seeded = i[n_changes == p]
        self.avg_gain[seeded] /= p
        self.avg_loss[seeded] /= p

        w, wg, wl = i[~seeding], gain[~seeding], loss[~seeding]
        self.avg_gain[w] = (self.avg_gain[w] * (p - 1) + wg) / p
        self.avg_loss[w] = (self.avg_loss[w] * (p - 1) + wl) / p

        out = i[n_changes >= p]
        total = self.avg_gain[out] + self.avg_loss[out]
        flat = np.abs(total) < TA_EPSILON
        self.value[out] = np.where(
            flat, 0.0, 100.0 * (self.avg_gain[out] / np.where(flat, 1, total))
        )

        self.prev_close[mask] = close[mask]
        self.bars_seen[mask] += 1


class MovingAverageConvergenceDivergence(Indicator):
    """MACD line, signal line and histogram, seeded exactly as TA-Lib's ``MACD``."""

    name, prefix = "MACD", "macd"
    lines: ClassVar[dict[str, str]] = {
        "value": "macd",
        "macd": "macd",
        "signal": "macd_signal",
        "histogram": "macd_hist",
    }

    def __init__(self, n_symbols: int, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        if not 1 < fast < slow or signal < 1:
            raise ValueError("MACD needs 1 < fast < slow and signal >= 1")
        self.fast, self.slow, self.signal = fast, slow, signal
        self.k_fast, self.k_slow, self.k_signal = map(_ema_factor, (fast, slow, signal))
        self.bars_seen = np.zeros(n_symbols, dtype=np.int64)
        self.fast_ema = np.zeros(n_symbols)  # a sum until index slow - 1, then the EMA
        self.slow_ema = np.zeros(n_symbols)
        self.signal_ema = np.zeros(n_symbols)
        self.macd = np.full(n_symbols, np.nan)
        self.macd_signal = np.full(n_symbols, np.nan)
        self.macd_hist = np.full(n_symbols, np.nan)

    @property
    def warmup_bars(self) -> int:
        """Bars needed before the first value (``slow + signal - 1``, 34 for 12/26/9)."""
        return self.slow + self.signal - 1

    @property
    def metadata(self) -> dict[str, Any]:
        return {"fast_period": self.fast, "slow_period": self.slow, "signal_period": self.signal}

    def update(self, close: FloatArray, mask: BoolArray) -> None:
        i = np.flatnonzero(mask)
        x, n = close[i], self.bars_seen[i]  # n = index of this bar in the symbol's series

        seeding = n < self.slow
        self.slow_ema[i[seeding]] += x[seeding]
        fast_window = seeding & (n >= self.slow - self.fast)
        self.fast_ema[i[fast_window]] += x[fast_window]
        seeded = i[n == self.slow - 1]
        self.slow_ema[seeded] /= self.slow
        self.fast_ema[seeded] /= self.fast

        e, xe = i[~seeding], x[~seeding]
        self.fast_ema[e] = (xe - self.fast_ema[e]) * self.k_fast + self.fast_ema[e]
        self.slow_ema[e] = (xe - self.slow_ema[e]) * self.k_slow + self.slow_ema[e]

        has_line = i[n >= self.slow - 1]
        line = self.fast_ema[has_line] - self.slow_ema[has_line]
        n_line = n[n >= self.slow - 1] - (self.slow - 1)  # index in the MACD-line series
        sig_seeding = n_line < self.signal
        self.signal_ema[has_line[sig_seeding]] += line[sig_seeding]
        self.signal_ema[has_line[n_line == self.signal - 1]] /= self.signal
        s, ls = has_line[~sig_seeding], line[~sig_seeding]
        self.signal_ema[s] = (ls - self.signal_ema[s]) * self.k_signal + self.signal_ema[s]

        out = n_line >= self.signal - 1
        o = has_line[out]
        self.macd[o] = line[out]
        self.macd_signal[o] = self.signal_ema[o]
        self.macd_hist[o] = line[out] - self.signal_ema[o]
        self.bars_seen[i] += 1


class BollingerBands(Indicator):
    """SMA middle band ± ``stddev`` population standard deviations, TA-Lib's ``BBANDS``."""

    name, prefix = "BB", "bb"
    lines: ClassVar[dict[str, str]] = {
        "value": "middle",
        "upper": "upper",
        "middle": "middle",
        "lower": "lower",
    }

    def __init__(self, n_symbols: int, period: int = 20, stddev: float = 2.0) -> None:
        if period < 2 or stddev <= 0:
            raise ValueError("Bollinger Bands need period >= 2 and stddev > 0")
        self.period, self.stddev = period, stddev
        self.bars_seen = np.zeros(n_symbols, dtype=np.int64)
        self.window = np.zeros((n_symbols, period))  # ring buffer of the last `period` closes
        self.sum = np.zeros(n_symbols)  # of the last period - 1 closes between updates
        self.sum_sq = np.zeros(n_symbols)
        self.upper = np.full(n_symbols, np.nan)
        self.middle = np.full(n_symbols, np.nan)
        self.lower = np.full(n_symbols, np.nan)

    @property
    def warmup_bars(self) -> int:
        return self.period

    @property
    def metadata(self) -> dict[str, Any]:
        return {"period": self.period, "std_dev": self.stddev}

    def update(self, close: FloatArray, mask: BoolArray) -> None:
        p = self.period
        i = np.flatnonzero(mask)
        x, n = close[i], self.bars_seen[i]
        self.window[i, n % p] = x
        self.sum[i] += x
        self.sum_sq[i] += x * x

        full = n >= p - 1
        f = i[full]
        mean = self.sum[f] / p
        variance = self.sum_sq[f] / p - mean * mean
        std = np.sqrt(np.where(variance < TA_EPSILON, 0.0, variance))
        oldest = self.window[f, (n[full] + 1) % p]  # first close of the current window
        self.sum[f] -= oldest
        self.sum_sq[f] -= oldest * oldest

        width = std * self.stddev
        self.middle[f] = mean
        self.upper[f] = mean + width
        self.lower[f] = mean - width
        self.bars_seen[i] += 1


#: Every indicator the engine computes, in the order of their messages each minute.
INDICATORS: Final[tuple[type[Indicator], ...]] = (
    RelativeStrengthIndex,
    MovingAverageConvergenceDivergence,
    BollingerBands,
)


@dataclass(frozen=True, slots=True)
class IndicatorValues:
    """One indicator's lines for every symbol after a minute close, by wire field.

    ``lines["value"]`` is the main line, the same array as the line it repeats (MACD's
    ``macd``, BB's ``middle``). A value is meaningful only where ``ready`` (NaN before).
    """

    ready: BoolArray
    lines: dict[str, FloatArray]

    @property
    def value(self) -> FloatArray:
        return self.lines["value"]

    def __getitem__(self, field: str) -> FloatArray:
        return self.lines[field]


@dataclass(frozen=True, slots=True)
class IndicatorSnapshot:
    """Every indicator's values for every symbol after one minute close, by wire name.

    ``updated`` marks the symbols that had a bar this minute; the values of the others are
    the ones from their last bar.
    """

    updated: BoolArray
    indicators: dict[str, IndicatorValues]  # in the order of ``INDICATORS``

    def __getitem__(self, name: str) -> IndicatorValues:
        return self.indicators[name]


class IndicatorBank:
    """All the engine's indicators for a universe of ``n_symbols``, advanced together.

    ``params`` are named ``<prefix>_<parameter>`` (``rsi_period=14``, ``bb_stddev=2.0``);
    an indicator not named in them keeps its defaults.
    """

    def __init__(self, n_symbols: int, **params: float) -> None:
        self.n_symbols = n_symbols
        unused = dict(params)
        self.indicators: list[Indicator] = []
        for kind in INDICATORS:
            mine = [k for k in params if k.startswith(f"{kind.prefix}_")]
            own = {k.removeprefix(f"{kind.prefix}_"): unused.pop(k) for k in mine}
            self.indicators.append(kind(n_symbols, **own))
        if unused:
            raise TypeError(f"no indicator takes {', '.join(sorted(unused))}")

    def update(self, close: npt.ArrayLike, mask: npt.ArrayLike) -> IndicatorSnapshot:
        """Advance the symbols in ``mask`` by their new ``close``; return copies of all values."""
        c = np.asarray(close, dtype=np.float64)
        m = np.asarray(mask, dtype=np.bool_)
        if c.shape != (self.n_symbols,) or m.shape != (self.n_symbols,):
            raise ValueError(f"close and mask must have shape ({self.n_symbols},)")
        if not np.isfinite(c[m]).all():
            raise ValueError("a close under the mask is not finite")
        for indicator in self.indicators:
            indicator.update(c, m)
        return IndicatorSnapshot(m.copy(), {i.name: _values_of(i) for i in self.indicators})


def _values_of(indicator: Indicator) -> IndicatorValues:
    """A copy of each of the indicator's lines; a line named twice (``value``) is copied once."""
    copies: dict[str, FloatArray] = {}
    lines: dict[str, FloatArray] = {}
    for field, attribute in indicator.lines.items():
        if attribute not in copies:
            copies[attribute] = getattr(indicator, attribute).copy()
        lines[field] = copies[attribute]
    return IndicatorValues(indicator.ready, lines)
