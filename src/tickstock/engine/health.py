"""Health: real figures of the running engine, turned into a status and a list of issues.

``derive_health`` is a pure function of ``HealthFigures`` so the rules can be read and tested
in one place:

=====================================================  ==========  ===================
condition                                              status      connection_status
=====================================================  ==========  ===================
feed lost (no tick for ``feed_lost_after`` seconds)    critical    disconnected
a live feed's WebSocket disconnected                   critical    disconnected
Redis publishing failing                               critical    degraded
processing lag ≥ ``lag_critical_ms``                   critical
database writes failing                                warning
processing lag ≥ ``lag_warning_ms``                    warning
messages or rows dropped by a buffer bound             warning
CPU ≥ 90 %                                             warning
feed quiet but not yet lost (no tick for half of it)   warning     degraded
otherwise                                              healthy     connected
=====================================================  ==========  ===================

Rates are in *simulated* time (ticks per simulated second, bars per simulated minute): they
describe the market the engine sees, whatever the replay speed.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field

import psutil

from tickstock.contract.models import DataFlow, Health, ResourceUsage


@dataclass(frozen=True, slots=True)
class HealthThresholds:
    lag_warning_ms: float = 1000.0
    lag_critical_ms: float = 5000.0
    feed_lost_after: float = 30.0  # simulated seconds without a tick, during a session
    cpu_warning_percent: float = 90.0


@dataclass(frozen=True, slots=True)
class HealthFigures:
    """What the engine measured since the last health message."""

    in_session: bool
    seconds_since_tick: float | None  # simulated; None before any tick
    redis_ok: bool
    database_ok: bool
    processing_lag_ms: float
    dropped_messages: int = 0
    dropped_rows: int = 0
    cpu_percent: float = 0.0
    publish_backlog: int = 0
    write_backlog: int = 0
    #: a live provider's WebSocket is up (always True for the synthetic feed and replays)
    feed_connected: bool = True


@dataclass(frozen=True, slots=True)
class HealthVerdict:
    status: str
    connection_status: str
    issues: list[str] = field(default_factory=list)


def derive_health(figures: HealthFigures, thresholds: HealthThresholds) -> HealthVerdict:
    """Status, connection status and issues from the figures (rules in the module docstring)."""
    critical: list[str] = []
    warning: list[str] = []
    connection = "connected"
    quiet = figures.seconds_since_tick
    if not figures.feed_connected:
        critical.append("market data WebSocket disconnected; reconnecting")
        connection = "disconnected"
    if figures.in_session and quiet is not None:
        if quiet >= thresholds.feed_lost_after:
            critical.append(f"market feed lost: no tick for {quiet:.0f} s")
            connection = "disconnected"
        elif quiet >= thresholds.feed_lost_after / 2:
            warning.append(f"market feed quiet: no tick for {quiet:.0f} s")
            connection = "degraded"
    if not figures.redis_ok:
        critical.append(f"Redis publishing failing; {figures.publish_backlog} messages buffered")
        if connection == "connected":
            connection = "degraded"
    lag = figures.processing_lag_ms
    if lag >= thresholds.lag_critical_ms:
        critical.append(f"processing lag {lag:.0f} ms over {thresholds.lag_critical_ms:.0f} ms")
    elif lag >= thresholds.lag_warning_ms:
        warning.append(f"processing lag {lag:.0f} ms over {thresholds.lag_warning_ms:.0f} ms")
    if not figures.database_ok:
        warning.append(f"database writes failing; {figures.write_backlog} rows buffered")
    if figures.dropped_messages:
        warning.append(f"{figures.dropped_messages} messages dropped by the publish buffer bound")
    if figures.dropped_rows:
        warning.append(f"{figures.dropped_rows} rows dropped by the write buffer bound")
    if figures.cpu_percent >= thresholds.cpu_warning_percent:
        warning.append(f"CPU at {figures.cpu_percent:.0f} %")
    status = "critical" if critical else "warning" if warning else "healthy"
    return HealthVerdict(status, connection, critical + warning)


class ResourceSampler:
    """CPU (of this process, since the last sample), resident memory and thread count."""

    def __init__(self) -> None:
        self._process = psutil.Process(os.getpid())
        self._process.cpu_percent(None)  # the first call only starts the measurement

    def sample(self) -> ResourceUsage:
        with self._process.oneshot():
            cpu = self._process.cpu_percent(None)
            memory = self._process.memory_info().rss / 1_048_576
            threads = self._process.num_threads()
        return ResourceUsage(
            cpu_percent=round(float(cpu), 1), memory_mb=round(memory, 1), threads_active=threads
        )


class FlowMeter:
    """Ticks and bars counted over a sliding window of simulated time, plus the last lag."""

    def __init__(self, window_seconds: float = 60.0) -> None:
        self.window = window_seconds
        self._ticks: deque[tuple[float, int]] = deque()
        self._bars: deque[tuple[float, int]] = deque()
        self.last_tick_at: float | None = None
        self.last_lag_ms = 0.0
        self.total_ticks = 0
        self.total_bars = 0
        self.active_symbols = 0

    def add_ticks(self, at: float, count: int, last_tick_ts: float | None) -> None:
        self._ticks.append((at, count))
        self.total_ticks += count
        if count and last_tick_ts is not None:
            self.last_tick_at = last_tick_ts

    def add_bars(self, at: float, count: int) -> None:
        self._bars.append((at, count))
        self.total_bars += count

    def add_lag(self, lag_ms: float) -> None:
        self.last_lag_ms = lag_ms

    def _trim(self, now: float) -> None:
        for series in (self._ticks, self._bars):
            while series and series[0][0] < now - self.window:
                series.popleft()

    def data_flow(self, now: float) -> DataFlow:
        self._trim(now)
        ticks = sum(c for _, c in self._ticks)
        bars = sum(c for _, c in self._bars)
        return DataFlow(
            ticks_per_second=round(ticks / self.window, 2),
            bars_per_minute=round(bars * 60.0 / self.window, 2),
            processing_lag_ms=round(self.last_lag_ms, 1),
        )


def build_health(
    verdict: HealthVerdict,
    at_ts: float,
    active_symbols: int,
    data_flow: DataFlow,
    resources: ResourceUsage,
) -> Health:
    from datetime import UTC, datetime

    return Health(
        status=verdict.status,  # type: ignore[arg-type]
        timestamp=datetime.fromtimestamp(at_ts, tz=UTC),
        active_symbols=active_symbols,
        connection_status=verdict.connection_status,  # type: ignore[arg-type]
        data_flow=data_flow,
        resource_usage=resources,
        issues=verdict.issues[:50],
    )
