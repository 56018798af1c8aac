"""The engine's runtime: clock, sessions, feed → pipeline → publisher and writes, health.

``run_engine(config)`` is the whole engine as one coroutine (the CLI, the demo and the tests
call it). Its tasks:

* the **market loop** follows the simulated clock: pre-market it does nothing but let health
  run; at the open it starts a session; every minute it feeds ticks to the bar aggregator
  (or takes whole bars), closes the minute, runs the pipeline, hands the messages to the
  publisher and the rows to the write queue — it never waits for either; at the close it
  stops the session, then jumps to the next trading day's pre-market when more days are due;
* the **publisher** and **write queue** flush in their own tasks (see their modules);
* the **health loop** publishes health every ``health_interval`` seconds of real time.

Health interval and speed: the interval is real wall time at every speed. Health describes
the process (CPU, Redis, database), and the app declares the engine stale after 3 missed
intervals measured on its own real clock with the same setting, so scaling the interval by
the speed would make the two disagree; the demo simply sets a short interval (5 s). The
health *figures* are market rates in simulated time (ticks per simulated second).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

import numpy as np

from tickstock.contract import Channel, CriticalAlert, CriticalAlertMessage, HealthMessage, encode
from tickstock.engine.alerts import AlertThresholds
from tickstock.engine.bars import SECONDS_PER_MINUTE, BarAggregator, ClosedBars
from tickstock.engine.clock import (
    NEW_YORK,
    MarketCalendar,
    SimulatedClock,
    TradingSession,
    new_york_datetime,
)
from tickstock.engine.critical import (
    DATABASE_FAILING,
    FEED_LOST,
    LAG_HIGH,
    REDIS_FAILING,
    CriticalAlerts,
    FailureKind,
)
from tickstock.engine.faults import Fault, FaultKind, FaultSchedule
from tickstock.engine.feeds import ReplayData, SyntheticFeed, load_replay
from tickstock.engine.health import (
    FlowMeter,
    HealthFigures,
    HealthThresholds,
    ResourceSampler,
    build_health,
    derive_health,
)
from tickstock.engine.pipeline import MinuteOutput, MinutePipeline, Outgoing
from tickstock.engine.publisher import Publisher
from tickstock.engine.session import StreamingSession
from tickstock.engine.store_sink import StoreSink
from tickstock.engine.universe import load_universe
from tickstock.engine.write_queue import WriteQueue

log = logging.getLogger(__name__)

#: Real seconds between looks at the clock while a minute fills with ticks.
TICK_POLL_SECONDS = 0.05
#: Longest a database write waits for the publisher to finish the minute being published.
PUBLISH_FIRST_SECONDS = 1.0
#: Pre-market time shown before the next day's open when the run moves on overnight.
PRE_MARKET = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Everything a run needs; the CLI builds it from flags and settings."""

    redis_url: str
    database_url: str | None = None
    symbols: int = 500
    speed: float = 1.0
    start: time_of_day | None = None  # New York time of day; None: now (speed 1) or 09:29
    day: date | None = None  # None: today in New York, or the next trading day
    replay: Path | None = None
    skip_bad_rows: bool = False
    health_interval: float = 60.0
    faults: tuple[Fault, ...] = ()
    seed: int = 42
    days: int = 0  # trading days to run; 0 = until stopped
    until_close: bool = False
    close_at: time_of_day | None = None  # end sessions early (a short session for tests)
    tick_rate: float = 1.0
    whole_bars: bool = False  # the feed emits whole bars (fast, for large universes)
    publish_buffer: int = 200_000
    write_buffer: int = 2_000_000
    lag_warning_ms: float = 1000.0
    lag_critical_ms: float = 5000.0
    feed_lost_after: float = 30.0
    rsi_overbought: float = 70.0
    rsi_oversold: float = 30.0
    run_migrations: bool = True
    record_publish_order: bool = False


@dataclass(slots=True)
class SessionSummary:
    session_id: str
    started_at: datetime
    stopped_at: datetime | None
    total_patterns: int
    total_indicators: int
    total_alerts: int
    total_bars: int


@dataclass(slots=True)
class EngineReport:
    """What a run did, in real figures (the tests compare them with Redis and the database)."""

    universe: str = ""
    sessions: list[SessionSummary] = field(default_factory=list)
    minutes: int = 0
    published: int = 0
    published_by_channel: dict[str, int] = field(default_factory=dict)
    dropped_messages: int = 0
    rows_written: dict[str, int] = field(default_factory=dict)
    dropped_rows: int = 0
    unpublished: int = 0
    unwritten_rows: int = 0
    lag_ms: list[float] = field(default_factory=list)
    critical_raised: int = 0
    critical_resolved: int = 0
    health_messages: int = 0
    skipped_rows: int = 0
    publish_order: list[int] = field(default_factory=list)
    #: the start (epoch seconds) of every minute closed, in closing order
    closed_minutes: list[int] = field(default_factory=list)


class Engine:
    """One run of the engine; ``run_engine`` is the public entry point."""

    def __init__(
        self,
        config: EngineConfig,
        writer: Any | None,
        stop: asyncio.Event,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.stop = stop
        self.monotonic = monotonic
        self.calendar = MarketCalendar()
        self.faults = FaultSchedule(config.faults)
        self.replay: ReplayData | None = None
        if config.replay is not None:
            self.replay = load_replay(config.replay, config.skip_bad_rows)  # before anything
            name = f"replay:{config.replay.name}"[:200]
            self.universe_name, self.symbols = name, self.replay.symbols
        else:
            universe = load_universe(config.symbols)
            self.universe_name, self.symbols = universe.name, universe.symbols
        self.report = EngineReport(universe=self.universe_name)
        if self.replay is not None:
            self.report.skipped_rows = self.replay.skipped_rows
        self.pipeline = MinutePipeline(
            self.symbols, AlertThresholds(config.rsi_overbought, config.rsi_oversold)
        )
        self.alerts = CriticalAlerts()
        self.publisher = Publisher(
            config.redis_url, config.publish_buffer, on_change=self._redis_changed
        )
        self.publisher.record_order = config.record_publish_order
        self.writes = WriteQueue(
            config.write_buffer,
            on_change=self._database_changed,
            unavailable=self._db_fault,
            before_each=self._publish_first,
        )
        self.sink = StoreSink(writer, self.symbols)
        self.meter = FlowMeter()
        self.resources = ResourceSampler()
        self.thresholds = HealthThresholds(
            config.lag_warning_ms, config.lag_critical_ms, config.feed_lost_after
        )
        self.session: StreamingSession | None = None
        self.start_moment = self._start_moment()
        self.clock = SimulatedClock(self.start_moment, config.speed, monotonic)
        #: the simulated moment from which the market loop owes every minute: the run's start,
        #: then each next day's pre-market. A session opens at max(open, this), never at the
        #: moment the loop happened to look at the clock, so a stall cannot skip a minute.
        self.market_from = self.start_moment

    # --- time ---------------------------------------------------------------------------

    def _start_moment(self) -> datetime:
        cfg = self.config
        if self.replay is not None and self.replay.first_minute is not None:
            first = datetime.fromtimestamp(self.replay.first_minute, tz=UTC)
            day = first.astimezone(NEW_YORK).date()
            if cfg.start is None:
                return first - PRE_MARKET
            return new_york_datetime(day, cfg.start)
        if cfg.day is None and cfg.start is None and cfg.speed == 1.0:
            return datetime.now(UTC)
        day = cfg.day or datetime.now(NEW_YORK).date()
        if cfg.day is None:
            day = self.calendar.session_on_or_after(day).day
        elif self.calendar.session_on(day) is None:
            raise ValueError(f"{day.isoformat()} is not a trading day of the NYSE")
        return new_york_datetime(day, cfg.start or time_of_day(9, 29))

    def _now(self) -> datetime:
        return self.clock.now_datetime()

    async def _sleep_real(self, seconds: float) -> bool:
        """Sleep ``seconds`` of real time; True if the run was asked to stop meanwhile."""
        if seconds <= 0:
            return self.stop.is_set()
        try:
            await asyncio.wait_for(self.stop.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def _sleep_until(self, sim_ts: float, poll: float = 1.0) -> bool:
        while (delay := self.clock.real_seconds_until(sim_ts)) > 0:
            if await self._sleep_real(min(delay, poll)):
                return True
        return self.stop.is_set()

    # --- alerts and health ----------------------------------------------------------------

    def _publish_critical(self, kind: FailureKind, failing: bool, detail: str = "") -> None:
        alert = self.alerts.update(kind, failing, self.clock.now(), detail)
        if alert is None:
            return
        self._send_critical(alert)

    def _send_critical(self, alert: CriticalAlert) -> None:
        message = CriticalAlertMessage(type="critical_alert", alert=alert)
        self.publisher.submit([Outgoing(Channel.ALERTS_CRITICAL.value, encode(message), False)])
        session_id = self.session.session_id if self.session else None
        self.writes.submit(self.sink.critical_alert(alert, session_id))
        log.log(
            logging.INFO if alert.resolved else logging.ERROR,
            "critical alert %s: %s",
            alert.component,
            alert.message,
        )

    def _redis_changed(self, connected: bool) -> None:
        self._publish_critical(REDIS_FAILING, not connected, self.config.redis_url.split("@")[-1])

    def _database_changed(self, ok: bool) -> None:
        self._publish_critical(DATABASE_FAILING, not ok, self.writes.last_error)

    async def _publish_first(self) -> None:
        """Writes wait for what is being published: a minute's rows (tens of ms of CPU at
        5,000 symbols) must not delay its publish. Not while Redis is down, and bounded."""
        if self.publisher.connected:
            await self.publisher.wait_idle(PUBLISH_FIRST_SECONDS)

    def _db_fault(self) -> bool:
        return self.faults.active(FaultKind.DB_DOWN, self._now())

    def _health_figures(self) -> HealthFigures:
        now = self.clock.now()
        last = self.meter.last_tick_at
        in_session = self.session is not None
        return HealthFigures(
            in_session=in_session,
            seconds_since_tick=(now - last) if (in_session and last is not None) else None,
            redis_ok=self.publisher.connected,
            database_ok=self.writes.ok,
            processing_lag_ms=self.meter.last_lag_ms,
            dropped_messages=self.publisher.dropped,
            dropped_rows=self.writes.dropped_rows,
            publish_backlog=self.publisher.backlog,
            write_backlog=self.writes.backlog_rows,
        )

    def publish_health(self) -> None:
        now = self.clock.now()
        resources = self.resources.sample()
        figures = self._health_figures()
        figures = HealthFigures(**{**_as_dict(figures), "cpu_percent": resources.cpu_percent})
        verdict = derive_health(figures, self.thresholds)
        active = int(self.meter.active_symbols) if self.session is not None else 0
        health = build_health(verdict, now, active, self.meter.data_flow(now), resources)
        message = HealthMessage(type="streaming_health", health=health)
        self.publisher.submit([Outgoing(Channel.HEALTH.value, encode(message))])
        session_id = self.session.session_id if self.session else None
        self.writes.submit(self.sink.health(health, session_id))
        self.report.health_messages += 1

    async def _health_loop(self) -> None:
        while not self.stop.is_set():
            self.publish_health()
            if await self._sleep_real(self.config.health_interval):
                return

    def _check_feed(self, read_up_to: float) -> None:
        """Feed lost when no tick came in the last ``feed_lost_after`` seconds read."""
        if self.session is None or self.meter.last_tick_at is None:
            return
        quiet = read_up_to - self.meter.last_tick_at
        lost = quiet >= self.config.feed_lost_after
        self._publish_critical(FEED_LOST, lost, f"no tick for {quiet:.0f} s" if lost else "")

    # --- sessions -------------------------------------------------------------------------

    def _open_session(self, at: datetime) -> None:
        self.session = StreamingSession(self.universe_name, len(self.symbols), at)
        self.meter.last_tick_at = at.timestamp()
        message = self.session.started_message()
        self.publisher.submit(
            [Outgoing(Channel.SESSION_STARTED.value, encode(message), droppable=False)]
        )
        self.writes.submit(self.sink.session_started(self.session.start_record()))
        log.info("session %s started at %s", self.session.session_id, at.isoformat())

    def _close_session(self, at: datetime) -> None:
        session = self.session
        if session is None:
            return
        message = session.stopped_message(at)
        self.publisher.submit(
            [Outgoing(Channel.SESSION_STOPPED.value, encode(message), droppable=False)]
        )
        self.writes.submit(self.sink.session_stopped(session.stop_record(at)))
        self.report.sessions.append(
            SessionSummary(
                session.session_id,
                session.started_at,
                at,
                session.total_patterns,
                session.total_indicators,
                session.total_alerts,
                session.total_bars,
            )
        )
        self._publish_critical(FEED_LOST, False)
        self.session = None
        log.info(
            "session %s stopped: %d patterns, %d indicators",
            session.session_id,
            session.total_patterns,
            session.total_indicators,
        )

    # --- minutes --------------------------------------------------------------------------

    async def emit_minute(self, bars: ClosedBars) -> None:
        minute_end = bars.minute_start + SECONDS_PER_MINUTE
        output = self.pipeline.process(bars)
        self.report.minutes += 1
        self.report.closed_minutes.append(bars.minute_start)
        self.meter.add_bars(self.clock.now(), output.n_bars)
        if output.n_bars:
            self.meter.active_symbols = output.n_bars
        if self.faults.active(FaultKind.LAG, datetime.fromtimestamp(minute_end, tz=UTC)):
            # injected slowness: hold this minute back past the critical lag threshold
            await self._sleep_real(self.config.lag_critical_ms * 1.5 / 1000)
        due = self.clock.real_moment_of(minute_end)
        self.publisher.submit(output.messages, on_published=lambda: self._published(due))
        self._write_minute(output)

    def _published(self, due_real: float) -> None:
        lag_ms = max(0.0, (self.monotonic() - due_real) * 1000)
        self.meter.add_lag(lag_ms)
        self.report.lag_ms.append(lag_ms)
        self._publish_critical(LAG_HIGH, lag_ms >= self.config.lag_critical_ms, f"{lag_ms:.0f} ms")

    def _write_minute(self, output: MinuteOutput) -> None:
        session = self.session
        session_id = session.session_id if session else None
        if session is not None:
            session.count(
                output.n_detections, output.n_calculations, output.n_alerts, output.n_bars
            )
        for job in self.sink.minute(output, session_id):
            self.writes.submit(job)

    # --- the market loop ------------------------------------------------------------------

    def _session_bounds(self, trading: TradingSession) -> tuple[datetime, datetime]:
        close = trading.close
        if self.config.close_at is not None:
            close = min(close, new_york_datetime(trading.day, self.config.close_at))
        return trading.open, close

    async def _synthetic_day(self, trading: TradingSession) -> bool:
        """Run one trading day; True if the run was stopped meanwhile."""
        open_, close = self._session_bounds(trading)
        if await self._sleep_until(open_.timestamp()):
            return True
        # However late the loop gets here (start-up work, a stalled event loop), the session
        # covers every minute from the open, or from the run's start when that is later.
        opened_at = max(open_, self.market_from)
        if opened_at >= close:
            return False
        self._open_session(opened_at)
        feed = SyntheticFeed(
            len(self.symbols),
            self.config.seed + trading.day.toordinal(),
            self.config.tick_rate,
            session_open=open_.timestamp(),
            session_seconds=(trading.close - trading.open).total_seconds(),
        )
        aggregator = BarAggregator(self.symbols)
        gaps = self.faults.windows(FaultKind.FEED_GAP, trading.day)
        minute = int(opened_at.timestamp() // SECONDS_PER_MINUTE) * SECONDS_PER_MINUTE
        cursor = opened_at.timestamp()
        end = close.timestamp()
        while minute < end:
            minute_end = min(minute + SECONDS_PER_MINUTE, int(end))
            while True:
                target = min(self.clock.now(), minute_end)
                if not self.config.whole_bars:
                    chunk = feed.ticks(cursor, target)
                    keep = np.ones(len(chunk), dtype=np.bool_)
                    for start, stop in gaps:  # the injected outage: those ticks never arrive
                        keep &= (chunk.ts < start) | (chunk.ts >= stop)
                    if keep.any():
                        idx, ts = chunk.symbol_idx[keep], chunk.ts[keep]
                        aggregator.add_ticks(idx, chunk.price[keep], chunk.size[keep], ts)
                        self.meter.add_ticks(target, len(idx), float(ts.max()))
                    cursor = max(cursor, math.floor(target))
                    self._check_feed(target)
                if target >= minute_end:
                    break
                wait = min(TICK_POLL_SECONDS, self.clock.real_seconds_until(minute_end))
                if await self._sleep_real(wait):
                    self._close_session(self._now())
                    return True
            if self.config.whole_bars:
                bars = self._whole_bars(feed, minute)
                self._check_feed(minute_end)
            else:
                bars = aggregator.close_minute(minute)
            await self.emit_minute(bars)
            minute += SECONDS_PER_MINUTE
        self._close_session(close)
        return False

    def _whole_bars(self, feed: SyntheticFeed, minute: int) -> ClosedBars:
        bars = feed.bars(minute)
        moment = datetime.fromtimestamp(minute + SECONDS_PER_MINUTE / 2, tz=UTC)
        if self.faults.active(FaultKind.FEED_GAP, moment):
            bars.has_bar[:] = False
            return bars
        ticks = int(bars.has_bar.sum())
        self.meter.add_ticks(minute + SECONDS_PER_MINUTE, ticks, minute + SECONDS_PER_MINUTE - 1)
        return bars

    async def _replay_days(self, replay: ReplayData) -> bool:
        by_day: dict[date, list[ClosedBars]] = {}
        for bars in replay.minutes:
            by_day.setdefault(bars.timestamp.astimezone(NEW_YORK).date(), []).append(bars)
        for n, (_day, minutes) in enumerate(sorted(by_day.items())):
            first = datetime.fromtimestamp(minutes[0].minute_start, tz=UTC)
            if n:
                self.clock.jump_to(first - PRE_MARKET)
            if await self._sleep_until(first.timestamp()):
                return True
            self._open_session(first)
            for bars in minutes:
                minute_end = bars.minute_start + SECONDS_PER_MINUTE
                if await self._sleep_until(minute_end, poll=TICK_POLL_SECONDS):
                    self._close_session(self._now())
                    return True
                ticks = int(bars.has_bar.sum())
                self.meter.add_ticks(minute_end, ticks, minute_end - 1 if ticks else None)
                await self.emit_minute(bars)
            self._close_session(
                datetime.fromtimestamp(minutes[-1].minute_start + SECONDS_PER_MINUTE, tz=UTC)
            )
            if self._enough_days(n + 1):
                break
        return False

    def _enough_days(self, done: int) -> bool:
        if self.config.until_close:
            return True
        return bool(self.config.days) and done >= self.config.days

    async def _synthetic_days(self) -> None:
        day = self.market_from.astimezone(NEW_YORK).date()
        trading = self.calendar.session_on_or_after(day)
        done = 0
        while True:
            if self.market_from >= self._session_bounds(trading)[1]:
                trading = self.calendar.next_session(trading.day)  # started after the close
            if await self._synthetic_day(trading):
                return
            done += 1
            if self._enough_days(done):
                return
            trading = self.calendar.next_session(trading.day)
            self.market_from = trading.open - PRE_MARKET
            self.clock.jump_to(self.market_from)
            log.info("next trading day: %s", trading.day.isoformat())

    async def run(self) -> EngineReport:
        # Simulated time starts now, not when the engine was built: start-up work (migrations,
        # opening the database) must not eat the first minutes of a fast simulated session.
        self.clock.jump_to(self.start_moment)
        self.publisher.start()
        self.writes.start()
        health = asyncio.create_task(self._health_loop(), name="engine-health")
        try:
            if self.replay is not None:
                await self._replay_days(self.replay)
            else:
                await self._synthetic_days()
        finally:
            self._close_session(self._now())
            self.stop.set()
            await asyncio.gather(health, return_exceptions=True)
            self.publish_health()
            await self.publisher.close()
            await self.writes.close()
            self._fill_report()
        return self.report

    def _fill_report(self) -> None:
        r = self.report
        r.published = self.publisher.published
        r.published_by_channel = dict(self.publisher.published_by_channel)
        r.dropped_messages = self.publisher.dropped
        r.unpublished = self.publisher.backlog
        r.rows_written = dict(self.writes.written)
        r.dropped_rows = self.writes.dropped_rows
        r.unwritten_rows = self.writes.backlog_rows
        r.critical_raised = self.alerts.raised
        r.critical_resolved = self.alerts.resolved
        r.publish_order = list(self.publisher.order)


def _as_dict(figures: HealthFigures) -> dict[str, Any]:
    return {name: getattr(figures, name) for name in HealthFigures.__slots__}


async def _open_writer(config: EngineConfig) -> tuple[Any | None, Callable[[], Any] | None]:
    if config.database_url is None:
        return None, None
    from tickstock.store.database import open_database
    from tickstock.store.writer import StoreWriter

    if config.run_migrations:
        from tickstock.store.migrations import upgrade

        await asyncio.to_thread(upgrade, config.database_url)  # seconds: off the event loop
    database = open_database(config.database_url)
    if asyncio.iscoroutine(database):
        database = await database
    return StoreWriter(database), getattr(database, "close", None) or getattr(
        database, "dispose", None
    )


async def run_engine(
    config: EngineConfig,
    stop: asyncio.Event | None = None,
    *,
    monotonic: Callable[[], float] = time.monotonic,
) -> EngineReport:
    """Run the engine until its days are done or ``stop`` is set; return what it did.

    A CSV replay is read and validated completely before anything is published: a bad row
    raises ``FeedError`` (with its line number) first. ``monotonic`` is the real clock the
    simulated one runs on; tests inject one that jumps to stand for a stalled event loop.
    """
    stop = stop or asyncio.Event()
    engine = Engine(config, None, stop, monotonic)  # reads and validates a replay first
    writer, close_database = await _open_writer(config)
    engine.sink.writer = writer
    try:
        return await engine.run()
    finally:
        if close_database is not None:
            result = close_database()
            if asyncio.iscoroutine(result):
                await result
