"""End-to-end fixtures (a migrated SQLite database, the app on a free port) and the latency report.

Every relay latency measured by the end-to-end tests (``harness.LATENCIES``) is written to
``bench/results/e2e_latency.json`` at the end of the run and summarised in one line of the
terminal report, so the figures show without ``-s``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.e2e.harness import LATENCIES
from tests.e2e.outages import FAULT_MATRIX
from tests.integration.relay_harness import running_app

from tickstock.settings import load_settings
from tickstock.store.database import open_database
from tickstock.store.migrations import upgrade

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "e2e_latency.json"
FAULTS = RESULTS.parent / "fault_matrix.json"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """A SQLite database migrated to head, as ``tickstock db upgrade`` leaves it."""
    upgrade(sqlite_url)
    return sqlite_url


@pytest.fixture
def start_app(database_url: str):  # type: ignore[no-untyped-def]
    """``async with start_app(redis_url, **settings) as app`` — the real app, read-only DB."""

    def start(redis_url: str, **overrides: Any) -> Any:
        settings = load_settings(redis_url=redis_url, database_url=database_url, **overrides)
        return running_app(settings, open_database(database_url, read_only=True))

    return start


def latency_summary() -> dict[str, Any]:
    def figures(values: list[float]) -> dict[str, float]:
        array = np.asarray(values)
        return {
            "count": int(array.size),
            "p50_ms": round(float(np.percentile(array, 50)), 2),
            "p99_ms": round(float(np.percentile(array, 99)), 2),
            "max_ms": round(float(array.max()), 2),
        }

    everything = [v for values in LATENCIES.values() for v in values]
    return {
        "what": "Redis publish -> python-socketio client receive, end-to-end tests (one loop "
        "runs app, clients and probe)",
        "events": {event: figures(values) for event, values in sorted(LATENCIES.items())},
        "all": figures(everything) if everything else None,
    }


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FAULT_MATRIX:
        FAULTS.parent.mkdir(parents=True, exist_ok=True)
        FAULTS.write_text(json.dumps(FAULT_MATRIX, indent=2) + "\n")
        for row in FAULT_MATRIX:
            since = row.get("stored_from_fault")
            terminalreporter.write_line(
                f"fault matrix: {row['scenario']} at {row['clock']}: stored {row['stored']}"
                + (f" ({since} from the fault's minute on)" if since else "")
                + f", lost {row['lost']}, feed_gaps {row['feed_gaps']},"
                f" snapshots {row['snapshots']}"
            )
    if not LATENCIES:
        return
    summary = latency_summary()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    total = summary["all"]
    per_event = ", ".join(
        f"{event} p99 {f['p99_ms']} ms (n={f['count']})" for event, f in summary["events"].items()
    )
    terminalreporter.write_line(
        f"e2e relay latency: p50 {total['p50_ms']} ms, p99 {total['p99_ms']} ms, "
        f"max {total['max_ms']} ms over {total['count']} events; {per_event} "
        f"-> {RESULTS.relative_to(RESULTS.parents[2])}"
    )
