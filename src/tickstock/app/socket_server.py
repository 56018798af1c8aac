"""The Socket.IO server and its connect/disconnect handlers.

``create_socket_server`` builds the python-socketio ``AsyncServer`` (ASGI mode, orjson for
every packet, the same-origin policy of ``app.security``). ``SocketGateway`` decides what a
connecting client gets first (docs/socket-protocol.md): auth, then a ``resumed`` replay
when its ``epoch``/``last_seq`` are still held (``FanOut.resume_reason``, the one rule),
otherwise a ``snapshot`` saying why, with a ``backfill`` from the database of what was
stored after the last detection and alert the client holds (its ``after``), by position.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
import socketio
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from tickstock.app.fanout import FanOut, Opening
from tickstock.app.logs import ctx
from tickstock.app.plan_events import FRAME, PROTOCOLS
from tickstock.app.recovery import ClientPosition
from tickstock.app.security import origin_allowed
from tickstock.errors import StoreError
from tickstock.settings import Settings

log = logging.getLogger(__name__)

Backfill = Callable[[ClientPosition, str | None], Awaitable[dict[str, Any]]]


class OrjsonModule:
    """The ``json`` module python-socketio encodes and decodes packets with."""

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        return orjson.loads(data)


def create_socket_server(settings: Settings) -> socketio.AsyncServer:
    """An ``AsyncServer`` that allows same-origin browsers plus the configured origins."""

    def origin_ok(origin: str | None, environ: Mapping[str, Any]) -> bool:
        return origin_allowed(origin, str(environ.get("HTTP_HOST", "")), settings)

    return socketio.AsyncServer(
        async_mode="asgi",
        json=OrjsonModule,
        cors_allowed_origins=origin_ok,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )


class SocketGateway:
    """Registers the connect/disconnect handlers of ``sio`` for one ``FanOut``."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        fanout: FanOut,
        *,
        authorise: Callable[[Mapping[str, Any], Any], bool],
        backfill: Backfill | None = None,
        current_session: Callable[[], str | None] = lambda: None,
        enabled: bool = True,
    ) -> None:
        self.sio = sio
        self.fanout = fanout
        self.authorise = authorise
        self.backfill = backfill
        self.current_session = current_session
        self.enabled = enabled
        sio.on("connect", self.on_connect)
        sio.on("disconnect", self.on_disconnect)

    async def on_connect(self, sid: str, environ: Mapping[str, Any], auth: Any = None) -> bool:
        payload = auth if isinstance(auth, Mapping) else {}
        if not self.authorise(environ, payload):
            log.info("client refused", extra=ctx(sid=sid, reason="unauthorized", **_peer(environ)))
            raise SocketRefused("unauthorized")
        protocol = payload.get("protocol") or FRAME
        if protocol not in PROTOCOLS:
            raise SocketRefused(f"unsupported protocol; use one of: {', '.join(PROTOCOLS)}")
        opening = await self.opening(payload)
        opening.protocol = protocol
        self.fanout.attach(sid, opening)
        log.info(
            "client connected",
            extra=ctx(
                sid=sid, protocol=protocol, opening=opening.reason or "resumed", **_peer(environ)
            ),
        )
        return True

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.fanout.detach(sid)
        log.info("client disconnected", extra=ctx(sid=sid, reason=str(reason or "unknown")))

    async def opening(self, payload: Mapping[str, Any]) -> Opening:
        """What the client gets first, from its ``epoch``, ``last_seq`` and ``after``."""
        if not self.enabled:
            return Opening(reason="disabled")
        epoch, last_seq = payload.get("epoch"), payload.get("last_seq")
        reason = self.fanout.resume_reason(epoch, last_seq)
        if reason is None:
            return Opening(reason=None, resume_from=last_seq)
        if reason == "connect":
            return Opening(reason=reason)
        return Opening(reason=reason, backfill=await self._backfill(payload))

    async def _backfill(self, payload: Mapping[str, Any]) -> dict[str, Any] | None:
        """Rows stored after the client's last detection and alert: by position, never by
        comparing its clock (or the session's) with ours."""
        position = ClientPosition.from_auth(payload)
        if self.backfill is None or position is None:
            return None
        try:
            return await self.backfill(position, self.current_session())
        except (StoreError, OSError) as exc:
            log.warning("no backfill for a resuming client: %s", exc)
            return None


def _peer(environ: Mapping[str, Any]) -> dict[str, str]:
    """The client's address for a log line."""
    return {"client": str(environ.get("REMOTE_ADDR") or "-")}
