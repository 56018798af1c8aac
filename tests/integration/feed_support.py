"""Shared pieces of the live-feed tests: a recorded day, the engine config, the oracle."""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as time_of_day

import numpy as np
import orjson
import talib

from tickstock.contract import Channel
from tickstock.engine.config import EngineConfig, LiveFeedConfig

DAY = date(2025, 3, 3)  # a Monday, a regular NYSE session


def live_config(
    redis_url: str, live: LiveFeedConfig, database_url: str | None, close_at: time_of_day
) -> EngineConfig:
    return EngineConfig(
        redis_url=redis_url,
        database_url=database_url,
        live=live,
        close_at=close_at,
        until_close=True,
        health_interval=0.5,
        feed_lost_after=150.0,
    )


def assert_indicators_equal_talib(
    messages: list[bytes],
    closes: dict[str, list[float]],
    starts: list[datetime],
    published: set[int] | None = None,
) -> int:
    """Every published RSI/MACD/BB value equals TA-Lib's over the same closes; returns the count.

    ``published``: the indexes of the minutes that publish (the others, history minutes,
    only feed the indicators); None = all.
    """
    seen = {}
    for raw in messages:
        for calc in orjson.loads(raw)["calculations"]:
            key = (calc["symbol"], calc["indicator"], calc["timestamp"])
            assert key not in seen, f"published twice: {key}"
            seen[key] = calc
    checked = 0
    for symbol, series_list in closes.items():
        series = np.array(series_list)
        rsi = talib.RSI(series, 14)
        macd, signal, hist = talib.MACD(series, 12, 26, 9)
        upper, middle, lower = talib.BBANDS(series, 20, 2.0, 2.0, 0)
        for m, start in enumerate(starts):
            stamp = start.strftime("%Y-%m-%dT%H:%M:%SZ")
            for name, expected in (
                ("RSI", {"value": rsi[m]}),
                ("MACD", {"macd": macd[m], "signal": signal[m], "histogram": hist[m]}),
                ("BB", {"upper": upper[m], "middle": middle[m], "lower": lower[m]}),
            ):
                calc = seen.get((symbol, name, stamp))
                if published is not None and m not in published:
                    assert calc is None, f"a history minute was published: {symbol, name, stamp}"
                    continue
                if np.isnan(next(iter(expected.values()))):
                    assert calc is None, (symbol, name, stamp)
                    continue
                assert calc is not None, (symbol, name, stamp)
                got = {"value": calc["value"], **calc.get("values", {})}
                for line, value in expected.items():
                    assert abs(got[line] - value) <= 1e-6, (symbol, name, stamp, line)
                checked += 1
    return checked


def critical_alerts(messages: dict[str, list[bytes]]) -> list[dict]:
    return [orjson.loads(m)["alert"] for m in messages[Channel.ALERTS_CRITICAL.value]]
