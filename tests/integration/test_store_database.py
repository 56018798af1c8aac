"""The store against real SQLite and PostgreSQL: migrations, idempotent writes, read-only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text

from tickstock.contract import parse
from tickstock.contract.channels import Channel
from tickstock.contract.samples import SAMPLES
from tickstock.errors import ReadOnlyError, StoreUnavailable
from tickstock.store import tables
from tickstock.store.database import open_database, sync_url
from tickstock.store.migrations import current_revision, upgrade
from tickstock.store.writer import StoreWriter


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


def sample(channel: Channel):
    return parse(channel, SAMPLES[channel])


async def count(url: str, table) -> int:
    db = open_database(url, read_only=True)
    try:
        async with db.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table)))
    finally:
        await db.dispose()


def test_upgrade_creates_every_table_as_the_metadata_defines(database_url: str) -> None:
    assert current_revision(database_url) is None
    assert upgrade(database_url) == "0001"
    assert upgrade(database_url) == "0001", "a second upgrade is a no-op"
    engine = create_engine(sync_url(database_url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    engine.dispose()
    assert diff == [], f"migrated schema differs from tables.py: {diff}"


async def test_every_payload_is_written_once_however_often_it_is_retried(database_url: str) -> None:
    upgrade(database_url)
    db = open_database(database_url)
    writer = StoreWriter(db)
    started = sample(Channel.SESSION_STARTED).session
    detection = sample(Channel.PATTERNS_STREAMING).detection
    calculation = sample(Channel.INDICATORS_STREAMING).calculation
    alert = sample(Channel.ALERTS_INDICATORS).alert
    critical = sample(Channel.ALERTS_CRITICAL).alert
    health = sample(Channel.HEALTH).health
    bar = {
        "symbol": "NVDA",
        "timestamp": datetime(2025, 10, 5, 14, 15, tzinfo=UTC),
        "open": 1.0,
        "high": 2.0,
        "low": 0.5,
        "close": 1.5,
        "volume": 10,
    }
    for _ in range(2):  # the engine retries whole batches after an outage
        await writer.write_session_started(started)
        await writer.write_patterns([detection], started.session_id)
        await writer.write_indicators([calculation], started.session_id)
        await writer.write_indicator_alerts([alert], started.session_id)
        await writer.write_critical_alerts([critical], started.session_id)
        await writer.write_health(health, started.session_id)
        await writer.write_bars([bar])
    await writer.write_session_stopped(sample(Channel.SESSION_STOPPED).session)
    await db.dispose()
    for table in tables.ALL_TABLES:
        expected = 2 if table is tables.streaming_alerts else 1
        assert await count(database_url, table) == expected, table.name


async def test_every_contract_field_lands_in_its_column(database_url: str) -> None:
    upgrade(database_url)
    db = open_database(database_url)
    writer = StoreWriter(db)
    detection = sample(Channel.PATTERNS_STREAMING).detection
    await writer.write_patterns([detection], "s-1")
    await writer.write_session_started(sample(Channel.SESSION_STARTED).session)
    await writer.write_session_stopped(sample(Channel.SESSION_STOPPED).session)
    async with db.connect() as conn:
        row = (await conn.execute(select(tables.intraday_patterns))).mappings().one()
        session = (await conn.execute(select(tables.streaming_sessions))).mappings().one()
    await db.dispose()
    assert (row["symbol"], row["pattern_type"], row["confidence"], row["timeframe"]) == (
        "NVDA",
        "Doji",
        0.85,
        "1min",
    )
    assert row["high_confidence"] is True
    assert (row["open"], row["high"], row["low"], row["close"], row["volume"]) == (
        125.5,
        125.75,
        125.45,
        125.52,
        250000,
    )
    assert row["timestamp"].replace(tzinfo=UTC) == detection.timestamp
    assert session["status"] == "stopped"
    assert (session["total_patterns"], session["total_indicators"]) == (1250, 45000)
    assert session["duration_seconds"] == 23400
    assert session["universe"] == "market_leaders:top_500", "the start's fields are kept"


async def test_a_stop_for_an_unknown_session_creates_its_row(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    db = open_database(sqlite_url)
    await StoreWriter(db).write_session_stopped(sample(Channel.SESSION_STOPPED).session)
    async with db.connect() as conn:
        session = (await conn.execute(select(tables.streaming_sessions))).mappings().one()
    await db.dispose()
    assert session["status"] == "stopped"
    assert session["started_at"].replace(tzinfo=UTC) == datetime(2025, 10, 5, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO ohlcv_1min VALUES ('A', '2025-01-01 00:00:00', 1, 1, 1, 1, 1)",
        "UPDATE streaming_sessions SET status = 'x'",
        "DELETE FROM intraday_patterns",
    ],
)
async def test_the_read_only_handle_refuses_every_write(database_url: str, statement: str) -> None:
    upgrade(database_url)
    db = open_database(database_url, read_only=True)
    try:
        with pytest.raises(ReadOnlyError, match="read-only"):
            async with db.connect() as conn:
                await conn.execute(text(statement))
                await conn.commit()
        with pytest.raises(ReadOnlyError):
            async with db.begin():
                pass
    finally:
        await db.dispose()


async def test_an_unreachable_database_is_store_unavailable_and_ping_is_false() -> None:
    db = open_database("postgresql+asyncpg://nobody@127.0.0.1:1/none", read_only=True)
    try:
        assert await db.ping(within=2.0) is False
        with pytest.raises(StoreUnavailable, match="unavailable"):
            async with db.connect():
                pass
    finally:
        await db.dispose()


async def test_a_missing_sqlite_file_is_unavailable_to_the_read_only_app(tmp_path) -> None:
    db = open_database(f"sqlite+aiosqlite:///{tmp_path}/missing.db", read_only=True)
    try:
        assert await db.ping() is False
        with pytest.raises(StoreUnavailable):
            async with db.connect() as conn:
                await conn.execute(text("SELECT 1"))
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_postgres_outage_then_recovery(postgres_server, postgres_url: str) -> None:
    upgrade(postgres_url)
    db = open_database(postgres_url)
    writer = StoreWriter(db)
    detection = sample(Channel.PATTERNS_STREAMING).detection
    postgres_server.stop()
    try:
        with pytest.raises(StoreUnavailable):
            await writer.write_patterns([detection], None)
        assert await db.ping() is False
    finally:
        postgres_server.start()
    assert await writer.write_patterns([detection], None) == 1
    assert await db.ping() is True
    await db.dispose()
