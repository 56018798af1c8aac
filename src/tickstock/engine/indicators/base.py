"""What every indicator is: per-symbol state advanced by a mask, and its form on the wire.

Each indicator keeps its running state in arrays of shape ``(n_symbols,)`` and advances, once
per minute close, only the symbols that have a new bar (``mask``). A symbol that misses a bar
simply does not advance, so its values are exactly what TA-Lib gives on that symbol's own
series of bars. TA-Lib is the reference (`style.md`), so each indicator replicates TA-Lib's
arithmetic operation by operation rather than the textbook formula; agreement is to 1e-6 (in
practice bit-identical) from each indicator's first value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: TA-Lib treats |x| < 1e-8 as zero (TA_IS_ZERO) and x < 1e-8 as not positive.
TA_EPSILON = 1e-8


def ema_factor(period: int) -> float:
    return 2.0 / (period + 1)


class Indicator(ABC):
    """One indicator for every symbol, and what it declares for the wire.

    ``name`` is the indicator as published ("RSI"). ``lines`` maps each wire field to the
    attribute holding that line: ``"value"`` is the main line, the other fields are the
    message's ``values`` (none for a single-line indicator). ``metadata`` is published with
    every value. The constructor takes ``n_symbols`` and keyword parameters; the bank hands it
    the ones named ``<prefix>_<parameter>`` (``rsi_period`` → ``period``).
    """

    name: ClassVar[str]
    prefix: ClassVar[str]
    lines: ClassVar[dict[str, str]]
    bars_seen: npt.NDArray[np.int64]

    @property
    @abstractmethod
    def warmup_bars(self) -> int:
        """Bars a symbol needs before its first value."""

    @property
    def ready(self) -> BoolArray:
        return self.bars_seen >= self.warmup_bars

    @property
    @abstractmethod
    def metadata(self) -> dict[str, Any]:
        """Its parameters, as published with each value."""

    @abstractmethod
    def update(self, close: FloatArray, mask: BoolArray) -> None:
        """Advance the symbols in ``mask`` by their new ``close``."""
