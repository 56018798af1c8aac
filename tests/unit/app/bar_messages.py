"""``streaming_bars`` messages for the app's unit tests: one flat bar per symbol at its price."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from tickstock.contract import BarsMessage, Channel, parse

MINUTE = "2025-10-05T10:15:00Z"
NEXT = "2025-10-05T10:16:00Z"


def bars_body(prices: Mapping[str, float], *, closed: bool, timestamp: str = MINUTE) -> dict:
    """The message of ``prices`` (symbol → open = high = low = close), volume 10, as a dict."""
    bars = [
        {
            "symbol": s,
            "timestamp": timestamp,
            "open": p,
            "high": p,
            "low": p,
            "close": p,
            "volume": 10,
        }
        for s, p in prices.items()
    ]
    return {"type": "streaming_bars", "timeframe": "1min", "closed": closed, "bars": bars}


def bars_message(
    prices: Mapping[str, float], *, closed: bool, timestamp: str = MINUTE
) -> BarsMessage:
    """The parsed message of ``prices`` (``bars_body``)."""
    body = bars_body(prices, closed=closed, timestamp=timestamp)
    message = parse(Channel.BARS_STREAMING, orjson.dumps(body))
    assert isinstance(message, BarsMessage)
    return message
