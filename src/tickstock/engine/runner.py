"""The engine's runtime: a market source → pipeline → publisher and writes, watched by a monitor.

``run_engine(config)`` is the whole engine as one coroutine (the CLI, the demo and the tests
call it). Its tasks:

* the **market loop** takes the source's events (``engine.sources``: the synthetic market,
  a replay, a live feed): at a session's open it starts a session; at every minute close it
  runs the pipeline, hands the messages to the publisher and the rows to the write queue —
  it never waits for either; at the close it stops the session;
* the **publisher** and **write queue** flush in their own tasks (see their modules);
* the **monitor** publishes health every ``health_interval`` seconds of real time and the
  critical alerts of failing components (``engine.monitor``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tickstock.contract import Channel, encode
from tickstock.engine.alerts import AlertThresholds
from tickstock.engine.bars import SECONDS_PER_MINUTE, ClosedBars
from tickstock.engine.clock import MarketCalendar, SimulatedClock
from tickstock.engine.config import EngineConfig
from tickstock.engine.faults import FaultKind, FaultSchedule
from tickstock.engine.forming import FormingBars
from tickstock.engine.monitor import Monitor
from tickstock.engine.pipeline import MinuteOutput, MinutePipeline
from tickstock.engine.publisher import Outgoing, Publisher
from tickstock.engine.report import EngineReport, SessionSummary
from tickstock.engine.session import StreamingSession
from tickstock.engine.sources import (
    MarketSource,
    MinuteClosed,
    MinuteForming,
    SessionClosed,
    SessionOpened,
    SourceContext,
)
from tickstock.engine.store_sink import MarketWriter, StoreSink
from tickstock.engine.write_queue import WriteQueue

__all__ = ["Engine", "EngineConfig", "EngineReport", "SessionSummary", "open_source", "run_engine"]

log = logging.getLogger(__name__)

#: Seconds to flush at shutdown: Redis, then the database; within a service manager's 10 s.
SHUTDOWN_PUBLISH_SECONDS = 3.0
SHUTDOWN_WRITE_SECONDS = 5.0

#: Longest a database write waits for the publisher to finish the minute being published.
PUBLISH_FIRST_SECONDS = 1.0
#: Real seconds between looks at the write backlog while a catch-up burst waits for it.
CATCH_UP_WRITE_POLL = 0.05


def open_source(config: EngineConfig) -> MarketSource:
    """The source ``config`` names; a replay file is read and validated here, completely."""
    if config.live is not None:
        from tickstock.engine.sources.live import LiveSource

        return LiveSource(config, _connection(config))
    if config.replay is not None:
        from tickstock.engine.sources.replay import ReplaySource

        return ReplaySource(config)
    from tickstock.engine.sources.synthetic import SyntheticSource

    return SyntheticSource(config)


def _connection(config: EngineConfig) -> Any:
    assert config.live is not None
    if config.live.provider == "massive":
        from tickstock.engine.sources.massive import MassiveConnection

        return MassiveConnection(config.live)
    from tickstock.engine.sources.alpaca import AlpacaConnection

    return AlpacaConnection(config.live)


class Engine:
    """One run of the engine; ``run_engine`` is the public entry point."""

    def __init__(
        self,
        config: EngineConfig,
        writer: MarketWriter | None,
        stop: asyncio.Event,
        monotonic: Callable[[], float] = time.monotonic,
        source: MarketSource | None = None,
    ) -> None:
        self.config = config
        self.stop = stop
        self.monotonic = monotonic
        self.calendar = MarketCalendar()
        self.faults = FaultSchedule(config.faults)
        self.source = source if source is not None else open_source(config)
        self.universe_name, self.symbols = self.source.universe_name, self.source.symbols
        self.report = EngineReport(universe=self.universe_name)
        self.report.skipped_rows = self.source.skipped_rows
        self.pipeline = MinutePipeline(
            self.symbols, AlertThresholds(config.rsi_overbought, config.rsi_oversold)
        )
        self.publisher = Publisher(
            config.redis_url,
            config.publish_buffer,
            on_change=lambda connected: self.monitor.redis_changed(connected),
        )
        self.publisher.record_order = config.record_publish_order
        self.forming = FormingBars(self.symbols) if config.forming_bars else None
        self.writes = WriteQueue(
            config.write_buffer,
            on_change=lambda ok: self.monitor.database_changed(ok),
            unavailable=self._db_fault,
            before_each=self._publish_first,
        )
        self.sink = StoreSink(writer, self.symbols)
        self.session: StreamingSession | None = None
        self.start_moment = self.source.start_moment()
        self.clock = SimulatedClock(self.start_moment, config.speed, monotonic)
        self.monitor = Monitor(
            config, self.clock, self.publisher, self.writes, self.sink, lambda: self.session
        )
        self.context = SourceContext(
            config,
            self.calendar,
            self.clock,
            stop,
            self.monitor.meter,
            self.faults,
            self.monitor.check_feed,
            forming_due=self._forming_due,
            critical=self.monitor.critical,
        )
        self.monitor.feed_issues = getattr(self.source, "health_issues", None)
        self.monitor.feed_connected = getattr(self.source, "feed_connected", None)

    def _now(self) -> datetime:
        return self.clock.now_datetime()

    async def _publish_first(self) -> None:
        """Writes wait for what is being published: a minute's rows (tens of ms of CPU at
        5,000 symbols) must not delay its publish. Not while Redis is down, and bounded."""
        if self.publisher.connected:
            await self.publisher.wait_idle(PUBLISH_FIRST_SECONDS)

    def _db_fault(self) -> bool:
        return self.faults.active(FaultKind.DB_DOWN, self._now())

    def publish_health(self) -> None:
        self.monitor.publish_health()

    # --- sessions -------------------------------------------------------------------------

    def _open_session(self, at: datetime) -> None:
        self.session = StreamingSession(self.universe_name, len(self.symbols), at)
        self.monitor.meter.last_tick_at = at.timestamp()
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
        self.monitor.feed_restored()
        self.session = None
        log.info(
            "session %s stopped: %d patterns, %d indicators",
            session.session_id,
            session.total_patterns,
            session.total_indicators,
        )

    # --- minutes --------------------------------------------------------------------------

    async def emit_minute(self, bars: ClosedBars, catch_up: bool = False) -> None:
        """One closed minute: computed, handed to the publisher and the write queue.

        A catch-up minute (played at once from before the run's start) is not late: its
        lag is not measured, and the burst keeps pace with the publisher and the writes."""
        minute_end = bars.minute_start + SECONDS_PER_MINUTE
        output = self.pipeline.process(bars)
        self.report.minutes += 1
        self.report.closed_minutes.append(bars.minute_start)
        meter = self.monitor.meter
        meter.add_bars(minute_end, output.n_bars)
        if output.n_bars:
            meter.active_symbols = output.n_bars
        if self.faults.active(FaultKind.LAG, datetime.fromtimestamp(minute_end, tz=UTC)):
            # injected slowness: hold this minute back past the critical lag threshold
            await self.context.sleep_real(self.config.lag_critical_ms * 1.5 / 1000)
        if catch_up:
            self.publisher.submit(output.messages)
            self._write_minute(output)
            await self._keep_pace_while_catching_up()
            return
        due = self.clock.real_moment_of(minute_end)
        self.publisher.submit(output.messages, on_published=lambda: self._published(due))
        self._write_minute(output)

    async def _keep_pace_while_catching_up(self) -> None:
        """Wait for the minute's publish (bounded), and while the database works, for the
        write backlog to fall under half its bound: a late start of thousands of symbols
        would otherwise overflow the write buffer, and its rows would be dropped."""
        await self._publish_first()
        await asyncio.sleep(0)  # Redis down: the health loop and the writes still run
        while self.writes.ok and self.writes.backlog_rows > self.config.write_buffer // 2:
            if await self.context.sleep_real(CATCH_UP_WRITE_POLL):
                return

    def history_minute(self, bars: ClosedBars) -> None:
        """A minute from the provider's history: indicators advanced, bars stored, nothing
        published or alerted (its alerts are long past, or were sent live already)."""
        output = self.pipeline.process(bars)
        self.report.history_minutes += 1
        self.writes.submit(self.sink.bars(output))

    def _published(self, due_real: float) -> None:
        lag_ms = max(0.0, (self.monotonic() - due_real) * 1000)
        self.report.lag_ms.append(lag_ms)
        self.monitor.lag(lag_ms)

    def _write_minute(self, output: MinuteOutput) -> None:
        session = self.session
        session_id = session.session_id if session else None
        if session is not None:
            session.count(
                output.n_detections, output.n_calculations, output.n_alerts, output.n_bars
            )
        for job in self.sink.minute(output, session_id):
            self.writes.submit(job)

    # --- the run --------------------------------------------------------------------------

    def _forming_due(self) -> bool:
        return self.forming is not None and self.forming.due(self.monotonic())

    async def _market_loop(self) -> None:
        async for event in self.source.events(self.context):
            if isinstance(event, MinuteClosed) and event.history:
                self.history_minute(event.bars)
            elif isinstance(event, MinuteClosed):
                await self.emit_minute(event.bars, event.catch_up)
            elif isinstance(event, MinuteForming) and self.forming is not None:
                self.publisher.submit(self.forming.messages(event.bars, self.monotonic()))
            elif isinstance(event, SessionOpened):
                self._open_session(event.at)
            elif isinstance(event, SessionClosed):
                self._close_session(event.at)

    async def run(self) -> EngineReport:
        # Simulated time starts now, not when the engine was built: start-up work (migrations,
        # opening the database) must not eat the first minutes of a fast simulated session.
        self.clock.jump_to(self.start_moment)
        self.publisher.start()
        self.writes.start()
        health = asyncio.create_task(
            self.monitor.health_loop(self.stop, self.context.sleep_real), name="engine-health"
        )
        try:
            await self._market_loop()
        finally:
            self._close_session(self._now())
            self.stop.set()
            await asyncio.gather(health, return_exceptions=True)
            self.monitor.publish_health()
            await self.publisher.close(SHUTDOWN_PUBLISH_SECONDS)
            await self.writes.close(SHUTDOWN_WRITE_SECONDS)
            self._fill_report()
            self._log_shutdown()
        return self.report

    def _log_shutdown(self) -> None:
        """One line: everything flushed, or what was not (and so is lost)."""
        r = self.report
        lost = r.unpublished + r.dropped_messages + r.unwritten_rows + r.dropped_rows
        (log.warning if lost else log.info)(
            "engine stopped: %d messages published, %d rows written; lost: %d messages"
            " unpublished, %d dropped, %d rows unwritten, %d dropped",
            r.published,
            sum(r.rows_written.values()),
            r.unpublished,
            r.dropped_messages,
            r.unwritten_rows,
            r.dropped_rows,
        )

    def _fill_report(self) -> None:
        r = self.report
        r.published = self.publisher.published
        r.published_by_channel = dict(self.publisher.published_by_channel)
        r.dropped_messages = self.publisher.dropped
        r.unpublished = self.publisher.backlog
        r.rows_written = dict(self.writes.written)
        r.dropped_rows = self.writes.dropped_rows
        r.unwritten_rows = self.writes.backlog_rows
        r.critical_raised = self.monitor.alerts.raised
        r.critical_resolved = self.monitor.alerts.resolved
        r.health_messages = self.monitor.health_messages
        r.publish_order = list(self.publisher.order)


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
    source = open_source(config)  # reads and validates a replay before the database opens
    writer, close_database = await _open_writer(config)
    engine = Engine(config, writer, stop, monotonic, source=source)
    try:
        return await engine.run()
    finally:
        if close_database is not None:
            result = close_database()
            if asyncio.iscoroutine(result):
                await result
