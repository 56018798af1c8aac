"""IndicatorBank against TA-Lib, bar by bar, including symbols that miss bars."""

from __future__ import annotations

import numpy as np
import orjson
import pytest
import talib

from tickstock.engine.indicators import INDICATORS, IndicatorBank, IndicatorSnapshot

TOLERANCE = 1e-6
#: TA-Lib's outputs → the snapshot's (indicator, line) holding the same values
FIELDS = {
    "rsi": ("RSI", "value"),
    "macd": ("MACD", "macd"),
    "macd_signal": ("MACD", "signal"),
    "macd_hist": ("MACD", "histogram"),
    "bb_upper": ("BB", "upper"),
    "bb_middle": ("BB", "middle"),
    "bb_lower": ("BB", "lower"),
}


def run_bank(closes: np.ndarray, mask: np.ndarray, **params: float) -> dict[str, list[list[float]]]:
    """Feed (T, n) closes bar by bar; return, per field and symbol, the values at its own bars."""
    n_bars, n_symbols = closes.shape
    bank = IndicatorBank(n_symbols, **params)  # type: ignore[arg-type]
    seen: dict[str, list[list[float]]] = {f: [[] for _ in range(n_symbols)] for f in FIELDS}
    for t in range(n_bars):
        snap = bank.update(closes[t], mask[t])
        for f, (name, line) in FIELDS.items():
            values = snap[name][line]
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

    first_rsi = next(t for t, s in enumerate(snaps) if s["RSI"].ready[0])
    first_macd = next(t for t, s in enumerate(snaps) if s["MACD"].ready[0])
    first_bb = next(t for t, s in enumerate(snaps) if s["BB"].ready[0])

    assert (first_rsi, first_macd, first_bb) == (14, 33, 19)
    assert np.isnan(snaps[13]["RSI"].value[0]) and np.isnan(snaps[32]["MACD"]["macd"][0])
    assert np.isnan(snaps[18]["BB"]["middle"][0])


def test_flat_series_gives_rsi_zero_like_talib_and_zero_band_width() -> None:
    closes = np.full((60, 1), 123.45)
    bank = IndicatorBank(1)

    for t in range(60):
        snap = bank.update(closes[t], [True])

    rsi, bb, macd_lines = snap["RSI"], snap["BB"], snap["MACD"]
    assert rsi.value[0] == 0.0 == talib.RSI(closes[:, 0])[-1]
    assert bb["upper"][0] == bb["middle"][0] == bb["lower"][0] == 123.45
    macd, signal, _ = talib.MACD(closes[:, 0])
    assert (
        macd_lines["macd"][0]
        == pytest.approx(macd[-1], abs=TOLERANCE)
        == pytest.approx(0, abs=1e-9)
    )
    assert macd_lines["signal"][0] == pytest.approx(signal[-1], abs=TOLERANCE)


def test_symbol_without_a_bar_keeps_its_values_and_is_not_updated() -> None:
    rng = np.random.default_rng(5)
    closes = random_walk(rng, 40, 2)
    bank = IndicatorBank(2)
    for t in range(39):
        before = bank.update(closes[t], [True, True])

    after = bank.update(closes[39], [True, False])

    assert after.updated.tolist() == [True, False]
    assert after["RSI"].value[1] == before["RSI"].value[1]
    assert after["MACD"]["macd"][1] == before["MACD"]["macd"][1]
    assert after["RSI"].value[0] != before["RSI"].value[0]


def test_update_rejects_wrong_shapes_and_non_finite_closes() -> None:
    bank = IndicatorBank(3)

    with pytest.raises(ValueError, match="shape"):
        bank.update(np.ones(2), np.ones(2, dtype=bool))
    with pytest.raises(ValueError, match="not finite"):
        bank.update(np.array([1.0, np.nan, 1.0]), np.ones(3, dtype=bool))
    bank.update(np.array([1.0, np.nan, 1.0]), np.array([True, False, True]))  # NaN off-mask: fine


def test_every_registered_indicator_declares_its_wire_form() -> None:
    bank = IndicatorBank(4)

    assert [type(i) for i in bank.indicators] == list(INDICATORS)
    names, prefixes = {k.name for k in INDICATORS}, {k.prefix for k in INDICATORS}
    assert len(names) == len(prefixes) == len(INDICATORS) and {"RSI", "MACD", "BB"} <= names
    for indicator in bank.indicators:
        assert next(iter(indicator.lines)) == "value", f"{indicator.name}: value comes first"
        for attribute in indicator.lines.values():
            line = getattr(indicator, attribute)
            assert line.shape == (4,) and line.dtype == np.float64
        assert orjson.loads(orjson.dumps(indicator.metadata)) == indicator.metadata
        assert not indicator.ready.any() and indicator.warmup_bars >= 1


def test_the_snapshot_holds_each_indicator_by_wire_name_with_value_as_its_main_line() -> None:
    bank = IndicatorBank(2)
    closes = random_walk(np.random.default_rng(8), 40, 2)
    for t in range(40):
        snap = bank.update(closes[t], [True, True])

    assert list(snap.indicators) == [k.name for k in INDICATORS]
    assert list(snap["MACD"].lines) == ["value", "macd", "signal", "histogram"]
    assert list(snap["BB"].lines) == ["value", "upper", "middle", "lower"]
    assert snap["MACD"].value is snap["MACD"]["macd"] and snap["BB"].value is snap["BB"]["middle"]
    rsi = next(i for i in bank.indicators if i.name == "RSI")
    assert snap["RSI"].value is not rsi.value  # a copy, not the live state


def test_parameters_go_to_the_indicator_of_their_prefix_and_unknown_ones_are_refused() -> None:
    bank = IndicatorBank(1, rsi_period=5, macd_signal=4, bb_stddev=1.5)

    metadata = {i.name: i.metadata for i in bank.indicators}
    assert metadata["RSI"] == {"period": 5}
    assert metadata["MACD"] == {"fast_period": 12, "slow_period": 26, "signal_period": 4}
    assert metadata["BB"] == {"period": 20, "std_dev": 1.5}
    with pytest.raises(TypeError, match="length"):
        IndicatorBank(1, rsi_length=5)
    with pytest.raises(TypeError, match="ema_period"):
        IndicatorBank(1, ema_period=5)
