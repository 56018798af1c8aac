"""The NYSE calendar (holidays, early closes) and the simulated clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from datetime import time as time_of_day

import pytest

from tickstock.engine.clock import NEW_YORK, MarketCalendar, SimulatedClock, parse_hhmm


@pytest.fixture(scope="module")
def calendar() -> MarketCalendar:
    return MarketCalendar()


def test_a_regular_day_trades_from_0930_to_1600_new_york(calendar: MarketCalendar) -> None:
    session = calendar.session_on(date(2025, 3, 3))
    assert session is not None
    assert session.open.astimezone(NEW_YORK).time() == time_of_day(9, 30)
    assert session.close.astimezone(NEW_YORK).time() == time_of_day(16, 0)
    assert session.seconds == 23_400 and not session.early_close


def test_christmas_and_weekends_have_no_session(calendar: MarketCalendar) -> None:
    assert calendar.session_on(date(2025, 12, 25)) is None
    assert calendar.session_on(date(2025, 3, 1)) is None  # a Saturday
    assert calendar.next_session(date(2025, 12, 24)).day == date(2025, 12, 26)


def test_the_day_after_thanksgiving_closes_early_at_1300(calendar: MarketCalendar) -> None:
    session = calendar.session_on(date(2025, 11, 28))
    assert session is not None and session.early_close
    assert session.close.astimezone(NEW_YORK).time() == time_of_day(13, 0)


def test_summer_time_moves_the_open_in_utc(calendar: MarketCalendar) -> None:
    winter = calendar.session_on(date(2025, 3, 7))
    summer = calendar.session_on(date(2025, 3, 10))
    assert winter is not None and summer is not None
    assert winter.open.hour == 14 and summer.open.hour == 13


def test_simulated_clock_runs_at_its_speed() -> None:
    real = [100.0]
    start = datetime(2025, 3, 3, 14, 29, tzinfo=UTC)
    clock = SimulatedClock(start, speed=26, monotonic=lambda: real[0])
    real[0] += 10
    assert clock.now() == start.timestamp() + 260
    assert clock.real_seconds_until(start.timestamp() + 520) == pytest.approx(10)
    assert clock.real_moment_of(start.timestamp() + 26) == pytest.approx(101.0)


def test_jump_moves_simulated_time_without_waiting() -> None:
    real = [0.0]
    clock = SimulatedClock(datetime(2025, 3, 3, 21, 0, tzinfo=UTC), 26, lambda: real[0])
    target = datetime(2025, 3, 4, 14, 29, tzinfo=UTC)
    clock.jump_to(target)
    assert clock.now() == target.timestamp()


def test_parse_hhmm_accepts_times_and_names_the_form_on_error() -> None:
    assert parse_hhmm("09:29") == time_of_day(9, 29)
    with pytest.raises(ValueError, match="09:29"):
        parse_hhmm("9h29")
    with pytest.raises(ValueError):
        parse_hhmm("25:00")
