"""Pydantic models of the 9 payloads: the plan's field names plus docs/producer-contract.md.

Both the engine (to build messages) and the app (to validate them) use these models, so
an external producer written from the plan meets exactly the rules our own engine keeps.
Unknown extra fields are ignored; every string is cleaned of control characters so that
what reaches a browser is plain text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tickstock.contract import limits, normalise
from tickstock.contract.timestamps import format_timestamp

_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def clean_text(value: str) -> str:
    """Drop control and bidi-override characters, then NFC-normalise; markup stays literal.

    Dropping first keeps the function idempotent: a zero-width character between a letter and
    its combining accent would otherwise block composition and leave a non-NFC result.
    """
    if value.isascii() and value.isprintable():  # the usual case: nothing to drop or compose
        return value.strip()
    return unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()


_ISO_DATE_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _iso_text_only(value: Any) -> Any:
    """On the wire a timestamp is ISO-8601 text; epoch numbers (seconds? ms?) are ambiguous."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
        raise ValueError("timestamp must be ISO-8601 text such as 2025-10-05T10:15:00Z")
    return value


def _to_utc(value: datetime) -> datetime:
    """UTC at millisecond precision: the precision of the wire, so a round trip is exact."""
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00
        raise ValueError("timestamp is out of range once converted to UTC") from None
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text_only),
    BeforeValidator(normalise.zoneless_timestamp),
    AfterValidator(_to_utc),
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
]
Text = Annotated[
    str,
    AfterValidator(clean_text),
    StringConstraints(min_length=1, max_length=limits.MAX_TEXT),
]
OptionalText = Annotated[
    str, AfterValidator(clean_text), StringConstraints(max_length=limits.MAX_TEXT)
]
# The ``normalise`` validators act only when ``parse`` validates in tolerant mode; models
# built directly (by the engine) or validated strictly keep the canonical rules alone.
Symbol = Annotated[
    str,
    StringConstraints(pattern=limits.SYMBOL_PATTERN),
    BeforeValidator(normalise.symbol_case),
]
SessionId = Annotated[str, StringConstraints(pattern=limits.SESSION_ID_PATTERN)]
Timeframe = Annotated[
    str,
    StringConstraints(pattern=limits.TIMEFRAME_PATTERN),
    BeforeValidator(normalise.timeframe_alias),
]
Number = Annotated[float, Field(strict=True)]
NonNegative = Annotated[float, Field(strict=True, ge=0)]
Count = Annotated[int, Field(strict=True, ge=0), BeforeValidator(normalise.integral_float)]
Confidence = Annotated[
    float, Field(strict=True, ge=0, le=1), BeforeValidator(normalise.confidence_percent)
]
ShortKey = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")
]


class ContractModel(BaseModel):
    """Common rules: extra fields ignored, no NaN/Infinity, models immutable."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, frozen=True)


# --- sessions -------------------------------------------------------------------------


class SessionStart(ContractModel):
    session_id: SessionId
    universe: Text
    started_at: Timestamp
    symbol_count: Count
    status: Literal["active"] = "active"


class SessionStop(ContractModel):
    session_id: SessionId
    stopped_at: Timestamp
    duration_seconds: NonNegative
    total_patterns: Count
    total_indicators: Count


class SessionStartedMessage(ContractModel):
    type: Literal["streaming_session_started"]
    session: SessionStart


class SessionStoppedMessage(ContractModel):
    type: Literal["streaming_session_stopped"]
    session: SessionStop


# --- patterns -------------------------------------------------------------------------


class BarData(ContractModel):
    """One OHLCV bar; inconsistent bars (low above open, ...) are rejected."""

    open: NonNegative
    high: NonNegative
    low: NonNegative
    close: NonNegative
    volume: Count

    @model_validator(mode="after")
    def _consistent(self) -> BarData:
        if self.low > min(self.open, self.close):
            raise ValueError("low must be <= min(open, close)")
        if self.high < max(self.open, self.close):
            raise ValueError("high must be >= max(open, close)")
        return self


class PatternDetection(ContractModel):
    symbol: Symbol
    pattern_type: Text
    confidence: Confidence
    timestamp: Timestamp
    timeframe: Timeframe
    bar_data: BarData

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """(symbol, pattern_type, timeframe, timestamp): one detection however often seen."""
        return (self.symbol, self.pattern_type, self.timeframe, format_timestamp(self.timestamp))


class PatternMessage(ContractModel):
    type: Literal["streaming_pattern"]
    detection: PatternDetection


class PatternBatchMessage(ContractModel):
    type: Literal["streaming_patterns_batch"]
    detections: Annotated[list[PatternDetection], Field(min_length=1, max_length=limits.MAX_BATCH)]


# --- indicators -----------------------------------------------------------------------

MetadataValue = (
    Annotated[str, AfterValidator(clean_text), StringConstraints(max_length=limits.MAX_TEXT)]
    | bool
    | int
    | float
    | None
)

#: Which line of a multi-valued indicator is its main ``value`` when only lines are given.
MAIN_LINE = ("value", "macd", "middle", "rsi", "main")


class IndicatorCalculation(ContractModel):
    """A value for single-line indicators (RSI); main line + ``values`` for MACD or BB.

    A producer that sends ``value`` as an object of lines is accepted too: the lines move to
    ``values`` and the main line becomes ``value`` - so nothing ever renders as ``{}``.
    """

    symbol: Symbol
    indicator: Text
    value: Number
    values: Annotated[dict[ShortKey, Number], Field(max_length=limits.MAX_VALUES)] | None = None
    timestamp: Timestamp
    timeframe: Timeframe
    metadata: (
        Annotated[dict[ShortKey, MetadataValue], Field(max_length=limits.MAX_METADATA_KEYS)] | None
    ) = None

    @model_validator(mode="before")
    @classmethod
    def _value_object_to_lines(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and isinstance(data.get("value"), dict):
            lines = data["value"]
            if not lines:
                raise ValueError("value is an empty object; give a number or its lines")
            normalise.note(info, "value_object", "value", "{...}", "value + values")
            main = next((lines[k] for k in MAIN_LINE if k in lines), next(iter(lines.values())))
            given = data.get("values")
            data = {
                **data,
                "value": main,
                "values": {**lines, **given} if isinstance(given, dict) else given or lines,
            }
        return data


class IndicatorMessage(ContractModel):
    type: Literal["streaming_indicator"]
    calculation: IndicatorCalculation


class IndicatorBatchMessage(ContractModel):
    type: Literal["streaming_indicators_batch"]
    calculations: Annotated[
        list[IndicatorCalculation], Field(min_length=1, max_length=limits.MAX_BATCH)
    ]


class AlertData(ContractModel):
    indicator: Text
    value: Number
    threshold: Number | None = None


AlertType = Literal[
    "RSI_OVERBOUGHT",
    "RSI_OVERSOLD",
    "MACD_BULLISH_CROSS",
    "MACD_BEARISH_CROSS",
    "BB_UPPER_BREAK",
    "BB_LOWER_BREAK",
]
#: The alert types as a tuple (API parameters, the engine's rules), read from ``AlertType``.
ALERT_TYPES: tuple[str, ...] = get_args(AlertType)


class IndicatorAlert(ContractModel):
    symbol: Symbol
    alert_type: AlertType
    timestamp: Timestamp
    data: AlertData


class IndicatorAlertMessage(ContractModel):
    type: Literal["indicator_alert"]
    alert: IndicatorAlert


# --- health and critical alerts -------------------------------------------------------


class DataFlow(ContractModel):
    ticks_per_second: NonNegative
    bars_per_minute: NonNegative
    processing_lag_ms: NonNegative


class ResourceUsage(ContractModel):
    cpu_percent: NonNegative
    memory_mb: NonNegative
    threads_active: Count


class Health(ContractModel):
    status: Literal["healthy", "warning", "critical"]
    timestamp: Timestamp
    active_symbols: Count
    connection_status: Literal["connected", "degraded", "disconnected"]
    data_flow: DataFlow
    resource_usage: ResourceUsage
    issues: Annotated[list[Text], Field(max_length=limits.MAX_ISSUES)] = []

    @field_validator("issues", mode="before")
    @classmethod
    def _issue_objects_to_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [i.get("message") if isinstance(i, dict) else i for i in value]
        return value


class HealthMessage(ContractModel):
    type: Literal["streaming_health"]
    health: Health


Severity = Literal["warning", "error", "critical"]
#: The severities as a tuple (API parameters), read from ``Severity``.
SEVERITIES: tuple[str, ...] = get_args(Severity)


class CriticalAlert(ContractModel):
    """A system failure; ``resolved: true`` with the same component is its recovery."""

    severity: Severity
    message: Text
    timestamp: Timestamp
    component: Text
    action_required: OptionalText | None = None
    resolved: Annotated[bool, Field(strict=True)] = False


class CriticalAlertMessage(ContractModel):
    type: Literal["critical_alert"]
    alert: CriticalAlert


# --- prices (the optional ninth channel) ---------------------------------------------


class Bar(BarData):
    """One symbol's bar of ``timeframe`` starting at ``timestamp``.

    ``previous_close`` is the symbol's close at the end of the previous session, when the
    producer knows it: the reference of a day's change.
    """

    symbol: Symbol
    timestamp: Timestamp
    previous_close: NonNegative | None = None


class BarsMessage(ContractModel):
    """Closed bars (``closed: true``: final, one batch per minute) or forming bars
    (``closed: false``: the minute so far, at most once a second per symbol)."""

    type: Literal["streaming_bars"]
    timeframe: Timeframe
    closed: Annotated[bool, Field(strict=True)]
    bars: Annotated[list[Bar], Field(min_length=1, max_length=limits.MAX_BARS_BATCH)]


Message = (
    SessionStartedMessage
    | SessionStoppedMessage
    | PatternMessage
    | PatternBatchMessage
    | IndicatorMessage
    | IndicatorBatchMessage
    | IndicatorAlertMessage
    | HealthMessage
    | CriticalAlertMessage
    | BarsMessage
)
