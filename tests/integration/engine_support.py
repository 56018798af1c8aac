"""Shared pieces of the engine integration tests: a subscriber that keeps every message."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque

import redis.asyncio as aioredis
from tests.servers import async_wait_until

from tickstock.contract import ALL_CHANNELS


class Recorder:
    """Subscribes to the 8 channels and keeps (channel → raw messages), reconnecting.

    Leaving ``async with Recorder(...)`` without an error first drains the subscription:
    every message published before the block ended is recorded by then.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.messages: dict[str, list[bytes]] = defaultdict(list)
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pings_wanted = 0  # drain() asks for a PING on the subscription ...
        self._pings_in_flight: deque[int] = deque()
        self._pongs = 0  # ... and Redis answers it after every message it held before

    async def __aenter__(self) -> Recorder:
        self._task = asyncio.create_task(self._listen())
        await asyncio.wait_for(self.ready.wait(), 10)
        return self

    async def __aexit__(self, exc_type: object, *exc: object) -> None:
        assert self._task is not None
        try:
            if exc_type is None:
                await self.drain()
        finally:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def drain(self, timeout: float = 10) -> None:  # noqa: ASYNC109 - a bounded wait
        """Return once every message Redis had for this subscriber when called is recorded.

        Redis answers a PING on a subscription in order, after the messages before it: a
        position, not a pause.
        """
        self._pings_wanted += 1
        wanted = self._pings_wanted
        await async_wait_until(
            lambda: self._pongs >= wanted, timeout, "the subscription to answer a PING"
        )

    def record(self, channel: str, data: bytes) -> None:
        """Keep one received message; subclasses record something else."""
        self.messages[channel].append(data)

    async def _listen(self) -> None:
        while True:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=0.5)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(*ALL_CHANNELS)
                self._pings_in_flight.clear()  # a PING lost with a connection is sent again
                self.ready.set()
                while True:
                    sent = self._pings_in_flight[-1] if self._pings_in_flight else self._pongs
                    if sent < self._pings_wanted:
                        self._pings_in_flight.append(self._pings_wanted)
                        await pubsub.ping()
                    item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
                    if item is not None and item["type"] == "message":
                        self.record(item["channel"].decode(), item["data"])
                    elif item is not None and item["type"] == "pong":
                        self._pongs = self._pings_in_flight.popleft()
            except (OSError, aioredis.ConnectionError, aioredis.TimeoutError):
                await asyncio.sleep(0.05)  # backoff before reconnecting to a restarted server
            finally:
                await pubsub.aclose()
                await client.aclose()
