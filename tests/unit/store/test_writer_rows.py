"""The writer's pure parts: alert idempotency keys and statement chunking."""

from __future__ import annotations

from datetime import UTC, datetime

from tickstock.store.writer import MAX_PARAMETERS, alert_key, chunks

T = datetime(2025, 10, 5, 11, 30, tzinfo=UTC)


def test_an_indicator_alert_is_identified_by_symbol_type_and_time() -> None:
    row = {"kind": "indicator", "symbol": "AAPL", "alert_type": "RSI_OVERBOUGHT", "timestamp": T}

    assert alert_key(row) == "indicator|AAPL|RSI_OVERBOUGHT|2025-10-05T11:30:00.000000Z"


def test_a_critical_alert_and_its_recovery_have_different_keys() -> None:
    alert = {"kind": "critical", "component": "massive_websocket", "resolved": False}
    alert["timestamp"] = T

    raised, resolved = alert_key(alert), alert_key({**alert, "resolved": True})

    assert raised == "critical|massive_websocket|0|2025-10-05T11:30:00.000000Z"
    assert resolved == "critical|massive_websocket|1|2025-10-05T11:30:00.000000Z"


def test_the_same_alert_in_two_sessions_has_two_keys() -> None:
    """A second run of the same day alerts at the same moments: its rows are its own."""
    row = {"kind": "indicator", "symbol": "AAPL", "alert_type": "RSI_OVERBOUGHT", "timestamp": T}

    first, second = alert_key({**row, "session_id": "s1"}), alert_key({**row, "session_id": "s2"})

    assert first == "indicator|AAPL|RSI_OVERBOUGHT|2025-10-05T11:30:00.000000Z|s1"
    assert second != first


def test_chunks_keep_every_statement_under_the_parameter_limit() -> None:
    rows = [{"n": i} for i in range(10_001)]

    parts = list(chunks(rows, columns=7, dialect="sqlite"))

    assert [row for part in parts for row in part] == rows, "every row once, in order"
    assert all(len(part) * 7 <= MAX_PARAMETERS["sqlite"] for part in parts)
    assert len(parts) == -(-10_001 // (MAX_PARAMETERS["sqlite"] // 7))


def test_a_row_wider_than_the_limit_still_goes_alone() -> None:
    assert [len(p) for p in chunks([{}, {}], columns=10**6, dialect="postgresql")] == [1, 1]
