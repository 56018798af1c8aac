"""Per-client token buckets in front of the API: a burst is allowed, then a steady rate.

A client may make ``burst`` requests at once; tokens come back at ``per_minute / 60`` per
second. Buckets are kept in least-recently-used order, so a bucket idle long enough to be
full again (indistinguishable from a new one) is dropped, and at most ``max_clients``
are held at all: memory stays bounded whatever the number of clients.

Clients are told apart by IP address (``scope["client"]``). Behind a reverse proxy every
request shares the proxy's address; run the limiter in the proxy then, or raise the limits.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from tickstock.app.errors_http import json_error


class TokenBucketLimiter:
    """``acquire(key)`` spends a token of ``key``'s bucket or says how long to wait."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        if per_minute < 1 or burst < 1 or max_clients < 1:
            raise ValueError("per_minute, burst and max_clients must be >= 1")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self.max_clients = max_clients
        self._refill_seconds = self.burst / self.rate
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: str) -> float:
        """0.0 if the request may proceed, else the seconds until a token is available."""
        now = self.clock()
        self._evict_idle(now)
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait

    def _evict_idle(self, now: float) -> None:
        # Oldest first: stop at the first bucket that could still be below full.
        while self._buckets:
            key, (_, last) = next(iter(self._buckets.items()))
            if now - last < self._refill_seconds:
                return
            del self._buckets[key]


def client_key(scope: Scope) -> str:
    """The identity a bucket belongs to: the peer's IP address."""
    client = scope.get("client")
    return f"ip:{client[0]}" if client else "ip:unknown"


def is_rate_limited_path(method: str, path: str) -> bool:
    """The API, and login attempts (so the token cannot be guessed at speed)."""
    return path.startswith("/api/") or (method == "POST" and path == "/login")


class RateLimitMiddleware:
    """Answers 429 with ``Retry-After`` (whole seconds) when a client's bucket is empty."""

    def __init__(self, app: ASGIApp, limiter: TokenBucketLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_rate_limited_path(scope["method"], scope["path"]):
            wait = self.limiter.acquire(client_key(scope))
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                response = json_error(
                    429,
                    "rate_limited",
                    f"too many requests; retry in {retry_after} s",
                    headers={"Retry-After": str(retry_after)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
