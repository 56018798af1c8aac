"""PatternDetector: every pattern agrees with its TA-Lib function, and confidence is sane."""

from __future__ import annotations

import numpy as np
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

from tickstock.engine.bars import ClosedBars
from tickstock.engine.patterns import (
    CANDIDATES,
    LOOKBACK,
    PATTERNS,
    Detection,
    PatternDetector,
    PatternSpec,
    confidence_of,
    run_on_windows,
)

SPEC_BY_NAME = {spec.name: spec for spec in PATTERNS}


def random_ohlc(
    rng: np.random.Generator, n_bars: int, n_symbols: int, decimals: int | None = None
) -> tuple[np.ndarray, ...]:
    """Random-walk candles; rounding to few decimals makes ties (close == open) common."""
    shape = (n_bars, n_symbols)
    scale = rng.uniform(5, 500, n_symbols)  # very different price levels side by side
    close = scale * np.exp(np.cumsum(rng.normal(0, 0.01, shape), axis=0))
    open_ = np.vstack([close[:1], close[:-1]]) * np.exp(rng.normal(0, 0.004, shape))
    if decimals is not None:
        close, open_ = close.round(decimals), open_.round(decimals)
    high = np.maximum(open_, close) + scale * rng.exponential(0.004, shape)
    low = np.minimum(open_, close) - scale * rng.exponential(0.004, shape)
    if decimals is not None:
        high, low = (
            np.ceil(high * 10**decimals) / 10**decimals,
            np.floor(low * 10**decimals) / 10**decimals,
        )
    volume = rng.integers(100, 10_000, shape).astype(np.float64)
    return open_, high, low, close, volume


def talib_hits(
    spec: PatternSpec, o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray
) -> np.ndarray:
    out = getattr(talib, spec.function)(o, h, lo, c)
    return out != 0 if spec.sign == 0 else np.sign(out) == spec.sign


def feed(
    detector: PatternDetector, ohlcv: tuple[np.ndarray, ...], mask: np.ndarray
) -> list[tuple[int, Detection]]:
    """Feed (T, n) bars minute by minute; return (bar number, detection) pairs."""
    o, h, lo, c, v = ohlcv
    found: list[tuple[int, Detection]] = []
    for t in range(c.shape[0]):
        idx = np.flatnonzero(mask[t])
        bars = ClosedBars.from_bars(
            60 * t, c.shape[1], idx, o[t, idx], h[t, idx], lo[t, idx], c[t, idx], v[t, idx]
        )
        found.extend((t, d) for d in detector.detect(bars))
    return found


@pytest.mark.parametrize("decimals", [None, 1], ids=["continuous-prices", "tick-rounded-prices"])
def test_every_pattern_agrees_with_talib_on_random_series_with_gaps(decimals: int | None) -> None:
    rng = np.random.default_rng(31)
    ohlcv = random_ohlc(rng, 300, 60, decimals)
    mask = rng.random(ohlcv[3].shape) < 0.85  # symbols miss ~15% of minutes
    o, h, lo, c, _ = ohlcv

    got = {(d.symbol_index, t, d.pattern_type) for t, d in feed(PatternDetector(60), ohlcv, mask)}

    expected = set()
    for i in range(c.shape[1]):
        bars_of_i = np.flatnonzero(mask[:, i])
        series = (o[bars_of_i, i], h[bars_of_i, i], lo[bars_of_i, i], c[bars_of_i, i])
        for spec in PATTERNS:
            expected |= {
                (i, int(bars_of_i[k]), spec.name) for k in np.flatnonzero(talib_hits(spec, *series))
            }
    assert got == expected
    common = {"Doji", "Hammer", "Bullish Engulfing", "Bearish Harami", "Shooting Star"}
    assert common <= {name for _, _, name in got}  # the comparison is not vacuous


def test_one_call_over_concatenated_windows_equals_one_call_per_symbol() -> None:
    rng = np.random.default_rng(32)
    o, h, lo, c, _ = random_ohlc(rng, 40, 200)
    for function, lookback in LOOKBACK.items():
        width = lookback + 1
        windows = tuple(a[-width:].T.copy() for a in (o, h, lo, c))  # (symbols, width)

        together = run_on_windows(function, windows)

        one_by_one = [getattr(talib, function)(*(w[i] for w in windows))[-1] for i in range(200)]
        np.testing.assert_array_equal(together, one_by_one, err_msg=function)


def test_windows_narrower_than_the_lookback_are_refused() -> None:
    narrow = tuple(np.ones((3, LOOKBACK["CDLDOJI"])) for _ in range(4))

    with pytest.raises(ValueError, match="needs windows"):
        run_on_windows("CDLDOJI", narrow)


def test_candidate_filters_never_reject_a_talib_hit() -> None:
    rng = np.random.default_rng(33)
    for decimals in (None, 1, 0):
        o, h, lo, c, _ = (a[:, 0] for a in random_ohlc(rng, 40_000, 1, decimals))
        white = np.column_stack([np.roll(c >= o, k) for k in (3, 2, 1, 0)])  # last four colours
        for function, candidates in CANDIDATES.items():
            hits = getattr(talib, function)(o, h, lo, c) != 0
            assert candidates(white)[hits].all(), function


def constructed_series(pattern: str) -> tuple[np.ndarray, ...]:
    """A calm run of candles followed by a textbook example of ``pattern``."""
    lead = 15
    trend = (
        -1.0
        if pattern
        in (
            "Hammer",
            "Inverted Hammer",
            "Bullish Engulfing",
            "Bullish Harami",
            "Morning Star",
            "Three White Soldiers",
        )
        else 1.0
    )
    if pattern == "Doji":
        trend = -1.0
    base = 100 + trend * 0.5 * np.arange(lead)  # the trend the pattern reverses
    o = base - trend * 0.3
    c = base.copy()
    h = np.maximum(o, c) + 0.2
    lo = np.minimum(o, c) - 0.2
    last = c[-1]
    tail: dict[str, list[tuple[float, float, float, float]]] = {
        "Doji": [(last, last + 0.6, last - 0.6, last + 0.01)],
        "Hammer": [(last - 0.5, last - 0.4, last - 2.5, last - 0.42)],
        "Inverted Hammer": [(last - 0.5, last + 1.5, last - 0.52, last - 0.42)],
        "Hanging Man": [(last + 0.5, last + 0.62, last - 1.5, last + 0.6)],
        "Shooting Star": [(last + 0.8, last + 2.5, last + 0.7, last + 0.72)],
        "Bullish Engulfing": [
            (last, last + 0.1, last - 0.6, last - 0.5),
            (last - 0.7, last + 0.5, last - 0.8, last + 0.4),
        ],
        "Bearish Engulfing": [
            (last, last + 0.6, last - 0.1, last + 0.5),
            (last + 0.7, last + 0.8, last - 0.5, last - 0.4),
        ],
        "Bullish Harami": [
            (last, last + 0.1, last - 3.1, last - 3.0),
            (last - 1.8, last - 1.4, last - 2.0, last - 1.5),
        ],
        "Bearish Harami": [
            (last, last + 3.1, last - 0.1, last + 3.0),
            (last + 1.8, last + 2.0, last + 1.4, last + 1.5),
        ],
        "Morning Star": [
            (last, last + 0.1, last - 3.1, last - 3.0),
            (last - 3.5, last - 3.3, last - 3.8, last - 3.6),
            (last - 3.2, last - 0.4, last - 3.3, last - 0.5),
        ],
        "Evening Star": [
            (last, last + 3.1, last - 0.1, last + 3.0),
            (last + 3.5, last + 3.8, last + 3.3, last + 3.6),
            (last + 3.2, last + 3.3, last + 0.4, last + 0.5),
        ],
        "Three White Soldiers": [
            (last, last + 1.22, last - 0.02, last + 1.2),
            (last + 0.6, last + 1.82, last + 0.58, last + 1.8),
            (last + 1.2, last + 2.42, last + 1.18, last + 2.4),
        ],
        "Three Black Crows": [
            (last + 0.5, last + 0.8, last + 0.4, last + 0.7),
            (last + 0.6, last + 0.62, last - 0.62, last - 0.6),
            (last - 0.1, last - 0.08, last - 1.32, last - 1.3),
            (last - 0.8, last - 0.78, last - 2.02, last - 2.0),
        ],
    }
    rows = np.array(tail[pattern])
    return (
        np.r_[o, rows[:, 0]],
        np.r_[h, rows[:, 1]],
        np.r_[lo, rows[:, 2]],
        np.r_[c, rows[:, 3]],
    )


@pytest.mark.parametrize("pattern", list(SPEC_BY_NAME))
def test_each_pattern_fires_on_a_constructed_example_like_talib(pattern: str) -> None:
    o, h, lo, c = constructed_series(pattern)
    spec = SPEC_BY_NAME[pattern]
    assert talib_hits(spec, o, h, lo, c)[-1], "the example is a textbook case for TA-Lib"
    volume = np.full(c.size, 1_000.0)
    ohlcv = tuple(a[:, None] for a in (o, h, lo, c, volume))

    found = feed(PatternDetector(1), ohlcv, np.ones((c.size, 1), dtype=bool))

    last_bar = [d for t, d in found if t == c.size - 1 and d.pattern_type == pattern]
    assert len(last_bar) == 1
    detection = last_bar[0]
    assert detection.direction == ("bullish" if spec.sign > 0 or pattern == "Doji" else "bearish")
    assert (detection.open, detection.close) == (o[-1], c[-1])
    assert detection.bar_data == {
        "open": o[-1],
        "high": h[-1],
        "low": lo[-1],
        "close": c[-1],
        "volume": 1_000.0,
    }
    assert detection.minute_start == 60 * (c.size - 1)


def test_symbol_without_enough_history_gets_no_detection() -> None:
    o, h, lo, c = constructed_series("Bullish Engulfing")
    keep = slice(-3, None)  # just the two pattern candles and one before: engulfing's lookback 2
    ohlcv = tuple(a[keep, None] for a in (o, h, lo, c, np.full(c.size, 1.0)))

    found = feed(PatternDetector(1), ohlcv, np.ones((3, 1), dtype=bool))

    assert [d.pattern_type for _, d in found] == ["Bullish Engulfing"]  # only engulfing is ready
    too_short = tuple(a[-2:] for a in ohlcv)
    assert feed(PatternDetector(1), too_short, np.ones((2, 1), dtype=bool)) == []


def test_detector_refuses_bars_for_another_universe_size() -> None:
    bars = ClosedBars.from_bars(0, 2, [0], [1], [1], [1], [1], [1])

    with pytest.raises(ValueError, match="symbols"):
        PatternDetector(3).detect(bars)


unit = st.floats(0, 1, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    signal=st.sampled_from([-200.0, -100.0, -80.0, 80.0, 100.0, 200.0]),
    shape=st.floats(-1, 2, allow_nan=False),
    direction=st.sampled_from([-1.0, 1.0]),
    ref_close=st.floats(0.01, 1e6, allow_nan=False),
    sma=st.floats(0.01, 1e6, allow_nan=False),
    mean_range=st.floats(0, 1e4, allow_nan=False),
    volume=st.floats(0, 1e9, allow_nan=False),
    mean_volume=st.floats(0, 1e9, allow_nan=False),
)
def test_confidence_is_always_within_zero_and_one(
    signal: float,
    shape: float,
    direction: float,
    ref_close: float,
    sma: float,
    mean_range: float,
    volume: float,
    mean_volume: float,
) -> None:
    args = [
        np.array([x])
        for x in (signal, shape, direction, ref_close, sma, mean_range, volume, mean_volume)
    ]

    confidence = confidence_of(*args)[0]

    assert 0.0 <= confidence <= 1.0


def conf(
    signal: float = 100,
    shape: float = 0.5,
    direction: float = 1,
    ref_close: float = 100,
    sma: float = 100,
    mean_range: float = 1,
    volume: float = 1_000,
    mean_volume: float = 1_000,
) -> float:
    args = (signal, shape, direction, ref_close, sma, mean_range, volume, mean_volume)
    return float(confidence_of(*(np.array([x], dtype=float) for x in args))[0])


def test_confidence_rises_with_reversal_context_volume_and_strength() -> None:
    neutral = conf()

    assert conf(ref_close=98) > neutral > conf(ref_close=102)  # bullish after a fall scores
    assert conf(direction=-1, ref_close=102) > conf(direction=-1)  # bearish after a rise
    assert conf(volume=1_800) > neutral > conf(volume=300)
    assert conf(signal=200) > neutral and conf(shape=0.9) > neutral
    assert conf(signal=200, shape=1, ref_close=90, volume=5_000) == pytest.approx(1.0)
    assert conf(signal=100, shape=0.5, ref_close=100, volume=1_000) == pytest.approx(
        # grade 0.75 for an unconfirmed ±100; volume at its mean scores 1 / 1.5
        0.4 * (0.75 + 0.5) / 2 + 0.35 * 0.5 + 0.25 / 1.5
    )


def test_same_bars_give_the_same_detections() -> None:
    rng = np.random.default_rng(34)
    ohlcv = random_ohlc(rng, 80, 20)
    mask = np.ones((80, 20), dtype=bool)

    first = feed(PatternDetector(20), ohlcv, mask)
    second = feed(PatternDetector(20), ohlcv, mask)

    assert first == second and first
    assert all(0.0 <= d.confidence <= 1.0 for _, d in first)
