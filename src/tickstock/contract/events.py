"""The Socket.IO side of the contract: which channel a message or row belongs to, the event
each channel feeds, and the data each relayed event carries.

The live relay (``app.state``), the database read-back (``app.history``, ``store.payloads``)
and the bars conflation (``app.bars``) all build their events here, so a detection relayed
live and the same detection read back from the database look the same to a browser, and a
detection's ``high_confidence`` is decided in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tickstock.contract import message_types
from tickstock.contract.channels import CHANNEL_EVENT, SPECS, Channel
from tickstock.contract.limits import HIGH_CONFIDENCE
from tickstock.contract.models import (
    CriticalAlertMessage,
    HealthMessage,
    IndicatorAlertMessage,
    Message,
    SessionStoppedMessage,
)

# The event names, as ``CHANNEL_SPECS`` declares them.
SESSION = CHANNEL_EVENT[Channel.SESSION_STARTED]
PATTERN = CHANNEL_EVENT[Channel.PATTERNS_STREAMING]
#: Consecutive detections of one producer message, for clients of the plan's named events.
PATTERNS_BATCH: str = SPECS[Channel.PATTERNS_STREAMING].batch_event or ""
INDICATOR = CHANNEL_EVENT[Channel.INDICATORS_STREAMING]
INDICATOR_ALERT = CHANNEL_EVENT[Channel.ALERTS_INDICATORS]
HEALTH = CHANNEL_EVENT[Channel.HEALTH]
CRITICAL_ALERT = CHANNEL_EVENT[Channel.ALERTS_CRITICAL]
BARS = CHANNEL_EVENT[Channel.BARS_STREAMING]

#: (Socket.IO event name, data) of one event to relay.
Relayed = tuple[str, dict[str, Any]]


def event_name(channel: Channel | str) -> str:
    """The Socket.IO event a single message of ``channel`` becomes."""
    return CHANNEL_EVENT[Channel(channel)]


def session_channel(status: str) -> Channel:
    """The channel of a session in ``status`` (``active`` or ``stopped``, as stored)."""
    return Channel.SESSION_STOPPED if status == "stopped" else Channel.SESSION_STARTED


def alert_channel(kind: str) -> Channel:
    """The channel of an alert of ``kind`` (``critical`` or ``indicator``, as stored)."""
    return Channel.ALERTS_CRITICAL if kind == "critical" else Channel.ALERTS_INDICATORS


def channel_of(message: Message) -> Channel:
    """The channel a session, health or alert message belongs on (one channel each type)."""
    if isinstance(message, SessionStoppedMessage):
        return Channel.SESSION_STOPPED
    if isinstance(message, CriticalAlertMessage):
        return Channel.ALERTS_CRITICAL
    if isinstance(message, IndicatorAlertMessage):
        return Channel.ALERTS_INDICATORS
    if isinstance(message, HealthMessage):
        return Channel.HEALTH
    return Channel.SESSION_STARTED


def is_high_confidence(confidence: float) -> bool:
    """A detection at or above ``HIGH_CONFIDENCE`` belongs on ``patterns:detected`` too."""
    return confidence >= HIGH_CONFIDENCE


def pattern_channels(high_confidence: bool) -> list[str]:
    """The channels a detection is published on, by its high-confidence flag."""
    if high_confidence:
        return [Channel.PATTERNS_STREAMING.value, Channel.PATTERNS_DETECTED.value]
    return [Channel.PATTERNS_STREAMING.value]


def pattern_event(detection: Mapping[str, Any], channels: Sequence[str]) -> dict[str, Any]:
    """``streaming_pattern`` data: the detection's wire form, its high-confidence flag and
    the channels it came on (a list the relay extends when the copy on the other comes)."""
    return {
        "type": message_types.PATTERN,
        "detection": detection,
        "high_confidence": is_high_confidence(detection["confidence"]),
        "channels": list(channels),
    }


def indicator_event(calculation: Mapping[str, Any]) -> dict[str, Any]:
    """``streaming_indicator`` data of one calculation's wire form."""
    return {"type": message_types.INDICATOR, "calculation": calculation}


def bars_event(timeframe: str, closed: bool, bars: list[dict[str, Any]]) -> dict[str, Any]:
    """``streaming_bars`` data: closed bars as they came, or the latest forming ones."""
    return {"type": message_types.BARS, "timeframe": timeframe, "closed": closed, "bars": bars}
