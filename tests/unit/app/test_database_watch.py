"""The app's database watch ends when the app stops, whenever the stop comes.

Python 3.11's ``asyncio.wait_for`` returns the result and drops the cancellation when the
awaited call finishes in the same moment the cancel arrives; the watch then slept on for
ever and held ``tickstock serve`` open after a failed bind (seen in about one start in ten
on a loaded machine)."""

from __future__ import annotations

import asyncio

import pytest

from tickstock.app.main import LiveApp
from tickstock.app.metrics import AppMetrics
from tickstock.settings import Settings


class AnsweringDatabase:
    """A database whose ping answers at once and says when it did."""

    def __init__(self) -> None:
        self.pinged = asyncio.Event()

    def connect(self) -> None:  # pragma: no cover - the watch only pings
        raise AssertionError("the watch only pings")

    async def ping(self) -> None:
        self.pinged.set()


async def test_the_watch_stops_when_cancelled_as_its_ping_answers() -> None:
    database = AnsweringDatabase()
    live = LiveApp(Settings(), database, AppMetrics())
    watch = asyncio.create_task(live._watch_database())
    await database.pinged.wait()
    watch.cancel()  # the ping has answered; the watch has not read the answer yet
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(watch, 2.0)
