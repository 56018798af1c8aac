"""The databases integration tests run against, made in one place.

``database_url``, ``migrated_url``, ``migrated_database`` and ``any_engine`` run their test
once on SQLite and once on PostgreSQL (marked ``postgres``); ``engine`` and ``database``
are SQLite only. Each test gets a new, empty database of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from tests.integration.relay_harness import SqliteDatabase

from tickstock.store.database import Database, open_database
from tickstock.store.migrations import upgrade
from tickstock.store.tables import metadata

#: The dialects a ``database_url`` test runs on; PostgreSQL is marked so it can be left out.
DIALECTS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextlib.asynccontextmanager
async def engine_with_tables(url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on ``url`` with every table of ``tables.py`` created (no migrations)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture(params=DIALECTS)
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database: SQLite, then PostgreSQL."""
    return request.getfixturevalue("postgres_url" if request.param == "postgres" else "sqlite_url")


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """``database_url`` migrated to the newest schema."""
    upgrade(database_url)
    return database_url


@pytest.fixture
async def migrated_database(migrated_url: str) -> AsyncIterator[Database]:
    """A read-write ``Database`` on ``migrated_url``, disposed after the test."""
    database = open_database(migrated_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def any_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine with every table, on SQLite, then PostgreSQL."""
    async with engine_with_tables(database_url) as engine:
        yield engine


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine with every table, on SQLite."""
    async with engine_with_tables(sqlite_url) as engine:
        yield engine


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[SqliteDatabase]:
    """The app's read database on SQLite, with every table, for the relay's tests."""
    database = SqliteDatabase(sqlite_url)
    await database.create_tables()
    try:
        yield database
    finally:
        await database.close()
