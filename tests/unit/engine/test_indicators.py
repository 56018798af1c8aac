"""IndicatorBank against TA-Lib, bar by bar, including symbols that miss bars."""

from __future__ import annotations

import numpy as np
import pytest
import talib

from tickstock.engine.indicators import IndicatorBank, IndicatorSnapshot

TOLERANCE = 1e-6
FIELDS = ("rsi", "macd", "macd_signal", "macd_hist", "bb_upper", "bb_middle", "bb_lower")


def run_bank(closes: np.ndarray, mask: np.ndarray, **params: float) -> dict[str, list[list[float]]]:
    """Feed (T, n) closes bar by bar; return, per field and symbol, the values at its own bars."""
    n_bars, n_symbols = closes.shape
    bank = IndicatorBank(n_symbols, **params)  # type: ignore[arg-type]
    seen: dict[str, list[list[float]]] = {f: [[] for _ in range(n_symbols)] for f in FIELDS}
    for t in range(n_bars):
        snap = bank.update(closes[t], mask[t])
        for f in FIELDS:
            values = getattr(snap, f)
            for i in np.flatnonzero(mask[t]):
                seen[f][i].append(float(values[i]))
    return seen


def talib_reference(series: np.ndarray, **params: float) -> dict[str, np.ndarray]:
    macd, signal, hist = talib.MACD(
        series,
        fastperiod=params.get("macd_fast", 12),
        slowperiod=params.get("macd_slow", 26),
        signalperiod=params.get("macd_signal", 9),
    )
    dev = params.get("bb_stddev", 2.0)
    upper, middle, lower = talib.BBANDS(
        series, timeperiod=params.get("bb_period", 20), nbdevup=dev, nbdevdn=dev, matype=0
    )
    rsi = talib.RSI(series, timeperiod=params.get("rsi_period", 14))
    return dict(zip(FIELDS, (rsi, macd, signal, hist, upper, middle, lower), strict=True))


def assert_matches_talib(got: list[float], reference: np.ndarray) -> None:
    values = np.array(got)
    np.testing.assert_array_equal(np.isnan(values), np.isnan(reference))
    ready = ~np.isnan(reference)
    np.testing.assert_allclose(values[ready], reference[ready], rtol=0, atol=TOLERANCE)


def random_walk(rng: np.random.Generator, n_bars: int, n_symbols: int) -> np.ndarray:
    return 100 + np.cumsum(rng.normal(0, 0.8, (n_bars, n_symbols)), axis=0)


@pytest.mark.parametrize(
    "params",
    [{}, {"rsi_period": 5, "macd_fast": 3, "macd_slow": 10, "macd_signal": 4, "bb_period": 7}],
    ids=["defaults", "short-periods"],
)
def test_every_value_equals_talib_on_the_whole_series(params: dict[str, float]) -> None:
    rng = np.random.default_rng(11)
    closes = random_walk(rng, 250, 12)
    mask = np.ones_like(closes, dtype=bool)

    seen = run_bank(closes, mask, **params)

    for i in range(closes.shape[1]):
        reference = talib_reference(closes[:, i], **params)
        for field in FIELDS:
            assert_matches_talib(seen[field][i], reference[field])


def test_symbol_missing_bars_equals_talib_on_its_own_bars() -> None:
    rng = np.random.default_rng(12)
    closes = random_walk(rng, 300, 10)
    mask = rng.random(closes.shape) < 0.7  # ~30% of minutes without a bar

    seen = run_bank(closes, mask)

    for i in range(closes.shape[1]):
        reference = talib_reference(closes[mask[:, i], i])
        for field in FIELDS:
            assert_matches_talib(seen[field][i], reference[field])


def test_first_values_appear_at_talib_lookback() -> None:
    bank = IndicatorBank(1)
    closes = random_walk(np.random.default_rng(3), 40, 1)[:, 0]
    snaps: list[IndicatorSnapshot] = [bank.update(closes[t : t + 1], [True]) for t in range(40)]

    first_rsi = next(t for t, s in enumerate(snaps) if s.rsi_ready[0])
    first_macd = next(t for t, s in enumerate(snaps) if s.macd_ready[0])
    first_bb = next(t for t, s in enumerate(snaps) if s.bb_ready[0])

    assert (first_rsi, first_macd, first_bb) == (14, 33, 19)
    assert np.isnan(snaps[13].rsi[0]) and np.isnan(snaps[32].macd[0])
    assert np.isnan(snaps[18].bb_middle[0])


def test_flat_series_gives_rsi_zero_like_talib_and_zero_band_width() -> None:
    closes = np.full((60, 1), 123.45)
    bank = IndicatorBank(1)

    for t in range(60):
        snap = bank.update(closes[t], [True])

    assert snap.rsi[0] == 0.0 == talib.RSI(closes[:, 0])[-1]
    assert snap.bb_upper[0] == snap.bb_middle[0] == snap.bb_lower[0] == 123.45
    macd, signal, _ = talib.MACD(closes[:, 0])
    assert snap.macd[0] == pytest.approx(macd[-1], abs=TOLERANCE) == pytest.approx(0, abs=1e-9)
    assert snap.macd_signal[0] == pytest.approx(signal[-1], abs=TOLERANCE)


def test_symbol_without_a_bar_keeps_its_values_and_is_not_updated() -> None:
    rng = np.random.default_rng(5)
    closes = random_walk(rng, 40, 2)
    bank = IndicatorBank(2)
    for t in range(39):
        before = bank.update(closes[t], [True, True])

    after = bank.update(closes[39], [True, False])

    assert after.updated.tolist() == [True, False]
    assert after.rsi[1] == before.rsi[1] and after.macd[1] == before.macd[1]
    assert after.rsi[0] != before.rsi[0]


def test_update_rejects_wrong_shapes_and_non_finite_closes() -> None:
    bank = IndicatorBank(3)

    with pytest.raises(ValueError, match="shape"):
        bank.update(np.ones(2), np.ones(2, dtype=bool))
    with pytest.raises(ValueError, match="not finite"):
        bank.update(np.array([1.0, np.nan, 1.0]), np.ones(3, dtype=bool))
    bank.update(np.array([1.0, np.nan, 1.0]), np.array([True, False, True]))  # NaN off-mask: fine
