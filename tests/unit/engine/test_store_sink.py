"""StoreSink: every job calls the writer method of its kind, with its session."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import numpy as np

from tickstock.contract import CriticalAlert
from tickstock.engine.bars import ClosedBars
from tickstock.engine.store_sink import StoreSink, bar_rows


class RecordingWriter:
    """Stands for StoreWriter: records each call (name, arguments)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        async def call(*args: Any) -> int:
            self.calls.append((name, args))
            return 1

        return call


def test_a_critical_alert_job_writes_one_alert_with_its_session() -> None:
    writer = RecordingWriter()
    sink = StoreSink(writer, ("AAPL",))  # type: ignore[arg-type]
    alert = CriticalAlert(
        severity="critical",
        message="down",
        timestamp=datetime(2025, 3, 3, 15, tzinfo=UTC),
        component="massive_websocket",
    )
    job = sink.critical_alert(alert, "s-1")
    asyncio.run(job.run())
    assert writer.calls == [("write_critical_alerts", ([alert], "s-1"))]
    assert job.droppable is False


def test_without_a_writer_every_job_is_a_no_op() -> None:
    sink = StoreSink(None, ("AAPL",))
    assert asyncio.run(sink.session_started(None).run()) is None  # type: ignore[arg-type]


def test_bar_rows_are_the_symbols_with_a_bar() -> None:
    bars = ClosedBars.from_bars(60, 2, [1], [1.0], [2.0], [0.5], [1.5], [100.0])
    rows = bar_rows(bars, ("AAA", "BBB"))
    assert [r["symbol"] for r in rows] == ["BBB"]
    assert rows[0]["volume"] == 100
    assert np.isnan(bars.open[0])
