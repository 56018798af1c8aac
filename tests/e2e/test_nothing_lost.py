"""Nothing lost, whatever fails: Redis killed for 3, 10 and 60 s at 1x and 60x, the app
restarted mid-session, a client away past the ring. Each scenario is a whole stack
(engine → Redis → ``tickstock serve`` → a Socket.IO client) and ends with the database's
detections, alerts and health reports for the session compared with what the client
received. The 1x sessions start at 09:45:50 and catch up from the open (``catch_up``), so
their minutes carry detections and alerts at once, not only health reports."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import time as time_of_day
from pathlib import Path

import pytest
from sqlalchemy import make_url
from tests.e2e.outages import (
    Stack,
    check_nothing_lost,
    close_stack,
    open_stack,
    run_scenarios,
    session_config,
    until_simulated,
)
from tests.e2e.processes import EngineThread
from tests.faultproxy import ThreadedFaultProxy
from tests.servers import async_wait_until

pytestmark = pytest.mark.timeout(400)

OUTAGES = (3.0, 10.0, 60.0)
#: What a client that resynchronises gets back whole: the detections and alerts after the
#: last it held. Health reports are a status: the snapshot brings the latest one only.
KEPT = ("detections", "alerts")


async def redis_killed(
    folder: Path,
    *,
    speed: float,
    outage: float,
    kill_at: str,
    start,
    close,
    symbols: int,
    catch_up: bool = False,
) -> dict:
    """SIGKILL Redis at the simulated moment ``kill_at``, restart it ``outage`` s later."""
    stack: Stack = await open_stack(folder)
    try:
        config = session_config(
            stack, speed=speed, start=start, close=close, symbols=symbols, catch_up=catch_up
        )
        stack.engine = EngineThread(config).start()
        await until_simulated(stack.client, kill_at, 120)
        stack.redis.kill()
        await asyncio.sleep(outage)  # the outage itself: the scenario, not a synchronisation
        stack.redis.start()
        clock = f"{speed:g}x"
        return await check_nothing_lost(
            stack,
            f"redis killed {outage:g} s",
            clock,
            engine_timeout=120 + outage,
            feed_gap=True,
            fault_at=kill_at,
        )
    finally:
        await close_stack(stack)


async def test_redis_killed_3_10_60_s_at_60x_loses_nothing(tmp_path: Path) -> None:
    """At 60x, 60 s of outage is an hour of the session: its minutes are published while
    nobody listens, or republished before the app is back, unless recovery goes by position."""

    def scenario(outage: float):  # type: ignore[no-untyped-def]
        return lambda: redis_killed(
            tmp_path / f"60x-{outage:g}",
            speed=60,
            outage=outage,
            kill_at="2025-03-03T14:35:00Z",  # 09:35 New York
            start=time_of_day(9, 29),
            close=time_of_day(9, 45) if outage < 60 else time_of_day(10, 50),
            symbols=50,
        )

    rows = await run_scenarios(*(scenario(o) for o in OUTAGES))
    for row in rows:
        assert row["feed_gaps"] >= 1, f"the outage was not noticed: {row}"
        assert row["stored_from_fault"]["detections"] > 0, row
        assert row["lost"] == {"detections": 0, "alerts": 0, "health": 0}, row
        assert row["unexpected"] == 0, row


async def test_redis_killed_3_10_60_s_at_1x_loses_nothing(tmp_path: Path) -> None:
    """At 1x the session starts at 09:45:50 and catches up from the open (09:30–09:44 at
    once), so its patterns have the bars they need; the outage spans the 09:46 minute
    close. Detections, alerts and health reports (two a second) are all counted."""

    def scenario(outage: float):  # type: ignore[no-untyped-def]
        return lambda: redis_killed(
            tmp_path / f"1x-{outage:g}",
            speed=1,
            outage=outage,
            kill_at="2025-03-03T14:45:58Z",  # 09:45:58 New York, 2 s before the close
            start=time_of_day(9, 45, 50),
            close=time_of_day(9, 47),
            symbols=50,
            catch_up=True,
        )

    rows = await run_scenarios(*(scenario(o) for o in OUTAGES))
    for row in rows:
        assert row["feed_gaps"] >= 1, f"the outage was not noticed: {row}"
        # 09:30–09:46 of 50 symbols on the seeded market: 170 detections, 5 RSI alerts, and
        # some of both in the minutes closed during the outage or after it
        assert row["stored"]["detections"] > 0 and row["stored"]["alerts"] > 0, row
        assert row["stored_from_fault"]["detections"] > 0, row
        assert row["stored_from_fault"]["alerts"] > 0, row
        assert row["stored"]["health"] > 0, row
        assert row["lost"] == {"detections": 0, "alerts": 0, "health": 0}, row
        assert row["unexpected"] == 0, row


async def test_the_app_restarted_mid_session_loses_nothing(tmp_path: Path) -> None:
    stack = await open_stack(tmp_path)
    try:
        config = session_config(
            stack, speed=60, start=time_of_day(9, 29), close=time_of_day(9, 50), symbols=50
        )
        stack.engine = EngineThread(config).start()
        await until_simulated(stack.client, "2025-03-03T14:35:00Z", 60)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, stack.app.stop)
        await async_wait_until(lambda: stack.app._subscribers() == 0, 10, "its subscription gone")
        await loop.run_in_executor(None, stack.app.start)  # same port, a new epoch
        await async_wait_until(
            lambda: any(s["reason"] == "epoch_changed" for s in stack.client.snapshots),
            30,
            "the client's snapshot from the restarted app",
        )
        row = await check_nothing_lost(
            stack, "app restarted", "60x", engine_timeout=120, must_have=KEPT
        )
        assert row["stored"]["detections"] > 0, row
        assert {kind: row["lost"][kind] for kind in KEPT} == {"detections": 0, "alerts": 0}, row
        assert row["unexpected"] == 0, row
    finally:
        await close_stack(stack)


async def test_a_client_away_past_the_ring_gets_the_rest_from_the_database(
    tmp_path: Path,
) -> None:
    """Away five session minutes while the app replays one second at most: a snapshot and
    the backfill after the last detection and alert it held."""
    stack = await open_stack(tmp_path, TICKSTOCK_REPLAY_BUFFER_SECONDS="1")
    try:
        config = session_config(
            stack, speed=60, start=time_of_day(9, 29), close=time_of_day(9, 50), symbols=50
        )
        stack.engine = EngineThread(config).start()
        await until_simulated(stack.client, "2025-03-03T14:35:00Z", 60)
        await stack.client.disconnect()
        await asyncio.sleep(5)  # away: five minutes of the session at 60x
        await stack.client.connect(stack.app.url)
        assert [s["reason"] for s in stack.client.snapshots] == ["connect", "resume_too_old"]
        row = await check_nothing_lost(
            stack, "client away 5 min", "60x", engine_timeout=120, must_have=KEPT
        )
        assert row["stored"]["detections"] > 0, row
        assert {kind: row["lost"][kind] for kind in KEPT} == {"detections": 0, "alerts": 0}, row
        assert row["unexpected"] == 0, row
    finally:
        await close_stack(stack)


@pytest.mark.postgres
async def test_the_database_down_60_s_the_engine_writes_everything_after(
    tmp_path: Path, postgres_url: str
) -> None:
    """The engine's connections to PostgreSQL cut for 60 s (a proxy refuses and drops them)
    while the stream goes on: the engine keeps its rows and writes them all once it is back;
    the client, fed live, holds exactly what the database holds in the end."""
    upstream = make_url(postgres_url)
    with ThreadedFaultProxy("127.0.0.1", int(upstream.port or 5432)) as proxy:
        stack = await open_stack(tmp_path, database_url=postgres_url)
        try:
            config = session_config(
                stack, speed=60, start=time_of_day(9, 29), close=time_of_day(10, 45), symbols=50
            )
            engine_url = upstream.set(host="127.0.0.1", port=proxy.port)
            config = replace(config, database_url=engine_url.render_as_string(hide_password=False))
            stack.engine = EngineThread(config).start()
            await until_simulated(stack.client, "2025-03-03T14:35:00Z", 60)
            proxy.refuse_new(60)
            proxy.drop_connections()
            await asyncio.sleep(60)  # the outage itself
            row = await check_nothing_lost(
                stack, "database down 60 s", "60x", engine_timeout=180, must_have=KEPT
            )
            report = stack.engine.report
            assert report is not None and report.dropped_rows == 0 and report.unwritten_rows == 0
            critical = {e["data"]["alert"]["component"] for e in stack.client.of("critical_alert")}
            assert "database" in critical, f"the outage was not raised: {critical}"
            assert row["stored"]["detections"] > 0, row
            assert {k: row["lost"][k] for k in KEPT} == {"detections": 0, "alerts": 0}, row
            assert row["unexpected"] == 0, row
        finally:
            await close_stack(stack)
