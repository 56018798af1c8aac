"""RetryBuffer alone: a fake send that fails on demand, an injected sleep, no jitter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from tickstock.engine.retry_buffer import Entry, RetryBuffer

log = logging.getLogger("test_retry_buffer")


@dataclass(frozen=True)
class Item:
    name: str
    weight: int = 1
    droppable: bool = True


@dataclass
class FakeFarEnd:
    """``send`` fails ``fail`` times (ConnectionError), then records every batch it takes."""

    fail: int = 0
    batches: list[list[str]] = field(default_factory=list)
    attempts: int = 0
    gate: asyncio.Event | None = None
    #: set once a send has started (and, with ``gate``, is waiting for it)
    sending: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, batch: list[Item]) -> None:
        self.attempts += 1
        self.sending.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail > 0:
            self.fail -= 1
            raise ConnectionError("far end down")
        self.batches.append([item.name for item in batch])


@dataclass
class Events:
    failing: list[str] = field(default_factory=list)
    sent: list[tuple[list[int], bool]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def on_failing(self, exc: BaseException) -> None:
        self.failing.append(str(exc))

    def on_sent(self, batch: list[Entry[Item]], restored: bool) -> None:
        self.sent.append(([entry.seq for entry in batch], restored))

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        await asyncio.sleep(0)  # records the delay without waiting it, but lets others run


def make(
    send: Callable[[list[Item]], Awaitable[None]],
    events: Events,
    limit: int = 100,
    max_batch: int = 1,
    keep_ends: bool = False,
) -> RetryBuffer[Item]:
    return RetryBuffer(
        send,
        limit=limit,
        max_backoff=0.4,
        retryable=(ConnectionError,),
        on_failing=events.on_failing,
        on_sent=events.on_sent,
        drop_warning="full (%d): dropped %d (%d in all)",
        logger=log,
        weight=lambda item: item.weight,
        droppable=lambda item: item.droppable,
        sleep=events.sleep,
        jitter=lambda: 1.0,
        max_batch=max_batch,
        keep_ends=keep_ends,
    )


def items(*names: str, weight: int = 1, droppable: bool = True) -> list[Item]:
    return [Item(name, weight, droppable) for name in names]


async def test_items_are_sent_in_order_in_batches_of_at_most_max_batch() -> None:
    far, events = FakeFarEnd(), Events()
    buffer = make(far.send, events, max_batch=2)
    assert buffer.extend(items("a", "b", "c")) == 3
    assert buffer.extend(items("d", "e")) == 5
    buffer.start("test")
    try:
        assert await buffer.wait_idle(5), "the buffer never went idle"
        assert far.batches == [["a", "b"], ["c", "d"], ["e"]]
        assert events.sent == [([1, 2], False), ([3, 4], False), ([5], False)]
        assert len(buffer) == 0 and buffer.weight == 0 and buffer.ok
    finally:
        await buffer.close(1)


async def test_failures_back_off_exponentially_up_to_the_cap_then_recover_once() -> None:
    far, events = FakeFarEnd(fail=5), Events()
    buffer = make(far.send, events, max_batch=10)
    buffer.start("test")
    try:
        buffer.extend(items("a", "b"))
        assert await buffer.wait_idle(5), "the buffer never went idle"
        assert events.sleeps == [0.05, 0.1, 0.2, 0.4, 0.4]
        assert events.failing == ["far end down"], "on_failing once per outage"
        assert buffer.failures == 5 and far.attempts == 6
        assert far.batches == [["a", "b"]]
        assert events.sent == [([1, 2], True)], "the first success after failures is a restore"
        buffer.extend(items("c"))
        assert await buffer.wait_idle(5), "the buffer never went idle"
        assert events.sent[-1] == ([3], False)
        far.fail = 1
        buffer.extend(items("d"))
        assert await buffer.wait_idle(5), "the buffer never went idle"
        assert events.sleeps[-1] == 0.05, "the backoff starts again after a success"
        assert len(events.failing) == 2 and events.sent[-1] == ([4], True)
    finally:
        await buffer.close(1)


async def test_a_failure_that_is_not_retryable_stops_the_task() -> None:
    events = Events()

    async def broken(batch: list[Item]) -> None:
        raise ValueError("this job is wrong")

    buffer = make(broken, events)
    buffer.start("test")
    buffer.extend(items("x"))
    assert not await buffer.wait_idle(0.5)
    assert buffer.failures == 0 and events.failing == [] and events.sleeps == []
    assert not await buffer.close(0.01), "what is left is reported as not drained"


def test_the_bound_drops_the_oldest_droppable_weight_and_logs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    buffer = make(FakeFarEnd().send, Events(), limit=5)
    buffer.extend(items("keep", droppable=False))
    with caplog.at_level(logging.WARNING, logger=log.name):
        buffer.extend(items(*"abcdefghi"))
    assert buffer.dropped == 5 and buffer.weight == 5 and len(buffer) == 5
    assert [e.item.name for e in buffer._entries] == ["keep", "f", "g", "h", "i"]
    assert caplog.messages == ["full (5): dropped 5 (5 in all)"]


def test_weights_count_against_the_limit_and_nothing_is_dropped_within_it() -> None:
    buffer = make(FakeFarEnd().send, Events(), limit=10)
    buffer.extend(items("a", "b", weight=5))
    assert buffer.dropped == 0 and buffer.weight == 10
    buffer.extend(items("c", weight=3))
    assert buffer.dropped == 5 and buffer.weight == 8
    assert [e.item.name for e in buffer._entries] == ["b", "c"]


def test_keep_ends_never_drops_the_head_nor_the_newest_item() -> None:
    buffer = make(FakeFarEnd().send, Events(), limit=10, keep_ends=True)
    buffer.extend(items("head", weight=8))
    buffer.extend(items("big", weight=50))
    assert buffer.dropped == 0, "one item heavier than the limit still goes through"
    buffer.extend(items("next", weight=1))
    assert buffer.dropped == 50 and buffer.weight == 9
    assert [e.item.name for e in buffer._entries] == ["head", "next"]


def test_without_keep_ends_the_head_and_the_newest_may_be_dropped() -> None:
    buffer = make(FakeFarEnd().send, Events(), limit=0)
    buffer.extend(items("a", "b"))
    assert buffer.dropped == 2 and len(buffer) == 0


async def test_items_dropped_while_their_batch_is_in_flight_are_not_removed_twice() -> None:
    far, events = FakeFarEnd(gate=asyncio.Event()), Events()
    buffer = make(far.send, events, limit=3, max_batch=2)
    buffer.extend(items("a", "b"))
    buffer.start("test")
    try:
        await asyncio.wait_for(far.sending.wait(), 5)
        buffer.extend(items("c", "d", "e"))  # over the limit: a and b, in flight, dropped
        assert buffer.dropped == 2 and len(buffer) == 3
        far.gate.set()
        assert await buffer.wait_idle(5), "the buffer never went idle"
        assert far.batches == [["a", "b"], ["c", "d"], ["e"]]
        assert [seqs for seqs, _ in events.sent] == [[1, 2], [3, 4], [5]]
        assert buffer.weight == 0
    finally:
        await buffer.close(1)


async def test_keep_ends_keeps_the_head_in_flight_and_removes_it_once_sent() -> None:
    far, events = FakeFarEnd(gate=asyncio.Event()), Events()
    buffer = make(far.send, events, limit=2, keep_ends=True)
    buffer.extend(items("head"))
    buffer.start("test")
    try:
        await asyncio.wait_for(far.sending.wait(), 5)
        buffer.extend(items("a", "b", "c"))
        assert buffer.dropped == 2 and [e.item.name for e in buffer._entries] == ["head", "c"]
        far.gate.set()
        assert await buffer.wait_idle(5), "the buffer never went idle"
        assert far.batches == [["head"], ["c"]] and buffer.weight == 0
    finally:
        await buffer.close(1)


async def test_wait_idle_times_out_while_sending_fails_and_close_reports_it() -> None:
    far, events = FakeFarEnd(fail=10**9), Events()
    buffer = make(far.send, events)
    buffer.start("test")
    buffer.extend(items("a"))
    assert not await buffer.wait_idle(0.05)
    assert not buffer.ok and len(buffer) == 1
    assert not await buffer.close(0.05)
    assert buffer._task is None
