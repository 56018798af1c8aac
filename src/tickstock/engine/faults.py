"""Fault injection: ``feed-gap@10:45+90s``, ``db-down@11:00+60s``, ``lag@11:30+30s``.

A fault starts at a simulated New York time of day and lasts a number of simulated seconds,
on every simulated day. It lets the demo and the tests show the health and critical-alert
paths on real failures the engine produces itself:

* ``feed-gap``: the feed delivers no ticks (feed lost → critical alert, then recovery);
* ``db-down``: every database write fails as if the server were gone (writes buffer, retry);
* ``lag``: minute processing is held back past ``TICKSTOCK_LAG_CRITICAL_MS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as time_of_day
from enum import StrEnum

from tickstock.engine.clock import NEW_YORK


class FaultKind(StrEnum):
    FEED_GAP = "feed-gap"
    DB_DOWN = "db-down"
    LAG = "lag"


_FAULT = re.compile(
    r"^(?P<kind>[a-z-]+)@(?P<hour>\d{1,2}):(?P<minute>\d{2})\+(?P<amount>\d+(?:\.\d+)?)(?P<unit>s|m)?$"
)


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    start: time_of_day
    duration_seconds: float

    def active_at(self, moment: datetime) -> bool:
        local = moment.astimezone(NEW_YORK)
        start = local.replace(
            hour=self.start.hour, minute=self.start.minute, second=0, microsecond=0
        )
        return 0 <= (local - start).total_seconds() < self.duration_seconds

    def window_on(self, day: date) -> tuple[float, float]:
        """The fault's (start, end) on ``day`` in epoch seconds."""
        start = datetime.combine(day, self.start, tzinfo=NEW_YORK).timestamp()
        return start, start + self.duration_seconds

    def __str__(self) -> str:
        return f"{self.kind}@{self.start:%H:%M}+{self.duration_seconds:g}s"


def parse_fault(text: str) -> Fault:
    """``KIND@HH:MM+DURATION`` (duration in seconds, or ``2m``); ``ValueError`` saying why."""
    match = _FAULT.match(text.strip())
    kinds = ", ".join(k.value for k in FaultKind)
    if match is None:
        raise ValueError(
            f"fault {text!r} is not KIND@HH:MM+DURATION (e.g. feed-gap@10:45+90s); kinds: {kinds}"
        )
    try:
        kind = FaultKind(match["kind"])
    except ValueError:
        raise ValueError(f"unknown fault kind {match['kind']!r}; kinds: {kinds}") from None
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(f"fault {text!r}: {hour:02d}:{minute:02d} is not a time of day")
    seconds = float(match["amount"]) * (60 if match["unit"] == "m" else 1)
    if seconds <= 0:
        raise ValueError(f"fault {text!r}: the duration must be positive")
    return Fault(kind, time_of_day(hour, minute), seconds)


class FaultSchedule:
    """The faults of a run; asks whether a kind of fault is active at a simulated moment."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self.faults = tuple(faults)

    def active(self, kind: FaultKind, moment: datetime) -> bool:
        return any(f.kind is kind and f.active_at(moment) for f in self.faults)

    def windows(self, kind: FaultKind, day: date) -> list[tuple[float, float]]:
        """The (start, end) epoch seconds of every fault of ``kind`` on ``day``."""
        return [f.window_on(day) for f in self.faults if f.kind is kind]

    def __bool__(self) -> bool:
        return bool(self.faults)
