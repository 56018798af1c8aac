"""FanOut: pacing, coalescing, order, shared packets and slow clients (a fake transport)."""

from __future__ import annotations

from typing import Any

from tests.unit.app.fake_transport import Clock, FakeSocket, FakeTransport

from tickstock.app.fanout import FanOut, Opening
from tickstock.app.ring import RecoveryRing

G = 0.005  # the pacing interval of these tests


def make_fanout(clock: Clock, ring_events: int = 10_000) -> FanOut:
    return FanOut(
        FakeTransport(),
        epoch="e1",
        ring=RecoveryRing(ring_events, 600.0),
        build_snapshot=lambda reason, seq, backfill: {"reason": reason, "seq": seq},
        min_frame_interval=G,
        clock=clock,
        wall_clock=lambda: 1_700_000_000.0,
    )


def connect(fanout: FanOut, sid: str) -> FakeSocket:
    """A connected client whose connect snapshot has been written already."""
    socket = fanout.transport.add(sid)  # type: ignore[attr-defined]
    fanout.attach(sid, Opening(reason="connect"))
    fanout.serve()
    assert [event for event, _ in socket.take()] == ["snapshot"]
    return socket


def frames(sent: list[tuple[str, Any]]) -> list[list[int]]:
    return [[entry["seq"] for entry in data["events"]] for event, data in sent if event == "frame"]


def publish(fanout: FanOut, count: int) -> None:
    for n in range(count):
        fanout.publish("streaming_pattern", {"n": n})


async def test_an_event_after_a_quiet_spell_leaves_at_once_in_its_own_frame():
    clock = Clock(100.0)
    fanout = make_fanout(clock)
    socket = connect(fanout, "a")
    clock.now += 1.0
    publish(fanout, 1)
    assert fanout._wake.is_set(), "a quiet client must not wait for a timer"
    fanout.serve()
    assert frames(socket.take()) == [[1]]


async def test_events_published_while_a_client_is_paced_arrive_in_one_frame_in_order():
    clock = Clock(100.0)
    fanout = make_fanout(clock)
    socket = connect(fanout, "a")
    clock.now = 100.0001
    publish(fanout, 1)
    fanout.serve()
    assert frames(socket.take()) == [[1]]
    fanout._wake.clear()

    for step in range(4):  # four events within the same interval
        clock.now = 100.0005 + step * 0.0005
        publish(fanout, 1)
        fanout.serve()
    assert socket.take() == [], "a paced client gets nothing before its next slot"
    assert not fanout._wake.is_set()
    assert fanout._timer is not None and fanout._timer_at <= 100.005, "a timer by the slot"

    clock.now = 100.005
    fanout.serve()
    assert frames(socket.take()) == [[2, 3, 4, 5]]


async def test_a_busy_client_gets_at_most_one_frame_per_interval_and_every_event_once():
    clock = Clock(200.0)
    fanout = make_fanout(clock)
    socket = connect(fanout, "a")
    received: list[list[int]] = []
    for tick in range(400):  # 2,000 events/s for 0.2 s, a round after every event
        clock.now = 200.0 + tick * 0.0005
        publish(fanout, 1)
        fanout.serve()
        received += frames(socket.take())
    clock.now += G
    fanout.serve()
    received += frames(socket.take())
    assert [seq for frame in received for seq in frame] == list(range(1, 401))
    assert len(received) <= 0.2 / G + 2


async def test_clients_at_the_same_cursor_share_one_encoded_packet():
    clock = Clock(100.0)
    fanout = make_fanout(clock)
    sockets = [connect(fanout, sid) for sid in ("a", "b", "c")]
    clock.now += 1.0
    publish(fanout, 3)
    fanout.serve()
    packets = [s.queue.get_nowait() for s in sockets]
    assert all(p is packets[0] for p in packets)


async def test_a_slow_client_does_not_delay_a_fast_one():
    clock = Clock(100.0)
    fanout = make_fanout(clock)
    fast = connect(fanout, "fast")
    slow = connect(fanout, "slow")
    clock.now += 1.0
    publish(fanout, 1)
    fanout.serve()
    assert frames(fast.take()) == [[1]]  # the slow one never reads its frame
    received = []
    for slot in range(1, 6):
        clock.now = 101.0 + slot * G
        publish(fanout, 2)
        fanout.serve()
        received += frames(fast.take())
    assert [seq for frame in received for seq in frame] == list(range(2, 12))
    assert slow.queue.qsize() == 1, "a stalled client holds one frame, nothing more"
    assert frames(slow.take()) == [[1]]
    clock.now += G
    fanout.serve()
    assert frames(slow.take()) == [list(range(2, 12))], "once drained it catches up in order"


async def test_a_client_behind_the_ring_gets_a_slow_client_snapshot_then_continues():
    clock = Clock(100.0)
    fanout = make_fanout(clock, ring_events=100)
    slow = connect(fanout, "slow")
    clock.now += 1.0
    publish(fanout, 1)
    fanout.serve()  # frame [1] waits in the stalled client's queue
    publish(fanout, 300)  # the ring keeps only the last 100
    clock.now += G
    fanout.serve()
    assert fanout.clients["slow"].resync
    assert frames(slow.take()) == [[1]]  # the client finally reads

    clock.now += G
    fanout.serve()
    sent = slow.take()
    assert sent == [("snapshot", {"reason": "slow_client", "seq": 301})]
    clock.now += 1.0
    publish(fanout, 2)
    fanout.serve()
    assert frames(slow.take()) == [[302, 303]]


async def test_events_published_with_no_client_connected_are_held_for_the_next_one():
    clock = Clock(100.0)
    fanout = make_fanout(clock)
    fanout.serve()
    publish(fanout, 2)
    assert fanout._timer is None, "nobody to serve: no timer"
    socket = fanout.transport.add("late")  # type: ignore[attr-defined]
    fanout.attach("late", Opening(resume_from=0))
    fanout.serve()
    sent = socket.take()
    assert sent[0] == ("resumed", {"from_seq": 1, "to_seq": 2, "count": 2})
    assert frames(sent[1:]) == [[1, 2]]


async def test_the_frame_budget_stretches_the_interval_when_many_clients_are_busy():
    """4 clients, 400 frames/s in all: each busy client gets a frame every 10 ms, not 5."""
    clock = Clock(300.0)
    fanout = make_fanout(clock)
    fanout.pacing.frame_budget = 400.0
    sockets = [connect(fanout, name) for name in "abcd"]
    assert fanout.frame_interval == 4 / 400.0
    received: list[list[list[int]]] = [[] for _ in sockets]
    for tick in range(400):  # 2,000 events/s for 0.2 s
        clock.now = 300.0 + tick * 0.0005
        publish(fanout, 1)
        fanout.serve()
        for socket, got in zip(sockets, received, strict=True):
            got += frames(socket.take())
    clock.now += 0.01
    fanout.serve()
    for socket, got in zip(sockets, received, strict=True):
        got += frames(socket.take())
        assert [seq for frame in got for seq in frame] == list(range(1, 401))
        assert 0.2 / 0.01 - 2 <= len(got) <= 0.2 / 0.01 + 2


async def test_few_clients_keep_the_minimum_interval_under_the_budget():
    clock = Clock(100.0)
    fanout = make_fanout(clock)
    fanout.pacing.frame_budget = 10_000.0
    connect(fanout, "a")
    assert fanout.frame_interval == G


async def test_events_relayed_while_a_client_connects_reach_it_as_events_after_its_snapshot():
    """The snapshot is the state when the client was accepted; what follows is in frames."""
    clock = Clock(100.0)
    fanout = make_fanout(clock)
    socket = fanout.transport.add("a")  # type: ignore[attr-defined]
    fanout.transport.connected.discard("a")  # type: ignore[attr-defined]
    fanout.attach("a", Opening(reason="connect"))
    publish(fanout, 2)  # Socket.IO has not sent the connect yet
    fanout.serve()
    assert socket.take() == []
    fanout.transport.connected.add("a")  # type: ignore[attr-defined]
    fanout.serve()
    sent = socket.take()
    assert sent[0] == ("snapshot", {"reason": "connect", "seq": 0})
    assert frames(sent[1:]) == [[1, 2]]


async def test_a_busy_stream_goes_out_in_fuller_frames_up_to_the_maximum_interval():
    """500 events/s: G grows from 5 to 10 ms after a window, so frames carry ~5 events."""
    clock = Clock(400.0)
    fanout = make_fanout(clock)
    fanout.pacing.max_interval = 0.010
    socket = connect(fanout, "a")
    received: list[list[int]] = []
    for tick in range(1000):  # 2 s at 500 events/s, a round after every event
        clock.now = 400.0 + tick * 0.002
        publish(fanout, 1)
        fanout.serve()
        received += frames(socket.take())
    clock.now += 0.010
    fanout.serve()
    received += frames(socket.take())
    assert [seq for frame in received for seq in frame] == list(range(1, 1001))
    last_second = [frame for frame in received if frame[0] > 500]
    assert len(last_second) <= 1 / 0.010 + 2, "one frame per 10 ms once the rate is known"
    assert fanout.frame_interval == 0.010
