"""``tickstock serve``: run the web app under uvicorn."""

from __future__ import annotations

import argparse
import signal
from typing import Any

from tickstock.settings import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the dashboard, its API and the live Socket.IO stream",
        description="Serve the dashboard, REST API and Socket.IO stream (needs Redis and a database).",
    )
    parser.add_argument("--host", help="address to bind (TICKSTOCK_HOST)")
    parser.add_argument("--port", type=int, help="port to bind (TICKSTOCK_PORT)")
    parser.add_argument("--redis-url", help="Redis carrying the 8 channels (REDIS_URL)")
    parser.add_argument("--database-url", help="SQLAlchemy database URL (DATABASE_URL)")
    parser.set_defaults(handler=serve)


#: Seconds open connections get to close on SIGTERM before the app stops anyway.
SHUTDOWN_SECONDS = 5


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from tickstock.app.auth import ensure_bind_allowed
    from tickstock.app.logging_setup import configure_logging
    from tickstock.app.main import create_app
    from tickstock.gc_policy import settle_after_start_up

    overrides = {
        name: value
        for name, value in (
            ("host", args.host),
            ("port", args.port),
            ("redis_url", args.redis_url),
            ("database_url", args.database_url),
        )
        if value is not None
    }
    settings = load_settings(**overrides)
    ensure_bind_allowed(settings.host, settings)
    configure_logging(
        settings.log_level,
        settings.log_format,
        max_lines_per_minute=settings.log_max_lines_per_minute,
    )
    tls = bool(settings.tls_certfile and settings.tls_keyfile)
    scheme = "https" if tls else "http"
    shown_host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"TickStock Live on {scheme}://{shown_host}:{settings.port}/", flush=True)
    # uvicorn stops gracefully on SIGTERM, then raises the signal again with the handler it
    # found, which by default kills the process (exit -15). A service manager wants 0: the
    # handler found is this no-op, so the re-raised signal ends nothing.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    uvicorn.run(
        create_app(settings, on_started=lambda _live: settle_after_start_up()),
        host=settings.host,
        port=settings.port,
        ssl_certfile=settings.tls_certfile if tls else None,
        ssl_keyfile=settings.tls_keyfile if tls else None,
        log_config=None,
        access_log=False,  # ours (app/access_log.py) writes the access log, with context fields
        lifespan="on",
        ws_max_size=64 * 1024,
        ws_per_message_deflate=settings.ws_compression,
        # SIGTERM: open WebSockets must not hold the exit past a service manager's 10 s
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    return 0
