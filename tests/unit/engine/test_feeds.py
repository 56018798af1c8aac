"""Synthetic feed determinism and shape; CSV replay validation with line numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tickstock.engine.feeds import SyntheticFeed, intraday_intensity, load_replay
from tickstock.errors import FeedError

OPEN = 1_741_012_200  # 2025-03-03 14:30:00 UTC, a minute boundary
HEADER = "timestamp,symbol,open,high,low,close,volume\n"


def test_same_seed_and_clock_give_the_same_ticks_however_time_is_sliced() -> None:
    whole = SyntheticFeed(50, seed=7, session_open=OPEN).ticks(OPEN, OPEN + 60)
    sliced = SyntheticFeed(50, seed=7, session_open=OPEN)
    parts = [sliced.ticks(OPEN + a, OPEN + b) for a, b in ((0, 13.5), (13.5, 14), (14, 60))]

    np.testing.assert_array_equal(whole.price, np.concatenate([p.price for p in parts]))
    np.testing.assert_array_equal(whole.symbol_idx, np.concatenate([p.symbol_idx for p in parts]))
    np.testing.assert_array_equal(whole.ts, np.concatenate([p.ts for p in parts]))


def test_another_seed_gives_another_market() -> None:
    a = SyntheticFeed(50, seed=1, session_open=OPEN).ticks(OPEN, OPEN + 10)
    b = SyntheticFeed(50, seed=2, session_open=OPEN).ticks(OPEN, OPEN + 10)
    assert not np.array_equal(a.price[:20], b.price[:20])


def test_ticks_are_in_their_second_and_in_time_order_per_symbol() -> None:
    chunk = SyntheticFeed(20, seed=3, session_open=OPEN).ticks(OPEN, OPEN + 5)
    assert len(chunk) > 0
    assert (chunk.ts >= OPEN).all() and (chunk.ts < OPEN + 5).all()
    assert (chunk.price > 0).all() and (chunk.size >= 1).all()
    for s in np.unique(chunk.symbol_idx):
        ts = chunk.ts[chunk.symbol_idx == s]
        assert (np.diff(ts) >= 0).all()


def test_activity_is_u_shaped_over_the_day() -> None:
    assert intraday_intensity(0) > intraday_intensity(11_700) < intraday_intensity(23_400)
    early = SyntheticFeed(200, seed=4, session_open=OPEN).ticks(OPEN, OPEN + 30)
    midday = SyntheticFeed(200, seed=4, session_open=OPEN).ticks(OPEN + 11_700, OPEN + 11_730)
    assert len(early) > 2 * len(midday)


def test_whole_bar_mode_gives_consistent_bars_that_continue_the_price() -> None:
    feed = SyntheticFeed(100, seed=5, session_open=OPEN)
    first = feed.bars(OPEN)
    second = feed.bars(OPEN + 60)
    for bars in (first, second):
        assert bars.has_bar.all()
        assert (bars.low <= np.minimum(bars.open, bars.close)).all()
        assert (bars.high >= np.maximum(bars.open, bars.close)).all()
        assert (bars.volume >= 0).all()
    np.testing.assert_array_equal(second.open, first.close)


def write_csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_replay_is_processed_in_timestamp_order(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "2025-03-03T14:31:00Z,MSFT,10,11,9,10.5,100\n"
        "2025-03-03T14:30:00Z,AAPL,20,21,19,20.5,200\n"
        "2025-03-03T14:30:00Z,MSFT,10,10.2,9.9,10,300\n",
    )
    replay = load_replay(path)
    assert replay.symbols == ("AAPL", "MSFT")
    assert [m.minute_start for m in replay.minutes] == [OPEN, OPEN + 60]
    assert replay.minutes[0].has_bar.tolist() == [True, True]
    assert replay.minutes[1].has_bar.tolist() == [False, True]
    assert replay.minutes[1].close[1] == 10.5


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2025-03-03 14:30,AAPL,1,2,0.5,1,10", "no time zone"),
        ("2025-03-03T14:30:30Z,AAPL,1,2,0.5,1,10", "start of a minute"),
        ("2025-03-03T14:30:00Z,aapl,1,2,0.5,1,10", "symbol"),
        ("2025-03-03T14:30:00Z,AAPL,1,2,1.5,1,10", "inconsistent bar"),
        ("2025-03-03T14:30:00Z,AAPL,1,2,0.5,one,10", "must be numbers"),
        ("2025-03-03T14:30:00Z,AAPL,1,2,0.5,1", "expected 7 columns"),
        ("2025-03-03T14:30:00Z,AAPL,1,2,0.5,1,-3", "negative"),
    ],
)
def test_malformed_row_raises_feed_error_with_its_line_number(
    tmp_path: Path, row: str, reason: str
) -> None:
    path = write_csv(tmp_path, "2025-03-03T14:30:00Z,MSFT,10,11,9,10.5,100\n" + row + "\n")
    with pytest.raises(FeedError) as caught:
        load_replay(path)
    assert caught.value.line == 3
    assert reason in caught.value.reason


def test_a_second_bar_for_the_same_symbol_and_minute_is_an_error(tmp_path: Path) -> None:
    row = "2025-03-03T14:30:00Z,MSFT,10,11,9,10.5,100\n"
    with pytest.raises(FeedError) as caught:
        load_replay(write_csv(tmp_path, row + row))
    assert caught.value.line == 3


def test_skip_bad_rows_counts_and_keeps_the_good_ones(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "2025-03-03T14:30:00Z,MSFT,10,11,9,10.5,100\n"
        "garbage\n"
        "2025-03-03T14:31:00Z,MSFT,10,11,12,10.5,100\n"
        "2025-03-03T14:32:00Z,MSFT,10,11,9,10.5,100\n",
    )
    replay = load_replay(path, skip_bad_rows=True)
    assert replay.skipped_rows == 2
    assert [m.minute_start for m in replay.minutes] == [OPEN, OPEN + 120]
    assert replay.skipped_reasons[0].startswith("line 3:")


def test_wrong_header_is_reported_on_line_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,sym,o,h,l,c,v\n", encoding="utf-8")
    with pytest.raises(FeedError) as caught:
        load_replay(path)
    assert caught.value.line == 1
