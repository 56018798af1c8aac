"""Candlestick patterns for every symbol at each minute close, decided by TA-Lib itself.

TA-Lib's ``CDL*`` functions are the reference, so detection *is* TA-Lib: no re-implementation
to drift from it. Calling each function once per symbol (5,000 × 11 calls a minute) would cost
far more than the compute budget, so each function is called **once for the whole universe**:

1. every symbol keeps its last ``PRICE_BARS`` bars (a shifting window, newest last), so the
   (n_symbols, PRICE_BARS) history arrays *are* all windows laid end to end;
2. each function runs once over those arrays (in place, no copy) — or, while some symbols
   are still young or when a cheap colour test (``CANDIDATES``) rules most symbols out, over
   the last ``L + 1`` bars of just the eligible symbols, ``L`` being its lookback;
3. the answer for a symbol is the output at the last index of its own row.

This is exact because a ``CDL*`` output at index ``i`` is computed from bars ``i - L .. i``
only: its trailing candle averages (body, shadows, range) cover the ``L`` bars before ``i``
(``L`` is TA-Lib's lookback, the longest of those periods plus the pattern's length). So the
output at the end of a symbol's slice never reads another symbol's bars. Running totals are
carried across slices, which can change a sum in its last bit only; the tests check exact
agreement with per-symbol TA-Lib calls on whole series.

A symbol with fewer than ``L + 1`` bars gets no verdict from that function.

Confidence in [0, 1] (see docs/indicators-and-patterns.md)::

    confidence = 0.40 · strength + 0.35 · trend + 0.25 · volume
    strength   = (grade + shape) / 2
    grade      = 0.5 + min(|TA-Lib output|, 200) / 400  # 100 → 0.75, "confirmed" 200 → 1
    shape      = the pattern's own body/shadow proportion in [0, 1]
    trend      = clip(0.5 + z / 4, 0, 1),  z = ±(SMA10 − close) / mean range, at the bar
                 before the pattern, + for bullish: a reversal after the opposite trend scores
    volume     = clip(bar volume / mean volume of the previous ≤ 20 bars / 1.5, 0, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from typing import Final, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import talib
from talib import abstract

from tickstock.engine.bars import ClosedBars

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]
Direction = Literal["bullish", "bearish"]
#: (open, high, low, close) of the last three bars of each detected symbol, shape (k, 3) each
ShapeFunction = Callable[[FloatArray, FloatArray, FloatArray, FloatArray], FloatArray]

TREND_BARS: Final = 10
VOLUME_BARS: Final = 20
WEIGHT_STRENGTH, WEIGHT_TREND, WEIGHT_VOLUME = 0.40, 0.35, 0.25


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """numerator / denominator in [0, 1], 0 where the denominator is 0."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.clip(np.where(denominator > 0, numerator / safe, 0.0), 0.0, 1.0)


def _row_mean(a: FloatArray) -> FloatArray:
    """Mean of each row over its known (non-NaN) values: young symbols have a shorter past."""
    total = a.sum(axis=1)
    if np.isnan(total).any():
        return np.nanmean(a, axis=1)
    return total / a.shape[1]


def _small_body(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> FloatArray:
    body, rng = np.abs(c[:, -1] - o[:, -1]), h[:, -1] - lo[:, -1]
    return 1.0 - _ratio(body, rng)


def _long_lower_shadow(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> FloatArray:
    shadow = np.minimum(o[:, -1], c[:, -1]) - lo[:, -1]
    return _ratio(shadow, h[:, -1] - lo[:, -1])


def _long_upper_shadow(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> FloatArray:
    shadow = h[:, -1] - np.maximum(o[:, -1], c[:, -1])
    return _ratio(shadow, h[:, -1] - lo[:, -1])


def _engulfing_margin(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> FloatArray:
    """How much bigger the engulfing body is: 1 − previous body / engulfing body."""
    return 1.0 - _ratio(np.abs(c[:, -2] - o[:, -2]), np.abs(c[:, -1] - o[:, -1]))


def _harami_containment(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> FloatArray:
    """How small the inside body is: 1 − inside body / mother body."""
    return 1.0 - _ratio(np.abs(c[:, -1] - o[:, -1]), np.abs(c[:, -2] - o[:, -2]))


def _star_penetration(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> FloatArray:
    """How far the third candle's close goes back into the first candle's body."""
    return _ratio(np.abs(c[:, -1] - c[:, -3]), np.abs(o[:, -3] - c[:, -3]))


def _three_long_bodies(o: FloatArray, h: FloatArray, lo: FloatArray, c: FloatArray) -> FloatArray:
    return np.mean(_ratio(np.abs(c - o), h - lo), axis=1)


@dataclass(frozen=True, slots=True)
class PatternSpec:
    """How one named pattern is read from a TA-Lib function.

    ``sign`` selects the outputs that mean this pattern (+1 positive, −1 negative, 0 any
    non-zero, for the direction-less Doji whose direction then comes from the trend);
    ``bars`` is the number of candles the pattern spans.
    """

    name: str
    function: str
    sign: int
    bars: int
    shape: ShapeFunction


PATTERNS: Final[tuple[PatternSpec, ...]] = (
    PatternSpec("Doji", "CDLDOJI", 0, 1, _small_body),
    PatternSpec("Hammer", "CDLHAMMER", +1, 1, _long_lower_shadow),
    PatternSpec("Inverted Hammer", "CDLINVERTEDHAMMER", +1, 1, _long_upper_shadow),
    PatternSpec("Hanging Man", "CDLHANGINGMAN", -1, 1, _long_lower_shadow),
    PatternSpec("Shooting Star", "CDLSHOOTINGSTAR", -1, 1, _long_upper_shadow),
    PatternSpec("Bullish Engulfing", "CDLENGULFING", +1, 2, _engulfing_margin),
    PatternSpec("Bearish Engulfing", "CDLENGULFING", -1, 2, _engulfing_margin),
    PatternSpec("Bullish Harami", "CDLHARAMI", +1, 2, _harami_containment),
    PatternSpec("Bearish Harami", "CDLHARAMI", -1, 2, _harami_containment),
    PatternSpec("Morning Star", "CDLMORNINGSTAR", +1, 3, _star_penetration),
    PatternSpec("Evening Star", "CDLEVENINGSTAR", -1, 3, _star_penetration),
    PatternSpec("Three White Soldiers", "CDL3WHITESOLDIERS", +1, 3, _three_long_bodies),
    PatternSpec("Three Black Crows", "CDL3BLACKCROWS", -1, 3, _three_long_bodies),
)

#: Cheap necessary conditions on the candle colours (white = close ≥ open, TA-Lib's rule) of
#: the last four bars: TA-Lib only runs on the symbols that pass them. Never sufficient — TA-Lib
#: still decides — and tests check that no TA-Lib hit ever fails them.
CANDIDATES: Final[dict[str, Callable[[npt.NDArray[np.bool_]], npt.NDArray[np.bool_]]]] = {
    "CDLENGULFING": lambda white: white[:, -1] != white[:, -2],
    "CDLMORNINGSTAR": lambda white: ~white[:, -3] & white[:, -1],
    "CDLEVENINGSTAR": lambda white: white[:, -3] & ~white[:, -1],
    "CDL3WHITESOLDIERS": lambda white: white[:, -3:].all(axis=1),
    "CDL3BLACKCROWS": lambda white: ~white[:, -3:].any(axis=1),
}

#: TA-Lib lookback of each CDL function used (bars before the first output).
LOOKBACK: Final[dict[str, int]] = {
    name: int(abstract.Function(name).lookback) for name in {p.function for p in PATTERNS}
}
#: Bars of price history kept per symbol: one window wide enough for every CDL function, so all
#: of them run on the same arrays. A function with a shorter lookback reads extra older bars,
#: which cannot change its output at the last bar.
PRICE_BARS: Final = max(max(LOOKBACK.values()) + 1, TREND_BARS + 3)


class Detection(NamedTuple):
    """One pattern completed by one symbol's bar, with that bar's OHLCV.

    Thousands are built at a busy minute close: a flat NamedTuple is as immutable as a frozen
    dataclass and several times cheaper to create.
    """

    symbol_index: int
    pattern_type: str
    direction: Direction
    confidence: float
    minute_start: int
    open: float
    high: float
    low: float
    close: float
    volume: float

    @property
    def bar_data(self) -> dict[str, float]:
        """The completing bar as the contract's ``bar_data`` object."""
        return {
            "open": self.open,
            "high": self.high,
            "low": self.low,
            "close": self.close,
            "volume": self.volume,
        }


@dataclass(frozen=True, slots=True)
class PatternHits:
    """Every symbol that completed one pattern this minute, as columns (the hot path's form).

    ``bullish`` holds each hit's direction; the OHLCV are the completing bar's.
    """

    pattern_type: str
    symbol_index: IndexArray
    bullish: npt.NDArray[np.bool_]
    confidence: FloatArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def __len__(self) -> int:
        return int(self.symbol_index.size)

    def detections(self, minute_start: int) -> list[Detection]:
        n = len(self)
        return list(
            map(
                Detection,
                self.symbol_index.tolist(),
                repeat(self.pattern_type, n),
                ["bullish" if b else "bearish" for b in self.bullish.tolist()],
                self.confidence.tolist(),
                repeat(minute_start, n),
                self.open.tolist(),
                self.high.tolist(),
                self.low.tolist(),
                self.close.tolist(),
                self.volume.tolist(),
            )
        )


def run_on_windows(function: str, windows: tuple[FloatArray, ...]) -> npt.NDArray[np.int32]:
    """Run a TA-Lib CDL function once over many symbols' windows; its verdict per window.

    ``windows`` are the (open, high, low, close) arrays of shape (k, w), one row per symbol,
    oldest bar first, with w ≥ L + 1 and no NaN. Returns the function's output at each row's
    last bar, shape (k,). C-contiguous float64 input is used in place, without a copy.
    """
    o, h, lo, c = (np.ascontiguousarray(w, dtype=np.float64) for w in windows)
    k, width = c.shape
    if width < LOOKBACK[function] + 1:
        raise ValueError(f"{function} needs windows of {LOOKBACK[function] + 1} bars, got {width}")
    out = getattr(talib, function)(o.ravel(), h.ravel(), lo.ravel(), c.ravel())
    return np.asarray(out.reshape(k, width)[:, -1], dtype=np.int32)


def confidence_of(
    signal: FloatArray,
    shape: FloatArray,
    direction_sign: FloatArray,
    ref_close: FloatArray,
    sma: FloatArray,
    mean_range: FloatArray,
    volume: FloatArray,
    mean_volume: FloatArray,
) -> FloatArray:
    """The documented confidence formula, vectorised over detections."""
    grade = 0.5 + np.minimum(np.abs(signal), 200.0) / 400.0
    strength = (grade + np.clip(shape, 0.0, 1.0)) / 2.0
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # ±inf clips to 0 or 1
        gap = np.where(mean_range > 0, (sma - ref_close) / mean_range, 0.0)
        relative_volume = np.where(mean_volume > 0, volume / mean_volume, 1.0)
    trend = np.clip(0.5 + direction_sign * gap / 4.0, 0.0, 1.0)
    volume_score = np.clip(relative_volume / 1.5, 0.0, 1.0)
    return WEIGHT_STRENGTH * strength + WEIGHT_TREND * trend + WEIGHT_VOLUME * volume_score


class PatternDetector:
    """The thirteen patterns for a universe of ``n_symbols``, one call per minute close.

    Keeps the last ``PRICE_BARS`` OHLC bars and ``VOLUME_BARS + 1`` volumes of every symbol
    (newest in the last column, NaN before a symbol has that much history).
    """

    def __init__(self, n_symbols: int, patterns: tuple[PatternSpec, ...] = PATTERNS) -> None:
        self.n_symbols = n_symbols
        self.patterns = patterns
        self.bars_seen = np.zeros(n_symbols, dtype=np.int64)
        self.open, self.high, self.low, self.close = (
            np.full((n_symbols, PRICE_BARS), np.nan) for _ in range(4)
        )
        self.volume = np.full((n_symbols, VOLUME_BARS + 1), np.nan)

    def _push(self, bars: ClosedBars) -> None:
        rows = np.flatnonzero(bars.has_bar)
        for history, new in zip(
            (self.open, self.high, self.low, self.close, self.volume),
            (bars.open, bars.high, bars.low, bars.close, bars.volume),
            strict=True,
        ):
            if rows.size == self.n_symbols:
                history[:, :-1] = history[:, 1:]
                history[:, -1] = new
            else:
                history[rows, :-1] = history[rows, 1:]
                history[rows, -1] = new[rows]
        self.bars_seen[rows] += 1

    def _signals(self, has_bar: npt.NDArray[np.bool_]) -> dict[str, tuple[IndexArray, FloatArray]]:
        """Per CDL function: (symbols judged this minute, the function's output for each)."""
        signals: dict[str, tuple[IndexArray, FloatArray]] = {}
        prices = (self.open, self.high, self.low, self.close)
        every_window_full = bool((self.bars_seen >= PRICE_BARS).all())
        white = self.close[:, -4:] >= self.open[:, -4:]  # TA-Lib's candle colour
        for function, lookback in LOOKBACK.items():
            candidates = CANDIDATES.get(function)
            if candidates is None and every_window_full:
                # Steady state: run on every symbol's window in place (no copy) and keep the
                # verdicts of the symbols with a new bar; stale rows cost less than a gather.
                out = run_on_windows(function, prices)
                rows = np.flatnonzero(has_bar)
                signals[function] = (rows, out[rows].astype(np.float64))
                continue
            eligible = has_bar & (self.bars_seen > lookback)
            if candidates is not None:
                eligible &= candidates(white)
            rows = np.flatnonzero(eligible)
            windows = tuple(a[rows, -lookback - 1 :] for a in prices)
            out = run_on_windows(function, windows) if rows.size else np.zeros(0, np.int32)
            signals[function] = (rows, out.astype(np.float64))
        return signals

    def detect(self, bars: ClosedBars) -> list[Detection]:
        """Add this minute's bars and return the patterns they complete."""
        return [d for hits in self.find(bars) for d in hits.detections(bars.minute_start)]

    def find(self, bars: ClosedBars) -> list[PatternHits]:
        """Add this minute's bars; the patterns they complete, one column set per pattern."""
        if bars.n_symbols != self.n_symbols:
            raise ValueError(f"bars for {bars.n_symbols} symbols, detector has {self.n_symbols}")
        self._push(bars)
        signals = self._signals(bars.has_bar)
        found: list[PatternHits] = []
        for spec in self.patterns:
            idx, out = signals[spec.function]
            hit = out != 0 if spec.sign == 0 else np.sign(out) == spec.sign
            if hit.any():
                found.append(self._describe(spec, idx[hit], out[hit]))
        return found

    def _describe(self, spec: PatternSpec, idx: IndexArray, signal: FloatArray) -> PatternHits:
        o, h, lo, c = (a[idx] for a in (self.open, self.high, self.low, self.close))
        v = self.volume[idx]
        ref = PRICE_BARS - 1 - spec.bars  # the bar before the pattern's first candle
        trend_cols = slice(ref - TREND_BARS + 1, ref + 1)
        sma = _row_mean(c[:, trend_cols])
        mean_range = _row_mean(h[:, trend_cols] - lo[:, trend_cols])
        ref_close = c[:, ref]
        if spec.sign == 0:  # a Doji reverses whatever trend precedes it
            direction_sign = np.where(ref_close < sma, 1.0, -1.0)
        else:
            direction_sign = np.full(idx.size, float(spec.sign))
        mean_volume = _row_mean(v[:, :-1])
        shape = spec.shape(o[:, -3:], h[:, -3:], lo[:, -3:], c[:, -3:])
        confidence = confidence_of(
            signal, shape, direction_sign, ref_close, sma, mean_range, v[:, -1], mean_volume
        )
        return PatternHits(
            spec.name,
            idx,
            direction_sign > 0,
            confidence,
            o[:, -1],
            h[:, -1],
            lo[:, -1],
            c[:, -1],
            v[:, -1],
        )
