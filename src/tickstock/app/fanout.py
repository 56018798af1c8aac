"""``FanOut``: relayed events to every Socket.IO client, paced, coalesced, in order, bounded.

Every event gets a sequence number and is encoded to JSON once into the ``RecoveryRing``.
Each client has a cursor (the last ``seq`` it was given) and a ``not_before`` time. One
loop, woken by new events and by a single timer, gives every client that is due and whose
transport queue is empty one ``frame`` with everything after its cursor
(≤ ``max_frame_events``).

Pacing (``min_frame_interval``, G): after a frame, a client is next due at the following
multiple of G on the monotonic clock. An event that finds its client quiet leaves at once
(no flush timer on light traffic); events that arrive sooner wait at most G and leave
together as one frame. So a client gets at most about 1/G frames per second whatever the
event rate (G grows to clients / ``frame_budget`` when that is longer: the frames of all
clients together stay within the budget), and the busy clients share the same grid: clients at the same cursor served in
the same round get one packet object, encoded once (engine.io caches a packet's encoding).
Without pacing the transport queue empties as soon as the bytes reach the kernel, so each
event would become its own frame and flood the clients.

A client whose queue is not empty when due (a frame still waiting for its socket) is
checked again one interval later; a client whose cursor falls out of the ring gets a
``slow_client`` snapshot once it drains. A stalled client costs at most one queued frame
and never delays the others: the loop never awaits a send.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from engineio import packet as eio_packet

from tickstock.app.ring import RecoveryRing

log = logging.getLogger(__name__)

NAMESPACE = "/"

#: Builds a snapshot payload: (reason, seq, backfill) -> dict.
SnapshotBuilder = Callable[[str, int, dict[str, Any] | None], dict[str, Any]]

#: Seconds between two looks at a client whose queue was not empty (when G is smaller).
MIN_RECHECK_SECONDS = 0.005
#: Seconds between two looks at clients accepted but not yet connected by Socket.IO.
CONNECT_RECHECK_SECONDS = 0.002
#: A client due this soon is served now: event-loop timers have millisecond resolution and
#: may fire a little early, and waiting for the exact instant would spin the loop.
TIMER_SLACK_SECONDS = 0.001


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
    #: monotonic time before which this client gets no frame (pacing, recheck)
    not_before: float = 0.0


class TransportQueue:
    """engine.io's per-client send queue, made cheap for its single consumer.

    engine.io's writer awaits ``wait_for(queue.get(), ping_timeout)`` once per frame; with
    ``asyncio.Queue.get`` (a coroutine) ``wait_for`` wraps each get in a new Task, a fifth
    of the server's CPU when every frame carries one event. Here ``get`` returns a future,
    which ``wait_for`` awaits as is. It has the methods engine.io calls: put, put_nowait,
    get, get_nowait, task_done, join, qsize, empty.
    """

    def __init__(self) -> None:
        self._items: deque[Any] = deque()
        self._getter: asyncio.Future[Any] | None = None
        self._unfinished = 0
        self._finished: asyncio.Event | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: Any) -> None:
        self._unfinished += 1
        getter = self._getter
        if getter is not None and not getter.done() and not self._items:
            self._getter = None
            getter.set_result(item)
            return
        self._items.append(item)

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def get(self) -> asyncio.Future[Any]:
        future = asyncio.get_running_loop().create_future()
        if self._items:
            future.set_result(self._items.popleft())
        else:
            self._getter = future
        return future

    def task_done(self) -> None:
        self._unfinished = max(0, self._unfinished - 1)
        if self._unfinished == 0 and self._finished is not None:
            self._finished.set()

    async def join(self) -> None:
        if self._unfinished:
            if self._finished is None or self._finished.is_set():
                self._finished = asyncio.Event()
            await self._finished.wait()


class FanOut:
    """Sequence numbers, the recovery ring, per-client cursors and pacing, the send loop."""

    def __init__(
        self,
        sio: Any,
        *,
        epoch: str,
        ring: RecoveryRing,
        build_snapshot: SnapshotBuilder,
        max_frame_events: int = 2000,
        queue_limit: int = 64,
        min_frame_interval: float = 0.005,
        frame_budget: float = 0.0,
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
        self.min_frame_interval = min_frame_interval
        self.frame_budget = frame_budget
        self.metrics = metrics
        self.clock = clock
        self.wall_clock = wall_clock
        self.clients: dict[str, Client] = {}
        self._wake = asyncio.Event()
        self._frame_prefix = '2["frame",{"epoch":' + orjson.dumps(epoch).decode() + ',"events":['
        #: earliest time a new event could be sent to some client: before it, publish
        #: does not wake the loop (the timer will)
        self._quiet_until = -math.inf
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        #: ``events_out`` per event name (``labels`` costs more than the increment)
        self._events_out: dict[str, Any] = {}
        #: highest seq already sent to some client: the relay latency is measured once per event
        self._sent_upto = ring.last_seq
        sio.eio.create_queue = lambda *args, **kwargs: TransportQueue()

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
        """Number, encode and hold one event, then get the loop to send it; returns its seq."""
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
            counter = self._events_out.get(event)
            if counter is None:
                counter = self._events_out[event] = self.metrics.events_out.labels(event=event)
            counter.inc()
        self.wake_at(self._quiet_until)
        return seq

    def wake(self) -> None:
        self._wake.set()

    def wake_at(self, when: float) -> None:
        """Run a round at ``when`` (``clock`` time): now if it is past, else by one timer."""
        delay = when - self.clock()
        if delay <= TIMER_SLACK_SECONDS:
            self._wake.set()
            return
        if delay == math.inf or (self._timer is not None and self._timer_at <= when):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = asyncio.get_running_loop().call_later(delay, self._timer_fired)

    def _timer_fired(self) -> None:
        self._timer = None
        self._timer_at = math.inf
        self._wake.set()

    # --- clients ------------------------------------------------------------------------

    def attach(self, sid: str, opening: Opening) -> None:
        """Register a client being connected; it is served once Socket.IO marks it connected."""
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        self.clients[sid] = Client(sid, eio_sid, cursor=self.ring.last_seq, opening=opening)
        if self.metrics is not None:
            self.metrics.clients.set(len(self.clients))
        self._quiet_until = -math.inf
        self.wake_at(self.clock() + CONNECT_RECHECK_SECONDS)

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
        """Serve clients whenever something is due, until cancelled."""
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
        """One round: openings, resyncs, then one frame per cursor group of due clients."""
        now = self.clock()
        soon = now + TIMER_SLACK_SECONDS
        ring = self.ring
        ring.expire(now)
        last = ring.last_seq
        groups: dict[int, list[tuple[Client, Any]]] = {}
        quiet_until = math.inf
        waiting_to_connect = False
        for client in list(self.clients.values()):
            opened = client.opening is not None
            if opened:
                if not self.sio.manager.is_connected(client.sid, NAMESPACE):
                    waiting_to_connect = True
                    continue
                self._open(client)
            if client.not_before > soon or (client.cursor >= last and not client.resync):
                quiet_until = min(quiet_until, client.not_before)
                continue
            socket = self._socket(client)
            if socket is None:
                continue
            queued = max(0, socket.queue.qsize() - opened)  # an opening leaves with its frame
            if client.resync or not ring.holds_after(client.cursor):
                self._resync(client, queued, now)
            elif queued:
                if queued > self.queue_limit and self.metrics is not None:
                    self.metrics.queue_drops.inc()
                client.not_before = now + max(self.frame_interval, MIN_RECHECK_SECONDS)
            else:
                groups.setdefault(client.cursor, []).append((client, socket))
                client.not_before = self._next_slot(soon)
            quiet_until = min(quiet_until, client.not_before)
        for cursor, members in groups.items():
            self._send_frame(cursor, members, now)
        self._quiet_until = quiet_until
        due = min(
            (c.not_before for c in self.clients.values() if c.cursor < ring.last_seq or c.resync),
            default=math.inf,
        )
        if due < math.inf:
            self.wake_at(due)
        if waiting_to_connect:
            self._quiet_until = -math.inf
            self.wake_at(now + CONNECT_RECHECK_SECONDS)

    @property
    def frame_interval(self) -> float:
        """G: the minimum interval, stretched so that all clients together get at most
        ``frame_budget`` frames per second (per-frame work, ~50 µs here and more in each
        client, is what saturates the cores when many clients are busy)."""
        if self.frame_budget > 0:
            return max(self.min_frame_interval, len(self.clients) / self.frame_budget)
        return self.min_frame_interval

    def _next_slot(self, now: float) -> float:
        """The next multiple of G after ``now``: paced clients share one grid, hence frames."""
        interval = self.frame_interval
        if interval <= 0:
            return now
        # + 1e-6 of a slot: ``now`` on a boundary may divide to just under it (300.02 / 0.01
        # = 30001.99999…), which would name the current slot and send a second frame at once
        return (math.floor(now / interval + 1e-6) + 1) * interval

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

    def _resync(self, client: Client, queued: int, now: float) -> None:
        if not client.resync:
            client.resync = True
            if self.metrics is not None:
                self.metrics.client_resyncs.inc()
            log.info("client %s fell behind the replay buffer; it will get a snapshot", client.sid)
        if queued == 0:
            client.resync = False
            self._send_snapshot(client, "slow_client", None)
            client.not_before = self._next_slot(now + TIMER_SLACK_SECONDS)
        else:
            client.not_before = now + max(self.frame_interval, MIN_RECHECK_SECONDS)

    def _send_snapshot(self, client: Client, reason: str, backfill: dict[str, Any] | None) -> None:
        seq = self.ring.last_seq
        if self.send_event(client, "snapshot", self.build_snapshot(reason, seq, backfill)):
            client.cursor = seq

    def _send_frame(self, cursor: int, members: list[tuple[Client, Any]], now: float) -> None:
        events = self.ring.since(cursor, self.max_frame_events)
        if not events:
            return
        text = self._frame_prefix + ",".join(events) + "]}]"
        pkt = eio_packet.Packet(eio_packet.MESSAGE, text)
        new_cursor = cursor + len(events)  # the ring holds consecutive seqs after ``cursor``
        for client, socket in members:
            socket.queue.put_nowait(pkt)
            client.cursor = new_cursor
        if self.metrics is not None:
            self.metrics.frames.inc(len(members))
            if new_cursor > self._sent_upto:
                first_new = max(cursor, self._sent_upto) + 1
                received = self.ring.received_at(first_new)
                self.metrics.relay_latency.observe(max(0.0, now - received))
        self._sent_upto = max(self._sent_upto, new_cursor)

    def _socket(self, client: Client) -> Any:
        socket = self.sio.eio.sockets.get(client.eio_sid)
        if socket is None or socket.closed or socket.closing:
            return None
        return socket
