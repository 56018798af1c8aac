"""SIGTERM, as a service manager sends it: ``tickstock serve`` and ``tickstock engine`` flush
and exit 0 within 10 s, leave no process, and the engine loses nothing it published."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import psutil
import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from tests.app_process import AppProcess
from tests.e2e.harness import StreamClient
from tests.servers import async_wait_until

from tickstock.contract import Channel
from tickstock.store import tables

pytestmark = pytest.mark.timeout(120)

#: What the plan's operators (and systemd's default) give a service to stop.
STOP_WITHIN = 10.0


def wait_exit(process: subprocess.Popen[bytes], what: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        code = process.wait(STOP_WITHIN)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"{what} still running {STOP_WITHIN:g} s after SIGTERM")
    return code, time.monotonic() - started


def start_engine(
    redis_url: str, database_url: str, log_path: Path, symbols: int
) -> subprocess.Popen[bytes]:
    """``tickstock engine`` at 60x on a 2025 morning, its output (INFO) in ``log_path``."""
    env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": database_url}
    env["TICKSTOCK_LOG_LEVEL"] = "INFO"
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "tickstock.cli", "engine"),
                *("--speed", "60", "--symbols", str(symbols), "--start", "09:29"),
                *("--date", "2025-03-03", "--health-interval", "0.5"),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def test_serve_exits_0_on_sigterm_with_a_client_connected(
    redis_url: str, database_url: str, tmp_path: Path
) -> None:
    app = AppProcess(redis_url, database_url, tmp_path)
    await asyncio.get_running_loop().run_in_executor(None, app.start)
    client = StreamClient()
    await client.connect(app.url)
    assert app.process is not None
    family = [psutil.Process(app.pid), *psutil.Process(app.pid).children(recursive=True)]
    app.process.send_signal(signal.SIGTERM)
    code, took = await asyncio.get_running_loop().run_in_executor(
        None, wait_exit, app.process, "tickstock serve"
    )
    await client.disconnect()
    assert code == 0, app.log()
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in family)
    print(f"serve stopped {took:.2f} s after SIGTERM")


async def test_engine_flushes_and_exits_0_on_sigterm_losing_nothing(
    redis_url: str, database_url: str, tmp_path: Path
) -> None:
    received: list[bytes] = []
    listener = aioredis.Redis.from_url(redis_url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(Channel.PATTERNS_STREAMING.value, Channel.SESSION_STOPPED.value)

    async def listen() -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message is not None:
                received.append(message["data"])

    reader = asyncio.create_task(listen())
    log_path = tmp_path / "engine.log"
    engine = start_engine(redis_url, database_url, log_path, symbols=50)
    try:
        await async_wait_until(
            lambda: len(received) >= 5, 60, lambda: f"patterns published:\n{log_path.read_text()}"
        )
        engine.send_signal(signal.SIGTERM)
        code, took = await asyncio.get_running_loop().run_in_executor(
            None, wait_exit, engine, "tickstock engine"
        )
    finally:
        if engine.poll() is None:
            engine.kill()
    output = log_path.read_text()
    assert code == 0, output
    [line] = [line for line in output.splitlines() if "engine stopped:" in line]
    assert "lost: 0 messages unpublished, 0 dropped, 0 rows unwritten, 0 dropped" in line, line
    await async_wait_until(
        lambda: any(b"streaming_session_stopped" in m for m in received), 5, "session_stopped"
    )
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    await pubsub.aclose()
    await listener.aclose()

    published = set()
    for raw in received:
        message = orjson.loads(raw)
        for d in message.get("detections") or [message.get("detection") or {}]:
            if d:
                published.add((d["symbol"], d["pattern_type"], d["timestamp"]))
    database = create_async_engine(database_url)
    async with database.connect() as conn:
        stored = (
            await conn.execute(select(func.count()).select_from(tables.intraday_patterns))
        ).scalar_one()
        status = (await conn.execute(select(tables.streaming_sessions.c.status))).scalars().all()
    await database.dispose()
    assert stored == len(published), "every detection published was written, and only those"
    assert status == ["stopped"]
    print(f"engine stopped {took:.2f} s after SIGTERM: {line}")


async def test_engine_stopped_during_a_redis_outage_says_what_it_could_not_publish(
    fresh_redis, database_url: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "engine.log"
    engine = start_engine(fresh_redis.url, database_url, log_path, symbols=20)
    try:
        await async_wait_until(
            lambda: "session" in log_path.read_text() or fresh_redis.ping(), 30, "a started engine"
        )
        fresh_redis.kill()
        await async_wait_until(
            lambda: "Redis publishing failing" in log_path.read_text(),
            30,
            lambda: f"the engine to notice the outage:\n{log_path.read_text()}",
        )
        engine.send_signal(signal.SIGTERM)
        code, _ = await asyncio.get_running_loop().run_in_executor(
            None, wait_exit, engine, "tickstock engine"
        )
    finally:
        if engine.poll() is None:
            engine.kill()
    output = log_path.read_text()
    assert code == 0, output
    [line] = [line for line in output.splitlines() if "engine stopped:" in line]
    assert "WARNING" in line and "lost: 0 messages unpublished" not in line, line
    unpublished = int(line.split("lost: ")[1].split(" messages unpublished")[0])
    assert unpublished > 0, line


def test_serve_on_a_port_already_taken_exits_naming_it(
    redis_url: str, database_url: str, tmp_path: Path
) -> None:
    """A service manager restarts a server that exits; one that hangs half-started it never
    notices. (The Redis listener used to swallow the stop and hold the process open.)"""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": database_url}
        log_path = tmp_path / "serve.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tickstock.cli", "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            code = process.wait(STOP_WITHIN)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"tickstock serve still running on a taken port:\n{log_path.read_text()}")
    output = log_path.read_text()
    assert code != 0, output
    assert f"('127.0.0.1', {port}): address already in use" in output, output
