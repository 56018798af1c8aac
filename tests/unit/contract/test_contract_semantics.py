"""Semantics: the high-confidence channel and the identity of a detection."""

from __future__ import annotations

import pytest
from contract_messages import accepted, plan_sample, rejected, with_body

from tickstock.contract import HIGH_CONFIDENCE, Channel, detections_of

STREAMING = Channel.PATTERNS_STREAMING
DETECTED = Channel.PATTERNS_DETECTED


def test_high_confidence_is_0_8() -> None:
    assert HIGH_CONFIDENCE == 0.8


@pytest.mark.parametrize("confidence", [0.8, 0.85, 1.0])
def test_the_detected_channel_accepts_confidence_of_at_least_0_8(confidence: float) -> None:
    accepted(DETECTED, with_body(DETECTED, confidence=confidence))


@pytest.mark.parametrize("confidence", [0.79, 0.5, 0.0])
def test_the_detected_channel_rejects_confidence_below_0_8(confidence: float) -> None:
    error = rejected(DETECTED, with_body(DETECTED, confidence=confidence))
    assert (error.channel, error.field, error.kind) == (
        DETECTED.value,
        "detection.confidence",
        "low_confidence",
    )


def test_the_streaming_channel_carries_every_confidence() -> None:
    accepted(STREAMING, with_body(STREAMING, confidence=0.1))


def test_a_detected_batch_names_the_low_confidence_detection() -> None:
    good = plan_sample(DETECTED)["detection"]
    batch = {"type": "streaming_patterns_batch", "detections": [good, {**good, "confidence": 0.5}]}
    error = rejected(DETECTED, batch)
    assert (error.field, error.kind) == ("detections.1.confidence", "low_confidence")


def test_the_same_detection_on_both_channels_has_one_identity() -> None:
    on_streaming = accepted(STREAMING, plan_sample(STREAMING)).detection
    on_detected = accepted(DETECTED, plan_sample(DETECTED)).detection
    assert (
        on_streaming.identity
        == on_detected.identity
        == (
            "NVDA",
            "Doji",
            "1min",
            "2025-10-05T10:15:00Z",
        )
    )


@pytest.mark.parametrize(
    "written",
    ["2025-10-05T10:15:00.000+00:00", "2025-10-05T12:15:00+02:00", "2025-10-05T10:15:00.0004Z"],
)
def test_one_instant_written_two_ways_is_one_identity(written: str) -> None:
    plain = accepted(STREAMING, with_body(STREAMING, timestamp="2025-10-05T10:15:00Z"))
    other = accepted(DETECTED, with_body(DETECTED, timestamp=written))
    assert plain.detection.identity == other.detection.identity


def test_identity_ignores_confidence_and_bar_data() -> None:
    first = accepted(STREAMING, with_body(STREAMING, confidence=0.81)).detection
    second = accepted(DETECTED, with_body(DETECTED, confidence=0.95)).detection
    assert first.identity == second.identity


@pytest.mark.parametrize(
    "changes",
    [
        {"symbol": "AMD"},
        {"pattern_type": "Hammer"},
        {"timeframe": "5min"},
        {"timestamp": "2025-10-05T10:16:00Z"},
        {"timestamp": "2025-10-05T10:15:00.001Z"},
    ],
)
def test_detections_differing_in_one_identity_field_are_distinct(changes: dict[str, str]) -> None:
    base = accepted(STREAMING, plan_sample(STREAMING)).detection
    other = accepted(STREAMING, with_body(STREAMING, **changes)).detection
    assert base.identity != other.identity


def test_detections_of_gives_the_detection_of_a_single_message_or_a_batch() -> None:
    single = accepted(STREAMING, plan_sample(STREAMING))
    detection = plan_sample(STREAMING)["detection"]
    batch = accepted(
        STREAMING, {"type": "streaming_patterns_batch", "detections": [detection, detection]}
    )
    assert detections_of(single) == (single.detection,)
    assert len(detections_of(batch)) == 2
    assert detections_of(accepted(Channel.HEALTH, plan_sample(Channel.HEALTH))) == ()
