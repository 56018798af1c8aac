"""The producer contract: channels, payload models, limits, ``parse``, timestamps, and the
Socket.IO events each channel feeds (``contract.events``).

The engine builds messages from these models and the app validates what it receives
with them; nothing else is shared between the two.
"""

from tickstock.contract.channels import (
    ALL_CHANNELS,
    CHANNEL_EVENT,
    OPTIONAL_CHANNELS,
    SOCKET_EVENTS,
    Channel,
    channel_from_name,
)
from tickstock.contract.limits import (
    HIGH_CONFIDENCE,
    MAX_BARS_BATCH,
    MAX_BATCH,
    MAX_MESSAGE_BYTES,
)
from tickstock.contract.models import (
    AlertData,
    Bar,
    BarData,
    BarsMessage,
    CriticalAlert,
    CriticalAlertMessage,
    DataFlow,
    Health,
    HealthMessage,
    IndicatorAlert,
    IndicatorAlertMessage,
    IndicatorBatchMessage,
    IndicatorCalculation,
    IndicatorMessage,
    Message,
    PatternBatchMessage,
    PatternDetection,
    PatternMessage,
    ResourceUsage,
    SessionStart,
    SessionStartedMessage,
    SessionStop,
    SessionStoppedMessage,
)
from tickstock.contract.parse import CHANNEL_TYPES, calculations_of, detections_of, parse
from tickstock.contract.timestamps import format_timestamp, parse_timestamp
from tickstock.contract.wire import encode, to_wire
from tickstock.errors import ContractError, MessageTooLarge

__all__ = [
    "ALL_CHANNELS",
    "CHANNEL_EVENT",
    "CHANNEL_TYPES",
    "HIGH_CONFIDENCE",
    "MAX_BARS_BATCH",
    "MAX_BATCH",
    "MAX_MESSAGE_BYTES",
    "OPTIONAL_CHANNELS",
    "SOCKET_EVENTS",
    "AlertData",
    "Bar",
    "BarData",
    "BarsMessage",
    "Channel",
    "ContractError",
    "CriticalAlert",
    "CriticalAlertMessage",
    "DataFlow",
    "Health",
    "HealthMessage",
    "IndicatorAlert",
    "IndicatorAlertMessage",
    "IndicatorBatchMessage",
    "IndicatorCalculation",
    "IndicatorMessage",
    "Message",
    "MessageTooLarge",
    "PatternBatchMessage",
    "PatternDetection",
    "PatternMessage",
    "ResourceUsage",
    "SessionStart",
    "SessionStartedMessage",
    "SessionStop",
    "SessionStoppedMessage",
    "calculations_of",
    "channel_from_name",
    "detections_of",
    "encode",
    "format_timestamp",
    "parse",
    "parse_timestamp",
    "to_wire",
]
