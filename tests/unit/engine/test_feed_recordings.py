"""Recordings: the made-up ones parse, and a bad line names its number."""

from __future__ import annotations

from pathlib import Path

import pytest

from tickstock.cli import main
from tickstock.engine.feedserver.recording import Disconnect, Frame, Pause, parse_recording
from tickstock.errors import FeedError


def test_feed_server_makes_a_recording_of_minute_aggregates(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    argv = ["feed-server", "massive", "--make-recording", str(path)]
    assert main([*argv, "--symbols", "3", "--minutes", "2", "--date", "2025-03-03"]) == 0
    steps = parse_recording(path.read_text().splitlines())
    assert len(steps) == 2 and all(isinstance(s, Frame) for s in steps)
    first = steps[0].messages[0]  # type: ignore[union-attr]
    assert first["ev"] == "AM" and first["e"] - first["s"] == 60_000
    assert first["l"] <= min(first["o"], first["c"]) <= max(first["o"], first["c"]) <= first["h"]
    assert first["s"] == 1741012200000  # 2025-03-03 09:30 New York, in ms


def test_directives_and_a_bad_line() -> None:
    steps = parse_recording(['[{"ev":"AM"}]', '{"pause": 0.5}', '{"disconnect": true}', ""])
    assert [type(s) for s in steps] == [Frame, Pause, Disconnect]
    with pytest.raises(FeedError, match="recording:2"):
        parse_recording(["[]", '{"nonsense": 1}'])
