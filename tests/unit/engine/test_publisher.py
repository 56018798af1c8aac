"""The publisher against a real redis-server that is stopped and started again."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from tests.servers import RedisServer, async_wait_until

from tickstock.engine.pipeline import Outgoing
from tickstock.engine.publisher import Publisher


async def collect(url: str, channel: str, into: list[bytes], ready: asyncio.Event) -> None:
    client = aioredis.Redis.from_url(url)
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(channel)
        ready.set()
        while True:
            item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if item is not None:
                into.append(item["data"])
    finally:
        await pubsub.aclose()
        await client.aclose()


def messages(first: int, count: int, droppable: bool = True) -> list[Outgoing]:
    return [
        Outgoing("test:channel", str(i).encode(), droppable) for i in range(first, first + count)
    ]


async def test_a_minute_of_messages_is_published_in_order(redis_url: str) -> None:
    received: list[bytes] = []
    ready = asyncio.Event()
    listener = asyncio.create_task(collect(redis_url, "test:channel", received, ready))
    await asyncio.wait_for(ready.wait(), 5)
    publisher = Publisher(redis_url)
    publisher.start()
    done: list[bool] = []
    try:
        publisher.submit(messages(0, 500), on_published=lambda: done.append(True))
        assert await publisher.wait_idle(5)
        await async_wait_until(lambda: len(received) == 500, 5, "500 messages received")
        assert received == [str(i).encode() for i in range(500)]
        assert done == [True] and publisher.published == 500
    finally:
        await publisher.close()
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)


async def test_messages_buffered_while_redis_is_down_are_republished_in_order(
    fresh_redis: RedisServer,
) -> None:
    changes: list[bool] = []
    publisher = Publisher(
        fresh_redis.url, buffer_limit=1000, max_backoff=0.2, on_change=changes.append
    )
    publisher.record_order = True
    publisher.start()
    try:
        publisher.submit(messages(0, 10))
        assert await publisher.wait_idle(5)
        fresh_redis.stop()
        loop = asyncio.get_running_loop()
        started = loop.time()
        publisher.submit(messages(10, 10))
        publisher.submit(messages(20, 10))
        assert loop.time() - started < 0.05, "submit must never wait for Redis"
        await async_wait_until(lambda: changes == [False], 5, "the outage noticed")
        assert publisher.backlog == 20
        fresh_redis.start()
        assert await publisher.wait_idle(10)
        assert changes == [False, True]
        assert publisher.order == list(range(1, 31))
        assert publisher.published == 30 and publisher.dropped == 0
    finally:
        await publisher.close()


async def test_the_bound_drops_the_oldest_messages_but_never_critical_ones(
    fresh_redis: RedisServer,
) -> None:
    publisher = Publisher(fresh_redis.url, buffer_limit=5, max_backoff=0.2)
    publisher.record_order = True
    fresh_redis.stop()
    publisher.start()
    try:
        publisher.submit(messages(0, 1, droppable=False))  # seq 1: a session/critical message
        publisher.submit(messages(1, 9))  # seq 2..10
        assert publisher.dropped == 5
        fresh_redis.start()
        assert await publisher.wait_idle(10)
        assert publisher.order == [1, 7, 8, 9, 10]
    finally:
        await publisher.close()


async def test_after_an_outage_the_backlog_waits_for_a_subscriber_then_reaches_it(
    fresh_redis: RedisServer,
) -> None:
    publisher = Publisher(fresh_redis.url, max_backoff=0.2, subscriber_wait=30)
    probes: list[int] = []

    async def counted(channel: str) -> int:
        count = await publisher._numsub(channel)
        probes.append(count)
        return count

    publisher._subscribers = counted
    publisher.start()
    received: list[bytes] = []
    ready = asyncio.Event()
    listener: asyncio.Task[None] | None = None
    try:
        fresh_redis.stop()
        publisher.submit(messages(0, 10))
        await async_wait_until(lambda: publisher.failures > 0, 5, "the outage noticed")
        fresh_redis.start()
        await async_wait_until(lambda: len(probes) >= 3, 10, "NUMSUB probes after the restart")
        assert set(probes) == {0} and publisher.backlog == 10 and publisher.published == 0
        listener = asyncio.create_task(collect(fresh_redis.url, "test:channel", received, ready))
        await async_wait_until(lambda: len(received) == 10, 10, "the backlog at the subscriber")
        assert received == [str(i).encode() for i in range(10)]
        assert publisher.republished_unheard == 0
    finally:
        await publisher.close()
        if listener is not None:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)


async def test_with_no_subscriber_the_backlog_goes_out_after_the_wait_and_says_so(
    fresh_redis: RedisServer,
) -> None:
    publisher = Publisher(fresh_redis.url, max_backoff=0.2, subscriber_wait=0.3)
    publisher.start()
    try:
        fresh_redis.stop()
        publisher.submit(messages(0, 5))
        await async_wait_until(lambda: publisher.failures > 0, 5, "the outage noticed")
        fresh_redis.start()
        assert await publisher.wait_idle(10)
        assert publisher.published == 5 and publisher.republished_unheard == 1
    finally:
        await publisher.close()
