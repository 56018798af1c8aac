"""Structured, rate-limited log lines: what an operator reads (docs/operations.md, "Logs").

- ``ctx(**fields)``: the ``extra`` of a log call; the fields are written as ``key=value``
  after the message (text) or as keys of the line's object (JSON), see ``logging_setup``.
- ``Throttle``: one line per key per interval (a reject reason, a normalisation kind),
  the rest counted and reported with the next line.
- ``RateLimitFilter``: a cap on lines per logger per minute, so no flood - of bad messages,
  of requests, of browser errors - can fill a disk.
- ``MinuteSummaries``: every minute, one INFO line per channel received and one line for
  the broadcasts (frames, events, clients, resyncs), from the app's counters.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

#: The attribute of a ``LogRecord`` that carries its structured fields.
FIELDS = "fields"

log = logging.getLogger("tickstock.app.summary")


def ctx(**fields: Any) -> dict[str, Any]:
    """``extra=`` for a log call: ``log.info("client connected", extra=ctx(sid=sid))``."""
    return {FIELDS: fields}


class Throttle:
    """Allows one log line per key per ``interval`` seconds and counts what it held back.

    At most ``max_keys`` keys are remembered (keys may come from outside, e.g. a browser's
    error message): past that, keys whose interval is over are forgotten, then all.
    """

    def __init__(
        self,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 1024,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.max_keys = max_keys
        self._last: dict[Hashable, float] = {}
        self._held: Counter[Hashable] = Counter()

    def due(self, key: Hashable) -> int | None:
        """``None`` when the line is held back; else the number held back since the last."""
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            self._held[key] += 1
            return None
        if last is None and len(self._last) >= self.max_keys:
            self._forget(now)
        self._last[key] = now
        return self._held.pop(key, 0)

    def _forget(self, now: float) -> None:
        expired = [k for k, at in self._last.items() if now - at >= self.interval]
        for k in expired if len(expired) * 2 >= len(self._last) else list(self._last):
            del self._last[k]
            self._held.pop(k, None)


class RateLimitFilter(logging.Filter):
    """At most ``per_minute`` lines per logger per minute; then one line saying how many
    were dropped, once the next minute lets lines through again."""

    def __init__(self, per_minute: int = 600, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self.dropped: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        start, used = self._windows.get(record.name, (now, 0))
        if now - start >= 60.0:
            start, used = now, 0
        if used >= self.per_minute:
            self.dropped[record.name] += 1
            self._windows[record.name] = (start, used)
            return False
        self._windows[record.name] = (start, used + 1)
        dropped = self.dropped.pop(record.name, 0)
        if dropped:
            fields = dict(getattr(record, FIELDS, None) or {})
            fields["log_lines_dropped"] = dropped
            setattr(record, FIELDS, fields)
        return True


Counts = Callable[[], dict[str, Any]]


class MinuteSummaries:
    """Logs, each ``interval``, the per-channel receipts and the broadcast totals.

    ``received`` and ``broadcast`` return cumulative counts; a summary shows the change
    since the last one and is skipped when nothing changed, so an idle app stays quiet.
    """

    def __init__(
        self,
        received: Callable[[], dict[str, dict[str, int]]],
        broadcast: Counts,
        interval: float = 60.0,
    ) -> None:
        self.received = received
        self.broadcast = broadcast
        self.interval = interval
        self._last_received: dict[str, dict[str, int]] = {}
        self._last_broadcast: dict[str, Any] = {}

    def emit(self) -> None:
        """Log one summary line per active channel and one for the broadcasts."""
        for channel, counts in sorted(self.received().items()):
            before = self._last_received.get(channel, {})
            change = {k: v - before.get(k, 0) for k, v in counts.items()}
            self._last_received[channel] = dict(counts)
            if any(change.values()):
                log.info(
                    "ingest summary",
                    extra=ctx(channel=channel, seconds=self.interval, **change),
                )
        now = self.broadcast()
        change = {
            k: v - self._last_broadcast.get(k, 0) if k != "clients" else v for k, v in now.items()
        }
        moved = any(v for k, v in change.items() if k != "clients")
        if moved or now.get("clients") != self._last_broadcast.get("clients"):
            log.info("broadcast summary", extra=ctx(seconds=self.interval, **change))
        self._last_broadcast = dict(now)

    async def run(self, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        while True:
            await sleep(self.interval)
            try:
                self.emit()
            except Exception:
                log.exception("logging the minute's summary failed; continuing")
