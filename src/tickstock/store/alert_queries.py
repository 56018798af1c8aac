"""Read-only queries of the alerts (both kinds): the alerts page, its CSV export, the
snapshot's recent and open critical alerts. Ordering as in ``store.queries``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tickstock.store.bounds import _bind
from tickstock.store.payloads import Record, _record, as_utc
from tickstock.store.tables import streaming_alerts

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
