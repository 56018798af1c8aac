"""Properties: every valid model survives the wire; no input makes ``parse`` raise otherwise."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
from contract_messages import plan_sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tickstock.contract import (
    MAX_BATCH,
    AlertData,
    BarData,
    Channel,
    ContractError,
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
    PatternBatchMessage,
    PatternDetection,
    PatternMessage,
    ResourceUsage,
    SessionStart,
    SessionStartedMessage,
    SessionStop,
    SessionStoppedMessage,
    encode,
    parse,
)
from tickstock.contract.limits import MAX_TEXT
from tickstock.contract.models import ALERT_TYPES, clean_text

# Deterministic: the same examples on every run and machine, no example database.
DETERMINISTIC = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)

# --- strategies built from the contract's rules ---------------------------------------

symbols = st.from_regex(r"\A[A-Z][A-Z0-9.\-]{0,9}\Z")
session_ids = st.from_regex(r"\A[A-Za-z0-9_.:\-]{1,64}\Z")
timeframes = st.from_regex(r"\A[0-9]{1,4}(s|min|h|d|w)\Z")
short_keys = st.from_regex(r"\A[A-Za-z0-9_.\-]{1,32}\Z")
# Letters, accents, markup, controls and bidi overrides: the producer's text before cleaning.
raw_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from("<>&\"'\x00\x07\x1b\x7f\u200b\u202e\u2066\u0301 \t\n"),
    ),
    max_size=MAX_TEXT,
)
texts = raw_text.filter(lambda s: 1 <= len(clean_text(s)) <= MAX_TEXT)
optional_texts = raw_text.filter(lambda s: len(clean_text(s)) <= MAX_TEXT)
offsets = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
)
timestamps = st.datetimes(
    min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
)
numbers = st.floats(allow_nan=False, allow_infinity=False)
non_negative = st.floats(min_value=0, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=2**63 - 1)
confidences = st.floats(min_value=0, max_value=1)


@st.composite
def bars(draw: st.DrawFn) -> BarData:
    open_, close = draw(non_negative), draw(non_negative)
    low = draw(st.floats(min_value=0, max_value=min(open_, close)))
    high = draw(st.floats(min_value=max(open_, close), allow_infinity=False))
    return BarData(open=open_, high=high, low=low, close=close, volume=draw(counts))


def detections(confidence: st.SearchStrategy[float] = confidences) -> st.SearchStrategy[Any]:
    return st.builds(
        PatternDetection,
        symbol=symbols,
        pattern_type=texts,
        confidence=confidence,
        timestamp=timestamps,
        timeframe=timeframes,
        bar_data=bars(),
    )


metadata_values = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), numbers, optional_texts
)
calculations = st.builds(
    IndicatorCalculation,
    symbol=symbols,
    indicator=texts,
    value=numbers,
    values=st.none() | st.dictionaries(short_keys, numbers, max_size=16),
    timestamp=timestamps,
    timeframe=timeframes,
    metadata=st.none() | st.dictionaries(short_keys, metadata_values, max_size=32),
)
health = st.builds(
    Health,
    status=st.sampled_from(["healthy", "warning", "critical"]),
    timestamp=timestamps,
    active_symbols=counts,
    connection_status=st.sampled_from(["connected", "degraded", "disconnected"]),
    data_flow=st.builds(
        DataFlow,
        ticks_per_second=non_negative,
        bars_per_minute=non_negative,
        processing_lag_ms=non_negative,
    ),
    resource_usage=st.builds(
        ResourceUsage, cpu_percent=non_negative, memory_mb=non_negative, threads_active=counts
    ),
    issues=st.lists(texts, max_size=5),
)
critical_alerts = st.builds(
    CriticalAlert,
    severity=st.sampled_from(["warning", "error", "critical"]),
    message=texts,
    timestamp=timestamps,
    component=texts,
    action_required=st.none() | optional_texts,
    resolved=st.booleans(),
)
indicator_alerts = st.builds(
    IndicatorAlert,
    symbol=symbols,
    alert_type=st.sampled_from(ALERT_TYPES),
    timestamp=timestamps,
    data=st.builds(AlertData, indicator=texts, value=numbers, threshold=st.none() | numbers),
)
session_starts = st.builds(
    SessionStart,
    session_id=session_ids,
    universe=texts,
    started_at=timestamps,
    symbol_count=counts,
)
session_stops = st.builds(
    SessionStop,
    session_id=session_ids,
    stopped_at=timestamps,
    duration_seconds=non_negative,
    total_patterns=counts,
    total_indicators=counts,
)

#: Every kind of valid message, with the channel that carries it.
channel_messages = st.one_of(
    st.tuples(
        st.just(Channel.SESSION_STARTED),
        st.builds(
            SessionStartedMessage, type=st.just("streaming_session_started"), session=session_starts
        ),
    ),
    st.tuples(
        st.just(Channel.SESSION_STOPPED),
        st.builds(
            SessionStoppedMessage, type=st.just("streaming_session_stopped"), session=session_stops
        ),
    ),
    st.tuples(
        st.just(Channel.PATTERNS_STREAMING),
        st.builds(PatternMessage, type=st.just("streaming_pattern"), detection=detections()),
    ),
    st.tuples(
        st.sampled_from([Channel.PATTERNS_STREAMING, Channel.PATTERNS_DETECTED]),
        st.builds(
            PatternBatchMessage,
            type=st.just("streaming_patterns_batch"),
            detections=st.lists(
                detections(st.floats(min_value=0.8, max_value=1)), min_size=1, max_size=MAX_BATCH
            ),
        ),
    ),
    st.tuples(
        st.just(Channel.PATTERNS_DETECTED),
        st.builds(
            PatternMessage,
            type=st.just("streaming_pattern"),
            detection=detections(st.floats(min_value=0.8, max_value=1)),
        ),
    ),
    st.tuples(
        st.just(Channel.INDICATORS_STREAMING),
        st.builds(IndicatorMessage, type=st.just("streaming_indicator"), calculation=calculations),
    ),
    st.tuples(
        st.just(Channel.INDICATORS_STREAMING),
        st.builds(
            IndicatorBatchMessage,
            type=st.just("streaming_indicators_batch"),
            calculations=st.lists(calculations, min_size=1, max_size=5),
        ),
    ),
    st.tuples(
        st.just(Channel.ALERTS_INDICATORS),
        st.builds(IndicatorAlertMessage, type=st.just("indicator_alert"), alert=indicator_alerts),
    ),
    st.tuples(
        st.just(Channel.HEALTH),
        st.builds(HealthMessage, type=st.just("streaming_health"), health=health),
    ),
    st.tuples(
        st.just(Channel.ALERTS_CRITICAL),
        st.builds(CriticalAlertMessage, type=st.just("critical_alert"), alert=critical_alerts),
    ),
)


@DETERMINISTIC
@given(channel_messages)
def test_every_valid_message_survives_the_wire(channel_message: tuple[Channel, Any]) -> None:
    channel, message = channel_message
    assert parse(channel, encode(message)) == message


@DETERMINISTIC
@given(texts)
def test_cleaning_text_twice_changes_nothing(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)


# --- hostile input --------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | numbers | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
channels = st.sampled_from(list(Channel))


def _parse_or_contract_error(channel: str, raw: bytes | str) -> None:
    try:
        parse(channel, raw)
    except ContractError:
        pass


@DETERMINISTIC
@given(channels, st.binary(max_size=300))
def test_random_bytes_raise_nothing_but_contract_error(channel: Channel, raw: bytes) -> None:
    _parse_or_contract_error(channel, raw)


@DETERMINISTIC
@given(channels, json_values)
def test_random_json_raises_nothing_but_contract_error(channel: Channel, value: Any) -> None:
    try:
        raw = orjson.dumps(value)
    except orjson.JSONEncodeError:  # ints beyond 64 bits cannot be encoded; not our concern
        return
    _parse_or_contract_error(channel, raw)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    return found


@DETERMINISTIC
@given(channels, st.data())
def test_a_sample_with_any_field_replaced_raises_nothing_but_contract_error(
    channel: Channel, data: st.DataObject
) -> None:
    message = plan_sample(channel)
    path = data.draw(st.sampled_from(_paths(message)[1:]))
    replacement = data.draw(json_values | st.just({"macd": 1.0}) | st.just([{"message": 1}]))
    target = message
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = replacement
    try:
        raw = orjson.dumps(message)
    except orjson.JSONEncodeError:
        return
    _parse_or_contract_error(channel, raw)


@DETERMINISTIC
@given(channels, st.text(alphabet=st.characters(codec=None), max_size=200))
def test_random_text_raises_nothing_but_contract_error(channel: Channel, raw: str) -> None:
    # Lone surrogates included: a str from Python code may hold them, bytes from Redis cannot.
    _parse_or_contract_error(channel, raw)


@DETERMINISTIC
@given(st.text(max_size=80) | json_values.map(repr))
def test_an_unknown_channel_raises_a_contract_error(name: str) -> None:
    try:
        parse(name, b"{}")
    except ContractError as error:
        assert error.kind in {"unknown_channel", "type"}


@DETERMINISTIC
@given(raw_text)
def test_plain_ascii_shortcut_cleans_exactly_like_the_full_rules(text: str) -> None:
    """``clean_text`` skips the regex and NFC for printable ASCII: same result either way."""
    from tickstock.contract.models import _CONTROL

    full = unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()
    assert clean_text(text) == full
    ascii_only = text.encode("ascii", "ignore").decode()
    assert (
        clean_text(ascii_only) == unicodedata.normalize("NFC", _CONTROL.sub("", ascii_only)).strip()
    )


@DETERMINISTIC
@given(st.datetimes(timezones=offsets), st.integers(min_value=0, max_value=3))
def test_cached_timestamp_formatting_equals_fresh_formatting(when: datetime, repeat: int) -> None:
    """The formatting cache is keyed by instant: equal instants in other offsets, same text."""
    from tickstock.contract.timestamps import _format_timestamp, format_timestamp

    when = when.replace(microsecond=when.microsecond // 1000 * 1000)
    expected = _format_timestamp(when)
    for _ in range(repeat + 1):
        assert format_timestamp(when) == expected
        assert format_timestamp(when.astimezone(UTC)) == expected
    assert expected.endswith("Z")


def test_timestamp_formatting_cache_stays_bounded() -> None:
    from tickstock.contract import timestamps

    start = datetime(2025, 10, 5, 13, 30, tzinfo=UTC)
    for minute in range(timestamps._FORMATTED_MAX * 2 + 10):
        timestamps.format_timestamp(start + timedelta(minutes=minute))
    assert len(timestamps._FORMATTED) <= timestamps._FORMATTED_MAX
