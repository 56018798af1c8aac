"""``BarBook``: the latest bar per symbol, and forming bars conflated before they are relayed.

Closed bars (``closed: true``) are final and relayed as they come: one event per message.
Forming bars are the open minute so far; only the latest per symbol matters. They are held
here and relayed at most once per ``interval`` (when one changed) as one ``streaming_bars``
event holding the latest forming bar of *every* symbol of the open minute, published with
the conflation key ``FORMING_KEY`` (``FanOut.publish(key=...)``). Each such event contains
everything the previous one did, updated, so the fan-out may leave out every forming event
a later one supersedes: a client that falls behind (paced, slow, resuming) gets only the
newest forming bars, never a backlog of stale ones, and every closed bar.

Why one key per batch with full contents, not one per symbol: per symbol, 5,000 symbols
would be 5,000 relayed events a second — the replay ring (50,000 events) would then hold 10
seconds instead of minutes of the other channels, and each bar would cost the server a
publish and the page a dispatched entry (measured in docs/fanout.md, "Conflation"). One
batch is one ring entry, one encoding shared by every client; a superseded batch's text is
released from the ring at once. The price: a client that keeps up gets the whole open
minute's forming bars each second, not only those that changed — the same at a busy market,
where every symbol trades within a second.

The snapshot carries the latest bar of every symbol (forming or closed), so a page opened
mid-minute has prices.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from tickstock.contract import BarsMessage, format_timestamp
from tickstock.contract.events import BARS, Relayed, bars_event

#: Most symbols whose latest bar is kept (the least recently updated go first).
MAX_SYMBOLS = 20_000
#: Seconds between two relays of forming bars.
FORMING_INTERVAL = 1.0
#: The conflation key of forming-bar events (per timeframe): the latest supersedes the rest.
FORMING_KEY = "bars:forming:"


def conflation_key(event: str, data: dict[str, Any]) -> str | None:
    """The fan-out key of a relayed event: forming bars have one, nothing else does."""
    if event != BARS or data.get("closed", True):
        return None
    return FORMING_KEY + str(data.get("timeframe"))


class BarBook:
    """Latest bars by symbol; the open minute's forming bars, relayed whole when changed."""

    def __init__(self, max_symbols: int = MAX_SYMBOLS, interval: float = FORMING_INTERVAL) -> None:
        self.max_symbols = max_symbols
        self.interval = interval
        self.latest: OrderedDict[str, dict[str, Any]] = OrderedDict()
        #: the latest forming bar of each symbol whose minute has not closed
        self._forming: dict[str, dict[str, Any]] = {}
        #: symbols whose forming bar changed since the last relay
        self._changed: set[str] = set()
        #: the newest forming minute seen: bars of an earlier one are stale
        self._newest = ""
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
                # a forming bar of a minute now closed is stale: no forming event carries it
                forming = self._forming.get(bar["symbol"])
                if forming is not None and forming["timestamp"] <= bar["timestamp"]:
                    del self._forming[bar["symbol"]]
                self._keep({**bar, "closed": True})
            return [(BARS, bars_event(message.timeframe, True, bars))]
        self._timeframe = message.timeframe
        for bar in bars:
            self.forming_in += 1
            if bar["timestamp"] < self._newest:
                continue  # a late copy of an older minute
            self._newest = bar["timestamp"]
            if bar["symbol"] in self._changed:
                self.conflated += 1  # replaced before it was relayed
            self._forming[bar["symbol"]] = bar
            self._changed.add(bar["symbol"])
            self._keep({**bar, "closed": False})
        return self.due(now)

    def due(self, now: float) -> list[Relayed]:
        """The open minute's forming bars as one event, if one changed and the interval is up.

        Bars of a minute older than the newest forming one are left out (and forgotten): a
        symbol whose closed bar never came must not show that minute as forming forever."""
        if not self._changed or now - self._relayed_at < self.interval:
            return []
        self._relayed_at = now
        self._changed.clear()
        stale = [s for s, bar in self._forming.items() if bar["timestamp"] < self._newest]
        for symbol in stale:
            del self._forming[symbol]
        if not self._forming:
            return []
        return [(BARS, bars_event(self._timeframe, False, list(self._forming.values())))]

    def clear(self) -> None:
        """A new session: yesterday's prices are not today's."""
        self.latest.clear()
        self._forming.clear()
        self._changed.clear()
        self._newest = ""

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
