"""``FanOut``: relayed events to every Socket.IO client, coalesced, in order, bounded.

Every event gets a sequence number and is encoded to JSON once into the ``RecoveryRing``.
Each client has a cursor (the last ``seq`` it was given). One loop, woken by new events
and by client transports draining, sends each client whose transport queue is empty one
``frame`` with everything after its cursor (≤ ``max_frame_events``). Clients at the same
cursor share one encoded packet. While a frame is in flight to a client, new events simply
accumulate behind its cursor: light traffic goes out at once, bursts coalesce. A client
whose cursor falls out of the ring gets a ``slow_client`` snapshot once it drains, so a
stalled client costs at most one frame of memory and never delays the others.

Packets are put straight on the engine.io socket queue (the same queue ``emit`` uses), so
a frame is encoded once however many clients receive it and no task is created per send.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from engineio import packet as eio_packet

from tickstock.app.ring import HeldEvent, RecoveryRing

log = logging.getLogger(__name__)

NAMESPACE = "/"

#: Builds a snapshot payload: (reason, seq, backfill) -> dict.
SnapshotBuilder = Callable[[str, int, dict[str, Any] | None], dict[str, Any]]


@dataclass(slots=True)
class Opening:
    """What a newly connected client gets first: a snapshot (with ``reason``) or a resume."""

    reason: str | None = "connect"
    backfill: dict[str, Any] | None = None
    resume_from: int | None = None


@dataclass(slots=True)
class Client:
    sid: str
    eio_sid: str
    cursor: int = 0
    opening: Opening | None = None
    resync: bool = False


class DrainNotifyingQueue(asyncio.Queue):  # type: ignore[type-arg]
    """An engine.io transport queue that calls ``on_drained`` when its writer empties it."""

    def __init__(self, on_drained: Callable[[], None]) -> None:
        super().__init__()
        self._on_drained = on_drained

    def get_nowait(self) -> Any:
        item = super().get_nowait()
        if self.empty():
            self._on_drained()
        return item


class FanOut:
    """Sequence numbers, the recovery ring, per-client cursors and the send loop."""

    def __init__(
        self,
        sio: Any,
        *,
        epoch: str,
        ring: RecoveryRing,
        build_snapshot: SnapshotBuilder,
        max_frame_events: int = 2000,
        queue_limit: int = 64,
        metrics: Any = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.sio = sio
        self.epoch = epoch
        self.ring = ring
        self.build_snapshot = build_snapshot
        self.max_frame_events = max_frame_events
        self.queue_limit = queue_limit
        self.metrics = metrics
        self.clock = clock
        self.wall_clock = wall_clock
        self.clients: dict[str, Client] = {}
        self._wake = asyncio.Event()
        self._frame_prefix = '2["frame",{"epoch":' + orjson.dumps(epoch).decode() + ',"events":['
        self._retry: asyncio.TimerHandle | None = None
        #: highest seq already sent to some client: the relay latency is measured once per event
        self._sent_upto = ring.last_seq
        sio.eio.create_queue = lambda *args, **kwargs: DrainNotifyingQueue(self.wake)

    # --- producing ----------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self.ring.last_seq

    def publish(
        self,
        event: str,
        data: dict[str, Any],
        *,
        received: float | None = None,
        backfilled: bool = False,
    ) -> int:
        """Number, encode and hold one event, then wake the send loop; returns its seq."""
        seq = self.ring.last_seq + 1
        entry: dict[str, Any] = {
            "seq": seq,
            "event": event,
            "at": round(self.wall_clock() * 1000, 1),
            "data": data,
        }
        if backfilled:
            entry["backfilled"] = True
        encoded = orjson.dumps(entry).decode()
        self.ring.append(seq, self.clock() if received is None else received, encoded)
        if self.metrics is not None:
            self.metrics.events_out.labels(event=event).inc()
        self._wake.set()
        return seq

    def wake(self) -> None:
        self._wake.set()

    # --- clients ------------------------------------------------------------------------

    def attach(self, sid: str, opening: Opening) -> None:
        """Register a client being connected; it is served once Socket.IO marks it connected."""
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        self.clients[sid] = Client(sid, eio_sid, cursor=self.ring.last_seq, opening=opening)
        if self.metrics is not None:
            self.metrics.clients.set(len(self.clients))
        self._schedule_retry()

    def detach(self, sid: str) -> None:
        self.clients.pop(sid, None)
        if self.metrics is not None:
            self.metrics.clients.set(len(self.clients))

    def send_event(self, client: Client, event: str, data: Any) -> bool:
        """Queue one Socket.IO event for ``client`` directly (snapshot, resumed)."""
        socket = self._socket(client)
        if socket is None:
            return False
        text = "2" + orjson.dumps([event, data]).decode()
        socket.queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, text))
        return True

    # --- the loop -----------------------------------------------------------------------

    async def run(self) -> None:
        """Serve clients whenever something changes, until cancelled."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                self.serve()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("fan-out round failed; continuing")

    def serve(self) -> None:
        """One round: openings, resyncs, then one frame per ready cursor group."""
        now = self.clock()
        ring = self.ring
        ring.expire(now)
        last = ring.last_seq
        groups: dict[int, list[tuple[Client, Any]]] = {}
        waiting_to_connect = False
        for client in list(self.clients.values()):
            if client.opening is not None:
                if not self.sio.manager.is_connected(client.sid, NAMESPACE):
                    waiting_to_connect = True
                    continue
                self._open(client)
            if client.cursor >= last and not client.resync:
                continue
            socket = self._socket(client)
            if socket is None:
                continue
            queued = socket.queue.qsize()
            if client.resync or not ring.holds_after(client.cursor):
                self._resync(client, queued)
                continue
            if queued:
                if queued > self.queue_limit and self.metrics is not None:
                    self.metrics.queue_drops.inc()
                continue
            groups.setdefault(client.cursor, []).append((client, socket))
        for cursor, members in groups.items():
            self._send_frame(cursor, members, now)
        if waiting_to_connect:
            self._schedule_retry()

    def _open(self, client: Client) -> None:
        opening = client.opening
        client.opening = None
        assert opening is not None
        if opening.resume_from is not None and self.ring.holds_after(opening.resume_from):
            client.cursor = opening.resume_from
            last = self.ring.last_seq
            count = last - opening.resume_from
            resumed = {"from_seq": opening.resume_from + 1, "to_seq": last, "count": count}
            self.send_event(client, "resumed", resumed)
            return
        reason = opening.reason or "resume_too_old"
        self._send_snapshot(client, reason, opening.backfill)

    def _resync(self, client: Client, queued: int) -> None:
        if not client.resync:
            client.resync = True
            if self.metrics is not None:
                self.metrics.client_resyncs.inc()
            log.info("client %s fell behind the replay buffer; it will get a snapshot", client.sid)
        if queued == 0:
            client.resync = False
            self._send_snapshot(client, "slow_client", None)

    def _send_snapshot(self, client: Client, reason: str, backfill: dict[str, Any] | None) -> None:
        seq = self.ring.last_seq
        if self.send_event(client, "snapshot", self.build_snapshot(reason, seq, backfill)):
            client.cursor = seq

    def _send_frame(self, cursor: int, members: list[tuple[Client, Any]], now: float) -> None:
        events: list[HeldEvent] = self.ring.since(cursor, self.max_frame_events)
        if not events:
            return
        text = self._frame_prefix + ",".join(e.encoded for e in events) + "]}]"
        pkt = eio_packet.Packet(eio_packet.MESSAGE, text)
        new_cursor = events[-1].seq
        for client, socket in members:
            socket.queue.put_nowait(pkt)
            client.cursor = new_cursor
        if self.metrics is not None:
            self.metrics.frames.inc(len(members))
            if new_cursor > self._sent_upto:
                first_new = events[max(0, self._sent_upto - events[0].seq + 1)]
                self.metrics.relay_latency.observe(max(0.0, now - first_new.received))
        self._sent_upto = max(self._sent_upto, new_cursor)

    def _socket(self, client: Client) -> Any:
        socket = self.sio.eio.sockets.get(client.eio_sid)
        if socket is None or socket.closed or socket.closing:
            return None
        return socket

    def _schedule_retry(self) -> None:
        """Look again shortly: a client is accepted but Socket.IO has not connected it yet."""
        if self._retry is None or self._retry.cancelled() or self._retry_done():
            loop = asyncio.get_running_loop()
            self._retry = loop.call_later(0.002, self.wake)

    def _retry_done(self) -> bool:
        return self._retry is not None and self._retry.when() <= asyncio.get_running_loop().time()
