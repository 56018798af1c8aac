"""Soak: the plan's rates for an hour (``--minutes``) with a real headless Chromium tab open.

Every minute it samples the app's RSS and the page's JS heap (CDP ``Runtime.getHeapUsage``,
after a forced GC so the figure is live memory, not garbage waiting); the leak verdict is the
least-squares slope of each series once the app's bounded buffers are full (the replay
ring's age bound plus a minute: 7 minutes by default; the slope including that warm-up is
reported too). ``--verdict-of FILE`` recomputes the verdict of a saved run. Not part of CI.

    .venv/bin/python bench/soak.py --minutes 60 --json docs/bench/soak.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from tests.servers import RedisServer  # noqa: E402
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from common import least_squares_slope, machine, publish_plan_rates  # noqa: E402
from relay import start_server, wait_ready  # noqa: E402

#: Growth per hour above which a series counts as leaking.
LEAK_HEAP_MB_PER_HOUR = 10.0
LEAK_RSS_MB_PER_HOUR = 20.0


async def soak(url: str, redis_url: str, server: psutil.Process, minutes: int) -> dict[str, Any]:
    samples: list[dict[str, float]] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(url)
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("HeapProfiler.enable")
        publishing = asyncio.create_task(publish_plan_rates(redis_url, minutes * 60.0))
        started = time.monotonic()
        try:
            for minute in range(minutes + 1):
                await asyncio.sleep(max(0.0, started + minute * 60 - time.monotonic()))
                await cdp.send("HeapProfiler.collectGarbage")
                heap = await cdp.send("Runtime.getHeapUsage")
                samples.append(
                    {
                        "minute": minute,
                        "server_rss_mb": round(server.memory_info().rss / 2**20, 1),
                        "heap_used_mb": round(heap["usedSize"] / 2**20, 2),
                        "heap_total_mb": round(heap["totalSize"] / 2**20, 2),
                    }
                )
                print(samples[-1], flush=True)
            sent = await publishing
        finally:
            publishing.cancel()
            await browser.close()
    return {
        "minutes": minutes,
        "published": sent,
        "samples": samples,
        "page_errors": errors,
        **verdict(samples),
    }


def warmup_minutes() -> int:
    """Minutes for the app's bounded buffers to fill: the replay ring's age bound, plus one.

    The ring (``TICKSTOCK_REPLAY_BUFFER_SECONDS``, 360 s) and the de-duplication window
    (30,000 detections: 5 minutes at 100/s) grow until full: bounded growth, not a leak, so
    the slope is fitted after them.
    """
    from tickstock.settings import load_settings

    return math.ceil(load_settings().replay_buffer_seconds / 60) + 1


def verdict(samples: list[dict[str, Any]], warmup: int | None = None) -> dict[str, Any]:
    """Max figures, and the leak verdict: least-squares slope after the warm-up (MB/hour)."""
    warmup = warmup_minutes() if warmup is None else warmup
    steady = [s for s in samples if s["minute"] >= warmup]
    if len(steady) < 3:
        steady = samples[1:] if len(samples) > 2 else samples
    hours = [s["minute"] / 60 for s in steady]
    heap_slope = least_squares_slope(hours, [s["heap_used_mb"] for s in steady])
    rss_slope = least_squares_slope(hours, [s["server_rss_mb"] for s in steady])
    whole = samples[1:] if len(samples) > 2 else samples
    whole_hours = [s["minute"] / 60 for s in whole]
    return {
        "heap_used_mb_max": max(s["heap_used_mb"] for s in samples),
        "server_rss_mb_max": max(s["server_rss_mb"] for s in samples),
        "warmup_minutes": warmup,
        "heap_slope_mb_per_hour": round(heap_slope, 2),
        "rss_slope_mb_per_hour": round(rss_slope, 2),
        "rss_slope_including_warmup_mb_per_hour": round(
            least_squares_slope(whole_hours, [s["server_rss_mb"] for s in whole]), 2
        ),
        "heap_leak": heap_slope > LEAK_HEAP_MB_PER_HOUR,
        "rss_leak": rss_slope > LEAK_RSS_MB_PER_HOUR,
        "leak_thresholds_mb_per_hour": {"heap": LEAK_HEAP_MB_PER_HOUR, "rss": LEAK_RSS_MB_PER_HOUR},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--json", dest="json_file", help="write the figures to this file")
    parser.add_argument(
        "--verdict-of", metavar="JSON", help="recompute the verdict of a saved run, run nothing"
    )
    args = parser.parse_args(argv)
    if args.verdict_of:
        result = json.loads(Path(args.verdict_of).read_text())
        result.update(verdict(result["samples"]))
        args.minutes = result["minutes"]
        return report(result, args)
    with RedisServer() as redis, tempfile.TemporaryDirectory() as workdir:
        process, port = start_server("ours", redis.url, workdir)
        try:
            asyncio.run(wait_ready(port, redis.url))
            result = asyncio.run(
                soak(
                    f"http://127.0.0.1:{port}/",
                    redis.url,
                    psutil.Process(process.pid),
                    args.minutes,
                )
            )
        finally:
            process.terminate()
            process.wait(10)
    result["machine"] = machine()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    result["commit"] = commit.stdout.strip() or "unknown"
    return report(result, args)


def report(result: dict[str, Any], args: argparse.Namespace) -> int:
    print(
        f"soak {args.minutes} min: heap max {result['heap_used_mb_max']} MB, slope "
        f"{result['heap_slope_mb_per_hour']} MB/h after {result['warmup_minutes']} min of warm-up "
        f"(leak: {result['heap_leak']}); server RSS max "
        f"{result['server_rss_mb_max']} MB, slope {result['rss_slope_mb_per_hour']} MB/h "
        f"(leak: {result['rss_leak']}); page errors {len(result['page_errors'])}"
    )
    if args.json_file:
        Path(args.json_file).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_file).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
