"""Recovery on real servers: a Redis outage is announced and backfilled; slow clients resync."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import redis.asyncio as aioredis
from tests.integration.relay_harness import Listener, app_settings, running_app
from tests.integration.stalled_client import StalledClient, flood_until_resync
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


async def test_slow_client_gets_a_slow_client_snapshot_and_does_not_delay_the_others(
    redis_url, database, publisher
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
        published = await flood_until_resync(
            app, publisher, lambda: len(fast.of("streaming_indicator"))
        )
        await async_wait_until(
            lambda: len(fast.of("streaming_indicator")) == published, 10, "fast client complete"
        )
        values = [e["data"]["calculation"]["value"] for e in fast.of("streaming_indicator")]
        assert values == [float(i) for i in range(published)]
        assert fast.snapshots[-1]["reason"] == "connect"

        reasons = await slow.snapshot_reasons_until("slow_client")
        assert reasons[-1] == "slow_client"
        slow.close()
        await fast.disconnect()
