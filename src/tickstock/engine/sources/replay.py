"""A CSV replay as a source: the recorded minutes on the simulated clock, day by day.

The file is read and validated completely when the source is built — before the database
is opened or anything is published — so a bad row stops the run first (``FeedError`` with
its line number).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tickstock.engine.bars import SECONDS_PER_MINUTE, ClosedBars
from tickstock.engine.clock import NEW_YORK, new_york_datetime
from tickstock.engine.config import EngineConfig
from tickstock.engine.feeds import ReplayData
from tickstock.engine.replay_formats import load_any_replay
from tickstock.engine.sources.base import (
    MarketEvent,
    MinuteClosed,
    SessionClosed,
    SessionOpened,
    SourceContext,
)

#: Pre-market time shown before each replayed day's first minute.
PRE_MARKET = timedelta(minutes=1)
#: Real seconds between looks at the clock while waiting for a minute's close.
MINUTE_POLL_SECONDS = 0.05


class ReplaySource:
    """The minutes of a replay file, each published when the simulated clock reaches its close."""

    def __init__(self, config: EngineConfig, data: ReplayData | None = None) -> None:
        if data is None:
            assert config.replay is not None
            data = load_any_replay(config.replay, config.skip_bad_rows)
        self.config = config
        self.data = data
        self.universe_name = f"replay:{_file_name(data.source)}"[:200]
        self.symbols = data.symbols
        self.skipped_rows = data.skipped_rows

    def start_moment(self) -> datetime:
        first_minute = self.data.first_minute
        if first_minute is None:
            return datetime.now(UTC)
        first = datetime.fromtimestamp(first_minute, tz=UTC)
        if self.config.start is None:
            return first - PRE_MARKET
        return new_york_datetime(first.astimezone(NEW_YORK).date(), self.config.start)

    async def events(self, ctx: SourceContext) -> AsyncIterator[MarketEvent]:
        by_day: dict[date, list[ClosedBars]] = {}
        for bars in self.data.minutes:
            by_day.setdefault(bars.timestamp.astimezone(NEW_YORK).date(), []).append(bars)
        for n, (_day, minutes) in enumerate(sorted(by_day.items())):
            first = datetime.fromtimestamp(minutes[0].minute_start, tz=UTC)
            if n:
                ctx.clock.jump_to(first - PRE_MARKET)
            if await ctx.sleep_until(first.timestamp()):
                return
            yield SessionOpened(first)
            for bars in minutes:
                minute_end = bars.minute_start + SECONDS_PER_MINUTE
                if await ctx.sleep_until(minute_end, poll=MINUTE_POLL_SECONDS):
                    return
                ticks = int(bars.has_bar.sum())
                ctx.meter.add_ticks(minute_end, ticks, minute_end - 1 if ticks else None)
                yield MinuteClosed(bars)
            last_end = minutes[-1].minute_start + SECONDS_PER_MINUTE
            yield SessionClosed(datetime.fromtimestamp(last_end, tz=UTC))
            if ctx.enough_days(n + 1):
                return


def _file_name(source: str) -> str:
    return Path(source).name
