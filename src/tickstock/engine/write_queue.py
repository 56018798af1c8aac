"""Database writes in their own task, behind a bounded buffer, retried until they succeed.

Publishing never waits for the database: the runner queues each minute's rows as jobs and
moves on. The write task runs jobs in order; a job that fails because the database is
unavailable is retried (capped exponential backoff with jitter) until it succeeds, so after
an outage everything buffered is written, in order. Writes are idempotent (unique keys in the
store), so a retried job that had partly succeeded is harmless. Past ``limit`` buffered rows
the oldest jobs are dropped and counted (logged).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

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

    def __init__(
        self,
        limit: int = 2_000_000,
        max_backoff: float = 5.0,
        on_change: Callable[[bool], None] | None = None,
        unavailable: Callable[[], bool] = lambda: False,
        before_each: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.limit = limit
        self.max_backoff = max_backoff
        self.on_change = on_change
        self.unavailable = unavailable
        #: awaited before each job: the runner lets the minute's publish finish first
        self.before_each = before_each
        self._jobs: deque[WriteJob] = deque()
        self._rows = 0
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.ok = True
        self.written: dict[str, int] = {}
        self.dropped_rows = 0
        self.failures = 0
        self.last_error = ""

    @property
    def backlog_rows(self) -> int:
        return self._rows

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="store-writes")

    def submit(self, job: WriteJob) -> None:
        if job.rows == 0:
            return
        self._jobs.append(job)
        self._rows += job.rows
        self._trim()
        self._idle.clear()
        self._wake.set()

    def _trim(self) -> None:
        if self._rows <= self.limit or len(self._jobs) < 2:
            return
        head = self._jobs.popleft()  # it may be mid-write: never dropped
        kept: deque[WriteJob] = deque([head])
        dropped = 0
        while self._jobs:
            job = self._jobs.popleft()
            if job.droppable and self._rows > self.limit and self._jobs:
                self._rows -= job.rows
                dropped += job.rows
            else:
                kept.append(job)
        self._jobs = kept
        if dropped:
            self.dropped_rows += dropped
            log.warning(
                "write buffer full (%d rows): dropped %d of the oldest rows (%d in all)",
                self.limit,
                dropped,
                self.dropped_rows,
            )

    async def wait_idle(self, within: float | None = None) -> bool:
        """Wait until every queued job is written; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._jobs:
                if self.before_each is not None:
                    await self.before_each()
                job = self._jobs[0]
                try:
                    if self.unavailable():
                        raise StoreUnavailable("database unavailable (injected fault)")
                    await job.run()
                except RETRYABLE as exc:
                    self.failures += 1
                    self.last_error = (
                        str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                    )
                    if self.ok:
                        self.ok = False
                        log.error("database writes failing (%s); buffering", self.last_error)
                        self._changed(False)
                    delay = min(self.max_backoff, backoff) * random.uniform(0.5, 1.0)
                    backoff = min(self.max_backoff, backoff * 2)
                    await asyncio.sleep(delay)
                    continue
                backoff = 0.05
                if self._jobs and self._jobs[0] is job:
                    self._jobs.popleft()
                    self._rows -= job.rows
                self.written[job.kind] = self.written.get(job.kind, 0) + job.rows
                if not self.ok:
                    self.ok = True
                    log.warning("database writes restored; %d rows still buffered", self._rows)
                    self._changed(True)
            self._idle.set()

    def _changed(self, ok: bool) -> None:
        if self.on_change is not None:
            self.on_change(ok)

    async def close(self, drain_timeout: float = 10.0) -> None:
        """Write what is left (bounded by ``drain_timeout``), then stop."""
        if self._jobs and not await self.wait_idle(drain_timeout):
            log.warning("write queue closed with %d rows unwritten", self._rows)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
