"""``DatabaseHistory``: what the app reads back from the database for the live view.

Three uses: restore ``LiveState`` at start (a restart mid-session shows the session at
once), backfill a feed gap (the Redis subscription was down), and the ``backfill`` of a
snapshot for a client that resumed too late. Rows come through ``store.queries``, become
events in ``store.payloads`` and are validated with the contract models again, so a row
the contract would reject is skipped rather than relayed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from tickstock.app.state import LiveState
from tickstock.contract import (
    Channel,
    CriticalAlertMessage,
    HealthMessage,
    IndicatorAlertMessage,
    Message,
    PatternDetection,
    SessionStartedMessage,
    SessionStoppedMessage,
    events,
    to_wire,
)
from tickstock.contract.models import IndicatorCalculation
from tickstock.contract.parse import parse_object
from tickstock.errors import ContractError, StoreUnavailable
from tickstock.store import payloads, positions, queries
from tickstock.store.positions import StreamPosition

if TYPE_CHECKING:
    from tickstock.app.recovery import ClientPosition, ReceivedLog

#: Most detections (and alerts) a reconnecting client's snapshot backfills.
CLIENT_BACKFILL_LIMIT = 5000
#: Rows read per table and page when backfilling a feed gap.
BACKFILL_PAGE = 5000

log = logging.getLogger(__name__)

Connect = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


@dataclass
class FeedBackfill:
    """What the database holds for a time range, as validated contract models."""

    sessions: list[SessionStartedMessage | SessionStoppedMessage] = field(default_factory=list)
    patterns: list[tuple[PatternDetection, list[str]]] = field(default_factory=list)
    alerts: list[IndicatorAlertMessage | CriticalAlertMessage] = field(default_factory=list)
    health: list[HealthMessage] = field(default_factory=list)


class FeedHistory(Protocol):
    async def latest_position(self) -> StreamPosition: ...

    async def position_of(
        self, received: ReceivedLog, fallback: StreamPosition
    ) -> StreamPosition: ...

    async def after(
        self, position: StreamPosition, limit: int = ...
    ) -> tuple[FeedBackfill, StreamPosition]: ...


class DatabaseHistory:
    """Reads through a read-only connection factory (``engine.connect``)."""

    def __init__(self, connect: Connect) -> None:
        self.connect = connect

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection]:
        """A read connection; a database that fails or cannot be reached is ``StoreUnavailable``."""
        try:
            async with self.connect() as conn:
                yield conn
        except (SQLAlchemyError, OSError) as exc:
            raise StoreUnavailable(f"database read failed: {exc}") from exc

    async def latest_position(self) -> StreamPosition:
        """Where the stored stream ends now (the baseline of a first backfill)."""
        async with self._reading() as conn:
            return await positions.latest_position(conn)

    async def position_of(self, received: ReceivedLog, fallback: StreamPosition) -> StreamPosition:
        """The row ids of the newest rows the app received live, never behind ``fallback``."""
        async with self._reading() as conn:
            return fallback.advanced(
                patterns=await positions.pattern_position(conn, received.patterns),
                alerts=await positions.alert_position(conn, received.alerts),
                health=await positions.health_position(conn, received.health),
            )

    async def after(
        self, position: StreamPosition, limit: int = BACKFILL_PAGE
    ) -> tuple[FeedBackfill, StreamPosition]:
        """Patterns, alerts and health stored after ``position`` (at most ``limit`` of each,
        in id order), the current session, and the position they reach."""
        async with self._reading() as conn:
            session = await queries.current_session(conn)
            patterns = await positions.patterns_after(conn, position.patterns, limit)
            alerts = await positions.alerts_after(conn, position.alerts, limit)
            health = await positions.health_after(conn, position.health, limit)
        reached = position.advanced(
            patterns=max((r["id"] for r in patterns), default=0),
            alerts=max((r["id"] for r in alerts), default=0),
            health=max((r["id"] for r in health), default=0),
        )
        return self._validated([session] if session else [], patterns, alerts, health), reached

    def _validated(
        self,
        sessions: list[dict[str, Any]],
        patterns: list[dict[str, Any]],
        alerts: list[dict[str, Any]],
        health: list[dict[str, Any]],
    ) -> FeedBackfill:
        found = FeedBackfill()
        for record in sessions:
            channel = events.session_channel(record["status"])
            message = _validated(channel, payloads.session_event(record))
            if message is not None:
                found.sessions.append(message)  # type: ignore[arg-type]
        for record in patterns:
            pattern = _pattern(record)
            if pattern is not None:
                found.patterns.append(pattern)
        for record in alerts:
            alert = _validated(events.alert_channel(record["kind"]), payloads.alert_event(record))
            if alert is not None:
                found.alerts.append(alert)  # type: ignore[arg-type]
        for record in health:
            message = _validated(Channel.HEALTH, payloads.health_event(record))
            if message is not None:
                found.health.append(message)  # type: ignore[arg-type]
        return found

    async def client_backfill(
        self, position: ClientPosition, session_id: str | None, limit: int = CLIENT_BACKFILL_LIMIT
    ) -> dict[str, Any]:
        """What was stored after a reconnecting client's last detection and alert (of the
        current session when there is one), as event data, by position.

        ``unknown`` names what could not be placed (its row is not stored): that part is
        not backfilled. ``truncated`` names what had more than ``limit`` rows.
        """
        found: dict[str, Any] = {"patterns": [], "alerts": [], "unknown": [], "truncated": []}
        async with self._reading() as conn:
            if position.pattern is not None:
                after = await positions.pattern_position(conn, [position.pattern])
                if after:
                    rows = await positions.patterns_after(conn, after, limit + 1, session_id)
                    found["patterns"] = _pattern_events(rows[:limit])
                    if len(rows) > limit:
                        found["truncated"].append("patterns")
                else:
                    found["unknown"].append("patterns")
            if position.alert is not None:
                after = await positions.alert_position(conn, [position.alert])
                if after:
                    rows = await positions.alerts_after(
                        conn, after, limit + 1, session_id, kind="indicator"
                    )
                    found["alerts"] = _alert_events(rows[:limit])
                    if len(rows) > limit:
                        found["truncated"].append("alerts")
                else:
                    found["unknown"].append("alerts")
        return found

    async def restore(self, state: LiveState, *, max_patterns: int, max_alerts: int) -> None:
        """Rebuild ``state`` from the latest session's rows, when that session is active.

        The latest session goes by position (the order sessions were written). A stopped
        one is not brought back: the live view starts clean, as on an empty database,
        and earlier sessions stay in the history (Sessions).
        """
        async with self._reading() as conn:
            session = await queries.current_session(conn)
            if session is None or session["status"] != "active":
                return
            session_id = session["session_id"]
            patterns = await queries.recent_patterns(conn, max_patterns, session_id)
            alerts = await queries.recent_alerts(conn, max_alerts, session_id)
            health = await queries.latest_health(conn, session_id)
            open_alerts = await queries.open_critical_alerts(conn, session_id)
            indicators = await queries.latest_indicators(conn, session_id=session_id)
        counts = session.get("counts") or {}
        state.restore(
            session=_validated(
                events.session_channel(session["status"]), payloads.session_event(session)
            ),
            patterns=[p for p in map(_pattern, patterns) if p is not None],
            alerts=[
                a
                for a in (
                    _validated(Channel.ALERTS_INDICATORS, payloads.alert_event(r)) for r in alerts
                )
                if isinstance(a, IndicatorAlertMessage)
            ],
            health=(
                _validated(Channel.HEALTH, payloads.health_event(health))  # type: ignore[arg-type]
                if health
                else None
            ),
            open_alerts=[
                a
                for a in (
                    _validated(Channel.ALERTS_CRITICAL, payloads.alert_event(r))
                    for r in open_alerts
                )
                if isinstance(a, CriticalAlertMessage)
            ],
            indicators=[c for c in map(_calculation, indicators) if c is not None],
            patterns_detected=counts.get("patterns"),
            indicator_alerts=counts.get("alerts"),
        )


def _pattern_events(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored detections as ``streaming_pattern`` data, each validated by the contract."""
    return [
        events.pattern_event(to_wire(detection), channels)
        for detection, channels in filter(None, map(_pattern, records))
    ]


def _alert_events(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored indicator alerts as ``indicator_alert`` data, each validated by the contract."""
    alerts = (_validated(Channel.ALERTS_INDICATORS, payloads.alert_event(r)) for r in records)
    return [to_wire(a) for a in alerts if a is not None]


def _validated(channel: Channel, data: dict[str, Any]) -> Message | None:
    try:
        return parse_object(channel, data)
    except ContractError as exc:
        log.warning("skipping a stored row the contract rejects: %s", exc)
        return None


def _pattern(record: dict[str, Any]) -> tuple[PatternDetection, list[str]] | None:
    event = payloads.pattern_event(record)
    try:
        detection = PatternDetection.model_validate(event["detection"])
    except ValueError as exc:
        log.warning("skipping a stored detection the contract rejects: %s", exc)
        return None
    return detection, list(event["channels"])


def _calculation(record: dict[str, Any]) -> IndicatorCalculation | None:
    try:
        return IndicatorCalculation.model_validate(payloads.indicator_calculation(record))
    except ValueError as exc:
        log.warning("skipping a stored indicator the contract rejects: %s", exc)
        return None


__all__ = ("BACKFILL_PAGE", "DatabaseHistory", "FeedBackfill", "FeedHistory")
