"""Forming bars: the open minute's bar so far, on the bars channel at most once a second.

A chart and a price grid need the price between minute closes. Every ``interval`` real
seconds the runner hands the aggregator's open minute here; only the symbols whose bar
changed since the last publish (a new tick moved its volume or close) go out, as
``streaming_bars`` messages with ``closed: false``. So a symbol gets at most one forming bar
per interval, and a quiet symbol none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tickstock.contract import format_timestamp
from tickstock.engine import wire
from tickstock.engine.bars import ClosedBars
from tickstock.engine.messages import bar_messages
from tickstock.engine.publisher import Outgoing


class FormingBars:
    """Decides when, and for which symbols, the open minute's bars are published."""

    def __init__(self, symbols: Sequence[str], interval: float = 1.0) -> None:
        self.symbol_json = [wire.json_text(symbol) for symbol in symbols]
        self.interval = interval
        n = len(symbols)
        self._minute = -1
        self._sent_volume = np.full(n, np.nan)
        self._sent_close = np.full(n, np.nan)
        self._last_at = -np.inf
        self.published_bars = 0

    def due(self, now: float) -> bool:
        """True once ``interval`` seconds have passed since the last publish."""
        return now - self._last_at >= self.interval

    def messages(self, bars: ClosedBars | None, now: float) -> list[Outgoing]:
        """The changed symbols' forming bars (droppable: the next second supersedes them)."""
        self._last_at = now
        if bars is None:
            return []
        if bars.minute_start != self._minute:
            self._minute = bars.minute_start
            self._sent_volume[:] = np.nan
            self._sent_close[:] = np.nan
        changed = bars.has_bar & ~(
            (bars.volume == self._sent_volume) & (bars.close == self._sent_close)
        )
        if not changed.any():
            return []
        self._sent_volume[changed] = bars.volume[changed]
        self._sent_close[changed] = bars.close[changed]
        self.published_bars += int(np.count_nonzero(changed))
        stamp = format_timestamp(bars.timestamp)
        return bar_messages(self.symbol_json, bars, changed, stamp, closed=False)
