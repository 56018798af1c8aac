"""Massive live feed: the official client against a local server speaking Massive's protocol.

A recorded morning (minute aggregates ``AM``) goes server → client → engine → Redis and the
database; the indicators equal TA-Lib's over the bars; a dropped connection is one critical
alert for ``massive_websocket`` and one recovery; a refused key is one clear error.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import time as time_of_day
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from tests.integration.engine_support import Recorder
from tests.integration.feed_support import (
    DAY,
    assert_indicators_equal_talib,
    critical_alerts,
    live_config,
)

from tickstock.contract import Channel
from tickstock.engine.config import LiveFeedConfig
from tickstock.engine.feedserver.make import massive_am, minute_bars
from tickstock.engine.feedserver.massive import MassiveServer
from tickstock.engine.feedserver.recording import Disconnect, Frame, Pause, Step
from tickstock.engine.runner import run_engine
from tickstock.errors import ConfigError

pytestmark = pytest.mark.timeout(120)
SYMBOLS = ["AAPL", "BRK.B", "MSFT"]
MINUTES = 40
KEY = "test-key-not-secret"


def massive_live(server: MassiveServer, key: str = KEY) -> LiveFeedConfig:
    return LiveFeedConfig(
        provider="massive",
        symbols=tuple(SYMBOLS),
        api_key=SecretStr(key),
        host=server.host,
        secure=False,
        subscription="AM",
        close_grace=5.0,
        universe="massive:test",
    )


def recorded_morning() -> tuple[list[Step], dict[str, list[float]], list]:
    """40 minutes from the open, with a duplicate, a correction, a late bar and a drop."""
    days = minute_bars(SYMBOLS, DAY, MINUTES)
    steps: list[Step] = []
    closes: dict[str, list[float]] = {s: [] for s in SYMBOLS}
    for m, (start, bars) in enumerate(days):
        frame = [massive_am(s, start, bar) for s, bar in bars.items()]
        if m == 5:  # the same AAPL aggregate twice: a duplicate, ignored
            frame.insert(1, dict(frame[0]))
        if m == 6:  # a first AAPL aggregate, then its correction before the minute closes
            wrong = dict(frame[0], c=frame[0]["o"], h=max(frame[0]["h"], frame[0]["o"]))
            frame.insert(0, wrong)
        steps.append(Frame(frame))
        if m == 8:  # minute 7's MSFT again after minute 7 closed: late, counted and dropped
            steps.append(Frame([massive_am("MSFT", days[7][0], days[7][1]["MSFT"])]))
        if m == 20:
            steps.append(Pause(0.3))
            steps.append(Disconnect())
        for s in SYMBOLS:
            closes[s].append(bars[s][3])
        steps.append(Pause(0.02))
    return steps, closes, [start for start, _ in days]


async def test_a_recorded_morning_streams_like_the_synthetic_market(
    redis_url: str, sqlite_url: str
) -> None:
    steps, closes, starts = recorded_morning()
    server = await MassiveServer(steps, api_key=KEY).start()
    close_at = time_of_day(10, 10)  # the open + MINUTES
    try:
        async with Recorder(redis_url) as recorder:
            report = await run_engine(
                live_config(redis_url, massive_live(server), sqlite_url, close_at)
            )
    finally:
        await server.close()

    assert report.minutes == MINUTES
    assert report.universe == "massive:test"
    assert len(report.sessions) == 1 and report.sessions[0].total_bars == MINUTES * len(SYMBOLS)
    assert server.connections == 2  # the drop, then one reconnect
    checked = assert_indicators_equal_talib(
        recorder.messages[Channel.INDICATORS_STREAMING.value], closes, starts
    )
    assert checked > 100

    alerts = [
        a for a in critical_alerts(recorder.messages) if a["component"] == "massive_websocket"
    ]
    assert [a.get("resolved", False) for a in alerts] == [False, True]

    engine = sa.create_engine(sqlite_url.replace("+aiosqlite", ""))
    with engine.connect() as db:
        rows = db.execute(sa.text("select count(*) from ohlcv_1min")).scalar_one()
        stored = db.execute(
            sa.text(
                "select component, resolved from streaming_alerts where kind = 'critical' order by id"
            )
        ).all()
    engine.dispose()
    assert rows == MINUTES * len(SYMBOLS)
    assert [tuple(r) for r in stored if r[0] == "massive_websocket"] == [
        ("massive_websocket", False),
        ("massive_websocket", True),
    ]


async def test_a_refused_key_is_one_clear_error_naming_the_setting(redis_url: str) -> None:
    steps, _, _ = recorded_morning()
    server = await MassiveServer(steps, api_key=KEY).start()
    try:
        config = live_config(
            redis_url, massive_live(server, key="wrong-key"), None, time_of_day(10, 0)
        )
        with pytest.raises(ConfigError) as raised:
            await run_engine(config)
    finally:
        await server.close()
    assert raised.value.variable == "MASSIVE_API_KEY"
    assert "wrong-key" not in str(raised.value)
    assert server.auth_failures == 1  # no retry storm


async def test_the_command_exits_2_on_a_refused_key(redis_url: str, tmp_path: Path) -> None:
    steps, _, _ = recorded_morning()
    server = await MassiveServer(steps, api_key=KEY).start()
    env = {
        **os.environ,
        "MASSIVE_API_KEY": "wrong-key",
        "TICKSTOCK_MASSIVE_HOST": server.host,
        "TICKSTOCK_MASSIVE_SECURE": "false",
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db",
    }
    symbols = tmp_path / "symbols.txt"
    symbols.write_text("AAPL\nMSFT\n", encoding="utf-8")
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tickstock.cli",
            "engine",
            "--feed",
            "massive",
            "--symbols-file",
            str(symbols),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await server.close()
    assert process.returncode == 2, err.decode()
    assert "MASSIVE_API_KEY" in err.decode()
    assert "wrong-key" not in (out + err).decode()
    assert server.auth_failures == 1


async def test_a_refused_subscription_is_a_critical_alert(redis_url: str) -> None:
    steps, _, _ = recorded_morning()
    server = await MassiveServer(steps[:12], api_key=KEY, refused_topics={"AM.MSFT"}).start()
    try:
        async with Recorder(redis_url) as recorder:
            config = live_config(redis_url, massive_live(server), None, time_of_day(9, 35))
            report = await run_engine(config)
    finally:
        await server.close()
    refused = [
        a for a in critical_alerts(recorder.messages) if a["component"] == "massive_subscription"
    ]
    assert len(refused) == 1 and "AM.MSFT" in refused[0]["message"]
    assert report.minutes == 5  # the other symbols still stream; MSFT has no bar, not a zero bar
    assert report.sessions[0].total_bars == 5 * (len(SYMBOLS) - 1)
