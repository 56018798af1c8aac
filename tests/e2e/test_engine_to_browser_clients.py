"""Engine → real Redis → app → 12 python-socketio clients: a short scripted session."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from datetime import time as time_of_day

import orjson
import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from tests.app_process import AppProcess
from tests.e2e.harness import PublishProbe, StreamClient
from tests.e2e.processes import EngineThread
from tests.servers import async_wait_until

from tickstock.contract import ALL_CHANNELS, SOCKET_EVENTS, Channel
from tickstock.engine.runner import EngineConfig
from tickstock.store import tables

pytestmark = pytest.mark.timeout(120)

CLIENTS = 12


def short_session(redis_url: str, database_url: str) -> EngineConfig:
    """20 symbols from 09:29 to 09:50 at 120x: the open, bars, indicators, patterns, close."""
    return EngineConfig(
        redis_url=redis_url,
        database_url=database_url,
        symbols=20,
        speed=120,  # a minute close every 0.5 s: bursts as in a real session, closer together
        start=time_of_day(9, 29),
        day=date(2025, 3, 3),
        close_at=time_of_day(9, 50),
        until_close=True,
        health_interval=0.5,
        run_migrations=False,
    )


def high_confidence_detection() -> bytes:
    """The synthetic market rarely scores ≥ 0.8: publish one on both channels, as the plan says."""
    detection = {
        "symbol": "ZZHC",
        "pattern_type": "Engulfing",
        "confidence": 0.93,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "timeframe": "1min",
        "bar_data": {"open": 10.0, "high": 11.0, "low": 9.5, "close": 10.8, "volume": 1200},
    }
    return orjson.dumps({"type": "streaming_pattern", "detection": detection})


def critical(resolved: bool) -> bytes:
    """The engine raises critical alerts only on failures: publish one and its recovery."""
    alert = {
        "severity": "critical",
        "message": "WebSocket connection lost",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "component": "massive_websocket",
        "action_required": "Manual intervention needed",
    }
    if resolved:
        alert["resolved"] = True
    return orjson.dumps({"type": "critical_alert", "alert": alert})


async def database_counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            async def count(table) -> int:  # type: ignore[no-untyped-def]
                return (await conn.execute(select(func.count()).select_from(table))).scalar_one()

            row = (await conn.execute(select(tables.streaming_sessions))).one()
            return {
                "patterns": await count(tables.intraday_patterns),
                "indicators": await count(tables.intraday_indicators),
                "session_patterns": row.total_patterns,
                "session_indicators": row.total_indicators,
            }
    finally:
        await engine.dispose()


async def test_a_session_reaches_every_client_whole_in_order_and_equals_the_database(
    redis_url, database_url, tmp_path
):
    with AppProcess(redis_url, database_url, tmp_path) as app:
        async with PublishProbe(redis_url) as probe:
            await check_session(app, probe, redis_url, database_url)


async def check_session(
    app: AppProcess, probe: PublishProbe, redis_url: str, database_url: str
) -> None:
    clients = [StreamClient() for _ in range(CLIENTS)]
    await asyncio.gather(*(c.connect(app.url) for c in clients))
    await async_wait_until(lambda: all(c.snapshots for c in clients), 10, "snapshots")
    publisher = aioredis.Redis.from_url(redis_url)

    engine = EngineThread(short_session(redis_url, database_url)).start()
    await async_wait_until(
        lambda: any(c.of("streaming_indicator") for c in clients), 30, "the first indicators"
    )
    strong = high_confidence_detection()
    await publisher.publish(Channel.PATTERNS_STREAMING.value, strong)
    await publisher.publish(Channel.PATTERNS_DETECTED.value, strong)
    await publisher.publish(Channel.ALERTS_CRITICAL.value, critical(resolved=False))
    await publisher.publish(Channel.ALERTS_CRITICAL.value, critical(resolved=True))
    report = await engine.join(90)
    await publisher.aclose()

    stopped = lambda c: any(  # noqa: E731
        e["data"]["type"] == "streaming_session_stopped" for e in c.of("streaming_session")
    )
    await async_wait_until(lambda: all(map(stopped, clients)), 10, "session_stopped")

    first = clients[0]
    for client in clients:
        assert client.holes() == []
        assert client.stream() == first.stream(), "clients saw different streams"
    received = {e["event"] for e in first.entries}
    producer_events = set(SOCKET_EVENTS) - {"streaming_patterns_batch"}
    assert producer_events <= received, f"missing {producer_events - received}"
    assert set(ALL_CHANNELS) <= set(probe.channels), dict(probe.channels)

    session = report.sessions[0]
    counts = await database_counts(database_url)
    [stop] = [
        e["data"]["session"]
        for e in first.of("streaming_session")
        if e["data"]["type"] == "streaming_session_stopped"
    ]
    assert stop["total_patterns"] == counts["patterns"] == counts["session_patterns"]
    assert stop["total_indicators"] == counts["indicators"] == counts["session_indicators"]
    assert len(first.of("streaming_indicator")) == session.total_indicators
    assert len(first.of("streaming_pattern")) == session.total_patterns + 1  # + ZZHC
    [strong_entry] = [
        e for e in first.of("streaming_pattern") if e["data"]["detection"]["symbol"] == "ZZHC"
    ]
    assert strong_entry["data"]["high_confidence"] is True
    assert [e["data"]["alert"].get("resolved", False) for e in first.of("critical_alert")] == [
        False,
        True,
    ]

    for client in clients:
        latencies = probe.record_latencies(client)
    assert max(max(v) for v in latencies.values()) < 1000, "an event took over a second"
    await asyncio.gather(*(c.disconnect() for c in clients))
