"""Opening the database: one ``Database`` per process, read-write (engine) or read-only (app).

SQLite (the default) runs in WAL mode so the app reads while the engine writes; the app's
handle opens the file with ``mode=ro`` so SQLite itself refuses writes. PostgreSQL
connections of a read-only handle run every transaction ``READ ONLY``. Driver errors are
translated into ``StoreUnavailable`` (cannot reach) and ``ReadOnlyError`` (write refused).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tickstock.errors import ReadOnlyError, StoreError, StoreUnavailable

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
_READ_ONLY_MARKERS = ("readonly database", "read-only transaction", "read only transaction")


def async_url(url: str | URL) -> URL:
    """``url`` with an asyncio driver (aiosqlite / asyncpg) whatever driver it named."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver)


def sync_url(url: str | URL) -> URL:
    """``url`` with a blocking driver (pysqlite / psycopg), for migrations."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite")
    return parsed.set(drivername="postgresql+psycopg")


class Database:
    """An async engine with error translation; ``connect()`` for reads, ``begin()`` for writes."""

    def __init__(self, engine: AsyncEngine, *, read_only: bool) -> None:
        self.engine = engine
        self.read_only = read_only

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads (and, on a read-write handle, explicit transactions)."""
        with translate_errors(self.read_only):
            async with self.engine.connect() as conn:
                yield conn

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside a transaction committed on exit."""
        if self.read_only:
            raise ReadOnlyError("this database handle is read-only; the app never writes")
        with translate_errors(False):
            async with self.engine.begin() as conn:
                yield conn

    async def ping(self, within: float = 2.0) -> bool:
        """True when a trivial query answers within ``within`` seconds."""
        try:
            async with asyncio.timeout(within):
                async with self.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except (StoreError, TimeoutError, OSError):
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()

    close = dispose


class translate_errors:
    """Turns driver errors into ``ReadOnlyError`` / ``StoreUnavailable``."""

    def __init__(self, read_only: bool) -> None:
        self.read_only = read_only

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or isinstance(exc, StoreError | asyncio.CancelledError):
            return False
        message = str(exc).lower()
        if isinstance(exc, SQLAlchemyError | OSError) and any(
            marker in message for marker in _READ_ONLY_MARKERS
        ):
            raise ReadOnlyError(f"write refused by a read-only database handle: {exc}") from exc
        if isinstance(exc, OperationalError | InterfaceError | OSError | ConnectionError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        ):
            raise StoreUnavailable(f"database unavailable: {_first_line(exc)}") from exc
        if type(exc).__module__.startswith("asyncpg") and "connect" in message:
            raise StoreUnavailable(f"database unavailable: {_first_line(exc)}") from exc
        return False


def open_database(url: str | URL, *, read_only: bool = False) -> Database:
    """Open (lazily: nothing connects until first use) the database at ``url``."""
    parsed = async_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        parsed = _prepare_sqlite(parsed, read_only)
        connect_args["timeout"] = 5
        engine = create_async_engine(parsed, connect_args=connect_args)
        _sqlite_pragmas(engine, read_only)
    else:
        connect_args["timeout"] = 3
        connect_args["command_timeout"] = 30
        if read_only:
            connect_args["server_settings"] = {"default_transaction_read_only": "on"}
        engine = create_async_engine(
            parsed, connect_args=connect_args, pool_pre_ping=True, pool_size=5, max_overflow=5
        )
    return Database(engine, read_only=read_only)


def _prepare_sqlite(url: URL, read_only: bool) -> URL:
    path = url.database or ""
    if path in ("", ":memory:") or path.startswith("file:"):
        return url
    file = Path(path).expanduser().resolve()
    if not read_only:
        file.parent.mkdir(parents=True, exist_ok=True)
        return url.set(database=str(file))
    return url.set(database=f"file:{file}", query={**url.query, "mode": "ro", "uri": "true"})


def _sqlite_pragmas(engine: AsyncEngine, read_only: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
