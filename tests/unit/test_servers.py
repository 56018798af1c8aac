"""The real-server fixtures and waiting helpers that every other test relies on."""

from __future__ import annotations

import asyncio
import os
import socket

import asyncpg
import psycopg
import pytest
import redis
import redis.asyncio
from tests.servers import (
    PostgresServer,
    RedisServer,
    async_wait_until,
    free_port,
    wait_until,
)

# --- waiting helpers ---------------------------------------------------------------------


def test_wait_until_returns_the_first_truthy_value() -> None:
    calls = iter([0, None, "ready"])
    assert wait_until(lambda: next(calls), timeout=1, message="third call") == "ready"


def test_wait_until_raises_with_the_message_on_timeout() -> None:
    with pytest.raises(AssertionError, match=r"timed out after 0\.05s waiting for: the moon"):
        wait_until(lambda: False, timeout=0.05, message="the moon")


def test_wait_until_evaluates_a_callable_message_only_on_timeout() -> None:
    state = {"seen": 0}
    with pytest.raises(AssertionError, match="seen 0 of 3"):
        wait_until(lambda: False, timeout=0.02, message=lambda: f"seen {state['seen']} of 3")


def test_wait_until_treats_ignored_exceptions_as_not_yet_and_chains_the_last() -> None:
    with pytest.raises(AssertionError) as raised:
        wait_until(lambda: 1 / 0, timeout=0.02, message="division", ignore=(ZeroDivisionError,))
    assert isinstance(raised.value.__cause__, ZeroDivisionError)


def test_wait_until_lets_other_exceptions_through() -> None:
    with pytest.raises(ZeroDivisionError):
        wait_until(lambda: 1 / 0, timeout=1)


async def test_async_wait_until_accepts_coroutine_predicates() -> None:
    flag = asyncio.Event()
    asyncio.get_running_loop().call_soon(flag.set)

    async def is_set() -> bool:
        return flag.is_set()

    assert await async_wait_until(is_set, timeout=1, message="flag set") is True


async def test_async_wait_until_raises_with_the_message_on_timeout() -> None:
    with pytest.raises(AssertionError, match="waiting for: nothing happens"):
        await async_wait_until(lambda: False, timeout=0.05, message="nothing happens")


def test_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


# --- Redis -------------------------------------------------------------------------------


def test_redis_url_answers_and_starts_empty(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.ping()
        assert client.dbsize() == 0
        client.set("left-behind", "1")
    finally:
        client.close()


def test_redis_url_is_flushed_between_tests(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.get("left-behind") is None
    finally:
        client.close()


def test_fresh_redis_restarts_on_the_same_port(fresh_redis: RedisServer) -> None:
    port, url = fresh_redis.port, fresh_redis.url
    fresh_redis.stop()
    assert not fresh_redis.running
    assert not fresh_redis.ping()

    fresh_redis.start()
    assert (fresh_redis.port, fresh_redis.url) == (port, url)
    client = redis.Redis.from_url(url)
    try:
        assert client.ping()
    finally:
        client.close()


async def test_a_client_reconnects_after_redis_is_killed_and_restarted(
    fresh_redis: RedisServer,
) -> None:
    client = redis.asyncio.Redis.from_url(fresh_redis.url)
    try:
        await client.set("k", "v")
        fresh_redis.kill()
        with pytest.raises(redis.ConnectionError):
            await client.get("k")

        fresh_redis.start()
        await async_wait_until(
            client.ping, timeout=5, message="client reconnected", ignore=(redis.ConnectionError,)
        )
        assert await client.get("k") is None  # a killed Redis without persistence is empty
    finally:
        await client.aclose()


def test_redis_start_failure_names_the_port_and_shows_the_log() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = RedisServer(port=taken.getsockname()[1])
        try:
            with pytest.raises(RuntimeError, match=rf"127\.0\.0\.1:{server.port}.*\n.*"):
                server.start()
            assert not server.running
        finally:
            server.close()


# --- PostgreSQL --------------------------------------------------------------------------


def test_postgres_server_accepts_connections_to_its_database(
    postgres_server: PostgresServer,
) -> None:
    with psycopg.connect(postgres_server.dsn()) as conn:
        row = conn.execute("SELECT current_database(), current_user").fetchone()
    assert row == ("tickstock", "postgres")
    assert postgres_server.url() == (
        f"postgresql+asyncpg://postgres@127.0.0.1:{postgres_server.port}/tickstock"
    )
    assert postgres_server.url("psycopg").startswith("postgresql+psycopg://")


def test_postgres_does_not_run_as_root(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.dsn()) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    owner = os.stat(f"/proc/{pid}").st_uid
    assert owner != 0 or os.geteuid() != 0


async def test_postgres_url_is_a_fresh_database_per_test(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
    conn = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        assert tables == 0
        await conn.execute("CREATE TABLE left_behind (id int)")
    finally:
        await conn.close()


async def test_postgres_url_does_not_see_an_earlier_tests_tables(postgres_url: str) -> None:
    conn = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    try:
        assert await conn.fetchval("SELECT to_regclass('left_behind')") is None
    finally:
        await conn.close()


def test_postgres_restarts_on_the_same_port_and_keeps_its_data(
    postgres_server: PostgresServer,
) -> None:
    port = postgres_server.port
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS survives (id int)")

    postgres_server.stop()
    assert not postgres_server.running
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres_server.dsn(), connect_timeout=1)

    postgres_server.start()
    assert postgres_server.port == port
    with psycopg.connect(postgres_server.dsn()) as conn:
        assert conn.execute("SELECT to_regclass('survives')").fetchone() == ("survives",)


def test_postgres_comes_back_after_an_immediate_shutdown(
    postgres_server: PostgresServer,
) -> None:
    postgres_server.stop("immediate")
    postgres_server.start()
    with psycopg.connect(postgres_server.dsn()) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_sqlite_url_points_into_the_tests_tmp_folder(sqlite_url: str, tmp_path) -> None:
    assert sqlite_url == f"sqlite+aiosqlite:///{tmp_path}/tickstock.db"
