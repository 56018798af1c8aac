"""A whole batch of ``PUBLISH`` commands as one RESP buffer, on a connection of our own.

redis-py packs a pipeline command by command and reads its replies one by one, each read
under its own timeout: for a 5,000-symbol minute (~1,200 ``PUBLISH``) that was a third of the
close. Here the minute is one ``bytes`` (``pack_publishes``: a precomputed header per
channel, the payload's byte length, the payload), written at once, and the replies are
counted as they arrive by an ``asyncio.Protocol`` and checked once all are in.

Replies are read and checked, never assumed:

* every reply to ``PUBLISH`` (RESP2) is one line, ``:<receivers>`` or ``-<error>``; the
  protocol counts lines over however many reads they arrive in (partial reads are normal);
* error replies are surfaced once every reply is read (the connection stays in step, as
  redis-py's pipeline does): ``ResponseError`` naming how many failed and the first message;
* anything else (another reply type, a malformed line, more replies than commands, bytes
  arriving while nothing was sent) means the stream is out of step: the connection is
  dropped and ``ConnectionError`` raised;
* a send is bounded by ``timeout`` without progress (no reply bytes for that long), a
  connect by ``connect_timeout``; there are no retries here — the caller's
  ``RetryBuffer`` owns retrying, so nothing ever waits on Redis beyond one attempt;
* a connection the server closed (restart, idle timeout) is noticed before the next send and
  replaced, as redis-py's pool does.

All failures are ``redis.exceptions.RedisError`` subclasses (or ``OSError``), the exceptions
the publisher already treats as "Redis is failing". URLs are parsed by redis-py
(``redis://``, ``rediss://``, ``unix://``; user and password are sent with ``AUTH``). The
database number is not selected: Pub/Sub channels are not per database.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable, Sequence
from typing import Protocol

from redis.asyncio.connection import parse_url
from redis.exceptions import AuthenticationError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["ReplyCounter", "RespPublisher", "check_replies", "pack_publishes"]


class Message(Protocol):
    @property
    def channel(self) -> str: ...
    @property
    def payload(self) -> bytes: ...


def _bulk(arg: bytes) -> bytes:
    """One RESP bulk string: ``$<length>\\r\\n<bytes>\\r\\n``."""
    return b"$%d\r\n%s\r\n" % (len(arg), arg)


def _command(*args: str) -> bytes:
    """A whole command as a RESP array of bulk strings."""
    return b"*%d\r\n" % len(args) + b"".join(_bulk(arg.encode()) for arg in args)


def _header(channel: str) -> bytes:
    """``PUBLISH channel`` up to the payload's length: the payload's bulk string follows."""
    return b"*3\r\n" + _bulk(b"PUBLISH") + _bulk(channel.encode()) + b"$"


def pack_publishes(messages: Iterable[Message]) -> bytes:
    """``PUBLISH channel payload`` for each message, in order, as one RESP buffer."""
    headers: dict[str, bytes] = {}
    parts: list[bytes] = []
    append = parts.append
    for message in messages:
        channel = message.channel
        header = headers.get(channel)
        if header is None:
            header = headers[channel] = _header(channel)
        payload = message.payload
        if type(payload) is not bytes:
            payload = payload.encode() if isinstance(payload, str) else bytes(payload)
        append(header)
        append(b"%d\r\n" % len(payload))
        append(payload)
        append(b"\r\n")
    return b"".join(parts)


def check_replies(data: bytes, expected: int) -> None:
    """Check ``expected`` one-line replies in ``data``: integers, or errors raised after all.

    Raises ``ConnectionError`` (redis-py's) when the stream is out of step (the connection
    must go), and ``ResponseError`` when some commands got an error reply.
    """
    lines = data.split(b"\r\n")
    if len(lines) != expected + 1 or lines[-1] != b"":
        raise RedisConnectionError(
            f"Protocol error: expected {expected} one-line replies, got {len(data)} bytes"
            f" ending {data[-40:]!r}"
        )
    del lines[-1]
    errors = []
    for line in lines:
        kind = line[:1]
        if kind == b":" and line[1:].isdigit():
            continue
        if kind == b"-":
            errors.append(line)
            continue
        raise RedisConnectionError(f"Protocol error: unexpected reply {line[:80]!r}")
    if errors:
        first = errors[0][1:].decode(errors="replace")
        raise ResponseError(f"{len(errors)} of {expected} commands failed; first error: {first}")


class ReplyCounter(asyncio.Protocol):
    """Collects reply bytes and counts complete lines; ``waiter`` resolves at ``expected``."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.lines = 0
        self.expected = 0
        self.waiter: asyncio.Future[None] | None = None
        self.deadline: asyncio.Timeout | None = None
        self.timeout = 0.0
        #: set once the stream cannot be trusted any more (closed, or bytes nobody asked for)
        self.broken: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def expect(self, count: int, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
        self.buffer.clear()
        self.lines = 0
        self.expected = count
        self.waiter = loop.create_future()
        return self.waiter

    def data_received(self, data: bytes) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            self._break("unexpected bytes from the server")
            return
        self.buffer += data
        # Only one-line replies are valid here, so complete replies = newlines seen.
        self.lines += data.count(b"\n")
        deadline = self.deadline
        if deadline is not None and not deadline.expired():
            # progress: the no-progress timeout starts again
            deadline.reschedule(asyncio.get_running_loop().time() + self.timeout)
        if self.lines >= self.expected:
            waiter.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._break(f"connection lost ({exc})" if exc else "connection closed by the server")

    def _break(self, reason: str) -> None:
        if self.broken is None:
            self.broken = reason
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(RedisConnectionError(f"Redis {reason}"))
        if self.transport is not None:
            self.transport.close()


class RespPublisher:
    """One connection to Redis that publishes batches of messages in one round trip each."""

    def __init__(self, url: str, timeout: float = 0.5, connect_timeout: float = 0.5) -> None:
        self.url = url
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._options = parse_url(url)
        self._protocol: ReplyCounter | None = None

    @property
    def connected(self) -> bool:
        return self._protocol is not None and self._protocol.broken is None

    async def publish(self, messages: Sequence[Message]) -> None:
        """Publish ``messages`` in order; return once Redis acknowledged every one."""
        if not messages:
            return
        data = pack_publishes(messages)
        if not self.connected:
            self.close()
            await self._connect()
        assert self._protocol is not None
        try:
            await self._exchange(data, len(messages))
        except ResponseError:
            raise  # every reply was read: the connection is still in step
        except BaseException:
            self.close()
            raise

    async def _exchange(self, data: bytes, replies: int) -> None:
        protocol = self._protocol
        assert protocol is not None and protocol.transport is not None
        loop = asyncio.get_running_loop()
        waiter = protocol.expect(replies, loop)
        protocol.timeout = self.timeout
        try:
            async with asyncio.timeout(self.timeout) as deadline:
                protocol.deadline = deadline
                protocol.transport.write(data)
                await waiter
        except TimeoutError as exc:  # builtin (asyncio's) timeout, not redis-py's
            raise RedisTimeoutError(
                f"Timeout: {protocol.lines} of {replies} replies after {self.timeout} s"
                " without progress"
            ) from exc
        finally:
            protocol.deadline = None
        check_replies(bytes(protocol.buffer), replies)

    async def _connect(self) -> None:
        options = self._options
        loop = asyncio.get_running_loop()
        protocol = ReplyCounter()
        try:
            async with asyncio.timeout(self.connect_timeout):
                if "path" in options:
                    await loop.create_unix_connection(lambda: protocol, options["path"])
                else:
                    await loop.create_connection(
                        lambda: protocol,
                        options.get("host", "localhost"),
                        options.get("port", 6379),
                        ssl=_ssl_context(options) if self.url.startswith("rediss:") else None,
                    )
        except TimeoutError as exc:
            raise RedisTimeoutError(
                f"Timeout connecting to Redis ({self.connect_timeout} s)"
            ) from exc
        except OSError as exc:
            raise RedisConnectionError(f"Error connecting to Redis: {exc}") from exc
        self._protocol = protocol
        password = options.get("password")
        if password is not None:
            auth = ["AUTH", str(password)]
            if options.get("username"):
                auth.insert(1, str(options["username"]))
            await self._authenticate(auth)

    async def _authenticate(self, command: list[str]) -> None:
        protocol = self._protocol
        assert protocol is not None and protocol.transport is not None
        packed = _command(*command)
        waiter = protocol.expect(1, asyncio.get_running_loop())
        try:
            async with asyncio.timeout(self.timeout):
                protocol.transport.write(packed)
                await waiter
            if bytes(protocol.buffer) != b"+OK\r\n":
                reply = bytes(protocol.buffer).strip().decode(errors="replace")
                raise AuthenticationError(f"Redis refused AUTH: {reply}")
        except TimeoutError as exc:
            self.close()
            raise RedisTimeoutError("Timeout authenticating with Redis") from exc
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._protocol is not None:
            if self._protocol.transport is not None:
                self._protocol.transport.close()
            self._protocol = None


def _ssl_context(options: dict[str, object]) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=options.get("ssl_ca_certs"))  # type: ignore[arg-type]
    if str(options.get("ssl_cert_reqs", "required")).lower() in ("none", "cert_none"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
