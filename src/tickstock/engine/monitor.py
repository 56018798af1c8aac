"""The engine watching itself: health every interval, critical alerts on failures.

Health interval and speed: the interval is real wall time at every speed. Health describes
the process (CPU, Redis, database), and the app declares the engine stale after 3 missed
intervals measured on its own real clock with the same setting, so scaling the interval by
the speed would make the two disagree; the demo simply sets a short interval (5 s). The
health *figures* are market rates in simulated time (ticks per simulated second).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tickstock.contract import (
    Channel,
    CriticalAlert,
    CriticalAlertMessage,
    HealthMessage,
    encode,
    message_types,
)
from tickstock.engine.clock import SimulatedClock
from tickstock.engine.config import EngineConfig
from tickstock.engine.critical import (
    DATABASE_FAILING,
    FEED_LOST,
    LAG_HIGH,
    REDIS_FAILING,
    CriticalAlerts,
    FailureKind,
)
from tickstock.engine.health import (
    FlowMeter,
    HealthFigures,
    HealthThresholds,
    ResourceSampler,
    build_health,
    derive_health,
)
from tickstock.engine.publisher import Outgoing, Publisher
from tickstock.engine.session import StreamingSession
from tickstock.engine.store_sink import StoreSink
from tickstock.engine.write_queue import WriteQueue

log = logging.getLogger(__name__)


class Monitor:
    """Health messages and critical alerts, published and written like everything else."""

    def __init__(
        self,
        config: EngineConfig,
        clock: SimulatedClock,
        publisher: Publisher,
        writes: WriteQueue,
        sink: StoreSink,
        session: Callable[[], StreamingSession | None],
    ) -> None:
        self.config = config
        self.clock = clock
        self.publisher = publisher
        self.writes = writes
        self.sink = sink
        self._session = session
        self.alerts = CriticalAlerts()
        self.meter = FlowMeter()
        self.resources = ResourceSampler()
        self.thresholds = HealthThresholds(
            config.lag_warning_ms, config.lag_critical_ms, config.feed_lost_after
        )
        self.health_messages = 0
        #: extra figures a live feed adds to health (connection, message rate, lag)
        self.feed_issues: Callable[[], list[str]] | None = None
        #: whether a live feed's WebSocket is up (None: not a live feed)
        self.feed_connected: Callable[[], bool] | None = None

    def _session_id(self) -> str | None:
        session = self._session()
        return session.session_id if session else None

    # --- critical alerts ------------------------------------------------------------------

    def critical(self, kind: FailureKind, failing: bool, detail: str = "") -> None:
        """Raise ``kind`` when it starts failing, resolve it when it works again; once each."""
        alert = self.alerts.update(kind, failing, self.clock.now(), detail)
        if alert is not None:
            self._send_critical(alert)

    def _send_critical(self, alert: CriticalAlert) -> None:
        message = CriticalAlertMessage(type=message_types.CRITICAL_ALERT, alert=alert)
        self.publisher.submit([Outgoing(Channel.ALERTS_CRITICAL.value, encode(message), False)])
        self.writes.submit(self.sink.critical_alert(alert, self._session_id()))
        log.log(
            logging.INFO if alert.resolved else logging.ERROR,
            "critical alert %s: %s",
            alert.component,
            alert.message,
        )

    def redis_changed(self, connected: bool) -> None:
        self.critical(REDIS_FAILING, not connected, self.config.redis_url.split("@")[-1])

    def database_changed(self, ok: bool) -> None:
        self.critical(DATABASE_FAILING, not ok, self.writes.last_error)

    def lag(self, lag_ms: float) -> None:
        """A minute was published ``lag_ms`` after its close."""
        self.meter.add_lag(lag_ms)
        self.critical(LAG_HIGH, lag_ms >= self.config.lag_critical_ms, f"{lag_ms:.0f} ms")

    def check_feed(self, read_up_to: float) -> None:
        """Feed lost when no tick came in the last ``feed_lost_after`` seconds read."""
        if self._session() is None or self.meter.last_tick_at is None:
            return
        quiet = read_up_to - self.meter.last_tick_at
        lost = quiet >= self.config.feed_lost_after
        self.critical(FEED_LOST, lost, f"no tick for {quiet:.0f} s" if lost else "")

    def feed_restored(self) -> None:
        """A session closed: a feed-lost alert still open is over."""
        self.critical(FEED_LOST, False)

    # --- health ---------------------------------------------------------------------------

    def _figures(self, cpu_percent: float) -> HealthFigures:
        now = self.clock.now()
        last = self.meter.last_tick_at
        in_session = self._session() is not None
        # catching up (a held clock): the feed is read as fast as it goes, not judged quiet
        judged = in_session and last is not None and not self.clock.held
        return HealthFigures(
            in_session=in_session,
            seconds_since_tick=(now - last) if judged and last is not None else None,
            redis_ok=self.publisher.connected,
            database_ok=self.writes.ok,
            processing_lag_ms=self.meter.last_lag_ms,
            dropped_messages=self.publisher.dropped,
            dropped_rows=self.writes.dropped_rows,
            cpu_percent=cpu_percent,
            publish_backlog=self.publisher.backlog,
            write_backlog=self.writes.backlog_rows,
            feed_connected=self.feed_connected() if self.feed_connected else True,
        )

    def publish_health(self) -> None:
        now = self.clock.now()
        resources = self.resources.sample()
        verdict = derive_health(self._figures(resources.cpu_percent), self.thresholds)
        if self.feed_issues is not None:
            verdict.issues.extend(self.feed_issues())
        active = int(self.meter.active_symbols) if self._session() is not None else 0
        health = build_health(verdict, now, active, self.meter.data_flow(now), resources)
        message = HealthMessage(type=message_types.HEALTH, health=health)
        self.publisher.submit([Outgoing(Channel.HEALTH.value, encode(message))])
        self.writes.submit(self.sink.health(health, self._session_id()))
        self.health_messages += 1

    async def health_loop(
        self, stop: asyncio.Event, sleep_real: Callable[[float], Awaitable[bool]]
    ) -> None:
        """Health every ``health_interval`` real seconds until the run stops."""
        while not stop.is_set():
            self.publish_health()
            if await sleep_real(self.config.health_interval):
                return

    def report_figures(self) -> dict[str, Any]:
        return {
            "critical_raised": self.alerts.raised,
            "critical_resolved": self.alerts.resolved,
            "health_messages": self.health_messages,
        }
