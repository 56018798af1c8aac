"""What a run did, in real figures: the tests compare them with Redis and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
    #: minutes loaded from a provider's history (warm-up, refill): computed, stored, not published
    history_minutes: int = 0
    #: the start (epoch seconds) of every minute closed, in closing order
    closed_minutes: list[int] = field(default_factory=list)
