"""MACD, as TA-Lib's ``MACD``.

TA-Lib computes both EMAs from the bar where the slow one can start (index ``slow - 1``): the
slow EMA is seeded with the mean of the first ``slow`` closes and the fast EMA with the mean of
the last ``fast`` of those same closes. The signal EMA is seeded with the mean of its first
``signal`` MACD values. All three lines appear together at index ``slow + signal - 2`` (33 for
12/26/9). EMA step: ``ema = (x - ema) * k + ema``, ``k = 2 / (period + 1)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tickstock.engine.indicators.base import BoolArray, FloatArray, Indicator, ema_factor


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
        self.k_fast, self.k_slow, self.k_signal = map(ema_factor, (fast, slow, signal))
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
