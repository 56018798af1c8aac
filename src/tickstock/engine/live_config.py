"""A live feed's ``LiveFeedConfig`` from the settings: keys, hosts, symbols.

Keys come from the environment (``MASSIVE_API_KEY``; ``ALPACA_API_KEY`` +
``ALPACA_SECRET_KEY``) or from the file named by ``TICKSTOCK_FEED_KEY_FILE`` (``KEY=value``
lines), never from the command line; they stay ``SecretStr`` and are never logged.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from tickstock.engine.config import LiveFeedConfig
from tickstock.engine.universe import is_valid_symbol, load_universe, named_universe
from tickstock.errors import ConfigError
from tickstock.settings import Settings

#: Seconds without a bar, in a session, before the feed counts as lost: minute bars come
#: once a minute, so the synthetic feed's 30 s would call every quiet minute a loss.
LIVE_FEED_LOST_AFTER = 150.0


def read_key_file(path: str) -> dict[str, str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            "TICKSTOCK_FEED_KEY_FILE", f"cannot read {path}: {exc.strerror}"
        ) from None
    keys = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            keys[name.strip()] = value.strip().strip("\"'")
    return keys


def _key(settings: Settings, name: str, value: SecretStr | None) -> SecretStr:
    if value is not None and value.get_secret_value():
        return value
    if settings.feed_key_file:
        found = read_key_file(settings.feed_key_file).get(name)
        if found:
            return SecretStr(found)
    raise ConfigError(name, "is not set (export it, or name a key file in TICKSTOCK_FEED_KEY_FILE)")


def read_symbols_file(path: Path) -> tuple[str, ...]:
    """One symbol a line; blank lines and ``#`` comments skipped; a bad symbol stops the run."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError("--symbols-file", f"cannot read {path}: {exc.strerror}") from None
    symbols: list[str] = []
    for number, line in enumerate(lines, 1):
        symbol = line.split("#", 1)[0].strip().upper()
        if not symbol:
            continue
        if not is_valid_symbol(symbol):
            raise ConfigError("--symbols-file", f"line {number}: {symbol!r} is not a symbol")
        if symbol not in symbols:
            symbols.append(symbol)
    if not symbols:
        raise ConfigError("--symbols-file", f"{path} has no symbols")
    return tuple(symbols)


def live_feed_config(
    settings: Settings,
    provider: str,
    symbols_file: Path | None,
    universe_size: int,
    universe_name: str | None = None,
) -> LiveFeedConfig:
    """The provider's connection settings; a missing key is a ``ConfigError`` naming it.

    Symbols: the file's, else the named universe's (its name is the session's universe),
    else the first ``universe_size`` leaders.
    """
    if symbols_file is not None:
        symbols, universe = read_symbols_file(symbols_file), f"{provider}:{symbols_file.name}"
    else:
        try:
            chosen = named_universe(universe_name) if universe_name else None
        except ValueError as exc:
            raise ConfigError("TICKSTOCK_UNIVERSE", str(exc)) from None
        chosen = chosen or load_universe(universe_size)
        symbols, universe = tuple(chosen.symbols), chosen.name
    common = {
        "symbols": symbols,
        "close_grace": settings.feed_close_grace,
        "extended_hours": settings.extended_hours,
        "universe": universe,
        "warmup_minutes": settings.feed_warmup_minutes,
        "refill_after_minutes": settings.feed_refill_after_minutes,
    }
    if provider == "massive":
        return LiveFeedConfig(
            provider="massive",
            api_key=_key(settings, "MASSIVE_API_KEY", settings.massive_api_key),
            host=settings.massive_host,
            secure=settings.massive_secure,
            subscription=settings.massive_subscription,
            rest_url=settings.massive_rest_url,
            key_setting="MASSIVE_API_KEY",
            **common,  # type: ignore[arg-type]
        )
    if provider == "alpaca":
        return LiveFeedConfig(
            provider="alpaca",
            api_key=_key(settings, "ALPACA_API_KEY", settings.alpaca_api_key),
            secret_key=_key(settings, "ALPACA_SECRET_KEY", settings.alpaca_secret_key),
            host=settings.alpaca_url,
            subscription=settings.alpaca_subscription,
            alpaca_feed=settings.alpaca_feed,
            rest_url=settings.alpaca_rest_url,
            key_setting="ALPACA_API_KEY",
            **common,  # type: ignore[arg-type]
        )
    raise ConfigError("TICKSTOCK_FEED", f"{provider!r} is not a live feed")
