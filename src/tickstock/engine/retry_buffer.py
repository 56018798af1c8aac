"""A bounded, ordered buffer sent by its own task and retried until the far end takes it.

The publisher (messages to Redis) and the write queue (jobs for the database) are both this:
``extend`` only appends and wakes the send task, which hands the oldest items (up to
``max_batch``) to an async ``send``; a retryable failure is retried with capped exponential
backoff plus jitter, so after an outage everything buffered goes out in its original order.

Each item has a weight (1 per message, ``rows`` per write job). Past ``limit`` in total the
oldest droppable items are dropped, counted in ``dropped`` (weight) and logged. With
``keep_ends`` the head (it may be mid-send) and the newest item (one item heavier than the
limit still goes through) are never dropped; without it, items being sent may be dropped
from the buffer, and are then simply not removed twice once the send succeeds.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

#: The first retry delay (before jitter); it doubles after each failure up to ``max_backoff``.
FIRST_BACKOFF = 0.05


@dataclass(slots=True)
class Entry(Generic[T]):
    """One buffered item with its sequence number (1, 2, ... in submit order) and weight."""

    seq: int
    item: T
    weight: int


def from_buffer(name: str, doc: str = "") -> property:
    """A read-only property of a ``RetryBuffer`` user: attribute ``name`` of its ``_buffer``."""
    return property(lambda owner: getattr(owner._buffer, name), doc=doc)


def _jitter() -> float:
    return random.uniform(0.5, 1.0)


class RetryBuffer(Generic[T]):
    """Items in order, sent by one task; ``ok`` is False from a failed send to the next success.

    ``on_failing(exc)`` is called when sending starts failing, ``on_sent(batch, restored)``
    after every successful send (``restored`` on the first success after a failure).
    ``drop_warning`` is a %-format taking the limit, the weight just dropped and the total.
    """

    def __init__(
        self,
        send: Callable[[list[T]], Awaitable[object]],
        *,
        limit: int,
        max_backoff: float,
        retryable: tuple[type[BaseException], ...],
        on_failing: Callable[[BaseException], None],
        on_sent: Callable[[list[Entry[T]], bool], None],
        drop_warning: str,
        logger: logging.Logger,
        weight: Callable[[T], int] = lambda _: 1,
        droppable: Callable[[T], bool] = lambda _: True,
        max_batch: int = 1,
        keep_ends: bool = False,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        jitter: Callable[[], float] = _jitter,
    ) -> None:
        self.limit = limit
        self.max_backoff = max_backoff
        self._send = send
        self._retryable = retryable
        self._on_failing = on_failing
        self._on_sent = on_sent
        self._drop_warning = drop_warning
        self._log = logger
        self._weight_of = weight
        self._droppable = droppable
        self._max_batch = max_batch
        self._keep_ends = keep_ends
        self._sleep = sleep
        self._jitter = jitter
        self._entries: deque[Entry[T]] = deque()
        self._next_seq = 1
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.ok = True
        #: total weight buffered, dropped by the bound, and failed sends
        self.weight = 0
        self.dropped = 0
        self.failures = 0

    def __len__(self) -> int:
        return len(self._entries)

    def start(self, name: str) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=name)

    def extend(self, items: Iterable[T]) -> int:
        """Queue ``items`` (in order), apply the bound, and return the last sequence number."""
        for item in items:
            weight = self._weight_of(item)
            self._entries.append(Entry(self._next_seq, item, weight))
            self.weight += weight
            self._next_seq += 1
        self._trim()
        if self._entries:
            self._idle.clear()
            self._wake.set()
        return self._next_seq - 1

    def _trim(self) -> None:
        entries = self._entries
        if self.weight <= self.limit or (self._keep_ends and len(entries) < 2):
            return
        # Only the oldest part is walked: it stops as soon as the total is within the limit.
        kept = [entries.popleft()] if self._keep_ends else []
        newest = 1 if self._keep_ends else 0
        dropped = 0
        while len(entries) > newest and self.weight > self.limit:
            entry = entries.popleft()
            if self._droppable(entry.item):
                self.weight -= entry.weight
                dropped += entry.weight
            else:
                kept.append(entry)
        entries.extendleft(reversed(kept))
        if dropped:
            self.dropped += dropped
            self._log.warning(self._drop_warning, self.limit, dropped, self.dropped)

    async def wait_idle(self, within: float | None = None) -> bool:
        """Wait until everything queued is sent; False on timeout."""
        try:
            async with asyncio.timeout(within):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        backoff = FIRST_BACKOFF
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._entries:
                batch = list(itertools.islice(self._entries, self._max_batch))
                try:
                    await self._send([entry.item for entry in batch])
                except self._retryable as exc:
                    self.failures += 1
                    if self.ok:
                        self.ok = False
                        self._on_failing(exc)
                    delay = min(self.max_backoff, backoff) * self._jitter()
                    backoff = min(self.max_backoff, backoff * 2)
                    await self._sleep(delay)
                    continue
                backoff = FIRST_BACKOFF
                # A trim during the send may have dropped entries of this batch already.
                last = batch[-1].seq
                while self._entries and self._entries[0].seq <= last:
                    self.weight -= self._entries.popleft().weight
                restored = not self.ok
                self.ok = True
                self._on_sent(batch, restored)
            self._idle.set()

    async def close(self, drain_timeout: float) -> bool:
        """Send what is left (bounded by ``drain_timeout``), then stop; False if some is left."""
        drained = True
        if self._entries:
            self._wake.set()
            drained = await self.wait_idle(drain_timeout)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        return drained
