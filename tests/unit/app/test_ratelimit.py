"""Token buckets: a burst, then a steady rate; 429 with Retry-After; bounded memory."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tickstock.app.ratelimit import RateLimitMiddleware, TokenBucketLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_is_allowed_then_the_next_request_waits() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(1.0)


def test_tokens_come_back_at_the_per_minute_rate() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(per_minute=120, burst=1, clock=clock)
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0


def test_clients_have_separate_buckets() -> None:
    limiter = TokenBucketLimiter(per_minute=60, burst=1, clock=FakeClock())
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("b") == 0.0
    assert limiter.acquire("a") > 0


def test_idle_buckets_are_evicted_once_full_again() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(per_minute=60, burst=10, clock=clock)
    for n in range(100):
        limiter.acquire(f"client-{n}")
    assert len(limiter) == 100
    clock.now += 10.0  # 10 tokens at 1/s: every bucket is full, i.e. like new
    limiter.acquire("late")
    assert len(limiter) == 1


def test_bucket_count_never_exceeds_max_clients() -> None:
    limiter = TokenBucketLimiter(per_minute=60, burst=10, clock=FakeClock(), max_clients=50)
    for n in range(1000):
        limiter.acquire(f"client-{n}")
    assert len(limiter) == 50


def _app(limiter: TokenBucketLimiter) -> Starlette:
    async def ok(_: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/api/x", ok), Route("/page", ok)],
        middleware=[Middleware(RateLimitMiddleware, limiter=limiter)],
    )


def test_over_the_limit_is_429_json_with_retry_after() -> None:
    clock = FakeClock()
    client = TestClient(_app(TokenBucketLimiter(per_minute=6, burst=2, clock=clock)))
    assert [client.get("/api/x").status_code for _ in range(2)] == [200, 200]
    limited = client.get("/api/x")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "10"
    assert limited.json()["error"] == "rate_limited"
    clock.now += 10
    assert client.get("/api/x").status_code == 200


def test_pages_outside_the_api_are_not_limited() -> None:
    client = TestClient(_app(TokenBucketLimiter(per_minute=1, burst=1, clock=FakeClock())))
    assert [client.get("/page").status_code for _ in range(5)] == [200] * 5
