"""The plan's event protocol on real servers: a python-socketio client with named events."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import socketio
from tests.integration.relay_harness import app_settings, running_app
from tests.integration.stalled_client import StalledClient, flood_until_resync
from tests.servers import async_wait_until

from tickstock.contract import Channel
from tickstock.contract.samples import SAMPLES

#: The app's own events, which a plan client also gets (numbered like the rest).
APP_EVENTS = ("app_status", "metrics", "feed_gap")


class PlanClient:
    """A client written from the plan: one handler per named event, no ``frame``."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.sio.on("*", self._any)

    async def _any(self, event: str, data: dict[str, Any]) -> None:
        self.received.append((event, data))

    def named(self) -> list[tuple[str, dict[str, Any]]]:
        """The relayed events (not snapshot/resumed, not the app's own)."""
        skip = ("snapshot", "resumed", *APP_EVENTS)
        return [(event, data) for event, data in self.received if event not in skip]

    def of(self, name: str) -> list[dict[str, Any]]:
        return [data for event, data in self.received if event == name]

    def covered_seqs(self) -> list[int]:
        """Every seq the numbered events covered, in arrival order (a batch covers several)."""
        seqs: list[int] = []
        for event, data in self.received:
            if event not in ("snapshot", "resumed"):
                seqs += range(data.get("first_seq", data["seq"]), data["seq"] + 1)
        return seqs

    async def connect(self, url: str, **auth: Any) -> None:
        await self.sio.connect(
            url, transports=["websocket"], auth={"protocol": "plan", **auth}, wait_timeout=5
        )


def detection(symbol: str, minute: int) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "pattern_type": "Hammer",
        "confidence": 0.7,
        "timestamp": f"2025-10-05T11:{minute:02d}:00Z",
        "timeframe": "1min",
        "bar_data": {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 100},
    }


def later(channel: Channel, body: str) -> bytes:
    """The plan's sample of ``channel`` a minute later (the same one again is a duplicate)."""
    message = orjson.loads(SAMPLES[channel])
    message[body]["timestamp"] = "2025-10-05T16:01:00Z"
    return orjson.dumps(message)


def patterns_batch(symbol: str, count: int) -> bytes:
    detections = [detection(symbol, minute) for minute in range(count)]
    return orjson.dumps({"type": "streaming_patterns_batch", "detections": detections})


async def test_a_plan_client_receives_a_whole_session_and_resumes_after_a_disconnect(
    redis_url, database, publisher
):
    settings = app_settings(redis_url, database.url)
    async with running_app(settings, database) as app:
        await app.subscribed()
        client = PlanClient()
        await client.connect(app.url)
        await async_wait_until(lambda: client.of("snapshot"), 5, "the connect snapshot")

        session = [
            (Channel.SESSION_STARTED, SAMPLES[Channel.SESSION_STARTED]),
            (Channel.HEALTH, SAMPLES[Channel.HEALTH]),
            (Channel.PATTERNS_STREAMING, SAMPLES[Channel.PATTERNS_STREAMING]),
            (Channel.PATTERNS_STREAMING, patterns_batch("AAPL", 3)),
            (Channel.INDICATORS_STREAMING, SAMPLES[Channel.INDICATORS_STREAMING]),
            (Channel.ALERTS_INDICATORS, SAMPLES[Channel.ALERTS_INDICATORS]),
            (Channel.ALERTS_CRITICAL, SAMPLES[Channel.ALERTS_CRITICAL]),
            (Channel.SESSION_STOPPED, SAMPLES[Channel.SESSION_STOPPED]),
        ]
        for channel, raw in session:
            await publisher.publish(channel.value, raw)
        await async_wait_until(lambda: len(client.named()) >= 8, 5, "the session's 8 events")
        assert [event for event, _ in client.named()] == [
            "streaming_session",
            "streaming_health",
            "streaming_pattern",
            "streaming_patterns_batch",
            "streaming_indicator",
            "indicator_alert",
            "critical_alert",
            "streaming_session",
        ]
        named = dict(client.named()[:7])
        assert named["streaming_session"]["type"] == "streaming_session_started"
        assert named["streaming_pattern"]["detection"]["symbol"] == "NVDA"
        batch = named["streaming_patterns_batch"]
        assert [d["symbol"] for d in batch["detections"]] == ["AAPL"] * 3
        assert batch["seq"] - batch["first_seq"] == 2
        assert named["streaming_indicator"]["calculation"]["value"] == 72.5
        assert named["critical_alert"]["alert"]["component"] == "massive_websocket"
        assert client.named()[-1][1]["type"] == "streaming_session_stopped"
        assert all(data["epoch"] == app.live.epoch for _, data in client.named())
        first = client.of("snapshot")[0]["seq"] + 1
        seqs = client.covered_seqs()
        assert seqs == list(range(first, first + len(seqs))), "a hole or a repeat"

        await client.sio.disconnect()
        last_seq = seqs[-1]
        await publisher.publish(Channel.HEALTH.value, later(Channel.HEALTH, "health"))
        await publisher.publish(Channel.PATTERNS_STREAMING.value, patterns_batch("MSFT", 2))
        await publisher.publish(
            Channel.ALERTS_CRITICAL.value, later(Channel.ALERTS_CRITICAL, "alert")
        )
        await async_wait_until(lambda: app.live.ring.last_seq >= last_seq + 4, 5, "missed events")

        again = PlanClient()
        await again.connect(app.url, epoch=app.live.epoch, last_seq=last_seq)
        await async_wait_until(lambda: len(again.named()) >= 3, 5, "the missed events")
        assert again.of("snapshot") == []
        [resumed] = again.of("resumed")
        assert resumed["from_seq"] == last_seq + 1
        assert [event for event, _ in again.named()] == [
            "streaming_health",
            "streaming_patterns_batch",
            "critical_alert",
        ]
        assert [d["symbol"] for d in again.of("streaming_patterns_batch")[0]["detections"]] == [
            "MSFT",
            "MSFT",
        ]
        resumed_seqs = again.covered_seqs()
        assert resumed_seqs[0] == last_seq + 1
        assert resumed_seqs == list(range(last_seq + 1, last_seq + 1 + len(resumed_seqs)))
        await again.sio.disconnect()


async def test_a_frame_client_is_the_default_and_an_unknown_protocol_is_refused(
    redis_url, database
):
    settings = app_settings(redis_url, database.url)
    async with running_app(settings, database) as app:
        refusals: list[object] = []
        client = socketio.AsyncClient(reconnection=False)
        client.on("connect_error", refusals.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(
                app.url, transports=["websocket"], auth={"protocol": "v9"}, wait_timeout=5
            )
        assert refusals == [{"message": "unsupported protocol; use one of: frame, plan"}]
        assert app.live.fanout.clients == {}

        default = PlanClient()
        await default.sio.connect(app.url, transports=["websocket"], wait_timeout=5)
        await async_wait_until(lambda: default.of("snapshot"), 5, "the connect snapshot")
        [client_state] = app.live.fanout.clients.values()
        assert client_state.protocol == "frame"
        await default.sio.disconnect()


async def test_a_stalled_plan_client_gets_the_resync_snapshot_not_a_backlog(
    redis_url, database, publisher
):
    settings = app_settings(redis_url, database.url, replay_buffer_events=200)
    async with running_app(settings, database) as app:
        await app.subscribed()
        fast = PlanClient()
        await fast.connect(app.url)
        slow = await StalledClient.connect(app.url, auth={"protocol": "plan"})
        published = await flood_until_resync(
            app, publisher, lambda: len(fast.of("streaming_indicator"))
        )
        values = [data["calculation"]["value"] for data in fast.of("streaming_indicator")]
        assert values == [float(i) for i in range(published)]

        assert await slow.snapshot_reasons_until("slow_client") == ["connect", "slow_client"]
        slow.close()
        await fast.sio.disconnect()
