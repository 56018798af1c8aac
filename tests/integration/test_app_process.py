"""The ``tickstock serve`` wrapper the e2e and browser tests share: ready only once it
answers and has subscribed, another port when its own was taken meanwhile, the same port
again after a stop, and never left running when it did not become ready."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
import redis
from tests.app_process import AppProcess
from tests.servers import free_port

from tickstock.contract import ALL_CHANNELS
from tickstock.store.migrations import upgrade

pytestmark = pytest.mark.timeout(120)


def subscribers(redis_url: str) -> set[int]:
    """The subscriber counts of the channels (one number when all have the same)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return {count for _, count in client.pubsub_numsub(*ALL_CHANNELS)}
    finally:
        client.close()


def answers(app: AppProcess) -> bool:
    return httpx.get(f"{app.url}/readyz", timeout=5).status_code == 200


def test_a_started_app_answers_and_restarts_on_the_same_port(
    redis_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    with AppProcess(redis_url, sqlite_url, tmp_path) as app:
        port, first_pid = app.port, app.pid
        assert answers(app)
        app.stop()
        assert not app.running
        app.start()
        assert (app.port, answers(app)) == (port, True)
        assert app.pid != first_pid
    assert not app.running


def test_a_second_app_on_the_same_redis_is_ready_only_once_it_has_subscribed_itself(
    redis_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    with AppProcess(redis_url, sqlite_url, tmp_path):
        assert subscribers(redis_url) == {1}
        with AppProcess(redis_url, sqlite_url, tmp_path):
            assert subscribers(redis_url) == {2}  # the first app's did not pass for its own


def test_a_port_taken_before_the_bind_costs_a_retry_on_another_port(
    redis_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    app = AppProcess(redis_url, sqlite_url, tmp_path)
    taken = app.port
    with socket.create_server(("127.0.0.1", taken)):
        app.start()
    try:
        assert app.port != taken
        assert answers(app)
        assert "address already in use" in (tmp_path / f"app-{taken}.log").read_text()
    finally:
        app.stop()


def test_an_app_that_never_becomes_ready_is_stopped_before_the_error(
    sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(sqlite_url)
    nothing_there = f"redis://127.0.0.1:{free_port()}/0"  # /readyz answers 503 meanwhile
    app = AppProcess(nothing_there, sqlite_url, tmp_path)
    app.start_timeout = 3.0
    with pytest.raises(AssertionError, match="tickstock serve to be ready"):
        app.start()
    assert app.process is not None
    assert not app.running
