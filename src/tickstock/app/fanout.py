"""``FanOut``: relayed events to every Socket.IO client, paced, coalesced, in order, bounded.

Every event gets a sequence number and is encoded to JSON once into the ``RecoveryRing``.
Each client has a cursor (the last ``seq`` it was given) and a ``not_before`` time. One
loop, woken by new events and by a single timer, gives every client that is due and whose
send queue is empty what follows its cursor: one ``frame`` (≤ ``max_frame_events``), or
for ``plan`` clients the plan's named events (``plan_events``).

Pacing (G, from ``min_frame_interval`` to ``max_frame_interval``, ``pacing``): after a frame
a client is next due at the following multiple of G. An event that finds its client quiet
leaves at once; events that arrive sooner leave together, ≤ G later, as one frame; clients
at the same cursor share one packet, encoded once. A client whose queue is not empty when
due is looked at again later; one whose cursor falls out of the ring gets a
``slow_client`` snapshot once it drains. The loop never awaits a send. docs/fanout.md
says why each rule is there.

Nothing here knows python-socketio or engine.io: packets are made and queued through a
``Transport`` (``app/transport.py`` in the app, a small fake in the unit tests).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from tickstock.app.pacing import Pacing
from tickstock.app.plan_events import FRAME, PLAN, PlanEvents
from tickstock.app.ring import RecoveryRing

log = logging.getLogger(__name__)

#: Builds a snapshot payload: (reason, seq, backfill) -> dict.
SnapshotBuilder = Callable[[str, int, dict[str, Any] | None], dict[str, Any]]

#: Seconds between two looks at a client whose queue was not empty (when G is smaller).
MIN_RECHECK_SECONDS = 0.005
#: Seconds between two looks at clients accepted but not yet connected by Socket.IO.
CONNECT_RECHECK_SECONDS = 0.002
#: A client due this soon is served now: event-loop timers have millisecond resolution and
#: may fire a little early, and waiting for the exact instant would spin the loop.
TIMER_SLACK_SECONDS = 0.001


class SendQueue(Protocol):
    """A client's send queue, as far as ``FanOut`` uses it."""

    def qsize(self) -> int: ...

    def put_nowait(self, item: Any) -> None: ...


class Transport(Protocol):
    """Where packets go (``transport.SocketIOTransport``): ``address`` and ``is_connected``
    by Socket.IO sid, ``queue`` by address (None once closed), and shareable packets."""

    def address(self, sid: str) -> str: ...

    def is_connected(self, sid: str) -> bool: ...

    def queue(self, address: str) -> SendQueue | None: ...

    def packet(self, event: str, payload_json: str) -> Any: ...

    def data_packet(self, event: str, data: Any) -> Any: ...


@dataclass(slots=True)
class Opening:
    """What a newly connected client gets first: a snapshot (with ``reason``) or a resume."""

    reason: str | None = "connect"
    backfill: dict[str, Any] | None = None
    resume_from: int | None = None
    #: ``frame`` (coalesced frames) or ``plan`` (the plan's named events, ``plan_events``)
    protocol: str = FRAME
    snapshot: dict[str, Any] | None = None


@dataclass(slots=True)
class Client:
    sid: str
    address: str
    cursor: int = 0
    protocol: str = FRAME
    opening: Opening | None = None
    resync: bool = False
    #: monotonic time before which this client gets no frame (pacing, recheck)
    not_before: float = 0.0


class FanOut:
    """Sequence numbers, the recovery ring, per-client cursors and pacing, the send loop."""

    def __init__(
        self,
        transport: Transport,
        *,
        epoch: str,
        ring: RecoveryRing,
        build_snapshot: SnapshotBuilder,
        max_frame_events: int = 2000,
        queue_limit: int = 64,
        min_frame_interval: float = 0.005,
        max_frame_interval: float | None = None,
        frame_budget: float = 0.0,
        metrics: Any = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.transport = transport
        self.epoch = epoch
        self.ring = ring
        self.build_snapshot = build_snapshot
        self.max_frame_events = max_frame_events
        self.queue_limit = queue_limit
        self.pacing = Pacing(min_frame_interval, max_frame_interval, frame_budget)
        self.metrics = metrics
        self.clock = clock
        self.wall_clock = wall_clock
        self.clients: dict[str, Client] = {}
        self._wake = asyncio.Event()
        self._frame_prefix = '{"epoch":' + orjson.dumps(epoch).decode() + ',"events":['
        #: earliest time a new event could be sent to some client: before it, publish
        #: does not wake the loop (the timer will)
        self._quiet_until = -math.inf
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        #: ``events_out`` per event name (``labels`` costs more than the increment)
        self._events_out: dict[str, Any] = {}
        #: highest seq already sent to some client: the relay latency is measured once per event
        self._sent_upto = ring.last_seq
        self.plan_events = PlanEvents(ring, epoch)

    # --- producing ----------------------------------------------------------------------

    def publish(
        self,
        event: str,
        data: dict[str, Any],
        *,
        received: float | None = None,
        backfilled: bool = False,
        key: str | None = None,
    ) -> int:
        """Number, encode and hold one event, then get the loop to send it; returns its seq.
        A ``key``: once a later event has the same key, no frame carries it (conflation)."""
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
        self.ring.append(seq, self.clock() if received is None else received, encoded, key)
        self.pacing.count()
        if self.metrics is not None:
            counter = self._events_out.get(event)
            if counter is None:
                counter = self._events_out[event] = self.metrics.events_out.labels(event=event)
            counter.inc()
        self.wake_at(self._quiet_until)
        return seq

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

    def resume_reason(self, epoch: Any, last_seq: Any) -> str | None:
        """The one resume-or-snapshot rule: None when a client that last saw ``last_seq`` of
        ``epoch`` can be given exactly what it missed, else the reason of its snapshot.

        Asked at connect (a snapshot may need a backfill from the database) and again when
        the client is opened (the ring may have moved on in between)."""
        if not isinstance(epoch, str) or not isinstance(last_seq, int) or last_seq < 0:
            return "connect"
        if epoch != self.epoch:
            return "epoch_changed"
        if not self.ring.holds_after(last_seq):
            return "resume_too_old"
        return None

    def attach(self, sid: str, opening: Opening) -> None:
        """Register a client being connected; it is served once Socket.IO marks it connected.

        Its snapshot is taken now: events relayed between this moment and its first round
        (when Socket.IO has sent the connect) reach it as events, not inside the snapshot."""
        cursor = self.ring.last_seq
        if opening.resume_from is None:
            reason = opening.reason or "connect"
            opening.snapshot = self.build_snapshot(reason, cursor, opening.backfill)
        address = self.transport.address(sid)
        self.clients[sid] = Client(sid, address, cursor, opening.protocol, opening)
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
        queue = self.transport.queue(client.address)
        if queue is None:
            return False
        queue.put_nowait(self.transport.data_packet(event, data))
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
        self.pacing.update(now)
        last = ring.last_seq
        transport = self.transport
        groups: dict[int, list[tuple[Client, SendQueue]]] = {}
        plan_groups: dict[int, list[tuple[Client, SendQueue]]] = {}
        quiet_until = math.inf
        waiting_to_connect = False
        next_slot = self._next_slot(soon)  # the same for every client served in this round
        recheck = now + max(self.frame_interval, MIN_RECHECK_SECONDS)
        for client in list(self.clients.values()):
            opened = client.opening is not None
            if opened:
                if not transport.is_connected(client.sid):
                    waiting_to_connect = True
                    continue
                self._open(client)
            if client.not_before > soon or (client.cursor >= last and not client.resync):
                if client.not_before < quiet_until:
                    quiet_until = client.not_before
                continue
            queue = transport.queue(client.address)
            if queue is None:
                continue
            queued = max(0, queue.qsize() - opened)  # an opening leaves with its frame
            if client.resync or not ring.holds_after(client.cursor):
                self._resync(client, queued, now)
            elif queued:
                if queued > self.queue_limit and self.metrics is not None:
                    self.metrics.queue_drops.inc()
                client.not_before = recheck
            else:
                by_cursor = plan_groups if client.protocol == PLAN else groups
                by_cursor.setdefault(client.cursor, []).append((client, queue))
                client.not_before = next_slot
            if client.not_before < quiet_until:
                quiet_until = client.not_before
        for cursor, members in groups.items():
            self._send_frame(cursor, members, now)
        for cursor, members in plan_groups.items():
            self._send_plan_events(cursor, members, now)
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
        """G now (``pacing``)."""
        return self.pacing.interval(len(self.clients))

    def _next_slot(self, now: float) -> float:
        return self.pacing.next_slot(now, len(self.clients))

    def _open(self, client: Client) -> None:
        opening, client.opening = client.opening, None
        assert opening is not None
        if opening.snapshot is not None:  # built at attach: the state at ``client.cursor``
            self.send_event(client, "snapshot", opening.snapshot)
            return
        reason = self.resume_reason(self.epoch, opening.resume_from)
        if reason is not None:  # the ring has moved on since the connect
            self._send_snapshot(client, reason, opening.backfill)
            return
        assert opening.resume_from is not None
        client.cursor = last = opening.resume_from
        resumed = {
            "from_seq": last + 1,
            "to_seq": self.ring.last_seq,
            "count": self.ring.last_seq - last,
        }
        self.send_event(client, "resumed", resumed)

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

    def _send_frame(self, cursor: int, members: list[tuple[Client, SendQueue]], now: float) -> None:
        events, superseded, new_cursor = self.ring.frame_since(cursor, self.max_frame_events)
        if new_cursor == cursor:
            return
        end = "]}"
        if superseded:  # their seqs are no hole: the client's seq moves past them
            end = '],"superseded":' + orjson.dumps(superseded).decode() + "}"
        pkt = self.transport.packet("frame", self._frame_prefix + ",".join(events) + end)
        for client, queue in members:
            queue.put_nowait(pkt)
            client.cursor = new_cursor
        self._count_sent(cursor, new_cursor, len(members), now)

    def _send_plan_events(
        self, cursor: int, members: list[tuple[Client, SendQueue]], now: float
    ) -> None:
        """The plan's named events after ``cursor``, one packet each, shared by ``members``.

        At most ``queue_limit`` per round: a plan client's queue never holds more, and like a
        frame client it gets nothing more until it has drained them."""
        units = self.plan_events.after(cursor, self.queue_limit)
        if not units:
            return
        packet = self.transport.packet
        for unit in units:
            pkt = packet(unit.event, unit.payload_json)
            for _, queue in members:
                queue.put_nowait(pkt)
        new_cursor = units[-1].last
        for client, _ in members:
            client.cursor = new_cursor
        self._count_sent(cursor, new_cursor, len(units) * len(members), now)

    def _count_sent(self, cursor: int, new_cursor: int, frames: int, now: float) -> None:
        if self.metrics is not None:
            self.metrics.frames.inc(frames)
            if new_cursor > self._sent_upto:
                first_new = max(cursor, self._sent_upto) + 1
                received = self.ring.received_at(first_new)
                self.metrics.relay_latency.observe(max(0.0, now - received))
        self._sent_upto = max(self._sent_upto, new_cursor)
