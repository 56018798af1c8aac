"""Incremental indicators for every symbol at once: RSI, MACD and Bollinger Bands.

``base.Indicator`` says what an indicator declares (wire name, lines, metadata, warm-up);
one module per indicator; ``bank.INDICATORS`` lists them and ``IndicatorBank`` advances them
together. See docs/indicators-and-patterns.md ("How to add an indicator").
"""

from tickstock.engine.indicators.bank import (
    INDICATORS,
    IndicatorBank,
    IndicatorSnapshot,
    IndicatorValues,
)
from tickstock.engine.indicators.base import Indicator
from tickstock.engine.indicators.bollinger import BollingerBands
from tickstock.engine.indicators.macd import MovingAverageConvergenceDivergence
from tickstock.engine.indicators.rsi import RelativeStrengthIndex

__all__ = [
    "INDICATORS",
    "BollingerBands",
    "Indicator",
    "IndicatorBank",
    "IndicatorSnapshot",
    "IndicatorValues",
    "MovingAverageConvergenceDivergence",
    "RelativeStrengthIndex",
]
