"""Massive frames: aggregates, trades and statuses reach the source; bad ones are counted."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
import pytest
from pydantic import SecretStr

from tickstock.engine.config import LiveFeedConfig
from tickstock.engine.sources.massive import MassiveConnection


class FakeFeed:
    """Stands for LiveSource: records what the connection hands it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def bar(self, symbol: str, minute: int, ohlcv: tuple) -> None:
        self.calls.append(("bar", (symbol, minute, ohlcv)))

    def trade(self, symbol: str, price: float, size: float, ts: float) -> None:
        self.calls.append(("trade", (symbol, price, size, ts)))

    def refused(self, detail: str) -> None:
        self.calls.append(("refused", detail))

    def connection_up(self) -> None:
        self.calls.append(("up", None))

    def batch_done(self, items: int) -> None:
        self.calls.append(("done", items))


def connection() -> MassiveConnection:
    live = LiveFeedConfig(provider="massive", symbols=("AAPL",), api_key=SecretStr("k"))
    return MassiveConnection(live)


def feed_frame(raw: str | bytes) -> tuple[MassiveConnection, FakeFeed]:
    conn, feed = connection(), FakeFeed()
    asyncio.run(conn._process(feed, raw))  # type: ignore[arg-type]
    return conn, feed


def test_an_aggregate_and_a_trade() -> None:
    am = {
        "ev": "AM",
        "sym": "AAPL",
        "o": 1,
        "h": 2,
        "l": 0.5,
        "c": 1.5,
        "v": 10,
        "s": 1_741_012_200_000,
        "e": 1_741_012_260_000,
    }
    t = {"ev": "T", "sym": "AAPL", "p": 1.25, "s": 100, "t": 1_741_012_200_500}
    _, feed = feed_frame(orjson.dumps([am, t]))
    assert ("bar", ("AAPL", 1_741_012_200, (1, 2, 0.5, 1.5, 10))) in feed.calls
    assert ("trade", ("AAPL", 1.25, 100.0, 1_741_012_200.5)) in feed.calls
    assert feed.calls[-1] == ("done", 2)


def test_a_refused_subscription_is_reported() -> None:
    status = {"ev": "status", "status": "error", "message": "not authorized: AM.XYZ"}
    _, feed = feed_frame(orjson.dumps([status]))
    assert ("refused", "error: not authorized: AM.XYZ") in feed.calls


def test_bad_frames_and_messages_are_counted_logged_once_and_survived(
    caplog: pytest.LogCaptureFixture,
) -> None:
    conn, feed = connection(), FakeFeed()
    with caplog.at_level(logging.WARNING):
        for raw in (b"not json", b'{"ev": "AM"}', b'[{"ev": "AM", "sym": "AAPL"}]'):
            asyncio.run(conn._process(feed, raw))  # type: ignore[arg-type]
    assert conn.bad_messages == 3
    assert len([r for r in caplog.records if "massive" in r.getMessage()]) == 1
