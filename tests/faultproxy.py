"""A TCP proxy on loopback that injects network faults between a client and a server.

Put it between a browser/Socket.IO client and the app, or between the app and Redis, and
change the network while traffic flows:

``set_latency(upstream_ms=0, downstream_ms=0)``
    Delay every chunk by this much, per direction (upstream: client → server).
``set_bandwidth(bytes_per_second)``
    Throttle each direction of each connection (``None``: unlimited).
``set_loss(fraction, stall_ms=200)``
    TCP never loses bytes: a lost segment is retransmitted after about one RTO. So a
    "lost" chunk (chosen by the seeded RNG with probability ``fraction``) is delivered
    ``stall_ms`` late, and everything behind it on that connection waits too.
``partition(seconds)``
    Nothing moves in either direction for a while, then everything held is delivered
    (a network that heals before TCP gives up).
``refuse_new(seconds)``
    New connections are reset at once for a while; established ones carry on.
``drop_connections()``
    Reset every open connection now.
``reset()``
    Back to a perfect network (connections stay).

Two ways to run it, both on its own TCP port (``.port``, ``.address``):

    async with FaultProxy("127.0.0.1", app_port, seed=1) as proxy: ...     # in the test's loop
    with ThreadedFaultProxy("127.0.0.1", redis_port) as proxy: ...        # own thread and loop

The threaded form lets a synchronous test (or one whose loop is busy) steer the network;
its control methods are thread-safe. ``.stats`` counts connections, bytes and stalls.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import random
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

CHUNK = 64 * 1024
UPSTREAM = "upstream"
DOWNSTREAM = "downstream"

__all__ = ["FaultProxy", "ProxyStats", "ThreadedFaultProxy"]


@dataclass
class ProxyStats:
    """What the proxy did so far."""

    accepted: int = 0
    refused: int = 0
    dropped: int = 0
    open: int = 0
    bytes_upstream: int = 0
    bytes_downstream: int = 0
    chunks: int = 0
    stalls: int = 0


@dataclass
class _Conditions:
    latency: dict[str, float]
    bandwidth: float | None = None
    loss: float = 0.0
    stall: float = 0.2
    partition_until: float = 0.0
    refuse_until: float = 0.0


def _perfect() -> _Conditions:
    return _Conditions(latency={UPSTREAM: 0.0, DOWNSTREAM: 0.0})


def _reset_socket(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), as a broken network would, not with a polite FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """The proxy on the running event loop; see the module docstring."""

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
        seed: int = 0,
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listen = (listen_host, listen_port)
        self.stats = ProxyStats()
        self._random = random.Random(seed)
        self._conditions = _perfect()
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the proxy is not started")
        return self._server.sockets[0].getsockname()[1]

    @property
    def address(self) -> tuple[str, int]:
        return self.listen[0], self.port

    async def start(self) -> Self:
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._accept, *self.listen)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self._drop_all()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- controls ----------------------------------------------------------------------

    def set_latency(self, upstream_ms: float = 0.0, downstream_ms: float = 0.0) -> None:
        self._conditions.latency = {UPSTREAM: upstream_ms / 1000, DOWNSTREAM: downstream_ms / 1000}

    def set_bandwidth(self, bytes_per_second: float | None) -> None:
        if bytes_per_second is not None and bytes_per_second <= 0:
            raise ValueError("bandwidth must be positive (None: unlimited)")
        self._conditions.bandwidth = bytes_per_second

    def set_loss(self, fraction: float, stall_ms: float = 200.0) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("loss fraction must be within [0, 1]")
        self._conditions.loss = fraction
        self._conditions.stall = stall_ms / 1000

    def partition(self, seconds: float) -> None:
        self._conditions.partition_until = self._now() + seconds

    def refuse_new(self, seconds: float) -> None:
        self._conditions.refuse_until = self._now() + seconds

    def drop_connections(self) -> None:
        self._drop_all()

    def reset(self) -> None:
        self._conditions = _perfect()

    # --- plumbing ----------------------------------------------------------------------

    def _now(self) -> float:
        return (self._loop or asyncio.get_running_loop()).time()

    def _drop_all(self) -> None:
        for client, server in list(self._pairs):
            _reset_socket(client)
            _reset_socket(server)
            self.stats.dropped += 1
        self._pairs.clear()

    def _spawn(self, coroutine: Any) -> asyncio.Task[None]:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._now() < self._conditions.refuse_until:
            self.stats.refused += 1
            _reset_socket(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            self.stats.refused += 1
            _reset_socket(writer)
            return
        self.stats.accepted += 1
        self.stats.open += 1
        pair = (writer, up_writer)
        self._pairs.add(pair)
        pumps = [
            self._spawn(self._pump(reader, up_writer, UPSTREAM)),
            self._spawn(self._pump(up_reader, writer, DOWNSTREAM)),
        ]
        try:
            await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            self.stats.open -= 1
            if pair in self._pairs:
                self._pairs.discard(pair)
                for w in pair:
                    w.close()

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, direction: str
    ) -> None:
        """Read chunks, stamp each with its due time, and deliver them in order."""
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        deliver = self._spawn(self._deliver(queue, writer, direction))
        try:
            while data := await reader.read(CHUNK):
                due = self._now() + self._conditions.latency[direction]
                self.stats.chunks += 1
                if self._conditions.loss and self._random.random() < self._conditions.loss:
                    self.stats.stalls += 1
                    due += self._conditions.stall
                queue.put_nowait((due, data))
        except (ConnectionError, OSError):
            pass
        finally:
            queue.put_nowait(None)
            await asyncio.gather(deliver, return_exceptions=True)

    async def _deliver(
        self,
        queue: asyncio.Queue[tuple[float, bytes] | None],
        writer: asyncio.StreamWriter,
        direction: str,
    ) -> None:
        free_at = 0.0  # when the throttled link can take the next byte
        try:
            while (item := await queue.get()) is not None:
                due, data = item
                await self._wait_until(due)
                await self._wait_partition()
                for piece in self._pieces(data):
                    bandwidth = self._conditions.bandwidth
                    if bandwidth:
                        free_at = max(free_at, self._now())
                        await self._wait_until(free_at)
                        free_at += len(piece) / bandwidth
                    writer.write(piece)
                    await writer.drain()
                    if direction == UPSTREAM:
                        self.stats.bytes_upstream += len(piece)
                    else:
                        self.stats.bytes_downstream += len(piece)
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError, RuntimeError):
            pass  # the other side is gone, or the connection was dropped on purpose

    def _pieces(self, data: bytes) -> list[bytes]:
        """Throttled data leaves in pieces of ~1/50 s, so the rate is smooth, not bursty."""
        bandwidth = self._conditions.bandwidth
        if not bandwidth:
            return [data]
        size = max(1, int(bandwidth / 50))
        return [data[i : i + size] for i in range(0, len(data), size)]

    async def _wait_until(self, moment: float) -> None:
        delay = moment - self._now()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _wait_partition(self) -> None:
        # A poll, not an Event: a later partition() may extend the deadline while we wait.
        while (left := self._conditions.partition_until - self._now()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(left, 0.05))


class ThreadedFaultProxy:
    """A ``FaultProxy`` on its own event loop in a daemon thread; controls are thread-safe."""

    def __init__(self, upstream_host: str, upstream_port: int, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fault-proxy", daemon=True
        )
        self.proxy = FaultProxy(upstream_host, upstream_port, **options)

    def _call(self, function: Callable[[], Any]) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(function())
            except BaseException as exc:  # handed back to the calling thread
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future.result(10)

    def start(self) -> Self:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self.proxy.port

    @property
    def address(self) -> tuple[str, int]:
        return self.proxy.address

    @property
    def stats(self) -> ProxyStats:
        return self.proxy.stats

    def set_latency(self, upstream_ms: float = 0.0, downstream_ms: float = 0.0) -> None:
        self._call(lambda: self.proxy.set_latency(upstream_ms, downstream_ms))

    def set_bandwidth(self, bytes_per_second: float | None) -> None:
        self._call(lambda: self.proxy.set_bandwidth(bytes_per_second))

    def set_loss(self, fraction: float, stall_ms: float = 200.0) -> None:
        self._call(lambda: self.proxy.set_loss(fraction, stall_ms))

    def partition(self, seconds: float) -> None:
        self._call(lambda: self.proxy.partition(seconds))

    def refuse_new(self, seconds: float) -> None:
        self._call(lambda: self.proxy.refuse_new(seconds))

    def drop_connections(self) -> None:
        self._call(self.proxy.drop_connections)

    def reset(self) -> None:
        self._call(self.proxy.reset)
