"""A fake ``Transport`` for FanOut's unit tests: queues to read back, packets as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from tickstock.app.transport import TransportQueue


class Clock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakePacket:
    """A packet as the fake transport makes it: the Socket.IO event and its payload text."""

    def __init__(self, event: str, payload_json: str) -> None:
        self.event = event
        self.payload_json = payload_json


@dataclass
class FakeSocket:
    """One client's end of the fake transport: its send queue and whether it is open."""

    queue: TransportQueue = field(default_factory=TransportQueue)
    closed: bool = False

    def take(self) -> list[tuple[str, Any]]:
        """What the transport's writer would send now: every queued packet, decoded."""
        sent = []
        while not self.queue.empty():
            packet = self.queue.get_nowait()
            self.queue.task_done()
            sent.append((packet.event, orjson.loads(packet.payload_json)))
        return sent


class FakeTransport:
    """What FanOut needs of a transport: sids, connected flags, queues and packets."""

    def __init__(self) -> None:
        self.sockets: dict[str, FakeSocket] = {}
        self.connected: set[str] = set()

    def add(self, sid: str) -> FakeSocket:
        socket = self.sockets[f"eio-{sid}"] = FakeSocket()
        self.connected.add(sid)
        return socket

    def address(self, sid: str) -> str:
        return f"eio-{sid}"

    def is_connected(self, sid: str) -> bool:
        return sid in self.connected

    def queue(self, address: str) -> TransportQueue | None:
        socket = self.sockets.get(address)
        return None if socket is None or socket.closed else socket.queue

    def packet(self, event: str, payload_json: str) -> FakePacket:
        return FakePacket(event, payload_json)

    def data_packet(self, event: str, data: Any) -> FakePacket:
        return FakePacket(event, orjson.dumps(data).decode())
