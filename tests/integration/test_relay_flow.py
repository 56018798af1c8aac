"""Redis → app → Socket.IO clients, end to end on real servers."""

from __future__ import annotations

import asyncio

import orjson
from tests.integration.relay_harness import Listener, app_settings, running_app
from tests.servers import async_wait_until
from tests.unit.app.bar_messages import bars_body

from tickstock.contract import CHANNEL_EVENT, SOCKET_EVENTS, Channel
from tickstock.contract.samples import SAMPLES

PRODUCER_EVENTS = tuple(e for e in SOCKET_EVENTS if e != "streaming_patterns_batch")


def detection(symbol: str, minute: int, confidence: float = 0.85) -> dict:
    return {
        "symbol": symbol,
        "pattern_type": "Hammer",
        "confidence": confidence,
        "timestamp": f"2025-10-05T11:{minute:02d}:00Z",
        "timeframe": "1min",
        "bar_data": {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 100},
    }


def calculations(start: int, count: int) -> bytes:
    return orjson.dumps(
        {
            "type": "streaming_indicators_batch",
            "calculations": [
                {
                    "symbol": "IBM",
                    "indicator": "RSI",
                    "value": float(i),
                    "timestamp": "2025-10-05T10:15:00Z",
                    "timeframe": "1min",
                }
                for i in range(start, start + count)
            ],
        }
    )


def assert_gapless(listener: Listener) -> None:
    """Every seq after the first snapshot once: as an entry, or left out as superseded."""
    seqs = sorted([e["seq"] for e in listener.entries] + listener.superseded)
    first = listener.snapshots[0]["seq"] + 1 if listener.snapshots else seqs[0]
    assert seqs == list(range(first, first + len(seqs))), "sequence has a hole or a repeat"


def bars(prices: dict[str, float], *, closed: bool, minute: int) -> bytes:
    stamp = f"2025-10-05T10:{minute:02d}:00Z"
    return orjson.dumps(bars_body(prices, closed=closed, timestamp=stamp))


def bars_seen(entries: list[dict]) -> list[tuple[bool, int, str, float]]:
    return [
        (e["data"]["closed"], int(b["timestamp"][14:16]), b["symbol"], b["close"])
        for e in entries
        if e["event"] == "streaming_bars"
        for b in e["data"]["bars"]
    ]


async def test_a_client_that_was_away_resumes_with_the_latest_forming_bars_and_every_closed_one(
    redis_url, database, publisher
):
    settings = app_settings(redis_url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        app.live.state.bars.interval = 0.0  # every forming message relayed: a backlog quickly
        staying, away = Listener(), Listener()
        await staying.connect(app.url)
        await away.connect(app.url)
        channel = Channel.BARS_STREAMING.value
        await publisher.publish(channel, bars({"AAPL": 1, "MSFT": 1}, closed=False, minute=15))
        await async_wait_until(lambda: staying.of("streaming_bars") and away.of("streaming_bars"), 5, "the first forming bars")  # fmt: skip
        await away.disconnect()
        resume_after = away.last_seq
        for message in (
            bars({"AAPL": 2}, closed=False, minute=15),
            bars({"AAPL": 3, "MSFT": 3}, closed=True, minute=15),
            bars({"AAPL": 4}, closed=False, minute=16),
            bars({"AAPL": 5, "MSFT": 5}, closed=False, minute=16),
        ):
            await publisher.publish(channel, message)
        latest = (False, 16, "MSFT", 5.0)
        await async_wait_until(lambda: latest in bars_seen(staying.entries), 5, "the last bars")

        back = Listener()
        await back.connect(app.url, auth={"epoch": away.epoch, "last_seq": resume_after})
        await async_wait_until(lambda: back.last_seq == staying.last_seq, 5, "the resumed frame")
        assert back.resumed and not back.snapshots, "resumed by seq, not a snapshot"
        assert bars_seen(back.entries) == [
            (True, 15, "AAPL", 3.0),  # every closed bar
            (True, 15, "MSFT", 3.0),
            (False, 16, "AAPL", 5.0),  # only the latest forming bars
            (False, 16, "MSFT", 5.0),
        ]
        resumed = sorted([e["seq"] for e in back.entries] + back.superseded)
        assert resumed == list(range(resume_after + 1, back.last_seq + 1)), "no hole"
        assert bars_seen(staying.entries)[-2:] == bars_seen(back.entries)[-2:], "the same end"
        assert_gapless(staying)
        await asyncio.gather(staying.disconnect(), back.disconnect())


async def test_every_channels_sample_reaches_ten_clients_in_order_each_once(
    redis_url, database, publisher
):
    settings = app_settings(redis_url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        clients = [Listener() for _ in range(10)]
        await asyncio.gather(*(c.connect(app.url) for c in clients))
        await async_wait_until(lambda: all(c.snapshots for c in clients), 5, "snapshots")
        for channel, raw in SAMPLES.items():
            await publisher.publish(channel.value, raw)

        expected = [
            "streaming_session",
            "streaming_session",
            "streaming_health",
            "streaming_pattern",  # the same detection on patterns:detected is not relayed again
            "streaming_indicator",
            "indicator_alert",
            "critical_alert",
            "streaming_bars",  # the optional ninth channel
            # and a channel declared after these, each once
            *(CHANNEL_EVENT[channel] for channel in list(Channel)[9:]),
        ]
        await async_wait_until(
            lambda: all(len(c.of(*PRODUCER_EVENTS)) >= len(expected) for c in clients),
            5,
            f"{len(expected)} events each",
        )
        for client in clients:
            assert [e["event"] for e in client.of(*PRODUCER_EVENTS)] == expected
            assert client.snapshots[0]["reason"] == "connect"
            assert_gapless(client)
        pattern = clients[0].of("streaming_pattern")[0]["data"]
        assert pattern["high_confidence"] is True
        assert app.live.state.duplicates == 1
        await asyncio.gather(*(c.disconnect() for c in clients))


async def test_batch_is_split_and_detection_on_both_channels_is_relayed_once(
    redis_url, database, publisher
):
    settings = app_settings(redis_url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        client = Listener()
        await client.connect(app.url)
        batch = [detection("AAPL", m) for m in range(5)]
        raw = orjson.dumps({"type": "streaming_patterns_batch", "detections": batch})
        await publisher.publish(Channel.PATTERNS_STREAMING.value, raw)
        await publisher.publish(Channel.PATTERNS_DETECTED.value, raw)
        await publisher.publish(Channel.INDICATORS_STREAMING.value, calculations(0, 3))
        await async_wait_until(lambda: len(client.of("streaming_indicator")) == 3, 5, "indicators")
        patterns = client.of("streaming_pattern")
        assert [p["data"]["detection"]["timestamp"][14:16] for p in patterns] == [
            "00",
            "01",
            "02",
            "03",
            "04",
        ]
        assert all(p["data"]["high_confidence"] for p in patterns)
        assert app.live.state.duplicates == 5
        assert_gapless(client)
        await client.disconnect()


async def test_page_opened_mid_session_gets_session_metrics_health_and_lists_at_once(
    redis_url, database, publisher
):
    settings = app_settings(redis_url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        for channel in (
            Channel.SESSION_STARTED,
            Channel.HEALTH,
            Channel.PATTERNS_STREAMING,
            Channel.ALERTS_INDICATORS,
            Channel.INDICATORS_STREAMING,
            Channel.ALERTS_CRITICAL,
        ):
            await publisher.publish(channel.value, SAMPLES[channel])
        await async_wait_until(lambda: app.live.ring.last_seq >= 6, 5, "events relayed")
        late = Listener()
        await late.connect(app.url)
        await async_wait_until(lambda: late.snapshots, 5, "snapshot")
        snapshot = late.snapshots[0]
        assert snapshot["session"]["session_id"] == "uuid-string"
        assert snapshot["session"]["status"] == "active"
        assert snapshot["health"]["health"]["active_symbols"] == 485
        assert snapshot["metrics"]["active_symbols"] == 485
        assert snapshot["metrics"]["patterns_detected"] == 1
        assert snapshot["metrics"]["indicator_alerts"] == 1
        assert len(snapshot["recent_patterns"]) == 1 and len(snapshot["recent_alerts"]) == 1
        assert len(snapshot["latest_indicators"]) == 1
        assert snapshot["open_critical_alerts"][0]["alert"]["component"] == "massive_websocket"
        assert snapshot["app_status"] == {"redis": "connected", "database": "ok", "engine": "live"}
        assert snapshot["settings"]["max_pattern_events"] == 50
        assert snapshot["epoch"] == app.live.epoch
        await late.disconnect()


async def test_resume_after_a_disconnect_gets_exactly_the_missed_events(
    redis_url, database, publisher
):
    settings = app_settings(redis_url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        client = Listener()
        await client.connect(app.url)
        await publisher.publish(Channel.INDICATORS_STREAMING.value, calculations(0, 5))
        await async_wait_until(lambda: len(client.of("streaming_indicator")) == 5, 5, "first 5")
        await client.disconnect()
        seen = client.last_seq
        await publisher.publish(Channel.INDICATORS_STREAMING.value, calculations(5, 7))
        await async_wait_until(lambda: app.live.ring.last_seq >= seen + 7, 5, "missed events")
        missed = app.live.ring.last_seq - seen

        again = Listener()
        await again.connect(app.url, auth={"epoch": client.epoch, "last_seq": seen})
        await async_wait_until(lambda: len(again.entries) >= missed, 5, "the replay")
        assert again.snapshots == []
        assert again.resumed == [{"from_seq": seen + 1, "to_seq": seen + missed, "count": missed}]
        assert [e["seq"] for e in again.entries[:missed]] == list(
            range(seen + 1, seen + missed + 1)
        )
        values = [e["data"]["calculation"]["value"] for e in again.of("streaming_indicator")]
        assert values == [float(i) for i in range(5, 12)]
        await again.disconnect()


async def test_too_old_resume_or_another_epoch_gets_a_snapshot_with_backfill(
    redis_url, database, publisher
):
    from datetime import UTC, datetime, timedelta

    from tickstock.store.tables import intraday_patterns

    now = datetime.now(UTC).replace(microsecond=0)

    settings = app_settings(redis_url, database.url, replay_buffer_events=100)
    async with running_app(settings, database) as app:
        await app.subscribed()

        def row(symbol: str, seconds_ago: int) -> dict:
            return {
                "symbol": symbol,
                "pattern_type": "Doji",
                "confidence": 0.9,
                "high_confidence": True,
                "timestamp": now - timedelta(seconds=seconds_ago),
                "timeframe": "1min",
                "open": 1.0,
                "high": 2.0,
                "low": 0.5,
                "close": 1.5,
                "volume": 5,
            }

        # the client holds HELD; MSFT was stored after it (though its time is earlier)
        await database.insert(intraday_patterns, [row("HELD", 10), row("MSFT", 30)])
        for start in range(0, 150, 50):
            await publisher.publish(Channel.INDICATORS_STREAMING.value, calculations(start, 50))
        await async_wait_until(lambda: app.live.ring.last_seq >= 150, 5, "150 events")

        stale = Listener()
        auth = {
            "epoch": app.live.epoch,
            "last_seq": 1,
            "after": {
                "pattern": {
                    "symbol": "HELD",
                    "pattern_type": "Doji",
                    "timeframe": "1min",
                    "timestamp": (now - timedelta(seconds=10)).isoformat(),
                }
            },
        }
        await stale.connect(app.url, auth=auth)
        other = Listener()
        await other.connect(app.url, auth={**auth, "epoch": "restarted"})
        await async_wait_until(lambda: stale.snapshots and other.snapshots, 5, "snapshots")
        assert stale.snapshots[0]["reason"] == "resume_too_old"
        assert other.snapshots[0]["reason"] == "epoch_changed"
        for listener in (stale, other):
            backfill = listener.snapshots[0]["backfill"]
            assert [p["detection"]["symbol"] for p in backfill["patterns"]] == ["MSFT"]
            assert backfill["patterns"][0]["high_confidence"] is True
        await stale.disconnect()
        await other.disconnect()


async def test_malformed_messages_never_stop_the_listener_and_are_counted(
    redis_url, database, publisher
):
    settings = app_settings(redis_url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        client = Listener()
        await client.connect(app.url)
        bad = [
            (Channel.HEALTH, b"{not json"),
            (Channel.HEALTH, b"x" * (64 * 1024 + 1)),
            (Channel.HEALTH, SAMPLES[Channel.ALERTS_CRITICAL].encode()),  # wrong type
            (Channel.ALERTS_INDICATORS, b'{"type": "indicator_alert", "alert": {}}'),
            (
                Channel.PATTERNS_DETECTED,
                orjson.dumps({"type": "streaming_pattern", "detection": detection("LOW", 1, 0.2)}),
            ),
            (Channel.SESSION_STARTED, b"[]"),
        ]
        for channel, raw in bad:
            await publisher.publish(channel.value, raw)
        await publisher.publish(Channel.ALERTS_INDICATORS.value, SAMPLES[Channel.ALERTS_INDICATORS])
        await async_wait_until(lambda: client.of("indicator_alert"), 5, "the valid alert")
        assert app.live.state.rejects == len(bad)
        rejects = app.live.metrics.rejects
        assert rejects.labels(channel=Channel.HEALTH.value, reason="too_large")._value.get() == 1
        assert rejects.labels(channel=Channel.HEALTH.value, reason="json")._value.get() == 1
        assert rejects.labels(channel=Channel.HEALTH.value, reason="type")._value.get() == 1
        assert (
            rejects.labels(
                channel=Channel.PATTERNS_DETECTED.value, reason="low_confidence"
            )._value.get()
            == 1
        )
        await async_wait_until(
            lambda: any(e["data"]["rejects"] == len(bad) for e in client.of("metrics")),
            5,
            "a metrics event counting the rejects",
        )
        await client.disconnect()
