"""The engine on a thread of its own; the app is a ``tickstock serve`` process
(``tests.app_process.AppProcess``).

End-to-end figures must not measure a test loop that also runs the app and the engine:
the app gets its own process (as in production) and the engine its own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from tickstock.engine.runner import EngineConfig, EngineReport, run_engine


class EngineThread:
    """``run_engine(config)`` on its own event loop; ``await join()`` for its report, or
    ``stop()`` to end it early (as SIGTERM would) from a synchronous test."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.report: EngineReport | None = None
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)

    def start(self) -> EngineThread:
        self._thread.start()
        return self

    def _run(self) -> None:
        async def main() -> EngineReport:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            return await run_engine(self.config, self._stop)

        try:
            self.report = asyncio.run(main())
        except BaseException as exc:  # handed to the test by join(), or read from .error
            self.error = exc
        finally:
            self._done.set()

    def stop(self, timeout: float = 30) -> None:
        """Ask the engine to stop and wait up to ``timeout`` s for its thread to end."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not self._done.is_set():
            with contextlib.suppress(RuntimeError):  # its loop closed meanwhile: it has ended
                loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout)

    async def join(self, timeout: float) -> EngineReport:  # noqa: ASYNC109 - bounded wait
        finished = await asyncio.get_running_loop().run_in_executor(None, self._done.wait, timeout)
        if not finished:
            raise AssertionError(f"the engine did not finish within {timeout}s")
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report
