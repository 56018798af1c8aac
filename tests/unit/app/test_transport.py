"""SocketIOTransport: the queue patch, sid lookups and packet encoding on a real AsyncServer."""

from __future__ import annotations

import asyncio

import pytest
import socketio
from engineio.async_socket import AsyncSocket
from engineio.exceptions import QueueEmpty

from tickstock.app.transport import SocketIOTransport, TransportQueue


async def test_a_frame_handed_to_a_waiting_writer_is_not_counted_as_queued():
    queue = TransportQueue()
    waiting = queue.get()
    queue.put_nowait("frame")
    assert waiting.result() == "frame"
    assert queue.qsize() == 0
    queue.task_done()
    await queue.join()


async def test_every_client_queue_engine_io_creates_is_a_transport_queue():
    sio = socketio.AsyncServer(async_mode="asgi")
    SocketIOTransport(sio)
    assert isinstance(sio.eio.create_queue(), TransportQueue)


def test_a_packet_is_one_socket_io_event_in_one_engine_io_message_encoded_once():
    packet = SocketIOTransport.packet("frame", '{"epoch":"e1","events":[]}')
    encoded = packet.encode()
    assert encoded == '42["frame",{"epoch":"e1","events":[]}]'
    assert packet.encode() is encoded, "a packet shared by many clients is encoded once"


def test_a_data_packet_encodes_its_payload_with_orjson():
    transport = SocketIOTransport(socketio.AsyncServer(async_mode="asgi"))
    packet = transport.data_packet("resumed", {"from_seq": 3, "to_seq": 4, "count": 2})
    assert packet.encode() == '42["resumed",{"from_seq":3,"to_seq":4,"count":2}]'


def test_a_client_that_is_not_there_has_no_queue():
    transport = SocketIOTransport(socketio.AsyncServer(async_mode="asgi"))
    assert transport.queue("no-such-engine-io-sid") is None
    assert transport.is_connected("no-such-sid") is False


class FakeServer:
    ping_interval = 25
    ping_timeout = 20


class FakeSocket:
    """Just what engine.io's ``AsyncSocket.poll`` reads: its server and its queue."""

    def __init__(self, queue: object) -> None:
        self.server = FakeServer()
        self.queue = queue


async def test_poll_takes_every_queued_packet_from_a_transport_queue():
    SocketIOTransport(socketio.AsyncServer(async_mode="asgi"))
    queue = TransportQueue()
    socket = FakeSocket(queue)
    for packet in ("a", "b", "c"):
        queue.put_nowait(packet)
    assert await AsyncSocket.poll(socket) == ["a", "b", "c"]
    waiting = asyncio.ensure_future(AsyncSocket.poll(socket))
    await asyncio.sleep(0)
    queue.put_nowait("d")
    assert await waiting == ["d"]
    queue.put_nowait("e")
    queue.put_nowait(None)  # engine.io closing the writer
    assert await AsyncSocket.poll(socket) == ["e"]
    assert await AsyncSocket.poll(socket) == [], "the None that closes the writer"


async def test_poll_gives_up_when_nothing_comes_within_the_ping_interval_and_timeout():
    SocketIOTransport(socketio.AsyncServer(async_mode="asgi"))
    socket = FakeSocket(TransportQueue())
    socket.server.ping_interval, socket.server.ping_timeout = 0.01, 0.01
    with pytest.raises(QueueEmpty):
        await asyncio.wait_for(AsyncSocket.poll(socket), 5)


async def test_poll_still_works_on_engine_io_own_queues():
    SocketIOTransport(socketio.AsyncServer(async_mode="asgi"))
    queue: asyncio.Queue[str] = asyncio.Queue()
    queue.put_nowait("a")
    assert await AsyncSocket.poll(FakeSocket(queue)) == ["a"]


async def test_a_get_within_deadline_moves_with_each_get_and_uses_one_timer():
    queue = TransportQueue()
    first = queue.get_within(10)
    watchdog = queue._watchdog
    queue.put_nowait("a")
    assert first.result() == "a"
    queue.get_within(10)
    assert queue._watchdog is watchdog, "one timer per queue, re-armed only when it fires"
