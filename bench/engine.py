"""Minute close → every message of that minute published to a real local redis-server.

For each universe size the synthetic market (whole-bar mode, seeded) is warmed up so every
indicator is ready, then ``--minutes`` minute closes are timed from the bar close to the
moment Redis acknowledged the minute's last message: pipeline (indicators, alerts, patterns,
message building) + one pipelined round trip through the engine's ``Publisher``. A subscriber
(redis-py, in this process, competing for the same event loop) stays connected so Redis
really fans the messages out. Between two closes — outside the timed span — it is given the
time to take the whole minute, as the app has 60 s in real time: left behind, it was
disconnected by Redis's pub/sub output-buffer limit (32 MB) about half-way through the
5,000-symbol run, and the rest was timed with no subscriber at all. The run fails if the
subscriber stops or misses a message. CPU is the process's CPU time over wall time during
the timed closes (100 % = one core).

    .venv/bin/python bench/engine.py                          # 500 and 5,000 symbols
    .venv/bin/python bench/engine.py --symbols 5000 --minutes 60 --json bench/results/engine.json
    .venv/bin/python bench/engine.py --database      # the minute's rows written to SQLite too
    .venv/bin/python bench/engine.py --default-gc    # without the engine's gc settings

With ``--database`` the runner's own minute hand-off is timed (``Engine.emit_minute``: rows
queued for the write task, which waits for the publish), and each minute's writes finish
before the next close, as they do 60 s apart in real time.

Targets on 2 cores: 500 symbols ≤ 100 ms p99, 5,000 ≤ 250 ms (stretch ≤ 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import redis.asyncio as aioredis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import RedisServer, async_wait_until

from tickstock.contract import ALL_CHANNELS
from tickstock.engine.feeds import SyntheticFeed
from tickstock.engine.pipeline import MinutePipeline
from tickstock.engine.publisher import Publisher
from tickstock.engine.runner import Engine, EngineConfig, _open_writer
from tickstock.engine.universe import load_universe
from tickstock.gc_policy import settle_after_start_up

WARMUP_MINUTES = 40
OPEN = 1_741_012_200  # 2025-03-03 14:30 UTC


async def drain(url: str, counter: list[int], ready: asyncio.Event) -> None:
    client = aioredis.Redis.from_url(url)
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(*ALL_CHANNELS)
        ready.set()
        while True:
            item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if item is not None:
                counter[0] += 1
    finally:
        await pubsub.aclose()
        await client.aclose()


async def caught_up(listener: asyncio.Task[None], received: list[int], published: int) -> None:
    """Wait (bounded) until the subscriber has every message published so far."""
    await async_wait_until(
        lambda: received[0] >= published or listener.done(),
        30,
        lambda: f"the subscriber to catch up ({received[0]} of {published} messages)",
    )
    if listener.done():
        raise RuntimeError(f"the subscriber stopped: {listener.exception()!r}")
    if received[0] != published:
        raise RuntimeError(f"the subscriber got {received[0]} messages, {published} published")


async def bench_size(url: str, n_symbols: int, minutes: int) -> dict[str, float]:
    universe = load_universe(n_symbols)
    feed = SyntheticFeed(n_symbols, seed=42, session_open=OPEN)
    pipeline = MinutePipeline(universe.symbols)
    for m in range(WARMUP_MINUTES):
        pipeline.process(feed.bars(OPEN + 60 * m))
    received = [0]
    ready = asyncio.Event()
    listener = asyncio.create_task(drain(url, received, ready))
    await ready.wait()
    publisher = Publisher(url)
    publisher.start()
    latencies, messages = [], []
    cpu = wall = 0.0
    try:
        for m in range(WARMUP_MINUTES, WARMUP_MINUTES + minutes):
            bars = feed.bars(OPEN + 60 * m)  # the minute's bars exist: the close starts here
            cpu0, start = time.process_time(), time.perf_counter()
            output = pipeline.process(bars)
            publisher.submit(output.messages)
            await publisher.wait_idle(30)
            end = time.perf_counter()
            cpu += time.process_time() - cpu0
            wall += end - start
            latencies.append((end - start) * 1000)
            messages.append(len(output.messages))
            await caught_up(listener, received, sum(messages))  # not timed: 60 s apart
        cpu = cpu / wall * 100
    finally:
        await publisher.close()
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
    lat = np.array(latencies)
    return {
        "symbols": n_symbols,
        "minutes": minutes,
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p99_ms": round(float(np.percentile(lat, 99)), 1),
        "max_ms": round(float(lat.max()), 1),
        "messages_per_minute": round(float(np.mean(messages)), 1),
        "subscriber_received": received[0],
        "cpu_percent": round(cpu, 1),
    }


async def bench_with_database(url: str, n_symbols: int, minutes: int) -> dict[str, float]:
    """The same, through the runner's hand-off, with every row written to a SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        config = EngineConfig(url, f"sqlite+aiosqlite:///{folder}/bench.db", n_symbols)
        writer, close_database = await _open_writer(config)
        engine = Engine(config, writer, asyncio.Event())
        feed = SyntheticFeed(n_symbols, seed=42, session_open=OPEN)
        for m in range(WARMUP_MINUTES):
            engine.pipeline.process(feed.bars(OPEN + 60 * m))
        received = [0]
        ready = asyncio.Event()
        listener = asyncio.create_task(drain(url, received, ready))
        await ready.wait()
        engine.publisher.start()
        engine.writes.start()
        latencies, messages, written = [], [], 0
        cpu = wall = 0.0
        try:
            for m in range(WARMUP_MINUTES, WARMUP_MINUTES + minutes):
                bars = feed.bars(OPEN + 60 * m)
                # The minute closes now: the engine's lag (close -> published) is measured
                # from here, not from a 2025 moment long past (a critical "lag" every run).
                engine.clock.jump_to(datetime.fromtimestamp(OPEN + 60 * (m + 1), tz=UTC))
                sent = engine.publisher.published
                cpu0, start = time.process_time(), time.perf_counter()
                await engine.emit_minute(bars)
                await engine.publisher.wait_idle(30)
                end = time.perf_counter()
                cpu += time.process_time() - cpu0
                wall += end - start
                latencies.append((end - start) * 1000)
                messages.append(engine.publisher.published - sent)
                await engine.writes.wait_idle(120)  # 60 s apart in real time
                await caught_up(listener, received, engine.publisher.published)
            cpu = cpu / wall * 100
            written = sum(engine.writes.written.values())
        finally:
            await engine.publisher.close()
            await engine.writes.close()
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            closing = close_database() if close_database else None
            if asyncio.iscoroutine(closing):
                await closing
    lat = np.array(latencies)
    return {
        "symbols": n_symbols,
        "database": "sqlite",
        "minutes": minutes,
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p99_ms": round(float(np.percentile(lat, 99)), 1),
        "max_ms": round(float(lat.max()), 1),
        "messages_per_minute": round(float(np.mean(messages)), 1),
        "rows_written_per_minute": round(written / minutes, 1),
        "subscriber_received": received[0],
        "cpu_percent": round(cpu, 1),
    }


async def main(sizes: list[int], minutes: int, database: bool) -> list[dict[str, float]]:
    with RedisServer() as redis_server:
        run = bench_with_database if database else bench_size
        return [await run(redis_server.url, n, minutes) for n in sizes]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, action="append", help="universe size (repeatable)")
    parser.add_argument("--minutes", type=int, default=40, help="timed minute closes (>= 30)")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--database", action="store_true", help="write the rows to SQLite too")
    parser.add_argument("--default-gc", action="store_true", help="keep CPython's gc settings")
    args = parser.parse_args()
    if not args.default_gc:
        settle_after_start_up()  # as `tickstock engine` does
    results = asyncio.run(main(args.symbols or [500, 5000], max(args.minutes, 30), args.database))
    print(f"{'symbols':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'msgs/min':>9} {'CPU %':>6}")
    for r in results:
        print(
            f"{r['symbols']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8} {r['max_ms']:>8} "
            f"{r['messages_per_minute']:>9} {r['cpu_percent']:>6}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        machine = {"python": platform.python_version(), "machine": platform.machine()}
        settings = {"database": args.database, "engine_gc": not args.default_gc}
        args.json.write_text(
            json.dumps({"machine": machine, "settings": settings, "results": results}, indent=2)
            + "\n"
        )
