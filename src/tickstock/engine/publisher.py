"""Publishing to Redis: pipelined, buffered while Redis is down, republished in order.

The engine never waits on Redis. ``submit`` only appends to a bounded outgoing buffer and
wakes the flush task, which sends everything waiting in one pipeline (one round trip for a
whole minute of messages). When Redis is unreachable the flush task keeps the messages,
retries with capped exponential backoff plus jitter, and republishes them in their original
order once Redis is back. Past ``buffer_limit`` messages the oldest droppable ones are
dropped and counted (logged); session and critical-alert messages are never dropped.

redis-py's own retries would block the flush for seconds, so the client has none, and short
socket timeouts bound every attempt.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from tickstock.engine.pipeline import Outgoing

log = logging.getLogger(__name__)

#: Most messages sent in one pipeline round trip.
MAX_PIPELINE = 2000


@dataclass(slots=True)
class _Entry:
    seq: int
    message: Outgoing


class Publisher:
    """A bounded, ordered outgoing buffer in front of a Redis connection.

    ``on_change(connected)`` is called when publishing starts failing or works again, so the
    runner can raise and resolve the critical alert. ``on_published(seq)`` hooks let the
    runner measure processing lag up to "publish done".
    """

    def __init__(
        self,
        redis_url: str,
        buffer_limit: int = 200_000,
        socket_timeout: float = 0.5,
        max_backoff: float = 2.0,
        on_change: Callable[[bool], None] | None = None,
    ) -> None:
        self.redis_url = redis_url
        self.buffer_limit = buffer_limit
        self.max_backoff = max_backoff
        self.on_change = on_change
        self._client = aioredis.Redis.from_url(
            redis_url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
        self._buffer: deque[_Entry] = deque()
        self._next_seq = 1
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._waiters: list[tuple[int, Callable[[], None]]] = []
        self.connected = True
        self.published = 0
        self.dropped = 0
        self.failures = 0
        self.published_by_channel: dict[str, int] = {}
        #: the sequence number of every message published, in publish order (tests check it)
        self.record_order = False
        self.order: list[int] = []

    @property
    def backlog(self) -> int:
        return len(self._buffer)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._flush_loop(), name="publisher-flush")

    def submit(
        self, messages: Sequence[Outgoing], on_published: Callable[[], None] | None = None
    ) -> int:
        """Queue ``messages`` (in order) and return the sequence number of the last one."""
        for message in messages:
            self._buffer.append(_Entry(self._next_seq, message))
            self._next_seq += 1
        last = self._next_seq - 1
        if on_published is not None:
            self._waiters.append((last, on_published))
        self._trim()
        if self._buffer:
            self._idle.clear()
            self._wake.set()
        elif on_published is not None:
            self._notify(last)
        return last

    def _trim(self) -> None:
        excess = len(self._buffer) - self.buffer_limit
        if excess <= 0:
            return
        kept: deque[_Entry] = deque()
        dropped = 0
        while self._buffer and dropped < excess:
            entry = self._buffer.popleft()
            if entry.message.droppable:
                dropped += 1
            else:
                kept.append(entry)
        self._buffer.extendleft(reversed(kept))
        if dropped:
            self.dropped += dropped
            log.warning(
                "publish buffer full (%d): dropped the %d oldest messages (%d dropped in all)",
                self.buffer_limit,
                dropped,
                self.dropped,
            )

    async def wait_idle(self, within: float | None = None) -> bool:
        """Wait until everything submitted is published; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True

    async def _flush_loop(self) -> None:
        backoff = 0.05
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._buffer:
                batch = [self._buffer[i] for i in range(min(len(self._buffer), MAX_PIPELINE))]
                try:
                    await self._send(batch)
                except (RedisError, OSError) as exc:
                    self.failures += 1
                    if self.connected:
                        self.connected = False
                        log.error("Redis publishing failing (%s); buffering", exc)
                        self._changed(False)
                    delay = min(self.max_backoff, backoff) * random.uniform(0.5, 1.0)
                    backoff = min(self.max_backoff, backoff * 2)
                    await asyncio.sleep(delay)
                    continue
                backoff = 0.05
                # A trim during the await may have dropped entries of this batch already.
                last = batch[-1].seq
                while self._buffer and self._buffer[0].seq <= last:
                    self._buffer.popleft()
                self.published += len(batch)
                for entry in batch:
                    ch = entry.message.channel
                    self.published_by_channel[ch] = self.published_by_channel.get(ch, 0) + 1
                if self.record_order:
                    self.order.extend(e.seq for e in batch)
                if not self.connected:
                    self.connected = True
                    log.warning("Redis publishing restored; %d messages republished", len(batch))
                    self._changed(True)
                self._notify(last)
            self._idle.set()

    async def _send(self, batch: list[_Entry]) -> None:
        pipe = self._client.pipeline(transaction=False)
        for entry in batch:
            pipe.publish(entry.message.channel, entry.message.payload)
        await pipe.execute()

    def _notify(self, published_seq: int) -> None:
        due = [w for w in self._waiters if w[0] <= published_seq]
        if due:
            self._waiters = [w for w in self._waiters if w[0] > published_seq]
            for _, callback in due:
                callback()

    def _changed(self, connected: bool) -> None:
        if self.on_change is not None:
            self.on_change(connected)

    async def close(self, drain_timeout: float = 5.0) -> None:
        """Publish what is left (bounded by ``drain_timeout``), then stop."""
        if self._buffer:
            self._wake.set()
            if not await self.wait_idle(drain_timeout):
                log.warning("publisher closed with %d messages unpublished", len(self._buffer))
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._client.aclose()
