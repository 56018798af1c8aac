"""`tickstock demo` names a child that stopped as the reader knows it."""

from __future__ import annotations

import sys

from tickstock.demo import child_name


def test_a_child_is_named_by_its_program_or_its_tickstock_command() -> None:
    assert child_name(["/usr/bin/redis-server", "--port", "40053", "--bind", "127.0.0.1"]) == (
        "redis-server"
    )
    app = [sys.executable, "-m", "tickstock.cli", "serve", "--host", "127.0.0.1", "--port", "1"]
    assert child_name(app) == "tickstock serve"
    assert child_name([sys.executable, "-m", "tickstock.cli", "engine", "--speed", "26"]) == (
        "tickstock engine"
    )
