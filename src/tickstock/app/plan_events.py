"""``PlanEvents``: the held events as the plan's named Socket.IO events, for ``plan`` clients.

A client that connects with ``auth: {"protocol": "plan"}`` gets one Socket.IO event per
relayed event, named as in the plan (``streaming_pattern``, ``indicator_alert``, …) instead
of ``frame``s. Each payload is the event's ``data`` plus ``seq``, ``epoch`` and ``at`` (and
``backfilled: true`` when it was read back from the database), so the client can resume
exactly as a frame client does.

Detections relayed from one producer message (one ``streaming_patterns_batch``: consecutive
``streaming_pattern`` events held with the same receive time) go as one
``streaming_patterns_batch`` with ``detections``; its ``seq`` is its last event's, and
``first_seq`` its first. A single detection goes as ``streaming_pattern``.

Each unit (one named event) is built from the ring's encoded entry once and kept while
clients may still need it (bounded by ``MAX_CACHED_UNITS``), so plan clients at the same
cursor share one packet, as frame clients do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from tickstock.app.ring import RecoveryRing
from tickstock.contract.events import PATTERN, PATTERNS_BATCH

#: The protocol a client gets unless it asks for another.
FRAME = "frame"
#: The plan's named events, one by one.
PLAN = "plan"
PROTOCOLS = (FRAME, PLAN)

#: The plan's largest pattern batch.
MAX_BATCH_DETECTIONS = 50
#: Units kept for plan clients at other cursors; beyond it the cache starts again.
MAX_CACHED_UNITS = 4096


@dataclass(frozen=True, slots=True)
class Unit:
    """One named event for plan clients: it covers the seqs ``first``..``last``."""

    first: int
    last: int
    event: str
    payload_json: str


class PlanEvents:
    """Named-event units after a cursor, built once from ``ring``'s encoded entries."""

    def __init__(self, ring: RecoveryRing, epoch: str) -> None:
        self.ring = ring
        self.epoch = epoch
        self._units: dict[int, Unit] = {}

    def after(self, cursor: int, limit: int) -> list[Unit]:
        """Up to ``limit`` units covering the held seqs after ``cursor``, in order.

        ``cursor`` must be held (``ring.holds_after``) and at the end of a unit (a plan
        client's cursor always is: units end where a producer message's events end)."""
        units: list[Unit] = []
        seq = cursor + 1
        last = self.ring.last_seq
        while seq <= last and len(units) < limit:
            if self.ring.is_superseded(seq):  # conflated away: its seq is no hole
                seq += 1
                continue
            unit = self._units.get(seq)
            if unit is None:
                unit = self._build(seq, last)
                self._keep(unit)
            units.append(unit)
            seq = unit.last + 1
        return units

    def _build(self, first: int, last: int) -> Unit:
        entry = orjson.loads(self.ring.encoded_at(first))
        if entry["event"] == PATTERN:
            batch = [entry]
            received = self.ring.received_at(first)
            seq = first + 1
            while seq <= last and len(batch) < MAX_BATCH_DETECTIONS:
                if self.ring.received_at(seq) != received or self.ring.is_superseded(seq):
                    break
                following = orjson.loads(self.ring.encoded_at(seq))
                if following["event"] != PATTERN:
                    break
                batch.append(following)
                seq += 1
            if len(batch) > 1:
                return self._batch(batch)
        payload = dict(entry["data"])
        payload.update(seq=first, epoch=self.epoch, at=entry["at"])
        if entry.get("backfilled"):
            payload["backfilled"] = True
        return Unit(first, first, entry["event"], orjson.dumps(payload).decode())

    def _batch(self, entries: list[dict[str, Any]]) -> Unit:
        first, last = entries[0]["seq"], entries[-1]["seq"]
        payload = {
            "type": PATTERNS_BATCH,
            "detections": [e["data"]["detection"] for e in entries],
            "high_confidence": [bool(e["data"].get("high_confidence")) for e in entries],
            "seq": last,
            "first_seq": first,
            "epoch": self.epoch,
            "at": entries[0]["at"],
        }
        return Unit(first, last, PATTERNS_BATCH, orjson.dumps(payload).decode())

    def _keep(self, unit: Unit) -> None:
        units = self._units
        if len(units) >= MAX_CACHED_UNITS:
            first_held = self.ring.first_seq
            self._units = units = {k: u for k, u in units.items() if k >= first_held}
            if len(units) >= MAX_CACHED_UNITS:
                units.clear()
        units[unit.first] = unit
