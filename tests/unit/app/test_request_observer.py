"""One measurement per HTTP request: every observer hears the same status, route and time."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tickstock.app.request_observer import (
    UNMATCHED_ROUTE,
    RequestObserverMiddleware,
    ServedRequest,
)


async def item(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.path_params["name"], status_code=201)


def observed_app(*observers) -> Starlette:
    return Starlette(
        routes=[Route("/items/{name}", item)],
        middleware=[Middleware(RequestObserverMiddleware, observers=observers)],
    )


async def get(app: Starlette, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_each_observer_hears_the_same_measurement_once() -> None:
    first: list[ServedRequest] = []
    second: list[ServedRequest] = []
    response = await get(observed_app(first.append, second.append), "/items/abc?q=secret")

    assert response.status_code == 201
    assert first == second and len(first) == 1
    request = first[0]
    assert (request.method, request.path, request.route) == ("GET", "/items/abc", "/items/{name}")
    assert request.status == 201 and request.seconds >= 0
    assert request.client == "127.0.0.1"


async def test_unmatched_paths_share_one_route_label() -> None:
    heard: list[ServedRequest] = []
    response = await get(observed_app(heard.append), "/no/such/page")
    assert response.status_code == 404
    assert [(r.route, r.status) for r in heard] == [(UNMATCHED_ROUTE, 404)]


async def test_a_failing_app_is_observed_as_500_and_the_error_goes_on() -> None:
    async def fails_before_answering(scope, receive, send) -> None:
        raise RuntimeError("failed before answering")

    heard: list[ServedRequest] = []
    observed = RequestObserverMiddleware(fails_before_answering, [heard.append])
    with pytest.raises(RuntimeError, match="failed before answering"):
        await observed({"type": "http", "method": "GET", "path": "/x"}, None, None)
    assert [(r.path, r.route, r.status, r.client) for r in heard] == [
        ("/x", UNMATCHED_ROUTE, 500, "-")
    ]
