"""RSI (Wilder), as TA-Lib's ``RSI``.

The first averages are the plain means of the first ``period`` changes; then
``avg = (avg * (period - 1) + change) / period``. A series with no change at all gives RSI
**0** (TA-Lib's choice when average gain + average loss is zero). First value after ``period``
changes, i.e. at the ``period + 1``-th bar (index 14 for RSI(14)).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tickstock.engine.indicators.base import TA_EPSILON, BoolArray, FloatArray, Indicator


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
