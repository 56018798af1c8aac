"""A live feed end to end: local Massive server → engine → Redis → app → Socket.IO clients.

The recorded morning of ``test_feed_massive`` (with a dropped connection mid-session) is
streamed by the real ``massive`` client through the engine; every client receives every
indicator the session computed, with no hole, and the critical alert for
``massive_websocket`` followed by its recovery — what the dashboard shows.
"""

from __future__ import annotations

import asyncio
from datetime import time as time_of_day

import pytest
from tests.app_process import AppProcess
from tests.e2e.harness import StreamClient
from tests.e2e.processes import EngineThread
from tests.integration.feed_support import live_config
from tests.integration.test_feed_massive import KEY, massive_live, recorded_morning
from tests.servers import async_wait_until

from tickstock.engine.feedserver.massive import MassiveServer

pytestmark = pytest.mark.timeout(120)


async def test_a_live_session_with_a_drop_reaches_the_clients(
    redis_url: str, database_url: str, tmp_path
) -> None:
    steps, _, _ = recorded_morning()
    server = await MassiveServer(steps, api_key=KEY).start()
    try:
        with AppProcess(redis_url, database_url, tmp_path) as app:
            clients = [StreamClient() for _ in range(2)]
            await asyncio.gather(*(c.connect(app.url) for c in clients))
            await async_wait_until(lambda: all(c.snapshots for c in clients), 10, "snapshots")
            config = live_config(redis_url, massive_live(server), database_url, time_of_day(10, 10))
            report = await EngineThread(config).start().join(90)

            def stopped(c: StreamClient) -> bool:
                return any(
                    e["data"]["type"] == "streaming_session_stopped"
                    for e in c.of("streaming_session")
                )

            await async_wait_until(lambda: all(map(stopped, clients)), 10, "session_stopped")
            session = report.sessions[0]
            for client in clients:
                assert client.holes() == []
                assert len(client.of("streaming_indicator")) == session.total_indicators
                websocket = [
                    e["data"]["alert"]
                    for e in client.of("critical_alert")
                    if e["data"]["alert"]["component"] == "massive_websocket"
                ]
                assert [a.get("resolved", False) for a in websocket] == [False, True]
            await asyncio.gather(*(c.disconnect() for c in clients))
    finally:
        await server.close()
