"""Publishing to Redis: pipelined, buffered while Redis is down, republished in order.

The engine never waits on Redis. ``submit`` only appends to a bounded outgoing buffer and
wakes the flush task, which sends everything waiting in one pipeline (one round trip for a
whole minute of messages). When Redis is unreachable the flush task keeps the messages,
retries with capped exponential backoff plus jitter, and republishes them in their original
order once Redis is back. Past ``buffer_limit`` messages the oldest droppable ones are
dropped and counted (logged); session and critical-alert messages are never dropped. The
buffering, bound and retries are ``retry_buffer.RetryBuffer``'s.

Each flush is one round trip on the engine's own connection (``engine.resp``): the batch is
written as one RESP buffer and every reply is read and checked; an error reply fails the
attempt like a lost connection does (counted in ``failures``, retried). There are no
retries below the buffer's (redis-py's would block the flush for seconds), and short
timeouts bound every attempt: ``socket_timeout`` for connecting and without progress.

After an outage the buffered messages are republished only once a subscriber is back
(``PUBSUB NUMSUB``), for at most ``subscriber_wait`` seconds: when Redis restarts, the
engine usually reconnects before the app re-subscribes, and pub/sub would deliver the
whole backlog to nobody. Past the wait they go out anyway (the app's backfill from the
database covers what it missed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from tickstock.engine.resp import RespPublisher
from tickstock.engine.retry_buffer import Entry, RetryBuffer, from_buffer

log = logging.getLogger(__name__)

#: Most messages sent in one pipeline round trip.
MAX_PIPELINE = 2000
#: Seconds between two ``PUBSUB NUMSUB`` probes while waiting for a subscriber.
SUBSCRIBER_POLL = 0.05


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message for one channel; ``droppable`` False for messages a buffer must keep."""

    channel: str
    payload: bytes
    droppable: bool = True


class Publisher:
    """A bounded, ordered outgoing buffer in front of a Redis connection.

    ``on_change(connected)`` is called when publishing starts failing or works again, so the
    runner can raise and resolve the critical alert. ``on_published(seq)`` hooks let the
    runner measure processing lag up to "publish done".
    """

    buffer_limit = from_buffer("limit")
    max_backoff = from_buffer("max_backoff")
    connected = from_buffer("ok", "False from a failed publish until the next one succeeds")
    dropped = from_buffer("dropped", "messages dropped by the bound")
    failures = from_buffer("failures", "failed publish attempts")

    def __init__(
        self,
        redis_url: str,
        buffer_limit: int = 200_000,
        socket_timeout: float = 0.5,
        max_backoff: float = 2.0,
        on_change: Callable[[bool], None] | None = None,
        subscriber_wait: float = 5.0,
        subscribers: Callable[[str], Awaitable[int]] | None = None,
    ) -> None:
        self.redis_url = redis_url
        self.on_change = on_change
        self.subscriber_wait = subscriber_wait
        self.socket_timeout = socket_timeout
        self._subscribers = subscribers or self._numsub
        self._probe: aioredis.Redis | None = None
        #: republishes that went out with no subscriber after ``subscriber_wait``
        self.republished_unheard = 0
        self._await_subscriber_first = False
        self._connection = RespPublisher(
            redis_url, timeout=socket_timeout, connect_timeout=socket_timeout
        )
        self._buffer: RetryBuffer[Outgoing] = RetryBuffer(
            self._send,
            limit=buffer_limit,
            max_backoff=max_backoff,
            retryable=(RedisError, OSError),
            on_failing=self._failing,
            on_sent=self._sent,
            drop_warning="publish buffer full (%d): dropped the %d oldest messages"
            " (%d dropped in all)",
            logger=log,
            droppable=lambda message: message.droppable,
            max_batch=MAX_PIPELINE,
        )
        self._waiters: list[tuple[int, Callable[[], None]]] = []
        self.published = 0
        self.published_by_channel: dict[str, int] = {}
        #: the sequence number of every message published, in publish order (tests check it)
        self.record_order = False
        self.order: list[int] = []

    @property
    def backlog(self) -> int:
        return len(self._buffer)

    def start(self) -> None:
        self._buffer.start("publisher-flush")

    def submit(
        self, messages: Sequence[Outgoing], on_published: Callable[[], None] | None = None
    ) -> int:
        """Queue ``messages`` (in order) and return the sequence number of the last one."""
        last = self._buffer.extend(messages)
        if on_published is not None:
            self._waiters.append((last, on_published))
            if not self._buffer:
                self._notify(last)
        return last

    async def wait_idle(self, within: float | None = None) -> bool:
        """Wait until everything submitted is published; False on timeout."""
        return await self._buffer.wait_idle(within)

    def _failing(self, exc: BaseException) -> None:
        log.error("Redis publishing failing (%s); buffering", exc)
        # Unreachable (a restart, a network fault): subscribers were cut off too. An error
        # reply (an ACL refusal, say) leaves them subscribed: nothing to wait for.
        self._await_subscriber_first = not isinstance(exc, ResponseError)
        self._changed(False)

    def _sent(self, batch: list[Entry[Outgoing]], restored: bool) -> None:
        self.published += len(batch)
        for entry in batch:
            ch = entry.item.channel
            self.published_by_channel[ch] = self.published_by_channel.get(ch, 0) + 1
        if self.record_order:
            self.order.extend(e.seq for e in batch)
        if restored:
            log.warning("Redis publishing restored; %d messages republished", len(batch))
            self._changed(True)
        self._notify(batch[-1].seq)

    async def _send(self, batch: list[Outgoing]) -> None:
        if self._await_subscriber_first:  # the first republish after Redis was unreachable
            await self._await_subscriber(batch[0].channel, len(batch))  # raises while down
            self._await_subscriber_first = False
        await self._connection.publish(batch)

    async def _await_subscriber(self, channel: str, backlog: int) -> None:
        """Wait (bounded) until ``channel`` has a subscriber; raises while Redis is down."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.subscriber_wait
        while await self._subscribers(channel) == 0:
            if loop.time() >= deadline:
                self.republished_unheard += 1
                log.warning(
                    "no subscriber on %s after %.1f s; republishing %d messages anyway"
                    " (subscribers backfill from the database)",
                    channel,
                    self.subscriber_wait,
                    backlog,
                )
                return
            await asyncio.sleep(SUBSCRIBER_POLL)

    async def _numsub(self, channel: str) -> int:
        if self._probe is None:
            self._probe = aioredis.Redis.from_url(
                self.redis_url,
                socket_connect_timeout=self.socket_timeout,
                socket_timeout=self.socket_timeout,
                retry=Retry(NoBackoff(), 0),
            )
        try:
            [(_, count)] = await self._probe.pubsub_numsub(channel)
        except BaseException:
            await self._close_probe()
            raise
        return int(count)

    async def _close_probe(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            try:
                await probe.aclose()
            except (RedisError, OSError):
                log.debug("closing the NUMSUB probe failed", exc_info=True)

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
        if not await self._buffer.close(drain_timeout):
            log.warning("publisher closed with %d messages unpublished", len(self._buffer))
        self._connection.close()
        await self._close_probe()
