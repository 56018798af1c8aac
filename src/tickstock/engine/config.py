"""What one engine run needs, built once from the settings and the command line.

``EngineConfig`` is a plain frozen record: the CLI, the demo, the benchmarks and the tests
build one (``EngineConfig.from_settings`` for the CLI) and hand it to ``run_engine``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from datetime import time as time_of_day
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from tickstock.engine.faults import Fault

if TYPE_CHECKING:
    from tickstock.settings import Settings


@dataclass(frozen=True, slots=True)
class LiveFeedConfig:
    """A live provider's connection: which one, its keys (never logged), hosts and events."""

    provider: str  # "massive" | "alpaca"
    symbols: tuple[str, ...]
    api_key: SecretStr
    secret_key: SecretStr | None = None  # Alpaca's second key
    #: Massive: WebSocket host[:port]; Alpaca: a URL override (None = Alpaca's own)
    host: str | None = None
    secure: bool = True
    #: Massive "AM" | "A" | "T"; Alpaca "bars" | "trades"
    subscription: str = "AM"
    alpaca_feed: str = "iex"
    #: real seconds a minute waits for stragglers after its first bar (or its end, for trades)
    close_grace: float = 2.0
    extended_hours: bool = False
    #: the setting that holds the key, named in errors (e.g. MASSIVE_API_KEY)
    key_setting: str = "MASSIVE_API_KEY"
    #: the provider's REST base URL for history (None: its own)
    rest_url: str | None = None
    #: minutes of history loaded before the first live minute (0 = none)
    warmup_minutes: int = 0
    #: a gap of more than this many minutes in a session is refilled from history (0 = never)
    refill_after_minutes: int = 0
    universe: str = ""


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Everything a run needs; the CLI builds it from flags and settings."""

    redis_url: str
    database_url: str | None = None
    symbols: int = 500
    universe: str | None = None  # a named universe (engine/universe.py) instead of top N
    speed: float = 1.0
    start: time_of_day | None = None  # New York time of day; None: now (speed 1) or 09:29
    day: date | None = None  # None: today in New York, or the next trading day
    #: synthetic market started mid-session: play the minutes from the open at once first
    catch_up: bool = False
    replay: Path | None = None
    skip_bad_rows: bool = False
    health_interval: float = 60.0
    faults: tuple[Fault, ...] = ()
    seed: int = 42
    days: int = 0  # trading days to run; 0 = until stopped
    until_close: bool = False
    close_at: time_of_day | None = None  # end sessions early (a short session for tests)
    tick_rate: float = 1.0
    whole_bars: bool = False  # the feed emits whole bars (fast, for large universes)
    publish_buffer: int = 200_000
    write_buffer: int = 2_000_000
    lag_warning_ms: float = 1000.0
    lag_critical_ms: float = 5000.0
    feed_lost_after: float = 30.0
    rsi_overbought: float = 70.0
    rsi_oversold: float = 30.0
    run_migrations: bool = True
    record_publish_order: bool = False
    forming_bars: bool = False  # the open minute's bars on the bars channel, once a second
    live: LiveFeedConfig | None = None  # a live provider instead of the synthetic market

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> EngineConfig:
        """The settings' values, with ``overrides`` (command-line flags; None = not given)."""
        values: dict[str, Any] = {
            "redis_url": settings.redis_url,
            "database_url": settings.database_url,
            "symbols": settings.engine_symbols,
            "speed": settings.engine_speed,
            "health_interval": settings.health_interval,
            "seed": settings.engine_seed,
            "publish_buffer": settings.publish_buffer,
            "write_buffer": settings.write_buffer,
            "lag_warning_ms": settings.lag_warning_ms,
            "lag_critical_ms": settings.lag_critical_ms,
            "rsi_overbought": settings.rsi_overbought,
            "rsi_oversold": settings.rsi_oversold,
            "forming_bars": settings.engine_forming_bars,
        }
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown engine options: {', '.join(sorted(unknown))}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
