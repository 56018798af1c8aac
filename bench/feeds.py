"""Live-feed benchmark: a local Massive server (its own process) → the engine → Redis.

Two runs, each through the official ``massive`` client, the engine's live source and the
whole pipeline (no database):

* **aggregates**: 5,000 symbols' minute aggregates (``AM``) arriving within one second of
  each minute (10 frames of 500, 0.09 s apart); the figure is the engine's own lag: the
  moment the minute's last aggregate arrived → the moment Redis acknowledged the minute's
  last message (target: p99 ≤ 100 ms);
  The pipeline's own share is timed too (``MinutePipeline.process`` per minute, wall and
  this thread's CPU): on a loaded machine wall ≫ CPU, the minute waits for a core;
* **trades**: trades (``T``) at about 50,000 a second (frames of 5,000 every 0.1 s, each
  frame one second of market time) built into 1-minute bars; the figures are the rate the
  engine received and the CPU it used meanwhile (target: ≤ 1 core).

    .venv/bin/python bench/feeds.py                      # both, 5,000 symbols
    .venv/bin/python bench/feeds.py --minutes 10 --json bench/results/feeds.json

On a shared, loaded machine the figures are noisy: say so when quoting them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

import numpy as np
import orjson
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import RedisServer, free_port, wait_until

from tickstock.engine.bars import ClosedBars
from tickstock.engine.clock import REGULAR_OPEN, new_york_datetime
from tickstock.engine.config import EngineConfig, LiveFeedConfig
from tickstock.engine.feedserver.make import massive_am, minute_bars
from tickstock.engine.pipeline import MinuteOutput, MinutePipeline
from tickstock.engine.runner import run_engine
from tickstock.engine.universe import load_universe
from tickstock.gc_policy import settle_after_start_up

DAY = date(2025, 3, 3)
FRAMES_PER_MINUTE = 10
WARMUP_MINUTES = 35  # MACD's slow line needs 26 + 9 bars: the minutes after are full ones


def aggregates_recording(path: Path, symbols: list[str], minutes: int) -> None:
    lines = []
    per_frame = -(-len(symbols) // FRAMES_PER_MINUTE)
    for start, bars in minute_bars(symbols, DAY, minutes):
        messages = [massive_am(s, start, bar) for s, bar in bars.items()]
        for i in range(0, len(messages), per_frame):
            lines.append(orjson.dumps(messages[i : i + per_frame]).decode())
            lines.append('{"pause": 0.09}')
        lines.append('{"pause": 0.3}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def trades_recording(path: Path, symbols: list[str], seconds: int) -> None:
    rng = np.random.default_rng(5)
    price = rng.uniform(20, 400, len(symbols))
    open_ms = int(new_york_datetime(DAY, REGULAR_OPEN).timestamp() * 1000)
    lines = []
    for second in range(seconds):
        price *= np.exp(rng.normal(0, 0.0005, len(symbols)))
        offsets = rng.integers(0, 1000, len(symbols))
        frame = [
            {
                "ev": "T",
                "sym": s,
                "x": 4,
                "i": str(second),
                "z": 3,
                "p": round(float(p), 4),
                "s": int(n),
                "c": [],
                "t": open_ms + second * 1000 + int(o),
                "q": second,
            }
            for s, p, n, o in zip(
                symbols, price, rng.integers(1, 500, len(symbols)), offsets, strict=True
            )
        ]
        lines.append(orjson.dumps(frame).decode())
        lines.append('{"pause": 0.1}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class PipelineTimer:
    """Times each minute the pipeline computes during a run (wall, and this thread's CPU)."""

    def __init__(self) -> None:
        self.wall_ms: list[float] = []
        self.cpu_ms: list[float] = []
        self._original = MinutePipeline.process

    def __enter__(self) -> PipelineTimer:
        original = self._original

        def timed(pipeline: MinutePipeline, bars: ClosedBars) -> MinuteOutput:
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return original(pipeline, bars)
            finally:
                self.wall_ms.append((time.perf_counter() - wall) * 1000)
                self.cpu_ms.append((time.thread_time() - cpu) * 1000)

        MinutePipeline.process = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        MinutePipeline.process = self._original  # type: ignore[method-assign]


def after_open(minutes: int) -> time_of_day:
    return (datetime.combine(DAY, REGULAR_OPEN) + timedelta(minutes=minutes)).time()


def start_server(recording: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tickstock.cli",
            "feed-server",
            "massive",
            "--recording",
            str(recording),
            "--port",
            str(port),
            "--pace",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    import socket

    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, 60, "the feed server listens")
    return process


async def run(
    redis_url: str, symbols: list[str], port: int, subscription: str, close_at: time_of_day
) -> tuple[dict, float, float]:
    live = LiveFeedConfig(
        provider="massive",
        symbols=tuple(symbols),
        api_key=SecretStr("bench"),
        host=f"127.0.0.1:{port}",
        secure=False,
        subscription=subscription,
        close_grace=2.0,
    )
    config = EngineConfig(
        redis_url=redis_url,
        live=live,
        close_at=close_at,
        until_close=True,
        health_interval=5.0,
        feed_lost_after=150.0,
        lag_critical_ms=60_000,
    )
    cpu0, wall0 = time.process_time(), time.perf_counter()
    report = await run_engine(config)
    return report, time.process_time() - cpu0, time.perf_counter() - wall0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=5000)
    parser.add_argument("--minutes", type=int, default=10, help="measured aggregate minutes")
    parser.add_argument("--trade-seconds", type=int, default=150, help="seconds of trades")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if args.trade_seconds <= 60:  # a minute of trades closes when the next minute's begin
        parser.error("--trade-seconds must be over 60")
    settle_after_start_up()
    symbols = list(load_universe(args.symbols).symbols)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        "symbols": len(symbols),
    }
    with tempfile.TemporaryDirectory() as folder, RedisServer() as redis_server:
        total = WARMUP_MINUTES + args.minutes
        rec = Path(folder) / "aggregates.jsonl"
        aggregates_recording(rec, symbols, total)
        port = free_port()
        server = start_server(rec, port)
        try:
            end = after_open(total)
            with PipelineTimer() as pipeline:
                report, cpu, wall = asyncio.run(run(redis_server.url, symbols, port, "AM", end))
        finally:
            server.terminate()
            server.wait(10)
        lag = np.array(report.lag_ms[WARMUP_MINUTES:])
        results["aggregates"] = {
            "minutes_measured": int(lag.size),
            "minutes_closed": report.minutes,
            "last_aggregate_to_published_p50_ms": round(float(np.percentile(lag, 50)), 1),
            "last_aggregate_to_published_p99_ms": round(float(np.percentile(lag, 99)), 1),
            "last_aggregate_to_published_max_ms": round(float(lag.max()), 1),
            "messages_published": report.published,
            "pipeline_wall_p50_ms": round(float(np.median(pipeline.wall_ms[WARMUP_MINUTES:])), 1),
            "pipeline_cpu_p50_ms": round(float(np.median(pipeline.cpu_ms[WARMUP_MINUTES:])), 1),
        }
        rec = Path(folder) / "trades.jsonl"
        trades_recording(rec, symbols, args.trade_seconds)
        port = free_port()
        server = start_server(rec, port)
        try:
            minutes = args.trade_seconds // 60
            report, cpu, wall = asyncio.run(
                run(redis_server.url, symbols, port, "T", after_open(minutes))
            )
        finally:
            server.terminate()
            server.wait(10)
        trades = len(symbols) * minutes * 60
        results["trades"] = {
            "trades_in_closed_minutes": trades,
            "minutes_closed": report.minutes,
            "wall_seconds": round(wall, 1),
            "trades_per_second": round(trades / wall),
            "engine_cpu_cores": round(cpu / wall, 2),
        }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
