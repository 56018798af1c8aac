"""One whole stack per scenario (its own Redis, database, app process and engine) with a
fault in the middle, and the zero-loss check: what the database holds for the session
(detections, indicator alerts, health reports) against what a Socket.IO client received
(live, resumed or backfilled).

``FAULT_MATRIX`` collects each scenario's figures (outage × clock → stored, delivered,
lost); the e2e conftest writes them to ``bench/results/fault_matrix.json`` and prints them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from tests.app_process import AppProcess
from tests.e2e.harness import StreamClient
from tests.e2e.processes import EngineThread
from tests.servers import RedisServer, async_wait_until

from tickstock.engine.runner import EngineConfig
from tickstock.store import tables
from tickstock.store.migrations import upgrade

#: Every scenario's outcome, for the report.
FAULT_MATRIX: list[dict[str, Any]] = []

Identity = tuple[str, str, str, str]


@dataclass
class Stack:
    """Redis, a migrated SQLite file, ``tickstock serve`` and a reconnecting client."""

    redis: RedisServer
    database_url: str
    app: AppProcess
    client: StreamClient
    engine: EngineThread | None = None
    notes: list[str] = field(default_factory=list)


def session_config(
    stack: Stack,
    *,
    speed: float,
    start: time_of_day,
    close: time_of_day,
    symbols: int,
    catch_up: bool = False,
) -> EngineConfig:
    return EngineConfig(
        redis_url=stack.redis.url,
        database_url=stack.database_url,
        symbols=symbols,
        speed=speed,
        start=start,
        day=date(2025, 3, 3),
        close_at=close,
        catch_up=catch_up,
        until_close=True,
        health_interval=0.5,
        run_migrations=False,
    )


#: Stacks start one at a time: several ``tickstock serve`` starting at once on 2 cores can
#: outlast the start timeout.
_STARTING = threading.Lock()


def _start_servers(
    folder: Path, database_url: str | None, app_env: dict[str, str]
) -> tuple[RedisServer, str, AppProcess]:
    with _STARTING:
        folder.mkdir(parents=True, exist_ok=True)
        redis = RedisServer().start()
        database_url = database_url or f"sqlite+aiosqlite:///{folder / 'tickstock.db'}"
        upgrade(database_url)
        return redis, database_url, AppProcess(redis.url, database_url, folder, **app_env).start()


async def open_stack(folder: Path, database_url: str | None = None, **app_env: str) -> Stack:
    """A stack on ``database_url`` (default: a SQLite file in ``folder``)."""
    loop = asyncio.get_running_loop()
    redis, database_url, app = await loop.run_in_executor(
        None, _start_servers, folder, database_url, app_env
    )
    client = StreamClient(reconnection=True)
    await client.connect(app.url)
    return Stack(redis, database_url, app, client)


async def close_stack(stack: Stack) -> None:
    await stack.client.disconnect()
    stack.app.stop()
    stack.redis.close()


def detection_identity(data: dict[str, Any]) -> Identity:
    d = data["detection"]
    return (d["symbol"], d["pattern_type"], d["timeframe"], d["timestamp"])


def alert_identity(data: dict[str, Any]) -> Identity:
    a = data["alert"]
    return (a["symbol"], a["alert_type"], "", a["timestamp"])


def health_identity(data: dict[str, Any]) -> Identity:
    return ("health", "", "", data["health"]["timestamp"])


KINDS = ("detections", "alerts", "health")


def delivered(client: StreamClient) -> dict[str, set[Identity]]:
    """Detections, indicator alerts and health reports the client was given: frames, and
    every snapshot's backfill, recent lists and health (what a page shows after a resync)."""
    got: dict[str, set[Identity]] = {
        "detections": {detection_identity(e["data"]) for e in client.of("streaming_pattern")},
        "alerts": {alert_identity(e["data"]) for e in client.of("indicator_alert")},
        "health": {health_identity(e["data"]) for e in client.of("streaming_health")},
    }
    for snapshot in client.snapshots:
        if snapshot.get("health"):
            got["health"].add(health_identity(snapshot["health"]))
        backfill = snapshot.get("backfill") or {}
        for data in [*backfill.get("patterns", ()), *snapshot.get("recent_patterns", ())]:
            got["detections"].add(detection_identity(data))
        for data in [*backfill.get("alerts", ()), *snapshot.get("recent_alerts", ())]:
            got["alerts"].add(alert_identity(data))
    return got


async def stored(database_url: str, session_id: str) -> dict[str, set[Identity]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            p = tables.intraday_patterns.c
            rows = await conn.execute(
                select(p.symbol, p.pattern_type, p.timeframe, p.timestamp).where(
                    p.session_id == session_id
                )
            )
            detections = {(s, t, f, _iso(ts)) for s, t, f, ts in rows}
            a = tables.streaming_alerts.c
            rows = await conn.execute(
                select(a.symbol, a.alert_type, a.timestamp).where(
                    a.session_id == session_id, a.kind == "indicator"
                )
            )
            alerts = {(s, t, "", _iso(ts)) for s, t, ts in rows}
            h = tables.streaming_health_metrics.c
            rows = await conn.execute(select(h.timestamp).where(h.session_id == session_id))
            health = {("health", "", "", _iso(ts)) for (ts,) in rows}
            return {"detections": detections, "alerts": alerts, "health": health}
    finally:
        await engine.dispose()


def _iso(value: Any) -> str:
    from tickstock.contract import format_timestamp
    from tickstock.store.queries import as_utc

    return format_timestamp(as_utc(value))


def latest_health_at(client: StreamClient) -> str:
    reports = client.of("streaming_health")
    return reports[-1]["data"]["health"]["timestamp"] if reports else ""


async def until_simulated(client: StreamClient, moment: str, timeout: float) -> None:  # noqa: ASYNC109
    """Wait until the client has seen a health report at or after ``moment`` (ISO, UTC)."""
    await async_wait_until(
        lambda: latest_health_at(client) >= moment,
        timeout,
        lambda: f"a health report at {moment} (last: {latest_health_at(client)!r})",
    )


async def check_nothing_lost(
    stack: Stack,
    scenario: str,
    clock: str,
    *,
    engine_timeout: float,
    feed_gap: bool = False,
    must_have: Iterable[str] = KINDS,
    extra: Iterable[str] = (),
    fault_at: str | None = None,
) -> dict[str, Any]:
    """Join the engine, wait (bounded) until the client holds every stored event of the
    ``must_have`` kinds of the session (and, with ``feed_gap``, the app's notice of its
    Redis outage), and record the figures; the caller asserts on ``lost``. With
    ``fault_at`` (ISO, UTC) the row also counts the detections and alerts of the minutes
    still open at the fault: those published during the outage or after it."""
    assert stack.engine is not None
    report = await stack.engine.join(engine_timeout)
    if feed_gap:  # announced once the first backfill pass is done, after live events resumed
        try:
            await async_wait_until(lambda: stack.client.of("feed_gap"), 30, "a feed_gap")
        except AssertionError:
            pass  # the row's feed_gaps says 0
    [session] = report.sessions
    want = await stored(stack.database_url, session.session_id)

    def lost(kinds: Iterable[str] = KINDS) -> dict[str, int]:
        got = delivered(stack.client)
        return {kind: len(want[kind] - got[kind]) for kind in kinds}

    try:
        await async_wait_until(
            lambda: not any(lost(must_have).values()), 30, "every stored event at the client"
        )
    except AssertionError:
        pass  # the figures below say what was lost
    got = delivered(stack.client)
    row = {
        "scenario": scenario,
        "clock": clock,
        "stored": {kind: len(want[kind]) for kind in KINDS},
        "delivered": {kind: len(want[kind] & got[kind]) for kind in KINDS},
        "lost": lost(),
        # detections and alerts the client got that the session's rows do not hold
        "unexpected": len(got["detections"] - want["detections"])
        + len(got["alerts"] - want["alerts"]),
        "feed_gaps": len(stack.client.of("feed_gap")),
        **({"stored_from_fault": from_minute_of(want, fault_at)} if fault_at else {}),
        "snapshots": [s["reason"] for s in stack.client.snapshots],
        "resumed": len(stack.client.resumed),
        "notes": [*stack.notes, *extra],
    }
    FAULT_MATRIX.append(row)
    return row


def from_minute_of(events: dict[str, set[Identity]], moment: str) -> dict[str, int]:
    """Detections and alerts of the minute open at ``moment`` (ISO, UTC) and later ones."""
    minute = moment[: len("2025-03-03T14:45:")] + "00Z"
    return {kind: sum(1 for e in events[kind] if e[3] >= minute) for kind in KEPT_KINDS}


KEPT_KINDS = ("detections", "alerts")


async def run_scenarios(*scenarios: Callable[[], Any]) -> list[Any]:
    """Independent stacks side by side (each is mostly waiting on its own clock)."""
    return list(await asyncio.gather(*(scenario() for scenario in scenarios)))
