"""Benchmark clients: real python-socketio clients, several per process.

``run_clients(url, count, conn)`` runs in a child process: it connects ``count`` clients
(WebSocket transport), says ``ready`` on the pipe, counts every pattern it receives until
told ``stop``, then sends back its totals and a latency histogram. The publish time of a
detection travels in ``bar_data.volume`` (microseconds since the Unix epoch), a field the
contract keeps exactly; its order in the symbol (``B<n>``).

Both servers are understood: ours sends ``frame`` (coalesced entries with ``seq``), the
naive baseline one ``streaming_pattern`` event per detection.
"""

from __future__ import annotations

import asyncio
import time
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import orjson
import socketio

#: Latency histogram: 0.1 ms buckets up to 10 s (the last bucket holds everything above).
BUCKET_SECONDS = 1e-4
BUCKETS = 100_000


class OrjsonModule:
    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        return orjson.loads(data)


class Tally:
    """One client's counts: received, out of order (by publish counter), seq holes."""

    def __init__(self, histogram: np.ndarray) -> None:
        self.histogram = histogram
        self.received = 0
        self.out_of_order = 0
        self.seq_holes = 0
        self.last_counter = -1
        self.last_seq: int | None = None
        self.snapshots = 0

    def pattern(self, data: dict[str, Any], now: float) -> None:
        detection = data["detection"]
        latency = now - detection["bar_data"]["volume"] / 1e6
        self.histogram[min(max(int(latency / BUCKET_SECONDS), 0), BUCKETS - 1)] += 1
        counter = int(detection["symbol"][1:])
        if counter <= self.last_counter:
            self.out_of_order += 1
        self.last_counter = counter
        self.received += 1

    def frame(self, frame: dict[str, Any]) -> None:
        now = time.time()
        for entry in frame["events"]:
            seq = entry["seq"]
            if self.last_seq is not None and seq != self.last_seq + 1:
                self.seq_holes += 1
            self.last_seq = seq
            if entry["event"] == "streaming_pattern":
                self.pattern(entry["data"], now)

    def snapshot(self, snapshot: dict[str, Any]) -> None:
        self.snapshots += 1
        self.last_seq = snapshot["seq"]


def make_client(tally: Tally) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False, json=OrjsonModule)

    async def on_frame(data: dict[str, Any]) -> None:
        tally.frame(data)

    async def on_pattern(data: dict[str, Any]) -> None:
        tally.pattern(data, time.time())

    async def on_snapshot(data: dict[str, Any]) -> None:
        tally.snapshot(data)

    client.on("frame", on_frame)
    client.on("streaming_pattern", on_pattern)
    client.on("snapshot", on_snapshot)
    return client


async def _main(url: str, count: int, conn: Connection) -> None:
    histogram = np.zeros(BUCKETS, dtype=np.int64)
    tallies = [Tally(histogram) for _ in range(count)]
    clients = [make_client(t) for t in tallies]
    for client in clients:
        await client.connect(url, transports=["websocket"], wait_timeout=10)
    conn.send("ready")
    loop = asyncio.get_running_loop()
    while not await loop.run_in_executor(None, conn.poll, 0.2):
        pass
    conn.recv()
    conn.send(
        {
            "received": [t.received for t in tallies],
            "out_of_order": sum(t.out_of_order for t in tallies),
            "seq_holes": sum(t.seq_holes for t in tallies),
            "snapshots": sum(t.snapshots for t in tallies),
            "connected": sum(1 for c in clients if c.connected),
            "histogram": histogram,
        }
    )
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def run_clients(url: str, count: int, conn: Connection) -> None:
    """Child-process entry point."""
    asyncio.run(_main(url, count, conn))
