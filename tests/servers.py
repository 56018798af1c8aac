"""Real servers for tests and benchmarks — Redis and PostgreSQL on loopback, never mocks.

Used by the fixtures in ``tests/conftest.py`` and, directly, by programs in ``bench/``
(``sys.path`` must hold the repository root: ``from tests.servers import RedisServer``).

Waiting helpers (poll a condition with a bounded deadline; never ``sleep`` to synchronise):

``wait_until(predicate, timeout=5.0, message="condition", *, interval=0.01, ignore=())``
    Call ``predicate()`` until it returns something truthy and return that value. On timeout
    raise ``AssertionError(f"timed out after {timeout}s waiting for: {message}")``. ``message``
    may be a callable, evaluated only on timeout (to show the state at that moment).
    Exceptions of the types in ``ignore`` count as "not yet"; the last one is chained.

``await async_wait_until(predicate, timeout=5.0, message="condition", *, interval=0.01, ignore=())``
    The same inside an event loop; ``predicate`` may be a plain function or return an awaitable.

Servers (each is also a context manager: ``with RedisServer() as redis: ...``):

``free_port() -> int``
    A TCP port on 127.0.0.1 that nothing listens on right now.

``RedisServer(port=None)``
    ``redis-server`` bound to 127.0.0.1, no persistence, data dir in a private temp folder.
    ``.start()`` (again on the SAME port after a stop), ``.stop()`` (SIGTERM, wait),
    ``.kill()`` (SIGKILL, wait: a crash), ``.close()`` (stop and delete the folder),
    ``.url`` (``redis://127.0.0.1:PORT/0``), ``.port``, ``.running``, ``.ping()``,
    ``.command(*args)`` (one raw command, e.g. ``.command("FLUSHALL")``).

``PostgresServer(port=None, database="tickstock")``
    A private cluster (``initdb`` once per instance, fsync off, trust auth on loopback) listening
    on 127.0.0.1 with its socket in its temp folder; as root it runs as the ``postgres`` OS
    user, since PostgreSQL refuses to run as root. Creates ``database`` on first start.
    ``.start()`` (again on the SAME port, data kept), ``.stop(mode="fast"|"immediate")``
    (``immediate`` is a crash: no checkpoint), ``.close()``,
    ``.url(driver="asyncpg"|"psycopg"|None, database=None)`` → SQLAlchemy URL such as
    ``postgresql+asyncpg://postgres@127.0.0.1:PORT/tickstock``, ``.dsn(database=None)`` →
    libpq URL ``postgresql://postgres@127.0.0.1:PORT/tickstock`` (psycopg, asyncpg),
    ``.create_database(name)``, ``.drop_database(name)``, ``.port``, ``.running``.

Every server still running when the interpreter exits is stopped (atexit), so a failed
session leaves no process behind.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import inspect
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Self, TypeVar

T = TypeVar("T")

REDIS_START_TIMEOUT = 10.0
POSTGRES_START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0

__all__ = [
    "PostgresServer",
    "RedisServer",
    "ServerError",
    "async_wait_until",
    "connect_until_opened",
    "find_postgres_bindir",
    "free_port",
    "wait_until",
]


class ServerError(RuntimeError):
    """A test server could not be found, started or stopped; the message says why."""


# --- waiting -----------------------------------------------------------------------------


def _describe(message: str | Callable[[], str]) -> str:
    return message() if callable(message) else message


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 5.0,
    message: str | Callable[[], str] = "condition",
    *,
    interval: float = 0.01,
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Poll ``predicate`` until it returns a truthy value, which is returned.

    Raises AssertionError naming ``message`` when ``timeout`` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = predicate()
        except ignore as exc:
            last_error = exc
        else:
            if value:
                return value
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout}s waiting for: {_describe(message)}"
            ) from last_error
        time.sleep(interval)


async def async_wait_until(
    predicate: Callable[[], T | Awaitable[T]],
    timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline, not a cancellation scope
    message: str | Callable[[], str] = "condition",
    *,
    interval: float = 0.01,
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """``wait_until`` for coroutines: yields to the event loop between polls.

    ``predicate`` may be a plain function or one returning an awaitable (an ``async def``).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
        except ignore as exc:
            last_error = exc
        else:
            if value:
                return value  # type: ignore[return-value]
        if loop.time() >= deadline:
            raise AssertionError(
                f"timed out after {timeout}s waiting for: {_describe(message)}"
            ) from last_error
        await asyncio.sleep(interval)


# --- shared plumbing ---------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free at the time of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: How many ports a server started on ``free_port()`` tries: another process can take the
#: port between the choice and the bind (seen when test runs share a machine).
BIND_ATTEMPTS = 3


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


_live: set[_Server] = set()  # strong references: a forgotten server is still stopped at exit


@atexit.register
def _stop_all() -> None:
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.close()


class _Server:
    """A child process in a private temp folder, restartable on the same port."""

    name = "server"

    def __init__(self, port: int | None) -> None:
        self.port = port if port is not None else free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"tickstock-{self.name}-"))
        self._process: subprocess.Popen[bytes] | None = None
        self._starts = 0
        _live.add(self)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running and self._process else None

    def _log_path(self) -> Path:
        return self.dir / f"{self.name}.log"

    def _spawn(self, argv: list[str], **kwargs: Any) -> None:
        self._starts += 1
        log = self._log_path().open("ab")
        try:
            self._process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, **kwargs
            )
        finally:
            log.close()

    def _wait_ready(self, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self._process is not None and self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise ServerError(
                    f"{self.name} on 127.0.0.1:{self.port} exited with code {code} while "
                    f"starting; log {self._log_path()}:\n{_tail(self._log_path())}"
                )
            if ready():
                return
            if time.monotonic() >= deadline:
                self._signal_and_wait(signal.SIGKILL)
                raise ServerError(
                    f"{self.name} on 127.0.0.1:{self.port} not ready after {timeout}s; "
                    f"log {self._log_path()}:\n{_tail(self._log_path())}"
                )
            time.sleep(0.02)

    def _signal_and_wait(self, sig: signal.Signals, timeout: float = STOP_TIMEOUT) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)

    def stop(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        """Stop the server for good and delete its folder."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        _live.discard(self)

    def __enter__(self) -> Self:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> Self:  # pragma: no cover - overridden
        raise NotImplementedError


# --- Redis -------------------------------------------------------------------------------


def _resp(*args: str | bytes | int) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class RedisServer(_Server):
    """A private ``redis-server`` on 127.0.0.1; see the module docstring."""

    name = "redis"

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerError("redis-server is not installed; run `make bootstrap`")
        self.binary = binary
        super().__init__(port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Self:
        """Start (or restart) on ``self.port``; returns once it answers PING."""
        if self.running:
            return self
        self._spawn(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.dir),
                "--daemonize", "no",
                "--loglevel", "warning",
            ],
            cwd=self.dir,
        )  # fmt: skip
        self._wait_ready(self.ping, REDIS_START_TIMEOUT)
        return self

    def stop(self) -> None:
        """Shut down (SIGTERM) and wait; ``start()`` brings it back on the same port."""
        self._signal_and_wait(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL, like a crash; ``start()`` brings it back on the same port (empty)."""
        self._signal_and_wait(signal.SIGKILL)

    def command(self, *args: str | bytes | int, timeout: float = 2.0) -> bytes:
        """Send one command and return the raw first reply line (``b"+OK"``, ``b":1"``...)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(_resp(*args))
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        if reply.startswith(b"-"):
            raise ServerError(f"redis 127.0.0.1:{self.port}: {args[0]!r} failed: {reply!r}")
        return reply.split(b"\r\n", 1)[0]

    def ping(self) -> bool:
        try:
            return self.command("PING", timeout=0.5) == b"+PONG"
        except (OSError, ServerError):
            return False


# --- PostgreSQL --------------------------------------------------------------------------


def find_postgres_bindir() -> Path:
    """The directory holding ``initdb`` and ``postgres`` (``pg_config --bindir`` first)."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    for path in candidates:
        if (path / "initdb").is_file() and (path / "postgres").is_file():
            return path
    raise ServerError(
        "PostgreSQL server binaries (initdb, postgres) not found via pg_config --bindir or "
        "/usr/lib/postgresql/*/bin; run `make bootstrap`"
    )


class PostgresServer(_Server):
    """A private PostgreSQL cluster on 127.0.0.1; see the module docstring."""

    name = "postgres"
    user = "postgres"  # the database superuser

    def __init__(self, port: int | None = None, database: str = "tickstock") -> None:
        self.bindir = find_postgres_bindir()
        self.database = database
        super().__init__(port)
        self.data = self.dir / "data"
        # PostgreSQL refuses to run as root: then it runs as the postgres OS user, as a direct
        # child (Popen(user=...)) so that stop() signals the postmaster itself.
        self._as: dict[str, Any] = {}
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerError(
                    "running as root and there is no `postgres` OS user to run PostgreSQL as; "
                    "run `make bootstrap` (apt-get install postgresql creates it)"
                ) from None
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            self._as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        self._env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}

    def _initdb(self) -> None:
        command = [
            str(self.bindir / "initdb"),
            "-D", str(self.data),
            "-U", self.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]  # fmt: skip
        result = subprocess.run(
            command, cwd=self.dir, env=self._env, capture_output=True, text=True, timeout=120,
            **self._as,
        )  # fmt: skip
        if result.returncode != 0:
            raise ServerError(
                f"initdb failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
            )

    def start(self) -> Self:
        """Start (or restart) on ``self.port``; returns once it accepts connections."""
        if self.running:
            return self
        first = not self.data.exists()
        if first:
            self._initdb()
        self._spawn(
            [
                str(self.bindir / "postgres"),
                "-D", str(self.data),
                "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1",
                "-c", f"unix_socket_directories={self.dir}",
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "max_connections=200",
                "-c", "logging_collector=off",
            ],
            cwd=self.dir, env=self._env, **self._as,
        )  # fmt: skip
        self._wait_ready(self._accepts_connections, POSTGRES_START_TIMEOUT)
        if first:
            self.create_database(self.database)
        return self

    def stop(self, mode: str = "fast") -> None:
        """Shut down and wait. ``fast``: clean (SIGINT); ``immediate``: crash (SIGQUIT)."""
        signals = {"fast": signal.SIGINT, "immediate": signal.SIGQUIT}
        if mode not in signals:
            raise ValueError(f"mode must be one of {sorted(signals)}, not {mode!r}")
        self._signal_and_wait(signals[mode])

    def close(self) -> None:
        self.stop("immediate")  # the data is thrown away: no need for a checkpoint
        super().close()

    def dsn(self, database: str | None = None) -> str:
        """A libpq URL, accepted by psycopg and asyncpg directly."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database or self.database}"

    def url(self, driver: str | None = "asyncpg", database: str | None = None) -> str:
        """A SQLAlchemy URL: ``postgresql+<driver>://postgres@127.0.0.1:PORT/<database>``."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}@127.0.0.1:{self.port}/{database or self.database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement in autocommit mode (CREATE/DROP DATABASE and the like)."""
        import psycopg

        with psycopg.connect(self.dsn(database), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str) -> None:
        self.execute(f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _accepts_connections(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.dsn("postgres"), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False


async def connect_until_opened(
    sio: Any,
    url: str,
    openings: Callable[[], int],
    *,
    auth: Any = None,
    timeout: float = 10.0,  # noqa: ASYNC109 - a polling deadline, not a cancellation scope
) -> None:
    """Connect a Socket.IO client and wait for the server's opening (``snapshot`` or
    ``resumed``), which ``openings()`` counts.

    The server builds the opening after the handshake: an event published before it is in
    the snapshot, not in a frame. A test that connects, then publishes and expects frames
    must therefore wait for the opening first.
    """
    before = openings()
    await sio.connect(url, transports=["websocket"], auth=auth, wait_timeout=timeout)
    await async_wait_until(
        lambda: openings() > before,
        timeout,
        f"the server's snapshot or resumed after connecting to {url}",
    )
