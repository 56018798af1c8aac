"""What ingest counts and says about each message: received, relayed, rejected, normalised.

Per channel, cumulatively (``received``: the per-interval ingest summary log line reads it),
in the live state (``rejects`` and ``normalised`` of the ``metrics`` event, the health
panel's ingest line), in Prometheus (``tickstock_events_in_total``, ``..._rejects_total``,
``..._normalisations_total``), and as log lines: each reject and each normalisation once per
channel and kind per minute, with the count of those held back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from tickstock.app.logs import Throttle, ctx
from tickstock.contract import ALL_CHANNELS
from tickstock.contract.normalise import Normalisation
from tickstock.errors import ContractError

#: The relay's lines, under its own logger name (docs/operations.md lists them).
log = logging.getLogger("tickstock.app.ingest")

#: Seconds between two log lines for the same (channel, reject or normalisation kind).
LOG_INTERVAL = 60.0


class IngestCounts:
    """The counters and throttled log lines of one ``Relay``."""

    def __init__(
        self, state: Any, metrics: Any = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.state = state
        self.metrics = metrics
        #: per channel: messages, items relayed, rejects and normalisations (cumulative)
        self.received: dict[str, dict[str, int]] = {}
        self.throttle = Throttle(LOG_INTERVAL, clock)
        self._events_in: dict[str, Any] = {}

    def message(self, channel: str) -> dict[str, int]:
        """Count one message received on ``channel``; returns the channel's counts."""
        counts = self._of(channel)
        counts["messages"] += 1
        if self.metrics is not None:
            counter = self._events_in.get(channel)
            if counter is None:  # ``labels`` costs more than the increment: once per channel
                counter = self._events_in[channel] = self.metrics.events_in.labels(channel=channel)
            counter.inc()
        return counts

    def reject(self, exc: ContractError) -> None:
        """A message, or one item of a batch, was refused."""
        self.state.count_reject()
        self._of(exc.channel)["rejected"] += 1
        if self.metrics is not None:
            self.metrics.rejects.labels(channel=exc.channel, reason=exc.kind).inc()
        held = self.throttle.due(("reject", exc.channel, exc.kind))
        if held is not None:
            log.warning(
                "rejected %s on %s: field %r: %s",
                exc.kind,
                exc.channel,
                exc.field,
                exc.reason,
                extra=ctx(
                    channel=exc.channel,
                    reason=exc.kind,
                    field=exc.field,
                    detail=exc.reason,
                    held_back=held,
                    next_log_in_s=LOG_INTERVAL,
                ),
            )

    def normalised(self, channel: str, note: Normalisation) -> None:
        """A value was rewritten to the canonical form (tolerant ingest)."""
        self.state.count_normalised()
        self._of(channel)["normalised"] += 1
        if self.metrics is not None:
            self.metrics.normalisations.labels(channel=channel, reason=note.kind).inc()
        held = self.throttle.due(("normalised", channel, note.kind))
        if held is not None:
            log.info(
                "normalised %s on %s: %s %s -> %s",
                note.kind,
                channel,
                note.field,
                note.before,
                note.after,
                extra=ctx(
                    channel=channel,
                    reason=note.kind,
                    field=note.field,
                    held_back=held,
                    next_log_in_s=LOG_INTERVAL,
                ),
            )

    def _of(self, channel: str) -> dict[str, int]:
        counts = self.received.get(channel)
        if counts is None:
            if channel not in ALL_CHANNELS:
                channel = "(unknown)"  # bounded: a stray channel name cannot grow the table
            counts = self.received.setdefault(
                channel, {"messages": 0, "relayed": 0, "rejected": 0, "normalised": 0}
            )
        return counts
