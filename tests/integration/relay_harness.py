"""A real app under uvicorn on a free port, a SQLite database and recording Socket.IO clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import socketio
import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from tests.servers import async_wait_until, connect_until_opened

from tickstock.app.main import LiveApp, create_app
from tickstock.settings import Settings, load_settings
from tickstock.store.tables import metadata


class SqliteDatabase:
    """What the app needs of a read database, plus writes for arranging tests."""

    def __init__(self, url: str) -> None:
        self.engine: AsyncEngine = create_async_engine(url)

    async def create_tables(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string()

    def connect(self) -> Any:
        return self.engine.connect()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(table.insert(), rows)

    async def close(self) -> None:
        await self.engine.dispose()


@dataclass
class RunningApp:
    url: str
    live: LiveApp

    async def subscribed(self, timeout: float = 10) -> None:  # noqa: ASYNC109 - bounded wait
        """Return once the app is subscribed to Redis (a message published now reaches it)."""
        await async_wait_until(
            lambda: self.live.state.redis_status == "connected",
            timeout,
            "the app to subscribe to Redis",
        )


def app_settings(redis_url: str, database_url: str, **overrides: Any) -> Settings:
    return load_settings(redis_url=redis_url, database_url=database_url, **overrides)


@contextlib.asynccontextmanager
async def running_app(settings: Settings, database: Any) -> AsyncIterator[RunningApp]:
    started: list[LiveApp] = []
    app = create_app(settings, database=database, on_started=started.append)
    # port 0: the system picks a free port at the bind itself, so none can take it meanwhile
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        await async_wait_until(lambda: server.started and started, 10, "uvicorn to start the app")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield RunningApp(f"http://127.0.0.1:{port}", started[0])
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


class Listener:
    """A python-socketio client that records snapshots, resumes and every frame entry."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.snapshots: list[dict[str, Any]] = []
        self.resumed: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        #: seqs the server left out of frames as superseded latest values (no hole)
        self.superseded: list[int] = []
        self.epoch: str | None = None
        self.sio.on("snapshot", self._snapshot)
        self.sio.on("resumed", self.resumed.append)
        self.sio.on("frame", self._frame)

    async def _snapshot(self, data: dict[str, Any]) -> None:
        self.snapshots.append(data)
        self.epoch = data["epoch"]

    async def _frame(self, data: dict[str, Any]) -> None:
        self.epoch = data["epoch"]
        self.entries.extend(data["events"])
        self.superseded.extend(data.get("superseded", ()))

    @property
    def last_seq(self) -> int:
        """The seq a resume starts after: the frames' end (an entry or a superseded seq)."""
        seen = [self.entries[-1]["seq"]] if self.entries else []
        seen += self.superseded[-1:]
        if seen:
            return max(seen)
        return self.snapshots[-1]["seq"] if self.snapshots else 0

    def of(self, *events: str) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["event"] in events]

    async def connect(self, url: str, auth: dict[str, Any] | None = None) -> None:
        await connect_until_opened(
            self.sio, url, lambda: len(self.snapshots) + len(self.resumed), auth=auth, timeout=5
        )

    async def disconnect(self) -> None:
        await self.sio.disconnect()
