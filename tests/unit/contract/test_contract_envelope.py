"""The envelope rules: type per channel, one body, extras ignored, size and batch limits."""

from __future__ import annotations

import orjson
import pytest
from contract_messages import accepted, plan_sample, rejected, with_body

from tickstock.contract import (
    ALL_CHANNELS,
    MAX_BATCH,
    MAX_MESSAGE_BYTES,
    OPTIONAL_CHANNELS,
    Channel,
    MessageTooLarge,
    parse,
    to_wire,
)

PATTERN_CHANNELS = (Channel.PATTERNS_STREAMING, Channel.PATTERNS_DETECTED)


@pytest.mark.parametrize("channel", list(Channel))
def test_each_channel_accepts_its_plan_sample(channel: Channel) -> None:
    message = accepted(channel, plan_sample(channel))
    assert message.type == plan_sample(channel)["type"]


@pytest.mark.parametrize(
    ("channel", "foreign"),
    [
        (Channel.SESSION_STARTED, Channel.SESSION_STOPPED),
        (Channel.SESSION_STOPPED, Channel.SESSION_STARTED),
        (Channel.HEALTH, Channel.ALERTS_CRITICAL),
        (Channel.PATTERNS_STREAMING, Channel.INDICATORS_STREAMING),
        (Channel.PATTERNS_DETECTED, Channel.ALERTS_INDICATORS),
        (Channel.INDICATORS_STREAMING, Channel.PATTERNS_STREAMING),
        (Channel.ALERTS_INDICATORS, Channel.ALERTS_CRITICAL),
        (Channel.ALERTS_CRITICAL, Channel.ALERTS_INDICATORS),
    ],
)
def test_a_message_with_another_channels_type_is_rejected(
    channel: Channel, foreign: Channel
) -> None:
    error = rejected(channel, plan_sample(foreign))
    assert (error.channel, error.field, error.kind) == (channel.value, "type", "type")
    assert repr(plan_sample(foreign)["type"]) in error.reason


@pytest.mark.parametrize("type_value", [None, 7, ["streaming_pattern"], {"a": 1}, ""])
def test_a_missing_or_non_string_type_is_rejected(type_value: object) -> None:
    message = plan_sample(Channel.PATTERNS_STREAMING)
    message["type"] = type_value
    error = rejected(Channel.PATTERNS_STREAMING, message)
    assert (error.field, error.kind) == ("type", "type")


@pytest.mark.parametrize("channel", [c for c in Channel if c is not Channel.BARS_STREAMING])
def test_a_message_without_its_body_is_rejected_naming_the_body(channel: Channel) -> None:
    message = plan_sample(channel)
    (body,) = (k for k in message if k != "type")
    del message[body]
    error = rejected(channel, message)
    assert (error.channel, error.field, error.kind) == (channel.value, body, "missing")


def test_a_missing_body_field_is_named_with_its_path() -> None:
    error = rejected(Channel.PATTERNS_STREAMING, with_body(Channel.PATTERNS_STREAMING, bar_data={}))
    assert error.field == "detection.bar_data.open"
    assert error.kind == "missing"


def test_unknown_extra_fields_are_tolerated_and_left_out_of_the_wire_form() -> None:
    message = with_body(Channel.PATTERNS_STREAMING, producer_note="<b>hi</b>", score=3)
    message["trace_id"] = "abc"
    message["detection"]["bar_data"]["vwap"] = 125.6

    wire = to_wire(accepted(Channel.PATTERNS_STREAMING, message))

    assert "trace_id" not in wire
    assert set(wire["detection"]) == set(plan_sample(Channel.PATTERNS_STREAMING)["detection"])
    assert "vwap" not in wire["detection"]["bar_data"]


def test_a_message_over_64_kib_is_rejected_unread() -> None:
    # Not even JSON: proves the size is checked before decoding.
    raw = b"{" + b" " * MAX_MESSAGE_BYTES
    with pytest.raises(MessageTooLarge) as caught:
        parse(Channel.HEALTH, raw)
    assert (caught.value.channel, caught.value.kind) == (Channel.HEALTH.value, "too_large")
    assert str(MAX_MESSAGE_BYTES) in caught.value.reason


def test_a_message_of_exactly_64_kib_is_read() -> None:
    body = orjson.dumps(plan_sample(Channel.HEALTH))
    raw = body + b" " * (MAX_MESSAGE_BYTES - len(body))
    assert len(raw) == MAX_MESSAGE_BYTES
    accepted(Channel.HEALTH, raw)


def test_the_size_limit_counts_utf8_bytes_not_characters() -> None:
    text = "é" * (MAX_MESSAGE_BYTES // 2 + 1)  # fewer characters than 64 Ki, more bytes
    assert rejected(Channel.HEALTH, text).kind == "too_large"


def _pattern_batch(size: int) -> dict[str, object]:
    detection = plan_sample(Channel.PATTERNS_STREAMING)["detection"]
    return {"type": "streaming_patterns_batch", "detections": [detection] * size}


def _indicator_batch(size: int) -> dict[str, object]:
    calculation = plan_sample(Channel.INDICATORS_STREAMING)["calculation"]
    return {"type": "streaming_indicators_batch", "calculations": [calculation] * size}


@pytest.mark.parametrize("channel", PATTERN_CHANNELS)
def test_a_pattern_batch_of_50_is_accepted(channel: Channel) -> None:
    message = accepted(channel, _pattern_batch(MAX_BATCH))
    assert len(message.detections) == 50


@pytest.mark.parametrize("channel", PATTERN_CHANNELS)
def test_a_pattern_batch_of_51_is_rejected_whole(channel: Channel) -> None:
    error = rejected(channel, _pattern_batch(MAX_BATCH + 1))
    assert (error.field, error.kind) == ("detections", "batch_too_large")
    assert "51" in error.reason and "50" in error.reason


def test_an_indicator_batch_of_50_is_accepted() -> None:
    message = accepted(Channel.INDICATORS_STREAMING, _indicator_batch(MAX_BATCH))
    assert len(message.calculations) == 50


def test_an_indicator_batch_of_51_is_rejected_whole() -> None:
    error = rejected(Channel.INDICATORS_STREAMING, _indicator_batch(MAX_BATCH + 1))
    assert (error.field, error.kind) == ("calculations", "batch_too_large")


def test_an_empty_batch_is_rejected() -> None:
    error = rejected(Channel.PATTERNS_STREAMING, _pattern_batch(0))
    assert error.field == "detections"


def test_one_bad_detection_rejects_the_batch_naming_its_index() -> None:
    batch = _pattern_batch(3)
    batch["detections"] = [dict(d) for d in batch["detections"]]  # type: ignore[attr-defined]
    batch["detections"][2]["symbol"] = "nvda"  # type: ignore[index]
    error = rejected(Channel.PATTERNS_STREAMING, batch)
    assert error.field == "detections.2.symbol"


def test_a_batch_list_under_an_extra_key_of_a_single_message_is_ignored() -> None:
    message = plan_sample(Channel.PATTERNS_STREAMING)
    message["detections"] = list(range(MAX_BATCH + 10))
    accepted(Channel.PATTERNS_STREAMING, message)


def test_indicator_batches_are_not_allowed_on_pattern_channels() -> None:
    error = rejected(Channel.PATTERNS_STREAMING, _indicator_batch(2))
    assert error.kind == "type"


@pytest.mark.parametrize("raw", ["{bad", "", "{'type': 1}", b"\xff\xfe", '{"type": "x",}'])
def test_invalid_json_is_rejected(raw: str | bytes) -> None:
    error = rejected(Channel.PATTERNS_STREAMING, raw)
    assert (error.kind, error.channel) == ("json", Channel.PATTERNS_STREAMING.value)


def test_text_with_a_lone_surrogate_is_rejected_as_json() -> None:
    assert rejected(Channel.HEALTH, '{"type": "streaming_health", "x": "\ud800"}').kind == "json"


@pytest.mark.parametrize("raw", ["[]", "42", '"streaming_pattern"', "null", "true"])
def test_json_that_is_not_an_object_is_rejected(raw: str) -> None:
    error = rejected(Channel.PATTERNS_STREAMING, raw)
    assert error.kind == "json"
    assert "object" in error.reason


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_rejected(literal: str) -> None:
    raw = orjson.dumps(plan_sample(Channel.PATTERNS_STREAMING)).decode()
    raw = raw.replace('"confidence":0.85', f'"confidence":{literal}')
    assert literal in raw
    assert rejected(Channel.PATTERNS_STREAMING, raw).kind == "json"


def test_nan_built_in_python_is_rejected_by_the_model() -> None:
    from pydantic import ValidationError

    from tickstock.contract import DataFlow

    with pytest.raises(ValidationError):
        DataFlow(ticks_per_second=float("nan"), bars_per_minute=1, processing_lag_ms=1)


def test_an_unknown_channel_is_rejected() -> None:
    error = rejected("tickstock:patterns:everything", plan_sample(Channel.PATTERNS_STREAMING))  # type: ignore[arg-type]
    assert (error.kind, error.channel) == ("unknown_channel", "tickstock:patterns:everything")


def test_the_contract_has_the_plans_8_channels_first_and_only_optional_ones_after() -> None:
    assert ALL_CHANNELS[:8] == (
        "tickstock:streaming:session_started",
        "tickstock:streaming:session_stopped",
        "tickstock:streaming:health",
        "tickstock:patterns:streaming",
        "tickstock:patterns:detected",
        "tickstock:indicators:streaming",
        "tickstock:alerts:indicators",
        "tickstock:alerts:critical",
    )
    assert "tickstock:bars:streaming" in ALL_CHANNELS[8:]
    assert {Channel(name) for name in ALL_CHANNELS[8:]} == OPTIONAL_CHANNELS
