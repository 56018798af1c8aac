"""Forming bars: the open minute so far, only for symbols that changed, at most once a second."""

from __future__ import annotations

from tickstock.contract import BarsMessage, Channel, parse
from tickstock.engine.bars import BarAggregator
from tickstock.engine.forming import FormingBars

MINUTE = 1_759_659_300  # 2025-10-05T10:15:00Z


def forming_bars(out) -> list:  # type: ignore[no-untyped-def]
    messages = [parse(m.channel, m.payload) for m in out]
    assert all(m.channel == Channel.BARS_STREAMING.value and m.droppable for m in out)
    assert all(isinstance(m, BarsMessage) and not m.closed for m in messages)
    return [b for m in messages for b in m.bars]  # type: ignore[union-attr]


def test_the_open_minute_so_far_for_the_symbols_that_traded() -> None:
    agg = BarAggregator(["AAA", "BBB", "CCC"])
    forming = FormingBars(agg.symbols)
    agg.add_tick("AAA", 10.0, 100, MINUTE + 1)
    agg.add_tick("AAA", 10.4, 50, MINUTE + 2)
    agg.add_tick("BBB", 20.0, 10, MINUTE + 3)
    bars = forming_bars(forming.messages(agg.forming(MINUTE), now=0.0))
    assert [(b.symbol, b.open, b.high, b.close, b.volume) for b in bars] == [
        ("AAA", 10.0, 10.4, 10.4, 150),
        ("BBB", 20.0, 20.0, 20.0, 10),
    ]
    assert bars[0].timestamp.timestamp() == MINUTE


def test_at_most_once_per_interval_and_only_symbols_that_changed() -> None:
    agg = BarAggregator(["AAA", "BBB"])
    forming = FormingBars(agg.symbols, interval=1.0)
    agg.add_tick("AAA", 10.0, 100, MINUTE + 1)
    agg.add_tick("BBB", 20.0, 10, MINUTE + 1)
    assert forming.due(0.0)
    forming_bars(forming.messages(agg.forming(MINUTE), now=0.0))
    assert not forming.due(0.5)
    agg.add_tick("BBB", 20.5, 10, MINUTE + 2)
    assert forming.due(1.0)
    bars = forming_bars(forming.messages(agg.forming(MINUTE), now=1.0))
    assert [(b.symbol, b.close) for b in bars] == [("BBB", 20.5)]  # AAA did not change
    assert forming.messages(agg.forming(MINUTE), now=2.0) == []  # nothing changed


def test_nothing_before_the_first_tick_and_a_new_minute_starts_afresh() -> None:
    agg = BarAggregator(["AAA"])
    forming = FormingBars(agg.symbols)
    assert forming.messages(agg.forming(MINUTE), now=0.0) == []
    agg.add_tick("AAA", 10.0, 100, MINUTE + 1)
    forming_bars(forming.messages(agg.forming(MINUTE), now=1.0))
    agg.close_minute(MINUTE)
    agg.add_tick("AAA", 10.0, 100, MINUTE + 61)  # same price and volume, next minute
    bars = forming_bars(forming.messages(agg.forming(MINUTE + 60), now=2.0))
    assert [b.timestamp.timestamp() for b in bars] == [MINUTE + 60]
