"""Opening the database: one ``Database`` per process, read-write (engine) or read-only (app).

SQLite (the default) runs in WAL mode so the app reads while the engine writes; the app's
handle opens the file with ``mode=ro`` so SQLite itself refuses writes. Every connection of
a read-only PostgreSQL handle runs ``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY``
(in production, also connect the app as a role that may only ``SELECT``: docs/database.md).

Driver errors never leak: a database that cannot be reached (refused, down, starting up,
shutting down, missing file, schema not migrated) is ``StoreUnavailable``; a write refused by
a read-only handle is ``ReadOnlyError``. Anything else (a bug in a query) is left as is.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tickstock.errors import ReadOnlyError, StoreError, StoreUnavailable

PING_TIMEOUT = 2.0
SQLITE_BUSY_TIMEOUT_MS = 5000
POSTGRES_CONNECT_TIMEOUT = 3.0

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
_READ_ONLY_MESSAGES = ("readonly database", "read-only transaction", "read only transaction")
_READ_ONLY_SQLSTATES = ("25006", "42501")  # read_only_sql_transaction, insufficient_privilege
# connection exception, insufficient resources (too many connections), operator intervention
# (admin/crash shutdown, cannot connect now), invalid authorization, unknown database,
# undefined table (not migrated yet)
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P", "28", "3D000", "42P01")
# sqlite3 raises OperationalError for SQL mistakes too: only these mean "cannot use it now"
_SQLITE_UNAVAILABLE_MESSAGES = (
    "unable to open database file",
    "database is locked",
    "disk i/o error",
    "no such table",
    "file is not a database",
    "database disk image is malformed",
)


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


def display_url(url: str | URL) -> str:
    """``url`` fit for logs and messages: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """An async engine with error translation; ``connect()`` for reads, ``begin()`` for writes."""

    def __init__(self, engine: AsyncEngine, *, read_only: bool) -> None:
        self.engine = engine
        self.read_only = read_only

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        return display_url(self.engine.url)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads (and, on a read-write handle, explicit transactions)."""
        with translate_errors(read_only=self.read_only):
            async with self.engine.connect() as conn:
                yield conn

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside a transaction, committed on a clean exit."""
        if self.read_only:
            raise ReadOnlyError(
                f"the database handle on {self.url} is read-only: the app never writes"
            )
        with translate_errors(read_only=False):
            async with self.engine.begin() as conn:
                yield conn

    async def ping(self, within: float = PING_TIMEOUT) -> bool:
        """True when ``SELECT 1`` answers within ``within`` seconds, never slower."""
        try:
            async with asyncio.timeout(within):
                async with self.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except (StoreError, TimeoutError, OSError):
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection (the handle can still be used afterwards)."""
        await self.engine.dispose()

    close = dispose


def classify_error(exc: BaseException, *, read_only: bool) -> type[StoreError] | None:
    """The ``StoreError`` a driver error means, or None for errors that are bugs."""
    if isinstance(exc, StoreError | asyncio.CancelledError):
        return None
    message = str(exc).lower()
    original = getattr(exc, "orig", None) or exc
    sqlstate = str(getattr(original, "sqlstate", None) or getattr(original, "pgcode", "") or "")
    if any(marker in message for marker in _READ_ONLY_MESSAGES) or (
        read_only and sqlstate.startswith(_READ_ONLY_SQLSTATES)
    ):
        return ReadOnlyError
    if sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
        return StoreUnavailable
    if isinstance(original, sqlite3.Error):
        unavailable = any(marker in message for marker in _SQLITE_UNAVAILABLE_MESSAGES)
        return StoreUnavailable if unavailable else None
    if isinstance(exc, OperationalError | InterfaceError | OSError):  # incl. TimeoutError
        return StoreUnavailable
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return StoreUnavailable
    if type(original).__module__.startswith("asyncpg") and "connect" in message:
        return StoreUnavailable
    return None


@contextmanager
def translate_errors(*, read_only: bool) -> Iterator[None]:
    """Re-raise driver errors as ``ReadOnlyError`` / ``StoreUnavailable`` (see the module)."""
    try:
        yield
    except (SQLAlchemyError, OSError, sqlite3.Error) as exc:
        kind = classify_error(exc, read_only=read_only)
        if kind is ReadOnlyError:
            raise ReadOnlyError(
                f"write refused by a read-only database handle: {_first_line(exc)}"
            ) from exc
        if kind is StoreUnavailable:
            raise StoreUnavailable(f"database unavailable: {_first_line(exc)}") from exc
        raise


def open_database(url: str | URL, *, read_only: bool = False) -> Database:
    """Open (lazily: nothing connects until first use) the database at ``url``.

    ``sqlite:///`` and ``postgresql://`` URLs are mapped to their asyncio drivers. A
    read-write SQLite handle creates the file's folder; a read-only one never creates
    anything.
    """
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        parsed = prepare_sqlite_url(parsed, read_only)
        engine = create_async_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _sqlite_pragmas(engine, read_only)
        if read_only:
            _require_sqlite_file(engine, parsed)
    else:
        engine = create_async_engine(
            parsed,
            connect_args={"timeout": POSTGRES_CONNECT_TIMEOUT, "command_timeout": 30},
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=5,
        )
        if read_only:
            _postgres_read_only(engine)
    return Database(engine, read_only=read_only)


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names (None for an in-memory database)."""
    path = url.database or ""
    if path in ("", ":memory:") or "mode=memory" in path:
        return None
    if path.startswith("file:"):
        path = path.removeprefix("file:").split("?", 1)[0]
    return Path(path).expanduser().resolve()


def prepare_sqlite_url(url: URL, read_only: bool) -> URL:
    file = sqlite_file(url)
    if file is None or (url.database or "").startswith("file:"):
        return url
    if not read_only:
        file.parent.mkdir(parents=True, exist_ok=True)
        return url.set(database=str(file))
    return url.set(database=f"file:{file}", query={**url.query, "mode": "ro", "uri": "true"})


def _sqlite_pragmas(engine: AsyncEngine, read_only: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not read_only:  # WAL is a property of the file: the writer sets it once for all
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _require_sqlite_file(engine: AsyncEngine, url: URL) -> None:
    """Fail fast, with a clear message, when the app starts before the engine made the file.

    (It also keeps aiosqlite from starting a worker thread for a connection that must fail.)
    """
    file = sqlite_file(url)

    @event.listens_for(engine.sync_engine, "do_connect")
    def _check(*_args: Any) -> None:
        if file is not None and not file.exists():
            raise sqlite3.OperationalError(
                f"unable to open database file {file}: it does not exist yet "
                "(the engine creates it; or run `tickstock db upgrade`)"
            )


def _postgres_read_only(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.close()
        dbapi_connection.commit()  # a SET inside a transaction rolled back would be undone


def _first_line(exc: BaseException) -> str:
    words = str(exc).strip()
    return words.splitlines()[0] if words else type(exc).__name__
