"""BarBook: closed bars relayed at once, forming bars conflated to the latest per symbol."""

from __future__ import annotations

from tests.unit.app.bar_messages import MINUTE, NEXT, bars_message

from tickstock.app.bars import BarBook, conflation_key
from tickstock.app.state import LiveState
from tickstock.contract import BarsMessage, Channel


def bars(*items: tuple[str, float], closed: bool, timestamp: str = MINUTE) -> BarsMessage:
    return bars_message(dict(items), closed=closed, timestamp=timestamp)


def closes(relayed) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    return [(b["symbol"], b["close"]) for _, data in relayed for b in data["bars"]]


def test_closed_bars_are_relayed_at_once_as_one_event() -> None:
    book = BarBook()
    relayed = book.accept(bars(("AAA", 1.0), ("BBB", 2.0), closed=True), now=0.0)
    assert [(e, d["closed"]) for e, d in relayed] == [("streaming_bars", True)]
    assert closes(relayed) == [("AAA", 1.0), ("BBB", 2.0)]
    assert closes(book.accept(bars(("AAA", 1.1), closed=True, timestamp=NEXT), now=0.1))


def test_forming_bars_leave_at_most_once_a_second_with_only_the_latest_per_symbol() -> None:
    book = BarBook(interval=1.0)
    first = book.accept(bars(("AAA", 1.0), closed=False), now=10.0)
    assert closes(first) == [("AAA", 1.0)] and first[0][1]["closed"] is False
    assert book.accept(bars(("AAA", 1.1), ("BBB", 5.0), closed=False), now=10.3) == []
    assert book.accept(bars(("AAA", 1.2), closed=False), now=10.6) == []
    assert book.due(10.9) == []
    assert closes(book.due(11.0)) == [("AAA", 1.2), ("BBB", 5.0)]  # never the stale 1.1
    assert book.due(12.5) == []  # nothing new
    assert book.conflated == 1


def test_a_closed_bar_supersedes_the_forming_bar_of_its_minute() -> None:
    book = BarBook(interval=1.0)
    book.accept(bars(("AAA", 1.0), closed=False), now=0.0)
    book.accept(bars(("AAA", 1.1), closed=False), now=0.2)  # pending
    book.accept(bars(("AAA", 1.3), closed=True), now=0.5)
    assert book.due(5.0) == []  # the pending forming bar of a closed minute is stale
    assert book.accept(bars(("AAA", 1.0), closed=False), now=6.0)[0][1]["bars"]
    assert [(b["close"], b["closed"]) for b in book.snapshot()] == [(1.3, True)]


def test_the_snapshot_has_the_latest_bar_of_every_symbol() -> None:
    state = LiveState(clock=lambda: 0.0, wall_clock=lambda: 1_759_660_000.0)
    state.accept(Channel.BARS_STREAMING, bars(("AAA", 1.0), ("BBB", 2.0), closed=True))
    state.accept(Channel.BARS_STREAMING, bars(("AAA", 1.5), closed=False, timestamp=NEXT))
    snap = state.snapshot(epoch="e", seq=0, reason="connect", settings={})
    latest = {b["symbol"]: (b["close"], b["closed"], b["timestamp"]) for b in snap["latest_bars"]}
    assert latest == {"AAA": (1.5, False, NEXT), "BBB": (2.0, True, MINUTE)}


def test_an_older_bar_never_replaces_a_newer_one() -> None:
    book = BarBook()
    book.accept(bars(("AAA", 2.0), closed=True, timestamp=NEXT), now=0.0)
    book.accept(bars(("AAA", 1.0), closed=True), now=0.1)
    assert [b["close"] for b in book.snapshot()] == [2.0]


def test_each_forming_event_holds_every_forming_bar_of_the_open_minute() -> None:
    """So the latest supersedes every earlier one: the fan-out may leave those out."""
    book = BarBook(interval=1.0)
    book.accept(bars(("AAA", 1.0), ("BBB", 2.0), closed=False), now=0.0)
    assert closes(book.accept(bars(("AAA", 1.1), closed=False), now=1.0)) == [
        ("AAA", 1.1),
        ("BBB", 2.0),  # unchanged, still carried
    ]
    book.accept(bars(("AAA", 1.2), closed=True), now=1.5)  # AAA's minute closes
    assert closes(book.accept(bars(("BBB", 2.1), closed=False), now=2.0)) == [("BBB", 2.1)]


def test_a_forming_bar_of_an_older_minute_leaves_the_forming_events() -> None:
    book = BarBook(interval=1.0)
    book.accept(bars(("AAA", 1.0), ("BBB", 2.0), closed=False), now=0.0)
    # BBB's closed bar never came; the next minute starts
    relayed = book.accept(bars(("AAA", 1.5), closed=False, timestamp=NEXT), now=1.0)
    assert closes(relayed) == [("AAA", 1.5)], "never a stale minute shown as forming"
    assert book.accept(bars(("BBB", 1.9), closed=False), now=2.0) == [], "a late copy"


def test_forming_bars_carry_the_conflation_key_closed_bars_none() -> None:
    book = BarBook()
    [(event, forming)] = book.accept(bars(("AAA", 1.0), closed=False), now=0.0)
    [(_, closed)] = book.accept(bars(("AAA", 1.0), closed=True), now=0.1)
    assert conflation_key(event, forming) == "bars:forming:1min"
    assert conflation_key(event, closed) is None
    assert conflation_key("streaming_pattern", {"closed": False}) is None
