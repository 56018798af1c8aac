"""The read-only REST API, health probes, ``/metrics`` and the OpenAPI document.

``api_routes(deps)`` returns the routes; ``http_middleware(deps)`` and
``exception_handlers()`` the layers every HTTP request goes through; ``create_api_app``
assembles all three into a Starlette app (the app core passes its own routes — static
files, the page — as ``extra_routes``). Every input is validated before a query runs
(``api_params``): unknown or malformed parameters are a 400 naming the parameter, never a
database error. Each endpoint is a function of ``(deps, request)``; the CSV export lives
in ``api_csv`` and the probes in ``api_probes``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tickstock.app.access_log import log_request
from tickstock.app.api_csv import alerts_csv
from tickstock.app.api_deps import ApiDependencies, ReadDatabase, run_query
from tickstock.app.api_params import (
    QueryParameters,
    alert_filters,
    check_range,
    page_body,
    validate_session_id,
    validate_symbol,
)
from tickstock.app.api_probes import healthz, metrics, readyz
from tickstock.app.auth import AuthMiddleware, auth_routes
from tickstock.app.dashboard_settings import dashboard_settings
from tickstock.app.errors_http import (
    DATABASE_DOWN,
    ApiError,
    JsonErrorMiddleware,
    exception_handlers,
)
from tickstock.app.ratelimit import RateLimitMiddleware, TokenBucketLimiter
from tickstock.app.request_observer import RequestObserver, RequestObserverMiddleware
from tickstock.app.security import SecurityHeadersMiddleware
from tickstock.contract import format_timestamp
from tickstock.store import payloads, queries

__all__ = ["ApiDependencies", "ReadDatabase", "api_routes", "create_api_app", "http_middleware"]

log = logging.getLogger(__name__)

API_DOCS = files("tickstock").joinpath("web", "static", "api-docs")
_BAR_FIELDS = ("open", "high", "low", "close", "volume")

Endpoint = Callable[[ApiDependencies, Request], Awaitable[Response]]


# --- endpoints ------------------------------------------------------------------------


async def _known_or_404(deps: ApiDependencies, symbol: str, rows: list[Any]) -> None:
    if not rows and not await run_query(deps, lambda conn: queries.symbol_known(conn, symbol)):
        raise ApiError(404, f"no data for symbol {symbol}", error="unknown_symbol")


async def status(deps: ApiDependencies, request: Request) -> Response:
    QueryParameters(request, ())
    live = dict(deps.live_status())
    unread: list[str] = []
    try:
        session = await run_query(deps, queries.current_session)
    except DATABASE_DOWN as exc:
        # the live state still knows the session: answer from it, and say what is missing
        log.warning("status answered from the live state: database unavailable (%s)", exc)
        session, unread = live.get("session"), ["session_counts"]
    return JSONResponse(
        {
            "session": session,
            "source": "live" if unread else "database",
            "unavailable": unread,
            "app": {key: value for key, value in live.items() if key != "session"},
            "server_time": format_timestamp(datetime.now(UTC)),
            "settings": dashboard_settings(deps.settings),
        }
    )


async def patterns(deps: ApiDependencies, request: Request) -> Response:
    symbol = validate_symbol("symbol", request.path_params["symbol"])
    params = QueryParameters(request, ("limit", "since", "until", "min_confidence", "pattern_type"))
    limit = params.integer("limit", 50, 1, 500)
    since, until = params.timestamp("since"), params.timestamp("until")
    check_range(since, until)
    min_confidence = params.number("min_confidence", 0.0, 1.0)
    pattern_type = params.text("pattern_type")
    rows = await run_query(
        deps,
        lambda conn: queries.patterns_for_symbol(
            conn, symbol, limit, since, until, min_confidence, pattern_type
        ),
    )
    await _known_or_404(deps, symbol, rows)
    items = [
        {**payloads.pattern_detection(row), "high_confidence": row["high_confidence"]}
        for row in rows
    ]
    return JSONResponse({"symbol": symbol, "count": len(items), "patterns": items})


async def alerts(deps: ApiDependencies, request: Request) -> Response:
    params = QueryParameters(
        request,
        ("page", "per_page", "kind", "type", "symbol", "severity", "since", "session_id"),
    )
    page = params.integer("page", 1, 1, 1_000_000)
    per_page = params.integer("per_page", 50, 1, 100)
    filters = alert_filters(params)
    items, total = await run_query(
        deps,
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
        ),
    )
    return JSONResponse(page_body(request, items, total, page, per_page))


async def indicators(deps: ApiDependencies, request: Request) -> Response:
    symbol = validate_symbol("symbol", request.path_params["symbol"])
    params = QueryParameters(request, ("indicator", "limit", "since", "until"))
    indicator = params.text("indicator")
    limit = params.integer("limit", 50, 1, 500)
    since, until = params.timestamp("since"), params.timestamp("until")
    check_range(since, until)
    rows = await run_query(
        deps,
        lambda conn: queries.indicators_for_symbol(conn, symbol, indicator, limit, since, until),
    )
    await _known_or_404(deps, symbol, rows)
    items = [payloads.indicator_calculation(row) for row in rows]
    return JSONResponse({"symbol": symbol, "count": len(items), "indicators": items})


async def sessions(deps: ApiDependencies, request: Request) -> Response:
    params = QueryParameters(request, ("limit", "before"))
    limit = params.integer("limit", 20, 1, 200)
    before = params.timestamp("before")
    rows = await run_query(deps, lambda conn: queries.list_sessions(conn, limit, before))
    return JSONResponse({"count": len(rows), "sessions": rows})


async def session_patterns(deps: ApiDependencies, request: Request) -> Response:
    session_id = validate_session_id("session_id", request.path_params["session_id"])
    params = QueryParameters(
        request, ("page", "per_page", "symbol", "pattern_type", "min_confidence")
    )
    page = params.integer("page", 1, 1, 1_000_000)
    per_page = params.integer("per_page", 100, 1, 500)
    symbol = params.symbol("symbol")
    pattern_type = params.text("pattern_type")
    min_confidence = params.number("min_confidence", 0.0, 1.0)
    rows, total = await run_query(
        deps,
        lambda conn: queries.session_patterns_page(
            conn, session_id, page, per_page, symbol, pattern_type, min_confidence
        ),
    )
    if total == 0 and not await run_query(
        deps, lambda conn: queries.session_known(conn, session_id)
    ):
        raise ApiError(404, f"no such session: {session_id}", error="unknown_session")
    items = [
        {**payloads.pattern_detection(row), "high_confidence": row["high_confidence"]}
        for row in rows
    ]
    return JSONResponse(page_body(request, items, total, page, per_page, session_id=session_id))


async def ohlcv(deps: ApiDependencies, request: Request) -> Response:
    symbol = validate_symbol("symbol", request.path_params["symbol"])
    params = QueryParameters(request, ("limit", "since", "until"))
    limit = params.integer("limit", 390, 1, 5000)
    since, until = params.timestamp("since"), params.timestamp("until")
    check_range(since, until)
    rows = await run_query(
        deps, lambda conn: queries.ohlcv_for_symbol(conn, symbol, since, until, limit)
    )
    await _known_or_404(deps, symbol, rows)
    bars = [{key: row[key] for key in ("timestamp", *_BAR_FIELDS)} for row in rows]
    return JSONResponse({"symbol": symbol, "count": len(bars), "bars": bars})


# --- routes ---------------------------------------------------------------------------


def _bound(deps: ApiDependencies, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def handler(request: Request) -> Response:
        return await endpoint(deps, request)

    return handler


def _streaming(
    deps: ApiDependencies, endpoint: Endpoint
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint behind the ``streaming_dashboard_enabled`` switch (a 404 when off)."""

    async def guarded(request: Request) -> Response:
        if not deps.settings.streaming_dashboard_enabled:
            raise ApiError(404, "the streaming dashboard is disabled", error="disabled")
        return await endpoint(deps, request)

    return guarded


def api_routes(deps: ApiDependencies) -> list[BaseRoute]:
    """Every route of the API, the probes, ``/metrics`` and the OpenAPI document."""
    return [
        Route("/api/streaming/status", _streaming(deps, status), methods=["GET"]),
        Route("/api/streaming/patterns/{symbol}", _streaming(deps, patterns), methods=["GET"]),
        Route("/api/streaming/alerts", _streaming(deps, alerts), methods=["GET"]),
        Route("/api/streaming/alerts.csv", _streaming(deps, alerts_csv), methods=["GET"]),
        Route("/api/streaming/indicators/{symbol}", _streaming(deps, indicators), methods=["GET"]),
        Route("/api/streaming/sessions", _streaming(deps, sessions), methods=["GET"]),
        Route(
            "/api/streaming/sessions/{session_id}/patterns",
            _streaming(deps, session_patterns),
            methods=["GET"],
        ),
        Route("/api/streaming/ohlcv/{symbol}", _streaming(deps, ohlcv), methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", _bound(deps, readyz), methods=["GET"]),
        Route("/metrics", _bound(deps, metrics), methods=["GET"]),
        Route("/api/openapi.json", openapi_document, methods=["GET"]),
        Route("/api/docs", api_docs_asset, methods=["GET"]),
        Route("/api/docs/{name}", api_docs_asset, methods=["GET"]),
    ]


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


def request_observers(deps: ApiDependencies) -> list[RequestObserver]:
    """Who hears of each served request: the request metrics, and the access log if it is on."""
    observers: list[RequestObserver] = [deps.metrics.observe_request]
    if deps.settings.access_log:
        observers.append(log_request)
    return observers


def http_middleware(deps: ApiDependencies) -> list[Middleware]:
    """Outermost first: headers on everything, errors as JSON, the request's measurement
    (metrics and access log), limits, auth."""
    limiter = TokenBucketLimiter(
        deps.settings.rate_limit_per_minute,
        deps.settings.rate_limit_burst,
        clock=deps.rate_limit_clock,
    )
    return [
        Middleware(SecurityHeadersMiddleware),
        Middleware(JsonErrorMiddleware),
        Middleware(RequestObserverMiddleware, observers=request_observers(deps)),
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
