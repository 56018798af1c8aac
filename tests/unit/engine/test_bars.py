"""BarAggregator: ticks → one-minute OHLCV per symbol, with its edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from tickstock.engine.bars import BarAggregator, ClosedBars, minute_start_of

T0 = 1_759_659_300  # 2025-10-05T10:15:00Z, a minute boundary


@pytest.fixture
def agg() -> BarAggregator:
    return BarAggregator(["AAPL", "MSFT", "NVDA"])


def bar_of(bars: ClosedBars, i: int) -> tuple[float, float, float, float, float]:
    return (
        float(bars.open[i]),
        float(bars.high[i]),
        float(bars.low[i]),
        float(bars.close[i]),
        float(bars.volume[i]),
    )


def test_minute_start_of_floors_to_the_minute() -> None:
    assert minute_start_of(T0 + 59.999) == T0
    assert minute_start_of(T0 + 60) == T0 + 60


def test_ticks_make_ohlcv_for_their_minute(agg: BarAggregator) -> None:
    for price, size, dt in [(10.0, 100, 1), (12.0, 50, 20), (9.0, 10, 30), (11.0, 5, 59)]:
        agg.add_tick("AAPL", price, size, T0 + dt)

    bars = agg.close_minute(T0)

    assert bars.minute_start == T0
    assert bars.timestamp.isoformat() == "2025-10-05T10:15:00+00:00"
    assert bar_of(bars, 0) == (10.0, 12.0, 9.0, 11.0, 165.0)


def test_single_tick_minute_has_open_high_low_close_equal(agg: BarAggregator) -> None:
    agg.add_tick(1, 42.5, 7, T0 + 5)

    bars = agg.close_minute(T0)

    assert bar_of(bars, 1) == (42.5, 42.5, 42.5, 42.5, 7.0)


def test_symbol_without_ticks_has_no_bar_rather_than_a_flat_one(agg: BarAggregator) -> None:
    agg.add_tick("AAPL", 10.0, 1, T0 + 1)

    bars = agg.close_minute(T0)

    assert bars.has_bar.tolist() == [True, False, False]
    assert np.isnan(bars.close[1]) and np.isnan(bars.volume[1]) and np.isnan(bars.high[2])


def test_minute_without_any_tick_closes_empty(agg: BarAggregator) -> None:
    bars = agg.close_minute(T0)

    assert not bars.has_bar.any()


def test_out_of_order_ticks_use_timestamp_order_for_open_and_close(agg: BarAggregator) -> None:
    agg.add_tick("MSFT", 20.0, 1, T0 + 30)  # middle
    agg.add_tick("MSFT", 21.0, 1, T0 + 50)  # latest → close
    agg.add_tick("MSFT", 19.0, 1, T0 + 2)  # earliest, arrives last → open

    bars = agg.close_minute(T0)

    assert bar_of(bars, 1) == (19.0, 21.0, 19.0, 21.0, 3.0)


def test_equal_timestamps_keep_arrival_order(agg: BarAggregator) -> None:
    agg.add_ticks([0, 0, 0], [10.0, 11.0, 12.0], [1, 1, 1], [T0 + 1, T0 + 1, T0 + 1])

    bars = agg.close_minute(T0)

    assert (bars.open[0], bars.close[0]) == (10.0, 12.0)


def test_ticks_for_a_closed_minute_are_counted_late_and_dropped(agg: BarAggregator) -> None:
    agg.add_tick("AAPL", 10.0, 1, T0 + 1)
    agg.close_minute(T0)

    agg.add_tick("AAPL", 99.0, 1, T0 + 59)
    agg.add_ticks([0, 1], [98.0, 97.0], [1, 1], [T0 + 10, T0 + 20])
    next_bars = agg.close_minute(T0 + 60)

    assert agg.late_ticks == 3
    assert not next_bars.has_bar.any()


def test_ticks_for_a_future_minute_wait_for_that_minute(agg: BarAggregator) -> None:
    agg.add_tick("NVDA", 50.0, 1, T0 + 10)
    agg.add_tick("NVDA", 60.0, 2, T0 + 65)  # next minute, arrives early

    first = agg.close_minute(T0)
    second = agg.close_minute(T0 + 60)

    assert bar_of(first, 2) == (50.0, 50.0, 50.0, 50.0, 1.0)
    assert bar_of(second, 2) == (60.0, 60.0, 60.0, 60.0, 2.0)


def test_closing_past_an_open_minute_drops_its_ticks_as_late(agg: BarAggregator) -> None:
    agg.add_tick("AAPL", 10.0, 1, T0 + 1)

    bars = agg.close_minute(T0 + 60)

    assert agg.late_ticks == 1
    assert not bars.has_bar.any()


def test_minutes_must_close_in_increasing_order(agg: BarAggregator) -> None:
    agg.close_minute(T0)

    with pytest.raises(ValueError, match="not after"):
        agg.close_minute(T0)
    with pytest.raises(ValueError, match="minute boundary"):
        agg.close_minute(T0 + 61)


def test_invalid_ticks_are_rejected_and_counted(agg: BarAggregator) -> None:
    agg.add_tick("ZZZZ", 10.0, 1, T0)
    agg.add_tick("AAPL", -1.0, 1, T0)
    agg.add_tick("AAPL", float("nan"), 1, T0)
    agg.add_ticks([5, 0, 0], [10.0, 10.0, 0.0], [1, -1, 1], [T0, T0, T0])

    bars = agg.close_minute(T0)

    assert agg.rejected_ticks == 6
    assert not bars.has_bar.any()


def test_vectorised_ticks_match_one_by_one_ticks() -> None:
    rng = np.random.default_rng(7)
    n_symbols, n_ticks = 50, 5_000
    idx = rng.integers(0, n_symbols, n_ticks)
    price = rng.uniform(10, 20, n_ticks).round(2)
    size = rng.integers(1, 500, n_ticks).astype(float)
    ts = T0 + rng.uniform(0, 180, n_ticks)  # three minutes, shuffled arrival
    symbols = [f"S{i}" for i in range(n_symbols)]
    batched, single = BarAggregator(symbols), BarAggregator(symbols)

    for chunk in np.array_split(np.arange(n_ticks), 7):
        batched.add_ticks(idx[chunk], price[chunk], size[chunk], ts[chunk])
    for k in range(n_ticks):
        single.add_tick(int(idx[k]), price[k], size[k], ts[k])

    for minute in (T0, T0 + 60, T0 + 120):
        a, b = batched.close_minute(minute), single.close_minute(minute)
        np.testing.assert_array_equal(a.has_bar, b.has_bar)
        for field in ("open", "high", "low", "close", "volume"):
            np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=1e-12)
        # and against a direct computation for one symbol
        in_minute = (idx == 3) & (ts >= minute) & (ts < minute + 60)
        order = np.argsort(ts[in_minute])
        p = price[in_minute][order]
        assert bar_of(a, 3) == pytest.approx((p[0], p.max(), p.min(), p[-1], size[in_minute].sum()))


def test_from_bars_builds_a_minute_for_replay() -> None:
    bars = ClosedBars.from_bars(T0, 3, [2, 0], [10, 20], [11, 21], [9, 19], [10.5, 20.5], [100, 0])

    assert bars.has_bar.tolist() == [True, False, True]
    assert bar_of(bars, 2) == (10.0, 11.0, 9.0, 10.5, 100.0)
    assert bar_of(bars, 0) == (20.0, 21.0, 19.0, 20.5, 0.0)
    assert np.isnan(bars.close[1])


@pytest.mark.parametrize(
    ("o", "h", "low", "c", "v"),
    [(10, 9, 8, 9, 1), (10, 11, 10.5, 10.6, 1), (10, 11, 9, 10, -1), (10, 11, 9, float("nan"), 1)],
)
def test_from_bars_rejects_inconsistent_bars(
    o: float, h: float, low: float, c: float, v: float
) -> None:
    with pytest.raises(ValueError, match="inconsistent bar"):
        ClosedBars.from_bars(T0, 1, [0], [o], [h], [low], [c], [v])


def test_from_bars_rejects_a_symbol_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        ClosedBars.from_bars(T0, 2, [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1])
