"""``tickstock serve`` as a subprocess on a free port: the app the e2e and browser tests
talk to, in a process of its own as in production.

It is ready once ``/readyz`` answers (Redis and the database reachable) and it has
subscribed to the Redis channels — counted against the subscribers there were when it was
launched, so a test's own listeners on a shared Redis do not pass for it. A message
published after ``start()`` therefore always reaches it. A port taken between
``free_port()`` and the bind (test runs sharing a machine) costs a retry on another port; a
process that never became ready is stopped before the error is raised.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import redis
from tests.servers import BIND_ATTEMPTS, free_port, wait_until

from tickstock.contract import ALL_CHANNELS

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
SERVE = (sys.executable, "-m", "tickstock.cli", "serve", "--host", "127.0.0.1")


class AppProcess:
    """One ``tickstock serve``: ``url``, ``port``, ``pid``, ``process``, ``launch()`` (no
    wait: a spare app boots while a test runs), ``start()`` (launch if not running, wait
    until ready; after ``stop()`` again on the same port), ``stop()``, ``log()``."""

    #: seconds ``start()`` waits for readiness, per port tried
    start_timeout = START_TIMEOUT

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
        self._subscribers_before = 0

    def __enter__(self) -> AppProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _take_port(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = self.log_dir / f"app-{port}.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def launch(self) -> AppProcess:
        """Start the process without waiting for it to be ready."""
        self._subscribers_before = self._subscribers()
        self._spawn()
        return self

    def _spawn(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*SERVE, "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start(self) -> AppProcess:
        """Launch (if not running) and wait until ready; on a port taken meanwhile, again
        on another port."""
        if not self.running:
            self.launch()
        for attempt in range(1, BIND_ATTEMPTS + 1):
            try:
                wait_until(
                    self._ready,
                    self.start_timeout,
                    lambda: f"tickstock serve to be ready:\n{self.log()}",
                    interval=0.05,
                )
            except AssertionError:
                lost_its_port = self._lost_its_port()
                self.stop()  # not left running half-started (it may hang once it failed to bind)
                if attempt == BIND_ATTEMPTS or not lost_its_port:
                    raise
                self._take_port(free_port())
                self._spawn()
            else:
                return self
        raise AssertionError("unreachable")

    def _ready(self) -> bool:
        if not self.running:
            raise AssertionError(f"tickstock serve exited during start:\n{self.log()}")
        if self._lost_its_port():
            raise AssertionError(f"tickstock serve could not bind its port:\n{self.log()}")
        return self._answers() and self._subscribers() > self._subscribers_before

    def _lost_its_port(self) -> bool:
        """It says it could not bind (it should exit then, but has been seen to hang)."""
        return "address already in use" in self.log()

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def _subscribers(self) -> int:
        """The fewest subscribers any channel has."""
        client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
        try:
            counts = dict(client.pubsub_numsub(*ALL_CHANNELS))
            return min(counts.get(channel.encode(), 0) for channel in ALL_CHANNELS)
        except redis.RedisError:
            return 0
        finally:
            client.close()

    def stop(self) -> None:
        """SIGTERM and wait (SIGKILL after ``STOP_TIMEOUT``); ``start()`` brings it back."""
        if not self.running:
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)

    def log(self) -> str:
        """The end of the process's log (stdout and stderr)."""
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""
