"""Crafted producer messages for the recovery and fault tests: unique, valid, in batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import redis.asyncio as aioredis

from tickstock.contract import Channel

BATCH = 50  # the plan's largest batch


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def detection(n: int, when: str) -> dict[str, Any]:
    return {
        "symbol": f"P{n}",
        "pattern_type": "Doji",
        "confidence": 0.6,
        "timestamp": when,
        "timeframe": "1min",
        "bar_data": {"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": n},
    }


def calculation(n: int, when: str) -> dict[str, Any]:
    return {
        "symbol": f"I{n}",
        "indicator": "RSI",
        "value": 50.0,
        "timestamp": when,
        "timeframe": "1min",
    }


async def publish_peak_minutes(
    redis: aioredis.Redis, seconds: int, *, patterns_per_s: int = 100, indicators_per_s: int = 50
) -> int:
    """``seconds`` worth of the plan's peak rates, as fast as Redis takes them; events sent."""
    when = now_iso()
    patterns = [detection(n, when) for n in range(seconds * patterns_per_s)]
    indicators = [calculation(n, when) for n in range(seconds * indicators_per_s)]
    async with redis.pipeline(transaction=False) as pipe:
        for start in range(0, len(patterns), BATCH):
            body = {
                "type": "streaming_patterns_batch",
                "detections": patterns[start : start + BATCH],
            }
            pipe.publish(Channel.PATTERNS_STREAMING.value, orjson.dumps(body))
        for start in range(0, len(indicators), BATCH):
            body = {
                "type": "streaming_indicators_batch",
                "calculations": indicators[start : start + BATCH],
            }
            pipe.publish(Channel.INDICATORS_STREAMING.value, orjson.dumps(body))
        await pipe.execute()
    return len(patterns) + len(indicators)


def health(status: str, issues: list[str], *, seconds_ago: float = 0.0) -> bytes:
    """A health message; the app keeps one per timestamp, so each needs its own."""
    when = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    return orjson.dumps(
        {
            "type": "streaming_health",
            "health": {
                "status": status,
                "timestamp": when.isoformat().replace("+00:00", "Z"),
                "active_symbols": 20,
                "connection_status": "connected" if status != "critical" else "degraded",
                "data_flow": {
                    "ticks_per_second": 10.0,
                    "bars_per_minute": 20,
                    "processing_lag_ms": 5,
                },
                "resource_usage": {"cpu_percent": 5.0, "memory_mb": 100, "threads_active": 4},
                "issues": issues,
            },
        }
    )
