"""Relay benchmark: Redis publish → app → N real Socket.IO clients in other processes.

Runs each scenario against our app (``create_app``: coalesced frames) and against the
naive baseline (``bench/naive_relay.py``: one emit per message per client), each server
in its own process (uvicorn, uvloop when installed), clients in ``--client-processes``
separate processes (``bench/relay_client.py``). Prints latency p50/p99/max (publish →
client receive), events/s delivered, frames per client per second, loss, out-of-order,
seq holes, server RSS and CPU; ``--repeat`` runs each scenario several times and reports
the best and the median; ``--sweep`` finds, for both servers, the highest rate to 100
clients with p99 ≤ 50 ms and no loss; ``--json FILE`` writes every figure.

    .venv/bin/python bench/relay.py --repeat 3 --sweep --json docs/bench/relay.json
    .venv/bin/python bench/relay.py --rate 2000 --clients 100 --duration 10 --impl ours
    .venv/bin/python bench/relay.py --rate 500 --clients 50 --impl ours,node --clients-impl node

``--impl node`` is a Node socket.io server relaying the same Redis events
(``bench/node_relay_server.mjs``, one ``io.emit`` per detection); ``--clients-impl node``
runs the clients as socket.io-client in Node (``bench/relay_clients.mjs``), far cheaper
than python-socketio, so that the clients are not the bottleneck. Every run reports the
server's CPU µs per delivered event (server CPU time / events delivered to all clients).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import numpy as np
import orjson
import psutil
import redis.asyncio as aioredis

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "src")]

from tests.servers import RedisServer, free_port  # noqa: E402

from relay_client import BUCKET_SECONDS, ClientFleet, NodeClientFleet  # noqa: E402

SCENARIOS = [
    {"name": "150ev/s x 50 clients", "rate": 150, "clients": 50, "duration": 10},
    {"name": "2000ev/s x 100 clients", "rate": 2000, "clients": 100, "duration": 10},
    {"name": "500 idle clients", "rate": 0, "clients": 500, "duration": 5},
]
#: Rates tried by ``--sweep`` (events/s to 100 clients), per server.
SWEEP_RATES = {
    "ours": [100, 250, 500, 1000, 1500, 2000],
    "naive": [10, 25, 50, 100, 200],
    "node": [100, 250, 500, 1000, 1500, 2000],
}
#: The servers ``--impl`` can name (``both`` = ours,naive).
IMPLS = ("ours", "naive", "node")
SWEEP_CLIENTS = 100
SWEEP_DURATION = 8.0
#: A sweep point passes with p99 at or under this, no loss, no reorder.
SWEEP_P99_MS = 50.0


# --- servers ------------------------------------------------------------------------------


def serve(impl: str, port: int, redis_url: str, database_url: str, loop_file: str) -> None:
    """Child entry point: run one server under uvicorn (``relay.py _serve ...``)."""
    import uvicorn
    from starlette.types import Receive, Scope, Send

    def record_loop() -> None:
        loop = type(asyncio.get_running_loop())
        Path(loop_file).write_text(f"{loop.__module__}.{loop.__qualname__}")

    ws_compression = True  # uvicorn's default
    if impl == "naive":
        from naive_relay import create_naive_app

        app = create_naive_app(redis_url)
    else:
        from tests.integration.relay_harness import SqliteDatabase

        from tickstock.app.main import create_app
        from tickstock.settings import load_settings

        settings = load_settings(redis_url=redis_url, database_url=database_url)
        ws_compression = getattr(settings, "ws_compression", True)
        database = SqliteDatabase(database_url)
        asyncio.run(database.create_tables())
        from tickstock.gc_policy import settle_after_start_up

        app = create_app(
            settings,
            database=SqliteDatabase(database_url),
            on_started=lambda _live: settle_after_start_up(),  # as ``tickstock serve`` does
        )
    inner = app

    profiler = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile(time.process_time)

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            record_loop()
            if profiler is not None:
                profiler.enable()
                original = receive

                async def receive() -> Any:
                    message = await original()
                    if message["type"] == "lifespan.shutdown":
                        profiler.disable()
                        profiler.dump_stats(os.environ["BENCH_PROFILE"])
                    return message

        await inner(scope, receive, send)

    uvicorn.run(
        recording,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws_per_message_deflate=ws_compression,  # as ``tickstock serve``
    )


def start_server(impl: str, redis_url: str, workdir: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    if impl == "node":
        address = urlsplit(redis_url)
        script = ROOT / "bench" / "node_relay_server.mjs"
        command = ["node", str(script), str(port), str(address.hostname), str(address.port)]
        Path(f"{workdir}/{impl}-{port}.loop").write_text("node")
        return subprocess.Popen(command, cwd=ROOT), port
    database_url = f"sqlite+aiosqlite:///{workdir}/{impl}-{port}.db"
    loop_file = f"{workdir}/{impl}-{port}.loop"
    command = [
        sys.executable,
        __file__,
        "_serve",
        impl,
        str(port),
        redis_url,
        database_url,
        loop_file,
    ]
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


#: A detection with its publish counter (symbol ``B<n>``) and publish time (``volume``, µs
#: since the Unix epoch) filled in: a template, so that publishing costs the shared cores
#: next to nothing.
PATTERN_TEMPLATE = (
    orjson.dumps(
        {
            "type": "streaming_pattern",
            "detection": {
                "symbol": "B{counter}",
                "pattern_type": "Doji",
                "confidence": 0.5,
                "timestamp": "2025-10-05T10:15:00Z",
                "timeframe": "1min",
                "bar_data": {"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 0},
            },
        }
    )
    .replace(b"{counter}", b"%d")
    .replace(b'"volume":0', b'"volume":%d')
)


def pattern_message(counter: int) -> bytes:
    return PATTERN_TEMPLATE % (counter, int(time.time() * 1e6))


def publish_command(channel: bytes, payload: bytes) -> bytes:
    """One RESP ``PUBLISH`` command (what any Redis client sends)."""
    return b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
        len(channel),
        channel,
        len(payload),
        payload,
    )


async def publish(redis_url: str, rate: float, duration: float) -> int:
    """Publish ``rate`` detections/s for ``duration`` s, paced per millisecond tick.

    Raw RESP on one connection, replies read by a second task: the publisher shares the two
    cores with the server and the clients, so it must cost next to nothing (redis-py's
    pipeline cost a quarter of a core at 2,000/s).
    """
    address = urlsplit(redis_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    channel = b"tickstock:patterns:streaming"
    sent = 0
    acknowledged = 0
    finished = False
    all_acknowledged = asyncio.Event()

    async def read_replies() -> None:
        """Count the ``:<receivers>`` replies by chunk (a line read per reply cost 5 % CPU)."""
        nonlocal acknowledged
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            if chunk.startswith(b"-") or b"\n-" in chunk:
                raise RuntimeError(f"Redis refused a PUBLISH: {chunk[:200]!r}")
            acknowledged += chunk.count(b"\n")  # one per reply; a CR LF may be split
            if finished and acknowledged >= sent:
                all_acknowledged.set()

    replies = asyncio.create_task(read_replies())
    start = time.monotonic()
    try:
        while (elapsed := time.monotonic() - start) < duration:
            due = int(elapsed * rate) + 1 - sent
            if due > 0:
                commands = []
                for _ in range(due):
                    commands.append(publish_command(channel, pattern_message(sent)))
                    sent += 1
                writer.write(b"".join(commands))
            await asyncio.sleep(0.001)
        await writer.drain()
        finished = True
        if acknowledged < sent:
            await asyncio.wait_for(all_acknowledged.wait(), 10)
    finally:
        replies.cancel()
        writer.close()
    return sent


async def with_rss_samples(
    server: psutil.Process, every: float, samples: list[int], work: Awaitable[T]
) -> T:
    """Await ``work`` while appending the server's RSS to ``samples`` every ``every`` s."""

    async def sample() -> None:
        while True:
            samples.append(server.memory_info().rss)
            await asyncio.sleep(every)

    sampler = asyncio.create_task(sample())
    try:
        return await work
    finally:
        sampler.cancel()


def percentile(histogram: np.ndarray, q: float) -> float | None:
    total = int(histogram.sum())
    if total == 0:
        return None
    index = int(np.searchsorted(np.cumsum(histogram), q * total, side="left"))
    return (index + 1) * BUCKET_SECONDS * 1000


def milliseconds(histogram: np.ndarray, q: float) -> float | None:
    value = percentile(histogram, q)
    return None if value is None else round(value, 2)


def run_async(coroutine: Any) -> Any:
    """``asyncio.run`` on uvloop when installed (the publisher shares the cores)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def run_once(
    impl: str,
    scenario: dict[str, Any],
    redis_url: str,
    workdir: str,
    client_processes: int = 2,
    clients_impl: str = "python",
    protocol: str = "frame",
) -> dict[str, Any]:
    load_at_start = os.getloadavg()
    process, port = start_server(impl, redis_url, workdir)
    server = psutil.Process(process.pid)
    url = f"http://127.0.0.1:{port}"
    fleet: ClientFleet | NodeClientFleet
    if clients_impl == "node":
        fleet = NodeClientFleet(
            url, scenario["clients"], client_processes, ready_within=120, protocol=protocol
        )
    else:
        fleet = ClientFleet(url, scenario["clients"], client_processes, ready_within=120)
    try:
        asyncio.run(wait_ready(port, redis_url))
        fleet.start()
        rss_samples: list[int] = []

        async def measure() -> int:
            if scenario["rate"]:
                work = publish(redis_url, scenario["rate"], scenario["duration"])
            else:
                work = asyncio.sleep(scenario["duration"], result=0)
            return await with_rss_samples(server, 0.25, rss_samples, work)

        cpu_before = server.cpu_times()
        own_before = psutil.Process().cpu_times()
        psutil.cpu_percent(interval=None)
        started = time.monotonic()
        published = run_async(measure())
        cpu_after = server.cpu_times()
        own_after = psutil.Process().cpu_times()
        machine_busy = psutil.cpu_percent(interval=None) * (os.cpu_count() or 1)
        measured = time.monotonic() - started
        time.sleep(2.0)  # let the tail drain
        elapsed = time.monotonic() - started
        loop_path = Path(workdir) / f"{impl}-{port}.loop"
        loop_name = loop_path.read_text() if loop_path.exists() else "unknown"
        results = fleet.collect()
    finally:
        process.terminate()
        process.wait(10)
        fleet.close()
    histogram = np.sum([np.asarray(r["histogram"], dtype=np.int64) for r in results], axis=0)
    cpu_seconds = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    frames = sum(r["frames"] for r in results)
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
        "frames_per_client_per_s": round(frames / scenario["clients"] / scenario["duration"], 1)
        if published
        else 0.0,
        "out_of_order": sum(r["out_of_order"] for r in results),
        "seq_holes": sum(r["seq_holes"] for r in results),
        "resync_snapshots": (
            sum(r["snapshots"] for r in results) - scenario["clients"] if impl == "ours" else None
        ),
        "connected_at_end": sum(r["connected"] for r in results),
        "p50_ms": milliseconds(histogram, 0.50),
        "p99_ms": milliseconds(histogram, 0.99),
        "max_ms": milliseconds(histogram, 1.0),
        "server_rss_mb_max": round(max(rss_samples, default=0) / 2**20, 1),
        "server_rss_mb_end": round((rss_samples[-1] if rss_samples else 0) / 2**20, 1),
        "server_cpu_percent": round(100 * cpu_seconds / measured, 1),
        "server_cpu_us_per_delivered_event": round(1e6 * cpu_seconds / delivered, 2)
        if delivered
        else None,
        "server_cpu_system_percent": round(
            100 * (cpu_after.system - cpu_before.system) / measured, 1
        ),
        "machine_cpu_percent": round(machine_busy, 1),
        "publisher_cpu_percent": round(
            100
            * (own_after.user + own_after.system - own_before.user - own_before.system)
            / measured,
            1,
        ),
        "clients_cpu_percent": round(100 * sum(r["cpu_seconds"] for r in results) / elapsed, 1),
        "server_loop": loop_name,
        "client_processes": fleet.processes,
        "clients_impl": clients_impl,
        "protocol": protocol if impl == "ours" else None,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "wall_s": round(elapsed, 1),
    }


def show(result: dict[str, Any]) -> None:
    print(
        f"  {result['impl']:5}  p50 {result['p50_ms']!s:>8} ms  p99 {result['p99_ms']!s:>8} ms  "
        f"max {result['max_ms']!s:>8} ms  delivered {result['delivered_per_s']:>9}/s  "
        f"frames/client/s {result['frames_per_client_per_s']}  loss {result['loss']}  "
        f"out-of-order {result['out_of_order']}  holes {result['seq_holes']}  "
        f"RSS {result['server_rss_mb_max']} MB  CPU {result['server_cpu_percent']}%  "
        f"({result['server_cpu_us_per_delivered_event']} µs/delivered event)  "
        f"(sys {result['server_cpu_system_percent']}%)  clients CPU {result['clients_cpu_percent']}%  "
        f"publisher {result['publisher_cpu_percent']}%  machine {result['machine_cpu_percent']}%/{100 * (os.cpu_count() or 1)}  "
        f"load {result['load_average_at_start'][0]}",
        flush=True,
    )


def passes(result: dict[str, Any]) -> bool:
    """p99 within the sweep bound, nothing lost, nothing reordered."""
    return (
        result["p99_ms"] is not None
        and result["p99_ms"] <= SWEEP_P99_MS
        and result["loss"] == 0
        and result["out_of_order"] == 0
        and result["seq_holes"] == 0
    )


def median(values: Any) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Best (lowest p99) and median of each figure over the repeats of one scenario."""
    best = min(runs, key=lambda r: (r["loss"], r["p99_ms"]))
    keys = (
        "p50_ms",
        "p99_ms",
        "max_ms",
        "delivered_per_s",
        "frames_per_client_per_s",
        "loss",
        "server_rss_mb_max",
        "server_cpu_percent",
        "server_cpu_us_per_delivered_event",
    )
    return {
        "impl": runs[0]["impl"],
        "scenario": runs[0]["scenario"],
        "runs": len(runs),
        "best": {k: best[k] for k in keys},
        "median": {k: median(r[k] for r in runs) for k in keys},
        "out_of_order_total": sum(r["out_of_order"] for r in runs),
        "seq_holes_total": sum(r["seq_holes"] for r in runs),
        "server_loop": runs[0]["server_loop"],
    }


def sweep(
    impl: str, redis_url: str, workdir: str, processes: int, **options: Any
) -> dict[str, Any]:
    """Rates to 100 clients, lowest first, until two in a row fail; the highest that passed."""
    points = []
    highest = 0.0
    failures = 0
    for rate in SWEEP_RATES[impl]:
        if failures >= 2:
            break
        scenario = {
            "name": f"sweep {rate}ev/s x {SWEEP_CLIENTS} clients",
            "rate": rate,
            "clients": SWEEP_CLIENTS,
            "duration": SWEEP_DURATION,
        }
        result = run_once(impl, scenario, redis_url, workdir, processes, **options)
        show(result)
        points.append(result)
        if passes(result):
            highest = rate
            failures = 0
        else:
            failures += 1
    return {"impl": impl, "highest_rate_passing": highest, "points": points}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, help="events/s of a single custom scenario")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (keep ≤ 20)")
    parser.add_argument(
        "--impl",
        default="both",
        help="servers, comma-separated: ours, naive, node (both = ours,naive)",
    )
    parser.add_argument("--clients-impl", choices=("python", "node"), default="python")
    parser.add_argument(
        "--protocol", choices=("frame", "plan"), default="frame", help="our clients' protocol"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each scenario")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--sweep", action="store_true", help="also sweep rates at 100 clients")
    parser.add_argument("--no-scenarios", action="store_true", help="only the sweep")
    parser.add_argument("--redis-url", help="use this Redis instead of starting one")
    parser.add_argument("--json", dest="json_file", help="write all figures to this file")
    args = parser.parse_args(argv)
    scenarios = [] if args.no_scenarios else SCENARIOS
    if args.rate is not None:
        name = f"{args.rate:g}ev/s x {args.clients} clients"
        scenarios = [
            {"name": name, "rate": args.rate, "clients": args.clients, "duration": args.duration}
        ]
    impls = ("ours", "naive") if args.impl == "both" else tuple(args.impl.split(","))
    if unknown := [impl for impl in impls if impl not in IMPLS]:
        parser.error(f"unknown --impl {', '.join(unknown)}; choose from {', '.join(IMPLS)}")
    if args.protocol == "plan" and args.clients_impl != "node":
        parser.error("--protocol plan needs --clients-impl node")
    options = {"clients_impl": args.clients_impl, "protocol": args.protocol}
    redis = None if args.redis_url else RedisServer()
    if redis is not None:
        redis.start()
    redis_url = args.redis_url or redis.url
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "min_frame_interval_ms": os.environ.get("TICKSTOCK_MIN_FRAME_INTERVAL_MS", "default"),
            "max_frame_interval_ms": os.environ.get("TICKSTOCK_MAX_FRAME_INTERVAL_MS", "default"),
            "frame_budget": os.environ.get("TICKSTOCK_FRAME_BUDGET", "default"),
            "ws_compression": os.environ.get("TICKSTOCK_WS_COMPRESSION", "default"),
            "clients_impl": args.clients_impl,
        },
        "runs": [],
        "summary": [],
        "sweep": [],
    }
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for scenario in scenarios:
                print(f"{scenario['name']} for {scenario['duration']:g} s", flush=True)
                for impl in impls:
                    if impl == "naive" and not scenario["rate"]:
                        continue
                    runs = []
                    for _ in range(args.repeat):
                        result = run_once(
                            impl, scenario, redis_url, workdir, args.client_processes, **options
                        )
                        runs.append(result)
                        show(result)
                    report["runs"] += runs
                    report["summary"].append(summarise(runs))
            if args.sweep:
                for impl in impls:
                    print(f"sweep {impl}: p99 <= {SWEEP_P99_MS:g} ms, no loss", flush=True)
                    found = sweep(impl, redis_url, workdir, args.client_processes, **options)
                    report["sweep"].append(found)
                    print(f"  {impl}: highest passing rate {found['highest_rate_passing']:g} ev/s")
                rates = {s["impl"]: s["highest_rate_passing"] for s in report["sweep"]}
                if rates.get("naive"):
                    report["ours_to_naive_rate_at_equal_p99"] = round(
                        rates.get("ours", 0) / rates["naive"], 1
                    )
    finally:
        if redis is not None:
            redis.close()
    if args.json_file:
        Path(args.json_file).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_file).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        os.environ.setdefault("TICKSTOCK_LOG_LEVEL", "WARNING")
        serve(*sys.argv[2:7])
    else:
        sys.exit(main())
