"""AlertRules: the six alert types fire once, at the crossing."""

from __future__ import annotations

import numpy as np
import pytest
import talib

from tickstock.engine.alerts import AlertRules, AlertThresholds, FiredAlert
from tickstock.engine.indicators import IndicatorBank, IndicatorSnapshot, IndicatorValues

NAN = float("nan")


def snapshot(
    rsi: float = 50.0,
    macd: float = 0.0,
    signal: float = 0.0,
    upper: float = 110.0,
    lower: float = 90.0,
    ready: bool = True,
) -> IndicatorSnapshot:
    """A one-symbol snapshot with chosen values."""

    def one(x: float) -> np.ndarray:
        return np.array([x if ready else NAN])

    flag = np.array([ready])
    macd_line, middle = one(macd), one((upper + lower) / 2)
    return IndicatorSnapshot(
        updated=np.array([True]),
        indicators={
            "RSI": IndicatorValues(flag, {"value": one(rsi)}),
            "MACD": IndicatorValues(
                flag,
                {
                    "value": macd_line,
                    "macd": macd_line,
                    "signal": one(signal),
                    "histogram": one(macd - signal),
                },
            ),
            "BB": IndicatorValues(
                flag, {"value": middle, "upper": one(upper), "middle": middle, "lower": one(lower)}
            ),
        },
    )


def types_fired(
    rules: AlertRules, snap: IndicatorSnapshot, close: float = 100.0, has_bar: bool = True
) -> list[str]:
    return [a.alert_type for a in rules.evaluate(snap, np.array([close]), np.array([has_bar]))]


def test_rsi_alert_fires_once_on_crossing_above_70() -> None:
    rules = AlertRules(1)

    fired = [types_fired(rules, snapshot(rsi=r)) for r in (65, 69.9, 70.5, 75, 80, 72)]

    assert fired == [[], [], ["RSI_OVERBOUGHT"], [], [], []]


def test_rsi_alert_carries_indicator_value_and_threshold() -> None:
    rules = AlertRules(1)
    types_fired(rules, snapshot(rsi=60))

    alerts = rules.evaluate(snapshot(rsi=75.2), np.array([100.0]), np.array([True]))

    assert alerts == [FiredAlert(0, "RSI_OVERBOUGHT", "RSI", 75.2, 70.0)]


def test_rsi_exactly_at_threshold_is_not_over_it() -> None:
    rules = AlertRules(1)

    fired = [types_fired(rules, snapshot(rsi=r)) for r in (60, 70, 70.01)]

    assert fired == [[], [], ["RSI_OVERBOUGHT"]]


def test_rsi_oversold_fires_once_on_crossing_below_30() -> None:
    rules = AlertRules(1)

    fired = [types_fired(rules, snapshot(rsi=r)) for r in (35, 29, 20, 25)]

    assert fired == [[], ["RSI_OVERSOLD"], [], []]


def test_alert_fires_again_after_recrossing() -> None:
    rules = AlertRules(1)

    fired = [types_fired(rules, snapshot(rsi=r)) for r in (50, 75, 65, 71, 72)]

    assert fired == [[], ["RSI_OVERBOUGHT"], [], ["RSI_OVERBOUGHT"], []]


def test_no_alert_before_the_indicator_is_ready() -> None:
    rules = AlertRules(1)

    not_ready = types_fired(rules, snapshot(ready=False), close=500.0)
    first_ready = types_fired(rules, snapshot(rsi=90, macd=1, signal=0), close=500.0)

    assert not_ready == [] and first_ready == []  # first ready bar: a level, not a crossing


def test_macd_crosses_fire_bullish_then_bearish() -> None:
    rules = AlertRules(1)

    fired = [
        types_fired(rules, snapshot(macd=m, signal=s))
        for m, s in [(-1.0, 0.0), (-0.5, -0.4), (0.1, -0.2), (0.3, 0.0), (-0.1, 0.05)]
    ]

    assert fired == [[], [], ["MACD_BULLISH_CROSS"], [], ["MACD_BEARISH_CROSS"]]


def test_macd_cross_reports_macd_against_the_signal_line() -> None:
    rules = AlertRules(1)
    types_fired(rules, snapshot(macd=-1.0, signal=0.0))

    (alert,) = rules.evaluate(snapshot(macd=0.5, signal=0.25), np.array([100.0]), np.array([True]))

    assert (alert.indicator, alert.value, alert.threshold) == ("MACD", 0.5, 0.25)


def test_bollinger_breaks_fire_on_the_close_leaving_the_band() -> None:
    rules = AlertRules(1)

    fired = [types_fired(rules, snapshot(), close=c) for c in (100, 111, 112, 100, 89, 88)]

    assert fired == [[], ["BB_UPPER_BREAK"], [], [], ["BB_LOWER_BREAK"], []]


def test_symbol_without_a_bar_is_not_judged_and_keeps_its_state() -> None:
    rules = AlertRules(1)
    types_fired(rules, snapshot(rsi=75))
    types_fired(rules, snapshot(rsi=60))

    gap = types_fired(rules, snapshot(rsi=80), has_bar=False)
    back = types_fired(rules, snapshot(rsi=80))

    assert gap == [] and back == ["RSI_OVERBOUGHT"]


def test_thresholds_are_configurable() -> None:
    rules = AlertRules(1, AlertThresholds(rsi_overbought=80.0, rsi_oversold=20.0))

    fired = [types_fired(rules, snapshot(rsi=r)) for r in (50, 75, 81, 25, 19)]

    assert fired == [[], [], ["RSI_OVERBOUGHT"], [], ["RSI_OVERSOLD"]]


@pytest.mark.parametrize(("oversold", "overbought"), [(70, 30), (-1, 70), (30, 101), (50, 50)])
def test_inconsistent_thresholds_are_refused(oversold: float, overbought: float) -> None:
    with pytest.raises(ValueError):
        AlertThresholds(rsi_overbought=overbought, rsi_oversold=oversold)


def crossings(condition: np.ndarray) -> set[int]:
    """Bars where a condition (NaN → not judged) turns true after a judged false bar."""
    out = set()
    previous: bool | None = None
    for t, c in enumerate(condition):
        if np.isnan(c):
            continue
        if c and previous is False:
            out.add(t)
        previous = bool(c)
    return out


def test_alerts_on_real_indicators_equal_crossings_of_talib_series() -> None:
    rng = np.random.default_rng(21)
    n_bars, n_symbols = 400, 6
    closes = 100 + np.cumsum(rng.normal(0, 1.0, (n_bars, n_symbols)), axis=0)
    bank, rules = IndicatorBank(n_symbols), AlertRules(n_symbols)
    got: set[tuple[int, int, str]] = set()
    mask = np.ones(n_symbols, dtype=bool)

    for t in range(n_bars):
        snap = bank.update(closes[t], mask)
        got |= {(a.symbol_index, t, a.alert_type) for a in rules.evaluate(snap, closes[t], mask)}

    expected: set[tuple[int, int, str]] = set()
    for i in range(n_symbols):
        c = closes[:, i]
        rsi = talib.RSI(c)
        macd, signal, _ = talib.MACD(c)
        upper, _, lower = talib.BBANDS(c, 20, 2.0, 2.0, 0)
        with np.errstate(invalid="ignore"):
            conditions = {
                "RSI_OVERBOUGHT": np.where(np.isnan(rsi), np.nan, rsi > 70),
                "RSI_OVERSOLD": np.where(np.isnan(rsi), np.nan, rsi < 30),
                "MACD_BULLISH_CROSS": np.where(np.isnan(macd), np.nan, macd > signal),
                "MACD_BEARISH_CROSS": np.where(np.isnan(macd), np.nan, macd < signal),
                "BB_UPPER_BREAK": np.where(np.isnan(upper), np.nan, c > upper),
                "BB_LOWER_BREAK": np.where(np.isnan(lower), np.nan, c < lower),
            }
        for alert_type, condition in conditions.items():
            expected |= {(i, t, alert_type) for t in crossings(condition)}
    assert got == expected
    assert {a for _, _, a in got} == set(conditions)  # every type exercised
