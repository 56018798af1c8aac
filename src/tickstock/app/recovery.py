"""Where the feed was when it broke: what the app received last, for a backfill by position.

``ReceivedLog`` keeps the identities of the newest detections, alerts and health reports
received live (a few of each: the very newest may not be written yet). After a gap,
``DatabaseHistory.position_of`` turns them into row ids, and everything stored after
those ids is what the app may have missed (``store.positions``). No clock is compared:
an accelerated or replayed session's timestamps are not wall time.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from tickstock.contract import (
    CriticalAlertMessage,
    HealthMessage,
    IndicatorAlertMessage,
    Message,
    detections_of,
)
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


__all__ = ("ReceivedLog",)
