"""Database rows → socket events: the one place a stored row becomes an event's payload.

A *record* is a flat dict keyed by column name with JSON-ready values (timestamps as
ISO-8601 ``Z`` strings). The ``*_event(record)`` converters turn a record into exactly the
payload the matching socket event carries (docs/socket-protocol.md), so a row read back
from the database and an event relayed live look the same to the browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tickstock.contract import Channel, events, format_timestamp, message_types

Record = dict[str, Any]


# --- records --------------------------------------------------------------------------


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _record(row: Any, columns: Sequence[str] | None = None) -> Record:
    mapping = row._mapping if hasattr(row, "_mapping") else row
    keys = columns if columns is not None else list(mapping.keys())
    return {key: _json_value(mapping[key]) for key in keys}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_timestamp(as_utc(value))
    return value


def _timestamp(value: Any) -> Any:
    return format_timestamp(as_utc(value)) if isinstance(value, datetime) else value


# --- socket event shapes --------------------------------------------------------------


def pattern_detection(record: Mapping[str, Any]) -> Record:
    """The plan's ``detection`` object of a pattern record."""
    return {
        "symbol": record["symbol"],
        "pattern_type": record["pattern_type"],
        "confidence": record["confidence"],
        "timestamp": _timestamp(record["timestamp"]),
        "timeframe": record["timeframe"],
        "bar_data": {
            "open": record["open"],
            "high": record["high"],
            "low": record["low"],
            "close": record["close"],
            "volume": record["volume"],
        },
    }


def pattern_event(record: Mapping[str, Any]) -> Record:
    """``streaming_pattern`` data; ``channels`` is inferred from the stored high-confidence
    flag (the writer sets it by ``events.is_high_confidence``)."""
    channels = events.pattern_channels(bool(record["high_confidence"]))
    return events.pattern_event(pattern_detection(record), channels)


def indicator_calculation(record: Mapping[str, Any]) -> Record:
    """The plan's ``calculation`` object; ``values``/``metadata`` only when stored."""
    calculation: Record = {
        "symbol": record["symbol"],
        "indicator": record["indicator"],
        "value": record["value"],
        "timestamp": _timestamp(record["timestamp"]),
        "timeframe": record["timeframe"],
    }
    if record.get("values"):
        calculation["values"] = record["values"]
    if record.get("metadata"):
        calculation["metadata"] = record["metadata"]
    return calculation


def indicator_event(record: Mapping[str, Any]) -> Record:
    return events.indicator_event(indicator_calculation(record))


def indicator_alert_event(record: Mapping[str, Any]) -> Record:
    data: Record = {"indicator": record["indicator"], "value": record["value"]}
    if record.get("threshold") is not None:
        data["threshold"] = record["threshold"]
    return {
        "type": message_types.INDICATOR_ALERT,
        "alert": {
            "symbol": record["symbol"],
            "alert_type": record["alert_type"],
            "timestamp": _timestamp(record["timestamp"]),
            "data": data,
        },
    }


def critical_alert_event(record: Mapping[str, Any]) -> Record:
    alert: Record = {
        "severity": record["severity"],
        "message": record["message"],
        "timestamp": _timestamp(record["timestamp"]),
        "component": record["component"],
        "resolved": bool(record["resolved"]),
    }
    if record.get("action_required") is not None:
        alert["action_required"] = record["action_required"]
    return {"type": message_types.CRITICAL_ALERT, "alert": alert}


def alert_event(record: Mapping[str, Any]) -> Record:
    """``indicator_alert`` or ``critical_alert`` data, by the record's ``kind``."""
    if events.alert_channel(record["kind"]) is Channel.ALERTS_CRITICAL:
        return critical_alert_event(record)
    return indicator_alert_event(record)


def health_event(record: Mapping[str, Any]) -> Record:
    return {
        "type": message_types.HEALTH,
        "health": {
            "status": record["status"],
            "timestamp": _timestamp(record["timestamp"]),
            "active_symbols": record["active_symbols"],
            "connection_status": record["connection_status"],
            "data_flow": {
                "ticks_per_second": record["ticks_per_second"],
                "bars_per_minute": record["bars_per_minute"],
                "processing_lag_ms": record["processing_lag_ms"],
            },
            "resource_usage": {
                "cpu_percent": record["cpu_percent"],
                "memory_mb": record["memory_mb"],
                "threads_active": record["threads_active"],
            },
            "issues": list(record.get("issues") or []),
        },
    }


def session_fields(record: Mapping[str, Any]) -> Record:
    """Every plan session field plus ``status`` (the snapshot's ``session``)."""
    return {
        "session_id": record["session_id"],
        "universe": record["universe"],
        "started_at": _timestamp(record["started_at"]),
        "symbol_count": record["symbol_count"],
        "status": record["status"],
        "stopped_at": _timestamp(record.get("stopped_at")),
        "duration_seconds": record.get("duration_seconds"),
        "total_patterns": record.get("total_patterns"),
        "total_indicators": record.get("total_indicators"),
    }


def session_event(record: Mapping[str, Any]) -> Record:
    """``streaming_session_started`` for an active session, ``..._stopped`` once stopped."""
    fields = session_fields(record)
    if events.session_channel(record["status"]) is Channel.SESSION_STOPPED:
        return {"type": message_types.SESSION_STOPPED, "session": fields}
    started = {key: fields[key] for key in ("session_id", "universe", "started_at")}
    started.update(symbol_count=fields["symbol_count"], status="active")
    return {"type": message_types.SESSION_STARTED, "session": started}
