"""Bounded windows of the live state: the de-duplication keys, the events/s rate and the
symbols seen lately. Each holds at most a fixed number of entries whatever the load."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable
from typing import Any

#: Most symbols remembered for the fallback active-symbols count.
MAX_TRACKED_SYMBOLS = 50_000


class RecentKeys:
    """An LRU of keys (with an optional value), bounded: the de-duplication window."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Any:
        return self._items.get(key)

    def add(self, key: Hashable, value: Any = None) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)


class EventRate:
    """Events per second over a sliding window, counted in one-second buckets."""

    def __init__(self, window_seconds: float) -> None:
        self.window = window_seconds
        self._buckets: deque[list[float]] = deque()

    def add(self, now: float, count: int = 1) -> None:
        second = float(int(now))
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += count
        else:
            self._buckets.append([second, float(count)])
        self._trim(now)

    def per_second(self, now: float) -> float:
        self._trim(now)
        return sum(count for _, count in self._buckets) / self.window

    def _trim(self, now: float) -> None:
        horizon = now - self.window
        while self._buckets and self._buckets[0][0] + 1 <= horizon:
            self._buckets.popleft()


class SymbolsSeen:
    """When each symbol was last seen, for the most recent ``capacity`` symbols."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()

    def add(self, symbol: str, now: float) -> None:
        self._seen[symbol] = now
        self._seen.move_to_end(symbol)
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)

    def clear(self) -> None:
        self._seen.clear()

    def count_since(self, horizon: float) -> int:
        """How many symbols were seen at or after ``horizon`` (older ones are forgotten)."""
        seen = self._seen
        while seen:
            symbol, at = next(iter(seen.items()))
            if at >= horizon:
                break
            del seen[symbol]
        return len(seen)
