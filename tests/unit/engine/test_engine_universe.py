"""``tickstock engine --universe NAME`` / ``TICKSTOCK_UNIVERSE``: the symbols by name, on any
feed but a replay; an unknown name stops the engine at start with exit code 2 and the valid
names, before anything connects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tickstock.engine.config import EngineConfig
from tickstock.engine.sources.synthetic import SyntheticSource


def engine(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TICKSTOCK_")}
    return subprocess.run(
        [sys.executable, "-m", "tickstock.cli", "engine", *args],
        env={**clean, "REDIS_URL": "redis://127.0.0.1:1/0", **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_synthetic_market_trades_a_named_universe_under_its_name() -> None:
    source = SyntheticSource(EngineConfig(redis_url="redis://x", symbols=500, universe="dow30"))
    assert source.universe_name == "dow30"
    assert len(source.symbols) == 30 and "JPM" in source.symbols


def test_without_a_name_the_first_n_leaders_are_traded() -> None:
    source = SyntheticSource(EngineConfig(redis_url="redis://x", symbols=7))
    assert source.universe_name == "market_leaders:top_7"


def test_an_unknown_universe_flag_exits_2_listing_the_valid_names() -> None:
    result = engine("--universe", "sp600")
    assert result.returncode == 2, result.stderr
    assert "--universe: unknown universe 'sp600'" in result.stderr
    assert "dow30" in result.stderr and "market_leaders:top_500" in result.stderr


def test_an_unknown_universe_setting_names_the_variable() -> None:
    result = engine("--feed", "massive", env={"TICKSTOCK_UNIVERSE": "sp600"})
    assert result.returncode == 2, result.stderr
    assert "TICKSTOCK_UNIVERSE: unknown universe 'sp600'" in result.stderr


def test_a_universe_and_a_symbol_count_or_file_are_refused_together(tmp_path: Path) -> None:
    both = engine("--universe", "dow30", "--symbols", "5")
    assert both.returncode == 2
    assert "choose either --universe or --symbols N" in both.stderr
    symbols = tmp_path / "symbols.txt"
    symbols.write_text("AAPL\n", encoding="utf-8")
    assert engine("--universe", "dow30", "--symbols-file", str(symbols)).returncode == 2
