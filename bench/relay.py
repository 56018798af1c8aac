"""Relay benchmark: Redis publish → app → N real Socket.IO clients in other processes.

Runs each scenario against our app (``create_app``: coalesced frames) and against the
naive baseline (``bench/naive_relay.py``: one emit per message per client), each server
in its own process, clients in separate processes (``bench/relay_client.py``). Prints
latency p50/p99/max (publish → client receive), events/s delivered, loss, out-of-order,
server RSS; ``--json FILE`` writes every figure.

    .venv/bin/python bench/relay.py                      # the three standard scenarios
    .venv/bin/python bench/relay.py --rate 2000 --clients 100 --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import psutil
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "src")]

from tests.servers import RedisServer, free_port  # noqa: E402

from relay_client import BUCKET_SECONDS, run_clients  # noqa: E402

SCENARIOS = [
    {"name": "150ev/s x 50 clients", "rate": 150, "clients": 50, "duration": 10},
    {"name": "2000ev/s x 100 clients", "rate": 2000, "clients": 100, "duration": 10},
    {"name": "500 idle clients", "rate": 0, "clients": 500, "duration": 5},
]
CLIENTS_PER_PROCESS = 25


# --- servers ------------------------------------------------------------------------------


def serve(impl: str, port: int, redis_url: str, database_url: str) -> None:
    """Child entry point: run one server under uvicorn (``relay.py _serve ...``)."""
    import uvicorn

    if impl == "naive":
        from naive_relay import create_naive_app

        app = create_naive_app(redis_url)
    else:
        from tests.integration.relay_harness import SqliteDatabase

        from tickstock.app.main import create_app
        from tickstock.settings import load_settings

        settings = load_settings(redis_url=redis_url, database_url=database_url)
        database = SqliteDatabase(database_url)
        asyncio.run(database.create_tables())
        app = create_app(settings, database=SqliteDatabase(database_url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


def start_server(impl: str, redis_url: str, workdir: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{workdir}/{impl}-{port}.db"
    command = [sys.executable, __file__, "_serve", impl, str(port), redis_url, database_url]
    process = subprocess.Popen(command, cwd=ROOT)
    return process, port


async def wait_ready(port: int, redis_url: str, within: float = 20.0) -> None:
    client = aioredis.Redis.from_url(redis_url)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                subscribers = dict(await client.pubsub_numsub("tickstock:patterns:streaming"))
                if any(subscribers.values()):
                    return
            except OSError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"server on port {port} not ready after {within}s")
    finally:
        await client.aclose()


# --- one run ------------------------------------------------------------------------------


def pattern_message(counter: int) -> bytes:
    now_us = int(time.time() * 1e6)
    return orjson.dumps(
        {
            "type": "streaming_pattern",
            "detection": {
                "symbol": f"B{counter}",
                "pattern_type": "Doji",
                "confidence": 0.5,
                "timestamp": "2025-10-05T10:15:00Z",
                "timeframe": "1min",
                "bar_data": {"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": now_us},
            },
        }
    )


async def publish(redis_url: str, rate: float, duration: float) -> int:
    """Publish ``rate`` detections/s for ``duration`` s, paced per millisecond tick."""
    client = aioredis.Redis.from_url(redis_url)
    sent = 0
    start = time.monotonic()
    try:
        while (elapsed := time.monotonic() - start) < duration:
            due = int(elapsed * rate) + 1 - sent
            if due > 0:
                pipe = client.pipeline(transaction=False)
                for _ in range(due):
                    pipe.publish("tickstock:patterns:streaming", pattern_message(sent))
                    sent += 1
                await pipe.execute()
            await asyncio.sleep(0.001)
    finally:
        await client.aclose()
    return sent


def percentile(histogram: np.ndarray, q: float) -> float:
    total = int(histogram.sum())
    if total == 0:
        return float("nan")
    index = int(np.searchsorted(np.cumsum(histogram), q * total, side="left"))
    return (index + 1) * BUCKET_SECONDS * 1000


def run_once(impl: str, scenario: dict[str, Any], redis_url: str, workdir: str) -> dict[str, Any]:
    process, port = start_server(impl, redis_url, workdir)
    server = psutil.Process(process.pid)
    pipes, workers = [], []
    try:
        asyncio.run(wait_ready(port, redis_url))
        remaining = scenario["clients"]
        while remaining > 0:
            count = min(CLIENTS_PER_PROCESS, remaining)
            remaining -= count
            parent, child = mp.Pipe()
            worker = mp.Process(target=run_clients, args=(f"http://127.0.0.1:{port}", count, child))
            worker.start()
            pipes.append(parent)
            workers.append(worker)
        for pipe in pipes:
            if not pipe.poll(60) or pipe.recv() != "ready":
                raise RuntimeError("a client process did not connect")
        rss_samples: list[int] = []

        async def measure() -> int:
            async def sample() -> None:
                while True:
                    rss_samples.append(server.memory_info().rss)
                    await asyncio.sleep(0.25)

            sampler = asyncio.create_task(sample())
            try:
                if scenario["rate"]:
                    return await publish(redis_url, scenario["rate"], scenario["duration"])
                await asyncio.sleep(scenario["duration"])
                return 0
            finally:
                sampler.cancel()

        started = time.monotonic()
        published = asyncio.run(measure())
        time.sleep(2.0)  # let the tail drain
        elapsed = time.monotonic() - started
        for pipe in pipes:
            pipe.send("stop")
        results = [pipe.recv() for pipe in pipes]
    finally:
        process.terminate()
        process.wait(10)
        for worker in workers:
            worker.join(10)
    histogram = sum(r["histogram"] for r in results)
    received = [n for r in results for n in r["received"]]
    expected = published * scenario["clients"]
    delivered = sum(received)
    return {
        "impl": impl,
        "scenario": scenario["name"],
        "rate": scenario["rate"],
        "clients": scenario["clients"],
        "duration_s": scenario["duration"],
        "published": published,
        "delivered": delivered,
        "delivered_per_s": round(delivered / scenario["duration"], 1) if published else 0.0,
        "loss": expected - delivered,
        "loss_ratio": round((expected - delivered) / expected, 6) if expected else 0.0,
        "out_of_order": sum(r["out_of_order"] for r in results),
        "seq_holes": sum(r["seq_holes"] for r in results),
        "resync_snapshots": sum(r["snapshots"] for r in results) - scenario["clients"],
        "connected_at_end": sum(r["connected"] for r in results),
        "p50_ms": round(percentile(histogram, 0.50), 2),
        "p99_ms": round(percentile(histogram, 0.99), 2),
        "max_ms": round(percentile(histogram, 1.0), 2),
        "server_rss_mb_max": round(max(rss_samples, default=0) / 2**20, 1),
        "server_rss_mb_end": round((rss_samples[-1] if rss_samples else 0) / 2**20, 1),
        "wall_s": round(elapsed, 1),
    }


def show(result: dict[str, Any]) -> None:
    print(
        f"  {result['impl']:5}  p50 {result['p50_ms']:>8} ms  p99 {result['p99_ms']:>8} ms  "
        f"max {result['max_ms']:>8} ms  delivered {result['delivered_per_s']:>9}/s  "
        f"loss {result['loss']}  out-of-order {result['out_of_order']}  "
        f"holes {result['seq_holes']}  RSS {result['server_rss_mb_max']} MB",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, help="events/s of a single custom scenario")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (keep ≤ 20)")
    parser.add_argument("--impl", choices=("ours", "naive", "both"), default="both")
    parser.add_argument("--redis-url", help="use this Redis instead of starting one")
    parser.add_argument("--json", dest="json_file", help="write all figures to this file")
    args = parser.parse_args(argv)
    scenarios = SCENARIOS
    if args.rate is not None:
        name = f"{args.rate:g}ev/s x {args.clients} clients"
        scenarios = [
            {"name": name, "rate": args.rate, "clients": args.clients, "duration": args.duration}
        ]
    impls = ("ours", "naive") if args.impl == "both" else (args.impl,)
    redis = None if args.redis_url else RedisServer()
    if redis is not None:
        redis.start()
    redis_url = args.redis_url or redis.url
    results: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for scenario in scenarios:
                print(f"{scenario['name']} for {scenario['duration']:g} s", flush=True)
                for impl in impls:
                    if impl == "naive" and not scenario["rate"]:
                        continue
                    result = run_once(impl, scenario, redis_url, workdir)
                    results.append(result)
                    show(result)
                pair = [r for r in results if r["scenario"] == scenario["name"]]
                if len(pair) == 2 and pair[1]["delivered_per_s"]:
                    ours, naive = pair
                    print(
                        f"  ours/naive delivered throughput {ours['delivered_per_s'] / naive['delivered_per_s']:.2f}x "
                        f"(p99 {ours['p99_ms']} vs {naive['p99_ms']} ms)",
                        flush=True,
                    )
    finally:
        if redis is not None:
            redis.close()
    if args.json_file:
        Path(args.json_file).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        os.environ.setdefault("TICKSTOCK_LOG_LEVEL", "WARNING")
        serve(*sys.argv[2:6])
    else:
        sys.exit(main())
