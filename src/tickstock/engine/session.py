"""A streaming session: opened at the market open, closed at the close, with real totals.

``session_started`` and ``session_stopped`` are the bookends the dashboard shows; the
totals in ``session_stopped`` are the patterns and indicator calculations this session
actually published (counted as they are handed to the publisher), so they equal the rows
written for the session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tickstock.contract import (
    SessionStart,
    SessionStartedMessage,
    SessionStop,
    SessionStoppedMessage,
    message_types,
)


@dataclass(slots=True)
class StreamingSession:
    """One session's identity and running totals."""

    universe: str
    symbol_count: int
    started_at: datetime
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    total_patterns: int = 0
    total_indicators: int = 0
    total_alerts: int = 0
    total_bars: int = 0

    def count(self, patterns: int, indicators: int, alerts: int, bars: int) -> None:
        self.total_patterns += patterns
        self.total_indicators += indicators
        self.total_alerts += alerts
        self.total_bars += bars

    def start_record(self) -> SessionStart:
        return SessionStart(
            session_id=self.session_id,
            universe=self.universe,
            started_at=self.started_at,
            symbol_count=self.symbol_count,
        )

    def started_message(self) -> SessionStartedMessage:
        return SessionStartedMessage(
            type=message_types.SESSION_STARTED, session=self.start_record()
        )

    def stop_record(self, stopped_at: datetime) -> SessionStop:
        duration = max(0.0, (stopped_at - self.started_at).total_seconds())
        return SessionStop(
            session_id=self.session_id,
            stopped_at=stopped_at.astimezone(UTC),
            duration_seconds=duration,
            total_patterns=self.total_patterns,
            total_indicators=self.total_indicators,
        )

    def stopped_message(self, stopped_at: datetime) -> SessionStoppedMessage:
        return SessionStoppedMessage(
            type=message_types.SESSION_STOPPED, session=self.stop_record(stopped_at)
        )
