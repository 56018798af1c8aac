"""``BarBook``: the latest bar per symbol, and forming bars conflated before they are relayed.

Closed bars (``closed: true``) are final and relayed as they come: one event per message.
Forming bars are the open minute so far; only the latest per symbol matters, so they are
held here and relayed together at most once per ``interval`` as one ``streaming_bars``
event with the latest forming bar of each symbol that changed: a client never gets a
backlog of stale forming bars, however fast a producer sends them. The snapshot carries
the latest bar of every symbol (forming or closed), so a page opened mid-minute has prices.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from tickstock.contract import BarsMessage, format_timestamp

#: (Socket.IO event name, data) of one event to relay.
Relayed = tuple[str, dict[str, Any]]

#: Most symbols whose latest bar is kept (the least recently updated go first).
MAX_SYMBOLS = 20_000
#: Seconds between two relays of forming bars.
FORMING_INTERVAL = 1.0


class BarBook:
    """Latest bars by symbol; forming bars pending until the next relay."""

    def __init__(self, max_symbols: int = MAX_SYMBOLS, interval: float = FORMING_INTERVAL) -> None:
        self.max_symbols = max_symbols
        self.interval = interval
        self.latest: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._pending: dict[str, dict[str, Any]] = {}
        self._timeframe = "1min"
        self._relayed_at = float("-inf")
        #: forming bars received, and forming bars superseded before being relayed
        self.forming_in = 0
        self.conflated = 0

    def accept(self, message: BarsMessage, now: float) -> list[Relayed]:
        """Closed bars: relayed now. Forming: held, relayed now only if the interval is up."""
        bars = [_bar_wire(bar) for bar in message.bars]
        if message.closed:
            for bar in bars:
                # a forming bar of a minute now closed is stale: drop it from the pending set
                pending = self._pending.get(bar["symbol"])
                if pending is not None and pending["timestamp"] <= bar["timestamp"]:
                    del self._pending[bar["symbol"]]
                self._keep({**bar, "closed": True})
            event = {"type": "streaming_bars", "timeframe": message.timeframe, "closed": True}
            return [("streaming_bars", {**event, "bars": bars})]
        self._timeframe = message.timeframe
        for bar in bars:
            self.forming_in += 1
            if bar["symbol"] in self._pending:
                self.conflated += 1
            self._pending[bar["symbol"]] = bar
            self._keep({**bar, "closed": False})
        return self.due(now)

    def due(self, now: float) -> list[Relayed]:
        """The pending forming bars as one event, if any and the interval is up."""
        if not self._pending or now - self._relayed_at < self.interval:
            return []
        self._relayed_at = now
        bars = list(self._pending.values())
        self._pending.clear()
        data = {"type": "streaming_bars", "timeframe": self._timeframe, "closed": False}
        return [("streaming_bars", {**data, "bars": bars})]

    def clear(self) -> None:
        """A new session: yesterday's prices are not today's."""
        self.latest.clear()
        self._pending.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        """The latest bar of every symbol (``closed`` says whether it is final)."""
        return list(self.latest.values())

    def _keep(self, bar: dict[str, Any]) -> None:
        symbol = bar["symbol"]
        known = self.latest.get(symbol)
        if known is not None and (
            known["timestamp"] > bar["timestamp"]
            or (known["timestamp"] == bar["timestamp"] and known["closed"] and not bar["closed"])
        ):
            return  # an older bar (a late copy) never replaces a newer or final one
        self.latest[symbol] = bar
        self.latest.move_to_end(symbol)
        if len(self.latest) > self.max_symbols:
            self.latest.popitem(last=False)


def _bar_wire(bar: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "symbol": bar.symbol,
        "timestamp": format_timestamp(bar.timestamp),
        "open": bar.open,
        "high": bar.high,
        "low": bar.low,
        "close": bar.close,
        "volume": bar.volume,
    }
    if bar.previous_close is not None:
        data["previous_close"] = bar.previous_close
    return data
