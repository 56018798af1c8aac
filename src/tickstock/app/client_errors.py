"""``POST /api/client-errors``: the dashboard reports its uncaught errors; the app logs them.

Behind the same middleware as the rest of ``/api/`` (auth, rate limit, security headers),
refused cross-site, at most ``MAX_BODY`` bytes of JSON, every field typed and bounded. Each
distinct message is logged at WARNING once per minute (the count of the others comes with
the next line), and the logger's per-minute cap bounds the rest: a page stuck in an error
loop, or a script posting junk, cannot fill the disk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Annotated, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tickstock.app.errors_http import ApiError
from tickstock.app.logs import Throttle, ctx
from tickstock.app.security import origin_allowed
from tickstock.contract.models import clean_text
from tickstock.settings import Settings

log = logging.getLogger(__name__)

#: Largest report accepted, in bytes.
MAX_BODY = 8 * 1024
#: Seconds between two log lines for the same message.
LOG_INTERVAL = 60.0


class ClientErrorReport(BaseModel):
    """One uncaught error of the page, as ``web/static/js/diagnostics.js`` sends it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["error", "unhandledrejection"]
    message: Annotated[str, Field(strict=True, min_length=1, max_length=500)]
    source: Annotated[str, Field(strict=True, max_length=300)] = ""
    line: Annotated[int, Field(strict=True, ge=0, le=10_000_000)] | None = None
    column: Annotated[int, Field(strict=True, ge=0, le=10_000_000)] | None = None
    stack: Annotated[str, Field(strict=True, max_length=2000)] = ""
    page: Annotated[str, Field(strict=True, max_length=300)] = ""


def client_error_routes(
    settings: Settings, metrics: object = None, clock: Callable[[], float] = time.monotonic
) -> list[Route]:
    """The one route; ``metrics`` (an ``AppMetrics``) counts the reports by kind."""
    throttle = Throttle(LOG_INTERVAL, clock)

    async def report_client_error(request: Request) -> Response:
        if not origin_allowed(
            request.headers.get("origin"), request.headers.get("host", ""), settings
        ):
            raise ApiError(403, "cross-site error reports are refused", error="forbidden")
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise ApiError(
                415, "send the report as application/json", error="unsupported_media_type"
            )
        report = _validated(await _read_limited(request))
        counter = getattr(metrics, "client_errors", None)
        if counter is not None:
            counter.labels(kind=report.kind).inc()
        message = _one_line(report.message)
        held = throttle.due((report.kind, message))
        if held is not None:
            client = request.client.host if request.client else "-"
            log.warning(
                "browser error: %s",
                message,
                extra=ctx(
                    kind=report.kind,
                    source=_one_line(report.source),
                    line=report.line,
                    column=report.column,
                    page=_one_line(report.page),
                    stack=clean_text(report.stack)[:500],
                    client=client,
                    held_back=held,
                ),
            )
        return Response(status_code=204)

    return [Route("/api/client-errors", report_client_error, methods=["POST"])]


def _one_line(text: str) -> str:
    """Plain text on one line: a report cannot forge a log line of its own."""
    return " ".join(clean_text(text).split())


async def _read_limited(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise ApiError(413, f"a report is at most {MAX_BODY} bytes", error="too_large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, f"a report is at most {MAX_BODY} bytes", error="too_large")
    return body


def _validated(body: bytes) -> ClientErrorReport:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(400, "the body is not JSON", error="invalid_body") from None
    try:
        return ClientErrorReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "(body)"
        raise ApiError(400, f"{field}: {first['msg']}", error="invalid_body") from None
