"""The Redis channels of the producer contract, declared once each.

A channel's line in ``CHANNEL_SPECS`` says everything the rest of the system derives: its
Redis name, the Socket.IO event a message becomes, the message ``type`` values it may carry
and their models, a sample message, and whether a producer may leave it silent. Parsing,
the JSON Schemas, the samples, ``check-producer``, the app's subscription and its relay all
read it, so a new channel is its models (``models.py``) and one line here.

The plan's 8 channels, plus an optional ninth, ``tickstock:bars:streaming`` (prices: closed
and forming 1-minute bars): a producer without it still meets the contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from tickstock.contract import models
from tickstock.contract.message_types import type_of


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


@dataclass(frozen=True)
class ChannelSpec:
    """One channel: what it carries, the event it feeds, a sample of it."""

    channel: Channel
    #: The Socket.IO event a single (unbatched) message becomes.
    event: str
    #: Message ``type`` value -> its model: the messages the channel may carry.
    types: Mapping[str, type[BaseModel]]
    #: One valid message, as text (the plan's, verbatim, for the plan's channels).
    sample: str
    #: A producer may leave it silent and still keep the contract.
    optional: bool = False
    #: Further Socket.IO events it feeds (a batch relayed as one event to plan clients).
    batch_event: str | None = None


# The plan's sample payloads, verbatim: one valid message per channel.

_SESSION_STARTED = """{
  "type": "streaming_session_started",
  "session": {
    "session_id": "uuid-string",
    "universe": "market_leaders:top_500",
    "started_at": "2025-10-05T09:30:00Z",
    "symbol_count": 500,
    "status": "active"
  }
}"""

_SESSION_STOPPED = """{
  "type": "streaming_session_stopped",
  "session": {
    "session_id": "uuid-string",
    "stopped_at": "2025-10-05T16:00:00Z",
    "duration_seconds": 23400,
    "total_patterns": 1250,
    "total_indicators": 45000
  }
}"""

_PATTERN = """{
  "type": "streaming_pattern",
  "detection": {
    "symbol": "NVDA",
    "pattern_type": "Doji",
    "confidence": 0.85,
    "timestamp": "2025-10-05T10:15:00Z",
    "timeframe": "1min",
    "bar_data": {
      "open": 125.50,
      "high": 125.75,
      "low": 125.45,
      "close": 125.52,
      "volume": 250000
    }
  }
}"""

_INDICATOR = """{
  "type": "streaming_indicator",
  "calculation": {
    "symbol": "TSLA",
    "indicator": "RSI",
    "value": 72.5,
    "timestamp": "2025-10-05T10:15:00Z",
    "timeframe": "1min",
    "metadata": {
      "period": 14,
      "overbought_threshold": 70,
      "oversold_threshold": 30
    }
  }
}"""

_INDICATOR_ALERT = """{
  "type": "indicator_alert",
  "alert": {
    "symbol": "AAPL",
    "alert_type": "RSI_OVERBOUGHT",
    "timestamp": "2025-10-05T11:30:00Z",
    "data": {
      "indicator": "RSI",
      "value": 75.2,
      "threshold": 70
    }
  }
}"""

_HEALTH = """{
  "type": "streaming_health",
  "health": {
    "status": "healthy",
    "timestamp": "2025-10-05T10:15:00Z",
    "active_symbols": 485,
    "connection_status": "connected",
    "data_flow": {
      "ticks_per_second": 125.3,
      "bars_per_minute": 480,
      "processing_lag_ms": 45
    },
    "resource_usage": {
      "cpu_percent": 35.2,
      "memory_mb": 512,
      "threads_active": 8
    },
    "issues": []
  }
}"""

_CRITICAL = """{
  "type": "critical_alert",
  "alert": {
    "severity": "critical",
    "message": "WebSocket connection lost",
    "timestamp": "2025-10-05T12:45:00Z",
    "component": "massive_websocket",
    "action_required": "Manual intervention needed"
  }
}"""

_BARS = """{
  "type": "streaming_bars",
  "timeframe": "1min",
  "closed": true,
  "bars": [
    {
      "symbol": "NVDA",
      "timestamp": "2025-10-05T10:15:00Z",
      "open": 125.50,
      "high": 125.75,
      "low": 125.45,
      "close": 125.52,
      "volume": 250000,
      "previous_close": 124.10
    },
    {
      "symbol": "AAPL",
      "timestamp": "2025-10-05T10:15:00Z",
      "open": 227.10,
      "high": 227.35,
      "low": 226.98,
      "close": 227.20,
      "volume": 180000
    }
  ]
}"""


def _by_type(*carried: type[BaseModel]) -> Mapping[str, type[BaseModel]]:
    """Message ``type`` value -> model, each value read from its model's Literal."""
    return {type_of(model): model for model in carried}


_PATTERN_TYPES = _by_type(models.PatternMessage, models.PatternBatchMessage)

#: Every channel, once. The sample of the bars channel, which the plan does not have, is the
#: one docs/producer-contract.md gives.
CHANNEL_SPECS: tuple[ChannelSpec, ...] = (
    ChannelSpec(
        Channel.SESSION_STARTED,
        "streaming_session",
        _by_type(models.SessionStartedMessage),
        _SESSION_STARTED,
    ),
    ChannelSpec(
        Channel.SESSION_STOPPED,
        "streaming_session",
        _by_type(models.SessionStoppedMessage),
        _SESSION_STOPPED,
    ),
    ChannelSpec(Channel.HEALTH, "streaming_health", _by_type(models.HealthMessage), _HEALTH),
    ChannelSpec(
        Channel.PATTERNS_STREAMING,
        "streaming_pattern",
        _PATTERN_TYPES,
        _PATTERN,
        batch_event="streaming_patterns_batch",
    ),
    # the plan's detection has confidence 0.85 >= 0.8
    ChannelSpec(Channel.PATTERNS_DETECTED, "streaming_pattern", _PATTERN_TYPES, _PATTERN),
    ChannelSpec(
        Channel.INDICATORS_STREAMING,
        "streaming_indicator",
        _by_type(models.IndicatorMessage, models.IndicatorBatchMessage),
        _INDICATOR,
    ),
    ChannelSpec(
        Channel.ALERTS_INDICATORS,
        "indicator_alert",
        _by_type(models.IndicatorAlertMessage),
        _INDICATOR_ALERT,
    ),
    ChannelSpec(
        Channel.ALERTS_CRITICAL,
        "critical_alert",
        _by_type(models.CriticalAlertMessage),
        _CRITICAL,
    ),
    ChannelSpec(
        Channel.BARS_STREAMING,
        "streaming_bars",
        _by_type(models.BarsMessage),
        _BARS,
        optional=True,
    ),
)

SPECS: dict[Channel, ChannelSpec] = {spec.channel: spec for spec in CHANNEL_SPECS}

ALL_CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)
#: The channels a producer may leave silent and still keep the contract.
OPTIONAL_CHANNELS: frozenset[Channel] = frozenset(s.channel for s in CHANNEL_SPECS if s.optional)

#: The Socket.IO event a single (unbatched) message of each channel becomes.
CHANNEL_EVENT: dict[Channel, str] = {spec.channel: spec.event for spec in CHANNEL_SPECS}

#: Socket.IO event names the dashboard listens for (the plan's names).
SOCKET_EVENTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        name
        for spec in CHANNEL_SPECS
        for name in (spec.event, spec.batch_event)
        if name is not None
    )
)

#: Message ``type`` values each channel may carry, and the model for each.
CHANNEL_TYPES: dict[Channel, Mapping[str, type[BaseModel]]] = {
    spec.channel: spec.types for spec in CHANNEL_SPECS
}


def channel_from_name(name: str) -> Channel:
    """The channel called ``name``; ``ValueError`` listing the valid names otherwise."""
    try:
        return Channel(name)
    except ValueError:
        valid = ", ".join(ALL_CHANNELS)
        raise ValueError(f"unknown channel {name!r}; valid channels: {valid}") from None
