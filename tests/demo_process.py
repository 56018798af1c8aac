"""``tickstock demo`` started as a terminal would: in its own process group (Ctrl-C reaches
the whole family) and with no ``REDIS_URL``/``DATABASE_URL`` of the caller's, so it starts
its own. Used by the demo command's test and by the docs' screenshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def start_demo(port: int, cwd: Path, *, speed: int, symbols: int) -> subprocess.Popen[str]:
    """The demo on ``port`` from 09:29, its output (stdout and stderr) as text lines."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tickstock.cli",
            "demo",
            "--port",
            str(port),
            "--speed",
            str(speed),
            "--symbols",
            str(symbols),
            "--start",
            "09:29",
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )
