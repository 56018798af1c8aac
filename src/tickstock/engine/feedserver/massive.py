"""A local Massive stocks WebSocket server (``ws://127.0.0.1:<port>/stocks``).

It speaks the protocol of the public docs: on connect ``[{"ev":"status","status":
"connected"}]``; ``{"action":"auth","params":KEY}`` → ``auth_success`` (or ``auth_failed``
and the connection closed); ``{"action":"subscribe","params":"AM.AAPL,AM.MSFT"}`` → one
``success`` status per topic (``error`` for a refused one); then the recording's frames,
each message sent only if its ``ev.sym`` (or ``ev.*``) is subscribed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve

from tickstock.engine.feedserver.recording import Disconnect, Frame, Pause, Step

log = logging.getLogger(__name__)


def _status(status: str, message: str) -> bytes:
    return orjson.dumps([{"ev": "status", "status": status, "message": message}])


class MassiveServer:
    """Plays ``steps`` to each authenticated, subscribed client, resuming after a drop."""

    def __init__(
        self,
        steps: list[Step],
        api_key: str | None = None,
        refused_topics: Iterable[str] = (),
    ) -> None:
        self.steps = steps
        self.api_key = api_key
        self.refused = set(refused_topics)
        self.position = 0
        #: seconds between frames (a live-looking demo); 0 = as fast as the client reads
        self.pace = 0.0
        self.connections = 0
        self.auth_failures = 0
        self.subscribed: set[str] = set()
        self.finished = asyncio.Event()
        self._server: Server | None = None
        self.port = 0

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> MassiveServer:
        self._server = await serve(self._handle, host, port, max_size=2**24)
        self.port = self._server.sockets[0].getsockname()[1] if port == 0 else port
        return self

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        await ws.send(_status("connected", "Connected Successfully"))
        auth = orjson.loads(await ws.recv())
        if auth.get("action") != "auth" or (
            self.api_key is not None and auth.get("params") != self.api_key
        ):
            self.auth_failures += 1
            await ws.send(_status("auth_failed", "authentication failed"))
            await ws.close()
            return
        await ws.send(_status("auth_success", "authenticated"))
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
            request = orjson.loads(raw)
            topics = [t for t in str(request.get("params", "")).split(",") if t]
            if request.get("action") == "subscribe":
                replies = []
                for topic in topics:
                    if topic in self.refused:
                        replies.append(
                            {
                                "ev": "status",
                                "status": "error",
                                "message": f"not authorized: {topic}",
                            }
                        )
                    else:
                        self.subscribed.add(topic)
                        replies.append(
                            {
                                "ev": "status",
                                "status": "success",
                                "message": f"subscribed to: {topic}",
                            }
                        )
                await ws.send(orjson.dumps(replies))
                subscribed.set()
            elif request.get("action") == "unsubscribe":
                self.subscribed.difference_update(topics)

    def _wanted(self, message: dict[str, Any]) -> bool:
        ev = message.get("ev")
        return f"{ev}.{message.get('sym')}" in self.subscribed or f"{ev}.*" in self.subscribed

    async def _play(self, ws: ServerConnection) -> None:
        while self.position < len(self.steps):
            step = self.steps[self.position]
            self.position += 1
            if isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Disconnect):
                ws.transport.abort()  # no close frame: the client sees an abnormal closure
                return
            elif isinstance(step, Frame):
                messages = [m for m in step.messages if self._wanted(m)]
                if messages:
                    await ws.send(orjson.dumps(messages))
                if self.pace:
                    await asyncio.sleep(self.pace)
        self.finished.set()
        await ws.wait_closed()
