"""Auth, rate limiting and headers across the whole HTTP app (real SQLite)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.integration.test_api_endpoints import EngineDatabase, live_status, redis_up

from tickstock.app.api import ApiDependencies, create_api_app
from tickstock.settings import load_settings

TOKEN = "integration-token"


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def build(engine: AsyncEngine, clock: Callable[[], float] | None = None, **settings: object):
    deps = ApiDependencies(
        database=EngineDatabase(engine),
        settings=load_settings(**settings),
        live_status=live_status,
        redis_ping=redis_up,
    )
    if clock is not None:
        deps.rate_limit_clock = clock
    transport = httpx.ASGITransport(app=create_api_app(deps), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_with_auth_on_the_api_needs_a_token(engine: AsyncEngine) -> None:
    async with build(engine, auth_token=TOKEN) as client:
        anonymous = await client.get("/api/streaming/status")
        bearer = await client.get(
            "/api/streaming/status", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        metrics = await client.get("/metrics")
        probes = [(await client.get(p)).status_code for p in ("/healthz", "/readyz", "/login")]
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "error": "unauthorized",
        "detail": "send Authorization: Bearer <token> or log in at /login",
    }
    assert bearer.status_code == 200
    assert metrics.status_code == 401
    assert probes == [200, 200, 200]


async def test_login_cookie_opens_the_api_and_logout_closes_it(engine: AsyncEngine) -> None:
    async with build(engine, auth_token=TOKEN) as client:
        login = await client.post("/login", data={"token": TOKEN})
        assert login.status_code == 303
        assert (await client.get("/api/streaming/alerts")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200
        await client.post("/logout")
        assert (await client.get("/api/streaming/alerts")).status_code == 401


async def test_with_auth_off_the_api_is_open(engine: AsyncEngine) -> None:
    async with build(engine) as client:
        assert (await client.get("/api/streaming/status")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200


async def test_rate_limit_answers_429_with_retry_after(engine: AsyncEngine) -> None:
    clock = FakeClock()
    async with build(engine, clock=clock, rate_limit_per_minute=60, rate_limit_burst=3) as client:
        codes = [(await client.get("/api/streaming/sessions")).status_code for _ in range(4)]
        limited = await client.get("/api/streaming/sessions")
        health = await client.get("/healthz")
        clock.now += 1.0
        after_wait = await client.get("/api/streaming/sessions")
    assert codes == [200, 200, 200, 429]
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert limited.json()["error"] == "rate_limited"
    assert health.status_code == 200
    assert after_wait.status_code == 200


async def test_login_attempts_are_rate_limited(engine: AsyncEngine) -> None:
    async with build(engine, clock=FakeClock(), auth_token=TOKEN, rate_limit_burst=2) as client:
        codes = [
            (await client.post("/login", json={"token": "guess"})).status_code for _ in range(3)
        ]
    assert codes == [401, 401, 429]


@pytest.mark.parametrize("path", ["/api/streaming/status", "/api/streaming/alerts?page=0", "/x"])
async def test_security_headers_on_api_responses_and_errors(engine: AsyncEngine, path: str) -> None:
    async with build(engine) as client:
        response = await client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_unexpected_error_is_a_json_500_without_internals(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_status() -> dict[str, str]:
        raise RuntimeError("secret internals")

    deps = ApiDependencies(
        database=EngineDatabase(engine),
        settings=load_settings(),
        live_status=broken_status,
        redis_ping=redis_up,
    )
    transport = httpx.ASGITransport(app=create_api_app(deps), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/api/streaming/status")
    assert response.status_code == 500
    assert response.json() == {"error": "internal_error", "detail": "an unexpected error occurred"}
    assert "secret" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "/api/streaming/status" in caplog.text
