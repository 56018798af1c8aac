"""EngineConfig.from_settings: the settings' values, overridden by the flags given."""

from __future__ import annotations

import pytest

from tickstock.engine.config import EngineConfig
from tickstock.settings import load_settings


def test_settings_fill_what_the_flags_leave_unset() -> None:
    settings = load_settings(engine_symbols=42, engine_speed=3.0, redis_url="redis://x:1/0")
    config = EngineConfig.from_settings(settings, symbols=None, speed=9.0)
    assert config.symbols == 42
    assert config.speed == 9.0
    assert config.redis_url == "redis://x:1/0"
    assert config.lag_critical_ms == settings.lag_critical_ms


def test_an_unknown_option_is_refused() -> None:
    with pytest.raises(TypeError, match="unknown engine options: nope"):
        EngineConfig.from_settings(load_settings(), nope=1)
