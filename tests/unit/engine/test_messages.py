"""The hot path's messages are checked with the contract every minute, cheaply: the first
message of each kind cut to its first item (one of each kind of bar), so a bad shape in either kind of bar, a
pattern batch or an indicator batch still fails loudly at once."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from tickstock.contract import Channel, parse
from tickstock.engine.bars import ClosedBars
from tickstock.engine.messages import bar_messages, first_item, pattern_messages
from tickstock.errors import ContractError

STAMP = "2025-03-03T14:30:00Z"
SYMBOLS = ['"AAA"', '"BBB"', '"CCC"', '"DDD"']


def minute(n: int) -> ClosedBars:
    price = np.linspace(10.0, 20.0, n)
    return ClosedBars(
        1_741_012_200, price, price + 1, price - 1, price, np.full(n, 100.0), np.ones(n, bool)
    )


def test_the_sample_is_the_message_with_its_first_item_only() -> None:
    head = '{"type":"streaming_bars","timeframe":"1min","closed":true,"bars":'
    item = f'{{"symbol":"AAA","timestamp":"{STAMP}","open":1,"high":2,"low":0.5,"close":1.5,"volume":10}}'
    sample = first_item(head, [item, item])
    assert orjson.loads(sample)["bars"] == [orjson.loads(item)]
    parse(Channel.BARS_STREAMING, sample)


def test_bars_of_both_shapes_publish_and_every_message_keeps_the_contract() -> None:
    previous = np.array([np.nan, 9.0, np.nan, 11.0])  # two with a previous close, two without
    out = bar_messages(SYMBOLS, minute(4), np.ones(4, bool), STAMP, closed=True, previous=previous)
    bars = [b for o in out for b in parse(Channel.BARS_STREAMING, o.payload).bars]
    assert len(bars) == 4
    assert sorted(b.previous_close is not None for b in bars) == [False, False, True, True]


@pytest.mark.parametrize("bad", [0, 1], ids=["first bar without a previous close", "with one"])
def test_a_bad_first_bar_of_either_shape_fails_loudly(bad: int) -> None:
    previous = np.array([np.nan, 9.0, np.nan, 11.0])
    symbols = list(SYMBOLS)
    symbols[bad] = '"not a symbol"'
    with pytest.raises(ContractError):
        bar_messages(symbols, minute(4), np.ones(4, bool), STAMP, closed=True, previous=previous)


def test_a_bad_first_detection_of_a_batch_fails_loudly() -> None:
    good = (
        f'{{"symbol":"AAA","pattern_type":"Doji","confidence":0.8,"timestamp":"{STAMP}",'
        '"timeframe":"1min","bar_data":{"open":1,"high":2,"low":0.5,"close":1.5,"volume":10}}'
    )
    assert len(pattern_messages(Channel.PATTERNS_STREAMING, [good] * 3)) == 1
    bad = good.replace('"confidence":0.8', '"confidence":7')
    with pytest.raises(ContractError):
        pattern_messages(Channel.PATTERNS_STREAMING, [bad, good, good])
