"""Bollinger Bands, as TA-Lib's ``BBANDS`` with ``matype=0``.

SMA middle band, population standard deviation: running sums of ``x`` and ``x²`` in TA-Lib's
order; variance ``E[x²] - mean²``, taken as 0 below 1e-8 (so a flat series has zero width).
First value at index ``period - 1``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tickstock.engine.indicators.base import TA_EPSILON, BoolArray, FloatArray, Indicator


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
