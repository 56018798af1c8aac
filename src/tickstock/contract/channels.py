"""The Redis channels of the producer contract and the Socket.IO event each one feeds.

The plan's 8 channels, plus an optional ninth, ``tickstock:bars:streaming`` (prices: closed
and forming 1-minute bars): a producer without it still meets the contract.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Redis pub/sub channels, exactly as named in the plan."""

    SESSION_STARTED = "tickstock:streaming:session_started"
    SESSION_STOPPED = "tickstock:streaming:session_stopped"
    HEALTH = "tickstock:streaming:health"
    PATTERNS_STREAMING = "tickstock:patterns:streaming"
    PATTERNS_DETECTED = "tickstock:patterns:detected"
    INDICATORS_STREAMING = "tickstock:indicators:streaming"
    ALERTS_INDICATORS = "tickstock:alerts:indicators"
    ALERTS_CRITICAL = "tickstock:alerts:critical"
    BARS_STREAMING = "tickstock:bars:streaming"


ALL_CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)
#: The channels a producer may leave silent and still keep the contract.
OPTIONAL_CHANNELS: frozenset[Channel] = frozenset({Channel.BARS_STREAMING})

#: Socket.IO event names the dashboard listens for (the plan's names).
SOCKET_EVENTS: tuple[str, ...] = (
    "streaming_session",
    "streaming_pattern",
    "streaming_patterns_batch",
    "streaming_indicator",
    "indicator_alert",
    "streaming_health",
    "critical_alert",
    "streaming_bars",
)

#: The Socket.IO event a single (unbatched) message of each channel becomes.
CHANNEL_EVENT: dict[Channel, str] = {
    Channel.SESSION_STARTED: "streaming_session",
    Channel.SESSION_STOPPED: "streaming_session",
    Channel.HEALTH: "streaming_health",
    Channel.PATTERNS_STREAMING: "streaming_pattern",
    Channel.PATTERNS_DETECTED: "streaming_pattern",
    Channel.INDICATORS_STREAMING: "streaming_indicator",
    Channel.ALERTS_INDICATORS: "indicator_alert",
    Channel.ALERTS_CRITICAL: "critical_alert",
    Channel.BARS_STREAMING: "streaming_bars",
}


def channel_from_name(name: str) -> Channel:
    """The channel called ``name``; ``ValueError`` listing the valid names otherwise."""
    try:
        return Channel(name)
    except ValueError:
        valid = ", ".join(ALL_CHANNELS)
        raise ValueError(f"unknown channel {name!r}; valid channels: {valid}") from None
