"""The simulated market clock and the New York Stock Exchange calendar.

The engine lives in simulated time: ``SimulatedClock`` maps real (monotonic) seconds to
simulated UTC seconds at ``speed`` simulated seconds per real second, so a 6.5-hour session
runs in 15 minutes at speed 26. Trading days, holidays and early closes come from
``exchange_calendars`` (XNYS): the regular session is 09:30–16:00 America/New_York, 13:00 on
early-close days.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
REGULAR_OPEN = time_of_day(9, 30)
REGULAR_CLOSE = time_of_day(16, 0)


@dataclass(frozen=True, slots=True)
class TradingSession:
    """One trading day: its date and its open/close as aware UTC datetimes."""

    day: date
    open: datetime
    close: datetime

    @property
    def early_close(self) -> bool:
        return self.close.astimezone(NEW_YORK).time() < REGULAR_CLOSE

    @property
    def seconds(self) -> float:
        return (self.close - self.open).total_seconds()


@lru_cache(maxsize=1)
def _xnys() -> Any:
    import exchange_calendars

    with warnings.catch_warnings():  # pandas deprecations inside exchange_calendars
        warnings.simplefilter("ignore")
        return exchange_calendars.get_calendar("XNYS")


class MarketCalendar:
    """Trading days of the NYSE (the XNYS calendar loads once per process, ~1 s)."""

    def session_on(self, day: date) -> TradingSession | None:
        """The session of ``day``, or None on weekends and holidays."""
        cal = _xnys()
        label = day.isoformat()
        if not cal.first_session.date() <= day <= cal.last_session.date():
            raise ValueError(f"{label} is outside the exchange calendar's range")
        if not cal.is_session(label):
            return None
        return TradingSession(
            day,
            cal.session_open(label).to_pydatetime().astimezone(UTC),
            cal.session_close(label).to_pydatetime().astimezone(UTC),
        )

    def next_session(self, after: date) -> TradingSession:
        """The first session strictly after ``after``."""
        day = after + timedelta(days=1)
        while (session := self.session_on(day)) is None:
            day += timedelta(days=1)
        return session

    def session_on_or_after(self, day: date) -> TradingSession:
        return self.session_on(day) or self.next_session(day)


def new_york_datetime(day: date, at: time_of_day) -> datetime:
    """``day`` at ``at`` New York time, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=NEW_YORK).astimezone(UTC)


def parse_hhmm(text: str) -> time_of_day:
    """``HH:MM`` (or ``HH:MM:SS``) as a time of day; ``ValueError`` with the expected form."""
    parts = text.strip().split(":")
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        hour, minute = int(parts[0]), int(parts[1])
        second = int(parts[2]) if len(parts) == 3 else 0
        return time_of_day(hour, minute, second)
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day like 09:29") from None


class SimulatedClock:
    """Simulated UTC time running at ``speed`` times real time from ``start``.

    ``monotonic`` is injectable so tests drive time by hand. ``jump_to`` moves simulated time
    (e.g. overnight to the next session) without waiting. ``hold`` stops it where it is
    (a catch-up burst plays past minutes meanwhile) and ``release`` lets it run on from there.
    """

    def __init__(
        self,
        start: datetime,
        speed: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        self.speed = speed
        self._monotonic = monotonic
        self._anchor_sim = start.timestamp()
        self._anchor_real = monotonic()
        self._held: float | None = None

    def now(self) -> float:
        """Simulated time, epoch seconds UTC."""
        if self._held is not None:
            return self._held
        return self._anchor_sim + (self._monotonic() - self._anchor_real) * self.speed

    @property
    def held(self) -> bool:
        return self._held is not None

    def hold(self) -> None:
        """Stop simulated time at its present value until ``release``."""
        if self._held is None:
            self._held = self.now()

    def release(self) -> None:
        """Simulated time runs on from where it was held (no time passed while held)."""
        if self._held is not None:
            self._anchor_sim, self._held = self._held, None
            self._anchor_real = self._monotonic()

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def jump_to(self, moment: datetime) -> None:
        self._held = None
        self._anchor_sim = moment.timestamp()
        self._anchor_real = self._monotonic()

    def anchor(self, sim_ts: float, real_moment: float) -> None:
        """Simulated time was ``sim_ts`` at the monotonic instant ``real_moment``.

        A live feed's clock follows its data: a minute's end is the moment its last bar came.
        """
        self._held = None
        self._anchor_sim = sim_ts
        self._anchor_real = real_moment

    def real_seconds_until(self, sim_ts: float) -> float:
        """Real seconds left until simulated time reaches ``sim_ts`` (0 when past)."""
        return max(0.0, (sim_ts - self.now()) / self.speed)

    def real_moment_of(self, sim_ts: float) -> float:
        """The monotonic instant at which simulated time is (or was) ``sim_ts``."""
        return self._anchor_real + (sim_ts - self._anchor_sim) / self.speed

    async def sleep_until(self, sim_ts: float) -> None:
        delay = self.real_seconds_until(sim_ts)
        if delay > 0:
            await asyncio.sleep(delay)
