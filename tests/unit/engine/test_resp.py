"""The engine's own RESP publishing: framing, reply checking, partial reads, a real Redis."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
import redis.asyncio as aioredis
from redis.connection import Connection
from redis.exceptions import AuthenticationError, ConnectionError, RedisError, ResponseError
from tests.servers import RedisServer, async_wait_until

from tickstock.engine.pipeline import Outgoing
from tickstock.engine.publisher import Publisher
from tickstock.engine.resp import ReplyCounter, RespPublisher, check_replies, pack_publishes

# --- framing ------------------------------------------------------------------------------


def test_one_publish_is_framed_as_a_resp_array_of_bulk_strings() -> None:
    packed = pack_publishes([Outgoing("ch", b'{"a":1}')])
    assert packed == b'*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$7\r\n{"a":1}\r\n'


def test_bulk_string_lengths_are_byte_lengths_for_non_ascii_payloads_and_channels() -> None:
    payload = '{"symbol":"NESTLÉ","note":"🚀 ≥ 0.8"}'.encode()
    assert len(payload) > len(payload.decode())  # the case that matters
    packed = pack_publishes([Outgoing("tickstock:é", payload)])
    assert packed == (
        b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\ntickstock:\xc3\xa9\r\n$%d\r\n%s\r\n"
        % (len("tickstock:é".encode()), len(payload), payload)
    )


def test_a_batch_is_what_redis_py_packs_command_by_command() -> None:
    messages = [
        Outgoing("tickstock:indicators:streaming", b"x" * 70_000),  # redis-py splits big args
        Outgoing("tickstock:alerts:indicators", "café ☕".encode()),
        Outgoing("tickstock:indicators:streaming", b""),
        Outgoing("tickstock:patterns:detected", b"\r\n$3\r\n*1\r\n"),  # RESP-looking bytes
    ]
    oracle = Connection()
    expected = b"".join(
        b"".join(oracle.pack_command("PUBLISH", m.channel, m.payload)) for m in messages
    )
    assert pack_publishes(messages) == expected


def test_str_payloads_are_sent_as_utf8() -> None:
    as_str = pack_publishes([Outgoing("c", "é")])  # type: ignore[arg-type]
    assert as_str == pack_publishes([Outgoing("c", "é".encode())])


# --- reply checking -----------------------------------------------------------------------


def test_integer_replies_pass() -> None:
    check_replies(b":0\r\n:1\r\n:12\r\n", 3)


def test_error_replies_are_raised_after_all_replies_naming_the_count_and_the_first() -> None:
    with pytest.raises(ResponseError, match="2 of 4 commands failed; first error: NOPERM no"):
        check_replies(b":1\r\n-NOPERM no\r\n:1\r\n-ERR other\r\n", 4)


@pytest.mark.parametrize(
    "data",
    [
        b":1\r\n",  # fewer replies than commands
        b":1\r\n:1\r\n:1\r\n",  # more
        b":1\r\n+OK\r\n",  # another reply type
        b":1\r\n:x\r\n",  # not an integer
        b":1\r\n:-1\r\n",  # PUBLISH never answers a negative count
        b":1\n:1\n",  # bare newlines
        b":1\r\n:1",  # incomplete
        b"$1\r\n1\r\n",  # a bulk string
    ],
)
def test_anything_else_is_a_stream_out_of_step(data: bytes) -> None:
    with pytest.raises(ConnectionError, match="Protocol error"):
        check_replies(data, 2)


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def close(self) -> None:
        self.closed = True


async def test_replies_split_across_reads_anywhere_are_counted_once_complete() -> None:
    protocol = ReplyCounter()
    transport = FakeTransport()
    protocol.connection_made(transport)
    replies = b":1\r\n-ERR x\r\n:25\r\n"
    waiter = protocol.expect(3, asyncio.get_running_loop())
    for i in range(len(replies) - 1):
        protocol.data_received(replies[i : i + 1])  # one byte at a time
        assert not waiter.done(), f"resolved early after {i + 1} bytes"
    protocol.data_received(replies[-1:])
    assert waiter.done() and bytes(protocol.buffer) == replies
    with pytest.raises(ResponseError, match="1 of 3"):
        check_replies(bytes(protocol.buffer), 3)
    assert not transport.closed and protocol.broken is None


async def test_bytes_nobody_asked_for_break_the_connection() -> None:
    protocol = ReplyCounter()
    transport = FakeTransport()
    protocol.connection_made(transport)
    protocol.data_received(b"-ERR idle\r\n")
    assert transport.closed and protocol.broken == "unexpected bytes from the server"


async def test_a_lost_connection_fails_the_waiting_send() -> None:
    protocol = ReplyCounter()
    protocol.connection_made(FakeTransport())
    waiter = protocol.expect(2, asyncio.get_running_loop())
    protocol.data_received(b":1\r\n")
    protocol.connection_lost(None)
    with pytest.raises(ConnectionError, match="closed by the server"):
        await waiter


# --- against a real redis-server ----------------------------------------------------------


async def subscribe(url: str, channels: list[str], into: list[tuple[str, bytes]]) -> asyncio.Task:
    ready = asyncio.Event()

    async def run() -> None:
        client = aioredis.Redis.from_url(url)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(*channels)
            ready.set()
            while True:
                item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
                if item is not None:
                    into.append((item["channel"].decode(), item["data"]))
        finally:
            await pubsub.aclose()
            await client.aclose()

    task = asyncio.create_task(run())
    await asyncio.wait_for(ready.wait(), 5)
    return task


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_batch_reaches_a_subscriber_byte_for_byte(redis_url: str) -> None:
    received: list[tuple[str, bytes]] = []
    listener = await subscribe(redis_url, ["a", "b"], received)
    messages = [Outgoing("a" if i % 3 else "b", f"{i} é 🚀 \r\n".encode() * i) for i in range(300)]
    connection = RespPublisher(redis_url)
    try:
        await connection.publish(messages)
        await async_wait_until(lambda: len(received) == 300, 5, "300 messages received")
        assert received == [(m.channel, m.payload) for m in messages]
    finally:
        connection.close()
        await stop(listener)


@pytest.fixture
def acl_redis(fresh_redis: RedisServer) -> RedisServer:
    """A user that may publish on ``allowed:*`` only, and a password for it."""
    fresh_redis.command("ACL", "SETUSER", "engine", "on", ">s3cret", "resetchannels")
    fresh_redis.command("ACL", "SETUSER", "engine", "&allowed:*", "+publish", "+ping")
    return fresh_redis


def user_url(server: RedisServer, password: str = "s3cret") -> str:
    return f"redis://engine:{password}@127.0.0.1:{server.port}/0"


async def test_an_error_reply_is_raised_and_the_connection_stays_usable(
    acl_redis: RedisServer,
) -> None:
    received: list[tuple[str, bytes]] = []
    listener = await subscribe(acl_redis.url, ["allowed:x", "other"], received)
    connection = RespPublisher(user_url(acl_redis))
    batch = [Outgoing("allowed:x", b"1"), Outgoing("other", b"2"), Outgoing("allowed:x", b"3")]
    try:
        with pytest.raises(ResponseError, match="1 of 3 commands failed; first error: NOPERM"):
            await connection.publish(batch)
        assert connection.connected
        await connection.publish([Outgoing("allowed:x", b"4")])  # the same, still in step
        await async_wait_until(lambda: len(received) == 3, 5, "the permitted messages")
        assert received == [("allowed:x", b"1"), ("allowed:x", b"3"), ("allowed:x", b"4")]
    finally:
        connection.close()
        await stop(listener)


async def test_a_wrong_password_is_an_authentication_error(acl_redis: RedisServer) -> None:
    connection = RespPublisher(user_url(acl_redis, "wrong"))
    with pytest.raises(AuthenticationError, match="Redis refused AUTH"):
        await connection.publish([Outgoing("allowed:x", b"1")])
    assert not connection.connected


async def test_the_publisher_counts_an_error_reply_as_a_failure_and_keeps_the_messages(
    acl_redis: RedisServer,
) -> None:
    changes: list[bool] = []
    publisher = Publisher(user_url(acl_redis), max_backoff=0.05, on_change=changes.append)
    publisher.start()
    try:
        publisher.submit([Outgoing("other", b"refused")])
        await async_wait_until(lambda: publisher.failures >= 2, 5, "the error reply retried")
        assert changes == [False] and not publisher.connected
        assert publisher.published == 0 and publisher.backlog == 1
    finally:
        await publisher.close(drain_timeout=0.1)


async def test_a_connection_closed_by_a_restart_is_replaced_before_the_next_batch(
    fresh_redis: RedisServer,
) -> None:
    connection = RespPublisher(fresh_redis.url)
    try:
        await connection.publish([Outgoing("c", b"1")])
        fresh_redis.stop()
        await async_wait_until(lambda: not connection.connected, 5, "the close noticed")
        with pytest.raises(RedisError):  # down: one bounded attempt, no retry
            await connection.publish([Outgoing("c", b"2")])
        fresh_redis.start()
        await connection.publish([Outgoing("c", b"3")])
        assert connection.connected
    finally:
        connection.close()


async def test_no_progress_for_the_timeout_fails_the_attempt_and_drops_the_connection(
    fresh_redis: RedisServer,
) -> None:
    connection = RespPublisher(fresh_redis.url, timeout=0.2)
    try:
        await connection.publish([Outgoing("c", b"1")])
        assert fresh_redis.pid is not None
        os.kill(fresh_redis.pid, signal.SIGSTOP)  # it stops answering, its socket stays open
        try:
            with pytest.raises(RedisError, match="Timeout: 0 of 1 replies"):
                await connection.publish([Outgoing("c", b"2")])
            assert not connection.connected
        finally:
            os.kill(fresh_redis.pid, signal.SIGCONT)
    finally:
        connection.close()
