"""Warm-up and refill from the providers' REST history, through the real clients.

Before the first live minute the engine loads the previous session's last hour, so RSI,
MACD and Bollinger Bands are published from the open; minutes the WebSocket never sent are
refilled before the next live minute. History minutes feed the indicators and are stored as
bars, but nothing of theirs is published: no indicator, alert or pattern twice.
"""

from __future__ import annotations

from datetime import date
from datetime import time as time_of_day

import orjson
import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from tests.integration.engine_support import Recorder
from tests.integration.feed_support import DAY, assert_indicators_equal_talib, live_config

from tickstock.contract import Channel
from tickstock.engine.config import LiveFeedConfig
from tickstock.engine.feedserver.alpaca import AlpacaServer
from tickstock.engine.feedserver.make import alpaca_bar, massive_am, minute_bars
from tickstock.engine.feedserver.massive import MassiveServer
from tickstock.engine.feedserver.recording import Frame, Pause, Step
from tickstock.engine.feedserver.rest import HistoryServer
from tickstock.engine.runner import run_engine

pytestmark = pytest.mark.timeout(120)
SYMBOLS = ["AAPL", "BRK.B", "MSFT"]
LIVE = 40
NOT_SENT = range(21, 26)  # five minutes the WebSocket never delivers: refilled over REST
KEY, SECRET = "key-id", "secret"


def the_day() -> tuple[list, list, dict]:
    """The previous session's last hour (history) + this morning's 40 minutes."""
    friday = minute_bars(SYMBOLS, date(2025, 2, 28), 390, seed=3)[-60:]
    monday = minute_bars(SYMBOLS, DAY, LIVE, seed=4)
    rest: dict[str, dict[int, tuple]] = {s: {} for s in SYMBOLS}
    for start, bars in [*friday, *(monday[m] for m in NOT_SENT)]:
        for s, bar in bars.items():
            rest[s][int(start.timestamp())] = bar
    return friday, monday, rest


def recording(provider: str, monday: list) -> list[Step]:
    make = massive_am if provider == "massive" else alpaca_bar
    steps: list[Step] = []
    for m, (start, bars) in enumerate(monday):
        if m not in NOT_SENT:
            steps += [Frame([make(s, start, bar) for s, bar in bars.items()]), Pause(0.02)]
    return steps


@pytest.mark.parametrize("provider", ["massive", "alpaca"])
async def test_warm_up_and_refill_publish_nothing_twice(
    provider: str, redis_url: str, sqlite_url: str
) -> None:
    friday, monday, rest = the_day()
    history = HistoryServer(rest, key=KEY).start()
    if provider == "massive":
        ws: MassiveServer | AlpacaServer = MassiveServer(recording(provider, monday), api_key=KEY)
    else:
        ws = AlpacaServer(recording(provider, monday), KEY, SECRET)
    await ws.start()
    live = LiveFeedConfig(
        provider=provider,
        symbols=tuple(SYMBOLS),
        api_key=SecretStr(KEY),
        secret_key=SecretStr(SECRET),
        host=ws.host if isinstance(ws, MassiveServer) else ws.url,
        secure=False,
        subscription="AM" if provider == "massive" else "bars",
        close_grace=5.0,
        rest_url=history.url,
        warmup_minutes=60,
        refill_after_minutes=3,
    )
    try:
        async with Recorder(redis_url) as recorder:
            report = await run_engine(live_config(redis_url, live, sqlite_url, time_of_day(10, 10)))
    finally:
        await ws.close()
        history.close()

    assert report.history_minutes == 60 + len(NOT_SENT)
    assert report.minutes == LIVE - len(NOT_SENT)
    everything = [*friday, *monday]
    closes = {s: [bars[s][3] for _, bars in everything] for s in SYMBOLS}
    live_index = {60 + m for m in range(LIVE) if m not in NOT_SENT}
    checked = assert_indicators_equal_talib(
        recorder.messages[Channel.INDICATORS_STREAMING.value],
        closes,
        [start for start, _ in everything],
        published=live_index,
    )
    assert checked >= len(SYMBOLS) * 3 * len(live_index)  # RSI, MACD, BB ready from the open

    live_stamps = {everything[i][0].strftime("%Y-%m-%dT%H:%M:%SZ") for i in live_index}
    alerts = [orjson.loads(m)["alert"] for m in recorder.messages[Channel.ALERTS_INDICATORS.value]]
    keys = [(a["symbol"], a["alert_type"], a["timestamp"]) for a in alerts]
    assert len(keys) == len(set(keys)), "an alert was published twice"
    assert {a["timestamp"] for a in alerts} <= live_stamps

    engine = sa.create_engine(sqlite_url.replace("+aiosqlite", ""))
    with engine.connect() as db:
        rows = db.execute(sa.text("select count(*) from ohlcv_1min")).scalar_one()
    engine.dispose()
    assert rows == len(everything) * len(SYMBOLS)  # the chart has the history too
