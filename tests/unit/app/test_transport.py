"""SocketIOTransport: the queue patch, sid lookups and packet encoding on a real AsyncServer."""

from __future__ import annotations

import socketio

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
