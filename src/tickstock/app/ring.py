"""``RecoveryRing``: the last relayed events, pre-encoded, bounded by count and by age.

Every relayed event is encoded to JSON once, when it gets its sequence number; frames and
replays to resuming clients are then joins of those strings. A client whose cursor is older
than the ring's first held event can no longer be served from it and gets a snapshot.

Held as two parallel lists (receive times, encoded texts) rather than one object per event:
sequence numbers are consecutive, so an event's seq is its position plus an offset, and
neither list holds anything the garbage collector has to traverse — 50,000 held events add
nothing to a full collection (whose pauses were the relay's p99 under load).
"""

from __future__ import annotations

from bisect import bisect_right


class RecoveryRing:
    """Events with consecutive sequence numbers, oldest dropped first.

    Stored in lists with a moving head so that ``since`` is one slice, whatever the
    cursor; the lists are compacted when half of them is dead.
    """

    def __init__(self, max_events: int, max_age_seconds: float) -> None:
        if max_events < 1:
            raise ValueError("max_events must be >= 1")
        self.max_events = max_events
        self.max_age_seconds = max_age_seconds
        self._received: list[float] = []
        self._encoded: list[str] = []
        #: conflation keys (None for most events), parallel to the texts
        self._keys: list[str | None] = []
        #: per key, the seq of its latest event: the only one of that key still worth sending
        self._latest: dict[str, int] = {}
        #: seqs of the keyed events, ascending (a frame checks only these)
        self._keyed: list[int] = []
        self._head = 0
        self._last_seq = 0

    def __len__(self) -> int:
        return len(self._encoded) - self._head

    @property
    def last_seq(self) -> int:
        """Sequence number of the newest event ever appended (0 before the first)."""
        return self._last_seq

    @property
    def first_seq(self) -> int:
        """Sequence number of the oldest held event (``last_seq + 1`` when empty)."""
        return self._last_seq - len(self) + 1

    def append(self, seq: int, received: float, encoded: str, key: str | None = None) -> None:
        """Hold the next event; ``seq`` must follow the previous one."""
        if seq != self._last_seq + 1:
            raise ValueError(f"sequence {seq} does not follow {self._last_seq}")
        self._received.append(received)
        self._encoded.append(encoded)
        self._keys.append(key)
        self._last_seq = seq
        if key is not None:
            self._supersede(key, seq)
        if len(self) > self.max_events:
            self._drop_to(self._head + len(self) - self.max_events)

    def start_at(self, seq: int) -> None:
        """Start numbering after ``seq`` (only while empty)."""
        if self._encoded:
            raise ValueError("the ring already holds events")
        self._last_seq = seq

    def expire(self, now: float) -> None:
        """Drop events older than ``max_age_seconds`` at monotonic time ``now``."""
        horizon = now - self.max_age_seconds
        received = self._received
        head = self._head
        while head < len(received) and received[head] < horizon:
            head += 1
        if head != self._head:
            self._drop_to(head)

    def holds_after(self, cursor: int) -> bool:
        """True when every event after ``cursor`` is still held (nothing missed is lost)."""
        return self.first_seq - 1 <= cursor <= self._last_seq

    def since(self, cursor: int, limit: int) -> list[str]:
        """Up to ``limit`` encoded events with ``seq > cursor``, oldest first.

        They are the events ``cursor + 1`` … ``cursor + len(result)`` when
        ``holds_after(cursor)``.
        """
        start = self._index(max(cursor + 1, self.first_seq))
        return self._encoded[start : start + limit]

    def keys_since(self, cursor: int, limit: int) -> list[str | None]:
        """The conflation keys of ``since(cursor, limit)``'s events, in the same order."""
        start = self._index(max(cursor + 1, self.first_seq))
        return self._keys[start : start + limit]

    def frame_since(self, cursor: int, limit: int) -> tuple[list[str], list[int], int]:
        """What a frame after ``cursor`` (held) carries: up to ``limit`` events, less the keyed
        ones a later event of the same key supersedes (anywhere in the ring, not only in this
        frame: a client catching up on a long backlog skips every stale one); the seqs left
        out; and the frame's end, the client's new cursor (a left-out seq may be the last)."""
        events = self.since(cursor, limit)
        end = cursor + len(events)
        keyed = self._keyed
        first = bisect_right(keyed, cursor)
        if first == len(keyed) or keyed[first] > end:
            return events, [], end  # no keyed event in this frame: nothing to check
        superseded = [
            seq for seq in keyed[first : bisect_right(keyed, end)] if self.is_superseded(seq)
        ]
        for seq in reversed(superseded):
            del events[seq - cursor - 1]
        return events, superseded, end

    def is_superseded(self, seq: int) -> bool:
        """True when the held event ``seq`` has a key and a later event has the same key."""
        key = self._keys[self._index(seq)]
        return key is not None and self._latest[key] != seq

    def received_at(self, seq: int) -> float:
        """Monotonic receive time of the held event ``seq``."""
        if not self.first_seq <= seq <= self._last_seq:
            raise KeyError(seq)
        return self._received[self._index(seq)]

    def encoded_at(self, seq: int) -> str:
        """The encoded entry of the held event ``seq``."""
        if not self.first_seq <= seq <= self._last_seq:
            raise KeyError(seq)
        return self._encoded[self._index(seq)]

    def _index(self, seq: int) -> int:
        return self._head + seq - self.first_seq

    def _supersede(self, key: str, seq: int) -> None:
        """``seq`` is now ``key``'s latest: the previous one is never sent again, so its text
        is released at once (a forming-bars batch of 5,000 symbols is ~600 KB; the ring
        would otherwise hold one per second for its whole age)."""
        previous = self._latest.get(key)
        self._latest[key] = seq
        self._keyed.append(seq)
        if previous is not None and previous >= self.first_seq:
            self._encoded[self._index(previous)] = ""

    def _drop_to(self, head: int) -> None:
        """Forget the events before ``head``: their texts are released now (the slots stay
        until the next compaction), so the ring never holds twice its bound in memory."""
        encoded = self._encoded
        for index in range(self._head, head):
            encoded[index] = ""
        self._head = head
        self._compact()

    def _compact(self) -> None:
        if self._head > 1024 and self._head * 2 > len(self._encoded):
            del self._keyed[: bisect_right(self._keyed, self.first_seq - 1)]
            del self._received[: self._head]
            del self._encoded[: self._head]
            del self._keys[: self._head]
            self._head = 0
