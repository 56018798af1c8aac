"""Live minutes: when a minute closes, and what happens to late, duplicate and corrected bars."""

from __future__ import annotations

import numpy as np

from tickstock.engine.sources.minutes import FeedCounts, MinuteBars, MinuteTrades

SYMBOLS = ("AAA", "BBB")
BAR = (10.0, 11.0, 9.5, 10.5, 100.0)


def test_a_minute_closes_as_soon_as_every_symbol_reported() -> None:
    bars = MinuteBars(SYMBOLS, grace=5.0, counts=FeedCounts())
    bars.add("AAA", 60, BAR, now=1.0)
    assert bars.due(now=1.1) == []
    bars.add("BBB", 60, BAR, now=1.2)
    [closed] = bars.due(now=1.2)
    assert closed.bars.minute_start == 60 and closed.bars.has_bar.all()
    assert closed.last_arrival == 1.2


def test_a_minute_missing_a_symbol_closes_after_the_grace_without_its_bar() -> None:
    bars = MinuteBars(SYMBOLS, grace=5.0, counts=FeedCounts())
    bars.add("AAA", 60, BAR, now=1.0)
    assert bars.due(now=5.9) == []
    [closed] = bars.due(now=6.0)
    assert closed.bars.has_bar.tolist() == [True, False]  # a halted symbol: no bar, not zero
    assert np.isnan(closed.bars.close[1])


def test_late_duplicate_and_corrected_bars() -> None:
    counts = FeedCounts()
    bars = MinuteBars(SYMBOLS, grace=5.0, counts=counts)
    bars.add("AAA", 60, BAR, now=1.0)
    bars.add("AAA", 60, BAR, now=1.1)  # the same again
    corrected = (10.0, 11.0, 9.5, 10.8, 120.0)
    bars.add("AAA", 60, corrected, now=1.2)  # a correction while the minute is open
    bars.add("BBB", 60, BAR, now=1.3)
    [closed] = bars.due(now=1.3)
    assert closed.bars.close[0] == 10.8 and closed.bars.volume[0] == 120.0
    bars.add("BBB", 60, BAR, now=2.0)  # after the close: late, dropped
    assert (counts.duplicates, counts.corrections, counts.late) == (1, 1, 1)
    assert bars.open == {}


def test_bad_and_unknown_bars_are_counted_and_dropped() -> None:
    counts = FeedCounts()
    bars = MinuteBars(SYMBOLS, grace=5.0, counts=counts)
    bars.add("ZZZ", 60, BAR, now=1.0)
    bars.add("AAA", 60, (10.0, 9.0, 9.5, 10.5, 100.0), now=1.0)  # high under the close
    assert (counts.unknown_symbols, counts.bad) == (1, 1)
    assert bars.open == {}


def test_trades_build_a_minute_that_closes_a_grace_after_the_next_began() -> None:
    trades = MinuteTrades(SYMBOLS, grace=1.0, counts=FeedCounts())
    trades.add("AAA", 10.0, 5, ts=60.5, now=1.0)
    trades.add("AAA", 12.0, 5, ts=61.0, now=1.1)
    trades.add("AAA", 9.0, 5, ts=60.2, now=1.2)  # out of order inside the minute: the open
    trades.add("BBB", 20.0, 1, ts=120.1, now=2.0)  # the next minute began
    assert trades.due(now=2.5) == []
    [closed] = trades.due(now=3.0)
    assert closed.bars.minute_start == 60
    assert (closed.bars.open[0], closed.bars.high[0], closed.bars.low[0]) == (9.0, 12.0, 9.0)
    assert closed.bars.close[0] == 12.0 and closed.bars.volume[0] == 15


def test_a_session_close_closes_the_minutes_before_it_and_none_after() -> None:
    """At the close every earlier minute is closed at once; a minute from the close on stays
    open even when its grace has run out (it is outside the session, not in it)."""
    bars = MinuteBars(SYMBOLS, grace=5.0, counts=FeedCounts())
    for minute in (60, 120, 180):
        bars.add("AAA", minute, BAR, now=1.0)
    closed = bars.due(now=9.0, until=180)
    assert [c.bars.minute_start for c in closed] == [60, 120]
    assert [c.bars.minute_start for c in bars.due(now=9.0)] == [180]


def test_trades_at_a_session_close_close_only_the_minutes_before_it() -> None:
    trades = MinuteTrades(SYMBOLS, grace=0.5, counts=FeedCounts())
    trades.add("AAA", 10.0, 1.0, 65.0, now=1.0)
    trades.add("AAA", 10.5, 1.0, 125.0, now=1.1)
    trades.add("AAA", 11.0, 1.0, 185.0, now=1.2)
    trades.add("AAA", 11.5, 1.0, 245.0, now=1.3)
    closed = trades.due(now=9.0, until=180)
    assert [c.bars.minute_start for c in closed] == [60, 120]
