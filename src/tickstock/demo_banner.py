"""What ``tickstock demo`` says it runs: the feed the engine will really use, never a key.

The engine reads the same environment and ``.env`` as the demo, so the demo reads the
settings too and describes that feed: the synthetic day at its speed, a replayed file, or a
live provider with its host, events, symbol count and universe (a live feed runs in real
time, whatever ``--speed`` says). Keys are never shown, and a password inside a URL is hidden.
"""

from __future__ import annotations

import re
from pathlib import Path

from tickstock.engine.universe import load_universe, named_universe
from tickstock.settings import Settings

#: ``scheme://user:PASSWORD@host``: the password of a URL's user part.
_URL_PASSWORD = re.compile(r"(?<=://)([^/:@]*):[^@/]*@")
_MASSIVE_EVENTS = {"AM": "minute aggregates", "A": "second aggregates", "T": "trades"}


def without_password(url: str) -> str:
    """``url`` with any password of its user part replaced by ``***``."""
    return _URL_PASSWORD.sub(r"\1:***@", url)


def symbols_shown(settings: Settings, symbols: int | None) -> str:
    """``N symbols (universe)``, as the engine will choose them (``--symbols`` wins)."""
    if symbols is None and settings.universe:
        try:
            chosen = named_universe(settings.universe)
        except ValueError:
            return f"unknown universe {settings.universe!r}"
    else:
        chosen = load_universe(symbols or settings.engine_symbols)
    return f"{len(chosen)} symbols ({chosen.name})"


def engine_banner(
    settings: Settings, *, speed: float, start: str, symbols: int | None, replay: Path | None
) -> str:
    """One line naming what the demo's engine runs."""
    if replay is not None:
        return f"engine: replay of {replay.name} from {start} at {speed:g}x"
    if settings.feed == "massive":
        scheme = "wss" if settings.massive_secure else "ws"
        events = _MASSIVE_EVENTS[settings.massive_subscription]
        where = f"{scheme}://{without_password(settings.massive_host)}"
        return (
            f"engine: live Massive feed ({events}) from {where}, "
            f"{symbols_shown(settings, symbols)}, in real time"
        )
    if settings.feed == "alpaca":
        where = without_password(settings.alpaca_url) if settings.alpaca_url else "Alpaca's own"
        return (
            f"engine: live Alpaca feed ({settings.alpaca_feed} {settings.alpaca_subscription}) "
            f"from {where}, {symbols_shown(settings, symbols)}, in real time"
        )
    return f"engine: simulated day from {start} at {speed:g}x, {symbols_shown(settings, symbols)}"
