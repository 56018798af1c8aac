"""``tickstock demo``: the whole system on embedded defaults, in one command.

Starts a private ``redis-server`` under ``./var/`` (unless ``REDIS_URL`` is set), migrates
the SQLite database under ``./var/``, runs the engine on an accelerated clock from
pre-market (a whole trading day in about 15 minutes, then the next one) and the web app,
prints the URL, and on Ctrl-C stops every process it started. The engine and the app run
as separate processes, exactly as they would in production: they meet only in Redis and
the database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tickstock.demo_banner import engine_banner, without_password
from tickstock.errors import ConfigError
from tickstock.settings import load_settings

VAR = Path("var")
#: Simulated seconds per real second: 09:25 → 16:05 (400 minutes) in about 15 minutes.
DEFAULT_SPEED = 26.0
#: A scripted feed outage mid-day, so the critical alert and its recovery are seen.
DEMO_FAULTS = ("feed-gap@12:30+120s",)


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="run Redis, database, engine and web app together")
    demo.add_argument(
        "--speed",
        type=float,
        default=DEFAULT_SPEED,
        help="simulated seconds per second (default %(default)g)",
    )
    demo.add_argument(
        "--symbols", type=int, help="symbols the feed trades (default: TICKSTOCK_UNIVERSE or 500)"
    )
    demo.add_argument("--replay", type=Path, help="replay a CSV of 1-minute bars instead")
    demo.add_argument("--no-engine", action="store_true", help="connect to an external producer")
    demo.add_argument(
        "--port", type=int, default=8000, help="web app port (default %(default)s; 0 = a free one)"
    )
    demo.add_argument(
        "--start",
        default="09:25",
        help="simulated New York time of day to start at, HH:MM (default %(default)s)",
    )
    demo.add_argument(
        "--catch-up",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="started after the open, play the day so far at once first (default: on)",
    )
    demo.set_defaults(handler=run_demo)


class DemoStopped(Exception):
    """SIGTERM or SIGHUP: stop everything, as Ctrl-C does."""


def _stop_on_signal(signum: int, frame: object) -> None:
    raise DemoStopped(signal.Signals(signum).name)


def run_demo(args: argparse.Namespace) -> int:
    # A service manager's SIGTERM, or a closed terminal's SIGHUP, reaches this process
    # only (Ctrl-C reaches the whole group): the children must be stopped from here.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    settings = load_settings()  # what the engine will read: the feed the banner names
    port = args.port or _free_port()
    _require_free_port(port)
    VAR.mkdir(exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []
    tickstock = [sys.executable, "-m", "tickstock.cli"]
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{(VAR / 'tickstock.db').resolve()}")
    env.setdefault("TICKSTOCK_HEALTH_INTERVAL", "5")
    try:
        if "REDIS_URL" not in os.environ:
            redis_port = _free_port()
            children.append(_start_redis(redis_port))
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            _wait_for_port(redis_port, "redis-server (log: var/redis/redis.log)", children[-1])
        subprocess.run([*tickstock, "db", "upgrade"], env=env, check=True)
        children.append(
            subprocess.Popen(
                [*tickstock, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env
            )
        )
        _wait_for_port(port, "the web app", children[-1])
        if not args.no_engine:
            engine = [
                *tickstock,
                "engine",
                "--speed",
                str(args.speed),
                "--start",
                args.start,
                "--health-interval",
                env["TICKSTOCK_HEALTH_INTERVAL"],
                "--days",
                "0",
            ]
            if args.replay:
                engine += ["--replay", str(args.replay)]
            else:
                engine += ["--symbols", str(args.symbols)] if args.symbols else []
                if settings.feed == "synthetic":  # a live feed has real faults of its own
                    for fault in DEMO_FAULTS:
                        engine += ["--fault", fault]
                    engine += ["--catch-up"] if args.catch_up else []
            children.append(subprocess.Popen(engine, env=env))
        print(f"\nTickStock Live is running: http://127.0.0.1:{port}/#/streaming")
        print(
            f"  Redis {without_password(env['REDIS_URL'])}   "
            f"database {without_password(env['DATABASE_URL'])}"
        )
        if not args.no_engine:
            banner = engine_banner(
                settings,
                speed=args.speed,
                start=args.start,
                symbols=args.symbols,
                replay=args.replay,
            )
            print(f"  {banner}; Ctrl-C stops everything\n")
        return _wait(children)
    except (KeyboardInterrupt, DemoStopped):
        return 0
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # a second signal must not cut the cleanup
        _stop(children)


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise ConfigError("REDIS_URL", "unset and no redis-server installed; run `make bootstrap`")
    data = (VAR / "redis").resolve()
    data.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data),
            "--save",
            "",
            "--appendonly",
            "no",
            "--loglevel",
            "warning",
            # Its start-up banner and warnings (memory overcommit) are for its log, not the
            # demo's terminal; a Redis that fails to start is named there.
            "--logfile",
            str(data / "redis.log"),
        ],
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _require_free_port(port: int) -> None:
    """Another program listening on the port would pass for the app being ready (its URL
    printed, then the app failing to bind): refuse it before anything is started."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise ConfigError(
                "demo",
                f"port {port} is in use; stop what runs there or pass --port N (0 = any free port)",
            ) from None


def _wait_for_port(
    port: int, what: str, process: subprocess.Popen[bytes], timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError("demo", f"{what} exited with code {process.returncode} at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)  # polling a port that is not open yet; bounded by the deadline
    raise ConfigError("demo", f"{what} did not open port {port} within {timeout:.0f} s")


def child_name(args: Sequence[object]) -> str:
    """ "redis-server", "tickstock serve", "tickstock engine": what the reader started."""
    words = [str(a) for a in args]
    if "tickstock.cli" in words[:3]:
        return f"tickstock {words[words.index('tickstock.cli') + 1]}"
    return Path(words[0]).name


def _wait(children: list[subprocess.Popen[bytes]]) -> int:
    while True:
        for child in children:
            code = child.poll()
            if code is not None:
                name = child_name(child.args if isinstance(child.args, list) else [child.args])
                print(f"tickstock demo: {name} exited ({code}); stopping", file=sys.stderr)
                return code or 1
        time.sleep(0.5)  # supervising children; nothing to synchronise with


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in reversed(children):
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in reversed(children):
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
