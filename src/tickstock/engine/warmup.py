"""Recent 1-minute bars over the providers' REST APIs: warm-up at start, refill after a gap.

At the first live minute the engine loads the minutes before it (Massive aggregates,
Alpaca bars) so RSI, MACD and Bollinger Bands are ready at once and the chart has the
morning; after a gap of a few minutes in a live feed it loads the missing minutes the same
way. History minutes advance the indicators and are stored as bars, but publish nothing and
raise no alert: an alert for a minute long past would be news twice (or news too late).
The official clients are synchronous; they run in a thread.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from tickstock.engine.bars import SECONDS_PER_MINUTE, ClosedBars
from tickstock.engine.config import LiveFeedConfig

log = logging.getLogger(__name__)

OHLCV = tuple[float, float, float, float, float]
#: How far back the warm-up looks for its minutes: a long weekend and a holiday.
WARMUP_LOOKBACK = timedelta(days=5)


class History(Protocol):
    """A provider's 1-minute bars in ``[start, end)``: (minute start, symbol, ohlcv)."""

    def bars(
        self, symbols: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[int, str, OHLCV]]: ...


class MassiveHistory:
    """``GET /v2/aggs/ticker/{sym}/range/1/minute/{from}/{to}``, one symbol a request."""

    def __init__(self, live: LiveFeedConfig) -> None:
        from massive import RESTClient

        self.client = RESTClient(
            api_key=live.api_key.get_secret_value(),
            base=live.rest_url or "https://api.massive.com",
            retries=1,
        )

    def bars(
        self, symbols: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[int, str, OHLCV]]:
        out = []
        first, last = int(start.timestamp() * 1000), int(end.timestamp() * 1000) - 1
        for symbol in symbols:
            for agg in self.client.list_aggs(
                symbol, 1, "minute", first, last, sort="asc", limit=50_000
            ):
                bar = (agg.open, agg.high, agg.low, agg.close, agg.volume)
                out.append((int(agg.timestamp) // 1000, symbol, bar))
        return out


class AlpacaHistory:
    """``GET /v2/stocks/bars?symbols=...&timeframe=1Min``, every symbol in one paged request."""

    def __init__(self, live: LiveFeedConfig) -> None:
        from alpaca.data.historical.stock import StockHistoricalDataClient

        self.live = live
        self.client = StockHistoricalDataClient(
            live.api_key.get_secret_value(),
            live.secret_key.get_secret_value() if live.secret_key else None,
            raw_data=True,
            url_override=live.rest_url,
        )

    def bars(
        self, symbols: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[int, str, OHLCV]]:
        from alpaca.data.enums import DataFeed
        from alpaca.data.requests import StockBarsRequest
        from alpaca.data.timeframe import TimeFrame

        from tickstock.engine.sources.alpaca import _epoch

        request = StockBarsRequest(
            symbol_or_symbols=list(symbols),
            timeframe=TimeFrame.Minute,
            start=start,
            end=end,
            feed=DataFeed(self.live.alpaca_feed),
        )
        data: dict[str, list[dict[str, Any]]] = self.client.get_stock_bars(request)  # type: ignore[assignment]
        return [
            (int(_epoch(b["t"])), symbol, (b["o"], b["h"], b["l"], b["c"], b["v"]))
            for symbol, rows in data.items()
            for b in rows
        ]


def history_for(live: LiveFeedConfig) -> History:
    return MassiveHistory(live) if live.provider == "massive" else AlpacaHistory(live)


def to_minutes(
    rows: list[tuple[int, str, OHLCV]], symbols: Sequence[str], start: int, end: int
) -> list[ClosedBars]:
    """The rows as whole minutes in ``[start, end)``, in order; bad or foreign rows dropped."""
    index = {s: i for i, s in enumerate(symbols)}
    by_minute: dict[int, dict[int, OHLCV]] = defaultdict(dict)
    dropped = 0
    for minute, symbol, bar in rows:
        i = index.get(symbol)
        o, h, lo, c, v = bar
        if (
            i is None
            or not start <= minute < end
            or minute % SECONDS_PER_MINUTE
            or not (0 <= lo <= min(o, c) and h >= max(o, c) and v >= 0)
        ):
            dropped += 1
            continue
        by_minute[minute][i] = bar
    if dropped:
        log.warning("history: %d bars dropped (unknown symbol, outside the range, or bad)", dropped)
    minutes = []
    for minute in sorted(by_minute):
        bars = by_minute[minute]
        idx = list(bars)
        columns = list(zip(*(bars[i] for i in idx), strict=True))
        minutes.append(ClosedBars.from_bars(minute, len(symbols), idx, *columns))
    return minutes
