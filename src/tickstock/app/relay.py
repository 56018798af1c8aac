"""Redis in: each message of the subscription (``app.subscriber``) validated on its own.

``Relay`` is what each message goes through: size limit, ``contract.read`` (tolerant or
strict; a bad batch item drops itself), rejects and normalisations counted and logged
(``app.ingest_counts``), ``LiveState.accept``
(de-duplication), ``FanOut.publish``. On a gap it announces ``feed_gap`` and backfills
from the database by position: the rows stored after the newest ones it received
(``app.recovery``), never by the events' own timestamps. It also publishes ``metrics``
and ``app_status`` when they change.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from tickstock.app.bars import conflation_key
from tickstock.app.fanout import FanOut
from tickstock.app.history import BACKFILL_PAGE, FeedHistory
from tickstock.app.ingest_counts import IngestCounts
from tickstock.app.logs import ctx
from tickstock.app.recovery import ReceivedLog
from tickstock.app.state import LiveState
from tickstock.contract import (
    MAX_MESSAGE_BYTES,
    Channel,
    Message,
    SessionStoppedMessage,
    format_timestamp,
)
from tickstock.contract.events import Relayed, channel_of
from tickstock.contract.parse import read
from tickstock.errors import ContractError, StoreError
from tickstock.store.positions import StreamPosition

#: The ingest stage's logger, as ``app.ingest_counts`` logs: the name operators filter on.
log = logging.getLogger("tickstock.app.ingest")

#: Seconds before each further look for rows the producer wrote after the first pass.
BACKFILL_PASSES = (1.0, 3.0, 10.0)


class Relay:
    """Raw Redis messages to relayed Socket.IO events, with counting and backfill."""

    def __init__(
        self,
        state: LiveState,
        fanout: FanOut,
        *,
        metrics: Any = None,
        history: FeedHistory | None = None,
        clock: Callable[[], float] = time.monotonic,
        tolerant: bool = True,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.state = state
        self.fanout = fanout
        self.metrics = metrics
        self.history = history
        self.clock = clock
        self.tolerant = tolerant
        self.counts = IngestCounts(state, metrics, clock)
        self.sleep = sleep
        #: what this app received live, and the stored position it reached (app.recovery)
        self.heard = ReceivedLog()
        self.position = StreamPosition()
        self._last_metrics: dict[str, Any] | None = None
        self._last_status: dict[str, str] | None = None

    def handle(self, channel: str, raw: bytes | str, received: float | None = None) -> int:
        """Validate and relay one message; returns how many events went out. Never raises."""
        received = self.clock() if received is None else received
        counts = self.counts.message(channel)
        try:
            if len(raw) > MAX_MESSAGE_BYTES:  # before decoding anything
                raise ContractError(channel, "", f"message of {len(raw)} bytes", kind="too_large")
            parsed = read(channel, raw, tolerant=self.tolerant)
            for dropped in parsed.dropped:
                self.counts.reject(dropped)
            for normalisation in parsed.normalised:
                self.counts.normalised(channel, normalisation)
            if parsed.message is None:
                return 0
            self.heard.saw(parsed.message)
            duplicates = self.state.duplicates
            relayed = self.state.accept(Channel(channel), parsed.message)
        except ContractError as exc:
            self.counts.reject(exc)
            return 0
        except Exception:  # a bug must cost one message, never the listener
            log.exception(
                "unexpected failure relaying a message",
                extra=ctx(channel=channel, bytes=len(raw), head=repr(raw[:80])),
            )
            self.counts.reject(ContractError(channel, "", "internal error", kind="internal"))
            return 0
        if self.metrics is not None and self.state.duplicates > duplicates:
            self.metrics.duplicates.inc(self.state.duplicates - duplicates)
        counts["relayed"] += len(relayed)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "event received",
                extra=ctx(channel=channel, type=parsed.message.type, relayed=len(relayed)),
            )
        for event, data in relayed:
            self.fanout.publish(event, data, received=received, key=conflation_key(event, data))
        return len(relayed)

    @property
    def received(self) -> dict[str, dict[str, int]]:
        """Per channel: messages, items relayed, rejects, normalisations (cumulative)."""
        return self.counts.received

    # --- status ---------------------------------------------------------------------------

    def set_redis_status(self, status: str) -> None:
        self.state.redis_status = status
        self.publish_changes()

    def set_database_status(self, status: str) -> None:
        self.state.database_status = status
        self.publish_changes()

    def publish_changes(self, *, include_metrics: bool = False) -> None:
        """Publish ``app_status`` when it changed, and ``metrics`` when asked and changed."""
        status = self.state.app_status()
        if status != self._last_status:
            self._last_status = status
            self.fanout.publish("app_status", status)
        if include_metrics:
            metrics = self.state.metrics()
            if metrics != self._last_metrics:
                self._last_metrics = metrics
                self.fanout.publish("metrics", metrics)

    async def tick_forever(
        self,
        interval: float = 1.0,
        metrics_every: float = 1.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        """Engine staleness (``app_status``) every ``interval``; ``metrics`` at most once per
        ``metrics_every`` — both only when changed."""
        last_metrics = -math.inf
        while True:
            await sleep(interval)
            try:
                now = self.clock()
                include_metrics = now - last_metrics >= metrics_every - interval / 2
                if include_metrics:
                    last_metrics = now
                self.publish_changes(include_metrics=include_metrics)
                self.relay_forming_bars()
            except Exception:
                log.exception("publishing metrics failed; continuing")

    def relay_forming_bars(self) -> None:
        """Forming bars held back by the conflation (``BarBook``) once their second is up;
        keyed, so that a client that fell behind gets only the latest (``FanOut``)."""
        for event, data in self.state.bars.due(self.clock()):
            self.fanout.publish(event, data, key=conflation_key(event, data))

    # --- gaps -----------------------------------------------------------------------------

    async def remember_position(self) -> None:
        """Take the stored stream's end as the baseline of the first backfill (at start)."""
        if self.history is None:
            return
        try:
            self.position = await self.history.latest_position()
        except (StoreError, OSError) as exc:
            log.warning("could not read the stream position at start: %s", exc)

    async def backfill_gap(
        self, start: datetime, end: datetime, quiet: bool = False
    ) -> dict[str, int]:
        """Announce ``feed_gap`` and relay what was stored after what the app received.

        By position (``app.recovery``): rows after the newest ones the app received live.
        The producer may write a row shortly after publishing it, so the backfill looks
        again after each of ``BACKFILL_PASSES``; de-duplication drops what came live.
        ``quiet`` (the first subscription at start): no ``feed_gap`` unless rows were found.
        """
        counts = {"patterns": 0, "alerts": 0, "health": 0, "sessions": 0}
        relayed: list[Relayed] = []
        if self.history is not None:
            try:
                position = await self.history.position_of(self.heard, self.position)
                relayed = await self._backfill_after(position, counts)
            except (StoreError, OSError) as exc:
                log.warning("backfill of the feed gap failed: %s", exc)
                self.set_database_status("down")
            else:
                self.set_database_status("ok")
        gap = {"from": format_timestamp(start), "to": format_timestamp(end), "backfilled": counts}
        if quiet and not relayed:
            log.debug("nothing stored between the restore and the first subscription")
        else:
            log.warning("feed gap %s .. %s; backfilled %s", gap["from"], gap["to"], counts)
            if self.metrics is not None:
                self.metrics.feed_gaps.inc()
            self.fanout.publish("feed_gap", gap)
        for event, data in relayed:
            self.fanout.publish(event, data, backfilled=True)
        if self.history is not None and not quiet:
            # Not after the quiet one at start: with no gap, a late pass could only race
            # the live stream for rows just written, and reorder what two apps relay.
            await self._backfill_late_rows(counts)
        return counts

    async def _backfill_late_rows(self, counts: dict[str, int]) -> None:
        """Look again for rows written after the first pass (the producer's write lag, or
        its database outage), relaying what the live stream has not brought."""
        assert self.history is not None
        for delay in BACKFILL_PASSES:
            await self.sleep(delay)
            late = dict.fromkeys(counts, 0)
            try:
                relayed = await self._backfill_after(self.position, late)
            except (StoreError, OSError) as exc:
                log.warning("late backfill pass failed: %s", exc)
                continue
            for event, data in relayed:
                self.fanout.publish(event, data, backfilled=True)
            if relayed:
                log.warning("feed gap: %s more backfilled from rows written late", late)
            for kind, count in late.items():
                counts[kind] += count

    def _session_concerns_view(self, message: Message) -> bool:
        """A stored session belongs in the live view when it is active, or is the one shown
        (its stop): a session that ended before (or while) the app was away stays in the
        history, as at restore."""
        if not isinstance(message, SessionStoppedMessage):
            return True
        return (self.state.session or {}).get("session_id") == message.session.session_id

    async def _backfill_after(
        self, position: StreamPosition, counts: dict[str, int]
    ) -> list[Relayed]:
        """Accept every row stored after ``position``, page by page until one brings nothing
        new; advance the position."""
        assert self.history is not None
        relayed: list[Relayed] = []
        while True:
            found, reached = await self.history.after(position, BACKFILL_PAGE)
            for message in found.sessions:
                if not self._session_concerns_view(message):
                    continue
                batch = self.state.accept(channel_of(message), message, live=False)
                counts["sessions"] += len(batch)
                relayed += batch
            for detection, channels in found.patterns:
                batch = self.state.accept_detection(detection, channels, live=False)
                counts["patterns"] += len(batch)
                relayed += batch
            for alert in found.alerts:
                batch = self.state.accept(channel_of(alert), alert, live=False)
                counts["alerts"] += len(batch)
                relayed += batch
            for health in found.health:
                batch = self.state.accept(channel_of(health), health, live=False)
                counts["health"] += len(batch)
                relayed += batch
            if reached == position:  # a page with nothing new: all read
                return relayed
            self.position = position = reached.advanced(**vars(self.position))
