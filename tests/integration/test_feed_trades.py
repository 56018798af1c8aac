"""Trades from a live feed become 1-minute bars: Massive ``T`` (and ``A``, second
aggregates) and Alpaca ``t`` messages; they also give forming bars, minute aggregates do not.

Each symbol trades a few times a minute, out of order inside the minute; the stored bars
are the trades' OHLCV (open = earliest trade, close = latest, volume = the sum).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any

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
from tickstock.engine.feedserver.make import alpaca_bar, massive_am, minute_bars
from tickstock.engine.feedserver.massive import MassiveServer
from tickstock.engine.feedserver.recording import Frame, Hold, Pause, Step
from tickstock.engine.feedserver.rest import HistoryServer
from tickstock.engine.runner import run_engine

pytestmark = pytest.mark.timeout(120)
SYMBOLS = ["AAPL", "MSFT"]
MINUTES = 4
#: (second within the minute, price, size), in arrival order: the 5 s trade arrives last
TRADES = [(10, 100.0, 5), (30, 103.0, 1), (50, 101.0, 2), (5, 99.0, 4)]


def trade(provider: str, symbol: str, moment: datetime, price: float, size: int) -> dict:
    """One trade as ``provider`` sends it; ``massive-A``: a one-second aggregate of it."""
    if provider == "massive-A":
        s = int(moment.timestamp() * 1000)
        return {
            "ev": "A",
            "sym": symbol,
            "v": size,
            "av": size,
            "op": price,
            "vw": price,
            "o": price,
            "c": price,
            "h": price,
            "l": price,
            "a": price,
            "z": size,
            "s": s,
            "e": s + 1000,
        }
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


def recording(provider: str, after_first_minute: Hold | None = None) -> list[Step]:
    """``after_first_minute``: a hold before the trades that close the first minute."""
    open_ = new_york_datetime(DAY, REGULAR_OPEN)
    steps: list[Step] = []
    for m in range(MINUTES + 1):  # the last minute's trades close the one before
        start = open_ + timedelta(minutes=m)
        for second, price, size in TRADES:
            moment = start + timedelta(seconds=second)
            frame = [trade(provider, s, moment, price + m + i, size) for i, s in enumerate(SYMBOLS)]
            steps += [Frame(frame), Pause(0.01)]
        if m == 0 and after_first_minute is not None:
            steps.append(after_first_minute)
    return steps


def feed_server(provider: str, steps: list[Step]) -> MassiveServer | AlpacaServer:
    """The local server of ``provider`` ("massive…" or "alpaca") playing ``steps``."""
    if provider == "alpaca":
        return AlpacaServer(steps, "k", "s")
    return MassiveServer(steps, api_key="k")


def feed_config(
    provider: str, subscription: str, server: MassiveServer | AlpacaServer, **extra: Any
) -> LiveFeedConfig:
    """The engine's live feed on the started ``server`` (``extra``: more of its fields)."""
    return LiveFeedConfig(
        provider=provider.split("-")[0],
        symbols=tuple(SYMBOLS),
        api_key=SecretStr("k"),
        secret_key=SecretStr("s"),
        host=server.host if isinstance(server, MassiveServer) else server.url,
        secure=False,
        subscription=subscription,
        close_grace=0.3,
        **extra,
    )


@pytest.mark.parametrize(
    ("provider", "subscription"),
    [("massive", "T"), ("massive-A", "A"), ("alpaca", "trades")],
)
async def test_trades_are_built_into_minute_bars(
    provider: str, subscription: str, redis_url: str, sqlite_url: str
) -> None:
    server = feed_server(provider, recording(provider))
    await server.start()
    live = feed_config(provider, subscription, server)
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


async def bars_published(
    server: MassiveServer | AlpacaServer, provider: str, subscription: str, redis_url: str
) -> list[dict]:
    """Run a session from ``server`` with forming bars on; the bars channel's messages."""
    await server.start()
    live = feed_config(provider, subscription, server)
    config = replace(
        live_config(redis_url, live, None, time_of_day(9, 30 + MINUTES)), forming_bars=True
    )
    try:
        async with Recorder(redis_url) as recorder:
            report = await run_engine(config)
    finally:
        await server.close()
    assert report.minutes == MINUTES
    return [orjson.loads(m) for m in recorder.messages[Channel.BARS_STREAMING.value]]


@pytest.mark.parametrize(
    ("provider", "subscription"),
    [("massive", "T"), ("massive-A", "A"), ("alpaca", "trades")],
)
async def test_live_trades_publish_forming_bars_between_the_closes(
    provider: str, subscription: str, redis_url: str
) -> None:
    """Trades and second aggregates: the engine builds the bars, so the open minute so far
    goes out on the bars channel (at most once a second), as on the synthetic feed."""
    steps = [s if not isinstance(s, Pause) else Pause(0.15) for s in recording(provider)]
    messages = await bars_published(feed_server(provider, steps), provider, subscription, redis_url)
    forming = [m for m in messages if not m["closed"]]
    closed = [m for m in messages if m["closed"]]
    assert len(closed) == MINUTES
    assert forming, "no forming bar was published while the minutes filled"
    for message in forming:  # a forming bar is the minute so far: within its trades' range
        for bar in message["bars"]:
            assert 99.0 <= bar["low"] <= bar["close"] <= bar["high"]


@pytest.mark.parametrize(("provider", "subscription"), [("massive", "AM"), ("alpaca", "bars")])
async def test_minute_aggregates_have_no_forming_bar(
    provider: str, subscription: str, redis_url: str
) -> None:
    """A minute aggregate arrives once its minute has closed: there is nothing to show
    before, so only closed bars go out, however long the minutes take."""
    make = massive_am if provider == "massive" else alpaca_bar
    steps: list[Step] = []
    for start, bars in minute_bars(SYMBOLS, DAY, MINUTES):
        steps += [Frame([make(s, start, bar) for s, bar in bars.items()]), Pause(0.4)]
    messages = await bars_published(feed_server(provider, steps), provider, subscription, redis_url)
    assert [m["closed"] for m in messages] == [True] * MINUTES


class OrderedRecorder(Recorder):
    """Every channel's messages in one list, in the order Redis delivered them; ``started``
    is set at the session's start, ``forming`` at the first forming bar."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.ordered: list[tuple[str, dict]] = []
        self.started = asyncio.Event()
        self.forming = asyncio.Event()

    def record(self, channel: str, data: bytes) -> None:
        super().record(channel, data)
        message = orjson.loads(data)
        self.ordered.append((channel, message))
        if channel == Channel.SESSION_STARTED.value:
            self.started.set()
        elif channel == Channel.BARS_STREAMING.value and not message["closed"]:
            self.forming.set()


WARMUP = 30


@pytest.mark.parametrize(
    ("provider", "subscription"),
    [("massive", "T"), ("massive-A", "A"), ("alpaca", "trades")],
)
async def test_a_trade_feed_shows_the_first_minute_forming(
    provider: str, subscription: str, redis_url: str
) -> None:
    """The session opens with its first trade, not when its first minute closes: the
    warm-up comes first, once, and the first minute's bars are seen forming."""
    friday = minute_bars(SYMBOLS, date(2025, 2, 28), 390, seed=5)[-WARMUP:]
    rest = {s: {int(start.timestamp()): bars[s] for start, bars in friday} for s in SYMBOLS}
    history = HistoryServer(rest, key="k").start()
    recorder = OrderedRecorder(redis_url)
    # The first minute stays open until a forming bar is out (or 15 s: then the test fails).
    steps = recording(provider, after_first_minute=Hold(recorder.forming, timeout=15))
    server = feed_server(provider, steps)
    await server.start()
    live = feed_config(provider, subscription, server, rest_url=history.url, warmup_minutes=WARMUP)
    config = replace(
        live_config(redis_url, live, None, time_of_day(9, 30 + MINUTES)), forming_bars=True
    )
    try:
        async with recorder:
            report = await run_engine(config)
    finally:
        await server.close()
        history.close()

    assert report.minutes == MINUTES
    assert report.history_minutes == WARMUP, "the warm-up ran more (or less) than once"
    open_ = new_york_datetime(DAY, REGULAR_OPEN)
    assert [s.started_at for s in report.sessions] == [open_]
    first_stamp = open_.strftime("%Y-%m-%dT%H:%M:%SZ")

    def position(what: str, found: Callable[[str, dict], bool]) -> int:
        for i, (channel, message) in enumerate(recorder.ordered):
            if found(channel, message):
                return i
        raise AssertionError(f"no {what} was published")

    bars = Channel.BARS_STREAMING.value
    started = position("session_started", lambda c, _: c == Channel.SESSION_STARTED.value)
    forming = position(
        "forming bar of the first minute",
        lambda c, m: c == bars and not m["closed"] and m["bars"][0]["timestamp"] == first_stamp,
    )
    closed = position("closed bar", lambda c, m: c == bars and m["closed"])
    assert recorder.ordered[closed][1]["bars"][0]["timestamp"] == first_stamp
    assert started < forming < closed, "the first minute was not seen forming"


async def test_a_start_mid_session_opens_with_the_first_trade_and_drops_a_straggler(
    redis_url: str,
) -> None:
    """Started at 10:00, the session opens at the first trade's minute; a trade of 9:59 that
    arrives after it (out of order) is counted as late, never published."""
    ten = new_york_datetime(DAY, time_of_day(10, 0))
    recorder = OrderedRecorder(redis_url)
    steps: list[Step] = [
        Frame([trade("massive", s, ten + timedelta(seconds=1), 100.0, 1) for s in SYMBOLS]),
        Hold(recorder.started, timeout=15),  # the straggler comes once the session is open
        Frame([trade("massive", "AAPL", ten - timedelta(seconds=2), 98.0, 1)]),
    ]
    for m in range(MINUTES + 1):
        start = ten + timedelta(minutes=m)
        for second, price, size in TRADES:
            frame = [
                trade("massive", s, start + timedelta(seconds=second), price, size) for s in SYMBOLS
            ]
            steps += [Frame(frame), Pause(0.01)]
    server = feed_server("massive", steps)
    await server.start()
    live = feed_config("massive", "T", server)
    config = replace(
        live_config(redis_url, live, None, time_of_day(10, MINUTES)), forming_bars=True
    )
    try:
        async with recorder:
            report = await run_engine(config)
    finally:
        await server.close()

    assert [s.started_at for s in report.sessions] == [ten]
    assert report.closed_minutes == [
        int((ten + timedelta(minutes=m)).timestamp()) for m in range(MINUTES)
    ]
    last_health = orjson.loads(recorder.messages[Channel.HEALTH.value][-1])["health"]
    assert any("1 late" in issue for issue in last_health["issues"]), last_health["issues"]
