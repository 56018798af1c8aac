"""The engine's writer: batched, idempotent inserts of everything the engine publishes.

Each call is one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` executed for all its rows
(``executemany``, split in chunks that stay under the driver's bound-parameter limit) inside
one transaction. Unique keys make every call safe to retry after an outage: a detection
written twice stays one row, and the call returns the rows it actually inserted (RETURNING
counts them on both dialects; asyncpg reports no rowcount for ``executemany``). Rows come
as contract models or as their wire dicts (the engine's hot path builds wire dicts
directly); both give the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from tickstock.contract import parse_timestamp, to_wire
from tickstock.contract.events import is_high_confidence
from tickstock.contract.models import CriticalAlert, Health, SessionStart, SessionStop
from tickstock.store import tables
from tickstock.store.database import Database

Row = Mapping[str, Any]

#: Bound parameters one statement may carry: SQLite's SQLITE_MAX_VARIABLE_NUMBER (999 before
#: 3.32), asyncpg's 32767.
MAX_PARAMETERS = {
    "sqlite": 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999,
    "postgresql": 32767,
}


def chunks(
    rows: Sequence[dict[str, Any]], columns: int, dialect: str
) -> Iterator[Sequence[dict[str, Any]]]:
    """``rows`` in slices whose parameters (rows × columns) fit in one statement."""
    size = max(1, MAX_PARAMETERS.get(dialect, 999) // max(1, columns))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _wire(item: BaseModel | Row) -> Row:
    return to_wire(item) if isinstance(item, BaseModel) else item


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        return parse_timestamp(value, zone_required=True)
    if value.tzinfo is None:
        raise ValueError(f"naive timestamp {value!r}: the store keeps UTC times only")
    return value.astimezone(UTC)


def alert_key(row: Row) -> str:
    """The idempotency key of a ``streaming_alerts`` row (SQL NULLs are all distinct), per
    session like the other tables' keys."""
    stamp = row["timestamp"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if row["kind"] == "indicator":
        key = f"indicator|{row['symbol']}|{row['alert_type']}|{stamp}"
    else:
        key = f"critical|{row['component']}|{int(bool(row['resolved']))}|{stamp}"
    session = row.get("session_id")
    return f"{key}|{session}" if session else key


def _next_session_seq() -> Any:
    """The next session position, computed by the database in the INSERT itself."""
    t = tables.streaming_sessions
    return select(func.coalesce(func.max(t.c.seq), 0) + 1).scalar_subquery()


class StoreWriter:
    """Writes contract payloads to the tables; every method returns the rows inserted."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def _dialect(self) -> Any:
        return postgresql if self.database.dialect == "postgresql" else sqlite

    async def _insert(self, table: Table, rows: Sequence[dict[str, Any]]) -> int:
        if not rows:
            return 0
        name = self.database.dialect
        dialect = self._dialect()
        key = next(iter(table.primary_key.columns))
        statement = dialect.insert(table).on_conflict_do_nothing().returning(key)
        inserted = 0
        async with self.database.begin() as conn:
            for chunk in chunks(rows, len(rows[0]), name):
                result = await conn.execute(statement, list(chunk))
                inserted += len(result.all())
        return inserted

    # --- sessions ----------------------------------------------------------------------

    async def write_session_started(self, session: SessionStart | Row) -> int:
        s = _wire(session)
        row = {
            "session_id": s["session_id"],
            "universe": s["universe"],
            "status": "active",
            "started_at": _utc(s["started_at"]),
            "symbol_count": s["symbol_count"],
        }
        t = tables.streaming_sessions
        statement = (
            self._dialect()
            .insert(t)
            .values(seq=_next_session_seq())
            .on_conflict_do_nothing()
            .returning(t.c.session_id)
        )
        async with self.database.begin() as conn:
            return len((await conn.execute(statement, row)).all())

    async def write_session_stopped(self, session: SessionStop | Row) -> int:
        """Close the session row; a stop for a session never seen creates its row.

        That row's start is derived from ``stopped_at - duration_seconds``; its universe is
        ``"unknown"`` and its symbol count 0, since only the start event carries them.
        """
        s = _wire(session)
        stopped_at = _utc(s["stopped_at"])
        closing = {
            "status": "stopped",
            "stopped_at": stopped_at,
            "duration_seconds": float(s["duration_seconds"]),
            "total_patterns": s["total_patterns"],
            "total_indicators": s["total_indicators"],
        }
        started = stopped_at - timedelta(seconds=float(s["duration_seconds"]))
        row = {
            "session_id": s["session_id"],
            "universe": "unknown",
            "started_at": started,
            "symbol_count": 0,
            **closing,
        }
        t = tables.streaming_sessions
        insert = self._dialect().insert(t).values(seq=_next_session_seq())
        statement = insert.on_conflict_do_update(
            index_elements=[t.c.session_id],
            set_={name: insert.excluded[name] for name in closing},
        )
        async with self.database.begin() as conn:
            await conn.execute(statement, row)
        return 1

    # --- the stream ----------------------------------------------------------------------

    async def write_patterns(
        self, detections: Iterable[BaseModel | Row], session_id: str | None
    ) -> int:
        rows = []
        for item in detections:
            d = _wire(item)
            bar = d["bar_data"]
            rows.append(
                {
                    "session_id": session_id,
                    "session_key": session_id or "",
                    "symbol": d["symbol"],
                    "pattern_type": d["pattern_type"],
                    "confidence": float(d["confidence"]),
                    "high_confidence": is_high_confidence(float(d["confidence"])),
                    "timestamp": _utc(d["timestamp"]),
                    "timeframe": d["timeframe"],
                    "open": float(bar["open"]),
                    "high": float(bar["high"]),
                    "low": float(bar["low"]),
                    "close": float(bar["close"]),
                    "volume": int(bar["volume"]),
                }
            )
        return await self._insert(tables.intraday_patterns, rows)

    async def write_indicators(
        self, calculations: Iterable[BaseModel | Row], session_id: str | None
    ) -> int:
        rows = []
        for item in calculations:
            c = _wire(item)
            rows.append(
                {
                    "session_id": session_id,
                    "session_key": session_id or "",
                    "symbol": c["symbol"],
                    "indicator": c["indicator"],
                    "value": float(c["value"]),
                    "values": dict(c["values"]) if c.get("values") else None,
                    "timestamp": _utc(c["timestamp"]),
                    "timeframe": c["timeframe"],
                    "metadata": dict(c["metadata"]) if c.get("metadata") else None,
                }
            )
        return await self._insert(tables.intraday_indicators, rows)

    async def write_bars(self, rows: Iterable[Row]) -> int:
        bars = [
            {
                "symbol": r["symbol"],
                "timestamp": _utc(r["timestamp"]),
                "open": float(r["open"]),
                "high": float(r["high"]),
                "low": float(r["low"]),
                "close": float(r["close"]),
                "volume": int(r["volume"]),
            }
            for r in rows
        ]
        return await self._insert(tables.ohlcv_1min, bars)

    async def write_health(self, health: Health | Row, session_id: str | None) -> int:
        h = _wire(health)
        flow, usage = h["data_flow"], h["resource_usage"]
        row = {
            "session_id": session_id,
            "session_key": session_id or "",
            "timestamp": _utc(h["timestamp"]),
            "status": h["status"],
            "active_symbols": h["active_symbols"],
            "connection_status": h["connection_status"],
            "ticks_per_second": float(flow["ticks_per_second"]),
            "bars_per_minute": float(flow["bars_per_minute"]),
            "processing_lag_ms": float(flow["processing_lag_ms"]),
            "cpu_percent": float(usage["cpu_percent"]),
            "memory_mb": float(usage["memory_mb"]),
            "threads_active": int(usage["threads_active"]),
            "issues": [i["message"] if isinstance(i, Mapping) else i for i in h.get("issues", [])],
        }
        return await self._insert(tables.streaming_health_metrics, [row])

    # --- alerts --------------------------------------------------------------------------

    async def write_indicator_alerts(
        self, alerts: Iterable[BaseModel | Row], session_id: str | None
    ) -> int:
        rows = []
        for item in alerts:
            a = _wire(item)
            data = a["data"]
            row = {
                "kind": "indicator",
                "session_id": session_id,
                "timestamp": _utc(a["timestamp"]),
                "symbol": a["symbol"],
                "alert_type": a["alert_type"],
                "indicator": data["indicator"],
                "value": float(data["value"]),
                "threshold": None if data.get("threshold") is None else float(data["threshold"]),
                "resolved": False,
            }
            rows.append({**row, "alert_key": alert_key(row)})
        return await self._insert(tables.streaming_alerts, rows)

    async def write_critical_alerts(
        self, alerts: Iterable[CriticalAlert | Row], session_id: str | None
    ) -> int:
        rows = []
        for item in alerts:
            a = _wire(item)
            row = {
                "kind": "critical",
                "session_id": session_id,
                "timestamp": _utc(a["timestamp"]),
                "severity": a["severity"],
                "message": a["message"],
                "component": a["component"],
                "action_required": a.get("action_required"),
                "resolved": bool(a.get("resolved", False)),
            }
            rows.append({**row, "alert_key": alert_key(row)})
        return await self._insert(tables.streaming_alerts, rows)
