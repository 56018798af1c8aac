"""Where the feed was when it broke: what the app received last, for a backfill by position.

``ReceivedLog`` keeps the identities of the newest detections, alerts and health reports
received live (a few of each: the very newest may not be written yet). After a gap,
``DatabaseHistory.position_of`` turns them into row ids, and everything stored after
those ids is what the app may have missed (``store.positions``). No clock is compared:
an accelerated or replayed session's timestamps are not wall time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from tickstock.contract import (
    CriticalAlertMessage,
    HealthMessage,
    IndicatorAlertMessage,
    Message,
    detections_of,
)
from tickstock.contract.models import AlertType, Symbol, Text, Timeframe, Timestamp
from tickstock.store.positions import AlertIdentity, PatternIdentity

#: Identities kept per kind.
KEEP = 32


class ReceivedLog:
    """The newest identities received live, per table."""

    def __init__(self, keep: int = KEEP) -> None:
        self.patterns: deque[PatternIdentity] = deque(maxlen=keep)
        self.alerts: deque[AlertIdentity] = deque(maxlen=keep)
        self.health: deque[datetime] = deque(maxlen=keep)

    def saw(self, message: Message) -> None:
        """Record ``message`` (the last detection of a batch stands for the batch)."""
        detections = detections_of(message)
        if detections:
            d = detections[-1]
            self.patterns.append((d.symbol, d.pattern_type, d.timeframe, d.timestamp))
        elif isinstance(message, IndicatorAlertMessage):
            a = message.alert
            self.alerts.append(("indicator", a.symbol, a.alert_type, a.timestamp))
        elif isinstance(message, CriticalAlertMessage):
            c = message.alert
            self.alerts.append(("critical", c.component, c.resolved, c.timestamp))
        elif isinstance(message, HealthMessage):
            self.health.append(message.health.timestamp)


class _LastPattern(BaseModel):
    model_config = ConfigDict(extra="ignore")
    symbol: Symbol
    pattern_type: Text
    timeframe: Timeframe
    timestamp: Timestamp


class _LastAlert(BaseModel):
    model_config = ConfigDict(extra="ignore")
    symbol: Symbol
    alert_type: AlertType
    timestamp: Timestamp


class ClientPosition:
    """A reconnecting client's ``after``: the last detection and indicator alert it holds.

    The browser sends ``{"pattern": {symbol, pattern_type, timeframe, timestamp},
    "alert": {symbol, alert_type, timestamp}}``; whatever is missing or malformed is None
    (the client then gets the snapshot without that part of the backfill).
    """

    def __init__(self, pattern: PatternIdentity | None, alert: AlertIdentity | None) -> None:
        self.pattern = pattern
        self.alert = alert

    @classmethod
    def from_auth(cls, payload: Mapping[str, Any]) -> ClientPosition | None:
        after = payload.get("after")
        if not isinstance(after, Mapping):
            return None
        pattern = alert = None
        try:
            p = _LastPattern.model_validate(after.get("pattern"))
            pattern = (p.symbol, p.pattern_type, p.timeframe, p.timestamp)
        except ValidationError:
            pass
        try:
            a = _LastAlert.model_validate(after.get("alert"))
            alert = ("indicator", a.symbol, a.alert_type, a.timestamp)
        except ValidationError:
            pass
        return cls(pattern, alert) if pattern or alert else None


__all__ = ("ClientPosition", "ReceivedLog")
