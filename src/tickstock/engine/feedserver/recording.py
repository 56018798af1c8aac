"""A recording: JSON lines, each a frame to send or a directive.

* a JSON array: one frame of provider messages, sent as it is (Massive: ``[{"ev": "AM", ...}]``;
  Alpaca: ``[{"T": "b", ...}]``);
* ``{"pause": 0.5}``: wait that many seconds before the next line;
* ``{"disconnect": true}``: drop the connection abruptly (no close frame); the client
  reconnects and the recording goes on from the next line.

A program (a test) may also put a ``Hold`` in the steps: the recording waits there until an
event is set, so what follows is sent after something the client did, not after a pause.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tickstock.errors import FeedError


@dataclass(frozen=True, slots=True)
class Frame:
    messages: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Pause:
    seconds: float


@dataclass(frozen=True, slots=True)
class Disconnect:
    pass


@dataclass(frozen=True, slots=True)
class Hold:
    """Wait until ``released`` is set, at most ``timeout`` seconds, then go on."""

    released: asyncio.Event
    timeout: float


Step = Frame | Pause | Disconnect | Hold


def parse_recording(lines: list[str], source: str = "recording") -> list[Step]:
    steps: list[Step] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise FeedError(source, number, f"not JSON: {exc}") from None
        if isinstance(item, list):
            steps.append(Frame(item))
        elif isinstance(item, dict) and "pause" in item:
            steps.append(Pause(float(item["pause"])))
        elif isinstance(item, dict) and item.get("disconnect"):
            steps.append(Disconnect())
        else:
            raise FeedError(source, number, "expected a JSON array, {pause} or {disconnect}")
    return steps


def load_recording(path: str | Path) -> list[Step]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FeedError(str(path), None, f"cannot open: {exc.strerror}") from None
    return parse_recording(text.splitlines(), str(path))
