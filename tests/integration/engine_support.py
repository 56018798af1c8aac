"""Shared pieces of the engine integration tests: a subscriber that keeps every message."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import redis.asyncio as aioredis

from tickstock.contract import ALL_CHANNELS


class Recorder:
    """Subscribes to the 8 channels and keeps (channel → raw messages), reconnecting."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.messages: dict[str, list[bytes]] = defaultdict(list)
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Recorder:
        self._task = asyncio.create_task(self._listen())
        await asyncio.wait_for(self.ready.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    def record(self, channel: str, data: bytes) -> None:
        """Keep one received message; subclasses record something else."""
        self.messages[channel].append(data)

    async def _listen(self) -> None:
        while True:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=0.5)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(*ALL_CHANNELS)
                self.ready.set()
                while True:
                    item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
                    if item is not None and item["type"] == "message":
                        self.record(item["channel"].decode(), item["data"])
            except (OSError, aioredis.ConnectionError, aioredis.TimeoutError):
                await asyncio.sleep(0.05)  # backoff before reconnecting to a restarted server
            finally:
                await pubsub.aclose()
                await client.aclose()
