"""``RedisSubscriber``: the one Redis subscription of an app process, kept alive.

A supervised task subscribes to the channels, reads, and on any connection failure
reconnects with capped exponential backoff plus jitter (short socket timeouts, so a Redis
outage never blocks the event loop). Every subscription reports what it may have missed
(``on_gap``): the first one quietly, each one after a loss as a feed gap.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from tickstock.contract import ALL_CHANNELS

log = logging.getLogger(__name__)


class RedisSubscriber:
    """The one Redis subscription of this process, kept alive by a supervised task."""

    def __init__(
        self,
        url: str,
        *,
        on_message: Callable[[str, bytes, float], object],
        on_status: Callable[[str], None],
        on_gap: Callable[[datetime, datetime, bool], Awaitable[object]],
        metrics: Any = None,
        backoff_initial: float = 0.1,
        backoff_max: float = 2.0,
        connect_timeout: float = 2.0,
        read_timeout: float = 1.0,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.on_message = on_message
        self.on_status = on_status
        self.on_gap = on_gap
        self.metrics = metrics
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.rng = rng or random.Random()
        self.wall_clock = wall_clock
        self.connected = False
        self._task: asyncio.Task[None] | None = None
        self._gap_tasks: set[asyncio.Task[object]] = set()
        self._alive_at: float | None = None
        self._gap_from: float | None = None
        self._ever_connected = False

    def start(self) -> asyncio.Task[None]:
        """Start the listener (the task is kept here, never left to the garbage collector)."""
        if self._task is None or self._task.done():
            self._gap_from = self.wall_clock()  # until subscribed, nothing is heard
            self._task = asyncio.create_task(self.run(), name="redis-subscriber")
        return self._task

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._gap_tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = None

    async def run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self._lost(exc)
            except Exception:
                log.exception("redis listener failed unexpectedly; reconnecting")
                self._lost(None)
            if self.connected_recently():
                attempt = 0
            delay = min(self.backoff_max, self.backoff_initial * 2**attempt)
            delay *= self.rng.uniform(0.5, 1.0)
            attempt = min(attempt + 1, 30)
            await asyncio.sleep(delay)

    def connected_recently(self) -> bool:
        return self._alive_at is not None and self.wall_clock() - self._alive_at < 1.0

    def _lost(self, exc: BaseException | None) -> None:
        if self.connected:
            self.connected = False
            self._gap_from = self._alive_at or self.wall_clock()
            log.warning("redis subscription lost (%s); reconnecting", exc)
            self.on_status("reconnecting")
        else:
            log.debug("redis still unreachable: %s", exc)

    async def _listen_once(self) -> None:
        client = aioredis.Redis.from_url(
            self.url,
            socket_connect_timeout=self.connect_timeout,
            socket_timeout=self.connect_timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=5,
        )
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(*ALL_CHANNELS)
            self._subscribed()
            while True:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=self.read_timeout
                )
                if _cancel_requested():
                    raise asyncio.CancelledError  # a read timeout can swallow the cancel
                self._alive_at = self.wall_clock()
                if message is None or message["type"] != "message":
                    continue
                channel = message["channel"]
                if isinstance(channel, bytes):
                    channel = channel.decode("utf-8", "replace")
                self.on_message(channel, message["data"], time.monotonic())
        finally:
            await _close_quietly(pubsub, client)

    def _subscribed(self) -> None:
        self.connected = True
        self._alive_at = self.wall_clock()
        if self._ever_connected and self.metrics is not None:
            self.metrics.redis_reconnects.inc()
        log.info("subscribed to %d redis channels at %s", len(ALL_CHANNELS), _safe_url(self.url))
        self.on_status("connected")
        if self._gap_from is not None:
            # Every subscription backfills what was stored while nobody listened, the first
            # one too (rows written between the app's restore and now); that one is quiet
            # unless it took more than a moment or found something.
            quiet = not (self._ever_connected or self._gap_needed_at_start())
            start = datetime.fromtimestamp(self._gap_from, UTC)
            end = datetime.fromtimestamp(self.wall_clock(), UTC)
            gap = self.on_gap(start, end, quiet)
            task = asyncio.create_task(_guarded(gap), name="feed-gap")
            self._gap_tasks.add(task)
            task.add_done_callback(self._gap_tasks.discard)
        self._gap_from = None
        self._ever_connected = True

    def _gap_needed_at_start(self) -> bool:
        """A first subscription that took more than a moment missed what was published."""
        return self._gap_from is not None and self.wall_clock() - self._gap_from > 1.0


def _cancel_requested() -> bool:
    """Whether this task was asked to stop: redis-py's read timeout may have consumed the
    ``CancelledError`` (seen when uvicorn could not bind and stopped the app at once), and
    the listen loop would then read on forever, holding the process open."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _guarded(awaitable: Awaitable[object]) -> None:
    try:
        await awaitable
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("feed gap handling failed")


async def _close_quietly(pubsub: Any, client: Any) -> None:
    for closer in (pubsub.aclose, client.aclose):
        try:
            async with asyncio.timeout(1.0):
                await closer()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.debug("closing a dead redis connection failed", exc_info=True)


def _safe_url(url: str) -> str:
    """The URL without its password, for logs."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
