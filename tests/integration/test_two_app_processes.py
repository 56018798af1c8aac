"""Two ``tickstock serve`` processes on one Redis and one SQLite database, the engine running:
clients of both get the same events, each stream in order with no hole."""

from __future__ import annotations

import asyncio
from datetime import date
from datetime import time as time_of_day

import pytest
from tests.app_process import AppProcess
from tests.e2e.harness import StreamClient
from tests.e2e.processes import EngineThread
from tests.servers import async_wait_until

from tickstock.engine.runner import EngineConfig
from tickstock.store.migrations import upgrade

pytestmark = pytest.mark.timeout(120)


def session_stopped(client: StreamClient) -> bool:
    return any(
        e["data"]["type"] == "streaming_session_stopped" for e in client.of("streaming_session")
    )


def producer_events(client: StreamClient) -> list[tuple]:
    return [
        key
        for seq, event, key in client.stream()
        if key is not None and event not in ("metrics", "app_status")
    ]


async def test_clients_of_two_app_processes_get_the_same_events_in_order(
    redis_url, sqlite_url, tmp_path
):
    upgrade(sqlite_url)
    with (
        AppProcess(redis_url, sqlite_url, tmp_path) as first,
        AppProcess(redis_url, sqlite_url, tmp_path) as second,
    ):
        clients = [StreamClient() for _ in range(3)] + [StreamClient() for _ in range(3)]
        await asyncio.gather(
            *(c.connect(first.url) for c in clients[:3]),
            *(c.connect(second.url) for c in clients[3:]),
        )
        engine = EngineThread(
            EngineConfig(
                redis_url=redis_url,
                database_url=sqlite_url,
                symbols=20,
                speed=300,
                start=time_of_day(9, 29),
                day=date(2025, 3, 3),
                close_at=time_of_day(9, 50),
                until_close=True,
                health_interval=0.5,
                run_migrations=False,
            )
        ).start()
        report = await engine.join(90)
        await async_wait_until(lambda: all(map(session_stopped, clients)), 15, "session_stopped")

        reference = producer_events(clients[0])
        assert len(reference) >= report.sessions[0].total_indicators
        for client in clients:
            assert client.holes() == []
            seqs = [e["seq"] for e in client.entries]
            assert seqs == sorted(seqs)
            assert producer_events(client) == reference, "a client saw other events or order"
        epochs = {c.epoch for c in clients}
        assert len(epochs) == 2, "two independent app processes"
        await asyncio.gather(*(c.disconnect() for c in clients))
