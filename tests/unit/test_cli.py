"""The ``tickstock`` command line: its sub-commands and ``config``."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tickstock.cli import build_parser
from tickstock.settings_docs import settings_table_markdown

TICKSTOCK = Path(sys.executable).with_name("tickstock")


def tickstock(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    """Run the installed console script with a clean TickStock environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TICKSTOCK_", "STREAMING_")) and k not in {"REDIS_URL", "DATABASE_URL"}
    }
    return subprocess.run(
        [str(TICKSTOCK), *args],
        env={**base, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _sub_commands() -> list[str]:
    parser = build_parser()
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_help_lists_every_sub_command_that_exists() -> None:
    result = tickstock("--help")
    assert result.returncode == 0
    commands = _sub_commands()
    assert {"contract", "config"} <= set(commands)
    for command in commands:
        assert re.search(rf"^ {{4}}{re.escape(command)}\b", result.stdout, re.M), command


def test_no_sub_command_prints_help_and_exits_2() -> None:
    result = tickstock()
    assert result.returncode == 2
    assert "contract" in result.stdout


@pytest.fixture
def secrets() -> dict[str, str]:
    return {
        "TICKSTOCK_AUTH_TOKEN": "tok-3f9a-very-secret",
        "DATABASE_URL": "postgresql+asyncpg://tick:db-pass-77@db.internal:5432/tickstock",
        "REDIS_URL": "redis://:redis-pass-42@cache.internal:6379/0?password=redis-pass-42",
    }


def test_config_show_hides_secrets(tmp_path: Path, secrets: dict[str, str]) -> None:
    result = tickstock("config", "show", env=secrets, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for secret in ("tok-3f9a-very-secret", "db-pass-77", "redis-pass-42"):
        assert secret not in result.stdout
    assert "TICKSTOCK_AUTH_TOKEN = (set, hidden)" in result.stdout
    assert (
        "DATABASE_URL = postgresql+asyncpg://tick:***@db.internal:5432/tickstock" in result.stdout
    )


def test_config_show_prints_every_variable_as_written_in_dotenv(tmp_path: Path) -> None:
    result = tickstock("config", "show", env={"STREAMING_SOUND_ALERTS": "true"}, cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert "STREAMING_SOUND_ALERTS = true" in lines
    assert "STREAMING_MAX_PATTERN_EVENTS = 50" in lines
    assert "TICKSTOCK_AUTH_TOKEN = (unset)" in lines
    assert len(lines) == settings_table_markdown().count("\n| `")


def test_config_show_names_a_bad_variable_without_a_traceback(tmp_path: Path) -> None:
    result = tickstock("config", "show", env={"STREAMING_MAX_PATTERN_EVENTS": "abc"}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("tickstock: STREAMING_MAX_PATTERN_EVENTS: ")
    assert "Traceback" not in result.stderr


def test_config_docs_writes_the_settings_table(tmp_path: Path) -> None:
    out = tmp_path / "configuration.md"
    result = tickstock("config", "docs", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0
    assert out.read_text(encoding="utf-8") == settings_table_markdown()


def test_catch_up_is_asked_for_by_the_engine_and_on_by_default_in_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tickstock.engine import cli as engine_cli
    from tickstock.engine.report import EngineReport

    parser = build_parser()
    assert parser.parse_args(["demo"]).catch_up is True
    assert parser.parse_args(["demo", "--no-catch-up"]).catch_up is False
    run: list[bool] = []

    async def recorded(config):  # type: ignore[no-untyped-def]
        run.append(config.catch_up)
        return EngineReport(universe="test")

    monkeypatch.setattr(engine_cli, "_run_until_signal", recorded)
    for argv in (["engine", "--start", "11:00"], ["engine", "--start", "11:00", "--catch-up"]):
        args = parser.parse_args(argv)
        assert args.handler(args) == 0
    assert run == [False, True]
