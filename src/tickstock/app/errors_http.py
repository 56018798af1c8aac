"""JSON error responses: every failure an HTTP client sees is ``{"error", "detail"}``.

``ApiError`` is raised by endpoints for expected failures (a bad parameter, an unknown
symbol); ``exception_handlers()`` maps it, Starlette's ``HTTPException`` and the database
being down to JSON; ``JsonErrorMiddleware`` turns anything unexpected into a bare 500 and
logs it with the request path — a client never sees a stack trace or internals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tickstock.errors import StoreUnavailable

log = logging.getLogger(__name__)

#: The short ``error`` word for the HTTP statuses this app returns.
STATUS_ERRORS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An expected failure of a request, shown to the client as JSON with ``status``."""

    def __init__(
        self,
        status: int,
        detail: str,
        error: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.error = error or STATUS_ERRORS.get(status, "error")
        self.detail = detail
        self.headers = dict(headers or {})
        super().__init__(f"{status} {self.error}: {detail}")


def bad_parameter(name: str, reason: str) -> ApiError:
    """A 400 that names the offending query or path parameter."""
    return ApiError(400, f"{name}: {reason}", error="invalid_parameter")


def json_error(
    status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one shape of every error body."""
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


async def _api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return json_error(exc.status, exc.error, exc.detail, exc.headers)


async def _http_exception(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error = STATUS_ERRORS.get(exc.status_code, "error")
    return json_error(exc.status_code, error, str(exc.detail), exc.headers)


#: What a read raises when the database cannot answer (a 503, or a fallback to live state).
DATABASE_DOWN: tuple[type[Exception], ...] = (
    StoreUnavailable,
    TimeoutError,
    OperationalError,
    InterfaceError,
    DBAPIError,
    ConnectionError,
)


async def _database_down(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable for %s: %s", request.url.path, type(exc).__name__)
    return json_error(503, "database_unavailable", "the database cannot be reached; retry later")


def exception_handlers() -> dict[Any, Callable[[Request, Exception], Any]]:
    """Handlers for Starlette's ``exception_handlers=``: expected errors become JSON."""
    return {
        ApiError: _api_error,
        HTTPException: _http_exception,
        **dict.fromkeys(DATABASE_DOWN, _database_down),
    }


class JsonErrorMiddleware:
    """Outermost guard: an unexpected exception becomes a JSON 500 and a log line.

    Starlette's own ``ServerErrorMiddleware`` answers too, but re-raises so the server logs
    a traceback with no request context; this one logs the path and stops there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                # Headers already went out (a streamed body): all we can do is stop.
                return
            response = json_error(500, "internal_error", "an unexpected error occurred")
            await response(scope, receive, send)
