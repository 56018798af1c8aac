"""The access log: one INFO line per HTTP request on the ``tickstock.access`` logger.

``method``, ``path`` (without the query string: it may carry what a reader typed), ``status``,
``ms`` and ``client`` as context fields. Socket.IO traffic is not here: connects and
disconnects have their own lines. ``TICKSTOCK_ACCESS_LOG=false`` leaves it out.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tickstock.app.logs import ctx

log = logging.getLogger("tickstock.access")


class AccessLogMiddleware:
    """Logs every HTTP request once its response has started (or failed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            ms = round((time.perf_counter() - started) * 1000, 1)
            client = scope.get("client")
            method, path = scope.get("method", "?"), scope.get("path", "?")
            log.info(
                "%s %s %s %.1f ms",
                method,
                path,
                status,
                ms,
                extra=ctx(
                    method=method,
                    path=path,
                    status=status,
                    ms=ms,
                    client=client[0] if client else "-",
                ),
            )
