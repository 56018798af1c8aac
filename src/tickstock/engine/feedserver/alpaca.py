"""A local Alpaca stock data stream server (``ws://127.0.0.1:<port>/v2/iex``), msgpack frames.

The protocol of the public docs: on connect ``[{"T":"success","msg":"connected"}]``;
``{"action":"auth","key":K,"secret":S}`` → ``[{"T":"success","msg":"authenticated"}]`` (or
``[{"T":"error","code":402,"msg":"auth failed"}]`` and the connection closed);
``{"action":"subscribe","bars":[...],"trades":[...]}`` → ``[{"T":"subscription",...}]``;
then the recording's frames (``T`` ``b`` bars, ``u`` updated bars, ``t`` trades), a
message sent only if its symbol is subscribed on its channel. Recordings hold timestamps as
RFC 3339 text; they are sent as msgpack Timestamps, as Alpaca does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgpack
from websockets.asyncio.server import ServerConnection

from tickstock.contract import parse_timestamp
from tickstock.engine.feedserver.playback import RecordingServer
from tickstock.engine.feedserver.recording import Step

CHANNEL_OF = {"b": "bars", "u": "updatedBars", "t": "trades"}
CHANNELS = ("trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses")


def _timestamp(text: str) -> msgpack.Timestamp:
    return msgpack.Timestamp.from_unix(parse_timestamp(text).timestamp())


class AlpacaServer(RecordingServer):
    """The Alpaca protocol (msgpack frames) over a ``RecordingServer``."""

    def __init__(self, steps: list[Step], key: str | None = None, secret: str | None = None):
        super().__init__(steps)
        self.key, self.secret = key, secret
        self.subscribed: dict[str, set[str]] = {c: set() for c in CHANNELS}

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v2/iex"

    async def authenticate(self, ws: ServerConnection) -> bool:
        await ws.send(msgpack.packb([{"T": "success", "msg": "connected"}]))
        auth = msgpack.unpackb(await ws.recv())
        if auth.get("action") != "auth" or (
            self.key is not None
            and (auth.get("key"), auth.get("secret")) != (self.key, self.secret)
        ):
            await ws.send(msgpack.packb([{"T": "error", "code": 402, "msg": "auth failed"}]))
            return False
        await ws.send(msgpack.packb([{"T": "success", "msg": "authenticated"}]))
        return True

    async def read_requests(self, ws: ServerConnection, subscribed: asyncio.Event) -> None:
        async for raw in ws:
            request = msgpack.unpackb(raw)
            if request.get("action") == "subscribe":
                for channel in CHANNELS:
                    self.subscribed[channel].update(request.get(channel, []))
                reply = {"T": "subscription", **{c: sorted(s) for c, s in self.subscribed.items()}}
                await ws.send(msgpack.packb([reply]))
                subscribed.set()

    def _wanted(self, m: dict[str, Any]) -> bool:
        names = self.subscribed.get(CHANNEL_OF.get(m.get("T", ""), ""), set())
        return m.get("S") in names or "*" in names

    def encode(self, messages: list[dict[str, Any]]) -> bytes | None:
        out = [
            {**m, "t": _timestamp(m["t"])} if isinstance(m.get("t"), str) else m
            for m in messages
            if self._wanted(m)
        ]
        return msgpack.packb(out, datetime=False) if out else None
