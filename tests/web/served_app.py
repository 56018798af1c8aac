"""``tickstock serve`` as a subprocess on a free port: what a browser test talks to.

Each app has a redis-server of its own (a spare app booting during a test must not hear
that test's messages). It is ready only once it answers HTTP and is subscribed to the 8
Redis channels — so a message published after ``start()`` always reaches it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import redis
from tests.servers import BIND_ATTEMPTS, RedisServer, free_port, lost_its_port, wait_until
from tests.web.market import MarketFeed

from tickstock.contract import ALL_CHANNELS

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


class ServedApp:
    """One app process and its Redis; ``url``, ``port``, ``feed``, ``start()``, ``stop()``."""

    def __init__(self, database_url: str, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self.redis = RedisServer().start()
        redis_url = self.redis_url = self.redis.url
        self._feed: MarketFeed | None = None
        self.log_dir = log_dir
        self._take_port(free_port())
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url,
            "TICKSTOCK_HEALTH_INTERVAL": "60",
            "TICKSTOCK_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def _take_port(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = self.log_dir / f"app-{port}.log"

    def start(self) -> ServedApp:
        """Launch (if not yet) and wait until ready; on a port taken meanwhile, another port."""
        for attempt in range(1, BIND_ATTEMPTS + 1):
            if self.proc is None or self.proc.poll() is not None:
                self.launch()
            try:
                wait_until(
                    self._ready, START_TIMEOUT, lambda: f"the app to be ready:\n{self.log()}"
                )
            except AssertionError:
                if attempt == BIND_ATTEMPTS or not lost_its_port(self.proc, self.log):
                    self.stop()  # not left running half-started after a failed test
                    raise
                self._take_port(free_port())
            else:
                return self
        raise AssertionError("unreachable")

    def launch(self) -> ServedApp:
        """Start the process without waiting (a spare app boots while a test runs)."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tickstock.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def _ready(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            raise AssertionError(f"the app exited during start:\n{self.log()}")
        try:
            ok = httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
        if not ok:
            return False
        client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
        try:
            counts = dict(client.pubsub_numsub(*ALL_CHANNELS))
        finally:
            client.close()
        return all(counts.get(c.encode(), 0) >= 1 for c in ALL_CHANNELS)

    @property
    def feed(self) -> MarketFeed:
        """The scripted producer publishing to this app's Redis."""
        if self._feed is None:
            self._feed = MarketFeed(self.redis_url)
        return self._feed

    def close(self) -> None:
        """Stop the app, its feed and its Redis."""
        self.stop()
        if self._feed is not None:
            self._feed.close()
        self.redis.close()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""
