"""Recovery on real servers: a Redis outage is announced and backfilled; slow clients resync."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
from datetime import UTC, datetime

import orjson
import redis.asyncio as aioredis
from tests.integration.relay_harness import Listener, app_settings, running_app
from tests.servers import async_wait_until

from tickstock.contract import Channel
from tickstock.store.tables import intraday_patterns


async def test_redis_killed_and_restarted_announces_feed_gap_and_backfills_it(
    fresh_redis, database
):
    settings = app_settings(fresh_redis.url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        client = Listener()
        await client.connect(app.url)
        # The connect snapshot carries the status at that moment: kill Redis only once it
        # is in, so that "reconnecting" can only arrive as an app_status event.
        await async_wait_until(lambda: client.snapshots, 5, "the connect snapshot")

        fresh_redis.kill()
        await async_wait_until(
            lambda: any(e["data"]["redis"] == "reconnecting" for e in client.of("app_status")),
            10,
            "app_status redis: reconnecting",
        )
        missed_at = datetime.now(UTC)
        await database.insert(
            intraday_patterns,
            [
                {
                    "symbol": "GAP",
                    "pattern_type": "Doji",
                    "confidence": 0.6,
                    "high_confidence": False,
                    "timestamp": missed_at,
                    "timeframe": "1min",
                    "open": 1.0,
                    "high": 2.0,
                    "low": 0.5,
                    "close": 1.5,
                    "volume": 5,
                }
            ],
        )
        fresh_redis.start()

        await async_wait_until(lambda: client.of("feed_gap"), 15, "a feed_gap event")
        gap = client.of("feed_gap")[0]["data"]
        assert gap["backfilled"]["patterns"] == 1
        assert gap["from"] < gap["to"]
        await async_wait_until(lambda: client.of("streaming_pattern"), 5, "the backfilled pattern")
        [entry] = client.of("streaming_pattern")
        assert entry["backfilled"] is True
        assert entry["data"]["detection"]["symbol"] == "GAP"
        assert app.live.state.redis_status == "connected"

        publisher = aioredis.Redis.from_url(fresh_redis.url)
        raw = orjson.dumps(
            {
                "type": "streaming_pattern",
                "detection": {
                    "symbol": "LIVE",
                    "pattern_type": "Doji",
                    "confidence": 0.6,
                    "timestamp": "2025-10-05T10:15:00Z",
                    "timeframe": "1min",
                    "bar_data": {"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 5},
                },
            }
        )
        await publisher.publish(Channel.PATTERNS_STREAMING.value, raw)
        await async_wait_until(lambda: len(client.of("streaming_pattern")) == 2, 5, "live again")
        await publisher.aclose()
        await client.disconnect()


def stored_detection(symbol: str, minute: int) -> dict:
    """A row as the producer writes it, at a simulated 2019 minute: not wall time."""
    return {
        "symbol": symbol,
        "pattern_type": "Doji",
        "confidence": 0.6,
        "high_confidence": False,
        "timestamp": datetime(2019, 3, 1, 15, minute, tzinfo=UTC),
        "timeframe": "1min",
        "open": 1.0,
        "high": 2.0,
        "low": 0.5,
        "close": 1.5,
        "volume": 5,
    }


def published(row: dict) -> bytes:
    detection = {
        **{k: row[k] for k in ("symbol", "pattern_type", "confidence", "timeframe")},
        "timestamp": row["timestamp"].isoformat().replace("+00:00", "Z"),
        "bar_data": {k: row[k] for k in ("open", "high", "low", "close", "volume")},
    }
    return orjson.dumps({"type": "streaming_pattern", "detection": detection})


async def test_a_feed_gap_is_backfilled_by_position_whatever_the_session_clock_says(
    fresh_redis, database
):
    """Rows stored after the last detection received are the gap, though their simulated
    timestamps are years before now and even before that detection's."""
    settings = app_settings(fresh_redis.url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        client = Listener()
        await client.connect(app.url)
        heard = stored_detection("HEARD", 30)
        publisher = aioredis.Redis.from_url(fresh_redis.url)
        await publisher.publish(Channel.PATTERNS_STREAMING.value, published(heard))
        await publisher.aclose()
        await async_wait_until(lambda: client.of("streaming_pattern"), 5, "the live detection")
        # written as the producer does, after publishing; the next two were never received
        await database.insert(intraday_patterns, [stored_detection("EARLY", 10)])
        await database.insert(intraday_patterns, [heard])
        await database.insert(
            intraday_patterns, [stored_detection("MISSA", 5), stored_detection("MISSB", 59)]
        )

        fresh_redis.kill()
        await async_wait_until(lambda: app.live.state.redis_status == "reconnecting", 10, "down")
        fresh_redis.start()
        await async_wait_until(lambda: client.of("feed_gap"), 15, "a feed_gap event")

        assert client.of("feed_gap")[0]["data"]["backfilled"]["patterns"] == 2
        await async_wait_until(lambda: len(client.of("streaming_pattern")) == 3, 5, "backfill")
        symbols = [e["data"]["detection"]["symbol"] for e in client.of("streaming_pattern")]
        assert symbols == ["HEARD", "MISSA", "MISSB"], "EARLY was stored before HEARD: received"
        await client.disconnect()


async def test_rows_written_after_the_first_backfill_pass_are_found_by_a_later_one(
    fresh_redis, database
):
    settings = app_settings(fresh_redis.url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        client = Listener()
        await client.connect(app.url)
        fresh_redis.kill()
        await async_wait_until(lambda: app.live.state.redis_status == "reconnecting", 10, "down")
        fresh_redis.start()
        await async_wait_until(lambda: client.of("feed_gap"), 15, "a feed_gap event")
        assert client.of("feed_gap")[0]["data"]["backfilled"]["patterns"] == 0
        # the producer's write lands after the first pass (its write lag)
        await database.insert(intraday_patterns, [stored_detection("LATE", 1)])
        await async_wait_until(lambda: client.of("streaming_pattern"), 10, "a later pass")
        [entry] = client.of("streaming_pattern")
        assert entry["backfilled"] is True and entry["data"]["detection"]["symbol"] == "LATE"
        await client.disconnect()


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


async def test_slow_client_gets_a_slow_client_snapshot_and_does_not_delay_the_others(
    redis_url, database
):
    settings = app_settings(
        redis_url,
        database.url,
        replay_buffer_events=200,
        max_frame_events=50,
    )
    async with running_app(settings, database) as app:
        await app.subscribed()
        fast = Listener()
        await fast.connect(app.url)
        slow = await StalledClient.connect(app.url)
        publisher = aioredis.Redis.from_url(redis_url)
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
            target = published
            await async_wait_until(
                lambda target=target: (
                    len(fast.of("streaming_indicator")) >= target or app.live.state.rejects
                ),
                10,
                "the fast client to get the batch",
            )
            assert not app.live.state.rejects
            if resyncs._value.get() >= 1:
                break
        await async_wait_until(lambda: resyncs._value.get() >= 1, 10, "the slow client resync")
        await async_wait_until(
            lambda: len(fast.of("streaming_indicator")) == published, 10, "fast client complete"
        )
        values = [e["data"]["calculation"]["value"] for e in fast.of("streaming_indicator")]
        assert values == [float(i) for i in range(published)]
        assert fast.snapshots[-1]["reason"] == "connect"

        reasons = []
        async with asyncio.timeout(10):
            while "slow_client" not in reasons:
                text = await slow.recv()
                if text.startswith('42["snapshot"'):
                    reasons.append(orjson.loads(text[2:])[1]["reason"])
        assert reasons[-1] == "slow_client"
        slow.close()
        await publisher.aclose()
        await fast.disconnect()
