"""Every knob of TickStock in one typed object, read from the environment, then ``.env``.

The plan's ``STREAMING_*`` variables keep their names; the project's own knobs are
``TICKSTOCK_*``; ``REDIS_URL`` and ``DATABASE_URL`` point at real deployments. A bad value
stops the program at start naming the variable. ``docs/configuration.md`` is generated from
this module (``tickstock config docs``, by ``settings_docs``); a test fails when they drift.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from tickstock.env_names import env as _env
from tickstock.env_names import variable_of
from tickstock.errors import ConfigError


class Settings(BaseSettings):
    """Typed settings; the env variable of each field is its ``validation_alias``."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # --- connections ---------------------------------------------------------------
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        validation_alias=_env("REDIS_URL"),
        description="Redis server carrying the 8 channels. `make demo` starts its own when unset.",
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///./var/tickstock.db",
        validation_alias=_env("DATABASE_URL"),
        description="SQLAlchemy URL: SQLite (aiosqlite) by default, or postgresql+asyncpg://...",
    )

    # --- the plan's dashboard settings ---------------------------------------------
    streaming_dashboard_enabled: bool = Field(
        True,
        validation_alias=_env("STREAMING_DASHBOARD_ENABLED"),
        description="Serve the Live Streaming section, its API and its events.",
    )
    streaming_refresh_interval: int = Field(
        30,
        ge=0,
        le=3600,
        validation_alias=_env("STREAMING_REFRESH_INTERVAL"),
        description="Seconds between automatic refreshes of the dashboard's API data (0 = manual only).",
    )
    streaming_max_pattern_events: int = Field(
        50,
        ge=1,
        le=1000,
        validation_alias=_env("STREAMING_MAX_PATTERN_EVENTS"),
        description="Patterns kept in the live pattern stream.",
    )
    streaming_max_alert_events: int = Field(
        30,
        ge=1,
        le=1000,
        validation_alias=_env("STREAMING_MAX_ALERT_EVENTS"),
        description="Alerts kept in the live alert list.",
    )
    streaming_auto_scroll: bool = Field(
        True,
        validation_alias=_env("STREAMING_AUTO_SCROLL"),
        description="Streams scroll to the newest event by default.",
    )
    streaming_sound_alerts: bool = Field(
        False,
        validation_alias=_env("STREAMING_SOUND_ALERTS"),
        description="Play a sound on alerts by default (each user can still opt in or out).",
    )

    # --- web app -------------------------------------------------------------------
    host: str = Field(
        "127.0.0.1",
        validation_alias=_env("TICKSTOCK_HOST"),
        description="Address `tickstock serve` binds; non-loopback needs TICKSTOCK_AUTH_TOKEN.",
    )
    port: int = Field(
        8000, ge=0, le=65535, validation_alias=_env("TICKSTOCK_PORT"), description="HTTP port."
    )
    auth_token: SecretStr | None = Field(
        None,
        validation_alias=_env("TICKSTOCK_AUTH_TOKEN"),
        description="When set, the API and Socket.IO require it (Bearer token or login cookie).",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        validation_alias=_env("TICKSTOCK_ALLOWED_ORIGINS"),
        description="Extra origins allowed for Socket.IO and the API, as a JSON list; same-origin only when empty.",
    )
    rate_limit_per_minute: int = Field(
        600,
        ge=1,
        validation_alias=_env("TICKSTOCK_RATE_LIMIT_PER_MINUTE"),
        description="API requests per client per minute before 429.",
    )
    rate_limit_burst: int = Field(
        60,
        ge=1,
        validation_alias=_env("TICKSTOCK_RATE_LIMIT_BURST"),
        description="API requests a client may make at once before the per-minute rate applies.",
    )
    tls_certfile: str | None = Field(
        None,
        validation_alias=_env("TICKSTOCK_TLS_CERTFILE"),
        description="PEM certificate for HTTPS/wss.",
    )
    tls_keyfile: str | None = Field(
        None,
        validation_alias=_env("TICKSTOCK_TLS_KEYFILE"),
        description="PEM private key for HTTPS/wss.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=_env("TICKSTOCK_LOG_LEVEL"), description="Log level."
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        validation_alias=_env("TICKSTOCK_LOG_FORMAT"),
        description="Log line format: `text` (message, then key=value context) or `json` (one object per line).",
    )
    log_max_lines_per_minute: int = Field(
        600,
        ge=0,
        validation_alias=_env("TICKSTOCK_LOG_MAX_LINES_PER_MINUTE"),
        description="Most log lines per logger per minute; the rest are dropped and counted on the next line, so a flood cannot fill a disk (0 = no cap).",
    )
    log_summary_seconds: float = Field(
        60.0,
        gt=0,
        validation_alias=_env("TICKSTOCK_LOG_SUMMARY_SECONDS"),
        description="Interval of the summary log lines: events received per channel, and broadcasts (frames, events, clients, resyncs).",
    )
    access_log: bool = Field(
        True,
        validation_alias=_env("TICKSTOCK_ACCESS_LOG"),
        description="Log each HTTP request (method, path, status, ms, client) at INFO on `tickstock.access`.",
    )

    ingest: Literal["strict", "tolerant"] = Field(
        "tolerant",
        validation_alias=_env("TICKSTOCK_INGEST"),
        description="`tolerant` rewrites deviations with one meaning (`nvda`, `1m`, `250000.0`, a zone-less timestamp, a confidence in %) and counts them; `strict` rejects them. Unsafe input is rejected in both.",
    )

    # --- fan-out and recovery ------------------------------------------------------
    replay_buffer_events: int = Field(
        50_000,
        ge=100,
        validation_alias=_env("TICKSTOCK_REPLAY_BUFFER_EVENTS"),
        description="Events kept for clients that resume: a 5-minute outage at the plan's peak (100 patterns/s + 50 indicators/s = 45,000), with room to spare; bounds the app's memory.",
    )
    replay_buffer_seconds: float = Field(
        360.0,
        gt=0,
        validation_alias=_env("TICKSTOCK_REPLAY_BUFFER_SECONDS"),
        description="Age after which a kept event is no longer replayed (a snapshot is sent instead).",
    )
    client_queue_limit: int = Field(
        64,
        ge=2,
        validation_alias=_env("TICKSTOCK_CLIENT_QUEUE_LIMIT"),
        description="Frames queued for one client before it is told to resync instead of growing memory.",
    )
    max_frame_events: int = Field(
        2000,
        ge=1,
        validation_alias=_env("TICKSTOCK_MAX_FRAME_EVENTS"),
        description="Most events coalesced into one Socket.IO frame.",
    )
    min_frame_interval_ms: float = Field(
        5.0,
        ge=0,
        le=1000,
        validation_alias=_env("TICKSTOCK_MIN_FRAME_INTERVAL_MS"),
        description="Least time between two frames to one client: an event after a quiet spell leaves at once, a burst is coalesced (0 = no pacing).",
    )
    max_frame_interval_ms: float = Field(
        10.0,
        ge=0,
        le=1000,
        validation_alias=_env("TICKSTOCK_MAX_FRAME_INTERVAL_MS"),
        description="Most time the interval grows to when events come faster than one per minimum interval: it grows with the event rate, so a busy stream goes out as fewer, fuller frames (at or under the minimum = no growth).",
    )
    ws_compression: bool = Field(
        False,
        validation_alias=_env("TICKSTOCK_WS_COMPRESSION"),
        description="Offer WebSocket per-message deflate: about 5x less bandwidth to a remote browser, but every frame is compressed once per client (on loopback and LAN the CPU costs more than the bytes save).",
    )
    frame_budget_per_second: float = Field(
        10_000.0,
        ge=0,
        validation_alias=_env("TICKSTOCK_FRAME_BUDGET"),
        description="Most frames per second to all clients together: with many busy clients the interval between two frames to one client grows beyond the minimum (clients / budget) instead of saturating the cores (0 = no budget).",
    )
    events_rate_window_seconds: float = Field(
        10.0,
        gt=0,
        validation_alias=_env("TICKSTOCK_EVENTS_RATE_WINDOW"),
        description="Sliding window for the events/s metric.",
    )

    # --- engine --------------------------------------------------------------------
    health_interval: float = Field(
        60.0,
        gt=0,
        validation_alias=_env("TICKSTOCK_HEALTH_INTERVAL"),
        description="Seconds between health messages; the app shows the engine stale after 3 missed.",
    )
    stale_after_intervals: int = Field(
        3,
        ge=1,
        validation_alias=_env("TICKSTOCK_STALE_AFTER_INTERVALS"),
        description="Missed health intervals after which the engine is shown stale.",
    )
    engine_symbols: int = Field(
        500,
        ge=1,
        le=20_000,
        validation_alias=_env("TICKSTOCK_ENGINE_SYMBOLS"),
        description="Symbols traded when no universe is named: the first N market leaders (synthetic names beyond 500).",
    )
    engine_seed: int = Field(
        42, validation_alias=_env("TICKSTOCK_ENGINE_SEED"), description="Synthetic feed's seed."
    )
    engine_speed: float = Field(
        1.0,
        gt=0,
        validation_alias=_env("TICKSTOCK_ENGINE_SPEED"),
        description="Simulated seconds per real second.",
    )
    engine_forming_bars: bool = Field(
        True,
        validation_alias=_env("TICKSTOCK_FORMING_BARS"),
        description="The engine publishes each symbol's forming bar (the open minute so far) on the bars channel, at most once a second.",
    )
    rsi_overbought: float = Field(
        70.0,
        gt=0,
        lt=100,
        validation_alias=_env("TICKSTOCK_RSI_OVERBOUGHT"),
        description="RSI_OVERBOUGHT threshold.",
    )
    rsi_oversold: float = Field(
        30.0,
        gt=0,
        lt=100,
        validation_alias=_env("TICKSTOCK_RSI_OVERSOLD"),
        description="RSI_OVERSOLD threshold.",
    )
    publish_buffer: int = Field(
        200_000,
        ge=1,
        validation_alias=_env("TICKSTOCK_PUBLISH_BUFFER"),
        description="Messages the engine holds while Redis is down; beyond it the oldest are dropped and counted.",
    )
    write_buffer: int = Field(
        2_000_000,
        ge=1,
        validation_alias=_env("TICKSTOCK_WRITE_BUFFER"),
        description="Rows the engine holds while the database is down; beyond it the oldest are dropped and counted.",
    )
    lag_warning_ms: float = Field(
        1000.0,
        gt=0,
        validation_alias=_env("TICKSTOCK_LAG_WARNING_MS"),
        description="Processing lag that makes health 'warning'.",
    )
    lag_critical_ms: float = Field(
        5000.0,
        gt=0,
        validation_alias=_env("TICKSTOCK_LAG_CRITICAL_MS"),
        description="Processing lag that raises a critical alert.",
    )

    # --- market data feeds ---------------------------------------------------------
    feed: Literal["synthetic", "replay", "massive", "alpaca"] = Field(
        "synthetic",
        validation_alias=_env("TICKSTOCK_FEED"),
        description="Where the engine's market data comes from: its own synthetic market, a replayed file, or a live provider (docs/feeds.md).",
    )
    universe: str | None = Field(
        None,
        validation_alias=_env("TICKSTOCK_UNIVERSE"),
        description="The symbols by name: market_leaders:top_500, market_leaders:top_N (N <= 500), dow30 or nasdaq100 (docs/feeds.md); unset: the first TICKSTOCK_ENGINE_SYMBOLS leaders. `--symbols-file` overrides it.",
    )
    massive_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("MASSIVE_API_KEY"),
        description="Massive (formerly Polygon.io) API key for TICKSTOCK_FEED=massive; never logged.",
    )
    alpaca_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("ALPACA_API_KEY"),
        description="Alpaca API key id for TICKSTOCK_FEED=alpaca; never logged.",
    )
    alpaca_secret_key: SecretStr | None = Field(
        None,
        validation_alias=_env("ALPACA_SECRET_KEY"),
        description="Alpaca API secret key for TICKSTOCK_FEED=alpaca; never logged.",
    )
    feed_key_file: str | None = Field(
        None,
        validation_alias=_env("TICKSTOCK_FEED_KEY_FILE"),
        description="A file of KEY=value lines (MASSIVE_API_KEY, ALPACA_API_KEY, ALPACA_SECRET_KEY) read when the variables are unset.",
    )
    massive_host: str = Field(
        "socket.massive.com",
        validation_alias=_env("TICKSTOCK_MASSIVE_HOST"),
        description="Massive WebSocket host[:port] (plans differ): socket.massive.com real-time, delayed.massive.com 15-minute delayed, business.massive.com business.",
    )
    massive_secure: bool = Field(
        True,
        validation_alias=_env("TICKSTOCK_MASSIVE_SECURE"),
        description="wss:// to the Massive host (false only for a local test server).",
    )
    massive_subscription: Literal["AM", "A", "T"] = Field(
        "AM",
        validation_alias=_env("TICKSTOCK_MASSIVE_SUBSCRIPTION"),
        description="Massive events: AM minute aggregates, A second aggregates or T trades (both built into 1-minute bars).",
    )
    alpaca_feed: Literal["iex", "sip"] = Field(
        "iex",
        validation_alias=_env("TICKSTOCK_ALPACA_FEED"),
        description="Alpaca stock data feed: iex (free) or sip (paid).",
    )
    alpaca_url: str | None = Field(
        None,
        validation_alias=_env("TICKSTOCK_ALPACA_URL"),
        description="Alpaca WebSocket URL override (a local test server); unset: Alpaca's own.",
    )
    alpaca_subscription: Literal["bars", "trades"] = Field(
        "bars",
        validation_alias=_env("TICKSTOCK_ALPACA_SUBSCRIPTION"),
        description="Alpaca events: minute bars, or trades built into 1-minute bars.",
    )
    feed_close_grace: float = Field(
        2.0,
        gt=0,
        le=60,
        validation_alias=_env("TICKSTOCK_FEED_CLOSE_GRACE"),
        description="Real seconds a live minute stays open for stragglers after its first bar (or its end, for trades) unless every symbol has reported.",
    )
    feed_warmup_minutes: int = Field(
        60,
        ge=0,
        le=1000,
        validation_alias=_env("TICKSTOCK_FEED_WARMUP_MINUTES"),
        description="Live feeds: regular-hours minutes of history loaded over REST before the first live minute, so indicators are ready (0 = none).",
    )
    feed_refill_after_minutes: int = Field(
        3,
        ge=0,
        validation_alias=_env("TICKSTOCK_FEED_REFILL_AFTER_MINUTES"),
        description="Live feeds: a gap of more minutes than this in a session is refilled over REST (0 = never).",
    )
    massive_rest_url: str = Field(
        "https://api.massive.com",
        validation_alias=_env("TICKSTOCK_MASSIVE_REST_URL"),
        description="Massive REST base URL (history for warm-up and refill).",
    )
    alpaca_rest_url: str | None = Field(
        None,
        validation_alias=_env("TICKSTOCK_ALPACA_REST_URL"),
        description="Alpaca market data REST base URL override (a local test server); unset: Alpaca's own.",
    )
    extended_hours: bool = Field(
        False,
        validation_alias=_env("TICKSTOCK_EXTENDED_HOURS"),
        description="Live feeds: stream pre-market and after-hours minutes too (the session then runs 04:00-20:00 New York).",
    )


def load_settings(**overrides: object) -> Settings:
    """Read the settings once; a bad value raises ``ConfigError`` naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        raise ConfigError(variable_of(Settings, name), first["msg"]) from None
    except SettingsError as exc:  # e.g. a list setting whose value is not JSON
        found = re.search(r'field "([^"]+)"', str(exc))
        reason = f'cannot read its value ({exc.__cause__ or exc}); lists are JSON, e.g. ["a"]'
        raise ConfigError(
            variable_of(Settings, found.group(1) if found else "settings"), reason
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read on first use)."""
    return load_settings()
