"""What the engine writes to the database, as ``WriteJob``s for the write queue.

The one place where the engine meets ``tickstock.store``: each job wraps one idempotent
``StoreWriter`` call, so the write queue can retry it after an outage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tickstock.contract import CriticalAlert, Health, SessionStart, SessionStop
from tickstock.engine.bars import ClosedBars
from tickstock.engine.pipeline import MinuteOutput
from tickstock.engine.write_queue import WriteJob


class StoreSink:
    """Builds write jobs for a ``StoreWriter``; None as writer makes every job a no-op."""

    def __init__(self, writer: Any | None, symbols: Sequence[str]) -> None:
        self.writer = writer
        self.symbols = tuple(symbols)

    def _job(
        self, kind: str, rows: int, method: str, *args: Any, droppable: bool = True
    ) -> WriteJob:
        writer = self.writer

        async def run() -> object:
            if writer is None:
                return None
            return await getattr(writer, method)(*args)

        return WriteJob(kind, rows, run, droppable)

    def _rows_job(
        self, kind: str, rows: int, method: str, build: Callable[[], Any], *args: Any
    ) -> WriteJob:
        """A job whose rows are built when it runs, in the write task: not on the hot path."""
        writer = self.writer

        async def run() -> object:
            if writer is None:
                return None
            return await getattr(writer, method)(build(), *args)

        return WriteJob(kind, rows, run)

    def minute(self, output: MinuteOutput, session_id: str | None) -> list[WriteJob]:
        """The jobs of one minute close: bars, indicators, indicator alerts, patterns."""
        bars = output.bars
        return [
            self._rows_job(
                "bars", output.n_bars, "write_bars", lambda: bar_rows(bars, self.symbols)
            ),
            self._rows_job(
                "indicators",
                output.n_calculations,
                "write_indicators",
                lambda: output.calculations,
                session_id,
            ),
            self._rows_job(
                "indicator_alerts",
                output.n_alerts,
                "write_indicator_alerts",
                lambda: output.alerts,
                session_id,
            ),
            self._rows_job(
                "patterns",
                output.n_detections,
                "write_patterns",
                lambda: output.detections,
                session_id,
            ),
        ]

    def session_started(self, record: SessionStart) -> WriteJob:
        return self._job("sessions", 1, "write_session_started", record, droppable=False)

    def session_stopped(self, record: SessionStop) -> WriteJob:
        return self._job("sessions", 1, "write_session_stopped", record, droppable=False)

    def health(self, health: Health, session_id: str | None) -> WriteJob:
        return self._job("health", 1, "write_health", health, session_id)

    def critical_alert(self, alert: CriticalAlert, session_id: str | None) -> WriteJob:
        return self._job(
            "critical_alerts", 1, "write_critical_alerts", [alert], session_id, droppable=False
        )


def bar_rows(bars: ClosedBars, symbols: Sequence[str]) -> list[dict[str, Any]]:
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
