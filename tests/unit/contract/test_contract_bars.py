"""The optional bars channel: closed or forming 1-minute bars, consistent, in batches ≤ 250."""

from __future__ import annotations

import orjson
import pytest

from tickstock.contract import (
    CHANNEL_EVENT,
    MAX_BARS_BATCH,
    BarsMessage,
    Channel,
    ContractError,
    parse,
    to_wire,
)
from tickstock.contract.samples import SAMPLES


def bars_message(bars: list[dict[str, object]], closed: object = True) -> bytes:
    return orjson.dumps(
        {"type": "streaming_bars", "timeframe": "1min", "closed": closed, "bars": bars}
    )


def bar(symbol: str = "NVDA", **changes: object) -> dict[str, object]:
    return {
        "symbol": symbol,
        "timestamp": "2025-10-05T10:15:00Z",
        "open": 10.0,
        "high": 11.0,
        "low": 9.5,
        "close": 10.5,
        "volume": 1200,
    } | changes


def test_the_sample_is_valid_and_round_trips() -> None:
    message = parse(Channel.BARS_STREAMING, SAMPLES[Channel.BARS_STREAMING])
    assert isinstance(message, BarsMessage) and message.closed
    assert [b.symbol for b in message.bars] == ["NVDA", "AAPL"]
    assert message.bars[0].previous_close == 124.10 and message.bars[1].previous_close is None
    assert parse(Channel.BARS_STREAMING, orjson.dumps(to_wire(message))) == message
    assert CHANNEL_EVENT[Channel.BARS_STREAMING] == "streaming_bars"


def test_a_forming_bar_says_closed_false() -> None:
    message = parse(Channel.BARS_STREAMING, bars_message([bar()], closed=False))
    assert isinstance(message, BarsMessage) and message.closed is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"low": 10.2}, "bars.0.low"),  # low above the open
        ({"high": 10.4}, "bars.0.high"),  # high below the close
        ({"volume": -1}, "bars.0.volume"),
        ({"symbol": "nvda"}, "bars.0.symbol"),
        ({"timestamp": 1759659300}, "bars.0.timestamp"),
    ],
)
def test_an_inconsistent_bar_rejects_the_message_naming_the_field(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(ContractError) as caught:
        parse(Channel.BARS_STREAMING, bars_message([bar(**change)]))
    assert caught.value.field.startswith(field.rsplit(".", 1)[0])
    assert caught.value.channel == Channel.BARS_STREAMING.value


def test_closed_must_be_a_json_boolean() -> None:
    with pytest.raises(ContractError) as caught:
        parse(Channel.BARS_STREAMING, bars_message([bar()], closed="true"))
    assert caught.value.field == "closed"


def test_a_batch_holds_1_to_250_bars() -> None:
    many = [bar(f"S{i}") for i in range(MAX_BARS_BATCH)]
    assert len(parse(Channel.BARS_STREAMING, bars_message(many)).bars) == 250  # type: ignore[union-attr]
    with pytest.raises(ContractError) as caught:
        parse(Channel.BARS_STREAMING, bars_message([*many, bar("X")]))
    assert caught.value.kind == "batch_too_large"
    with pytest.raises(ContractError):
        parse(Channel.BARS_STREAMING, bars_message([]))


def test_250_long_bars_stay_under_the_message_size_limit() -> None:
    long = bar("ABCDEFGHIJ", open=123456.78901234567, high=123456.78901234567, low=0.0012345678901234,
               close=123456.78901234567, volume=12345678901, previous_close=123456.78901234567,
               timestamp="2025-10-05T10:15:00.123Z")  # fmt: skip
    assert len(bars_message([long] * MAX_BARS_BATCH)) < 64 * 1024


def test_check_producer_flags_a_closed_bar_published_twice_and_forming_bars_too_often() -> None:
    from tickstock.engine.check_producer import ProducerChecker

    checker = ProducerChecker()
    channel = Channel.BARS_STREAMING.value
    checker.feed(channel, bars_message([bar("AAA"), bar("BBB")]), received_at=0.0)
    checker.feed(channel, bars_message([bar("CCC", timestamp="2025-10-05T10:16:00Z")]), 1.0)
    assert checker.report(now=5.0).violations == []
    assert checker.channels[channel].items == 3
    checker.feed(channel, bars_message([bar("AAA")]), received_at=2.0)  # closed again
    checker.feed(channel, bars_message([bar("AAA")], closed=False), received_at=3.0)
    checker.feed(channel, bars_message([bar("AAA")], closed=False), received_at=3.5)
    report = checker.report(now=9.0)
    assert (report.bars_closed_twice, report.forming_too_often) == (1, 1)
    assert len(report.violations) == 2
