"""``RecoveryRing``: the last relayed events, pre-encoded, bounded by count and by age.

Every relayed event is encoded to JSON once, when it gets its sequence number; frames and
replays to resuming clients are then joins of those bytes. A client whose cursor is older
than the ring's first held event can no longer be served from it and gets a snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HeldEvent:
    """One relayed event: its sequence number, receive time (monotonic s) and JSON bytes."""

    seq: int
    received: float
    encoded: bytes


class RecoveryRing:
    """Events with consecutive sequence numbers, oldest dropped first.

    Stored in a list with a moving head so that ``since`` is one slice, whatever the
    cursor; the list is compacted when half of it is dead.
    """

    def __init__(self, max_events: int, max_age_seconds: float) -> None:
        if max_events < 1:
            raise ValueError("max_events must be >= 1")
        self.max_events = max_events
        self.max_age_seconds = max_age_seconds
        self._items: list[HeldEvent] = []
        self._head = 0
        self._last_seq = 0

    def __len__(self) -> int:
        return len(self._items) - self._head

    @property
    def last_seq(self) -> int:
        """Sequence number of the newest event ever appended (0 before the first)."""
        return self._last_seq

    @property
    def first_seq(self) -> int:
        """Sequence number of the oldest held event (``last_seq + 1`` when empty)."""
        if len(self) == 0:
            return self._last_seq + 1
        return self._items[self._head].seq

    def append(self, seq: int, received: float, encoded: bytes) -> None:
        """Hold the next event; ``seq`` must follow the previous one."""
        if seq != self._last_seq + 1:
            raise ValueError(f"sequence {seq} does not follow {self._last_seq}")
        self._items.append(HeldEvent(seq, received, encoded))
        self._last_seq = seq
        if len(self) > self.max_events:
            self._head += len(self) - self.max_events
            self._compact()

    def start_at(self, seq: int) -> None:
        """Start numbering after ``seq`` (only while empty)."""
        if self._items:
            raise ValueError("the ring already holds events")
        self._last_seq = seq

    def expire(self, now: float) -> None:
        """Drop events older than ``max_age_seconds`` at monotonic time ``now``."""
        horizon = now - self.max_age_seconds
        items = self._items
        head = self._head
        while head < len(items) and items[head].received < horizon:
            head += 1
        if head != self._head:
            self._head = head
            self._compact()

    def holds_after(self, cursor: int) -> bool:
        """True when every event after ``cursor`` is still held (nothing missed is lost)."""
        return self.first_seq - 1 <= cursor <= self._last_seq

    def since(self, cursor: int, limit: int) -> list[HeldEvent]:
        """Up to ``limit`` held events with ``seq > cursor``, oldest first."""
        start = self._head + max(0, cursor + 1 - self.first_seq)
        return self._items[start : start + limit]

    def _compact(self) -> None:
        if self._head > 1024 and self._head * 2 > len(self._items):
            del self._items[: self._head]
            self._head = 0
