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
from datetime import datetime
from typing import Any

import msgpack
from websockets.asyncio.server import Server, ServerConnection, serve

from tickstock.engine.feedserver.recording import Disconnect, Frame, Pause, Step

CHANNEL_OF = {"b": "bars", "u": "updatedBars", "t": "trades"}
CHANNELS = ("trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses")


def _timestamp(text: str) -> msgpack.Timestamp:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return msgpack.Timestamp.from_unix(moment.timestamp())


class AlpacaServer:
    """Plays ``steps`` to each authenticated, subscribed client, resuming after a drop."""

    def __init__(self, steps: list[Step], key: str | None = None, secret: str | None = None):
        self.steps = steps
        self.key, self.secret = key, secret
        self.position = 0
        #: seconds between frames (a live-looking demo); 0 = as fast as the client reads
        self.pace = 0.0
        self.connections = 0
        self.auth_failures = 0
        self.subscribed: dict[str, set[str]] = {c: set() for c in CHANNELS}
        self._server: Server | None = None
        self.port = 0

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> AlpacaServer:
        self._server = await serve(self._handle, host, port, max_size=2**24)
        self.port = self._server.sockets[0].getsockname()[1] if port == 0 else port
        return self

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v2/iex"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        await ws.send(msgpack.packb([{"T": "success", "msg": "connected"}]))
        auth = msgpack.unpackb(await ws.recv())
        if auth.get("action") != "auth" or (
            self.key is not None
            and (auth.get("key"), auth.get("secret")) != (self.key, self.secret)
        ):
            self.auth_failures += 1
            await ws.send(msgpack.packb([{"T": "error", "code": 402, "msg": "auth failed"}]))
            await ws.close()
            return
        await ws.send(msgpack.packb([{"T": "success", "msg": "authenticated"}]))
        subscribed = asyncio.Event()
        reader = asyncio.create_task(self._read(ws, subscribed))
        try:
            await subscribed.wait()
            await self._play(ws)
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _read(self, ws: ServerConnection, subscribed: asyncio.Event) -> None:
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

    async def _play(self, ws: ServerConnection) -> None:
        while self.position < len(self.steps):
            step = self.steps[self.position]
            self.position += 1
            if isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Disconnect):
                ws.transport.abort()
                return
            elif isinstance(step, Frame):
                out = [
                    {**m, "t": _timestamp(m["t"])} if isinstance(m.get("t"), str) else m
                    for m in step.messages
                    if self._wanted(m)
                ]
                if out:
                    await ws.send(msgpack.packb(out, datetime=False))
                if self.pace:
                    await asyncio.sleep(self.pace)
        await ws.wait_closed()
