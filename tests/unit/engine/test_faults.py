"""The --fault parser and when a fault is active."""

from __future__ import annotations

from datetime import datetime
from datetime import time as time_of_day

import pytest

from tickstock.engine.clock import NEW_YORK
from tickstock.engine.faults import FaultKind, FaultSchedule, parse_fault


@pytest.mark.parametrize(
    ("text", "kind", "start", "seconds"),
    [
        ("feed-gap@10:45+90s", FaultKind.FEED_GAP, time_of_day(10, 45), 90),
        ("db-down@11:00+60s", FaultKind.DB_DOWN, time_of_day(11, 0), 60),
        ("lag@11:30+30", FaultKind.LAG, time_of_day(11, 30), 30),
        ("lag@9:31+2m", FaultKind.LAG, time_of_day(9, 31), 120),
    ],
)
def test_faults_parse(text: str, kind: FaultKind, start: time_of_day, seconds: float) -> None:
    fault = parse_fault(text)
    assert (fault.kind, fault.start, fault.duration_seconds) == (kind, start, seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feed-gap@10:45", "KIND@HH:MM+DURATION"),
        ("disk-full@10:45+5s", "unknown fault kind 'disk-full'"),
        ("lag@25:00+5s", "not a time of day"),
        ("lag@10:00+0s", "must be positive"),
        ("", "KIND@HH:MM+DURATION"),
    ],
)
def test_bad_faults_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("+", r"\+")):
        parse_fault(text)


def test_a_fault_is_active_from_its_start_for_its_duration_in_new_york_time() -> None:
    schedule = FaultSchedule([parse_fault("feed-gap@10:45+90s")])
    at = lambda h, m, s: datetime(2025, 3, 3, h, m, s, tzinfo=NEW_YORK)  # noqa: E731
    assert not schedule.active(FaultKind.FEED_GAP, at(10, 44, 59))
    assert schedule.active(FaultKind.FEED_GAP, at(10, 45, 0))
    assert schedule.active(FaultKind.FEED_GAP, at(10, 46, 29))
    assert not schedule.active(FaultKind.FEED_GAP, at(10, 46, 30))
    assert not schedule.active(FaultKind.DB_DOWN, at(10, 45, 30))
