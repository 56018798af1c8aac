"""Timestamps read and written by the contract: UTC with ``Z`` out; ``Z``, offsets and (unless
a zone is required) zone-less text, read as UTC, in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickstock.contract import format_timestamp, parse_timestamp
from tickstock.errors import TimestampError

AT = datetime(2025, 10, 5, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2025-10-05T10:15:00Z",
        "2025-10-05T10:15:00z",
        "2025-10-05T10:15:00+00:00",
        "2025-10-05T12:15:00+02:00",
        "2025-10-05T06:15:00-04:00",
        "2025-10-05 10:15:00Z",
        " 2025-10-05T10:15:00Z ",
    ],
)
def test_z_and_offsets_are_read_as_the_same_instant_in_utc(text: str) -> None:
    moment = parse_timestamp(text)
    assert moment == AT
    assert moment.tzinfo is UTC


@pytest.mark.parametrize("text", ["2025-10-05T10:15:00", "2025-10-05T10:15", "2025-10-05 10:15"])
def test_a_zone_less_time_is_utc_the_contracts_zone(text: str) -> None:
    assert parse_timestamp(text) == AT


@pytest.mark.parametrize("text", ["2025-10-05T10:15:00", "2025-10-05"])
def test_a_zone_less_time_is_refused_where_a_zone_is_required(text: str) -> None:
    with pytest.raises(TimestampError) as caught:
        parse_timestamp(text, zone_required=True)
    assert caught.value.kind == "zoneless"
    assert "has no time zone" in str(caught.value)


@pytest.mark.parametrize("text", ["", "yesterday", "1759659300", "2025-13-05T10:15:00Z", "10:15"])
def test_text_that_is_not_iso_8601_is_refused_as_a_value_error(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_timestamp(text)
    assert isinstance(caught.value, TimestampError) and caught.value.kind == "not_iso"
    assert "is not ISO-8601" in str(caught.value)


def test_nanoseconds_are_cut_to_microseconds() -> None:
    moment = parse_timestamp("2025-10-05T10:15:00.123456789Z")
    assert moment == AT + timedelta(microseconds=123456)


def test_formatting_is_utc_with_z_and_milliseconds_only_when_present() -> None:
    assert format_timestamp(AT) == "2025-10-05T10:15:00Z"
    assert format_timestamp(AT + timedelta(milliseconds=250)) == "2025-10-05T10:15:00.250Z"
    assert format_timestamp(AT.astimezone(timezone(timedelta(hours=2)))) == "2025-10-05T10:15:00Z"


@settings(derandomize=True, database=None, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]),
    )
)
def test_what_is_formatted_reads_back_as_the_same_instant_to_the_millisecond(when) -> None:
    when = when.replace(microsecond=when.microsecond // 1000 * 1000)
    assert parse_timestamp(format_timestamp(when)) == when
