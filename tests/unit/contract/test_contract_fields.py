"""Field rules: timestamps, symbols, confidence, text, bars, indicator values, enums, ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from contract_messages import DROP, accepted, plan_sample, rejected, with_body

from tickstock.contract import Channel, to_wire

PATTERNS = Channel.PATTERNS_STREAMING
INDICATORS = Channel.INDICATORS_STREAMING
ALERTS = Channel.ALERTS_INDICATORS
HEALTH = Channel.HEALTH
CRITICAL = Channel.ALERTS_CRITICAL
STARTED = Channel.SESSION_STARTED
STOPPED = Channel.SESSION_STOPPED


# --- timestamps -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2025-10-05T10:15:00Z", datetime(2025, 10, 5, 10, 15, tzinfo=UTC)),
        ("2025-10-05T10:15:00.250Z", datetime(2025, 10, 5, 10, 15, 0, 250_000, tzinfo=UTC)),
        ("2025-10-05T12:15:00+02:00", datetime(2025, 10, 5, 10, 15, tzinfo=UTC)),
        ("2025-10-05T05:15:00-05:00", datetime(2025, 10, 5, 10, 15, tzinfo=UTC)),
        ("2025-10-05T10:15:00.000+00:00", datetime(2025, 10, 5, 10, 15, tzinfo=UTC)),
    ],
)
def test_timestamps_are_read_as_utc(written: str, utc: datetime) -> None:
    detection = accepted(PATTERNS, with_body(PATTERNS, timestamp=written)).detection
    assert detection.timestamp == utc
    assert detection.timestamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_an_offset_timestamp_is_written_back_in_utc_with_z() -> None:
    message = accepted(PATTERNS, with_body(PATTERNS, timestamp="2025-10-05T12:15:00+02:00"))
    assert to_wire(message)["detection"]["timestamp"] == "2025-10-05T10:15:00Z"


def test_fractional_seconds_are_kept_to_the_millisecond() -> None:
    message = accepted(PATTERNS, with_body(PATTERNS, timestamp="2025-10-05T10:15:00.123456Z"))
    assert to_wire(message)["detection"]["timestamp"] == "2025-10-05T10:15:00.123Z"


@pytest.mark.parametrize(
    ("channel", "field"),
    [
        (PATTERNS, "timestamp"),
        (INDICATORS, "timestamp"),
        (ALERTS, "timestamp"),
        (HEALTH, "timestamp"),
        (CRITICAL, "timestamp"),
        (STARTED, "started_at"),
        (STOPPED, "stopped_at"),
    ],
)
def test_a_naive_timestamp_is_rejected_on_every_channel(channel: Channel, field: str) -> None:
    error = rejected(channel, with_body(channel, **{field: "2025-10-05T10:15:00"}))
    body = next(k for k in plan_sample(channel) if k != "type")
    assert error.field == f"{body}.{field}"
    assert "timezone" in error.reason


@pytest.mark.parametrize(
    "written",
    [1759659300, 1759659300.5, "1759659300", "2025-10-05", "10:15:00Z", "yesterday", "", None],
)
def test_a_timestamp_that_is_not_iso_8601_date_time_is_rejected(written: object) -> None:
    error = rejected(PATTERNS, with_body(PATTERNS, timestamp=written))
    assert error.field == "detection.timestamp"


def test_a_timestamp_out_of_range_once_in_utc_is_rejected() -> None:
    error = rejected(CRITICAL, with_body(CRITICAL, timestamp="9999-12-31T23:59:59-01:00"))
    assert error.field == "alert.timestamp"


# --- symbol ---------------------------------------------------------------------------


@pytest.mark.parametrize("symbol", ["NVDA", "BRK.B", "RDS-A", "A", "ABCDEFGHIJ", "X1"])
def test_exchange_symbols_are_accepted(symbol: str) -> None:
    assert accepted(PATTERNS, with_body(PATTERNS, symbol=symbol)).detection.symbol == symbol


@pytest.mark.parametrize(
    "symbol",
    ["nvda", "<script>", "ABCDEFGHIJK", "", "1ABC", ".A", "NV DA", "NVDA\n", "N\u202eVDA", 7],
)
def test_anything_else_as_a_symbol_is_rejected(symbol: object) -> None:
    error = rejected(PATTERNS, with_body(PATTERNS, symbol=symbol))
    assert (error.field, error.kind) == ("detection.symbol", "invalid")


@pytest.mark.parametrize("channel", [INDICATORS, ALERTS])
def test_the_symbol_rule_holds_on_indicator_channels_too(channel: Channel) -> None:
    error = rejected(channel, with_body(channel, symbol="<img>"))
    assert error.field.endswith(".symbol")


# --- confidence -----------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0, 0.0, 0.5, 1, 1.0])
def test_confidence_from_0_to_1_is_accepted(confidence: float) -> None:
    detection = accepted(PATTERNS, with_body(PATTERNS, confidence=confidence)).detection
    assert detection.confidence == confidence


@pytest.mark.parametrize("confidence", [1.01, -0.1, "0.9", True, None, [0.9]])
def test_confidence_outside_0_1_or_not_a_number_is_rejected(confidence: object) -> None:
    error = rejected(PATTERNS, with_body(PATTERNS, confidence=confidence))
    assert (error.field, error.kind) == ("detection.confidence", "invalid")


# --- free text ------------------------------------------------------------------------

TEXT_FIELDS = [
    (PATTERNS, "pattern_type", "detection.pattern_type"),
    (INDICATORS, "indicator", "calculation.indicator"),
    (CRITICAL, "component", "alert.component"),
    (CRITICAL, "message", "alert.message"),
    (CRITICAL, "action_required", "alert.action_required"),
]


@pytest.mark.parametrize(("channel", "field", "path"), TEXT_FIELDS)
def test_text_fields_of_200_characters_are_accepted(
    channel: Channel, field: str, path: str
) -> None:
    accepted(channel, with_body(channel, **{field: "x" * 200}))


@pytest.mark.parametrize(("channel", "field", "path"), TEXT_FIELDS)
def test_text_fields_over_200_characters_are_rejected(
    channel: Channel, field: str, path: str
) -> None:
    error = rejected(channel, with_body(channel, **{field: "x" * 201}))
    assert (error.field, error.kind) == (path, "invalid")
    assert "200" in error.reason


@pytest.mark.parametrize(("channel", "field", "path"), TEXT_FIELDS[:4])
def test_required_text_fields_may_not_be_blank(channel: Channel, field: str, path: str) -> None:
    assert rejected(channel, with_body(channel, **{field: " \u200b "})).field == path


def test_the_indicator_name_of_an_alert_is_text_up_to_200_characters() -> None:
    alert = plan_sample(ALERTS)
    alert["alert"]["data"]["indicator"] = "x" * 201
    assert rejected(ALERTS, alert).field == "alert.data.indicator"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("Do\x00ji\x07", "Doji"),
        ("\x1b[31mDoji\x1b[0m", "[31mDoji[0m"),
        ("Doji\u202e\u2066evil\u2069\u202c", "Dojievil"),
        ("\u200bDoji\u200f", "Doji"),
        ("Doji\x7f\x9b", "Doji"),
        ("  Doji  ", "Doji"),
        ("\ufeffDo\u061cji\u2028", "Doji"),
    ],
)
def test_control_and_bidi_override_characters_are_stripped(written: str, kept: str) -> None:
    detection = accepted(PATTERNS, with_body(PATTERNS, pattern_type=written)).detection
    assert detection.pattern_type == kept


@pytest.mark.parametrize(
    "markup", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&lt;b&gt;"]
)
def test_markup_is_kept_literally_as_text(markup: str) -> None:
    alert = accepted(CRITICAL, with_body(CRITICAL, message=markup)).alert
    assert alert.message == markup


def test_text_is_nfc_normalised() -> None:
    component = accepted(CRITICAL, with_body(CRITICAL, component="cafe\u0301")).alert.component
    assert component == "caf\u00e9"


# --- bar_data -------------------------------------------------------------------------


def _bar(**changes: object) -> dict[str, object]:
    bar = plan_sample(PATTERNS)["detection"]["bar_data"]  # o 125.50 h 125.75 l 125.45 c 125.52
    return with_body(PATTERNS, bar_data={**bar, **changes})


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"low": 125.51}, "detection.bar_data", "low"),  # low > open
        ({"high": 125.51}, "detection.bar_data", "high"),  # high < close
        ({"low": 125.60, "high": 125.75}, "detection.bar_data", "low"),  # low > close
        ({"open": -1.0}, "detection.bar_data.open", "greater than or equal to 0"),
        ({"close": -0.01}, "detection.bar_data.close", "greater than or equal to 0"),
        ({"volume": 1.5}, "detection.bar_data.volume", "integer"),
        ({"volume": 250000.0}, "detection.bar_data.volume", "integer"),
        ({"volume": -1}, "detection.bar_data.volume", "greater than or equal to 0"),
        ({"volume": True}, "detection.bar_data.volume", "integer"),
        ({"open": "125.50"}, "detection.bar_data.open", "number"),
    ],
)
def test_inconsistent_or_negative_bars_are_rejected(
    changes: dict[str, object], field: str, reason: str
) -> None:
    error = rejected(PATTERNS, _bar(**changes))
    assert error.field == field
    assert reason in error.reason


def test_a_flat_bar_is_consistent() -> None:
    accepted(PATTERNS, _bar(open=10, high=10, low=10, close=10, volume=0))


# --- indicator values -----------------------------------------------------------------


def test_a_single_valued_indicator_carries_a_number() -> None:
    calculation = accepted(INDICATORS, plan_sample(INDICATORS)).calculation
    assert (calculation.value, calculation.values) == (72.5, None)


def test_a_multi_valued_indicator_carries_its_main_line_and_every_line() -> None:
    lines = {"macd": 1.5, "signal": 1.2, "histogram": 0.3}
    message = with_body(INDICATORS, indicator="MACD", value=1.5, values=lines)
    calculation = accepted(INDICATORS, message).calculation
    assert (calculation.value, calculation.values) == (1.5, lines)


@pytest.mark.parametrize(
    ("indicator", "lines", "main"),
    [
        ("MACD", {"macd": 1.5, "signal": 1.2, "histogram": 0.3}, 1.5),
        ("BB", {"upper": 130.0, "middle": 125.0, "lower": 120.0}, 125.0),
        ("STOCH", {"k": 80.0, "d": 75.0}, 80.0),
    ],
)
def test_a_value_given_as_an_object_of_lines_is_normalised(
    indicator: str, lines: dict[str, float], main: float
) -> None:
    message = with_body(INDICATORS, indicator=indicator, value=lines)
    calculation = accepted(INDICATORS, message).calculation
    assert calculation.value == main
    assert calculation.values == lines
    assert to_wire(calculation)["value"] == main


def test_a_value_given_as_an_empty_object_is_rejected() -> None:
    error = rejected(INDICATORS, with_body(INDICATORS, value={}))
    assert error.field == "calculation"
    assert "empty object" in error.reason


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": "72.5"}, "calculation.value"),
        ({"value": None}, "calculation.value"),
        ({"value": DROP}, "calculation.value"),
        ({"value": {"macd": "1.5"}}, "calculation.value"),
        ({"value": 1.0, "values": {"macd": "x"}}, "calculation.values.macd"),
        ({"value": {"macd": 1.0}, "values": [1.0]}, "calculation.values"),
        ({"value": 1.0, "values": {"bad key!": 1.0}}, "calculation.values.bad key!.[key]"),
        ({"metadata": [1]}, "calculation.metadata"),
    ],
)
def test_an_indicator_value_that_is_not_a_number_is_rejected(
    changes: dict[str, object], field: str
) -> None:
    assert rejected(INDICATORS, with_body(INDICATORS, **changes)).field == field


# --- indicator alerts -----------------------------------------------------------------


@pytest.mark.parametrize(
    "alert_type",
    [
        "RSI_OVERBOUGHT",
        "RSI_OVERSOLD",
        "MACD_BULLISH_CROSS",
        "MACD_BEARISH_CROSS",
        "BB_UPPER_BREAK",
        "BB_LOWER_BREAK",
    ],
)
def test_the_six_alert_types_are_accepted(alert_type: str) -> None:
    assert accepted(ALERTS, with_body(ALERTS, alert_type=alert_type)).alert.alert_type == alert_type


@pytest.mark.parametrize("alert_type", ["RSI_HIGH", "rsi_overbought", "", None])
def test_any_other_alert_type_is_rejected(alert_type: object) -> None:
    error = rejected(ALERTS, with_body(ALERTS, alert_type=alert_type))
    assert error.field == "alert.alert_type"


def test_an_alert_without_its_value_is_rejected() -> None:
    error = rejected(ALERTS, with_body(ALERTS, data={"indicator": "RSI", "threshold": 70}))
    assert (error.field, error.kind) == ("alert.data.value", "missing")


# --- health ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["healthy", "warning", "critical"])
def test_the_three_health_statuses_are_accepted(status: str) -> None:
    assert accepted(HEALTH, with_body(HEALTH, status=status)).health.status == status


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "ok"), ("status", "stale"), ("connection_status", "up"), ("status", None)],
)
def test_other_health_statuses_are_rejected(field: str, value: object) -> None:
    assert rejected(HEALTH, with_body(HEALTH, **{field: value})).field == f"health.{field}"


@pytest.mark.parametrize("connection", ["connected", "degraded", "disconnected"])
def test_the_three_connection_statuses_are_accepted(connection: str) -> None:
    health = accepted(HEALTH, with_body(HEALTH, connection_status=connection)).health
    assert health.connection_status == connection


def test_issues_may_be_strings_or_objects_with_a_message() -> None:
    issues = ["lag high", {"message": "feed slow", "code": 17}]
    assert accepted(HEALTH, with_body(HEALTH, issues=issues)).health.issues == [
        "lag high",
        "feed slow",
    ]


@pytest.mark.parametrize(
    ("issues", "field"),
    [
        ([{"code": 17}], "health.issues.0"),
        (["ok", 5], "health.issues.1"),
        ("feed slow", "health.issues"),
        (["x" * 201], "health.issues.0"),
    ],
)
def test_issues_that_are_not_text_are_rejected(issues: object, field: str) -> None:
    assert rejected(HEALTH, with_body(HEALTH, issues=issues)).field == field


def test_negative_health_figures_are_rejected() -> None:
    message = plan_sample(HEALTH)
    message["health"]["data_flow"]["processing_lag_ms"] = -1
    assert rejected(HEALTH, message).field == "health.data_flow.processing_lag_ms"


# --- critical alerts ------------------------------------------------------------------


@pytest.mark.parametrize("severity", ["warning", "error", "critical"])
def test_the_three_severities_are_accepted(severity: str) -> None:
    assert accepted(CRITICAL, with_body(CRITICAL, severity=severity)).alert.severity == severity


@pytest.mark.parametrize("severity", ["info", "fatal", "CRITICAL", 3])
def test_other_severities_are_rejected(severity: object) -> None:
    assert rejected(CRITICAL, with_body(CRITICAL, severity=severity)).field == "alert.severity"


def test_an_alert_is_open_unless_it_says_resolved() -> None:
    assert accepted(CRITICAL, plan_sample(CRITICAL)).alert.resolved is False


def test_a_recovery_is_a_resolved_alert_of_the_same_component() -> None:
    recovery = with_body(CRITICAL, resolved=True, message="WebSocket connection restored")
    alert = accepted(CRITICAL, recovery).alert
    assert (alert.resolved, alert.component) == (True, "massive_websocket")


@pytest.mark.parametrize("resolved", ["true", 1, None])
def test_resolved_must_be_a_boolean(resolved: object) -> None:
    assert rejected(CRITICAL, with_body(CRITICAL, resolved=resolved)).field == "alert.resolved"


def test_action_required_is_optional() -> None:
    accepted(CRITICAL, with_body(CRITICAL, action_required=DROP))


# --- sessions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "session_id",
    ["uuid-string", "3f2b8c1e-9a4d-4b7e-8f00-1c2d3e4f5a6b", "a", "s" * 64, "day:2025-10-05.1_a"],
)
def test_session_ids_of_1_to_64_safe_characters_are_accepted(session_id: str) -> None:
    for channel in (STARTED, STOPPED):
        session = accepted(channel, with_body(channel, session_id=session_id)).session
        assert session.session_id == session_id


@pytest.mark.parametrize("session_id", ["s" * 65, "", "a b", "<id>", "id\n", 42])
def test_other_session_ids_are_rejected(session_id: object) -> None:
    for channel in (STARTED, STOPPED):
        error = rejected(channel, with_body(channel, session_id=session_id))
        assert error.field == "session.session_id"


def test_a_started_session_is_active() -> None:
    assert rejected(STARTED, with_body(STARTED, status="stopped")).field == "session.status"


@pytest.mark.parametrize(
    ("field", "value"),
    [("total_patterns", -1), ("total_indicators", 1.5), ("duration_seconds", -1)],
)
def test_session_totals_are_non_negative_counts(field: str, value: object) -> None:
    assert rejected(STOPPED, with_body(STOPPED, **{field: value})).field == f"session.{field}"
