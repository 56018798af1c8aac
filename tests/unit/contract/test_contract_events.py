"""The Socket.IO side of the contract: the channel each message or stored row belongs to, the
event each channel feeds, and the data each relayed event carries."""

from __future__ import annotations

import orjson
import pytest
from contract_messages import plan_sample

from tickstock.contract import CHANNEL_EVENT, SOCKET_EVENTS, Channel, events, parse
from tickstock.contract.events import (
    alert_channel,
    bars_event,
    channel_of,
    event_name,
    indicator_event,
    is_high_confidence,
    pattern_channels,
    pattern_event,
    session_channel,
)

STREAMING = Channel.PATTERNS_STREAMING.value
DETECTED = Channel.PATTERNS_DETECTED.value


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_feeds_one_of_the_dashboards_events(channel: Channel) -> None:
    assert event_name(channel) in SOCKET_EVENTS
    assert event_name(channel.value) == CHANNEL_EVENT[channel]


def test_both_pattern_channels_feed_streaming_pattern_and_both_session_channels_one_event():
    assert event_name(Channel.PATTERNS_STREAMING) == event_name(Channel.PATTERNS_DETECTED)
    assert event_name(Channel.PATTERNS_DETECTED) == events.PATTERN == "streaming_pattern"
    assert event_name(Channel.SESSION_STARTED) == event_name(Channel.SESSION_STOPPED)
    assert event_name(Channel.SESSION_STOPPED) == events.SESSION == "streaming_session"


def test_an_unknown_channel_has_no_event() -> None:
    with pytest.raises(ValueError):
        event_name("tickstock:nothing")


def test_the_event_name_constants_are_the_plans_names_and_declared() -> None:
    constants = (
        events.SESSION,
        events.PATTERN,
        events.PATTERNS_BATCH,
        events.INDICATOR,
        events.INDICATOR_ALERT,
        events.HEALTH,
        events.CRITICAL_ALERT,
        events.BARS,
    )
    assert constants == (
        "streaming_session",
        "streaming_pattern",
        "streaming_patterns_batch",
        "streaming_indicator",
        "indicator_alert",
        "streaming_health",
        "critical_alert",
        "streaming_bars",
    )
    assert set(constants) <= set(SOCKET_EVENTS)  # a channel added later may bring its own


@pytest.mark.parametrize(
    ("status", "channel"),
    [
        ("active", Channel.SESSION_STARTED),
        ("stopped", Channel.SESSION_STOPPED),
    ],
)
def test_a_stored_session_belongs_on_the_channel_of_its_status(status, channel) -> None:
    assert session_channel(status) is channel


@pytest.mark.parametrize(
    ("kind", "channel"),
    [
        ("critical", Channel.ALERTS_CRITICAL),
        ("indicator", Channel.ALERTS_INDICATORS),
    ],
)
def test_a_stored_alert_belongs_on_the_channel_of_its_kind(kind, channel) -> None:
    assert alert_channel(kind) is channel


@pytest.mark.parametrize(
    "channel",
    [
        Channel.SESSION_STARTED,
        Channel.SESSION_STOPPED,
        Channel.HEALTH,
        Channel.ALERTS_INDICATORS,
        Channel.ALERTS_CRITICAL,
    ],
)
def test_a_session_health_or_alert_message_names_the_channel_it_came_on(channel) -> None:
    message = parse(channel, orjson.dumps(plan_sample(channel)))
    assert channel_of(message) is channel


@pytest.mark.parametrize(
    ("confidence", "high"), [(0.0, False), (0.79, False), (0.8, True), (0.95, True), (1.0, True)]
)
def test_a_detection_is_high_confidence_from_0_8(confidence: float, high: bool) -> None:
    assert is_high_confidence(confidence) is high
    assert pattern_event({"confidence": confidence}, [STREAMING])["high_confidence"] is high


def test_a_high_confidence_detection_is_on_both_pattern_channels_others_on_streaming_only():
    assert pattern_channels(True) == [STREAMING, DETECTED]
    assert pattern_channels(False) == [STREAMING]


def test_a_pattern_event_carries_the_detection_its_flag_and_its_own_list_of_channels() -> None:
    detection = plan_sample(Channel.PATTERNS_DETECTED)["detection"]
    channels = (STREAMING,)
    data = pattern_event(detection, channels)
    assert list(data) == ["type", "detection", "high_confidence", "channels"]
    assert data == {
        "type": "streaming_pattern",
        "detection": detection,
        "high_confidence": True,
        "channels": [STREAMING],
    }
    data["channels"].append(DETECTED)  # the relay adds the copy's channel later
    assert channels == (STREAMING,)


def test_an_indicator_event_wraps_one_calculation() -> None:
    calculation = plan_sample(Channel.INDICATORS_STREAMING)["calculation"]
    assert indicator_event(calculation) == {
        "type": "streaming_indicator",
        "calculation": calculation,
    }


@pytest.mark.parametrize("closed", [True, False])
def test_a_bars_event_says_its_timeframe_and_whether_its_bars_are_final(closed: bool) -> None:
    bars = plan_sample(Channel.BARS_STREAMING)["bars"]
    data = bars_event("1min", closed, bars)
    assert list(data) == ["type", "timeframe", "closed", "bars"]
    assert data == {"type": "streaming_bars", "timeframe": "1min", "closed": closed, "bars": bars}
