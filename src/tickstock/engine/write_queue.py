"""Database writes in their own task, behind a bounded buffer, retried until they succeed.

Publishing never waits for the database: the runner queues each minute's rows as jobs and
moves on. The write task runs jobs in order; a job that fails because the database is
unavailable is retried (capped exponential backoff with jitter) until it succeeds, so after
an outage everything buffered is written, in order. Writes are idempotent (unique keys in the
store), so a retried job that had partly succeeded is harmless. Past ``limit`` buffered rows
the oldest droppable jobs are dropped and counted (logged), never the one being written. The
buffering, bound and retries are ``retry_buffer.RetryBuffer``'s.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from tickstock.engine.retry_buffer import Entry, RetryBuffer, from_buffer
from tickstock.errors import StoreError, StoreUnavailable

log = logging.getLogger(__name__)

#: Failures that mean "try again later" rather than "this job is wrong".
RETRYABLE = (StoreError, SQLAlchemyError, OSError, ConnectionError, TimeoutError)


@dataclass(frozen=True, slots=True)
class WriteJob:
    """One write: what it is (``kind``), how many rows, and the call that performs it."""

    kind: str
    rows: int
    run: Callable[[], Awaitable[object]]
    droppable: bool = True


class WriteQueue:
    """Runs write jobs in order in one task; ``on_change(ok)`` reports outage and recovery.

    ``unavailable()`` lets fault injection make every attempt fail as if the database were
    gone, without touching the database itself.
    """

    limit = from_buffer("limit")
    max_backoff = from_buffer("max_backoff")
    ok = from_buffer("ok", "False from a failed write until the next one succeeds")
    dropped_rows = from_buffer("dropped", "rows dropped by the bound")
    failures = from_buffer("failures", "failed write attempts")
    backlog_rows = from_buffer("weight", "rows waiting to be written")

    def __init__(
        self,
        limit: int = 2_000_000,
        max_backoff: float = 5.0,
        on_change: Callable[[bool], None] | None = None,
        unavailable: Callable[[], bool] = lambda: False,
        before_each: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.on_change = on_change
        self.unavailable = unavailable
        #: awaited before each job: the runner lets the minute's publish finish first
        self.before_each = before_each
        # The head job may be mid-write, so it is never dropped (keep_ends).
        self._buffer: RetryBuffer[WriteJob] = RetryBuffer(
            self._write,
            limit=limit,
            max_backoff=max_backoff,
            retryable=RETRYABLE,
            on_failing=self._failing,
            on_sent=self._written,
            drop_warning="write buffer full (%d rows): dropped %d of the oldest rows (%d in all)",
            logger=log,
            weight=lambda job: job.rows,
            droppable=lambda job: job.droppable,
            keep_ends=True,
        )
        self.written: dict[str, int] = {}
        self.last_error = ""

    def start(self) -> None:
        self._buffer.start("store-writes")

    def submit(self, job: WriteJob) -> None:
        if job.rows != 0:
            self._buffer.extend((job,))

    async def wait_idle(self, within: float | None = None) -> bool:
        """Wait until every queued job is written; False on timeout."""
        return await self._buffer.wait_idle(within)

    async def _write(self, batch: list[WriteJob]) -> None:
        if self.before_each is not None:
            await self.before_each()
        try:
            if self.unavailable():
                raise StoreUnavailable("database unavailable (injected fault)")
            for job in batch:
                await job.run()
        except RETRYABLE as exc:
            self.last_error = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise

    def _failing(self, exc: BaseException) -> None:
        log.error("database writes failing (%s); buffering", self.last_error)
        self._changed(False)

    def _written(self, batch: list[Entry[WriteJob]], restored: bool) -> None:
        for entry in batch:
            kind = entry.item.kind
            self.written[kind] = self.written.get(kind, 0) + entry.weight
        if restored:
            log.warning("database writes restored; %d rows still buffered", self.backlog_rows)
            self._changed(True)

    def _changed(self, ok: bool) -> None:
        if self.on_change is not None:
            self.on_change(ok)

    async def close(self, drain_timeout: float = 10.0) -> None:
        """Write what is left (bounded by ``drain_timeout``), then stop."""
        if not await self._buffer.close(drain_timeout):
            log.warning("write queue closed with %d rows unwritten", self.backlog_rows)
