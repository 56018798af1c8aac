"""Live sessions follow the XNYS calendar: holidays, half days, regular or extended hours."""

from __future__ import annotations

from datetime import date
from datetime import time as time_of_day

import pytest
from pydantic import SecretStr

from tickstock.engine.clock import new_york_datetime
from tickstock.engine.config import EngineConfig, LiveFeedConfig
from tickstock.engine.sources.live import LiveSource


class NoConnection:
    async def run(self, feed: LiveSource) -> None:  # pragma: no cover - never started
        raise AssertionError("not connected in these tests")

    async def close(self) -> None:  # pragma: no cover
        return None


def source(extended_hours: bool = False) -> LiveSource:
    live = LiveFeedConfig(
        provider="massive",
        symbols=("AAPL",),
        api_key=SecretStr("k"),
        extended_hours=extended_hours,
    )
    return LiveSource(EngineConfig(redis_url="redis://unused", live=live), NoConnection())


def minute(day: date, hh: int, mm: int) -> int:
    return int(new_york_datetime(day, time_of_day(hh, mm)).timestamp())


MONDAY = date(2025, 3, 3)
INDEPENDENCE_DAY = date(2025, 7, 4)
BLACK_FRIDAY = date(2025, 11, 28)  # the NYSE closes at 13:00


@pytest.mark.parametrize(
    ("day", "hh", "mm", "inside"),
    [
        (MONDAY, 9, 29, False),  # pre-market
        (MONDAY, 9, 30, True),
        (MONDAY, 15, 59, True),
        (MONDAY, 16, 0, False),  # after hours
        (INDEPENDENCE_DAY, 10, 0, False),  # a holiday has no session
        (date(2025, 3, 8), 10, 0, False),  # a Saturday
        (BLACK_FRIDAY, 12, 59, True),
        (BLACK_FRIDAY, 13, 0, False),  # a half day closes at 13:00
    ],
)
def test_regular_hours(day: date, hh: int, mm: int, inside: bool) -> None:
    assert (source()._bounds(minute(day, hh, mm)) is not None) is inside


def test_a_half_days_session_closes_at_13() -> None:
    bounds = source()._bounds(minute(BLACK_FRIDAY, 10, 0))
    assert bounds is not None
    assert bounds[1] == new_york_datetime(BLACK_FRIDAY, time_of_day(13, 0))


@pytest.mark.parametrize(
    ("hh", "mm", "inside"),
    [(3, 59, False), (4, 0, True), (9, 29, True), (16, 30, True), (19, 59, True), (20, 0, False)],
)
def test_extended_hours_stream_pre_market_and_after_hours(hh: int, mm: int, inside: bool) -> None:
    assert (source(extended_hours=True)._bounds(minute(MONDAY, hh, mm)) is not None) is inside


def test_extended_hours_still_follow_holidays() -> None:
    assert source(extended_hours=True)._bounds(minute(INDEPENDENCE_DAY, 10, 0)) is None
