"""Time bounds of the app's queries, bound in UTC whatever the database's datetime type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tickstock.store.payloads import as_utc


def _bind(value: datetime) -> datetime:
    # Bind in UTC: SQLite's DateTime drops the zone, so a non-UTC offset would shift times.
    return as_utc(value)


def _time_range(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    conditions = []
    if since is not None:
        conditions.append(column >= _bind(since))
    if until is not None:
        conditions.append(column < _bind(until))
    return conditions
