"""Alpaca live feed: the official alpaca-py stream against a local server (msgpack frames).

A recorded morning of minute bars goes server → client → engine → Redis and the database;
the indicators equal TA-Lib's; Alpaca's updated bar (a correction) replaces the bar while
its minute is open; a dropped connection is one critical alert for ``alpaca_websocket`` and
one recovery; refused keys are one clear error naming the setting.
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
from tickstock.engine.feedserver.alpaca import AlpacaServer
from tickstock.engine.feedserver.make import alpaca_bar, minute_bars
from tickstock.engine.feedserver.recording import Disconnect, Frame, Pause, Step
from tickstock.engine.runner import run_engine
from tickstock.errors import ConfigError

pytestmark = pytest.mark.timeout(120)
SYMBOLS = ["AAPL", "BRK.B", "MSFT"]
MINUTES = 35
KEY, SECRET = "key-id", "not-a-secret"


def alpaca_live(server: AlpacaServer, key: str = KEY) -> LiveFeedConfig:
    return LiveFeedConfig(
        provider="alpaca",
        symbols=tuple(SYMBOLS),
        api_key=SecretStr(key),
        secret_key=SecretStr(SECRET),
        host=server.url,
        subscription="bars",
        close_grace=5.0,
        key_setting="ALPACA_API_KEY",
        universe="alpaca:test",
    )


def recorded_morning() -> tuple[list[Step], dict[str, list[float]], list]:
    days = minute_bars(SYMBOLS, DAY, MINUTES, seed=11)
    steps: list[Step] = []
    closes: dict[str, list[float]] = {s: [] for s in SYMBOLS}
    for m, (start, bars) in enumerate(days):
        frame = [alpaca_bar(s, start, bar) for s, bar in bars.items()]
        if m == 4:  # a first bar, then Alpaca's updated bar for it before the minute closes
            wrong = dict(frame[0], c=frame[0]["o"], h=max(frame[0]["h"], frame[0]["o"]))
            frame = [wrong, dict(frame[0], T="u"), *frame[1:]]
        steps.append(Frame(frame))
        if m == 15:
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
    server = await AlpacaServer(steps, KEY, SECRET).start()
    try:
        async with Recorder(redis_url) as recorder:
            report = await run_engine(
                live_config(redis_url, alpaca_live(server), sqlite_url, time_of_day(10, 5))
            )
    finally:
        await server.close()

    assert report.minutes == MINUTES
    assert report.sessions[0].total_bars == MINUTES * len(SYMBOLS)
    assert server.connections == 2
    checked = assert_indicators_equal_talib(
        recorder.messages[Channel.INDICATORS_STREAMING.value], closes, starts
    )
    assert checked > 100
    alerts = [a for a in critical_alerts(recorder.messages) if a["component"] == "alpaca_websocket"]
    assert [a.get("resolved", False) for a in alerts] == [False, True]

    engine = sa.create_engine(sqlite_url.replace("+aiosqlite", ""))
    with engine.connect() as db:
        rows = db.execute(sa.text("select count(*) from ohlcv_1min")).scalar_one()
    engine.dispose()
    assert rows == MINUTES * len(SYMBOLS)


async def test_refused_keys_are_one_clear_error_naming_the_setting(redis_url: str) -> None:
    steps, _, _ = recorded_morning()
    server = await AlpacaServer(steps, KEY, SECRET).start()
    try:
        config = live_config(redis_url, alpaca_live(server, "wrong"), None, time_of_day(10, 0))
        with pytest.raises(ConfigError) as raised:
            await asyncio.wait_for(run_engine(config), 30)
    finally:
        await server.close()
    assert raised.value.variable == "ALPACA_API_KEY"
    assert server.auth_failures == 1


async def test_the_command_exits_2_on_refused_keys_with_one_line(
    redis_url: str, tmp_path: Path
) -> None:
    steps, _, _ = recorded_morning()
    server = await AlpacaServer(steps, KEY, SECRET).start()
    env = {
        **os.environ,
        "ALPACA_API_KEY": "wrong-id",
        "ALPACA_SECRET_KEY": "wrong-secret",
        "TICKSTOCK_ALPACA_URL": server.url,
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db",
    }
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tickstock.cli",
            "engine",
            "--feed",
            "alpaca",
            "--symbols",
            "3",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await server.close()
    text = (out + err).decode()
    assert process.returncode == 2, text
    assert "ALPACA_API_KEY: Alpaca refused the keys" in text
    assert "Traceback" not in text
    assert "wrong-id" not in text and "wrong-secret" not in text
    assert server.auth_failures == 1
