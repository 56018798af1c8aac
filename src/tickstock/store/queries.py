"""Read-only queries of the app: the REST API's pages and the snapshot/backfill rows.

Every function takes an open ``AsyncConnection`` and returns *records*: flat dicts keyed by
column name with JSON-ready values (timestamps as ISO-8601 ``Z`` strings). Rows become
socket events in ``store.payloads``; the alert queries live in ``store.alert_queries``. Both
are re-exported here, so ``queries.alert_event`` and ``queries.alerts_page`` keep working.

Ordering: pages (``patterns_for_symbol``, ``alerts_page``, ``list_sessions``, indicators)
are newest first, except ``session_patterns_page`` (a session's detections, oldest first,
for playback); ``recent_*`` are oldest first ("newest last", the snapshot's order) and
keep the newest ``limit`` rows when there are more. What was stored *after* a row (a feed
gap, a resuming client) is read by position in ``store.positions``. Symbol queries
filter on ``symbol`` + a ``timestamp`` range, which the ``(symbol, timestamp)`` indexes serve.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from tickstock.store.alert_queries import (
    ALERT_COLUMNS,
    ALERT_KINDS,
    AlertFilter,
    alerts_chunk,
    alerts_page,
    open_critical_alerts,
    recent_alerts,
)
from tickstock.store.bounds import _bind, _time_range
from tickstock.store.payloads import (
    Record,
    _record,
    alert_event,
    as_utc,
    critical_alert_event,
    health_event,
    indicator_alert_event,
    indicator_calculation,
    indicator_event,
    pattern_detection,
    pattern_event,
    session_event,
    session_fields,
)
from tickstock.store.tables import (
    intraday_indicators,
    intraday_patterns,
    ohlcv_1min,
    streaming_alerts,
    streaming_health_metrics,
    streaming_sessions,
)

__all__ = [
    "ALERT_COLUMNS",
    "ALERT_KINDS",
    "AlertFilter",
    "Record",
    "alert_event",
    "alerts_chunk",
    "alerts_page",
    "as_utc",
    "critical_alert_event",
    "current_session",
    "health_event",
    "indicator_alert_event",
    "indicator_calculation",
    "indicator_event",
    "indicators_for_symbol",
    "latest_health",
    "latest_indicators",
    "list_sessions",
    "ohlcv_for_symbol",
    "open_critical_alerts",
    "pattern_detection",
    "pattern_event",
    "patterns_for_symbol",
    "recent_alerts",
    "recent_patterns",
    "session_event",
    "session_fields",
    "session_known",
    "session_patterns_page",
    "symbol_known",
]


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


# --- patterns -------------------------------------------------------------------------


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
