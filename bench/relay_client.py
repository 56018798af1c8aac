"""Benchmark clients: real python-socketio clients, several per process.

``run_clients(url, count, conn)`` runs in a child process: it connects ``count`` clients
(WebSocket transport only, orjson for packets), says ``ready`` on the pipe, tallies every
pattern it receives until told ``stop``, then sends back its totals and a latency
histogram. The publish time of a detection travels in ``bar_data.volume`` (microseconds
since the Unix epoch: the contract keeps that integer exactly, while it cuts
``timestamp`` to milliseconds); its publish order in the symbol (``B<n>``).

Cheap on purpose, so that the clients measure the server rather than themselves: one
``time.time()`` per frame, a plain list as histogram, no task per event.

Both servers are understood: ours sends ``frame`` (coalesced entries with ``seq``), the
naive baseline one ``streaming_pattern`` event per detection.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing as mp
import select
import subprocess
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import orjson
import socketio

#: Latency histogram: 0.1 ms buckets up to 10 s (the last bucket holds everything above).
BUCKET_SECONDS = 1e-4
BUCKETS = 100_000
MICROSECONDS_TO_BUCKET = 1e-6 / BUCKET_SECONDS


class OrjsonModule:
    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        return orjson.loads(data)


class Tally:
    """One client's counts: received, frames, out of order (by publish counter), seq holes."""

    def __init__(self, histogram: list[int]) -> None:
        self.histogram = histogram
        self.received = 0
        self.frames = 0
        self.out_of_order = 0
        self.seq_holes = 0
        self.last_counter = -1
        self.last_seq: int | None = None
        self.snapshots = 0

    def pattern(self, data: dict[str, Any], now: float) -> None:
        """One detection received at ``now`` (Unix seconds)."""
        detection = data["detection"]
        bucket = int((now * 1e6 - detection["bar_data"]["volume"]) * MICROSECONDS_TO_BUCKET)
        self.histogram[bucket if 0 <= bucket < BUCKETS else (0 if bucket < 0 else BUCKETS - 1)] += 1
        counter = int(detection["symbol"][1:])
        if counter <= self.last_counter:
            self.out_of_order += 1
        self.last_counter = counter
        self.received += 1

    def frame(self, frame: dict[str, Any]) -> None:
        """One coalesced frame: the per-event work is inlined, it is most of a client's CPU."""
        now_us = time.time() * 1e6
        self.frames += 1
        events = frame["events"]
        histogram = self.histogram
        last_seq = events[0]["seq"] - 1 if self.last_seq is None else self.last_seq
        last_counter = self.last_counter
        holes = out_of_order = received = 0
        for entry in events:
            seq = entry["seq"]
            if seq != last_seq + 1:
                holes += 1
            last_seq = seq
            if entry["event"] != "streaming_pattern":
                continue
            detection = entry["data"]["detection"]
            bucket = int((now_us - detection["bar_data"]["volume"]) * MICROSECONDS_TO_BUCKET)
            histogram[bucket if 0 <= bucket < BUCKETS else (0 if bucket < 0 else BUCKETS - 1)] += 1
            counter = int(detection["symbol"][1:])
            if counter <= last_counter:
                out_of_order += 1
            last_counter = counter
            received += 1
        self.last_seq = last_seq
        self.last_counter = last_counter
        self.seq_holes += holes
        self.out_of_order += out_of_order
        self.received += received

    def single(self, data: dict[str, Any]) -> None:
        self.frames += 1
        self.pattern(data, time.time())

    def snapshot(self, snapshot: dict[str, Any]) -> None:
        self.snapshots += 1
        self.last_seq = snapshot["seq"]


def make_client(tally: Tally) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False, json=OrjsonModule)

    async def on_frame(data: dict[str, Any]) -> None:
        tally.frame(data)

    async def on_pattern(data: dict[str, Any]) -> None:
        tally.single(data)

    async def on_snapshot(data: dict[str, Any]) -> None:
        tally.snapshot(data)

    client.on("frame", on_frame)
    client.on("streaming_pattern", on_pattern)
    client.on("snapshot", on_snapshot)
    return client


async def _main(url: str, count: int, conn: Connection) -> None:
    histogram = [0] * BUCKETS
    tallies = [Tally(histogram) for _ in range(count)]
    clients = [make_client(t) for t in tallies]
    for batch in range(0, count, 25):
        await asyncio.gather(
            *(
                c.connect(url, transports=["websocket"], wait_timeout=20)
                for c in clients[batch : batch + 25]
            )
        )
    gc.freeze()  # the clients' long-lived objects: keep them out of every collection
    conn.send("ready")
    cpu_at_ready = time.process_time()
    loop = asyncio.get_running_loop()
    while not await loop.run_in_executor(None, conn.poll, 0.2):
        pass
    conn.recv()
    conn.send(
        {
            "cpu_seconds": time.process_time() - cpu_at_ready,
            "received": [t.received for t in tallies],
            "frames": sum(t.frames for t in tallies),
            "out_of_order": sum(t.out_of_order for t in tallies),
            "seq_holes": sum(t.seq_holes for t in tallies),
            "snapshots": sum(t.snapshots for t in tallies),
            "connected": sum(1 for c in clients if c.connected),
            "histogram": histogram,
        }
    )
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def run_clients(url: str, count: int, conn: Connection) -> None:
    """Child-process entry point (on uvloop when installed, like the server)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(_main(url, count, conn))
    else:
        uvloop.run(_main(url, count, conn))


class ClientFleet:
    """``count`` clients spread over ``processes`` child processes, as a context manager.

    Entering starts the processes and waits until every client is connected (or raises,
    leaving no process behind); ``collect()`` stops the clients and returns each process's
    totals; leaving joins the processes, terminating any that linger.
    """

    def __init__(self, url: str, count: int, processes: int, ready_within: float = 180.0) -> None:
        self.url = url
        self.count = count
        self.processes = max(1, min(processes, count))
        self.ready_within = ready_within
        self._pipes: list[Connection] = []
        self._workers: list[mp.Process] = []

    def __enter__(self) -> ClientFleet:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the processes; return once every client is connected."""
        try:
            for index in range(self.processes):
                share = self.count // self.processes + (index < self.count % self.processes)
                parent, child = mp.Pipe()
                worker = mp.Process(target=run_clients, args=(self.url, share, child))
                worker.start()
                self._pipes.append(parent)
                self._workers.append(worker)
            for pipe in self._pipes:
                if not pipe.poll(self.ready_within) or pipe.recv() != "ready":
                    raise RuntimeError(f"a client process did not connect in {self.ready_within} s")
        except BaseException:
            self.close()
            raise

    def collect(self) -> list[dict[str, Any]]:
        """Stop the clients; each process's totals (counts and latency histogram)."""
        for pipe in self._pipes:
            pipe.send("stop")
        return [pipe.recv() for pipe in self._pipes]

    def close(self) -> None:
        """Join the processes (after ``collect``, they exit by themselves)."""
        for worker in self._workers:
            worker.join(10)
            if worker.is_alive():
                worker.terminate()
                worker.join(5)


class NodeClientFleet:
    """``ClientFleet`` with the clients in Node (``bench/relay_clients.mjs``): the same
    interface and totals, socket.io-client instead of python-socketio, so that the load
    generator costs far less than the server it measures."""

    SCRIPT = Path(__file__).resolve().parent / "relay_clients.mjs"

    def __init__(
        self,
        url: str,
        count: int,
        processes: int,
        ready_within: float = 180.0,
        protocol: str = "frame",
    ) -> None:
        self.url = url
        self.count = count
        self.processes = max(1, min(processes, count))
        self.ready_within = ready_within
        self.protocol = protocol
        self._workers: list[subprocess.Popen[str]] = []

    def __enter__(self) -> NodeClientFleet:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the Node processes; return once every client is connected."""
        try:
            for index in range(self.processes):
                share = self.count // self.processes + (index < self.count % self.processes)
                command = ["node", str(self.SCRIPT), self.url, str(share), self.protocol]
                self._workers.append(
                    subprocess.Popen(
                        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                    )
                )
            deadline = time.monotonic() + self.ready_within
            for worker in self._workers:
                assert worker.stdout is not None
                ready, _, _ = select.select(
                    [worker.stdout], [], [], max(0, deadline - time.monotonic())
                )
                if not ready or worker.stdout.readline().strip() != "ready":
                    raise RuntimeError(
                        f"a Node client process did not connect in {self.ready_within} s"
                    )
        except BaseException:
            self.close()
            raise

    def collect(self) -> list[dict[str, Any]]:
        """Stop the clients; each process's totals, with the histogram made dense."""
        for worker in self._workers:
            assert worker.stdin is not None
            worker.stdin.write("stop\n")
            worker.stdin.flush()
        results = []
        for worker in self._workers:
            assert worker.stdout is not None
            totals = json.loads(worker.stdout.readline())
            histogram = [0] * BUCKETS
            for bucket, count in totals["histogram"].items():
                histogram[int(bucket)] = count
            totals["histogram"] = histogram
            results.append(totals)
        return results

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.terminate()
                worker.wait(5)
