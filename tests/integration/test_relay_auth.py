"""Socket.IO connections when ``TICKSTOCK_AUTH_TOKEN`` is set (real app, real Redis)."""

from __future__ import annotations

import pytest
import socketio
from tests.integration.relay_harness import Listener, app_settings, running_app
from tests.servers import async_wait_until

TOKEN = "relay-token"


@pytest.mark.parametrize("auth", [None, {}, {"token": "wrong"}, {"token": TOKEN.upper()}])
async def test_socket_connect_without_the_token_is_refused(redis_url, database, auth):
    settings = app_settings(redis_url, database.url, auth_token=TOKEN)
    async with running_app(settings, database) as app:
        listener = Listener()
        refusals: list[object] = []
        listener.sio.on("connect_error", refusals.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await listener.connect(app.url, auth=auth)
        assert refusals == [{"message": "unauthorized"}]
        assert not listener.sio.connected
        assert app.live.fanout.clients == {}


async def test_socket_connect_with_the_token_gets_a_snapshot(redis_url, database):
    settings = app_settings(redis_url, database.url, auth_token=TOKEN)
    async with running_app(settings, database) as app:
        listener = Listener()
        await listener.connect(app.url, auth={"token": TOKEN})
        try:
            assert listener.sio.connected
            await async_wait_until(lambda: listener.snapshots, 5, "the connect snapshot")
            assert listener.snapshots[0]["reason"] == "connect"
        finally:
            await listener.disconnect()
