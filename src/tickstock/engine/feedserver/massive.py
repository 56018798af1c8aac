"""A local Massive stocks WebSocket server (``ws://127.0.0.1:<port>/stocks``).

It speaks the protocol of the public docs: on connect ``[{"ev":"status","status":
"connected"}]``; ``{"action":"auth","params":KEY}`` → ``auth_success`` (or ``auth_failed``
and the connection closed); ``{"action":"subscribe","params":"AM.AAPL,AM.MSFT"}`` → one
``success`` status per topic (``error`` for a refused one); then the recording's frames,
each message sent only if its ``ev.sym`` (or ``ev.*``) is subscribed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection

from tickstock.engine.feedserver.playback import RecordingServer
from tickstock.engine.feedserver.recording import Step


def _status(status: str, message: str) -> bytes:
    return orjson.dumps([{"ev": "status", "status": status, "message": message}])


class MassiveServer(RecordingServer):
    """The Massive protocol over a ``RecordingServer``; topics it refuses answer ``error``."""

    def __init__(
        self,
        steps: list[Step],
        api_key: str | None = None,
        refused_topics: Iterable[str] = (),
    ) -> None:
        super().__init__(steps)
        self.api_key = api_key
        self.refused = set(refused_topics)
        self.subscribed: set[str] = set()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def authenticate(self, ws: ServerConnection) -> bool:
        await ws.send(_status("connected", "Connected Successfully"))
        auth = orjson.loads(await ws.recv())
        if auth.get("action") != "auth" or (
            self.api_key is not None and auth.get("params") != self.api_key
        ):
            await ws.send(_status("auth_failed", "authentication failed"))
            return False
        await ws.send(_status("auth_success", "authenticated"))
        return True

    async def read_requests(self, ws: ServerConnection, subscribed: asyncio.Event) -> None:
        async for raw in ws:
            request = orjson.loads(raw)
            topics = [t for t in str(request.get("params", "")).split(",") if t]
            if request.get("action") == "subscribe":
                replies = []
                for topic in topics:
                    if topic in self.refused:
                        status, message = "error", f"not authorized: {topic}"
                    else:
                        self.subscribed.add(topic)
                        status, message = "success", f"subscribed to: {topic}"
                    replies.append({"ev": "status", "status": status, "message": message})
                await ws.send(orjson.dumps(replies))
                subscribed.set()
            elif request.get("action") == "unsubscribe":
                self.subscribed.difference_update(topics)

    def _wanted(self, message: dict[str, Any]) -> bool:
        ev = message.get("ev")
        return f"{ev}.{message.get('sym')}" in self.subscribed or f"{ev}.*" in self.subscribed

    def encode(self, messages: list[dict[str, Any]]) -> bytes | None:
        wanted = [m for m in messages if self._wanted(m)]
        return orjson.dumps(wanted) if wanted else None
