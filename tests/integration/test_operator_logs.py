"""What an operator reads: every kind of line docs/operations.md promises appears, with its
context, from a real app under uvicorn fed by a real Redis and read by a real client."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import orjson
import pytest
import redis.asyncio as aioredis
import socketio
from tests.integration.relay_harness import Listener, app_settings, running_app
from tests.servers import async_wait_until

from tickstock.contract import Channel
from tickstock.contract.samples import SAMPLES

pytestmark = pytest.mark.timeout(60)

HEALTH = Channel.HEALTH.value


def lines(caplog, message: str, **fields: Any) -> list[logging.LogRecord]:
    """Records whose message starts with ``message`` and whose context holds ``fields``."""
    return [
        r
        for r in caplog.records
        if r.getMessage().startswith(message)
        and all(getattr(r, "fields", {}).get(k) == v for k, v in fields.items())
    ]


async def appears(caplog, message: str, **fields: Any) -> logging.LogRecord:
    await async_wait_until(
        lambda: lines(caplog, message, **fields), 10, f"a log line {message!r} with {fields}"
    )
    return lines(caplog, message, **fields)[0]


async def test_every_kind_of_operator_line_appears_with_its_context(redis_url, database, caplog):
    caplog.set_level(logging.DEBUG)
    settings = app_settings(redis_url, database.url, log_summary_seconds=0.2)
    producer = aioredis.Redis.from_url(redis_url)
    try:
        async with running_app(settings, database) as app:
            await app.subscribed()
            client = Listener()
            await client.connect(app.url)
            connected = await appears(caplog, "client connected", protocol="frame")
            assert connected.levelno == logging.INFO
            assert connected.fields["client"] == "127.0.0.1"
            assert connected.fields["opening"] == "connect"

            async with httpx.AsyncClient(base_url=app.url) as http:
                assert (await http.get("/api/streaming/status")).status_code == 200
            access = await appears(caplog, "GET /api/streaming/status 200")
            assert access.name == "tickstock.access" and access.levelno == logging.INFO
            assert access.fields["method"] == "GET" and access.fields["status"] == 200
            assert access.fields["client"] == "127.0.0.1" and access.fields["ms"] >= 0

            await producer.publish(HEALTH, SAMPLES[Channel.HEALTH])
            await producer.publish(HEALTH, b"{not json")
            event = await appears(caplog, "event received", channel=HEALTH)
            assert event.levelno == logging.DEBUG and event.fields["type"] == "streaming_health"
            reject = await appears(caplog, "rejected json", channel=HEALTH, reason="json")
            assert reject.levelno == logging.WARNING and reject.fields["detail"]
            deviant = orjson.loads(SAMPLES[Channel.PATTERNS_STREAMING])
            deviant["detection"]["symbol"] = "nvda"
            await producer.publish(Channel.PATTERNS_STREAMING.value, orjson.dumps(deviant))
            normalised = await appears(caplog, "normalised symbol_case", reason="symbol_case")
            assert normalised.levelno == logging.INFO and normalised.fields["field"] == "symbol"

            # one line per interval: the two messages may fall in two intervals
            def health_summaries() -> tuple[int, int]:
                found = lines(caplog, "ingest summary", channel=HEALTH)
                return (
                    sum(r.fields["messages"] for r in found),
                    sum(r.fields["rejected"] for r in found),
                )

            await async_wait_until(
                lambda: health_summaries()[0] >= 2, 10, "ingest summaries of both messages"
            )
            summary = lines(caplog, "ingest summary", channel=HEALTH)[0]
            assert summary.levelno == logging.INFO
            assert health_summaries() == (2, 1)
            broadcast = await appears(caplog, "broadcast summary")
            assert broadcast.fields["clients"] == 1
            assert {"frames", "events", "resyncs"} <= broadcast.fields.keys()

            sid = connected.fields["sid"]
            await client.disconnect()
            gone = await appears(caplog, "client disconnected", sid=sid)
            assert gone.levelno == logging.INFO and gone.fields["reason"]
    finally:
        await producer.aclose()


async def test_the_access_log_can_be_switched_off(redis_url, database, caplog):
    caplog.set_level(logging.INFO)
    settings = app_settings(redis_url, database.url, access_log=False)
    async with running_app(settings, database) as app:
        async with httpx.AsyncClient(base_url=app.url) as http:
            assert (await http.get("/api/streaming/status")).status_code == 200
    assert [r for r in caplog.records if r.name == "tickstock.access"] == []


async def test_a_refused_client_is_logged_with_the_reason(redis_url, database, caplog):
    caplog.set_level(logging.INFO)
    settings = app_settings(redis_url, database.url, auth_token="operator-logs-token")
    async with running_app(settings, database) as app:
        client = Listener()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(app.url)
        refused = await appears(caplog, "client refused", reason="unauthorized")
        assert refused.levelno == logging.INFO and refused.fields["client"] == "127.0.0.1"
