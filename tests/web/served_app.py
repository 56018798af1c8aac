"""The app a browser test talks to: a ``tickstock serve`` process (``AppProcess``) with a
redis-server of its own — a spare app booting during a test must not hear that test's
messages — and the scripted producer (``feed``) publishing to it."""

from __future__ import annotations

from pathlib import Path

from tests.app_process import AppProcess
from tests.servers import RedisServer
from tests.web.market import MarketFeed


class ServedApp(AppProcess):
    """``AppProcess`` on its own Redis; ``feed``, and ``close()`` for the app, feed and Redis."""

    def __init__(self, database_url: str, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self.redis = RedisServer().start()
        self._feed: MarketFeed | None = None
        super().__init__(
            self.redis.url,
            database_url,
            log_dir,
            **{"TICKSTOCK_HEALTH_INTERVAL": "60", **(env or {})},
        )

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
