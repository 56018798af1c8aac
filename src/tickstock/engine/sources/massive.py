"""Massive (formerly Polygon.io) stocks WebSocket, with the official ``massive`` client.

The client connects to ``wss://<host>/stocks``, authenticates (``auth`` → ``auth_success``
or ``auth_failed``), subscribes (``AM.<sym>`` minute aggregates by default, or ``A.<sym>``
second aggregates, or ``T.<sym>`` trades) and reconnects by itself when a connection drops
(re-subscribing). It runs in raw mode: the JSON arrays are parsed here with orjson, which is
what keeps 5,000 symbols' aggregates cheap. A refused key is a ``ConfigError`` naming the
setting (exit code 2, no retry); a lost connection is a critical alert for
``massive_websocket``, resolved when data flows again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import orjson

from tickstock.engine.config import LiveFeedConfig
from tickstock.errors import ConfigError

if TYPE_CHECKING:
    from tickstock.engine.sources.live import LiveSource

log = logging.getLogger(__name__)

#: Statuses that mean the connection works (the client's own list).
OK_STATUSES = {"connected", "auth_success", "success"}
#: Seconds before connecting again after the server closed the connection cleanly.
RECONNECT_SECONDS = 1.0
#: Largest frame accepted: a second's aggregates of a large universe come in one array.
MAX_FRAME_BYTES = 32 * 2**20


class MassiveConnection:
    """One Massive WebSocket for the source's symbols (see the module doc)."""

    def __init__(self, live: LiveFeedConfig) -> None:
        from massive import WebSocketClient

        self.live = live
        self.client = WebSocketClient(
            api_key=live.api_key.get_secret_value(),
            feed=live.host or "socket.massive.com",
            market="stocks",
            raw=True,
            subscriptions=[f"{live.subscription}.{s}" for s in live.symbols],
            max_reconnects=None,
            secure=live.secure,
        )
        self._closing = False
        self.bad_messages = 0

    async def run(self, feed: LiveSource) -> None:
        from massive.exceptions import AuthError

        def process(raw: str | bytes) -> Any:
            return self._process(feed, raw)

        while not self._closing:
            try:
                await self.client.connect(
                    process,
                    create_connection=_watched_connection(feed),
                    max_size=MAX_FRAME_BYTES,
                )
            except AuthError as exc:
                raise ConfigError(
                    self.live.key_setting, f"Massive refused the key ({exc})"
                ) from None
            if self._closing:
                return
            feed.connection_lost("the server closed the connection")
            await asyncio.sleep(RECONNECT_SECONDS)

    async def close(self) -> None:
        self._closing = True
        if self.client.websocket is not None:
            await self.client.close()

    async def _process(self, feed: LiveSource, raw: str | bytes) -> None:
        try:
            messages = orjson.loads(raw)
            if not isinstance(messages, list):
                raise ValueError("not a JSON array")
        except ValueError as exc:
            self._bad(f"unreadable frame ({exc}): {str(raw)[:80]!r}")
            return
        feed.connection_up()
        handled = 0
        for m in messages:
            try:
                handled += self._one(feed, m)
            except (KeyError, TypeError, ValueError) as exc:
                self._bad(f"bad message ({exc!r}): {str(m)[:120]}")
        feed.batch_done(handled)

    def _one(self, feed: LiveSource, m: dict[str, Any]) -> int:
        ev = m["ev"]
        if ev == "AM":
            minute = int(m["s"]) // 1000
            feed.bar(m["sym"], minute, (m["o"], m["h"], m["l"], m["c"], m["v"]))
            return 1
        if ev == "T":
            feed.trade(m["sym"], float(m["p"]), float(m["s"]), int(m["t"]) / 1000)
            return 1
        if ev == "A":  # a second's aggregate, folded into its minute like trades
            start, end, sym = int(m["s"]) / 1000, int(m["e"]) / 1000, m["sym"]
            feed.trade(sym, float(m["o"]), 0.0, start)
            feed.trade(sym, float(m["h"]), 0.0, start)
            feed.trade(sym, float(m["l"]), 0.0, start)
            feed.trade(sym, float(m["c"]), float(m["v"]), max(start, end - 0.001))
            return 1
        if ev == "status":
            status, message = m.get("status"), str(m.get("message", ""))
            if status not in OK_STATUSES:
                feed.refused(f"{status}: {message}")
            return 0
        return 0

    def _bad(self, detail: str) -> None:
        self.bad_messages += 1
        if self.bad_messages == 1:
            log.warning("massive: %s (further ones are counted, not logged)", detail)


def _watched_connection(feed: LiveSource) -> type[Any]:
    """The client's connection class, telling the source when a connection is lost."""
    from websockets.asyncio.client import ClientConnection

    class Watched(ClientConnection):
        def connection_lost(self, exc: Exception | None) -> None:
            super().connection_lost(exc)
            feed.connection_lost(str(exc) if exc else "connection closed")

    return Watched
