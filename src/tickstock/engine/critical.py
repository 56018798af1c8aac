"""Critical alerts for real failures, each raised once and resolved once.

A failing component (the feed, Redis publishing, database writes, processing lag) raises one
``critical_alert`` when it starts failing — not one per failed attempt — and one recovery
(``resolved: true``, same ``component``) when it works again. The dashboard clears the open
alert of that component on the recovery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tickstock.contract.models import CriticalAlert


@dataclass(frozen=True, slots=True)
class FailureKind:
    """What a component's failure means: its severity, wording and what to do about it."""

    component: str
    severity: str
    message: str
    action_required: str
    recovery: str


FEED_LOST = FailureKind(
    "market_feed",
    "critical",
    "Market data feed lost: no ticks received",
    "Check the market data provider connection",
    "Market data feed restored",
)
REDIS_FAILING = FailureKind(
    "redis_publisher",
    "critical",
    "Publishing to Redis failing; messages are buffered",
    "Check the Redis server",
    "Publishing to Redis restored; buffered messages republished",
)
DATABASE_FAILING = FailureKind(
    "database",
    "error",
    "Database writes failing; rows are buffered and retried",
    "Check the database server",
    "Database writes restored; buffered rows written",
)
LAG_HIGH = FailureKind(
    "processing",
    "warning",
    "Processing lag over the critical threshold",
    "Reduce the universe or add CPU",
    "Processing lag back under the threshold",
)


def websocket_down(provider: str) -> FailureKind:
    """A live provider's WebSocket lost (component ``massive_websocket``, ``alpaca_websocket``)."""
    name = provider.capitalize()
    return FailureKind(
        f"{provider}_websocket",
        "critical",
        f"{name} WebSocket disconnected; reconnecting",
        f"Check the network and the {name} service status",
        f"{name} WebSocket reconnected; data flowing",
    )


def subscription_refused(provider: str) -> FailureKind:
    """The provider refused a subscription (plan, symbol or connection limit)."""
    name = provider.capitalize()
    return FailureKind(
        f"{provider}_subscription",
        "critical",
        f"{name} refused a subscription",
        f"Check the {name} plan and the symbols",
        f"{name} subscriptions accepted",
    )


class CriticalAlerts:
    """Which components are failing now; turns state changes into alerts, once each."""

    def __init__(self) -> None:
        self.open: dict[str, FailureKind] = {}
        self.raised = 0
        self.resolved = 0

    def update(
        self, kind: FailureKind, failing: bool, at_ts: float, detail: str = ""
    ) -> CriticalAlert | None:
        """The alert to send now that ``kind`` is (or is not) failing, or None if no change."""
        timestamp = datetime.fromtimestamp(at_ts, tz=UTC)
        if failing and kind.component not in self.open:
            self.open[kind.component] = kind
            self.raised += 1
            message = f"{kind.message}: {detail}" if detail else kind.message
            return CriticalAlert(
                severity=kind.severity,  # type: ignore[arg-type]
                message=message[:200],
                timestamp=timestamp,
                component=kind.component,
                action_required=kind.action_required,
            )
        if not failing and kind.component in self.open:
            del self.open[kind.component]
            self.resolved += 1
            return CriticalAlert(
                severity=kind.severity,  # type: ignore[arg-type]
                message=kind.recovery,
                timestamp=timestamp,
                component=kind.component,
                resolved=True,
            )
        return None
