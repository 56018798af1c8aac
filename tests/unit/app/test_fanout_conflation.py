"""FanOut's conflation: a keyed event a later one of its key supersedes is never sent."""

from __future__ import annotations

from tests.unit.app.bar_messages import MINUTE, NEXT, bars_message
from tests.unit.app.fake_transport import Clock, FakeSocket, FakeTransport

from tickstock.app.bars import BarBook, conflation_key
from tickstock.app.fanout import FanOut, Opening
from tickstock.app.ring import RecoveryRing
from tickstock.contract import BarsMessage

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


# --- forming bars, as the app relays them (BarBook + the key it gives them) ----------------


def relay_bars(fanout: FanOut, book: BarBook, message: BarsMessage, now: float) -> None:
    for event, data in book.accept(message, now):
        fanout.publish(event, data, key=conflation_key(event, data))


def bars_seen(entries: list[dict]) -> list[tuple[bool, str, str, float]]:
    return [
        (e["data"]["closed"], b["timestamp"][11:16], b["symbol"], b["close"])
        for e in entries
        if e["event"] == "streaming_bars"
        for b in e["data"]["bars"]
    ]


def stall_then_publish_a_minute_of_bars(fanout: FanOut, clock: Clock, book: BarBook) -> None:
    """Forming bars every second of two minutes, closed bars at the first minute's end."""
    for second in range(3):  # minute 10:15: AAPL and MSFT move every second
        clock.now += 1.0
        prices = {"AAPL": 100 + second, "MSFT": 200 + second}
        relay_bars(fanout, book, bars_message(prices, closed=False, timestamp=MINUTE), clock.now)
        fanout.publish("streaming_pattern", {"n": second})
    clock.now += 0.5
    relay_bars(fanout, book, bars_message({"AAPL": 103, "MSFT": 203}, closed=True, timestamp=MINUTE), clock.now)  # fmt: skip
    for second in range(2):  # minute 10:16: only AAPL moves
        clock.now += 1.0
        relay_bars(fanout, book, bars_message({"AAPL": 110 + second}, closed=False, timestamp=NEXT), clock.now)  # fmt: skip
        fanout.publish("streaming_pattern", {"n": 10 + second})


async def test_a_slow_client_gets_only_the_latest_forming_bars_and_every_closed_bar():
    clock = Clock()
    fanout = make_fanout(clock)
    book = BarBook()
    fast, slow = connect(fanout, "fast"), connect(fanout, "slow")
    clock.now += 1.0
    fanout.publish("streaming_pattern", {"n": -1})
    fanout.serve()
    fast.take()  # the slow client never reads its first frame: it stalls
    fast_entries: list[dict] = []

    def serve_and_read_fast() -> None:
        fanout.serve()
        fast_entries.extend(e for _, f in fast.take() for e in f["events"])

    fanout.publish = _serving_after(fanout.publish, serve_and_read_fast)  # type: ignore[method-assign]
    stall_then_publish_a_minute_of_bars(fanout, clock, book)
    [(_, first)] = slow.take()
    assert [e["data"] for e in first["events"]] == [{"n": -1}], "its first frame, read late"
    clock.now += 1.0
    fanout.serve()
    [(event, frame)] = slow.take()
    assert event == "frame"
    assert bars_seen(frame["events"]) == [
        (True, "10:15", "AAPL", 103.0),  # every closed bar
        (True, "10:15", "MSFT", 203.0),
        (False, "10:16", "AAPL", 111.0),  # and the latest forming bar, none before it
    ]
    assert [e["data"]["n"] for e in frame["events"] if e["event"] == "streaming_pattern"] == [
        0, 1, 2, 10, 11,
    ]  # fmt: skip
    kept = {e["seq"] for e in frame["events"]}
    assert sorted(kept | set(frame["superseded"])) == list(range(2, fanout.ring.last_seq + 1))
    assert fanout.clients["slow"].cursor == fanout.ring.last_seq
    forming_seen_by_fast = [b for b in bars_seen(fast_entries) if not b[0]]
    assert len(forming_seen_by_fast) == 3 * 2 + 2, "a client that keeps up gets every batch"


def _serving_after(publish, serve):  # type: ignore[no-untyped-def]
    """``publish`` followed by a round (the app's loop, woken by every event)."""

    def publish_and_serve(*args, **kwargs):  # type: ignore[no-untyped-def]
        seq = publish(*args, **kwargs)
        serve()
        return seq

    return publish_and_serve


async def test_a_backlog_longer_than_a_frame_skips_stale_forming_bars_in_every_frame():
    clock = Clock()
    fanout = make_fanout(clock)
    fanout.max_frame_events = 4
    book = BarBook()
    slow = connect(fanout, "slow")
    stall_then_publish_a_minute_of_bars(fanout, clock, book)  # 11 events, 3 frames of ≤ 4
    entries: list[dict] = []
    superseded: list[int] = []
    for _ in range(5):
        clock.now += 1.0
        fanout.serve()
        for _, frame in slow.take():
            entries += frame["events"]
            superseded += frame.get("superseded", [])
    forming = [b for b in bars_seen(entries) if not b[0]]
    assert forming == [(False, "10:16", "AAPL", 111.0)], "a later frame's batch supersedes it"
    assert sorted([e["seq"] for e in entries] + superseded) == list(range(1, 12))


async def test_a_frame_whose_last_event_is_superseded_still_ends_at_the_new_cursor():
    clock = Clock()
    fanout = make_fanout(clock)
    fanout.max_frame_events = 2
    slow = connect(fanout, "slow")
    fanout.publish("streaming_pattern", {"n": 1})
    fanout.publish("streaming_bars", bar("AAPL", 1.0), key="bars:forming:1min")
    fanout.publish("streaming_bars", bar("AAPL", 2.0), key="bars:forming:1min")
    clock.now += 1.0
    fanout.serve()
    [(_, frame)] = slow.take()
    assert [e["seq"] for e in frame["events"]] == [1] and frame["superseded"] == [2]
    assert fanout.clients["slow"].cursor == 2, "the client's seq moves past the left-out one"


async def test_a_client_resuming_from_its_seq_ends_with_the_latest_forming_bars():
    clock = Clock()
    fanout = make_fanout(clock)
    book = BarBook()
    stall_then_publish_a_minute_of_bars(fanout, clock, book)
    socket = fanout.transport.add("again")  # type: ignore[attr-defined]
    fanout.attach("again", Opening(reason=None, resume_from=3))
    clock.now += 1.0
    fanout.serve()
    (_, resumed), (_, frame) = socket.take()
    assert resumed == {"from_seq": 4, "to_seq": 11, "count": 8}
    assert bars_seen(frame["events"])[-1] == (False, "10:16", "AAPL", 111.0)
    assert sorted([e["seq"] for e in frame["events"]] + frame["superseded"]) == list(range(4, 12))
