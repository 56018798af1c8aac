"""A client that stops reading, and the flood that makes the relay give up on it.

A frozen browser tab: the server's writes back up into its TCP buffers until the relay
sends it the ``slow_client`` snapshot instead of a backlog.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
from collections.abc import Callable

import orjson
import redis.asyncio as aioredis
from tests.integration.relay_harness import RunningApp
from tests.servers import async_wait_until

from tickstock.contract import Channel


class StalledClient:
    """A Socket.IO client over a bare TCP socket with a tiny receive buffer that stops reading.

    A real browser tab that froze: the server's writes back up into its TCP buffers.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, url: str, auth: dict | None = None) -> StalledClient:
        host, port = url.removeprefix("http://").split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        await reader.readuntil(b"\r\n\r\n")
        client = cls(reader, writer)
        assert (await client.recv()).startswith("0")
        client.send("40" + (orjson.dumps(auth).decode() if auth else ""))
        assert (await client.recv()).startswith("40")
        return client

    def send(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(bytes([0x81, 0x80 | len(payload)]) + mask + masked)

    async def recv(self) -> str:
        head = await self.reader.readexactly(2)
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        return (await self.reader.readexactly(length)).decode()

    def close(self) -> None:
        self.writer.close()

    async def snapshot_reasons_until(self, reason: str, timeout: float = 10) -> list[str]:  # noqa: ASYNC109
        """The reasons of the snapshots read, up to the first with ``reason``."""
        reasons: list[str] = []
        async with asyncio.timeout(timeout):
            while reason not in reasons:
                text = await self.recv()
                if text.startswith('42["snapshot"'):
                    reasons.append(orjson.loads(text[2:])[1]["reason"])
        return reasons


async def flood_until_resync(
    app: RunningApp, publisher: aioredis.Redis, delivered: Callable[[], int]
) -> int:
    """Publish padded batches of 50 RSI values (0, 1, 2, ...) until the relay resyncs a
    client, each after a fast client got the one before (``delivered()`` counts what it got;
    the relay must reject none). Returns how many values were published."""
    resyncs = app.live.metrics.client_resyncs
    published = 0
    for _ in range(600):  # until the stalled client's buffers are full and it falls behind
        calcs = [
            {
                "symbol": "IBM",
                "indicator": "RSI",
                "value": float(published + i),
                "timestamp": "2025-10-05T10:15:00Z",
                "timeframe": "1min",
                "metadata": {f"pad{k}": "x" * 200 for k in range(4)},
            }
            for i in range(50)
        ]
        await publisher.publish(
            Channel.INDICATORS_STREAMING.value,
            orjson.dumps({"type": "streaming_indicators_batch", "calculations": calcs}),
        )
        published += 50
        await async_wait_until(
            lambda target=published: delivered() >= target or app.live.state.rejects,
            10,
            "the fast client to get the batch",
        )
        assert not app.live.state.rejects
        if resyncs._value.get() >= 1:
            break
    await async_wait_until(lambda: resyncs._value.get() >= 1, 10, "the slow client resync")
    return published
