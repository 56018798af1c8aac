"""Read-only queries of the app: the REST API's pages and the snapshot/backfill rows.

Every function takes an open ``AsyncConnection`` and returns *records*: flat dicts keyed by
column name with JSON-ready values (timestamps as ISO-8601 ``Z`` strings). The
``*_event(record)`` converters turn a record into exactly the payload the matching socket
event carries (docs/socket-protocol.md), so a row read back from the database and an event
relayed live look the same to the browser.

Ordering: pages (``patterns_for_symbol``, ``alerts_page``, ``list_sessions``, indicators)
are newest first, except ``session_patterns_page`` (a session's detections, oldest first,
for playback); ``recent_*`` and ``*_between`` are oldest first ("newest last", the
snapshot's order) and keep the newest ``limit`` rows when there are more. Symbol queries
filter on ``symbol`` + a ``timestamp`` range, which the ``(symbol, timestamp)`` indexes serve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, Table, and_, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from tickstock.contract import format_timestamp
from tickstock.contract.channels import Channel
from tickstock.store.tables import (
    intraday_indicators,
    intraday_patterns,
    ohlcv_1min,
    streaming_alerts,
    streaming_health_metrics,
    streaming_sessions,
)

Record = dict[str, Any]

ALERT_KINDS = ("indicator", "critical")
#: Columns of an alert record, in CSV order.
ALERT_COLUMNS = (
    "id",
    "kind",
    "timestamp",
    "symbol",
    "alert_type",
    "indicator",
    "value",
    "threshold",
    "severity",
    "message",
    "component",
    "action_required",
    "resolved",
    "session_id",
)


# --- records --------------------------------------------------------------------------


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bind(value: datetime) -> datetime:
    # Bind in UTC: SQLite's DateTime drops the zone, so a non-UTC offset would shift times.
    return as_utc(value)


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
    """``streaming_pattern`` data; ``channels`` is inferred from the high-confidence flag."""
    high = bool(record["high_confidence"])
    channels = [Channel.PATTERNS_STREAMING.value]
    if high:
        channels.append(Channel.PATTERNS_DETECTED.value)
    return {
        "type": "streaming_pattern",
        "detection": pattern_detection(record),
        "high_confidence": high,
        "channels": channels,
    }


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
    return {"type": "streaming_indicator", "calculation": indicator_calculation(record)}


def indicator_alert_event(record: Mapping[str, Any]) -> Record:
    data: Record = {"indicator": record["indicator"], "value": record["value"]}
    if record.get("threshold") is not None:
        data["threshold"] = record["threshold"]
    return {
        "type": "indicator_alert",
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
    return {"type": "critical_alert", "alert": alert}


def alert_event(record: Mapping[str, Any]) -> Record:
    """``indicator_alert`` or ``critical_alert`` data, by the record's ``kind``."""
    if record["kind"] == "critical":
        return critical_alert_event(record)
    return indicator_alert_event(record)


def health_event(record: Mapping[str, Any]) -> Record:
    return {
        "type": "streaming_health",
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
    if record["status"] == "stopped":
        return {"type": "streaming_session_stopped", "session": fields}
    started = {key: fields[key] for key in ("session_id", "universe", "started_at")}
    started.update(symbol_count=fields["symbol_count"], status="active")
    return {"type": "streaming_session_started", "session": started}


# --- sessions -------------------------------------------------------------------------


#: Sessions by position (the order they were written), then, for rows written before
#: migration 0003 or by a producer that leaves ``seq`` empty, by start time.
LATEST_SESSION_FIRST = (
    streaming_sessions.c.seq.desc().nulls_last(),
    streaming_sessions.c.started_at.desc(),
)


async def current_session(conn: AsyncConnection) -> Record | None:
    """The latest session with live counts of what was stored for it, or None."""
    row = (
        await conn.execute(select(streaming_sessions).order_by(*LATEST_SESSION_FIRST).limit(1))
    ).first()
    if row is None:
        return None
    session = session_fields(_record(row))
    session_id = session["session_id"]
    counts = (
        await conn.execute(
            select(
                _count(intraday_patterns, intraday_patterns.c.session_id == session_id),
                _count(intraday_indicators, intraday_indicators.c.session_id == session_id),
                _count(
                    streaming_alerts,
                    and_(
                        streaming_alerts.c.session_id == session_id,
                        streaming_alerts.c.kind == "indicator",
                    ),
                ),
            )
        )
    ).one()
    session["counts"] = {"patterns": counts[0], "indicators": counts[1], "alerts": counts[2]}
    return session


def _count(table: Table, condition: Any) -> Any:
    return select(func.count()).select_from(table).where(condition).scalar_subquery()


async def list_sessions(
    conn: AsyncConnection, limit: int = 20, before: datetime | None = None
) -> list[Record]:
    """Sessions newest first, started strictly before ``before`` when given."""
    query = select(streaming_sessions).order_by(streaming_sessions.c.started_at.desc())
    if before is not None:
        query = query.where(streaming_sessions.c.started_at < _bind(before))
    rows = (await conn.execute(query.limit(limit))).all()
    return [session_fields(_record(row)) for row in rows]


async def sessions_between(
    conn: AsyncConnection, start: datetime, end: datetime, limit: int = 100
) -> list[Record]:
    """Sessions started or stopped in ``[start, end)``, oldest first."""
    c = streaming_sessions.c
    in_range = or_(
        and_(c.started_at >= _bind(start), c.started_at < _bind(end)),
        and_(c.stopped_at >= _bind(start), c.stopped_at < _bind(end)),
    )
    query = select(streaming_sessions).where(in_range).order_by(c.started_at.desc()).limit(limit)
    rows = (await conn.execute(query)).all()
    return [session_fields(_record(row)) for row in reversed(rows)]


# --- patterns -------------------------------------------------------------------------


def _time_range(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    conditions = []
    if since is not None:
        conditions.append(column >= _bind(since))
    if until is not None:
        conditions.append(column < _bind(until))
    return conditions


async def patterns_for_symbol(
    conn: AsyncConnection,
    symbol: str,
    limit: int = 50,
    since: datetime | None = None,
    until: datetime | None = None,
    min_confidence: float | None = None,
    pattern_type: str | None = None,
) -> list[Record]:
    """A symbol's detections in ``[since, until)``, newest first."""
    c = intraday_patterns.c
    conditions = [c.symbol == symbol, *_time_range(c.timestamp, since, until)]
    if min_confidence is not None:
        conditions.append(c.confidence >= min_confidence)
    if pattern_type is not None:
        conditions.append(c.pattern_type == pattern_type)
    query = (
        select(intraday_patterns)
        .where(*conditions)
        .order_by(c.timestamp.desc(), c.id.desc())
        .limit(limit)
    )
    return [_record(row) for row in (await conn.execute(query)).all()]


async def recent_patterns(
    conn: AsyncConnection, limit: int = 50, session_id: str | None = None
) -> list[Record]:
    """The newest ``limit`` detections (of one session when given), newest last."""
    c = intraday_patterns.c
    query = select(intraday_patterns).order_by(c.timestamp.desc(), c.id.desc()).limit(limit)
    if session_id is not None:
        query = query.where(c.session_id == session_id)
    return [_record(row) for row in reversed((await conn.execute(query)).all())]


async def patterns_between(
    conn: AsyncConnection, start: datetime, end: datetime, limit: int = 1000
) -> list[Record]:
    """Detections in ``[start, end)``, oldest first (the newest ``limit`` of them)."""
    c = intraday_patterns.c
    query = (
        select(intraday_patterns)
        .where(*_time_range(c.timestamp, start, end))
        .order_by(c.timestamp.desc(), c.id.desc())
        .limit(limit)
    )
    return [_record(row) for row in reversed((await conn.execute(query)).all())]


async def session_patterns_page(
    conn: AsyncConnection,
    session_id: str,
    page: int = 1,
    per_page: int = 100,
    symbol: str | None = None,
    pattern_type: str | None = None,
    min_confidence: float | None = None,
) -> tuple[list[Record], int]:
    """One page of a session's detections oldest first (timestamp, then id), and the total.

    The ``session_id`` index selects the session's rows; the page is sorted among them.
    """
    c = intraday_patterns.c
    conditions = [c.session_id == session_id]
    if symbol is not None:
        conditions.append(c.symbol == symbol)
    if pattern_type is not None:
        conditions.append(c.pattern_type == pattern_type)
    if min_confidence is not None:
        conditions.append(c.confidence >= min_confidence)
    total = (
        await conn.execute(select(func.count()).select_from(intraday_patterns).where(*conditions))
    ).scalar_one()
    query = (
        select(intraday_patterns)
        .where(*conditions)
        .order_by(c.timestamp.asc(), c.id.asc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = (await conn.execute(query)).all()
    return [_record(row) for row in rows], int(total)


async def session_known(conn: AsyncConnection, session_id: str) -> bool:
    """Whether a session row, or any detection, carries ``session_id`` (index seeks)."""
    probes = [
        select(literal(1)).where(column == session_id).limit(1).subquery().select()
        for column in (streaming_sessions.c.session_id, intraday_patterns.c.session_id)
    ]
    row = (await conn.execute(union_all(*probes).limit(1))).first()
    return row is not None


# --- alerts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertFilter:
    """The filters shared by the alerts page and its CSV export."""

    kind: str | None = None
    alert_type: str | None = None
    symbol: str | None = None
    severity: str | None = None
    since: datetime | None = None
    session_id: str | None = None

    def conditions(self) -> list[Any]:
        c = streaming_alerts.c
        conditions: list[Any] = []
        if self.kind is not None:
            conditions.append(c.kind == self.kind)
        if self.alert_type is not None:
            conditions.append(c.alert_type == self.alert_type)
        if self.symbol is not None:
            conditions.append(c.symbol == self.symbol)
        if self.severity is not None:
            conditions.append(c.severity == self.severity)
        if self.since is not None:
            conditions.append(c.timestamp >= _bind(self.since))
        if self.session_id is not None:
            conditions.append(c.session_id == self.session_id)
        return conditions


def _alert_select(filters: AlertFilter) -> Select[Any]:
    c = streaming_alerts.c
    return (
        select(*(c[name] for name in ALERT_COLUMNS))
        .where(*filters.conditions())
        .order_by(c.timestamp.desc(), c.id.desc())
    )


async def alerts_page(
    conn: AsyncConnection,
    page: int = 1,
    per_page: int = 50,
    kind: str | None = None,
    alert_type: str | None = None,
    symbol: str | None = None,
    severity: str | None = None,
    since: datetime | None = None,
    session_id: str | None = None,
) -> tuple[list[Record], int]:
    """One page of alerts newest first, and how many match in all."""
    filters = AlertFilter(kind, alert_type, symbol, severity, since, session_id)
    total = (
        await conn.execute(
            select(func.count()).select_from(streaming_alerts).where(*filters.conditions())
        )
    ).scalar_one()
    query = _alert_select(filters).limit(per_page).offset((page - 1) * per_page)
    rows = (await conn.execute(query)).all()
    return [_record(row, ALERT_COLUMNS) for row in rows], int(total)


async def alerts_chunk(
    conn: AsyncConnection,
    filters: AlertFilter,
    after: tuple[datetime, int] | None = None,
    limit: int = 1000,
) -> tuple[list[Record], tuple[datetime, int] | None]:
    """Keyset page for exports: the rows after ``after`` (newest first) and the next key."""
    c = streaming_alerts.c
    query = _alert_select(filters)
    if after is not None:
        at, row_id = _bind(after[0]), after[1]
        query = query.where(or_(c.timestamp < at, and_(c.timestamp == at, c.id < row_id)))
    rows = (await conn.execute(query.limit(limit))).all()
    if not rows:
        return [], None
    last = rows[-1]._mapping
    return [_record(row, ALERT_COLUMNS) for row in rows], (as_utc(last["timestamp"]), last["id"])


async def recent_alerts(
    conn: AsyncConnection, limit: int = 30, session_id: str | None = None
) -> list[Record]:
    """The newest ``limit`` indicator alerts (of one session when given), newest last."""
    query = _alert_select(AlertFilter(kind="indicator", session_id=session_id)).limit(limit)
    return [_record(row, ALERT_COLUMNS) for row in reversed((await conn.execute(query)).all())]


async def alerts_between(
    conn: AsyncConnection, start: datetime, end: datetime, limit: int = 1000
) -> list[Record]:
    """Alerts of both kinds in ``[start, end)``, oldest first (the newest ``limit``)."""
    c = streaming_alerts.c
    query = (
        select(*(c[name] for name in ALERT_COLUMNS))
        .where(*_time_range(c.timestamp, start, end))
        .order_by(c.timestamp.desc(), c.id.desc())
        .limit(limit)
    )
    return [_record(row, ALERT_COLUMNS) for row in reversed((await conn.execute(query)).all())]


async def open_critical_alerts(
    conn: AsyncConnection, session_id: str | None = None
) -> list[Record]:
    """Per component, its latest critical alert (by position) when that one is not a
    recovery; of one session when given."""
    c = streaming_alerts.c
    rank = func.row_number().over(partition_by=c.component, order_by=c.id.desc()).label("rank")
    critical = select(*(c[name] for name in ALERT_COLUMNS), rank).where(c.kind == "critical")
    if session_id is not None:
        critical = critical.where(c.session_id == session_id)
    latest = critical.subquery()
    query = (
        select(*(latest.c[name] for name in ALERT_COLUMNS))
        .where(latest.c.rank == 1, latest.c.resolved == literal(False))
        .order_by(latest.c.timestamp, latest.c.id)
    )
    return [_record(row, ALERT_COLUMNS) for row in (await conn.execute(query)).all()]


# --- indicators, health, bars ---------------------------------------------------------


async def indicators_for_symbol(
    conn: AsyncConnection,
    symbol: str,
    indicator: str | None = None,
    limit: int = 50,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Record]:
    """A symbol's indicator values in ``[since, until)``, newest first."""
    c = intraday_indicators.c
    conditions = [c.symbol == symbol, *_time_range(c.timestamp, since, until)]
    if indicator is not None:
        conditions.append(c.indicator == indicator)
    query = (
        select(intraday_indicators)
        .where(*conditions)
        .order_by(c.timestamp.desc(), c.id.desc())
        .limit(limit)
    )
    return [_record(row) for row in (await conn.execute(query)).all()]


async def latest_indicators(
    conn: AsyncConnection,
    limit: int = 500,
    since: datetime | None = None,
    session_id: str | None = None,
) -> list[Record]:
    """The latest value of each (symbol, indicator), by symbol then indicator.

    Pass ``since`` or ``session_id`` (e.g. the current session) to bound the rows scanned.
    """
    c = intraday_indicators.c
    rank = (
        func.row_number()
        .over(partition_by=(c.symbol, c.indicator), order_by=(c.timestamp.desc(), c.id.desc()))
        .label("rank")
    )
    ranked = select(intraday_indicators, rank).where(*_time_range(c.timestamp, since, None))
    if session_id is not None:
        ranked = ranked.where(c.session_id == session_id)
    latest = ranked.subquery()
    columns = [col.name for col in intraday_indicators.columns]
    query = (
        select(*(latest.c[name] for name in columns))
        .where(latest.c.rank == 1)
        .order_by(latest.c.symbol, latest.c.indicator)
        .limit(limit)
    )
    return [_record(row, columns) for row in (await conn.execute(query)).all()]


async def latest_health(conn: AsyncConnection, session_id: str | None = None) -> Record | None:
    """The last health report stored (by position: a replayed day's clock runs backwards)."""
    c = streaming_health_metrics.c
    query = select(streaming_health_metrics).order_by(c.id.desc()).limit(1)
    if session_id is not None:
        query = query.where(c.session_id == session_id)
    row = (await conn.execute(query)).first()
    return _record(row) if row is not None else None


async def health_between(
    conn: AsyncConnection, start: datetime, end: datetime, limit: int = 100
) -> list[Record]:
    """Health rows in ``[start, end)``, oldest first (the newest ``limit``)."""
    c = streaming_health_metrics.c
    query = (
        select(streaming_health_metrics)
        .where(*_time_range(c.timestamp, start, end))
        .order_by(c.timestamp.desc())
        .limit(limit)
    )
    return [_record(row) for row in reversed((await conn.execute(query)).all())]


async def ohlcv_for_symbol(
    conn: AsyncConnection,
    symbol: str,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 390,
) -> list[Record]:
    """A symbol's newest ``limit`` 1-minute bars in ``[since, until)``, oldest first (charts)."""
    c = ohlcv_1min.c
    query = (
        select(ohlcv_1min)
        .where(c.symbol == symbol, *_time_range(c.timestamp, since, until))
        .order_by(c.timestamp.desc())
        .limit(limit)
    )
    return [_record(row) for row in reversed((await conn.execute(query)).all())]


async def symbol_known(conn: AsyncConnection, symbol: str) -> bool:
    """Whether any table holds a row for ``symbol`` (each probe is one index seek)."""
    probes = [
        select(literal(1)).where(table.c.symbol == symbol).limit(1).subquery().select()
        for table in (intraday_patterns, intraday_indicators, ohlcv_1min, streaming_alerts)
    ]
    row = (await conn.execute(union_all(*probes).limit(1))).first()
    return row is not None
