"""`tickstock demo`: the whole system from one command, stopped by Ctrl-C with nothing left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from tests.demo_process import start_demo
from tests.servers import free_port, wait_until

pytestmark = pytest.mark.timeout(180)


class DemoProcess:
    """``tickstock demo`` in its own process group, as a terminal would run it."""

    def __init__(self, cwd: Path, port: int) -> None:
        self.started = time.monotonic()
        self.proc = start_demo(port, cwd, speed=300, symbols=20)
        self.lines: list[str] = []
        self.url_seen_after: float | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if "TickStock Live is running" in line and self.url_seen_after is None:
                self.url_seen_after = time.monotonic() - self.started

    def output(self) -> str:
        return "\n".join(self.lines[-40:])

    def family(self) -> list[psutil.Process]:
        try:
            return [
                psutil.Process(self.proc.pid),
                *psutil.Process(self.proc.pid).children(recursive=True),
            ]
        except psutil.NoSuchProcess:
            return []

    def ctrl_c(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does


def status(port: int) -> dict | None:
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/api/streaming/status", timeout=2)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code == 200 else None


@pytest.fixture
def started_demos() -> Iterator[list[DemoProcess]]:
    """Every demo a test starts; any still running at teardown (a failed test) is killed."""
    demos: list[DemoProcess] = []
    yield demos
    for demo in demos:
        if demo.proc.poll() is None:
            os.killpg(demo.proc.pid, signal.SIGKILL)
            demo.proc.wait()


def run_until_session(cwd: Path, started: list[DemoProcess]) -> tuple[DemoProcess, int, dict]:
    port = free_port()
    demo = DemoProcess(cwd, port)
    started.append(demo)
    wait_until(
        lambda: demo.url_seen_after is not None,
        60,
        lambda: f"the demo printed no URL:\n{demo.output()}",
    )
    seen: dict = {}

    def session_active() -> bool:
        body = status(port)
        if body and body.get("session") and body["session"]["status"] == "active":
            seen.update(body)
            return True
        return False

    wait_until(session_active, 60, lambda: f"no active session on the page:\n{demo.output()}")
    return demo, port, seen


def stop_and_check_nothing_left(demo: DemoProcess, sig: signal.Signals | None = None) -> None:
    """Ctrl-C (SIGINT to the group), or ``sig`` to the demo process alone."""
    family = demo.family()
    assert len(family) >= 4, f"expected demo, redis, app and engine: {family}"
    if sig is None:
        demo.ctrl_c()
    else:
        demo.proc.send_signal(sig)
    try:
        demo.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(demo.proc.pid, signal.SIGKILL)
        pytest.fail(f"the demo did not stop on {sig or 'Ctrl-C'}:\n{demo.output()}")
    assert demo.proc.returncode == 0, demo.output()
    wait_until(
        lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in family),
        15,
        lambda: f"processes left behind: {[p for p in family if p.is_running()]}",
    )


def test_demo_runs_everything_and_ctrl_c_leaves_no_process(
    tmp_path: Path, started_demos: list[DemoProcess]
) -> None:
    demo, port, first = run_until_session(tmp_path, started_demos)
    assert first["app"]["redis"] == "connected"
    assert first["session"]["symbol_count"] == 20
    page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
    assert page.status_code == 200 and "Live Streaming" in page.text
    # Redis's own start-up banner and warnings go to its log file, not the demo's terminal.
    printed = "\n".join(demo.lines)
    assert "Redis is starting" not in printed and "overcommit" not in printed, printed
    assert (tmp_path / "var" / "redis" / "redis.log").read_text().strip(), "redis logs to var/"
    print(f"demo: URL after {demo.url_seen_after:.1f} s")
    stop_and_check_nothing_left(demo)

    again, port, _ = run_until_session(
        tmp_path, started_demos
    )  # a second run keeps the first one's history
    sessions = httpx.get(f"http://127.0.0.1:{port}/api/streaming/sessions", timeout=5).json()
    ids = {s["session_id"] for s in sessions["sessions"]}
    assert first["session"]["session_id"] in ids, "the first run's session is still in the history"
    stop_and_check_nothing_left(again)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_the_demo_alone_stops_redis_the_app_and_the_engine(
    tmp_path: Path, started_demos: list[DemoProcess], sig: signal.Signals
) -> None:
    demo, _, _ = run_until_session(tmp_path, started_demos)
    stop_and_check_nothing_left(demo, sig)


def test_a_port_already_in_use_is_refused_at_once_naming_the_port_and_the_way_out(
    tmp_path: Path,
) -> None:
    # Another program listens on the port (often another app on 8000): the demo must not
    # take that program's open port for its own app being ready and print its URL.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = start_demo(port, tmp_path, speed=300, symbols=20)
        try:
            output, _ = demo.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            output, _ = demo.communicate()
            pytest.fail(f"the demo kept running on a taken port:\n{output}")
    assert demo.returncode != 0, output
    assert f"port {port} is in use" in output, output
    assert "--port" in output, output
    assert "TickStock Live is running" not in output, output
    assert not (tmp_path / "var").exists(), "nothing is started before the port is checked"
