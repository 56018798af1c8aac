"""``create_app(settings)``: the whole web app as one ASGI application.

Socket.IO at ``/socket.io``; everything else goes to the Starlette app of ``app.api``
(security headers, JSON errors, rate limit and auth on ``/api/*``) with the page, the
static files and the two vendored front-end packages added as routes. The lifespan opens
the read-only database, restores the live state from it, then starts the fan-out loop,
the metrics ticker, a database watch and the Redis subscription, and stops them all on
shutdown. Neither a missing Redis nor a missing database stops the app from serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
import socketio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from tickstock.app.api import ApiDependencies, create_api_app
from tickstock.app.auth import check_socket_auth
from tickstock.app.client_errors import client_error_routes
from tickstock.app.dashboard_settings import dashboard_settings
from tickstock.app.fanout import FanOut
from tickstock.app.history import DatabaseHistory
from tickstock.app.logs import MinuteSummaries
from tickstock.app.metrics import AppMetrics
from tickstock.app.relay import Relay
from tickstock.app.ring import RecoveryRing
from tickstock.app.socket_server import SocketGateway, create_socket_server
from tickstock.app.state import LiveState
from tickstock.app.subscriber import RedisSubscriber
from tickstock.app.transport import SocketIOTransport
from tickstock.errors import StoreError
from tickstock.settings import Settings, get_settings

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static"
#: ``<repo>/node_modules`` when running from a checkout.
NODE_MODULES = Path(__file__).resolve().parents[3] / "node_modules"
#: Only these distribution folders are served under ``/vendor/`` — never node_modules itself.
VENDORED = ("socket.io-client", "lightweight-charts")
#: Seconds between two database probes (app_status ``database``).
DATABASE_WATCH_INTERVAL = 5.0


class LiveApp:
    """The running parts of one app instance, reachable from tests via ``app.state``."""

    def __init__(self, settings: Settings, database: Any, metrics: AppMetrics) -> None:
        self.settings = settings
        self.database = database
        self.metrics = metrics
        self.epoch = secrets.token_hex(8)
        self.sio = create_socket_server(settings)
        self.state = LiveState.from_settings(settings)
        self.ring = RecoveryRing(settings.replay_buffer_events, settings.replay_buffer_seconds)
        self.history = DatabaseHistory(database.connect)
        self.fanout = FanOut(
            SocketIOTransport(self.sio),
            epoch=self.epoch,
            ring=self.ring,
            build_snapshot=self.build_snapshot,
            max_frame_events=settings.max_frame_events,
            queue_limit=settings.client_queue_limit,
            min_frame_interval=settings.min_frame_interval_ms / 1000,
            max_frame_interval=settings.max_frame_interval_ms / 1000,
            frame_budget=settings.frame_budget_per_second,
            metrics=metrics,
        )
        self.relay = Relay(
            self.state,
            self.fanout,
            metrics=metrics,
            history=self.history,
            tolerant=settings.ingest == "tolerant",
        )
        self.subscriber = RedisSubscriber(
            settings.redis_url,
            on_message=self.relay.handle,
            on_status=self.relay.set_redis_status,
            on_gap=self.relay.backfill_gap,
            metrics=metrics,
        )
        self.gateway = SocketGateway(
            self.sio,
            self.fanout,
            authorise=lambda environ, auth: check_socket_auth(environ, auth, settings),
            backfill=self.history.client_backfill,
            current_session=self.current_session_id,
            enabled=settings.streaming_dashboard_enabled,
        )
        self._tasks: list[asyncio.Task[Any]] = []
        self._redis_probe: aioredis.Redis | None = None

    def current_session_id(self) -> str | None:
        return (self.state.session or {}).get("session_id")

    def snapshot_settings(self) -> dict[str, Any]:
        return dashboard_settings(self.settings)

    def build_snapshot(self, reason: str, seq: int, backfill: Any) -> dict[str, Any]:
        return self.state.snapshot(
            epoch=self.epoch,
            seq=seq,
            reason=reason,
            settings=self.snapshot_settings(),
            backfill=backfill,
        )

    def live_status(self) -> dict[str, Any]:
        return {
            **self.state.app_status(),
            "session": self.state.session,
            "metrics": self.state.metrics(),
            "clients": len(self.fanout.clients),
            "epoch": self.epoch,
            "seq": self.ring.last_seq,
        }

    async def redis_ping(self) -> bool:
        if self._redis_probe is None:
            self._redis_probe = aioredis.Redis.from_url(
                self.settings.redis_url,
                socket_connect_timeout=1.0,
                socket_timeout=1.0,
                retry=Retry(NoBackoff(), 0),
            )
        return bool(await self._redis_probe.ping())

    async def start(self) -> None:
        enabled = self.settings.streaming_dashboard_enabled
        if enabled:
            await self._restore()
        self._spawn(self.fanout.run(), "fanout")
        self._spawn(self._watch_database(), "database-watch")
        summaries = MinuteSummaries(
            lambda: self.relay.received,
            self.metrics.broadcast_totals,
            self.settings.log_summary_seconds,
        )
        self._spawn(summaries.run(), "log-summaries")
        if enabled:
            # metrics at most once a second; staleness checked at least 4 times per health
            # interval, so a short stale spell is announced even with sub-second intervals
            tick = min(1.0, self.settings.health_interval / 4)
            self._spawn(self.relay.tick_forever(tick), "metrics-ticker")
            self._tasks.append(self.subscriber.start())
        log.info("app started (epoch %s, streaming %s)", self.epoch, "on" if enabled else "off")

    async def stop(self) -> None:
        await self.subscriber.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._redis_probe is not None:
            with contextlib.suppress(Exception):
                await self._redis_probe.aclose()
        closer = getattr(self.database, "close", None) or getattr(self.database, "dispose", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()

    def _spawn(self, coroutine: Any, name: str) -> None:
        self._tasks.append(asyncio.create_task(coroutine, name=name))

    async def _restore(self) -> None:
        await self.relay.remember_position()
        try:
            await self.history.restore(
                self.state,
                max_patterns=self.settings.streaming_max_pattern_events,
                max_alerts=self.settings.streaming_max_alert_events,
            )
        except (StoreError, OSError) as exc:
            log.warning("could not restore the live view from the database: %s", exc)
            self.state.database_status = "down"

    async def _watch_database(self) -> None:
        while True:
            try:
                # not wait_for: on 3.11 it drops a cancel that comes as the ping answers, and
                # the watch then held the process open (a stop after a failed bind)
                async with asyncio.timeout(DATABASE_WATCH_INTERVAL):
                    await self.database.ping()
                status = "ok"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.state.database_status == "ok":
                    log.warning("database unreachable: %s", exc)
                status = "down"
            if status != self.state.database_status:
                self.relay.set_database_status(status)
            await asyncio.sleep(DATABASE_WATCH_INTERVAL)


def static_routes(
    static_dir: Path = STATIC_DIR, node_modules: Path = NODE_MODULES
) -> list[BaseRoute]:
    """``/vendor/<package>/`` for the two front-end packages' ``dist``, then the page at ``/``."""
    routes: list[BaseRoute] = [
        Mount(
            f"/vendor/{package}",
            app=StaticFiles(directory=node_modules / package / "dist", check_dir=False),
        )
        for package in VENDORED
    ]
    routes.append(Mount("/", app=StaticFiles(directory=static_dir, html=True, check_dir=False)))
    return routes


def create_app(
    settings: Settings | None = None,
    *,
    database: Any = None,
    metrics: AppMetrics | None = None,
    on_started: Callable[[LiveApp], None] | None = None,
) -> ASGIApp:
    """The ASGI app of ``tickstock serve``; ``database`` overrides the read-only handle."""
    settings = settings or get_settings()
    metrics = metrics or AppMetrics()
    if database is None:
        from tickstock.store.database import open_database

        database = open_database(settings.database_url, read_only=True)
    live = LiveApp(settings, database, metrics)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.live = live
        await live.start()
        if on_started is not None:
            on_started(live)
        try:
            yield
        finally:
            await live.stop()

    deps = ApiDependencies(
        database=database,
        settings=settings,
        live_status=live.live_status,
        redis_ping=live.redis_ping,
        metrics=metrics,
    )
    routes = [*client_error_routes(settings, metrics), *static_routes()]
    http = create_api_app(deps, extra_routes=routes, lifespan=lifespan)
    http.state.live = live
    return socketio.ASGIApp(live.sio, other_asgi_app=http, socketio_path="socket.io")
