"""The read-only REST API, health probes, ``/metrics`` and the OpenAPI document.

``api_routes(deps)`` returns the routes; ``http_middleware(deps)`` and
``exception_handlers()`` the layers every HTTP request goes through; ``create_api_app``
assembles all three into a Starlette app (the app core passes its own routes — static
files, the page — as ``extra_routes``). Every input is validated before a query runs:
unknown or malformed parameters are a 400 naming the parameter, never a database error.
"""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from importlib.resources import files
from typing import Any, Protocol
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tickstock.app.auth import AuthMiddleware, TokenAuth, auth_from_settings, auth_routes
from tickstock.app.errors_http import (
    DATABASE_DOWN,
    ApiError,
    JsonErrorMiddleware,
    bad_parameter,
    exception_handlers,
)
from tickstock.app.metrics import AppMetrics, RequestMetricsMiddleware
from tickstock.app.ratelimit import RateLimitMiddleware, TokenBucketLimiter
from tickstock.app.security import SecurityHeadersMiddleware
from tickstock.contract import format_timestamp
from tickstock.contract.limits import (
    ALERT_TYPES,
    MAX_TEXT,
    SESSION_ID_PATTERN,
    SEVERITIES,
    SYMBOL_PATTERN,
)
from tickstock.settings import Settings
from tickstock.store import payloads, queries

log = logging.getLogger(__name__)

_SYMBOL = re.compile(SYMBOL_PATTERN)
_SESSION_ID = re.compile(SESSION_ID_PATTERN)
#: "+hh:mm" arrives as " hh:mm" when a client forgets to percent-encode the "+".
_UNENCODED_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
CSV_MAX_ROWS = 100_000
CSV_CHUNK_ROWS = 1_000
API_DOCS = files("tickstock").joinpath("web", "static", "api-docs")


class ReadDatabase(Protocol):
    """What the API needs of ``tickstock.store.database.Database``."""

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]: ...

    async def ping(self) -> Any: ...


@dataclass
class ApiDependencies:
    """Everything the API reads; the app core builds one at start-up.

    ``live_status()`` returns the app's in-memory state for ``/api/streaming/status``
    (e.g. ``{"redis": "connected", "database": "ok", "engine": "live", "metrics": {...}}``).
    ``redis_ping()`` is awaited by ``/readyz``: an exception or ``False`` means down.
    """

    database: ReadDatabase
    settings: Settings
    live_status: Callable[[], Mapping[str, Any]]
    redis_ping: Callable[[], Awaitable[Any]]
    metrics: AppMetrics = field(default_factory=AppMetrics)
    query_timeout: float = 5.0
    ready_timeout: float = 2.0
    rate_limit_clock: Callable[[], float] = time.monotonic
    auth_clock: Callable[[], float] = time.time

    @cached_property
    def auth(self) -> TokenAuth:
        return auth_from_settings(self.settings, clock=self.auth_clock)


# --- parameters -----------------------------------------------------------------------


class QueryParameters:
    """Typed access to a request's query string; anything unexpected is a named 400."""

    def __init__(self, request: Request, allowed: Sequence[str]) -> None:
        self._params = request.query_params
        for name in self._params:
            if name not in allowed:
                raise bad_parameter(name, f"unknown parameter; allowed: {', '.join(allowed)}")
            if len(self._params.getlist(name)) > 1:
                raise bad_parameter(name, "given more than once")

    def _raw(self, name: str) -> str | None:
        value = self._params.get(name)
        if value is not None and value.strip() == "":
            raise bad_parameter(name, "empty value")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        if not re.fullmatch(r"[+-]?\d{1,9}", raw.strip()):
            raise bad_parameter(name, "must be an integer")
        value = int(raw)
        if not low <= value <= high:
            raise bad_parameter(name, f"must be between {low} and {high}")
        return value

    def number(self, name: str, low: float, high: float) -> float | None:
        raw = self._raw(name)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise bad_parameter(name, "must be a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise bad_parameter(name, f"must be between {low:g} and {high:g}")
        return value

    def timestamp(self, name: str) -> datetime | None:
        raw = self._raw(name)
        return None if raw is None else parse_timestamp(name, raw)

    def choice(self, name: str, choices: Sequence[str]) -> str | None:
        raw = self._raw(name)
        if raw is not None and raw not in choices:
            raise bad_parameter(name, f"must be one of {', '.join(choices)}")
        return raw

    def text(self, name: str) -> str | None:
        raw = self._raw(name)
        if raw is not None and (len(raw) > MAX_TEXT or not raw.isprintable()):
            raise bad_parameter(name, f"must be printable text of at most {MAX_TEXT} characters")
        return raw

    def symbol(self, name: str) -> str | None:
        raw = self._raw(name)
        return None if raw is None else validate_symbol(name, raw)

    def session_id(self, name: str) -> str | None:
        raw = self._raw(name)
        return None if raw is None else validate_session_id(name, raw)


def parse_timestamp(name: str, raw: str) -> datetime:
    """ISO-8601 with a zone (``Z`` or an offset), converted to UTC."""
    text = _UNENCODED_PLUS.sub(r"\1+\2", raw.strip())
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise bad_parameter(
            name, "must be an ISO-8601 timestamp, e.g. 2025-10-05T10:15:00Z"
        ) from None
    if value.tzinfo is None:
        raise bad_parameter(name, "needs a time zone (Z or an offset such as +00:00)")
    return value.astimezone(UTC)


def validate_symbol(name: str, raw: str) -> str:
    if not _SYMBOL.fullmatch(raw):
        raise bad_parameter(name, f"must match {SYMBOL_PATTERN}")
    return raw


def validate_session_id(name: str, raw: str) -> str:
    if not _SESSION_ID.fullmatch(raw):
        raise bad_parameter(name, f"must match {SESSION_ID_PATTERN}")
    return raw


def page_body(
    request: Request, items: list[Any], total: int, page: int, per_page: int, **extra: Any
) -> dict[str, Any]:
    """A page of ``items`` with its counts and links; a page beyond the last is a 404.

    The links keep the request's other query parameters (the filters).
    """
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        raise ApiError(404, f"page {page} is beyond the last page ({pages})")
    filter_params = {k: v for k, v in request.query_params.items() if k not in ("page", "per_page")}

    def link(number: int) -> str:
        query = urlencode({**filter_params, "page": number, "per_page": per_page})
        return f"{request.url.path}?{query}"

    return {
        **extra,
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "links": {
            "self": link(page),
            "next": link(page + 1) if page < pages else None,
            "prev": link(page - 1) if page > 1 else None,
            "first": link(1),
            "last": link(pages),
        },
    }


def check_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise bad_parameter("until", "must be after since")


# --- CSV ------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: text that could start a formula gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_lines(rows: Sequence[Mapping[str, Any]], header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(queries.ALERT_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in queries.ALERT_COLUMNS])
    return buffer.getvalue()


# --- routes ---------------------------------------------------------------------------

Endpoint = Callable[[Request], Awaitable[Response]]


def api_routes(deps: ApiDependencies) -> list[BaseRoute]:
    """Every route of the API, the probes, ``/metrics`` and the OpenAPI document."""

    def streaming(endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> Response:
            if not deps.settings.streaming_dashboard_enabled:
                raise ApiError(404, "the streaming dashboard is disabled", error="disabled")
            return await endpoint(request)

        return guarded

    async def run(query: Callable[[AsyncConnection], Awaitable[Any]]) -> Any:
        async with asyncio.timeout(deps.query_timeout), deps.database.connect() as conn:
            return await query(conn)

    async def known_or_404(symbol: str, rows: list[Any]) -> None:
        if not rows and not await run(lambda conn: queries.symbol_known(conn, symbol)):
            raise ApiError(404, f"no data for symbol {symbol}", error="unknown_symbol")

    async def status(request: Request) -> Response:
        QueryParameters(request, ())
        live = dict(deps.live_status())
        unread: list[str] = []
        try:
            session = await run(queries.current_session)
        except DATABASE_DOWN as exc:
            # the live state still knows the session: answer from it, and say what is missing
            log.warning("status answered from the live state: database unavailable (%s)", exc)
            session, unread = live.get("session"), ["session_counts"]
        settings = deps.settings
        return JSONResponse(
            {
                "session": session,
                "source": "live" if unread else "database",
                "unavailable": unread,
                "app": {key: value for key, value in live.items() if key != "session"},
                "server_time": format_timestamp(datetime.now(UTC)),
                "settings": {
                    "refresh_interval": settings.streaming_refresh_interval,
                    "max_pattern_events": settings.streaming_max_pattern_events,
                    "max_alert_events": settings.streaming_max_alert_events,
                    "auto_scroll": settings.streaming_auto_scroll,
                    "sound_alerts": settings.streaming_sound_alerts,
                    "health_interval": settings.health_interval,
                },
            }
        )

    async def patterns(request: Request) -> Response:
        symbol = validate_symbol("symbol", request.path_params["symbol"])
        params = QueryParameters(
            request, ("limit", "since", "until", "min_confidence", "pattern_type")
        )
        limit = params.integer("limit", 50, 1, 500)
        since, until = params.timestamp("since"), params.timestamp("until")
        check_range(since, until)
        min_confidence = params.number("min_confidence", 0.0, 1.0)
        pattern_type = params.text("pattern_type")
        rows = await run(
            lambda conn: queries.patterns_for_symbol(
                conn, symbol, limit, since, until, min_confidence, pattern_type
            )
        )
        await known_or_404(symbol, rows)
        items = [
            {**payloads.pattern_detection(row), "high_confidence": row["high_confidence"]}
            for row in rows
        ]
        return JSONResponse({"symbol": symbol, "count": len(items), "patterns": items})

    def alert_filters(params: QueryParameters) -> queries.AlertFilter:
        return queries.AlertFilter(
            kind=params.choice("kind", queries.ALERT_KINDS),
            alert_type=params.choice("type", ALERT_TYPES),
            symbol=params.symbol("symbol"),
            severity=params.choice("severity", SEVERITIES),
            since=params.timestamp("since"),
            session_id=params.session_id("session_id"),
        )

    async def alerts(request: Request) -> Response:
        params = QueryParameters(
            request,
            ("page", "per_page", "kind", "type", "symbol", "severity", "since", "session_id"),
        )
        page = params.integer("page", 1, 1, 1_000_000)
        per_page = params.integer("per_page", 50, 1, 100)
        filters = alert_filters(params)
        items, total = await run(
            lambda conn: queries.alerts_page(
                conn,
                page,
                per_page,
                filters.kind,
                filters.alert_type,
                filters.symbol,
                filters.severity,
                filters.since,
                filters.session_id,
            )
        )
        return JSONResponse(page_body(request, items, total, page, per_page))

    async def alerts_csv(request: Request) -> Response:
        params = QueryParameters(
            request, ("kind", "type", "symbol", "severity", "since", "session_id", "limit")
        )
        filters = alert_filters(params)
        limit = params.integer("limit", 10_000, 1, CSV_MAX_ROWS)
        # The first chunk is read before any byte is sent, so a database that is down
        # still gets a proper 503 instead of a truncated download.
        first, after = await run(
            lambda conn: queries.alerts_chunk(conn, filters, None, min(limit, CSV_CHUNK_ROWS))
        )

        async def body() -> AsyncIterator[str]:
            nonlocal after
            rows, sent = first, 0
            yield csv_lines(rows, header=True)
            sent += len(rows)
            while after is not None and sent < limit and len(rows) == CSV_CHUNK_ROWS:
                rows, after = await run(
                    functools.partial(
                        queries.alerts_chunk,
                        filters=filters,
                        after=after,
                        limit=min(limit - sent, CSV_CHUNK_ROWS),
                    )
                )
                yield csv_lines(rows, header=False)
                sent += len(rows)

        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="alerts.csv"'},
        )

    async def indicators(request: Request) -> Response:
        symbol = validate_symbol("symbol", request.path_params["symbol"])
        params = QueryParameters(request, ("indicator", "limit", "since", "until"))
        indicator = params.text("indicator")
        limit = params.integer("limit", 50, 1, 500)
        since, until = params.timestamp("since"), params.timestamp("until")
        check_range(since, until)
        rows = await run(
            lambda conn: queries.indicators_for_symbol(conn, symbol, indicator, limit, since, until)
        )
        await known_or_404(symbol, rows)
        items = [payloads.indicator_calculation(row) for row in rows]
        return JSONResponse({"symbol": symbol, "count": len(items), "indicators": items})

    async def sessions(request: Request) -> Response:
        params = QueryParameters(request, ("limit", "before"))
        limit = params.integer("limit", 20, 1, 200)
        before = params.timestamp("before")
        rows = await run(lambda conn: queries.list_sessions(conn, limit, before))
        return JSONResponse({"count": len(rows), "sessions": rows})

    async def session_patterns(request: Request) -> Response:
        session_id = validate_session_id("session_id", request.path_params["session_id"])
        params = QueryParameters(
            request, ("page", "per_page", "symbol", "pattern_type", "min_confidence")
        )
        page = params.integer("page", 1, 1, 1_000_000)
        per_page = params.integer("per_page", 100, 1, 500)
        symbol = params.symbol("symbol")
        pattern_type = params.text("pattern_type")
        min_confidence = params.number("min_confidence", 0.0, 1.0)
        rows, total = await run(
            lambda conn: queries.session_patterns_page(
                conn, session_id, page, per_page, symbol, pattern_type, min_confidence
            )
        )
        if total == 0 and not await run(lambda conn: queries.session_known(conn, session_id)):
            raise ApiError(404, f"no such session: {session_id}", error="unknown_session")
        items = [
            {**payloads.pattern_detection(row), "high_confidence": row["high_confidence"]}
            for row in rows
        ]
        return JSONResponse(page_body(request, items, total, page, per_page, session_id=session_id))

    async def ohlcv(request: Request) -> Response:
        symbol = validate_symbol("symbol", request.path_params["symbol"])
        params = QueryParameters(request, ("limit", "since", "until"))
        limit = params.integer("limit", 390, 1, 5000)
        since, until = params.timestamp("since"), params.timestamp("until")
        check_range(since, until)
        rows = await run(lambda conn: queries.ohlcv_for_symbol(conn, symbol, since, until, limit))
        await known_or_404(symbol, rows)
        bars = [{key: row[key] for key in ("timestamp", *_BAR_FIELDS)} for row in rows]
        return JSONResponse({"symbol": symbol, "count": len(bars), "bars": bars})

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        redis_ok, database_ok = await asyncio.gather(
            _probe(deps.redis_ping, deps.ready_timeout),
            _probe(deps.database.ping, deps.ready_timeout),
        )
        checks = {"redis": _state(redis_ok), "database": _state(database_ok)}
        if redis_ok and database_ok:
            return JSONResponse({"status": "ready", "checks": checks})
        down = " and ".join(name for name, state in checks.items() if state == "down")
        return JSONResponse(
            {"error": "not_ready", "detail": f"{down} unreachable", "checks": checks},
            status_code=503,
        )

    async def metrics(_: Request) -> Response:
        body, content_type = deps.metrics.render()
        return Response(body, media_type=content_type)

    return [
        Route("/api/streaming/status", streaming(status), methods=["GET"]),
        Route("/api/streaming/patterns/{symbol}", streaming(patterns), methods=["GET"]),
        Route("/api/streaming/alerts", streaming(alerts), methods=["GET"]),
        Route("/api/streaming/alerts.csv", streaming(alerts_csv), methods=["GET"]),
        Route("/api/streaming/indicators/{symbol}", streaming(indicators), methods=["GET"]),
        Route("/api/streaming/sessions", streaming(sessions), methods=["GET"]),
        Route(
            "/api/streaming/sessions/{session_id}/patterns",
            streaming(session_patterns),
            methods=["GET"],
        ),
        Route("/api/streaming/ohlcv/{symbol}", streaming(ohlcv), methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/api/openapi.json", openapi_document, methods=["GET"]),
        Route("/api/docs", api_docs_asset, methods=["GET"]),
        Route("/api/docs/{name}", api_docs_asset, methods=["GET"]),
    ]


_BAR_FIELDS = ("open", "high", "low", "close", "volume")


async def _probe(check: Callable[[], Awaitable[Any]], seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds):
            return (await check()) is not False
    except asyncio.CancelledError:
        raise
    except Exception:
        return False


def _state(ok: bool) -> str:
    return "ok" if ok else "down"


# --- OpenAPI and its page -------------------------------------------------------------

_DOCS_ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "docs.js": "text/javascript; charset=utf-8",
    "docs.css": "text/css; charset=utf-8",
}


def openapi_spec() -> dict[str, Any]:
    """The OpenAPI 3.1 document, kept as a static file beside the page that renders it."""
    return json.loads(API_DOCS.joinpath("openapi.json").read_text(encoding="utf-8"))


async def openapi_document(_: Request) -> Response:
    return JSONResponse(openapi_spec())


async def api_docs_asset(request: Request) -> Response:
    name = request.path_params.get("name", "index.html")
    if name not in _DOCS_ASSETS:
        raise ApiError(404, f"no such documentation asset: {name}")
    body = API_DOCS.joinpath(name).read_bytes()
    return Response(body, media_type=_DOCS_ASSETS[name])


# --- assembly -------------------------------------------------------------------------


def http_middleware(deps: ApiDependencies) -> list[Middleware]:
    """Outermost first: headers on everything, errors as JSON, metrics, limits, auth."""
    limiter = TokenBucketLimiter(
        deps.settings.rate_limit_per_minute,
        deps.settings.rate_limit_burst,
        clock=deps.rate_limit_clock,
    )
    return [
        Middleware(SecurityHeadersMiddleware),
        Middleware(JsonErrorMiddleware),
        Middleware(RequestMetricsMiddleware, metrics=deps.metrics),
        Middleware(RateLimitMiddleware, limiter=limiter),
        Middleware(AuthMiddleware, auth=deps.auth),
    ]


def create_api_app(
    deps: ApiDependencies,
    extra_routes: Sequence[BaseRoute] = (),
    lifespan: Any = None,
) -> Starlette:
    """The HTTP app: API, probes, login and ``extra_routes`` behind every middleware."""
    return Starlette(
        routes=[*api_routes(deps), *auth_routes(deps.auth, deps.settings), *extra_routes],
        middleware=http_middleware(deps),
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
