"""A live feed's keys and symbols: from the environment or a key file, never logged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tickstock.engine.live_config import live_feed_config
from tickstock.errors import ConfigError
from tickstock.settings import load_settings


def test_a_missing_key_names_its_variable() -> None:
    settings = load_settings(massive_api_key=None, feed_key_file=None)
    with pytest.raises(ConfigError) as raised:
        live_feed_config(settings, "massive", None, 10)
    assert raised.value.variable == "MASSIVE_API_KEY"


def test_keys_come_from_the_key_file_when_the_variables_are_unset(tmp_path: Path) -> None:
    keys = tmp_path / "keys.env"
    keys.write_text("# feed keys\nALPACA_API_KEY=id-1\nALPACA_SECRET_KEY='s-2'\n", encoding="utf-8")
    settings = load_settings(alpaca_api_key=None, alpaca_secret_key=None, feed_key_file=str(keys))
    live = live_feed_config(settings, "alpaca", None, 3)
    assert live.api_key.get_secret_value() == "id-1"
    assert live.secret_key is not None and live.secret_key.get_secret_value() == "s-2"
    assert "id-1" not in repr(live) and "s-2" not in repr(live)
    assert len(live.symbols) == 3


def test_symbols_come_from_the_symbols_file(tmp_path: Path) -> None:
    path = tmp_path / "symbols.txt"
    path.write_text("aapl\n\nBRK.B  # Berkshire\nAAPL\n", encoding="utf-8")
    settings = load_settings(massive_api_key="k")
    live = live_feed_config(settings, "massive", path, 500)
    assert live.symbols == ("AAPL", "BRK.B")
    assert live.universe == "massive:symbols.txt"


def test_a_bad_symbol_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "symbols.txt"
    path.write_text("AAPL\nnot a symbol\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2"):
        live_feed_config(load_settings(massive_api_key="k"), "massive", path, 500)


def test_a_named_universe_gives_the_symbols_and_the_session_its_name() -> None:
    settings = load_settings(massive_api_key="k")
    live = live_feed_config(settings, "massive", None, 500, "dow30")
    assert len(live.symbols) == 30 and "JPM" in live.symbols
    assert live.universe == "dow30"
    assert live_feed_config(settings, "massive", None, 3).universe == "market_leaders:top_3"


def test_the_symbols_file_wins_over_a_named_universe(tmp_path: Path) -> None:
    path = tmp_path / "symbols.txt"
    path.write_text("AAPL\n", encoding="utf-8")
    live = live_feed_config(load_settings(massive_api_key="k"), "massive", path, 500, "dow30")
    assert live.symbols == ("AAPL",)


def test_an_unknown_universe_names_the_setting_and_the_valid_names() -> None:
    with pytest.raises(ConfigError) as raised:
        live_feed_config(load_settings(massive_api_key="k"), "massive", None, 500, "sp600")
    assert raised.value.variable == "TICKSTOCK_UNIVERSE"
    assert "dow30" in raised.value.reason and "nasdaq100" in raised.value.reason
