"""Pieces of the end-to-end tests: a resuming client, a publish-time probe, latency records.

Relay latency is "published → client received": a ``PublishProbe`` subscribed to the 8
channels in the test process stamps each message when Redis hands it out (on loopback,
within a fraction of a millisecond of the PUBLISH), and a ``StreamClient`` stamps each
frame entry when it arrives; both are matched on the event's identity (``event_key``).
``LATENCIES`` collects the figures of the whole run; ``tests/e2e/conftest.py`` writes them
to ``bench/results/e2e_latency.json`` and prints a summary line.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime
from typing import Any

import orjson
import socketio
from tests.integration.engine_support import Recorder
from tests.servers import connect_until_opened

#: event name → latencies in ms, over every end-to-end test of the run.
LATENCIES: dict[str, list[float]] = defaultdict(list)


def _instant(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def event_key(event: str, data: dict[str, Any]) -> tuple[Any, ...] | None:
    """What identifies one event on the wire and on the socket (None: not a producer event)."""
    if event == "streaming_session":
        return ("session", data["type"], data["session"]["session_id"])
    if event == "streaming_pattern":
        d = data["detection"]
        return ("pattern", d["symbol"], d["pattern_type"], d["timeframe"], _instant(d["timestamp"]))
    if event == "streaming_indicator":
        c = data["calculation"]
        return ("indicator", c["symbol"], c["indicator"], _instant(c["timestamp"]))
    if event == "indicator_alert":
        a = data["alert"]
        return ("alert", a["symbol"], a["alert_type"], _instant(a["timestamp"]))
    if event == "streaming_health":
        return ("health", _instant(data["health"]["timestamp"]))
    if event == "critical_alert":
        a = data["alert"]
        return ("critical", a["component"], _instant(a["timestamp"]), bool(a.get("resolved")))
    return None


def message_keys(raw: bytes) -> list[tuple[Any, ...]]:
    """The event keys of one raw Redis message (a batch gives one per item)."""
    try:
        message = orjson.loads(raw)
        kind = message["type"]
        if kind == "streaming_patterns_batch":
            return [event_key("streaming_pattern", {"detection": d}) for d in message["detections"]]
        if kind == "streaming_indicators_batch":
            return [
                event_key("streaming_indicator", {"calculation": c})
                for c in message["calculations"]
            ]
        event = "streaming_session" if kind.startswith("streaming_session") else kind
        key = event_key(event, message)
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        return []
    return [key] if key is not None else []


class PublishProbe(Recorder):
    """Subscribes to the 8 channels and remembers when each event was first handed out."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.published_at: dict[tuple[Any, ...], float] = {}
        self.channels: dict[str, int] = defaultdict(int)

    def record(self, channel: str, data: bytes) -> None:
        now = time.time()
        self.channels[channel] += 1
        for key in message_keys(data):
            self.published_at.setdefault(key, now)

    def record_latencies(self, client: StreamClient) -> dict[str, list[float]]:
        """Latency of every live entry ``client`` got whose publication was seen; recorded."""
        found: dict[str, list[float]] = defaultdict(list)
        for entry in client.entries:
            if entry.get("backfilled"):
                continue
            key = event_key(entry["event"], entry["data"])
            published = self.published_at.get(key) if key is not None else None
            if published is not None:
                found[entry["event"]].append((entry["received_at"] - published) * 1000)
        for event, values in found.items():
            LATENCIES[event].extend(values)
        return found


class StreamClient:
    """A python-socketio client that keeps every frame entry and resumes after a drop.

    At each (re)connect it sends the last ``epoch``/``last_seq`` it saw and the last
    detection and alert it holds (``after``), as the dashboard does, so the server replays
    what it missed, or sends a snapshot saying why with a backfill by position.
    """

    def __init__(self, *, reconnection: bool = False, token: str | None = None) -> None:
        self.sio = socketio.AsyncClient(
            reconnection=reconnection,
            reconnection_delay=0.1,
            reconnection_delay_max=0.5,
            randomization_factor=0.0,
        )
        self.token = token
        self.snapshots: list[dict[str, Any]] = []
        self.resumed: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.epoch: str | None = None
        self.last_seq: int | None = None
        #: seqs frames left out as superseded (a later event of the same key replaced them)
        self.superseded: set[int] = set()
        #: the last detection and indicator alert held: where a backfill starts (``after``)
        self.after: dict[str, dict[str, Any]] = {}
        self.connects = 0
        self.sio.on("snapshot", self._snapshot)
        self.sio.on("resumed", self.resumed.append)
        self.sio.on("frame", self._frame)
        self.sio.on("connect", self._connected)

    async def _connected(self) -> None:
        self.connects += 1

    async def _snapshot(self, data: dict[str, Any]) -> None:
        self.snapshots.append(data)
        self.epoch = data["epoch"]
        self.last_seq = data["seq"]
        backfill = data.get("backfill") or {}
        for pattern in [*backfill.get("patterns", ()), *data.get("recent_patterns", ())]:
            self._hold("streaming_pattern", pattern)
        for alert in [*backfill.get("alerts", ()), *data.get("recent_alerts", ())]:
            self._hold("indicator_alert", alert)

    def _hold(self, event: str, data: dict[str, Any]) -> None:
        if event == "streaming_pattern":
            d = data["detection"]
            keys = ("symbol", "pattern_type", "timeframe", "timestamp")
            self.after["pattern"] = {k: d[k] for k in keys}
        elif event == "indicator_alert":
            a = data["alert"]
            self.after["alert"] = {k: a[k] for k in ("symbol", "alert_type", "timestamp")}

    async def _frame(self, data: dict[str, Any]) -> None:
        now = time.time()
        self.epoch = data["epoch"]
        for entry in data["events"]:
            entry["received_at"] = now
            self.entries.append(entry)
            self._hold(entry["event"], entry["data"])
        # superseded latest values (forming bars) are left out on purpose: no hole, and the
        # frame ends at the larger of its last entry and its last superseded seq
        superseded = data.get("superseded", [])
        self.superseded.update(superseded)
        ends = [data["events"][-1]["seq"]] if data["events"] else []
        if ends or superseded:
            self.last_seq = max(ends + superseded[-1:])

    def auth(self) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if self.token:
            payload["token"] = self.token
        if self.epoch is not None and self.last_seq is not None:
            payload.update(epoch=self.epoch, last_seq=self.last_seq)
            if self.after:
                payload["after"] = dict(self.after)
        return payload

    async def connect(self, url: str) -> None:
        await connect_until_opened(
            self.sio, url, lambda: len(self.snapshots) + len(self.resumed), auth=self.auth
        )

    async def disconnect(self) -> None:
        await self.sio.disconnect()

    def of(self, *events: str) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["event"] in events]

    def stream(self) -> list[tuple[int, str, tuple[Any, ...] | None]]:
        """(seq, event, identity) of every entry: what two clients compare."""
        return [(e["seq"], e["event"], event_key(e["event"], e["data"])) for e in self.entries]

    def holes(self) -> list[int]:
        """Sequence numbers missing between the first snapshot and the last entry."""
        if not self.entries:
            return []
        start = self.snapshots[0]["seq"] + 1 if self.snapshots else self.entries[0]["seq"]
        seen = {e["seq"] for e in self.entries}
        covered = {s["seq"] for s in self.snapshots}
        holes = []
        for seq in range(start, self.entries[-1]["seq"] + 1):
            if seq in self.superseded:
                continue
            if seq not in seen and not any(c >= seq for c in covered if c > start):
                holes.append(seq)
        return holes
