"""Load benchmark: the plan's 100 patterns/s + 50 indicators/s sustained, to 10, 100 and 500
clients (in separate processes), plus 1,000+ patterns/min bursts.

For each scenario: latency p50/p99/max (publish → client receive, patterns), loss,
out-of-order, seq holes, server CPU and RSS. The app is ``create_app`` under uvicorn in its
own process (``bench/relay.py``'s server), clients are ``bench/relay_client.py`` processes.

    .venv/bin/python bench/load.py                         # 60 s per scenario
    .venv/bin/python bench/load.py --duration 600 --json docs/bench/load.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from tests.servers import RedisServer  # noqa: E402

from common import machine, publish_plan_rates  # noqa: E402
from relay import percentile, run_async, start_server, wait_ready, with_rss_samples  # noqa: E402
from relay_client import ClientFleet  # noqa: E402

SCENARIOS = [
    {"name": "plan rates x 10 clients", "clients": 10},
    {"name": "plan rates x 100 clients", "clients": 100},
    {"name": "plan rates x 500 clients", "clients": 500},
    # 1,200 patterns at once every 10 s on top of the steady rates: ≥ 1,000 patterns/min.
    {"name": "bursts of 1,200 patterns x 100 clients", "clients": 100, "burst": 1200},
]


def run_scenario(
    scenario: dict[str, Any], redis_url: str, workdir: str, duration: float, processes: int
) -> dict[str, Any]:
    process, port = start_server("ours", redis_url, workdir)
    server = psutil.Process(process.pid)
    fleet = ClientFleet(
        f"http://127.0.0.1:{port}", scenario["clients"], processes, ready_within=180
    )
    try:
        asyncio.run(wait_ready(port, redis_url))
        fleet.start()
        rss: list[int] = []

        async def measure() -> dict[str, int]:
            work = publish_plan_rates(redis_url, duration, burst_patterns=scenario.get("burst", 0))
            return await with_rss_samples(server, 0.5, rss, work)

        cpu_before = server.cpu_times()
        started = time.monotonic()
        sent = run_async(measure())
        measured = time.monotonic() - started
        cpu_after = server.cpu_times()
        time.sleep(3.0)  # the tail drains
        results = fleet.collect()
    finally:
        process.terminate()
        process.wait(10)
        fleet.close()
    histogram = np.sum([np.asarray(r["histogram"], dtype=np.int64) for r in results], axis=0)
    delivered = sum(n for r in results for n in r["received"])
    expected = sent["patterns"] * scenario["clients"]
    cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    return {
        "scenario": scenario["name"],
        "clients": scenario["clients"],
        "duration_s": duration,
        "patterns_published": sent["patterns"],
        "indicators_published": sent["indicators"],
        "bursts": sent["bursts"],
        "events_per_s": round((sent["patterns"] + sent["indicators"]) / measured, 1),
        "patterns_delivered": delivered,
        "loss": expected - delivered,
        "out_of_order": sum(r["out_of_order"] for r in results),
        "seq_holes": sum(r["seq_holes"] for r in results),
        "resync_snapshots": sum(r["snapshots"] for r in results) - scenario["clients"],
        "connected_at_end": sum(r["connected"] for r in results),
        "p50_ms": round(percentile(histogram, 0.50), 2),
        "p99_ms": round(percentile(histogram, 0.99), 2),
        "max_ms": round(percentile(histogram, 1.0), 2),
        "server_cpu_percent": round(100 * cpu / measured, 1),
        "server_rss_mb_max": round(max(rss, default=0) / 2**20, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per scenario")
    parser.add_argument("--clients", type=int, nargs="*", help="only these client counts")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--no-bursts", action="store_true", help="only the steady scenarios")
    parser.add_argument("--json", dest="json_file", help="write the figures to this file")
    args = parser.parse_args(argv)
    scenarios = [
        s
        for s in SCENARIOS
        if (not args.clients or s["clients"] in args.clients)
        and not (args.no_bursts and s.get("burst"))
    ]
    report: dict[str, Any] = {"machine": machine(), "duration_s": args.duration, "runs": []}
    with RedisServer() as redis, tempfile.TemporaryDirectory() as workdir:
        for scenario in scenarios:
            result = run_scenario(
                scenario, redis.url, workdir, args.duration, args.client_processes
            )
            report["runs"].append(result)
            print(
                f"{result['scenario']:40} p50 {result['p50_ms']:>7} ms  p99 {result['p99_ms']:>7} ms"
                f"  max {result['max_ms']:>7} ms  {result['events_per_s']} ev/s  loss {result['loss']}"
                f"  out-of-order {result['out_of_order']}  holes {result['seq_holes']}"
                f"  CPU {result['server_cpu_percent']}%  RSS {result['server_rss_mb_max']} MB",
                flush=True,
            )
    if args.json_file:
        Path(args.json_file).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_file).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
