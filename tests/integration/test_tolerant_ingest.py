"""A real producer (redis-py on a real Redis) publishes each deviation of issue 17 to a real
app: each is normalised and counted (``/metrics``, the ``metrics`` event) or rejected with
its reason; ``check-producer`` listening beside it reports the normalisations as warnings."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest
import redis.asyncio as aioredis
from prometheus_client.parser import text_string_to_metric_families
from tests.integration.relay_harness import Listener, app_settings, running_app
from tests.servers import async_wait_until

from tickstock.contract import Channel
from tickstock.engine.check_producer import check_producer

pytestmark = pytest.mark.timeout(60)

STREAMING = Channel.PATTERNS_STREAMING.value
DETECTED = Channel.PATTERNS_DETECTED.value


def detection(symbol: str, minute: int, **changes: Any) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "pattern_type": "Hammer",
        "confidence": 0.85,
        "timestamp": f"2025-10-05T11:{minute:02d}:00Z",
        "timeframe": "1min",
        "bar_data": {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 100},
        **changes,
    }


def single(d: dict[str, Any]) -> bytes:
    return orjson.dumps({"type": "streaming_pattern", "detection": d})


#: (what the producer got wrong, the message, the detection the browser must receive)
NORMALISED = [
    ("symbol_case", single(detection("aapl", 1)), {"symbol": "AAPL"}),
    ("timeframe_alias", single(detection("TF1M", 2, timeframe="1m")), {"timeframe": "1min"}),
    ("timeframe_alias", single(detection("TF60S", 3, timeframe="60s")), {"timeframe": "1min"}),
    (
        "integral_float",
        single(detection("VOL", 4, bar_data={**detection("X", 0)["bar_data"], "volume": 250000.0})),
        {"bar_data": {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 250000}},
    ),
    (
        "zoneless_timestamp",
        single(detection("NAIVE", 5, timestamp="2025-10-05T11:05:00")),
        {"timestamp": "2025-10-05T11:05:00Z"},
    ),
    ("confidence_percent", single(detection("PCT", 6, confidence=92)), {"confidence": 0.92}),
]

#: (reason, field, the message) — unsafe or ambiguous: rejected with the reason.
REJECTED = [
    ("invalid", "detection.symbol", single(detection("<script>", 7))),
    ("invalid", "detection.confidence", single(detection("STR", 8, confidence="0.9"))),
    ("invalid", "detection.timeframe", single(detection("MONTH", 9, timeframe="1M"))),
    ("invalid", "detection.timestamp", single(detection("EPOCH", 10, timestamp=1759662600))),
    ("too_large", "", b'{"type": "streaming_pattern", "pad": "' + b"x" * 70_000 + b'"}'),
]


def counters(text: str, name: str) -> dict[tuple[str, str], float]:
    return {
        (s.labels["channel"], s.labels["reason"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


async def test_each_deviation_is_normalised_and_counted_or_rejected_with_its_reason(
    redis_url, database
):
    settings = app_settings(redis_url, database.url)
    producer = aioredis.Redis.from_url(redis_url)
    ready, stop = asyncio.Event(), asyncio.Event()
    checker = asyncio.create_task(check_producer(redis_url, 30, ready=ready, stop=stop))
    try:
        async with running_app(settings, database) as app:
            await app.subscribed()
            await asyncio.wait_for(ready.wait(), 10)
            browser = Listener()
            await browser.connect(app.url)
            await async_wait_until(lambda: browser.snapshots, 10, "the opening snapshot")
            for _, raw, _ in NORMALISED:
                await producer.publish(STREAMING, raw)
            for _, _, raw in REJECTED:
                await producer.publish(STREAMING, raw)
            # one bad detection of a batch on the high-confidence channel drops only itself
            await producer.publish(
                DETECTED,
                orjson.dumps(
                    {
                        "type": "streaming_patterns_batch",
                        "detections": [
                            detection("batcha", 12),
                            detection("LOW", 11, confidence=0.3),
                            detection("BATCHB", 13, confidence=92),
                        ],
                    }
                ),
            )
            await async_wait_until(
                lambda: any(e["data"].get("rejects") == 6 for e in browser.of("metrics")),
                10,
                "a metrics event counting 6 rejects",
            )

            relayed = {
                e["data"]["detection"]["symbol"]: e["data"] for e in browser.of("streaming_pattern")
            }
            for kind, raw, expected in NORMALISED:
                symbol = orjson.loads(raw)["detection"]["symbol"].upper()
                got = relayed[symbol]["detection"]
                assert {k: got[k] for k in expected} == expected, kind
            assert not {"<SCRIPT>", "STR", "MONTH", "EPOCH", "LOW"} & relayed.keys()
            # the batch's two good detections came through, high-confidence, not dropped
            assert relayed["BATCHA"]["channels"] == [DETECTED]
            assert relayed["BATCHB"]["detection"]["confidence"] == 0.92

            async with httpx.AsyncClient(base_url=app.url) as http:
                text = (await http.get("/metrics")).text
            normalised = counters(text, "tickstock_normalisations_total")
            assert normalised == {
                (STREAMING, "symbol_case"): 1.0,
                (STREAMING, "timeframe_alias"): 2.0,
                (STREAMING, "integral_float"): 1.0,
                (STREAMING, "zoneless_timestamp"): 1.0,
                (STREAMING, "confidence_percent"): 1.0,
                (DETECTED, "symbol_case"): 1.0,
                (DETECTED, "confidence_percent"): 1.0,
            }
            rejects = counters(text, "tickstock_rejects_total")
            assert rejects == {
                (STREAMING, "invalid"): 4.0,
                (STREAMING, "too_large"): 1.0,
                (DETECTED, "low_confidence"): 1.0,
            }
            metrics = [e["data"] for e in browser.of("metrics")][-1]
            assert (metrics["rejects"], metrics["normalised"]) == (6, 8)
            await browser.disconnect()
    finally:
        stop.set()
        report = await checker
        await producer.aclose()

    warned = " ".join(report.warnings)
    for kind in (
        "symbol_case",
        "timeframe_alias",
        "integral_float",
        "zoneless_timestamp",
        "confidence_percent",
    ):
        assert kind in warned
    assert report.channels[STREAMING].normalised == 6
    assert report.channels[STREAMING].rejects == 5
    assert report.channels[DETECTED].rejects == 1
    assert report.detected_below_threshold == 1
