"""One measurement per HTTP request, handed to whoever wants it (access log, request metrics).

``RequestObserverMiddleware`` wraps ``send`` once to learn the response status, times the
request once, and calls each observer with a ``ServedRequest`` when the request is over
(answered or failed). The access log and the ``/metrics`` request counters are two such
observers, so they can never disagree on a request's status or time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The route label of paths no route matched: one value, so random URLs cannot grow a metric.
UNMATCHED_ROUTE = "unmatched"


@dataclass(frozen=True, slots=True)
class ServedRequest:
    """What one HTTP request was and how it went."""

    method: str
    #: The path without the query string (it may carry what a reader typed).
    path: str
    #: The matched route's template (``/api/sessions/{session_id}``), or ``UNMATCHED_ROUTE``.
    route: str
    #: The status sent, or 500 when the app failed before it sent one.
    status: int
    seconds: float
    #: The client's address, or ``"-"`` when the server does not know it.
    client: str


RequestObserver = Callable[[ServedRequest], None]


class RequestObserverMiddleware:
    """Measures every HTTP request once and tells each observer."""

    def __init__(self, app: ASGIApp, observers: Sequence[RequestObserver]) -> None:
        self.app = app
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.observers:
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
            self._tell(served(scope, status, time.perf_counter() - started))

    def _tell(self, request: ServedRequest) -> None:
        for observer in self.observers:
            observer(request)


def served(scope: Scope, status: int, seconds: float) -> ServedRequest:
    """The ``ServedRequest`` of an HTTP scope once the router has run (it stores the route)."""
    client = scope.get("client")
    return ServedRequest(
        method=scope.get("method", "?"),
        path=scope.get("path", "?"),
        route=getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE,
        status=status,
        seconds=seconds,
        client=client[0] if client else "-",
    )
