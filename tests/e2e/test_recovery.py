"""Recovery end to end: clients away for 30 s and 5 minutes of peak traffic, health states,
bad messages, a database outage. Time is simulated by publishing what those periods carry."""

from __future__ import annotations

import httpx
import orjson
import pytest
from tests.e2e.harness import StreamClient
from tests.e2e.stream import detection, health, now_iso, publish_peak_minutes
from tests.servers import async_wait_until

from tickstock.contract import Channel
from tickstock.store.tables import intraday_patterns

pytestmark = pytest.mark.timeout(120)


async def caught_up(client: StreamClient, app, timeout: float = 30) -> None:  # noqa: ASYNC109
    await async_wait_until(
        lambda: client.last_seq == app.live.ring.last_seq,
        timeout,
        lambda: f"client at seq {client.last_seq}, app at {app.live.ring.last_seq}",
    )


@pytest.mark.parametrize(
    ("away_seconds", "events"), [(30, 4_500), (300, 45_000)], ids=["30s", "5min"]
)
async def test_a_client_away_gets_exactly_what_it_missed_with_no_hole(
    redis_url, start_app, publisher, away_seconds, events
):
    async with start_app(redis_url) as app:
        await app.subscribed()
        client = StreamClient()
        await client.connect(app.url)
        await async_wait_until(lambda: client.snapshots, 5, "the first snapshot")
        await client.disconnect()
        left_at = client.last_seq

        sent = await publish_peak_minutes(publisher, away_seconds)
        assert sent == events
        await async_wait_until(
            lambda: app.live.ring.last_seq >= left_at + events, 60, "the app to relay them all"
        )
        relayed = app.live.ring.last_seq  # the events, and the metrics updates among them
        await client.connect(app.url)
        await caught_up(client, app, 60)

        [resumed] = client.resumed
        assert resumed["from_seq"] == left_at + 1 and resumed["to_seq"] >= relayed
        assert len(client.snapshots) == 1, "a resume, not a new snapshot"
        seqs = [e["seq"] for e in client.entries]
        assert seqs == list(range(left_at + 1, seqs[-1] + 1)), "a hole or a repeat"
        producer = client.of("streaming_pattern", "streaming_indicator")
        assert len(producer) == events
        assert (
            len(
                {
                    (e["event"], e["data"].get("detection", e["data"].get("calculation"))["symbol"])
                    for e in producer
                }
            )
            == events
        )
        await client.disconnect()


async def test_away_beyond_the_ring_gets_a_snapshot_and_the_database_backfill(
    redis_url, start_app, publisher, database_url
):
    from sqlalchemy.ext.asyncio import create_async_engine

    async with start_app(redis_url, replay_buffer_events=100) as app:
        await app.subscribed()
        client = StreamClient()
        await client.connect(app.url)
        first = detection(0, now_iso())
        await publisher.publish(
            Channel.PATTERNS_STREAMING.value,
            orjson.dumps({"type": "streaming_pattern", "detection": first}),
        )
        await async_wait_until(lambda: client.of("streaming_pattern"), 5, "a first pattern")
        await client.disconnect()

        # What the producer published while the client was away, written after the first.
        when = now_iso()
        missed = [detection(n, when) for n in range(1, 301)]
        writer = create_async_engine(database_url)
        async with writer.begin() as conn:
            await conn.execute(
                intraday_patterns.insert(),
                [
                    {
                        **{k: v for k, v in d.items() if k != "bar_data"},
                        **d["bar_data"],
                        "timestamp": __import__("datetime").datetime.fromisoformat(
                            d["timestamp"].replace("Z", "+00:00")
                        ),
                        "high_confidence": False,
                    }
                    for d in [first, *missed]
                ],
            )
        await writer.dispose()
        for start in range(0, 300, 50):
            await publisher.publish(
                Channel.PATTERNS_STREAMING.value,
                orjson.dumps(
                    {"type": "streaming_patterns_batch", "detections": missed[start : start + 50]}
                ),
            )
        await async_wait_until(lambda: app.live.ring.last_seq >= 301, 10, "the app to relay")

        await client.connect(app.url)
        await async_wait_until(lambda: len(client.snapshots) == 2, 10, "a second snapshot")
        snapshot = client.snapshots[1]
        assert snapshot["reason"] == "resume_too_old"
        backfilled = [p["detection"]["symbol"] for p in snapshot["backfill"]["patterns"]]
        assert backfilled == [d["symbol"] for d in missed], "exactly what was stored after"
        await client.disconnect()


async def test_health_healthy_warning_critical_then_stale_and_back_to_live(
    redis_url, start_app, publisher
):
    async with start_app(redis_url, health_interval=0.5, stale_after_intervals=3) as app:
        await app.subscribed()
        client = StreamClient()
        await client.connect(app.url)
        for age, (status, issues) in enumerate(
            (
                ("healthy", []),
                ("warning", ["processing lag 1200 ms"]),
                ("critical", ["feed lost for 45 s", "database writes failing"]),
                ("healthy", []),
            )
        ):
            await publisher.publish(
                Channel.HEALTH.value, health(status, issues, seconds_ago=0.01 * (3 - age))
            )
        await async_wait_until(lambda: len(client.of("streaming_health")) == 4, 5, "4 healths")
        shown = [
            (e["data"]["health"]["status"], e["data"]["health"]["issues"])
            for e in client.of("streaming_health")
        ]
        assert shown == [
            ("healthy", []),
            ("warning", ["processing lag 1200 ms"]),
            ("critical", ["feed lost for 45 s", "database writes failing"]),
            ("healthy", []),
        ]

        def engine_states() -> list[str]:
            return [e["data"]["engine"] for e in client.of("app_status")]

        # Stale after 3 × 0.5 s without health; the app re-evaluates it once a second.
        await async_wait_until(lambda: "stale" in engine_states(), 10, "the engine shown stale")
        await publisher.publish(Channel.HEALTH.value, health("healthy", []))
        await async_wait_until(
            lambda: engine_states()[-1] == "live", 5, lambda: f"live again: {engine_states()}"
        )
        assert engine_states()[-2:] == ["stale", "live"]
        await client.disconnect()


async def test_malformed_and_incomplete_messages_are_counted_and_the_valid_ones_all_arrive(
    redis_url, start_app, publisher
):
    good = [
        orjson.dumps({"type": "streaming_pattern", "detection": detection(n, now_iso())})
        for n in range(20)
    ]
    incomplete = {"type": "streaming_pattern", "detection": detection(99, now_iso())}
    del incomplete["detection"]["confidence"]
    bad = [
        b"{not json",
        b"",
        orjson.dumps(incomplete),
        orjson.dumps({"type": "streaming_indicator", "calculation": {"symbol": "IBM"}}),
        orjson.dumps({"type": "streaming_pattern"}),
        b"x" * 70_000,  # over the 64 KiB limit
        orjson.dumps(
            {
                "type": "streaming_pattern",
                "detection": {**detection(98, now_iso()), "symbol": "<b>"},
            }
        ),
    ]
    async with start_app(redis_url) as app:
        await app.subscribed()
        client = StreamClient()
        await client.connect(app.url)
        for index, raw in enumerate(good):
            await publisher.publish(Channel.PATTERNS_STREAMING.value, raw)
            if index < len(bad):
                await publisher.publish(Channel.PATTERNS_STREAMING.value, bad[index])
        await async_wait_until(lambda: len(client.of("streaming_pattern")) == 20, 5, "20 good")
        symbols = [e["data"]["detection"]["symbol"] for e in client.of("streaming_pattern")]
        assert symbols == [f"P{n}" for n in range(20)]
        async with httpx.AsyncClient() as http:
            metrics = (await http.get(f"{app.url}/metrics")).text
        rejects = [
            float(line.split()[-1])
            for line in metrics.splitlines()
            if line.startswith("tickstock_rejects_total")
        ]
        assert sum(rejects) == len(bad)
        assert client.holes() == []
        await client.disconnect()
