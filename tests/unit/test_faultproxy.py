"""The fault proxy against a real TCP echo server: every fault it claims, measured."""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections.abc import AsyncIterator

import pytest
from tests.faultproxy import FaultProxy, ThreadedFaultProxy
from tests.servers import async_wait_until, wait_until

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


async def round_trip(proxy: FaultProxy, payload: bytes) -> tuple[bytes, float]:
    reader, writer = await asyncio.open_connection(*proxy.address)
    started = time.monotonic()
    writer.write(payload)
    await writer.drain()
    echoed = await asyncio.wait_for(reader.readexactly(len(payload)), 10)
    elapsed = time.monotonic() - started
    writer.close()
    return echoed, elapsed


async def test_a_perfect_network_carries_a_megabyte_both_ways_unchanged(echo_port):
    payload = random.Random(7).randbytes(1_000_000)
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        echoed, _ = await round_trip(proxy, payload)
    assert echoed == payload
    assert proxy.stats.bytes_upstream == proxy.stats.bytes_downstream == len(payload)


async def test_latency_is_added_per_direction(echo_port):
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        _, baseline = await round_trip(proxy, b"ping")
        proxy.set_latency(upstream_ms=60, downstream_ms=40)
        echoed, delayed = await round_trip(proxy, b"ping")
    assert echoed == b"ping"
    assert delayed >= 0.100
    assert delayed - baseline < 0.100 + 0.5, "latency far above what was asked"


async def test_bandwidth_throttle_paces_the_transfer(echo_port):
    payload = bytes(100_000)
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        proxy.set_bandwidth(400_000)  # each direction: 0.25 s for 100 kB
        echoed, elapsed = await round_trip(proxy, payload)
    assert echoed == payload
    assert elapsed >= 0.24
    assert elapsed < 3.0


async def test_loss_is_a_stall_of_the_chosen_chunks_and_no_byte_is_lost(echo_port):
    async with FaultProxy("127.0.0.1", echo_port, seed=3) as proxy:
        proxy.set_loss(0.5, stall_ms=50)
        reader, writer = await asyncio.open_connection(*proxy.address)
        started = time.monotonic()
        for i in range(20):  # one chunk per message: each waits for its echo
            writer.write(b"%03d" % i)
            assert await asyncio.wait_for(reader.readexactly(3), 10) == b"%03d" % i
        elapsed = time.monotonic() - started
        writer.close()
    expected_rng = random.Random(3)
    expected_stalls = sum(expected_rng.random() < 0.5 for _ in range(40))
    assert proxy.stats.stalls == expected_stalls, "stalls follow the seeded RNG"
    assert elapsed >= expected_stalls * 0.05


async def test_dropped_connections_are_reset_and_new_ones_work(echo_port):
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        reader, writer = await asyncio.open_connection(*proxy.address)
        writer.write(b"a")
        assert await reader.readexactly(1) == b"a"
        proxy.drop_connections()
        assert proxy.stats.dropped == 1
        with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
            await asyncio.wait_for(reader.readexactly(1), 5)
        writer.close()
        echoed, _ = await round_trip(proxy, b"again")
    assert echoed == b"again"


async def test_refused_for_a_while_then_accepted_again(echo_port):
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        proxy.refuse_new(0.3)
        reader, writer = await asyncio.open_connection(*proxy.address)
        writer.write(b"x")
        with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
            await asyncio.wait_for(reader.readexactly(1), 5)
        writer.close()
        assert proxy.stats.refused == 1

        async def accepted_again() -> bool:
            try:
                echoed, _ = await round_trip(proxy, b"y")
            except (ConnectionError, asyncio.IncompleteReadError):
                return False
            return echoed == b"y"

        await async_wait_until(accepted_again, 5, "the proxy to accept again", interval=0.05)


async def test_a_partition_holds_traffic_and_delivers_it_when_healed(echo_port):
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        reader, writer = await asyncio.open_connection(*proxy.address)
        proxy.partition(0.3)
        started = time.monotonic()
        writer.write(b"held")
        assert await asyncio.wait_for(reader.readexactly(4), 5) == b"held"
        assert time.monotonic() - started >= 0.29
        writer.close()


async def test_reset_restores_a_perfect_network(echo_port):
    async with FaultProxy("127.0.0.1", echo_port) as proxy:
        proxy.set_latency(500, 500)
        proxy.set_bandwidth(10)
        proxy.set_loss(1.0)
        proxy.reset()
        _, elapsed = await round_trip(proxy, b"quick")
    assert elapsed < 0.5
    assert proxy.stats.stalls == 0


def test_invalid_controls_are_refused():
    proxy = FaultProxy("127.0.0.1", 1)
    with pytest.raises(ValueError):
        proxy.set_loss(1.5)
    with pytest.raises(ValueError):
        proxy.set_bandwidth(0)


def test_threaded_proxy_is_steered_from_synchronous_code():
    server = socket.create_server(("127.0.0.1", 0))
    echo_port = server.getsockname()[1]
    served: list[socket.socket] = []

    def serve_one() -> None:
        conn, _ = server.accept()
        served.append(conn)
        while data := conn.recv(65536):
            conn.sendall(data)
        conn.close()

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    try:
        with ThreadedFaultProxy("127.0.0.1", echo_port) as proxy:
            proxy.set_latency(upstream_ms=80)
            with socket.create_connection(proxy.address, timeout=5) as client:
                started = time.monotonic()
                client.sendall(b"sync")
                assert client.recv(4) == b"sync"
                assert time.monotonic() - started >= 0.08
            wait_until(lambda: proxy.stats.open == 0, 5, "the proxy to close the connection")
    finally:
        server.close()
        for conn in served:
            conn.close()
        thread.join(5)
