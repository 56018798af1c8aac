"""The registry of indicators, and the bank that advances them all at each minute close.

Everything downstream follows from ``INDICATORS``: the snapshot holds each one's lines by
its wire name, and the pipeline builds its messages and stored rows from what it declares
(``Indicator``). So a new indicator is its module and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from tickstock.engine.indicators.base import BoolArray, FloatArray, Indicator
from tickstock.engine.indicators.bollinger import BollingerBands
from tickstock.engine.indicators.macd import MovingAverageConvergenceDivergence
from tickstock.engine.indicators.rsi import RelativeStrengthIndex

#: Every indicator the engine computes, in the order of their messages each minute.
INDICATORS: Final[tuple[type[Indicator], ...]] = (
    RelativeStrengthIndex,
    MovingAverageConvergenceDivergence,
    BollingerBands,
)


@dataclass(frozen=True, slots=True)
class IndicatorValues:
    """One indicator's lines for every symbol after a minute close, by wire field.

    ``lines["value"]`` is the main line, the same array as the line it repeats (MACD's
    ``macd``, BB's ``middle``). A value is meaningful only where ``ready`` (NaN before).
    """

    ready: BoolArray
    lines: dict[str, FloatArray]

    @property
    def value(self) -> FloatArray:
        return self.lines["value"]

    def __getitem__(self, field: str) -> FloatArray:
        return self.lines[field]


@dataclass(frozen=True, slots=True)
class IndicatorSnapshot:
    """Every indicator's values for every symbol after one minute close, by wire name.

    ``updated`` marks the symbols that had a bar this minute; the values of the others are
    the ones from their last bar.
    """

    updated: BoolArray
    indicators: dict[str, IndicatorValues]  # in the order of ``INDICATORS``

    def __getitem__(self, name: str) -> IndicatorValues:
        return self.indicators[name]


class IndicatorBank:
    """All the engine's indicators for a universe of ``n_symbols``, advanced together.

    ``params`` are named ``<prefix>_<parameter>`` (``rsi_period=14``, ``bb_stddev=2.0``);
    an indicator not named in them keeps its defaults.
    """

    def __init__(self, n_symbols: int, **params: float) -> None:
        self.n_symbols = n_symbols
        unused = dict(params)
        self.indicators: list[Indicator] = []
        for kind in INDICATORS:
            mine = [k for k in params if k.startswith(f"{kind.prefix}_")]
            own = {k.removeprefix(f"{kind.prefix}_"): unused.pop(k) for k in mine}
            self.indicators.append(kind(n_symbols, **own))
        if unused:
            raise TypeError(f"no indicator takes {', '.join(sorted(unused))}")

    def update(self, close: npt.ArrayLike, mask: npt.ArrayLike) -> IndicatorSnapshot:
        """Advance the symbols in ``mask`` by their new ``close``; return copies of all values."""
        c = np.asarray(close, dtype=np.float64)
        m = np.asarray(mask, dtype=np.bool_)
        if c.shape != (self.n_symbols,) or m.shape != (self.n_symbols,):
            raise ValueError(f"close and mask must have shape ({self.n_symbols},)")
        if not np.isfinite(c[m]).all():
            raise ValueError("a close under the mask is not finite")
        for indicator in self.indicators:
            indicator.update(c, m)
        return IndicatorSnapshot(m.copy(), {i.name: _values_of(i) for i in self.indicators})


def _values_of(indicator: Indicator) -> IndicatorValues:
    """A copy of each of the indicator's lines; a line named twice (``value``) is copied once."""
    copies: dict[str, FloatArray] = {}
    lines: dict[str, FloatArray] = {}
    for field, attribute in indicator.lines.items():
        if attribute not in copies:
            copies[attribute] = getattr(indicator, attribute).copy()
        lines[field] = copies[attribute]
    return IndicatorValues(indicator.ready, lines)
