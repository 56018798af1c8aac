"""Opening the database against real SQLite and PostgreSQL: read-only handles refuse writes,
an unreachable database is ``StoreUnavailable``, and ping never takes longer than its bound."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, make_url, select, text
from tests.servers import PostgresServer, free_port

from tickstock.contract import PatternDetection
from tickstock.errors import ReadOnlyError, StoreUnavailable
from tickstock.store import tables
from tickstock.store.database import Database, open_database
from tickstock.store.migrations import upgrade
from tickstock.store.writer import StoreWriter

WRITES = {
    "insert": "INSERT INTO ohlcv_1min VALUES ('A', '2025-01-01 00:00:00', 1, 1, 1, 1, 1)",
    "update": "UPDATE streaming_sessions SET status = 'x'",
    "delete": "DELETE FROM intraday_patterns",
}


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts TCP connections and never answers: a hung database server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def detection(symbol: str = "NVDA") -> PatternDetection:
    return PatternDetection(
        symbol=symbol,
        pattern_type="Doji",
        confidence=0.85,
        timestamp=datetime(2025, 10, 5, 14, 15, tzinfo=UTC),
        timeframe="1min",
        bar_data={"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 10},
    )


async def pattern_count(db: Database) -> int:
    async with db.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(tables.intraday_patterns)))


# --- read-only handles ---------------------------------------------------------------------


@pytest.mark.parametrize("statement", WRITES.values(), ids=WRITES.keys())
async def test_the_read_only_handle_refuses_every_write(migrated_url: str, statement: str) -> None:
    db = open_database(migrated_url, read_only=True)
    try:
        with pytest.raises(ReadOnlyError, match="read-only"):
            async with db.connect() as conn:
                await conn.execute(text(statement))
                await conn.commit()
    finally:
        await db.dispose()


async def test_the_read_only_handle_gives_no_transaction_and_no_writer(migrated_url: str) -> None:
    db = open_database(migrated_url, read_only=True)
    try:
        with pytest.raises(ReadOnlyError, match="read-only"):
            async with db.begin():
                pass
        with pytest.raises(ReadOnlyError):
            await StoreWriter(db).write_patterns([detection()], None)
        assert await db.ping() is True, "reads still work"
    finally:
        await db.dispose()


async def test_the_app_reads_what_the_engine_writes_while_both_are_open(migrated_url: str) -> None:
    engine_side = open_database(migrated_url)
    app_side = open_database(migrated_url, read_only=True)
    try:
        assert await pattern_count(app_side) == 0
        await StoreWriter(engine_side).write_patterns([detection("A"), detection("B")], None)
        assert await pattern_count(app_side) == 2
    finally:
        await app_side.dispose()
        await engine_side.dispose()


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(
    sqlite_url: str,
) -> None:
    upgrade(sqlite_url)
    for db in (open_database(sqlite_url), open_database(sqlite_url, read_only=True)):
        try:
            async with db.connect() as conn:
                assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
                assert await conn.scalar(text("PRAGMA busy_timeout")) == 5000
                assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
        finally:
            await db.dispose()


@pytest.mark.postgres
async def test_postgres_read_only_handle_runs_read_only_transactions(postgres_url: str) -> None:
    db = open_database(postgres_url, read_only=True)
    try:
        async with db.connect() as conn:
            assert await conn.scalar(text("SHOW transaction_read_only")) == "on"
            await conn.rollback()
            assert await conn.scalar(text("SHOW default_transaction_read_only")) == "on"
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_the_documented_select_only_role_can_read_and_not_write(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    upgrade(postgres_url)
    database = make_url(postgres_url).database
    role = f"reader_{database}"
    # the recipe of docs/database.md, "A role that can only read"
    postgres_server.execute(f"CREATE ROLE {role} LOGIN", database=database)
    for grant in (
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
        # the migrating role (here the superuser) creates tables later: readable too
        f"ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public "
        f"GRANT SELECT ON TABLES TO {role}",
    ):
        postgres_server.execute(grant, database=database)
    postgres_server.execute("CREATE TABLE later_revision (x integer)", database=database)
    db = open_database(make_url(postgres_url).set(username=role), read_only=True)
    try:
        assert await pattern_count(db) == 0
        async with db.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM later_revision")) == 0
        with pytest.raises(ReadOnlyError):
            async with db.connect() as conn:
                await conn.execute(text("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"))
                await conn.execute(text(WRITES["delete"]))
    finally:
        await db.dispose()
        postgres_server.execute(f"DROP OWNED BY {role}", database=database)
        postgres_server.execute(f"DROP ROLE {role}")


# --- unreachable databases -----------------------------------------------------------------


async def test_a_refused_connection_is_store_unavailable_and_ping_is_false() -> None:
    db = open_database(f"postgresql://nobody@127.0.0.1:{free_port()}/none", read_only=True)
    try:
        assert await db.ping() is False
        with pytest.raises(StoreUnavailable, match="database unavailable"):
            async with db.connect():
                pass
    finally:
        await db.dispose()


async def test_ping_of_a_server_that_never_answers_returns_within_its_bound(
    black_hole: int,
) -> None:
    db = open_database(f"postgresql://nobody@127.0.0.1:{black_hole}/none", read_only=True)
    try:
        started = time.monotonic()
        assert await db.ping(within=0.5) is False
        assert time.monotonic() - started < 1.5
    finally:
        await db.dispose()


async def test_a_missing_sqlite_file_is_unavailable_until_the_engine_creates_it(
    tmp_path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/tickstock.db"
    app_side = open_database(url, read_only=True)
    try:
        assert await app_side.ping() is False
        with pytest.raises(StoreUnavailable, match="does not exist yet"):
            async with app_side.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert not (tmp_path / "tickstock.db").exists(), "a read-only handle creates nothing"

        upgrade(url)

        assert await app_side.ping() is True
        assert await pattern_count(app_side) == 0
    finally:
        await app_side.dispose()


@pytest.mark.parametrize(
    "dialect", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_a_database_not_migrated_yet_is_unavailable(
    request: pytest.FixtureRequest, dialect: str
) -> None:
    url = request.getfixturevalue("sqlite_url" if dialect == "sqlite" else "postgres_url")
    engine_side = open_database(url)
    assert await engine_side.ping() is True  # the file or database exists, with no tables
    app_side = open_database(url, read_only=True)
    try:
        with pytest.raises(StoreUnavailable, match="database unavailable"):
            await pattern_count(app_side)
    finally:
        await app_side.dispose()
        await engine_side.dispose()


async def test_a_read_write_sqlite_handle_creates_the_folder_of_its_file(tmp_path) -> None:
    db = open_database(f"sqlite:///{tmp_path}/var/tickstock.db")
    try:
        assert db.dialect == "sqlite"
        assert await db.ping() is True
        assert (tmp_path / "var" / "tickstock.db").is_file()
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_postgres_stopped_is_unavailable_and_started_again_works_with_the_same_handles() -> (
    None
):
    with PostgresServer() as server:  # its own server: stopping it breaks no other test
        url = server.url("asyncpg")
        upgrade(url)
        engine_side = open_database(url)
        app_side = open_database(url, read_only=True)
        writer = StoreWriter(engine_side)
        try:
            assert await writer.write_patterns([detection("A")], None) == 1
            assert await pattern_count(app_side) == 1

            server.stop()
            with pytest.raises(StoreUnavailable, match="database unavailable"):
                await writer.write_patterns([detection("B")], None)
            with pytest.raises(StoreUnavailable):
                await pattern_count(app_side)
            assert await engine_side.ping() is False

            server.start()
            assert await writer.write_patterns([detection("B")], None) == 1
            assert await pattern_count(app_side) == 2
            assert await app_side.ping() is True
        finally:
            await app_side.dispose()
            await engine_side.dispose()
