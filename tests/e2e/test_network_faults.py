"""A bad network between client and app, and between app and Redis (``tests/faultproxy.py``).

However the network misbehaves, a client ends with every event (by seq, no hole) or an
explicit snapshot/feed_gap saying what it missed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import orjson
import pytest
import redis.asyncio as aioredis
from tests.e2e.harness import StreamClient
from tests.e2e.stream import detection, now_iso
from tests.faultproxy import FaultProxy
from tests.servers import async_wait_until

from tickstock.contract import Channel

pytestmark = pytest.mark.timeout(120)


async def publish_patterns(publisher: aioredis.Redis, first: int, count: int) -> None:
    when = now_iso()
    for n in range(first, first + count):
        raw = orjson.dumps({"type": "streaming_pattern", "detection": detection(n, when)})
        await publisher.publish(Channel.PATTERNS_STREAMING.value, raw)


def symbols(client: StreamClient) -> list[str]:
    return [e["data"]["detection"]["symbol"] for e in client.of("streaming_pattern")]


def complete(client: StreamClient, count: int) -> bool:
    return len(client.of("streaming_pattern")) >= count


@pytest.mark.parametrize(
    "fault",
    ["latency 150/50 ms", "throttle 20 kB/s", "loss 20% as 200 ms stalls"],
)
async def test_a_slow_or_lossy_client_link_delivers_every_event_in_order(
    redis_url, start_app, publisher, fault
):
    async with start_app(redis_url) as app:
        await app.subscribed()
        host, port = urlsplit(app.url).hostname, urlsplit(app.url).port
        async with FaultProxy(host, port, seed=11) as proxy:
            if fault.startswith("latency"):
                proxy.set_latency(upstream_ms=150, downstream_ms=50)
            elif fault.startswith("throttle"):
                proxy.set_bandwidth(20_000)
            else:
                proxy.set_loss(0.2, stall_ms=200)
            client = StreamClient()
            await client.connect(f"http://{host}:{proxy.port}")
            await async_wait_until(lambda: client.snapshots, 10, "the snapshot through the proxy")
            await publish_patterns(publisher, 0, 300)
            await async_wait_until(lambda: complete(client, 300), 60, "300 patterns")
            assert symbols(client) == [f"P{n}" for n in range(300)]
            assert client.holes() == []
            await client.disconnect()


async def test_dropped_and_refused_connections_resume_with_nothing_lost(
    redis_url, start_app, publisher
):
    async with start_app(redis_url) as app:
        await app.subscribed()
        host, port = urlsplit(app.url).hostname, urlsplit(app.url).port
        async with FaultProxy(host, port) as proxy:
            client = StreamClient(reconnection=True)
            await client.connect(f"http://{host}:{proxy.port}")
            await async_wait_until(lambda: client.snapshots, 10, "the snapshot")
            await publish_patterns(publisher, 0, 100)
            await async_wait_until(lambda: complete(client, 100), 10, "the first 100")

            proxy.refuse_new(1.0)
            proxy.drop_connections()
            await publish_patterns(publisher, 100, 200)  # while the client is cut off
            await async_wait_until(lambda: complete(client, 300), 30, "the 200 missed")
            assert client.connects >= 2
            assert client.resumed and client.resumed[-1]["count"] >= 200
            assert proxy.stats.refused >= 1
            assert symbols(client) == [f"P{n}" for n in range(300)]
            assert client.holes() == []
            assert len(client.snapshots) == 1, "resumed, not resynced"
            await client.disconnect()


async def test_app_to_redis_link_stalled_then_dropped_is_announced_as_a_feed_gap(
    fresh_redis, start_app
):
    async with FaultProxy("127.0.0.1", fresh_redis.port) as proxy:
        async with start_app(f"redis://127.0.0.1:{proxy.port}/0") as app:
            await app.subscribed()
            client = StreamClient()
            await client.connect(app.url)
            direct = aioredis.Redis.from_url(fresh_redis.url)
            await publish_patterns(direct, 0, 50)
            await async_wait_until(lambda: complete(client, 50), 10, "50 patterns")

            proxy.set_latency(40, 40)
            proxy.set_loss(0.3, stall_ms=150)
            await publish_patterns(direct, 50, 50)
            await async_wait_until(lambda: complete(client, 100), 20, "100 through stalls")

            proxy.reset()
            proxy.refuse_new(0.5)
            proxy.drop_connections()
            await async_wait_until(lambda: client.of("feed_gap"), 20, "a feed_gap event")
            await app.subscribed()
            await publish_patterns(direct, 100, 50)
            await async_wait_until(lambda: complete(client, 150), 10, "150 patterns")
            assert symbols(client) == [f"P{n}" for n in range(150)]
            assert client.holes() == []
            await direct.aclose()
            await client.disconnect()
