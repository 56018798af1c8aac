"""Recordings made up for tests, benchmarks and the demo: a seeded day of provider messages.

Prices are a seeded random walk; every line is a frame of one minute's messages in the
provider's documented shape (Massive ``AM`` aggregates, Alpaca ``b`` bars), so a recording
replays through the real clients exactly as a live day would.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from tickstock.engine.clock import REGULAR_OPEN, new_york_datetime


def minute_bars(
    symbols: list[str], day: date, minutes: int, seed: int = 7
) -> list[tuple[datetime, dict[str, tuple[float, float, float, float, int]]]]:
    """Each minute's (open, high, low, close, volume) per symbol from the open of ``day``."""
    rng = np.random.default_rng(seed)
    start = new_york_datetime(day, REGULAR_OPEN)
    price = rng.uniform(20, 400, len(symbols))
    out = []
    for m in range(minutes):
        bars = {}
        for i, symbol in enumerate(symbols):
            o = float(round(price[i], 4))
            c = float(round(o * float(np.exp(rng.normal(0, 0.002))), 4))
            h = float(round(max(o, c) * (1 + abs(rng.normal(0, 0.0005))), 4))
            lo = float(round(min(o, c) * (1 - abs(rng.normal(0, 0.0005))), 4))
            bars[symbol] = (o, h, lo, c, int(rng.integers(100, 10_000)))
            price[i] = c
        out.append((start + timedelta(minutes=m), bars))
    return out


def massive_am(
    symbol: str, start: datetime, bar: tuple[float, float, float, float, int]
) -> dict[str, Any]:
    o, h, lo, c, v = bar
    s = int(start.timestamp() * 1000)
    return {
        "ev": "AM",
        "sym": symbol,
        "v": v,
        "av": v,
        "op": o,
        "vw": round((h + lo + c) / 3, 4),
        "o": o,
        "c": c,
        "h": h,
        "l": lo,
        "a": round((h + lo) / 2, 4),
        "z": 100,
        "s": s,
        "e": s + 60_000,
    }


def alpaca_bar(
    symbol: str, start: datetime, bar: tuple[float, float, float, float, int]
) -> dict[str, Any]:
    o, h, lo, c, v = bar
    stamp = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "T": "b",
        "S": symbol,
        "o": o,
        "h": h,
        "l": lo,
        "c": c,
        "v": v,
        "t": stamp,
        "n": 10,
        "vw": round((h + lo + c) / 3, 4),
    }


def write_recording(
    path: Path, provider: str, symbols: list[str], day: date, minutes: int, seed: int = 7
) -> None:
    """A recording of ``minutes`` minutes from the open of ``day``, one frame a minute."""
    make = massive_am if provider == "massive" else alpaca_bar
    lines = [
        orjson.dumps([make(s, start, bar) for s, bar in bars.items()]).decode()
        for start, bars in minute_bars(symbols, day, minutes, seed)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
