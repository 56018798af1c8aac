"""Tolerant reading: deviations with one meaning are normalised and noted; nothing unsafe is.

``read(channel, raw, tolerant=True)`` is what the app ingests with (``TICKSTOCK_INGEST``);
``parse`` stays the contract as written. Each item of a batch stands alone in both modes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from tests.unit.contract.contract_messages import plan_sample, with_body

from tickstock.contract import Channel, ContractError, PatternDetection, parse
from tickstock.contract.normalise import canonical_timeframe
from tickstock.contract.parse import read

STREAMING = Channel.PATTERNS_STREAMING
DETECTED = Channel.PATTERNS_DETECTED


def raw(message: Any) -> bytes:
    return orjson.dumps(message)


def detection(**changes: Any) -> dict[str, Any]:
    return {**plan_sample(STREAMING)["detection"], **changes}


def batch(*detections: dict[str, Any]) -> bytes:
    return raw({"type": "streaming_patterns_batch", "detections": list(detections)})


@pytest.mark.parametrize(
    ("changes", "kind", "field", "expected"),
    [
        ({"symbol": "nvda"}, "symbol_case", "symbol", "NVDA"),
        ({"symbol": "brk.b"}, "symbol_case", "symbol", "BRK.B"),
        ({"timeframe": "1m"}, "timeframe_alias", "timeframe", "1min"),
        ({"timeframe": "60s"}, "timeframe_alias", "timeframe", "1min"),
        ({"timeframe": "5 minutes"}, "timeframe_alias", "timeframe", "5min"),
        ({"confidence": 85}, "confidence_percent", "confidence", 0.85),
        ({"confidence": 100}, "confidence_percent", "confidence", 1.0),
        (
            {"timestamp": "2025-10-05T10:15:00"},
            "zoneless_timestamp",
            "timestamp",
            datetime(2025, 10, 5, 10, 15, tzinfo=UTC),
        ),
    ],
)
def test_a_deviation_with_one_meaning_is_normalised_and_noted(changes, kind, field, expected):
    parsed = read(STREAMING, raw(with_body(STREAMING, **changes)))
    assert getattr(parsed.message.detection, field) == expected
    assert [(n.kind, n.field) for n in parsed.normalised] == [(kind, field)]


def test_an_integral_float_count_becomes_an_integer():
    bar = {**plan_sample(STREAMING)["detection"]["bar_data"], "volume": 250000.0}
    parsed = read(STREAMING, raw(with_body(STREAMING, bar_data=bar)))
    assert parsed.message.detection.bar_data.volume == 250000
    assert type(parsed.message.detection.bar_data.volume) is int
    assert [(n.kind, n.field, n.before, n.after) for n in parsed.normalised] == [
        ("integral_float", "volume", "250000.0", "250000")
    ]


def test_counts_of_sessions_and_health_are_normalised_too():
    started = plan_sample(Channel.SESSION_STARTED)
    started["session"]["symbol_count"] = 500.0
    parsed = read(Channel.SESSION_STARTED, raw(started))
    assert parsed.message.session.symbol_count == 500
    assert [n.kind for n in parsed.normalised] == ["integral_float"]


def test_the_canonical_form_is_not_noted():
    assert read(STREAMING, raw(plan_sample(STREAMING))).normalised == ()


def test_a_normalised_detection_has_the_identity_of_its_canonical_twin():
    canonical = read(STREAMING, raw(plan_sample(STREAMING))).message.detection
    deviant = detection(
        symbol="nvda", timeframe="1m", confidence=85, timestamp="2025-10-05T10:15:00"
    )
    tolerant = read(STREAMING, raw({"type": "streaming_pattern", "detection": deviant}))
    assert tolerant.message.detection.identity == canonical.identity
    assert len(tolerant.normalised) == 4


@pytest.mark.parametrize(
    "changes",
    [
        {"symbol": "<script>"},  # markup: no upper case makes it a symbol
        {"symbol": "nv da"},
        {"symbol": "abcdefghijk"},  # 11 characters
        {"symbol": 7},
        {"timeframe": "1M"},  # minute or month
        {"timeframe": "minute"},
        {"timeframe": "0m"},
        {"confidence": 101},
        {"confidence": 1.5e3},
        {"confidence": "85"},  # a string is a wrong type, not a percentage
        {"confidence": True},
        {"timestamp": "2025-10-05"},  # date only
        {"timestamp": 1759659300},  # epoch: seconds or ms?
        {"timestamp": "1759659300"},
    ],
)
def test_what_is_unsafe_or_ambiguous_is_still_rejected_with_its_reason(changes):
    message = raw(with_body(STREAMING, **changes))
    with pytest.raises(ContractError) as caught:
        read(STREAMING, message)
    assert caught.value.field.startswith("detection.")
    assert caught.value.reason


def test_a_fractional_count_is_rejected():
    bar = {**plan_sample(STREAMING)["detection"]["bar_data"], "volume": 1.5}
    with pytest.raises(ContractError) as caught:
        read(STREAMING, raw(with_body(STREAMING, bar_data=bar)))
    assert caught.value.field == "detection.bar_data.volume"


def test_strict_mode_and_parse_normalise_nothing():
    message = raw(with_body(STREAMING, symbol="nvda"))
    with pytest.raises(ContractError) as strict:
        read(STREAMING, message, tolerant=False)
    assert strict.value.field == "detection.symbol"
    with pytest.raises(ContractError):
        parse(STREAMING, message)


def test_models_built_directly_keep_the_canonical_rules():
    with pytest.raises(ValueError):
        PatternDetection.model_validate(detection(symbol="nvda"))


@pytest.mark.parametrize("tolerant", [True, False])
def test_one_bad_detection_of_a_batch_drops_itself_not_its_neighbours(tolerant):
    good = detection(symbol="AAPL")
    parsed = read(
        STREAMING,
        batch(good, detection(symbol="<b>x</b>"), "not an object", detection(symbol="MSFT")),
        tolerant=tolerant,
    )
    assert [d.symbol for d in parsed.message.detections] == ["AAPL", "MSFT"]
    assert [(e.field, e.kind) for e in parsed.dropped] == [
        ("detections.1.symbol", "invalid"),
        ("detections.2", "invalid"),
    ]


def test_a_low_confidence_detection_on_the_detected_channel_drops_only_itself():
    parsed = read(DETECTED, batch(detection(symbol="AAPL"), detection(confidence=0.5)))
    assert [d.symbol for d in parsed.message.detections] == ["AAPL"]
    assert [(e.field, e.kind) for e in parsed.dropped] == [
        ("detections.1.confidence", "low_confidence")
    ]


def test_a_percent_confidence_on_the_detected_channel_is_read_as_its_fraction():
    parsed = read(DETECTED, batch(detection(confidence=92)))
    assert parsed.message.detections[0].confidence == 0.92


def test_a_batch_with_no_valid_item_yields_no_message_and_every_item_dropped():
    parsed = read(STREAMING, batch(detection(symbol="1"), detection(symbol="2")))
    assert parsed.message is None
    assert [e.field for e in parsed.dropped] == ["detections.0.symbol", "detections.1.symbol"]


def test_a_dropped_item_leaves_no_normalisation_behind():
    parsed = read(
        STREAMING, batch(detection(symbol="aapl"), detection(symbol="msft", confidence=2e3))
    )
    assert [n.before for n in parsed.normalised] == ["'aapl'"]
    assert len(parsed.dropped) == 1


def test_indicator_batches_drop_per_item_too():
    calc = plan_sample(Channel.INDICATORS_STREAMING)["calculation"]
    message = {
        "type": "streaming_indicators_batch",
        "calculations": [
            calc,
            {**calc, "value": "high"},
            {**calc, "symbol": "tsla", "timeframe": "1m"},
        ],
    }
    parsed = read(Channel.INDICATORS_STREAMING, raw(message))
    assert [c.symbol for c in parsed.message.calculations] == ["TSLA", "TSLA"]
    assert [e.field for e in parsed.dropped] == ["calculations.1.value"]
    assert {n.kind for n in parsed.normalised} == {"symbol_case", "timeframe_alias"}


def test_whole_message_rules_still_reject_the_whole_message():
    with pytest.raises(ContractError) as too_many:
        read(STREAMING, batch(*[detection()] * 51))
    assert too_many.value.kind == "batch_too_large"
    with pytest.raises(ContractError) as empty:
        read(STREAMING, batch())
    assert empty.value.field == "detections"
    with pytest.raises(ContractError) as too_large:
        read(STREAMING, b" " * (64 * 1024 + 1))
    assert too_large.value.kind == "too_large"


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("1m", "1min"),
        ("1min", "1min"),
        ("60s", "1min"),
        ("300s", "5min"),
        ("30s", "30s"),
        ("1H", "1h"),
        ("2 hours", "2h"),
        ("1day", "1d"),
        ("1wk", "1w"),
        ("1M", None),
        ("1mo", None),
        ("m", None),
        ("0min", None),
        ("<1m>", None),
    ],
)
def test_canonical_timeframes(given, canonical):
    assert canonical_timeframe(given) == canonical


def test_a_bars_batch_drops_a_bad_bar_alone_and_normalises_its_envelope():
    bar = {"symbol": "nvda", "timestamp": "2025-10-05T10:15:00Z", "open": 1.0, "high": 2.0,
           "low": 0.5, "close": 1.5, "volume": 10.0}  # fmt: skip
    message = {"type": "streaming_bars", "timeframe": "1m", "closed": True,
               "bars": [bar, {**bar, "symbol": "IBM", "low": 9.0}]}  # fmt: skip
    parsed = read(Channel.BARS_STREAMING, raw(message))
    assert parsed.message.timeframe == "1min"
    assert [(b.symbol, b.volume) for b in parsed.message.bars] == [("NVDA", 10)]
    assert [e.field for e in parsed.dropped] == ["bars.1"]
    assert {n.kind for n in parsed.normalised} == {
        "symbol_case",
        "integral_float",
        "timeframe_alias",
    }
    with pytest.raises(ContractError) as caught:
        read(Channel.BARS_STREAMING, raw({**message, "closed": "yes"}))
    assert caught.value.field == "closed"
