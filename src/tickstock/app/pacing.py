"""``Pacing``: G, the least time between two frames to one busy client, and its slot grid.

G is ``min_interval`` while events come at most one per ``min_interval`` (so an event after
a quiet spell leaves at once and, at the plan's rates, nearly every event does). When they
come faster, G grows in proportion to the event rate, up to ``max_interval``: a frame's
cost is mostly per frame (engine.io's writer, WebSocket framing, a ``write`` system call:
~40 µs here) and hardly per event, so a busy stream is sent as fewer, fuller frames. At
500 events/s with 5 / 10 ms: G = 10 ms, ~5 events a frame instead of 2.5, and at most
10 ms more latency — under one display frame at 60 Hz, where the browser renders anyway.
``frame_budget`` stretches G further when many clients are busy (clients / budget).
"""

from __future__ import annotations

import math

#: Seconds over which the event rate is counted.
RATE_WINDOW_SECONDS = 0.5


class Pacing:
    """The interval G for a number of clients, from the event rate of the last window."""

    def __init__(
        self,
        min_interval: float = 0.005,
        max_interval: float | None = None,
        frame_budget: float = 0.0,
    ) -> None:
        self.min_interval = min_interval
        self.max_interval = min_interval if max_interval is None else max_interval
        self.frame_budget = frame_budget
        #: events per second in the last complete window
        self.rate = 0.0
        self._events = 0
        self._window_start: float | None = None

    def count(self) -> None:
        """One event published."""
        self._events += 1

    def update(self, now: float) -> None:
        """Close the rate window when it is over (called once per fan-out round)."""
        start = self._window_start
        if start is None:
            self._window_start = now
        elif now - start >= RATE_WINDOW_SECONDS:
            self.rate = self._events / (now - start)
            self._events = 0
            self._window_start = now

    def interval(self, clients: int) -> float:
        """G: ``min_interval``, grown with the rate beyond one event per ``min_interval``
        (up to ``max_interval``), stretched to clients / ``frame_budget`` if longer."""
        interval = self.min_interval
        busy = self.rate * interval  # events per minimum interval
        if busy > 1 and self.max_interval > interval:
            interval = min(self.max_interval, interval * busy)
        if self.frame_budget > 0:
            interval = max(interval, clients / self.frame_budget)
        return interval

    def next_slot(self, now: float, clients: int) -> float:
        """The next multiple of G after ``now``: paced clients share one grid, hence frames."""
        interval = self.interval(clients)
        if interval <= 0:
            return now
        # + 1e-6 of a slot: ``now`` on a boundary may divide to just under it (300.02 / 0.01
        # = 30001.99999…), which would name the current slot and send a second frame at once
        return (math.floor(now / interval + 1e-6) + 1) * interval
