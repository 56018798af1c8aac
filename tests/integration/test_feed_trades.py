"""Trades from a live feed become 1-minute bars: Massive ``T`` and Alpaca ``t`` messages.

Each symbol trades a few times a minute, out of order inside the minute; the stored bars
are the trades' OHLCV (open = earliest trade, close = latest, volume = the sum).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from datetime import time as time_of_day

import orjson
import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from tests.integration.engine_support import Recorder
from tests.integration.feed_support import DAY, live_config

from tickstock.contract import Channel
from tickstock.engine.clock import REGULAR_OPEN, new_york_datetime
from tickstock.engine.config import LiveFeedConfig
from tickstock.engine.feedserver.alpaca import AlpacaServer
from tickstock.engine.feedserver.massive import MassiveServer
from tickstock.engine.feedserver.recording import Frame, Pause, Step
from tickstock.engine.runner import run_engine

pytestmark = pytest.mark.timeout(120)
SYMBOLS = ["AAPL", "MSFT"]
MINUTES = 4
#: (second within the minute, price, size), in arrival order: the 5 s trade arrives last
TRADES = [(10, 100.0, 5), (30, 103.0, 1), (50, 101.0, 2), (5, 99.0, 4)]


def trade(provider: str, symbol: str, moment: datetime, price: float, size: int) -> dict:
    if provider == "massive":
        return {
            "ev": "T",
            "sym": symbol,
            "p": price,
            "s": size,
            "t": int(moment.timestamp() * 1000),
            "x": 4,
            "i": "1",
            "z": 3,
        }
    return {
        "T": "t",
        "S": symbol,
        "p": price,
        "s": size,
        "x": "V",
        "i": 1,
        "z": "C",
        "t": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


def recording(provider: str) -> list[Step]:
    open_ = new_york_datetime(DAY, REGULAR_OPEN)
    steps: list[Step] = []
    for m in range(MINUTES + 1):  # the last minute's trades close the one before
        start = open_ + timedelta(minutes=m)
        for second, price, size in TRADES:
            moment = start + timedelta(seconds=second)
            frame = [trade(provider, s, moment, price + m + i, size) for i, s in enumerate(SYMBOLS)]
            steps += [Frame(frame), Pause(0.01)]
    return steps


@pytest.mark.parametrize("provider", ["massive", "alpaca"])
async def test_trades_are_built_into_minute_bars(
    provider: str, redis_url: str, sqlite_url: str
) -> None:
    if provider == "massive":
        server: MassiveServer | AlpacaServer = MassiveServer(recording(provider), api_key="k")
    else:
        server = AlpacaServer(recording(provider), "k", "s")
    await server.start()
    live = LiveFeedConfig(
        provider=provider,
        symbols=tuple(SYMBOLS),
        api_key=SecretStr("k"),
        secret_key=SecretStr("s"),
        host=server.host if isinstance(server, MassiveServer) else server.url,
        secure=False,
        subscription="T" if provider == "massive" else "trades",
        close_grace=0.3,
    )
    try:
        close_at = time_of_day(9, 30 + MINUTES)
        report = await run_engine(live_config(redis_url, live, sqlite_url, close_at))
    finally:
        await server.close()
    assert report.minutes == MINUTES

    engine = sa.create_engine(sqlite_url.replace("+aiosqlite", ""))
    with engine.connect() as db:
        rows = db.execute(
            sa.text("select symbol, timestamp, open, high, low, close, volume from ohlcv_1min")
        ).all()
    engine.dispose()
    bars = {(r[0], r[1] if isinstance(r[1], str) else r[1].isoformat()): r[2:] for r in rows}
    assert len(bars) == MINUTES * len(SYMBOLS)
    for (symbol, _stamp), (o, h, lo, c, v) in bars.items():
        i = SYMBOLS.index(symbol)
        m = round(o - 99.0 - i)  # the minute's offset is in its prices
        assert (o, h, lo, c, v) == (99.0 + m + i, 103.0 + m + i, 99.0 + m + i, 101.0 + m + i, 12)


async def test_live_trades_publish_forming_bars_between_the_closes(redis_url: str) -> None:
    steps = [s if not isinstance(s, Pause) else Pause(0.15) for s in recording("massive")]
    server = await MassiveServer(steps, api_key="k").start()
    live = LiveFeedConfig(
        provider="massive",
        symbols=tuple(SYMBOLS),
        api_key=SecretStr("k"),
        host=server.host,
        secure=False,
        subscription="T",
        close_grace=0.3,
    )
    config = replace(
        live_config(redis_url, live, None, time_of_day(9, 30 + MINUTES)), forming_bars=True
    )
    try:
        async with Recorder(redis_url) as recorder:
            report = await run_engine(config)
            await asyncio.sleep(0)
    finally:
        await server.close()
    assert report.minutes == MINUTES
    messages = [orjson.loads(m) for m in recorder.messages[Channel.BARS_STREAMING.value]]
    forming = [m for m in messages if not m["closed"]]
    closed = [m for m in messages if m["closed"]]
    assert len(closed) == MINUTES
    assert forming, "no forming bar was published while the minutes filled"
    for message in forming:  # a forming bar is the minute so far: within its trades' range
        for bar in message["bars"]:
            assert 99.0 <= bar["low"] <= bar["close"] <= bar["high"]
