"""FanOut's conflation hook: keyed events superseded within a client's frame are left out."""

from __future__ import annotations

from tests.unit.app.fake_transport import Clock, FakeSocket, FakeTransport

from tickstock.app.fanout import FanOut, Opening
from tickstock.app.ring import RecoveryRing

G = 0.005


def make_fanout(clock: Clock) -> FanOut:
    return FanOut(
        FakeTransport(),
        epoch="e1",
        ring=RecoveryRing(10_000, 600.0),
        build_snapshot=lambda reason, seq, backfill: {"reason": reason, "seq": seq},
        min_frame_interval=G,
        clock=clock,
        wall_clock=lambda: 1_700_000_000.0,
    )


def connect(fanout: FanOut, sid: str) -> FakeSocket:
    socket = fanout.transport.add(sid)  # type: ignore[attr-defined]
    fanout.attach(sid, Opening(reason="connect"))
    fanout.serve()
    socket.take()
    return socket


def bar(symbol: str, close: float) -> dict:
    return {"type": "streaming_bars", "bars": [{"symbol": symbol, "close": close}]}


async def test_a_client_behind_gets_only_the_latest_keyed_event_per_key():
    clock = Clock()
    fanout = make_fanout(clock)
    socket = connect(fanout, "a")
    clock.now += 1.0
    fanout.publish("streaming_pattern", {"n": 1})
    fanout.serve()
    socket.take()
    for close in (1.0, 2.0, 3.0):  # within one slot: the client is paced
        fanout.publish("streaming_bars", bar("AAPL", close), key="bar:AAPL")
        fanout.publish("streaming_bars", bar("MSFT", close), key="bar:MSFT")
    fanout.publish("streaming_pattern", {"n": 2})
    clock.now += G
    fanout.serve()
    [(event, frame)] = socket.take()
    assert event == "frame"
    assert [e["seq"] for e in frame["events"]] == [6, 7, 8]
    assert [e["data"]["bars"][0]["close"] for e in frame["events"][:2]] == [3.0, 3.0]
    assert frame["superseded"] == [2, 3, 4, 5], "the seqs left out, so a client sees no hole"


async def test_unkeyed_events_are_never_left_out_and_frames_without_keys_are_unchanged():
    clock = Clock()
    fanout = make_fanout(clock)
    socket = connect(fanout, "a")
    clock.now += 1.0
    for n in range(3):
        fanout.publish("streaming_indicator", {"n": n})
    fanout.serve()
    [(_, frame)] = socket.take()
    assert [e["seq"] for e in frame["events"]] == [1, 2, 3]
    assert "superseded" not in frame


async def test_a_client_that_keeps_up_gets_every_keyed_event():
    clock = Clock()
    fanout = make_fanout(clock)
    socket = connect(fanout, "a")
    closes = []
    for close in (1.0, 2.0, 3.0):
        clock.now += 1.0
        fanout.publish("streaming_bars", bar("AAPL", close), key="bar:AAPL")
        fanout.serve()
        closes += [e["data"]["bars"][0]["close"] for _, f in socket.take() for e in f["events"]]
    assert closes == [1.0, 2.0, 3.0]
