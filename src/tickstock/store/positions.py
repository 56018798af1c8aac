"""Positions in the stream as the database orders it: insertion ids, never timestamps.

A producer writes its rows in the order it publishes them (our engine's write queue is
FIFO behind its publisher; docs/producer-contract.md asks the same of others). So the id
of the row of the last detection (alert, health report) a subscriber received marks
where it was: every row with a larger id is what it may have missed, whatever the
session's clock says. A replayed or accelerated session's timestamps are not wall time,
and a second run of the same day repeats them: a time window would find nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tickstock.store.queries import ALERT_COLUMNS, Record, _bind, _record
from tickstock.store.tables import intraday_patterns, streaming_alerts, streaming_health_metrics

#: (symbol, pattern_type, timeframe, timestamp): a detection's identity, its row's unique key.
PatternIdentity = tuple[str, str, str, datetime]
#: ("indicator", symbol, alert_type, timestamp) or ("critical", component, resolved, timestamp)
AlertIdentity = tuple[str, str, Any, datetime]


@dataclass(frozen=True)
class StreamPosition:
    """The last row id seen per table (0: before the first row)."""

    patterns: int = 0
    alerts: int = 0
    health: int = 0

    def advanced(self, patterns: int = 0, alerts: int = 0, health: int = 0) -> StreamPosition:
        return StreamPosition(
            max(self.patterns, patterns), max(self.alerts, alerts), max(self.health, health)
        )


def _same_millisecond(column: Any, stamp: datetime) -> Any:
    """The wire carries milliseconds; a producer may store microseconds."""
    start = _bind(stamp).replace(microsecond=stamp.microsecond // 1000 * 1000)
    return and_(column >= start, column < start + timedelta(milliseconds=1))


async def latest_position(conn: AsyncConnection) -> StreamPosition:
    """The newest row of each table: "everything stored so far"."""

    async def newest(table: Table) -> int:
        return int((await conn.execute(select(func.max(table.c.id)))).scalar() or 0)

    return StreamPosition(
        await newest(intraday_patterns),
        await newest(streaming_alerts),
        await newest(streaming_health_metrics),
    )


async def pattern_position(conn: AsyncConnection, identities: Iterable[PatternIdentity]) -> int:
    """The largest id among the rows of these detections (0 when none is stored yet)."""
    c = intraday_patterns.c
    keys = [
        and_(
            c.symbol == symbol,
            c.pattern_type == pattern_type,
            c.timeframe == timeframe,
            _same_millisecond(c.timestamp, stamp),
        )
        for symbol, pattern_type, timeframe, stamp in identities
    ]
    if not keys:
        return 0
    return int((await conn.execute(select(func.max(c.id)).where(or_(*keys)))).scalar() or 0)


async def alert_position(conn: AsyncConnection, identities: Iterable[AlertIdentity]) -> int:
    """The largest id among the rows of these alerts (0 when none is stored yet)."""
    c = streaming_alerts.c
    keys = []
    for kind, name, detail, stamp in identities:
        if kind == "indicator":
            match = and_(c.symbol == name, c.alert_type == detail)
        else:
            match = and_(c.component == name, c.resolved == bool(detail))
        keys.append(and_(c.kind == kind, _same_millisecond(c.timestamp, stamp), match))
    if not keys:
        return 0
    return int((await conn.execute(select(func.max(c.id)).where(or_(*keys)))).scalar() or 0)


async def health_position(conn: AsyncConnection, stamps: Iterable[datetime]) -> int:
    c = streaming_health_metrics.c
    keys = [_same_millisecond(c.timestamp, stamp) for stamp in stamps]
    if not keys:
        return 0
    query = select(func.max(c.id)).where(or_(*keys))
    return int((await conn.execute(query)).scalar() or 0)


async def rows_after(
    conn: AsyncConnection,
    table: Table,
    after_id: int,
    limit: int,
    columns: Any = None,
    where: Any = None,
) -> list[Record]:
    """Rows of ``table`` with ``id > after_id`` (and ``where``), in id order, at most ``limit``."""
    selected = [table.c[name] for name in columns] if columns else [table]
    query = select(*selected).where(table.c.id > after_id).order_by(table.c.id).limit(limit)
    if where is not None:
        query = query.where(where)
    return [_record(row, columns) for row in (await conn.execute(query)).all()]


async def patterns_after(
    conn: AsyncConnection, after_id: int, limit: int, session_id: str | None = None
) -> list[Record]:
    """Detections after ``after_id`` (of one session when given)."""
    c = intraday_patterns.c
    where = c.session_id == session_id if session_id is not None else None
    return await rows_after(conn, intraday_patterns, after_id, limit, where=where)


async def alerts_after(
    conn: AsyncConnection,
    after_id: int,
    limit: int,
    session_id: str | None = None,
    kind: str | None = None,
) -> list[Record]:
    """Alerts after ``after_id`` (of one session, of one kind, when given)."""
    c = streaming_alerts.c
    conditions = []
    if session_id is not None:
        conditions.append(c.session_id == session_id)
    if kind is not None:
        conditions.append(c.kind == kind)
    where = and_(*conditions) if conditions else None
    return await rows_after(conn, streaming_alerts, after_id, limit, ALERT_COLUMNS, where)


async def health_after(conn: AsyncConnection, after_id: int, limit: int) -> list[Record]:
    return await rows_after(conn, streaming_health_metrics, after_id, limit)
