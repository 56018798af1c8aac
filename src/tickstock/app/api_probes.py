"""The probes: ``/healthz`` (the process answers) and ``/readyz`` (Redis and the database
answer within ``ready_timeout``), and ``/metrics`` for Prometheus."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tickstock.app.api_deps import ApiDependencies


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(deps: ApiDependencies, _: Request) -> Response:
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


async def metrics(deps: ApiDependencies, _: Request) -> Response:
    body, content_type = deps.metrics.render()
    return Response(body, media_type=content_type)


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
