"""Shared fixtures: real Redis and PostgreSQL servers on loopback, a SQLite file per test.

==================  ========  ==============================================================
fixture             scope     gives
==================  ========  ==============================================================
``redis_server``    session   the shared ``RedisServer`` (started on first use)
``redis_url``       function  its URL, after FLUSHALL and dropping leftover subscribers
``fresh_redis``     function  a ``RedisServer`` of the test's own, to stop/kill/restart
``publisher``       function  an asyncio Redis client on ``redis_url``, closed after the test
``postgres_server`` session   the shared ``PostgresServer`` (initdb once per session)
``postgres_url``    function  ``postgresql+asyncpg://…/test_<n>``: a new empty database,
                              dropped after the test
``sqlite_url``      function  ``sqlite+aiosqlite:///<tmp_path>/tickstock.db``
==================  ========  ==============================================================

Servers start only when a test asks for them. Tests that use ``postgres_server`` or
``postgres_url`` are marked ``postgres`` automatically (``pytest -m "not postgres"``).
For a psycopg URL of the same database: ``sqlalchemy.make_url(url).set(drivername=...)``.
Waiting helpers and the server classes live in ``tests/servers.py``: ``from tests.servers
import wait_until, async_wait_until, free_port``.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

# `from tests.servers import ...` must work however pytest was started (.venv/bin/pytest
# does not put the repository root on sys.path).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.servers import PostgresServer, RedisServer  # noqa: E402

_POSTGRES_FIXTURES = {"postgres_server", "postgres_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


# --- Redis -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One Redis for the whole session. Don't stop it in a test: use ``fresh_redis``."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared Redis, emptied: FLUSHALL, and subscribers left by earlier tests dropped."""
    if not redis_server.ping():  # a test stopped it after all: bring it back for the next
        redis_server.stop()
        redis_server.start()
    redis_server.command("FLUSHALL")
    redis_server.command("CLIENT", "KILL", "TYPE", "pubsub")
    return redis_server.url


@pytest.fixture
async def publisher(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A producer's Redis client (``await publisher.publish(channel, raw)``)."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def fresh_redis() -> Iterator[RedisServer]:
    """A Redis of the test's own: ``.stop()``, ``.kill()``, ``.start()`` on the same port."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()


# --- PostgreSQL --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the session; a test that stops it must ``.start()`` it."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.close()


_database_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """An asyncpg SQLAlchemy URL of a new, empty database, dropped after the test."""
    if not postgres_server.running:
        postgres_server.start()
    name = f"test_{next(_database_numbers)}"
    postgres_server.create_database(name)
    try:
        yield postgres_server.url("asyncpg", database=name)
    finally:
        if postgres_server.running:
            postgres_server.drop_database(name)


# --- SQLite ------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLAlchemy URL of a SQLite file (not yet created) in the test's tmp folder."""
    return f"sqlite+aiosqlite:///{tmp_path / 'tickstock.db'}"
