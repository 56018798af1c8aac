"""A CSV replay publishes indicator values equal to TA-Lib's over the replayed closes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from tests.integration.engine_support import Recorder
from tests.integration.feed_support import assert_indicators_equal_talib

from tickstock.contract import Channel
from tickstock.engine.runner import EngineConfig, run_engine
from tickstock.errors import FeedError

pytestmark = pytest.mark.timeout(120)
SYMBOLS = ("AAPL", "BRK.B", "MSFT")
MINUTES = 60
OPEN = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)


def write_replay(path: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(21)
    start = OPEN
    closes = {s: 100 + np.cumsum(rng.normal(0, 0.5, MINUTES)) for s in SYMBOLS}
    lines = ["timestamp,symbol,open,high,low,close,volume"]
    for m in range(MINUTES):
        stamp = (start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for s in reversed(SYMBOLS):  # not in symbol order: the replay sorts
            c = closes[s][m]
            lines.append(f"{stamp},{s},{c:.6f},{c + 0.3:.6f},{c - 0.3:.6f},{c:.6f},1000")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {s: np.round(v, 6) for s, v in closes.items()}


def replay_config(redis_url: str, path: Path) -> EngineConfig:
    return EngineConfig(redis_url=redis_url, replay=path, speed=2000, health_interval=1.0)


async def test_replayed_indicators_equal_talib(redis_url: str, tmp_path: Path) -> None:
    closes = write_replay(tmp_path / "bars.csv")
    async with Recorder(redis_url) as recorder:
        report = await run_engine(replay_config(redis_url, tmp_path / "bars.csv"))
    assert report.minutes == MINUTES

    starts = [OPEN + timedelta(minutes=m) for m in range(MINUTES)]
    checked = assert_indicators_equal_talib(
        recorder.messages[Channel.INDICATORS_STREAMING.value], closes, starts
    )
    assert checked > 0


async def test_a_bad_row_stops_the_replay_before_anything_is_published(
    redis_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "bars.csv"
    write_replay(path)
    with path.open("a", encoding="utf-8") as f:
        f.write("2025-03-03T15:40:00Z,AAPL,1,2,3,1,10\n")
    async with Recorder(redis_url) as recorder:
        with pytest.raises(FeedError) as caught:
            await run_engine(replay_config(redis_url, path))
    assert caught.value.line == 1 + MINUTES * len(SYMBOLS) + 1
    assert sum(len(v) for v in recorder.messages.values()) == 0
