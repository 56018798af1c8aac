"""What the engine writes to the database, as ``WriteJob``s for the write queue.

The one place where the engine meets ``tickstock.store``: each job wraps one idempotent
call of a ``StoreWriter`` — typed here as the ``MarketWriter`` protocol of the methods the
engine uses, so a renamed writer method fails the type check, not a run — and the write
queue can retry it after an outage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from tickstock.contract import CriticalAlert, Health, SessionStart, SessionStop
from tickstock.engine.bars import ClosedBars
from tickstock.engine.pipeline import MinuteOutput
from tickstock.engine.write_queue import WriteJob

Row = dict[str, Any]


class MarketWriter(Protocol):
    """The writer methods the engine calls (``tickstock.store.writer.StoreWriter``)."""

    async def write_bars(self, rows: list[Row]) -> int: ...
    async def write_indicators(self, calculations: list[Row], session_id: str | None) -> int: ...
    async def write_indicator_alerts(self, alerts: list[Row], session_id: str | None) -> int: ...
    async def write_patterns(self, detections: list[Row], session_id: str | None) -> int: ...
    async def write_session_started(self, session: SessionStart) -> int: ...
    async def write_session_stopped(self, session: SessionStop) -> int: ...
    async def write_health(self, health: Health, session_id: str | None) -> int: ...
    async def write_critical_alerts(
        self, alerts: list[CriticalAlert], session_id: str | None
    ) -> int: ...


Call = Callable[[MarketWriter], Awaitable[int]]


class StoreSink:
    """Builds write jobs for a ``MarketWriter``; None as writer makes every job a no-op."""

    def __init__(self, writer: MarketWriter | None, symbols: Sequence[str]) -> None:
        self.writer = writer
        self.symbols = tuple(symbols)

    def _job(self, kind: str, rows: int, call: Call, droppable: bool = True) -> WriteJob:
        """A job that makes ``call`` on the writer when it runs, in the write task.

        Rows that ``call`` builds (the minute's indicator rows …) are built then too: not
        on the hot path of the minute close.
        """
        writer = self.writer

        async def run() -> object:
            if writer is None:
                return None
            return await call(writer)

        return WriteJob(kind, rows, run, droppable)

    def minute(self, output: MinuteOutput, session_id: str | None) -> list[WriteJob]:
        """The jobs of one minute close: bars, indicators, indicator alerts, patterns."""
        return [
            self.bars(output),
            self._job(
                "indicators",
                output.n_calculations,
                lambda w: w.write_indicators(output.calculations, session_id),
            ),
            self._job(
                "indicator_alerts",
                output.n_alerts,
                lambda w: w.write_indicator_alerts(output.alerts, session_id),
            ),
            self._job(
                "patterns",
                output.n_detections,
                lambda w: w.write_patterns(output.detections, session_id),
            ),
        ]

    def bars(self, output: MinuteOutput) -> WriteJob:
        """The job writing one minute's bars (``ohlcv_1min``)."""
        bars, symbols = output.bars, self.symbols
        return self._job("bars", output.n_bars, lambda w: w.write_bars(bar_rows(bars, symbols)))

    def session_started(self, record: SessionStart) -> WriteJob:
        return self._job("sessions", 1, lambda w: w.write_session_started(record), False)

    def session_stopped(self, record: SessionStop) -> WriteJob:
        return self._job("sessions", 1, lambda w: w.write_session_stopped(record), False)

    def health(self, health: Health, session_id: str | None) -> WriteJob:
        return self._job("health", 1, lambda w: w.write_health(health, session_id))

    def critical_alert(self, alert: CriticalAlert, session_id: str | None) -> WriteJob:
        return self._job(
            "critical_alerts",
            1,
            lambda w: w.write_critical_alerts([alert], session_id),
            droppable=False,
        )


def bar_rows(bars: ClosedBars, symbols: Sequence[str]) -> list[Row]:
    """The ``ohlcv_1min`` rows of the symbols that had a bar this minute."""
    import numpy as np

    idx = np.flatnonzero(bars.has_bar)
    ts = bars.timestamp
    return [
        {
            "symbol": symbols[i],
            "timestamp": ts,
            "open": o,
            "high": h,
            "low": lo,
            "close": c,
            "volume": round(v),
        }
        for i, o, h, lo, c, v in zip(
            idx.tolist(),
            bars.open[idx].tolist(),
            bars.high[idx].tolist(),
            bars.low[idx].tolist(),
            bars.close[idx].tolist(),
            bars.volume[idx].tolist(),
            strict=True,
        )
    ]
