"""What the local provider servers share: serving a recording to each client in turn.

A client connects, authenticates, subscribes, and is played the recording from where the
last client left off (a ``Disconnect`` step drops it; the client reconnects and the
recording goes on). The provider's protocol — greeting and auth, subscription requests,
how a frame is filtered and encoded — is the subclass's (``massive.py``, ``alpaca.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Self

from websockets.asyncio.server import Server, ServerConnection, serve

from tickstock.engine.feedserver.recording import Disconnect, Frame, Hold, Pause, Step


class RecordingServer:
    """Plays ``steps`` to each authenticated, subscribed client, resuming after a drop."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps
        self.position = 0
        #: seconds between frames (a live-looking demo); 0 = as fast as the client reads
        self.pace = 0.0
        self.connections = 0
        self.auth_failures = 0
        self.finished = asyncio.Event()
        self._server: Server | None = None
        self.port = 0

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> Self:
        self._server = await serve(self._handle, host, port, max_size=2**24)
        self.port = self._server.sockets[0].getsockname()[1] if port == 0 else port
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    # --- the provider's protocol ----------------------------------------------------------

    async def authenticate(self, ws: ServerConnection) -> bool:
        """Greet the client and read its auth request; False after telling it it failed."""
        raise NotImplementedError

    async def read_requests(self, ws: ServerConnection, subscribed: asyncio.Event) -> None:
        """Answer the client's (un)subscribe requests; set ``subscribed`` after the first."""
        raise NotImplementedError

    def encode(self, messages: list[dict[str, Any]]) -> bytes | None:
        """The frame of the subscribed ``messages``, as the provider sends it; None: none."""
        raise NotImplementedError

    # --- one client -----------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        if not await self.authenticate(ws):
            self.auth_failures += 1
            await ws.close()
            return
        subscribed = asyncio.Event()
        reader = asyncio.create_task(self.read_requests(ws, subscribed))
        try:
            await subscribed.wait()
            await self._play(ws)
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _play(self, ws: ServerConnection) -> None:
        while self.position < len(self.steps):
            step = self.steps[self.position]
            self.position += 1
            if isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Hold):
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(step.timeout):
                        await step.released.wait()
            elif isinstance(step, Disconnect):
                ws.transport.abort()  # no close frame: the client sees an abnormal closure
                return
            elif isinstance(step, Frame):
                frame = self.encode(step.messages)
                if frame is not None:
                    await ws.send(frame)
                if self.pace:
                    await asyncio.sleep(self.pace)
        self.finished.set()
        await ws.wait_closed()
