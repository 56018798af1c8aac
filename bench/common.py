"""Shared pieces of ``bench/load.py`` and ``bench/soak.py``: the plan's traffic, machine facts.

The app process, the client processes and the latency histogram come from the relay
benchmark (``bench/relay.py``, ``bench/relay_client.py``): patterns carry their publish
time, so every client measures publish → receive. Indicators ride along unmeasured (their
loss shows as seq holes).
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "src")]

from relay import pattern_message, publish_command  # noqa: E402

INDICATOR = orjson.dumps(
    {
        "type": "streaming_indicator",
        "calculation": {
            "symbol": "IND{n}",
            "indicator": "RSI",
            "value": 50.0,
            "timestamp": "2025-10-05T10:15:00Z",
            "timeframe": "1min",
        },
    }
).replace(b"{n}", b"%d")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_model": model or "unknown",
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


async def publish_plan_rates(
    redis_url: str,
    duration: float,
    *,
    patterns_per_s: float = 100,
    indicators_per_s: float = 50,
    burst_patterns: int = 0,
    burst_every: float = 10.0,
) -> dict[str, int]:
    """Patterns and indicators at steady rates, plus a burst of patterns every ``burst_every`` s.

    Raw RESP on one connection (replies read by a second task): next to no CPU, so the
    publisher does not steal the cores it shares with the server and the clients.
    """
    address = urlsplit(redis_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    patterns_channel = b"tickstock:patterns:streaming"
    indicators_channel = b"tickstock:indicators:streaming"
    sent = {"patterns": 0, "indicators": 0, "bursts": 0}
    replies = 0

    async def read_replies() -> None:
        nonlocal replies
        while await reader.readline():
            replies += 1

    reading = asyncio.create_task(read_replies())
    start = time.monotonic()
    try:
        while (elapsed := time.monotonic() - start) < duration:
            commands = []
            due = (
                int(elapsed * patterns_per_s)
                + 1
                - sent["patterns"]
                + sent["bursts"] * burst_patterns
            )
            if burst_patterns and elapsed >= (sent["bursts"] + 1) * burst_every:
                due += burst_patterns
                sent["bursts"] += 1
            for _ in range(max(0, due)):
                commands.append(
                    publish_command(patterns_channel, pattern_message(sent["patterns"]))
                )
                sent["patterns"] += 1
            for _ in range(max(0, int(elapsed * indicators_per_s) + 1 - sent["indicators"])):
                commands.append(publish_command(indicators_channel, INDICATOR % sent["indicators"]))
                sent["indicators"] += 1
            if commands:
                writer.write(b"".join(commands))
            await asyncio.sleep(0.001)
        await writer.drain()
        deadline = time.monotonic() + 10
        # Bounded poll for the last replies (a bench, not a test: no event to wait on).
        while replies < sent["patterns"] + sent["indicators"] and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    finally:
        reading.cancel()
        writer.close()
    return sent


def least_squares_slope(xs: list[float], ys: list[float]) -> float:
    """Slope of the least-squares line through the points (units of y per unit of x)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
