"""FanOut's ``plan`` protocol: the plan's named events one by one, with seq and epoch."""

from __future__ import annotations

from typing import Any

from tests.unit.app.fake_transport import Clock, FakeSocket, FakeTransport

from tickstock.app.fanout import FanOut, Opening
from tickstock.app.plan_events import PLAN
from tickstock.app.ring import RecoveryRing

G = 0.005


def make_fanout(clock: Clock, ring_events: int = 10_000, queue_limit: int = 64) -> FanOut:
    return FanOut(
        FakeTransport(),
        epoch="e1",
        ring=RecoveryRing(ring_events, 600.0),
        build_snapshot=lambda reason, seq, backfill: {"reason": reason, "seq": seq},
        min_frame_interval=G,
        queue_limit=queue_limit,
        clock=clock,
        wall_clock=lambda: 1_700_000_000.0,
    )


def connect(fanout: FanOut, sid: str, opening: Opening | None = None) -> FakeSocket:
    socket = fanout.transport.add(sid)  # type: ignore[attr-defined]
    fanout.attach(sid, opening or Opening(reason="connect", protocol=PLAN))
    fanout.serve()
    return socket


def detection(n: int) -> dict[str, Any]:
    return {"symbol": f"S{n}", "pattern_type": "Doji", "timestamp": "2025-10-05T10:15:00Z"}


def pattern(n: int, high: bool = False) -> dict[str, Any]:
    return {"type": "streaming_pattern", "detection": detection(n), "high_confidence": high}


def publish_batch(fanout: FanOut, first: int, count: int, received: float) -> None:
    """What ingest does with one producer batch: one event per detection, one receive time."""
    for n in range(first, first + count):
        fanout.publish("streaming_pattern", pattern(n, high=n % 2 == 0), received=received)


async def test_a_plan_client_gets_named_events_with_seq_and_epoch_not_frames():
    clock = Clock()
    fanout = make_fanout(clock)
    socket = connect(fanout, "p")
    assert socket.take() == [("snapshot", {"reason": "connect", "seq": 0})]
    clock.now += 1.0
    fanout.publish("streaming_session", {"type": "streaming_session_started", "session": {}})
    fanout.publish("indicator_alert", {"type": "indicator_alert", "alert": {"symbol": "AAPL"}})
    fanout.serve()
    assert socket.take() == [
        (
            "streaming_session",
            {
                "type": "streaming_session_started",
                "session": {},
                "seq": 1,
                "epoch": "e1",
                "at": 1_700_000_000_000.0,
            },
        ),
        (
            "indicator_alert",
            {
                "type": "indicator_alert",
                "alert": {"symbol": "AAPL"},
                "seq": 2,
                "epoch": "e1",
                "at": 1_700_000_000_000.0,
            },
        ),
    ]


async def test_one_producer_batch_goes_as_one_streaming_patterns_batch_a_single_as_itself():
    clock = Clock()
    fanout = make_fanout(clock)
    socket = connect(fanout, "p")
    socket.take()
    clock.now += 1.0
    publish_batch(fanout, 0, 3, received=clock.now)
    publish_batch(fanout, 3, 1, received=clock.now + 0.0001)  # another message
    fanout.serve()
    (batch_event, batch), (single_event, single) = socket.take()
    assert batch_event == "streaming_patterns_batch"
    assert batch["type"] == "streaming_patterns_batch"
    assert batch["detections"] == [detection(0), detection(1), detection(2)]
    assert batch["high_confidence"] == [True, False, True]
    assert (batch["first_seq"], batch["seq"], batch["epoch"]) == (1, 3, "e1")
    assert single_event == "streaming_pattern"
    assert single["detection"] == detection(3) and single["seq"] == 4


async def test_a_batch_never_carries_more_than_the_plans_50_detections():
    clock = Clock()
    fanout = make_fanout(clock, queue_limit=200)
    socket = connect(fanout, "p")
    socket.take()
    clock.now += 1.0
    publish_batch(fanout, 0, 120, received=clock.now)
    fanout.serve()
    sizes = [len(data["detections"]) for _, data in socket.take()]
    assert sizes == [50, 50, 20]


async def test_frame_and_plan_clients_see_the_same_events_with_the_same_seqs():
    clock = Clock()
    fanout = make_fanout(clock)
    plan = connect(fanout, "p")
    frame = connect(fanout, "f", Opening(reason="connect"))
    plan.take(), frame.take()
    clock.now += 1.0
    publish_batch(fanout, 0, 2, received=clock.now)
    fanout.publish("streaming_health", {"type": "streaming_health", "health": {}})
    fanout.serve()
    [(event, data)] = frame.take()
    assert event == "frame"
    assert [e["seq"] for e in data["events"]] == [1, 2, 3]
    assert [(event, data["seq"]) for event, data in plan.take()] == [
        ("streaming_patterns_batch", 2),
        ("streaming_health", 3),
    ]


async def test_plan_clients_at_one_cursor_share_each_packet():
    clock = Clock()
    fanout = make_fanout(clock)
    sockets = [connect(fanout, sid) for sid in "abc"]
    for socket in sockets:
        socket.take()
    clock.now += 1.0
    fanout.publish("streaming_health", {"type": "streaming_health", "health": {}})
    fanout.serve()
    packets = [s.queue.get_nowait() for s in sockets]
    assert all(p is packets[0] for p in packets)


async def test_a_plan_client_resumes_with_exactly_the_named_events_it_missed():
    clock = Clock()
    fanout = make_fanout(clock)
    first = connect(fanout, "p")
    first.take()
    clock.now += 1.0
    fanout.publish("streaming_health", {"type": "streaming_health", "health": {"n": 1}})
    fanout.serve()
    [(_, seen)] = first.take()
    fanout.detach("p")
    publish_batch(fanout, 0, 2, received=clock.now)
    fanout.publish("critical_alert", {"type": "critical_alert", "alert": {}})

    again = connect(fanout, "p2", Opening(reason=None, resume_from=seen["seq"], protocol=PLAN))
    assert [(event, data.get("seq")) for event, data in again.take()] == [
        ("resumed", None),
        ("streaming_patterns_batch", 3),
        ("critical_alert", 4),
    ]


async def test_a_slow_plan_client_gets_a_slow_client_snapshot_not_a_backlog():
    clock = Clock()
    fanout = make_fanout(clock, ring_events=100, queue_limit=10)
    slow = connect(fanout, "p")
    slow.take()
    clock.now += 1.0
    for n in range(30):
        fanout.publish("streaming_health", {"type": "streaming_health", "health": {"n": n}})
    fanout.serve()
    assert slow.queue.qsize() == 10, "at most queue_limit named events queued per client"
    for n in range(300):  # the ring keeps 100: the client's cursor falls out of it
        clock.now += G
        fanout.publish("streaming_health", {"type": "streaming_health", "health": {"n": n}})
        fanout.serve()
        assert slow.queue.qsize() == 10, "nothing more while it does not read"
    assert fanout.clients["p"].resync
    assert len(slow.take()) == 10  # the client finally reads
    clock.now += G
    fanout.serve()
    assert slow.take() == [("snapshot", {"reason": "slow_client", "seq": 330})]
    clock.now += 1.0
    fanout.publish("critical_alert", {"type": "critical_alert", "alert": {}})
    fanout.serve()
    assert [(event, data["seq"]) for event, data in slow.take()] == [("critical_alert", 331)]


async def test_backfilled_events_say_so():
    clock = Clock()
    fanout = make_fanout(clock)
    socket = connect(fanout, "p")
    socket.take()
    clock.now += 1.0
    fanout.publish("streaming_pattern", pattern(1), backfilled=True)
    fanout.serve()
    [(event, data)] = socket.take()
    assert event == "streaming_pattern" and data["backfilled"] is True
