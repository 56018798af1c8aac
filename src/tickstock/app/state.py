"""``LiveState``: what the dashboard shows right now, built from validated messages.

Pure (no I/O, clocks injected): the current session, the plan's four metrics, the latest
health and the engine state it implies, open critical alerts, bounded recent lists, and
the de-duplication that makes a detection seen on both pattern channels ONE event.
``accept`` turns a message into the Socket.IO events to relay (``Relayed``); ``snapshot``
builds the ``snapshot`` payload of docs/socket-protocol.md. Its bounded windows (the
de-duplication keys, the events/s rate, the symbols seen) are in ``app.windows``.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import UTC, datetime
from sys import intern
from typing import Any

from tickstock.app.bars import BarBook
from tickstock.app.windows import MAX_TRACKED_SYMBOLS, EventRate, RecentKeys, SymbolsSeen
from tickstock.contract import (
    BarsMessage,
    Channel,
    CriticalAlertMessage,
    HealthMessage,
    IndicatorAlertMessage,
    Message,
    PatternDetection,
    SessionStartedMessage,
    SessionStoppedMessage,
    calculations_of,
    detections_of,
    events,
    to_wire,
)
from tickstock.contract.events import Relayed
from tickstock.contract.models import IndicatorCalculation

#: Window for "distinct symbols seen" when no health tells the active symbol count.
ACTIVE_SYMBOLS_WINDOW = 60.0
#: Detections (and other events) remembered for de-duplication. A copy on the other pattern
#: channel comes within milliseconds, and a gap backfill overlaps what was relayed by only
#: a couple of seconds: 30,000 is 5 minutes at the plan's peak, 15 s at 2,000 events/s.
DEDUPE_WINDOW = 30_000


class LiveState:
    """The live view of the stream; every mutation goes through ``accept`` or ``restore``."""

    def __init__(
        self,
        *,
        max_patterns: int = 50,
        max_alerts: int = 30,
        max_indicators: int = 2_000,
        dedupe_window: int = DEDUPE_WINDOW,
        rate_window: float = 10.0,
        health_interval: float = 60.0,
        stale_after_intervals: int = 3,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.stale_after = health_interval * stale_after_intervals
        self.max_indicators = max_indicators
        self.session: dict[str, Any] | None = None
        self.health: dict[str, Any] | None = None
        self.recent_patterns: deque[dict[str, Any]] = deque(maxlen=max_patterns)
        self.recent_alerts: deque[dict[str, Any]] = deque(maxlen=max_alerts)
        self.latest_indicators: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self.open_critical: dict[str, dict[str, Any]] = {}
        self.bars = BarBook()
        self.patterns_detected = 0
        self.indicator_alerts = 0
        self.rejects = 0
        self.normalised = 0
        self.duplicates = 0
        self.redis_status = "reconnecting"
        self.database_status = "ok"
        self._detections = RecentKeys(dedupe_window)
        self._other_keys = RecentKeys(dedupe_window)
        self._rate = EventRate(rate_window)
        self._symbols_seen = SymbolsSeen(MAX_TRACKED_SYMBOLS)
        self._last_heard: float | None = None
        self._health_heard: float | None = None

    @classmethod
    def from_settings(cls, settings: Any, **clocks: Callable[[], float]) -> LiveState:
        return cls(
            max_patterns=settings.streaming_max_pattern_events,
            max_alerts=settings.streaming_max_alert_events,
            rate_window=settings.events_rate_window_seconds,
            health_interval=settings.health_interval,
            stale_after_intervals=settings.stale_after_intervals,
            **clocks,
        )

    # --- incoming messages ------------------------------------------------------------

    def accept(self, channel: Channel, message: Message, *, live: bool = True) -> list[Relayed]:
        """Apply a validated message; return the events to relay (none for a duplicate).

        ``live=False`` is for events backfilled from the database: they update the lists
        and counts but not the events/s rate. A message of a channel this class has no
        state for is relayed as it came (its wire form, under the channel's event).
        """
        detections = detections_of(message)
        if detections:
            return self._accept_detections(detections, (channel.value,), live)
        calculations = calculations_of(message)
        if calculations:
            return [self._accept_calculation(c, live) for c in calculations]
        if isinstance(message, SessionStartedMessage | SessionStoppedMessage):
            return self._accept_session(message, live)
        if isinstance(message, HealthMessage):
            return self._accept_health(message, live)
        if isinstance(message, IndicatorAlertMessage):
            return self._accept_indicator_alert(message, live)
        if isinstance(message, CriticalAlertMessage):
            return self._accept_critical(message, live)
        if isinstance(message, BarsMessage):
            return self.bars.accept(message, self.clock())
        # A channel without state of its own here: relayed as it came, under its event.
        self._heard(live)
        return [(events.event_name(channel), to_wire(message))]

    def accept_detection(
        self, detection: PatternDetection, channels: Iterable[str], *, live: bool = True
    ) -> list[Relayed]:
        """A detection known to have come on ``channels`` (a backfilled row, for instance)."""
        return self._accept_detections((detection,), tuple(channels), live)

    def count_reject(self) -> None:
        self.rejects += 1

    def count_normalised(self) -> None:
        self.normalised += 1

    def _heard(self, live: bool, count: int = 1) -> None:
        if live:
            now = self.clock()
            self._last_heard = now
            self._rate.add(now, count)

    def _accept_detections(
        self, detections: Iterable[PatternDetection], channels: tuple[str, ...], live: bool
    ) -> list[Relayed]:
        relayed: list[Relayed] = []
        for detection in detections:
            symbol, pattern_type, timeframe, stamp = detection.identity
            # interned: the window's keys share one copy of each symbol, pattern and timeframe
            identity = (intern(symbol), intern(pattern_type), intern(timeframe), stamp)
            known = self._detections.get(identity)
            if known is not None:
                self.duplicates += 1
                added = tuple(c for c in channels if c not in known)
                if added:
                    self._detections.add(identity, known + added)
                    self._add_channels_to_recent(identity, added)
                continue
            data = events.pattern_event(to_wire(detection), channels)
            # the window keeps only the channels (a tuple of str, which the garbage collector
            # untracks): the relayed dicts once kept here made every full collection ~100 ms
            self._detections.add(identity, channels)
            self.patterns_detected += 1
            self.recent_patterns.append(data)
            self._saw_symbol(detection.symbol, live)
            relayed.append((events.PATTERN, data))
        self._heard(live, len(relayed))
        return relayed

    def _add_channels_to_recent(self, identity: tuple[str, ...], channels: tuple[str, ...]) -> None:
        """A known detection seen on another channel: the snapshot's copy says so too."""
        symbol, pattern_type, timeframe, timestamp = identity
        for data in reversed(self.recent_patterns):
            detection = data["detection"]
            if (
                detection["symbol"] == symbol
                and detection["pattern_type"] == pattern_type
                and detection["timeframe"] == timeframe
                and detection["timestamp"] == timestamp
            ):
                data["channels"].extend(channels)
                return

    def _accept_calculation(self, calculation: IndicatorCalculation, live: bool) -> Relayed:
        data = events.indicator_event(to_wire(calculation))
        key = (calculation.symbol, calculation.indicator)
        self.latest_indicators[key] = data
        self.latest_indicators.move_to_end(key)
        while len(self.latest_indicators) > self.max_indicators:
            self.latest_indicators.popitem(last=False)
        self._saw_symbol(calculation.symbol, live)
        self._heard(live)
        return (events.INDICATOR, data)

    def _accept_session(
        self, message: SessionStartedMessage | SessionStoppedMessage, live: bool
    ) -> list[Relayed]:
        body = to_wire(message.session)
        if not self._first_sighting(("session", message.type, message.session.session_id)):
            return []
        if isinstance(message, SessionStartedMessage):
            if self.session is None or self.session.get("session_id") != body["session_id"]:
                self._start_clean()
            self.session = {**body, "status": "active"}
        elif self.session is not None and self.session.get("session_id") == body["session_id"]:
            self.session = {**self.session, **body, "status": "stopped"}
        else:
            self.session = {**body, "status": "stopped"}
        self._heard(live)
        return [(events.SESSION, to_wire(message))]

    def _start_clean(self) -> None:
        """A new session: nothing of the old one stays in the live view (it stays in the
        database, under Sessions). The de-duplication windows go too: a replayed day
        repeats the old session's detections, and they are new events of the new one."""
        self.patterns_detected = 0
        self.indicator_alerts = 0
        self.recent_patterns.clear()
        self.recent_alerts.clear()
        self.latest_indicators.clear()
        self.open_critical.clear()
        self.health = None
        self._health_heard = None
        self._last_heard = None
        self._symbols_seen.clear()
        self._detections = RecentKeys(self._detections.capacity)
        self._other_keys = RecentKeys(self._other_keys.capacity)

    def _accept_health(self, message: HealthMessage, live: bool) -> list[Relayed]:
        if not self._first_sighting(("health", message.health.timestamp)):
            return []
        data = to_wire(message)
        # The latest to arrive (or, backfilled, the latest stored) is the current health,
        # whatever its own clock says: a replayed day's reports are older than the last run's.
        self.health = data
        if live:
            self._health_heard = self.clock()
        self._heard(live)
        return [(events.HEALTH, data)]

    def _accept_indicator_alert(self, message: IndicatorAlertMessage, live: bool) -> list[Relayed]:
        alert = message.alert
        if not self._first_sighting(("alert", alert.symbol, alert.alert_type, alert.timestamp)):
            return []
        data = to_wire(message)
        self.indicator_alerts += 1
        self.recent_alerts.append(data)
        self._saw_symbol(alert.symbol, live)
        self._heard(live)
        return [(events.INDICATOR_ALERT, data)]

    def _accept_critical(self, message: CriticalAlertMessage, live: bool) -> list[Relayed]:
        alert = message.alert
        key = ("critical", alert.component, alert.resolved, alert.timestamp)
        if not self._first_sighting(key):
            return []
        data = to_wire(message)
        if alert.resolved:
            self.open_critical.pop(alert.component, None)
        else:
            self.open_critical[alert.component] = data
        self._heard(live)
        return [(events.CRITICAL_ALERT, data)]

    def _first_sighting(self, key: Hashable) -> bool:
        if key in self._other_keys:
            self.duplicates += 1
            return False
        self._other_keys.add(key)
        return True

    def _saw_symbol(self, symbol: str, live: bool) -> None:
        if live:
            self._symbols_seen.add(symbol, self.clock())

    # --- derived views ----------------------------------------------------------------

    def engine_state(self) -> str:
        """waiting (nothing yet), live, stale (no health for too long) or stopped."""
        if self.session is not None and self.session.get("status") == "stopped":
            return "stopped"
        heard = self._health_heard
        if heard is None and self.session is not None:
            heard = self._session_heard()
        if heard is None:
            return "waiting"
        return "live" if self.clock() - heard <= self.stale_after else "stale"

    def _session_heard(self) -> float | None:
        return self._last_heard

    def active_symbols(self) -> int:
        if self.health is not None:
            return int(self.health["health"]["active_symbols"])
        return self._symbols_seen.count_since(self.clock() - ACTIVE_SYMBOLS_WINDOW)

    def metrics(self) -> dict[str, Any]:
        return {
            "active_symbols": self.active_symbols(),
            "events_per_second": round(self._rate.per_second(self.clock()), 2),
            "patterns_detected": self.patterns_detected,
            "indicator_alerts": self.indicator_alerts,
            "rejects": self.rejects,
            "normalised": self.normalised,
        }

    def app_status(self) -> dict[str, str]:
        return {
            "redis": self.redis_status,
            "database": self.database_status,
            "engine": self.engine_state(),
        }

    def snapshot(
        self,
        *,
        epoch: str,
        seq: int,
        reason: str,
        settings: dict[str, Any],
        backfill: dict[str, list[dict[str, Any]]] | None = None,
    ) -> dict[str, Any]:
        """The ``snapshot`` payload: everything a page needs to show the stream at once."""
        return {
            "epoch": epoch,
            "seq": seq,
            "reason": reason,
            "server_time": _iso_now(self.wall_clock()),
            "session": self.session,
            "metrics": self.metrics(),
            "health": self.health,
            "app_status": self.app_status(),
            "recent_patterns": list(self.recent_patterns),
            "recent_alerts": list(self.recent_alerts),
            "latest_indicators": list(self.latest_indicators.values()),
            "open_critical_alerts": list(self.open_critical.values()),
            "latest_bars": self.bars.snapshot(),
            "backfill": backfill,
            "settings": settings,
        }

    # --- restore at start -------------------------------------------------------------

    def restore(
        self,
        *,
        session: Message | None = None,
        patterns: Iterable[tuple[PatternDetection, Sequence[str]]] = (),
        alerts: Iterable[IndicatorAlertMessage] = (),
        health: HealthMessage | None = None,
        open_alerts: Iterable[CriticalAlertMessage] = (),
        indicators: Iterable[IndicatorCalculation] = (),
        patterns_detected: int | None = None,
        indicator_alerts: int | None = None,
    ) -> None:
        """Rebuild the view from the database at start, so a restart mid-session shows it.

        ``patterns`` are (detection, channels it came on) pairs, oldest first. Freshness
        goes by arrival, never by the rows' own times: what is restored counts as heard
        now, and the engine turns stale when nothing follows within the stale window.
        """
        if session is not None:
            self.accept(events.channel_of(session), session, live=False)
        for detection, channels in patterns:
            self.accept_detection(detection, channels, live=False)
        for alert in alerts:
            self.accept(Channel.ALERTS_INDICATORS, alert, live=False)
        for calculation in indicators:
            self._accept_calculation(calculation, live=False)
        if health is not None:
            self.accept(Channel.HEALTH, health, live=False)
            self._health_heard = self.clock()
        if session is not None and self.session is not None:
            self._last_heard = self.clock()
        for critical in open_alerts:
            self.accept(Channel.ALERTS_CRITICAL, critical, live=False)
        if patterns_detected is not None:
            self.patterns_detected = max(self.patterns_detected, patterns_detected)
        if indicator_alerts is not None:
            self.indicator_alerts = max(self.indicator_alerts, indicator_alerts)


def _iso_now(wall: float) -> str:
    moment = datetime.fromtimestamp(wall, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
