"""The app as a ``tickstock serve`` process and the engine on a thread of its own.

End-to-end figures must not measure a test loop that also runs the app and the engine:
the app gets its own process (as in production) and the engine its own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import redis
from tests.servers import BIND_ATTEMPTS, free_port, lost_its_port, wait_until

from tickstock.contract import ALL_CHANNELS
from tickstock.engine.runner import EngineConfig, EngineReport, run_engine

START_TIMEOUT = 20.0
SERVE = (sys.executable, "-m", "tickstock.cli", "serve", "--host", "127.0.0.1")


class AppProcess:
    """``tickstock serve`` on a free port; ready once it answers and is subscribed to Redis."""

    def __init__(self, redis_url: str, database_url: str, log_dir: Path, **env: str) -> None:
        self.redis_url = redis_url
        self.log_dir = log_dir
        self._take_port(free_port())
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url,
            "TICKSTOCK_LOG_LEVEL": "WARNING",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> AppProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _take_port(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = self.log_dir / f"app-{port}.log"

    def start(self) -> AppProcess:
        """Launch and wait until ready; on a port taken meanwhile, again on another port."""
        subscribers_before = self._subscribers()
        for attempt in range(1, BIND_ATTEMPTS + 1):
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [*SERVE, "--port", str(self.port)],
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                wait_until(
                    lambda: (
                        self._running()
                        and self._answers()
                        and self._subscribers() > subscribers_before
                    ),
                    START_TIMEOUT,
                    lambda: f"tickstock serve to be ready:\n{self.log()}",
                    interval=0.1,
                )
            except AssertionError:
                if attempt == BIND_ATTEMPTS or not lost_its_port(self.process, self.log):
                    self.stop()  # not left running half-started after a failed test
                    raise
                self._take_port(free_port())
            else:
                return self
        raise AssertionError("unreachable")

    def _running(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"tickstock serve exited during start:\n{self.log()}")
        return True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def _subscribers(self) -> int:
        client = redis.Redis.from_url(self.redis_url, socket_timeout=1)
        try:
            counts = dict(client.pubsub_numsub(*ALL_CHANNELS))
            return min(counts.values())
        except redis.RedisError:
            return 0
        finally:
            client.close()


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
