"""`tickstock demo --help` tells a new user what they get without flags."""

from __future__ import annotations

import pytest

from tickstock.cli import main


def test_demo_help_names_the_default_speed_port_and_start(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "simulated seconds per second (default 26)" in text
    assert "web app port (default 8000; 0 = a free one)" in text
    assert "simulated New York time of day to start at, HH:MM (default 09:25)" in text
