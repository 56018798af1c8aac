"""The naive baseline: one ``emit`` per message per client, no coalescing, no sequence.

What a first implementation of the plan typically looks like: a Redis listener that
validates each message and calls ``sio.emit(event, data, to=sid)`` for every connected
client. Same contract parsing and the same orjson encoder as ours, so the difference
measured is the fan-out design alone.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
import socketio

from tickstock.app.socket_server import OrjsonModule
from tickstock.contract import ALL_CHANNELS, to_wire
from tickstock.contract.parse import detections_of, parse


def create_naive_app(redis_url: str) -> Any:
    sio = socketio.AsyncServer(async_mode="asgi", json=OrjsonModule, cors_allowed_origins="*")
    clients: set[str] = set()
    tasks: list[asyncio.Task[None]] = []

    @sio.on("connect")
    async def connect(sid: str, environ: Any, auth: Any = None) -> None:
        clients.add(sid)

    @sio.on("disconnect")
    async def disconnect(sid: str, reason: Any = None) -> None:
        clients.discard(sid)

    async def listen() -> None:
        client = aioredis.Redis.from_url(redis_url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(*ALL_CHANNELS)
        async for message in pubsub.listen():
            try:
                parsed = parse(message["channel"].decode(), message["data"])
            except Exception:
                continue
            for detection in detections_of(parsed):
                data = {"type": "streaming_pattern", "detection": to_wire(detection)}
                for sid in list(clients):
                    await sio.emit("streaming_pattern", data, to=sid)

    async def startup() -> None:
        tasks.append(asyncio.create_task(listen()))

    return socketio.ASGIApp(sio, on_startup=startup)
