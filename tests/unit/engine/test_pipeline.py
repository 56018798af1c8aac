"""A minute close yields valid contract messages; ≥ 0.8 detections also go on detected."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import orjson
import pytest

from tickstock.contract import Channel, calculations_of, detections_of, parse
from tickstock.engine.feeds import SyntheticFeed
from tickstock.engine.indicators import Indicator, bank
from tickstock.engine.pipeline import MinuteOutput, MinutePipeline
from tickstock.engine.universe import load_universe

OPEN = 1_741_012_200


def run_minutes(n_symbols: int, minutes: int) -> list[MinuteOutput]:
    universe = load_universe(n_symbols)
    feed = SyntheticFeed(n_symbols, seed=9, session_open=OPEN)
    pipeline = MinutePipeline(universe.symbols)
    return [pipeline.process(feed.bars(OPEN + 60 * m)) for m in range(minutes)]


def test_every_message_keeps_the_contract_and_batches_hold_at_most_50() -> None:
    outputs = run_minutes(200, 45)
    seen = set()
    for out in outputs:
        for message in out.messages:
            parsed = parse(message.channel, message.payload)
            seen.add((message.channel, parsed.type))
            assert len(detections_of(parsed)) <= 50 and len(calculations_of(parsed)) <= 50
    assert (Channel.INDICATORS_STREAMING.value, "streaming_indicators_batch") in seen
    assert (Channel.PATTERNS_STREAMING.value, "streaming_patterns_batch") in seen
    assert (Channel.ALERTS_INDICATORS.value, "indicator_alert") in seen


def test_high_confidence_detections_are_on_both_channels_and_only_those_on_detected() -> None:
    outputs = run_minutes(300, 45)
    high_total = 0
    for out in outputs:
        streaming, detected = set(), set()
        for message in out.messages:
            parsed = parse(message.channel, message.payload)
            ids = {(d.identity, d.confidence) for d in detections_of(parsed)}
            if message.channel == Channel.PATTERNS_STREAMING.value:
                streaming |= ids
            elif message.channel == Channel.PATTERNS_DETECTED.value:
                detected |= ids
        high = {d for d in streaming if d[1] >= 0.8}
        assert detected == high
        high_total += len(high)
    assert high_total > 0, "the synthetic market should produce some high-confidence patterns"


def test_indicators_carry_every_line_and_their_parameters() -> None:
    out = run_minutes(20, 40)[-1]
    calcs = [
        c
        for m in out.messages
        if m.channel == Channel.INDICATORS_STREAMING.value
        for c in calculations_of(parse(m.channel, m.payload))
    ]
    by_kind = {c.indicator: c for c in calcs}
    registered = {kind.name for kind in bank.INDICATORS}
    assert set(by_kind) == registered and {"RSI", "MACD", "BB"} <= registered
    assert by_kind["RSI"].values is None and by_kind["RSI"].metadata["period"] == 14
    macd = by_kind["MACD"]
    assert macd.value == macd.values["macd"] and set(macd.values) == {"macd", "signal", "histogram"}
    bb = by_kind["BB"]
    assert bb.value == bb.values["middle"] and bb.values["lower"] <= bb.value <= bb.values["upper"]
    assert len(calcs) == len(registered) * 20


def test_symbols_without_a_bar_publish_nothing_that_minute() -> None:
    universe = load_universe(10)
    feed = SyntheticFeed(10, seed=1, session_open=OPEN)
    pipeline = MinutePipeline(universe.symbols)
    for m in range(30):
        bars = feed.bars(OPEN + 60 * m)
        if m == 29:
            bars.has_bar[3] = False
        out = pipeline.process(bars)
    symbols = {
        c["symbol"]
        for m in out.messages
        if m.channel == Channel.INDICATORS_STREAMING.value
        for c in orjson.loads(m.payload)["calculations"]
    }
    assert universe.symbols[3] not in symbols and len(symbols) == 9
    assert np.count_nonzero(out.bars.has_bar) == out.n_bars == 9


def test_published_items_are_exactly_the_rows_the_store_writes() -> None:
    """The JSON assembled from columns decodes to the very dicts written to the database."""
    for out in run_minutes(300, 45)[30:]:
        by_channel: dict[str, list[dict]] = {}
        for m in out.messages:
            body = orjson.loads(m.payload)
            items = body.get("calculations") or body.get("detections")
            items = items or [body.get("alert") or body.get("detection")]
            by_channel.setdefault(m.channel, []).extend(items)
        assert by_channel.get(Channel.INDICATORS_STREAMING.value, []) == out.calculations
        assert by_channel.get(Channel.ALERTS_INDICATORS.value, []) == out.alerts
        assert by_channel.get(Channel.PATTERNS_STREAMING.value, []) == out.detections
        assert by_channel.get(Channel.PATTERNS_DETECTED.value, []) == out.high_confidence
        assert len(out.calculations) == out.n_calculations
        assert (len(out.alerts), len(out.detections)) == (out.n_alerts, out.n_detections)


def test_a_lone_detection_goes_out_as_one_streaming_pattern() -> None:
    singles = [
        m
        for out in run_minutes(3, 45)
        for m in out.messages
        if m.channel == Channel.PATTERNS_STREAMING.value
        and orjson.loads(m.payload)["type"] == "streaming_pattern"
    ]
    assert singles, "three symbols over 45 minutes should give a minute with one detection"
    for m in singles:
        parse(m.channel, m.payload)


def test_every_minute_publishes_its_closed_bars_for_the_symbols_that_traded() -> None:
    from tickstock.contract import BarsMessage

    outputs = run_minutes(600, 3)
    for out in outputs:
        bars = [
            b
            for m in out.messages
            if m.channel == Channel.BARS_STREAMING.value
            for b in _bars_of(parse(m.channel, m.payload), BarsMessage)
        ]
        traded = [s for s, has in zip(out._symbols, out.bars.has_bar.tolist(), strict=True) if has]
        assert sorted(b.symbol for b in bars) == sorted(traded)
        first = bars[0]
        i = out._symbols.index(first.symbol)
        assert (first.open, first.close) == (out.bars.open[i], out.bars.close[i])
        assert first.volume == round(out.bars.volume[i])


def _bars_of(message, kind):  # type: ignore[no-untyped-def]
    assert isinstance(message, kind) and message.closed and len(message.bars) <= 250
    return message.bars


def test_previous_close_is_the_last_close_of_the_previous_trading_day() -> None:
    from tickstock.contract import BarsMessage
    from tickstock.engine.bars import ClosedBars

    pipeline = MinutePipeline(["AAA", "BBB"])

    def minute(start: int, close: float) -> list[BarsMessage]:
        bars = ClosedBars.from_bars(start, 2, [0], [close], [close], [close], [close], [100])
        out = pipeline.process(bars)
        return [
            parse(m.channel, m.payload)  # type: ignore[misc]
            for m in out.messages
            if m.channel == Channel.BARS_STREAMING.value
        ]

    day_one_close = OPEN + 6 * 3600 + 29 * 60  # 15:59 New York
    (first,) = minute(OPEN, 10.0)
    assert first.bars[0].previous_close is None  # the first day: unknown
    minute(day_one_close, 12.5)
    (next_day,) = minute(OPEN + 86400, 13.0)
    assert next_day.bars[0].previous_close == 12.5


class PreviousClose(Indicator):
    """A toy indicator for the registry: the close ``lag`` bars ago, and the change since."""

    name, prefix = "PREV", "prev"
    lines: ClassVar[dict[str, str]] = {
        "value": "previous",
        "previous": "previous",
        "change": "change",
    }

    def __init__(self, n_symbols: int, lag: int = 1) -> None:
        self.lag = lag
        self.bars_seen = np.zeros(n_symbols, dtype=np.int64)
        self.closes = np.full((n_symbols, lag + 1), np.nan)
        self.previous = np.full(n_symbols, np.nan)
        self.change = np.full(n_symbols, np.nan)

    @property
    def warmup_bars(self) -> int:
        return self.lag + 1

    @property
    def metadata(self) -> dict[str, object]:
        return {"lag": self.lag}

    def update(self, close: np.ndarray, mask: np.ndarray) -> None:
        self.closes[mask] = np.roll(self.closes[mask], 1, axis=1)
        self.closes[mask, 0] = close[mask]
        self.previous[mask] = self.closes[mask, self.lag]
        self.change[mask] = close[mask] - self.previous[mask]
        self.bars_seen[mask] += 1


def test_a_registered_indicator_is_published_and_stored_with_no_other_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The recipe's promise: a class in ``INDICATORS`` reaches the wire and the rows."""
    monkeypatch.setattr(bank, "INDICATORS", (*bank.INDICATORS, PreviousClose))
    universe = load_universe(5)
    feed = SyntheticFeed(5, seed=2, session_open=OPEN)
    pipeline = MinutePipeline(universe.symbols)

    outputs = [pipeline.process(feed.bars(OPEN + 60 * m)) for m in range(3)]

    def published(out: MinuteOutput) -> list:  # type: ignore[type-arg]
        return [
            c
            for m in out.messages
            if m.channel == Channel.INDICATORS_STREAMING.value
            for c in calculations_of(parse(m.channel, m.payload))
            if c.indicator == "PREV"
        ]

    assert published(outputs[0]) == []  # not ready at its first bar
    second, third = outputs[1], outputs[2]
    assert len(published(second)) == 5 and len(published(third)) == 5
    calc = published(third)[0]
    i = universe.symbols.index(calc.symbol)
    assert calc.value == calc.values["previous"] == second.bars.close[i]
    assert calc.values["change"] == pytest.approx(third.bars.close[i] - second.bars.close[i])
    assert calc.metadata == {"lag": 1}
    rows = [r for r in third.calculations if r["indicator"] == "PREV"]
    assert len(rows) == 5 and rows[0]["metadata"] == {"lag": 1}
