"""What the REST API reads (``ApiDependencies``) and how an endpoint runs a query."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from tickstock.app.auth import TokenAuth, auth_from_settings
from tickstock.app.metrics import AppMetrics
from tickstock.settings import Settings


class ReadDatabase(Protocol):
    """What the API needs of ``tickstock.store.database.Database``."""

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]: ...

    async def ping(self) -> Any: ...


@dataclass
class ApiDependencies:
    """Everything the API reads; the app core builds one at start-up.

    ``live_status()`` returns the app's in-memory state for ``/api/streaming/status``
    (e.g. ``{"redis": "connected", "database": "ok", "engine": "live", "metrics": {...}}``).
    ``redis_ping()`` is awaited by ``/readyz``: an exception or ``False`` means down.
    """

    database: ReadDatabase
    settings: Settings
    live_status: Callable[[], Mapping[str, Any]]
    redis_ping: Callable[[], Awaitable[Any]]
    metrics: AppMetrics = field(default_factory=AppMetrics)
    query_timeout: float = 5.0
    ready_timeout: float = 2.0
    rate_limit_clock: Callable[[], float] = time.monotonic
    auth_clock: Callable[[], float] = time.time

    @cached_property
    def auth(self) -> TokenAuth:
        return auth_from_settings(self.settings, clock=self.auth_clock)


async def run_query(
    deps: ApiDependencies, query: Callable[[AsyncConnection], Awaitable[Any]]
) -> Any:
    """Run ``query`` on a fresh read connection, bounded by ``deps.query_timeout``."""
    async with asyncio.timeout(deps.query_timeout), deps.database.connect() as conn:
        return await query(conn)
