"""The minimal Python clients of docs/socket-protocol.md, run as written against a real app.

A reader copies them first; each is taken from the doc's code block, pointed at the test's
app, started as its own process, and must print what a published session holds."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest
from tests.integration.relay_harness import app_settings, running_app
from tests.integration.test_relay_plan import patterns_batch
from tests.servers import async_wait_until

from tickstock.contract import Channel
from tickstock.contract.samples import SAMPLES

DOC = Path(__file__).parents[2] / "docs" / "socket-protocol.md"
DOC_URL = "http://127.0.0.1:8000"


def documented_client(heading: str) -> str:
    """The Python code block right under ``### <heading>`` in the protocol doc."""
    found = re.search(
        rf"^### {re.escape(heading)}\n```python\n(.*?)^```", DOC.read_text(), re.M | re.S
    )
    assert found, f"docs/socket-protocol.md has no Python block under '### {heading}'"
    assert DOC_URL in found.group(1), f"the '{heading}' block no longer connects to {DOC_URL}"
    return found.group(1)


async def lines_until(
    process: asyncio.subprocess.Process, wanted: list[str], within: float
) -> list[str]:
    """The client's printed lines, read until every ``wanted`` text was printed."""
    assert process.stdout is not None
    printed: list[str] = []

    async def read() -> None:
        while not all(any(w in line for line in printed) for w in wanted):
            line = await process.stdout.readline()  # type: ignore[union-attr]
            assert line, f"the client exited; it printed {printed}"
            printed.append(line.decode().rstrip())

    try:
        await asyncio.wait_for(read(), within)
    except TimeoutError:
        pytest.fail(f"the documented client did not print {wanted} in {within} s: {printed}")
    return printed


@pytest.mark.parametrize(
    ("heading", "wanted"),
    [
        ("A minimal plan client in Python (python-socketio)", ["NVDA", "['AAPL', 'AAPL', 'AAPL']"]),
        ("A minimal frame client in Python", ["streaming_pattern", "critical_alert"]),
    ],
)
async def test_the_documented_python_client_prints_a_published_session(
    heading: str, wanted: list[str], redis_url, database, publisher
) -> None:
    async with running_app(app_settings(redis_url, database.url), database) as app:
        await app.subscribed()
        code = documented_client(heading).replace(DOC_URL, app.url)
        client = await asyncio.create_subprocess_exec(
            sys.executable, "-u", "-c", code, stdout=asyncio.subprocess.PIPE
        )
        try:
            await async_wait_until(lambda: app.live.fanout.clients, 15, "the client to connect")
            for channel, raw in [
                (Channel.SESSION_STARTED, SAMPLES[Channel.SESSION_STARTED]),
                (Channel.PATTERNS_STREAMING, SAMPLES[Channel.PATTERNS_STREAMING]),
                (Channel.PATTERNS_STREAMING, patterns_batch("AAPL", 3)),
                (Channel.ALERTS_CRITICAL, SAMPLES[Channel.ALERTS_CRITICAL]),
            ]:
                await publisher.publish(channel.value, raw)
            await lines_until(client, wanted, 15)
        finally:
            client.kill()
            await client.wait()
