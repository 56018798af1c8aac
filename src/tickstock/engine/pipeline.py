"""One minute close, end to end: bars → indicators → alerts → patterns → contract messages.

Pure compute, no I/O: the runner hands the output to the publisher and the write queue.

Every message keeps the producer contract, but the minute close is the hot path: at 5,000
symbols it yields ~15,000 indicator calculations, ~800 alerts and ~3,000 detections, and
building that many pydantic models costs ~400 ms against a 100 ms budget. So these messages
are assembled as JSON text straight from the numpy columns (``engine.wire``: one orjson call
per column, no dict per item); the first item of each kind in every minute is checked
with ``tickstock.contract.parse`` so a shape error fails loudly at once, and the tests parse
every message the engine publishes. The database rows (dicts) are built only when the write
task asks for them (``MinuteOutput.calculations`` …), after the minute is published. The
low-volume messages (sessions, health, critical alerts) use the contract models and ``encode``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

import numpy as np

from tickstock.contract import (
    MAX_BATCH,
    Channel,
    format_timestamp,
    message_types,
)
from tickstock.contract.limits import HIGH_CONFIDENCE
from tickstock.engine import wire
from tickstock.engine.alerts import AlertRules, AlertThresholds, Crossings
from tickstock.engine.bars import ClosedBars
from tickstock.engine.clock import NEW_YORK
from tickstock.engine.indicators import IndicatorBank, IndicatorSnapshot
from tickstock.engine.messages import OHLC, TIMEFRAME, bar_messages, checked, pattern_messages
from tickstock.engine.patterns import PatternDetector, PatternHits
from tickstock.engine.publisher import Outgoing


@dataclass(frozen=True, slots=True)
class IndicatorSettings:
    rsi_period: int = 14
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    bb_period: int = 20
    bb_stddev: float = 2.0


@dataclass(frozen=True, slots=True)
class IndicatorColumns:
    """One indicator's published values this minute: the symbols and their finite values."""

    name: str
    symbol_index: np.ndarray
    values: dict[str, np.ndarray]  # "value" first, then the lines of ``values`` if any


class MinuteOutput:
    """Everything one minute close produced: messages to publish, and rows built on demand.

    The rows (``calculations``, ``alerts``, ``detections``: the dicts the store writes) are
    built the first time they are read — by the write task, after the minute is published.
    """

    def __init__(
        self,
        bars: ClosedBars,
        symbols: Sequence[str] = (),
        stamp: str = "",
        indicators: Sequence[IndicatorColumns] = (),
        metadata: dict[str, dict[str, Any]] | None = None,
        crossings: Sequence[Crossings] = (),
        hits: Sequence[PatternHits] = (),
    ) -> None:
        self.bars = bars
        self.messages: list[Outgoing] = []
        self._symbols = symbols
        self._stamp = stamp
        self._indicators = indicators
        self._metadata = metadata or {}
        self._crossings = crossings
        self._hits = hits
        self.n_calculations = sum(len(c.symbol_index) for c in indicators)
        self.n_alerts = sum(len(c) for c in crossings)
        self.n_detections = sum(len(h) for h in hits)

    @property
    def n_bars(self) -> int:
        return int(np.count_nonzero(self.bars.has_bar))

    @cached_property
    def calculations(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for ind in self._indicators:
            lines = [k for k in ind.values if k != "value"]
            names = [self._symbols[i] for i in ind.symbol_index.tolist()]
            columns = [ind.values[k].tolist() for k in lines]
            for name, value, *line_values in zip(
                names, ind.values["value"].tolist(), *columns, strict=True
            ):
                row: dict[str, Any] = {"symbol": name, "indicator": ind.name, "value": value}
                if lines:
                    row["values"] = dict(zip(lines, line_values, strict=True))
                row |= {
                    "timestamp": self._stamp,
                    "timeframe": TIMEFRAME,
                    "metadata": self._metadata[ind.name],
                }
                rows.append(row)
        return rows

    @cached_property
    def alerts(self) -> list[dict[str, Any]]:
        return [
            {
                "symbol": self._symbols[i],
                "alert_type": x.alert_type,
                "timestamp": self._stamp,
                "data": {"indicator": x.indicator, "value": value, "threshold": threshold},
            }
            for x in self._crossings
            for i, value, threshold in zip(
                x.symbol_index.tolist(), x.value.tolist(), x.threshold.tolist(), strict=True
            )
        ]

    @cached_property
    def detections(self) -> list[dict[str, Any]]:
        return [
            {
                "symbol": self._symbols[i],
                "pattern_type": h.pattern_type,
                "confidence": confidence,
                "timestamp": self._stamp,
                "timeframe": TIMEFRAME,
                "bar_data": {"open": o, "high": hi, "low": lo, "close": c, "volume": round(v)},
            }
            for h in self._hits
            for i, confidence, o, hi, lo, c, v in zip(
                h.symbol_index.tolist(),
                h.confidence.tolist(),
                h.open.tolist(),
                h.high.tolist(),
                h.low.tolist(),
                h.close.tolist(),
                h.volume.tolist(),
                strict=True,
            )
        ]

    @property
    def high_confidence(self) -> list[dict[str, Any]]:
        return [d for d in self.detections if d["confidence"] >= HIGH_CONFIDENCE]


class MinutePipeline:
    """The engine's compute for a universe of ``symbols``, one minute close at a time."""

    def __init__(
        self,
        symbols: Sequence[str],
        thresholds: AlertThresholds | None = None,
        indicators: IndicatorSettings | None = None,
    ) -> None:
        self.symbols = tuple(symbols)
        self.settings = indicators or IndicatorSettings()
        self.thresholds = thresholds or AlertThresholds()
        n = len(self.symbols)
        self.bank = IndicatorBank(n, **asdict(self.settings))
        self.rules = AlertRules(n, self.thresholds)
        self.detector = PatternDetector(n)
        self._symbol_json = [wire.json_text(symbol) for symbol in self.symbols]
        #: each symbol's last close, and its close at the end of the previous trading day
        self._last_close = np.full(n, np.nan)
        self._previous_close = np.full(n, np.nan)
        self._day: object = None
        self._pattern_json = {p.name: wire.json_text(p.name) for p in self.detector.patterns}
        self._metadata = {
            i.name: i.metadata | self.thresholds.metadata(i.name) for i in self.bank.indicators
        }

    def process(self, bars: ClosedBars) -> MinuteOutput:
        if not bars.has_bar.any():
            return MinuteOutput(bars)
        snap = self.bank.update(bars.close, bars.has_bar)
        crossings = self.rules.crossings(snap, bars.close, bars.has_bar)
        hits = self.detector.find(bars)
        # Every message of this minute carries the minute's start: the bar's own timestamp.
        stamp = format_timestamp(bars.timestamp)
        indicators = self._indicator_columns(snap, bars.has_bar)
        out = MinuteOutput(bars, self.symbols, stamp, indicators, self._metadata, crossings, hits)
        messages = out.messages
        for ind in indicators:
            messages.extend(self._indicator_messages(ind, stamp))
        messages.extend(self._alert_messages(crossings, stamp))
        streaming, detected = self._pattern_messages(hits, stamp)
        messages.extend(streaming)
        messages.extend(detected)
        messages.extend(self._bar_messages(bars, stamp))
        return out

    def _bar_messages(self, bars: ClosedBars, stamp: str) -> list[Outgoing]:
        """The minute's closed bars on the bars channel, with each symbol's previous close."""
        day = bars.timestamp.astimezone(NEW_YORK).date()
        if day != self._day:
            if self._day is not None:
                self._previous_close = self._last_close.copy()
            self._day = day
        has_bar = bars.has_bar
        self._last_close[has_bar] = bars.close[has_bar]
        return bar_messages(
            self._symbol_json, bars, has_bar, stamp, closed=True, previous=self._previous_close
        )

    def _symbol_column(self, index: np.ndarray) -> list[str]:
        if index.size == 0:
            return []
        if index.size == 1:
            return [self._symbol_json[int(index[0])]]
        return list(itemgetter(*index.tolist())(self._symbol_json))

    def _indicator_columns(
        self, snap: IndicatorSnapshot, has_bar: np.ndarray
    ) -> list[IndicatorColumns]:
        columns = []
        for name, indicator in snap.indicators.items():
            values = indicator.lines
            published = has_bar & indicator.ready
            for v in values.values():
                published &= np.isfinite(v)  # JSON has no NaN; a ready value is finite anyway
            index = np.flatnonzero(published)
            # "value" repeats one of the lines (macd, middle): one selected array for both
            picked: dict[int, np.ndarray] = {}
            selected = {k: picked.get(id(v)) for k, v in values.items()}
            for k, v in values.items():
                if selected[k] is None:
                    selected[k] = picked[id(v)] = v[index]
            columns.append(IndicatorColumns(name, index, selected))
        return columns

    def _indicator_messages(self, ind: IndicatorColumns, stamp: str) -> list[Outgoing]:
        if ind.symbol_index.size == 0:
            return []
        tail = (
            f',"timestamp":"{stamp}","timeframe":"{TIMEFRAME}",'
            f'"metadata":{wire.json_text(self._metadata[ind.name])}}}'
        )
        lines = [k for k in ind.values if k != "value"]
        constants = ['{"symbol":', f',"indicator":"{ind.name}","value":']
        if lines:
            constants.append(f',"values":{{"{lines[0]}":')
            constants.extend(f',"{k}":' for k in lines[1:])
            constants.append("}" + tail)
        else:
            constants.append(tail)
        columns = [self._symbol_column(ind.symbol_index)]
        formatted: dict[int, list[str]] = {}  # each distinct array formatted once
        for k in ("value", *lines):
            array = ind.values[k]
            if id(array) not in formatted:
                formatted[id(array)] = wire.column(array)
            columns.append(formatted[id(array)])
        payloads = wire.batch_messages(_INDICATORS_HEAD, constants, columns, MAX_BATCH)
        first = wire.batch_messages(_INDICATORS_HEAD, constants, [c[:1] for c in columns], 1)
        return checked(Channel.INDICATORS_STREAMING, payloads, *first)

    def _alert_messages(self, crossings: Sequence[Crossings], stamp: str) -> list[Outgoing]:
        payloads: list[bytes] = []
        for x in crossings:
            if not len(x):
                continue
            constants = (
                '{"symbol":',
                f',"alert_type":"{x.alert_type}","timestamp":"{stamp}",'
                f'"data":{{"indicator":"{x.indicator}","value":',
                ',"threshold":',
                "}}",
            )
            columns = (
                self._symbol_column(x.symbol_index),
                wire.column(x.value),
                wire.column(x.threshold),
            )
            payloads.extend(wire.single_messages(_ALERT_HEAD, constants, columns))
        return checked(Channel.ALERTS_INDICATORS, payloads)

    def _pattern_messages(
        self, hits: Sequence[PatternHits], stamp: str
    ) -> tuple[list[Outgoing], list[Outgoing]]:
        if not hits:
            return [], []
        constants = (
            '{"symbol":',
            ',"pattern_type":',
            ',"confidence":',
            f',"timestamp":"{stamp}","timeframe":"{TIMEFRAME}","bar_data":{{"open":',
            ',"high":',
            ',"low":',
            ',"close":',
            ',"volume":',
            "}}",
        )
        index = np.concatenate([h.symbol_index for h in hits])
        confidence = np.concatenate([h.confidence for h in hits])
        columns = (
            self._symbol_column(index),
            [self._pattern_json[h.pattern_type] for h in hits for _ in range(len(h))],
            wire.column(confidence),
            *(wire.column(np.concatenate([getattr(h, k) for h in hits])) for k in OHLC),
            wire.column(np.rint(np.concatenate([h.volume for h in hits])).astype(np.int64)),
        )
        texts = wire.item_texts(constants, columns)
        high = [
            t for t, c in zip(texts, (confidence >= HIGH_CONFIDENCE).tolist(), strict=True) if c
        ]
        return (
            pattern_messages(Channel.PATTERNS_STREAMING, texts),
            pattern_messages(Channel.PATTERNS_DETECTED, high),
        )


_INDICATORS_HEAD = wire.message_head(message_types.INDICATORS_BATCH, "calculations")
_ALERT_HEAD = wire.message_head(message_types.INDICATOR_ALERT, "alert")
