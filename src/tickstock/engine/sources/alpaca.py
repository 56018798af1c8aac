"""Alpaca stock data stream, with the official ``alpaca-py`` client.

``StockDataStream`` connects to ``wss://stream.data.alpaca.markets/v2/<iex|sip>`` (or
``url_override``), authenticates with the key id and secret, subscribes to minute ``bars``
(and ``updatedBars``, Alpaca's corrections for late trades) or to ``trades``, and exchanges
msgpack frames; it reconnects by itself with backoff. It would also retry a refused key
forever, so the hooks below stop it at the first refusal: a ``ConfigError`` naming
``ALPACA_API_KEY`` (exit code 2). A lost connection is a critical alert for
``alpaca_websocket``, resolved when the subscription is confirmed again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tickstock.contract import parse_timestamp
from tickstock.engine.config import LiveFeedConfig
from tickstock.errors import ConfigError

if TYPE_CHECKING:
    from tickstock.engine.sources.live import LiveSource

log = logging.getLogger(__name__)


def _epoch(t: Any) -> float:
    """Alpaca's timestamp: a msgpack Timestamp, or RFC 3339 text in JSON frames."""
    if hasattr(t, "to_unix"):
        return float(t.to_unix())
    return parse_timestamp(str(t)).timestamp()  # nanoseconds are cut to microseconds


class _AfterRefusal(logging.Filter):
    """Drops the client's log lines once the keys were refused (it would log a traceback)."""

    def __init__(self, connection: AlpacaConnection) -> None:
        super().__init__()
        self.connection = connection

    def filter(self, record: logging.LogRecord) -> bool:
        return self.connection.refused_key is None


class AlpacaConnection:
    """One Alpaca stock stream for the source's symbols (see the module doc)."""

    def __init__(self, live: LiveFeedConfig) -> None:
        self.live = live
        self.stream: Any = None
        self.refused_key: str | None = None
        self.bad_messages = 0

    def _build(self, feed: LiveSource) -> Any:
        import websockets
        from alpaca.data.enums import DataFeed
        from alpaca.data.live.stock import StockDataStream

        connection = self

        class Stream(StockDataStream):  # type: ignore[misc]
            async def _auth(self) -> None:
                try:
                    await super()._auth()
                except ValueError as exc:
                    connection.refused_key = str(exc)
                    await self.stop_ws()
                    raise

            async def _consume(self) -> bool:
                try:
                    return bool(await super()._consume())
                except websockets.WebSocketException as exc:
                    feed.connection_lost(str(exc) or "connection closed")
                    raise

            async def _dispatch(self, msg: dict[str, Any]) -> None:
                kind = msg.get("T")
                if kind == "subscription":
                    feed.connection_up()
                elif kind == "error":
                    feed.refused(f"{msg.get('code')}: {msg.get('msg')}")
                await super()._dispatch(msg)

        stream = Stream(
            self.live.api_key.get_secret_value(),
            (self.live.secret_key.get_secret_value() if self.live.secret_key else ""),
            raw_data=True,
            feed=DataFeed(self.live.alpaca_feed),
            url_override=self.live.host,
        )
        symbols = self.live.symbols
        if self.live.subscription == "trades":

            async def on_trade(m: dict[str, Any]) -> None:
                self._handle(feed, m)

            stream.subscribe_trades(on_trade, *symbols)
        else:

            async def on_bar(m: dict[str, Any]) -> None:
                self._handle(feed, m)

            stream.subscribe_bars(on_bar, *symbols)
            stream.subscribe_updated_bars(on_bar, *symbols)
        return stream

    async def run(self, feed: LiveSource) -> None:
        self.stream = self._build(feed)
        client_log = logging.getLogger("alpaca.data.live.websocket")
        quiet = _AfterRefusal(self)  # the client's own traceback of the refusal: said once, by us
        client_log.addFilter(quiet)
        try:
            await self.stream._run_forever()
        finally:
            client_log.removeFilter(quiet)
        if self.refused_key is not None:
            raise ConfigError(
                self.live.key_setting, f"Alpaca refused the keys ({self.refused_key})"
            )

    async def close(self) -> None:
        if self.stream is not None:
            await self.stream.stop_ws()
            await self.stream.close()

    def _handle(self, feed: LiveSource, m: dict[str, Any]) -> None:
        try:
            if m["T"] == "t":
                feed.trade(m["S"], float(m["p"]), float(m["s"]), _epoch(m["t"]))
            else:
                minute = int(_epoch(m["t"]))
                feed.bar(m["S"], minute, (m["o"], m["h"], m["l"], m["c"], m["v"]))
        except (KeyError, TypeError, ValueError) as exc:
            self.bad_messages += 1
            if self.bad_messages == 1:
                log.warning("alpaca: bad message (%r): %s", exc, str(m)[:120])
            return
        feed.connection_up()
        feed.batch_done(1)
