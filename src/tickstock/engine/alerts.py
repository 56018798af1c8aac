"""Indicator alerts that fire on the crossing, evaluated for all symbols at once.

An alert is news only at the bar where its condition *becomes* true (contract.md); repeating
it every minute while RSI stays above 70 would flood the dashboard. Each rule therefore keeps,
per symbol, whether its condition held at that symbol's previous evaluated bar, and fires when

    condition now  and  a previous evaluated bar exists  and  not condition then.

Consequences, all deliberate:

* the first bar where an indicator is ready never fires — without an earlier value there is
  no crossing to report, only a level;
* a symbol without a bar this minute is not evaluated and its remembered state is kept, so a
  gap never creates or hides a crossing;
* after the condition turns false again, the next time it turns true fires again.

| alert_type          | indicator | condition                 | value  | threshold   |
|---------------------|-----------|---------------------------|--------|-------------|
| RSI_OVERBOUGHT      | RSI       | rsi > rsi_overbought      | rsi    | 70          |
| RSI_OVERSOLD        | RSI       | rsi < rsi_oversold        | rsi    | 30          |
| MACD_BULLISH_CROSS  | MACD      | macd > signal             | macd   | signal line |
| MACD_BEARISH_CROSS  | MACD      | macd < signal             | macd   | signal line |
| BB_UPPER_BREAK      | BB        | close > upper band        | close  | upper band  |
| BB_LOWER_BREAK      | BB        | close < lower band        | close  | lower band  |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from tickstock.contract.models import ALERT_TYPES
from tickstock.engine.indicators import IndicatorSnapshot

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """The RSI levels that make an alert; MACD and BB cross their own lines."""

    rsi_overbought: float = 70.0
    rsi_oversold: float = 30.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rsi_oversold < self.rsi_overbought <= 100.0:
            raise ValueError("need 0 <= rsi_oversold < rsi_overbought <= 100")

    def metadata(self, indicator: str) -> dict[str, float]:
        """The levels published in an indicator's metadata beside its own parameters."""
        if indicator == "RSI":
            return {
                "overbought_threshold": self.rsi_overbought,
                "oversold_threshold": self.rsi_oversold,
            }
        return {}


class FiredAlert(NamedTuple):
    """One alert for one symbol at one bar.

    A NamedTuple rather than a frozen dataclass: just as immutable, and cheap enough to
    create by the thousand at a busy minute close.
    """

    symbol_index: int
    alert_type: str
    indicator: str
    value: float
    threshold: float


@dataclass(frozen=True, slots=True)
class Crossings:
    """The symbols whose condition of one alert type became true this bar, as columns."""

    alert_type: str
    indicator: str
    symbol_index: npt.NDArray[np.intp]
    value: FloatArray
    threshold: FloatArray

    def __len__(self) -> int:
        return int(self.symbol_index.size)


@dataclass(frozen=True, slots=True)
class _Condition:
    """One rule's state for this bar: where it holds, where it can be judged, and the numbers."""

    alert_type: str
    indicator: str
    holds: BoolArray
    judged: BoolArray
    value: FloatArray
    threshold: FloatArray


class AlertRules:
    """The six alert rules with their per-symbol crossing memory."""

    def __init__(self, n_symbols: int, thresholds: AlertThresholds | None = None) -> None:
        self.n_symbols = n_symbols
        self.thresholds = thresholds or AlertThresholds()
        # per alert type: did the condition hold at the symbol's last judged bar / was there one
        self._held = {t: np.zeros(n_symbols, dtype=np.bool_) for t in ALERT_TYPES}
        self._seen = {t: np.zeros(n_symbols, dtype=np.bool_) for t in ALERT_TYPES}

    def _conditions(
        self, snap: IndicatorSnapshot, close: FloatArray, mask: BoolArray
    ) -> list[_Condition]:
        th = self.thresholds
        rsi, macd, bb = snap["RSI"], snap["MACD"], snap["BB"]
        rsi_judged = mask & rsi.ready
        macd_judged = mask & macd.ready
        bb_judged = mask & bb.ready
        with np.errstate(invalid="ignore"):  # NaN where not ready: compares False, not judged
            return [
                _Condition(
                    "RSI_OVERBOUGHT",
                    "RSI",
                    rsi.value > th.rsi_overbought,
                    rsi_judged,
                    rsi.value,
                    np.full(self.n_symbols, th.rsi_overbought),
                ),
                _Condition(
                    "RSI_OVERSOLD",
                    "RSI",
                    rsi.value < th.rsi_oversold,
                    rsi_judged,
                    rsi.value,
                    np.full(self.n_symbols, th.rsi_oversold),
                ),
                _Condition(
                    "MACD_BULLISH_CROSS",
                    "MACD",
                    macd["macd"] > macd["signal"],
                    macd_judged,
                    macd["macd"],
                    macd["signal"],
                ),
                _Condition(
                    "MACD_BEARISH_CROSS",
                    "MACD",
                    macd["macd"] < macd["signal"],
                    macd_judged,
                    macd["macd"],
                    macd["signal"],
                ),
                _Condition(
                    "BB_UPPER_BREAK", "BB", close > bb["upper"], bb_judged, close, bb["upper"]
                ),
                _Condition(
                    "BB_LOWER_BREAK", "BB", close < bb["lower"], bb_judged, close, bb["lower"]
                ),
            ]

    def evaluate(
        self, snapshot: IndicatorSnapshot, close: npt.ArrayLike, mask: npt.ArrayLike
    ) -> list[FiredAlert]:
        """Judge this bar for the symbols in ``mask``; return the alerts that cross now."""
        return [
            FiredAlert(i, x.alert_type, x.indicator, value, threshold)
            for x in self.crossings(snapshot, close, mask)
            for i, value, threshold in zip(
                x.symbol_index.tolist(), x.value.tolist(), x.threshold.tolist(), strict=True
            )
        ]

    def crossings(
        self, snapshot: IndicatorSnapshot, close: npt.ArrayLike, mask: npt.ArrayLike
    ) -> list[Crossings]:
        """``evaluate`` as columns, one ``Crossings`` per alert type (the hot path's form)."""
        c = np.asarray(close, dtype=np.float64)
        m = np.asarray(mask, dtype=np.bool_)
        found: list[Crossings] = []
        for cond in self._conditions(snapshot, c, m):
            held, seen = self._held[cond.alert_type], self._seen[cond.alert_type]
            crossing = np.flatnonzero(cond.judged & cond.holds & seen & ~held)
            found.append(
                Crossings(
                    cond.alert_type,
                    cond.indicator,
                    crossing,
                    cond.value[crossing],
                    cond.threshold[crossing],
                )
            )
            held[cond.judged] = cond.holds[cond.judged]
            seen[cond.judged] = True
        return found
