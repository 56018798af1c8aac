"""``SocketIOTransport``: the one place that knows python-socketio's and engine.io's internals.

``FanOut`` decides who gets what and when; this module turns that into engine.io packets on
engine.io's per-client send queues. It holds the three things that reach below
python-socketio's public API:

- **the queue patch**: ``sio.eio.create_queue`` makes every client's send queue a
  ``TransportQueue`` (below), whose ``get`` creates no Task, and engine.io's
  ``AsyncSocket.poll`` takes such a queue's packets without ``asyncio.wait_for``;
- **sid lookups**: a Socket.IO sid to its engine.io sid, whether Socket.IO has marked it
  connected, and its open engine.io socket's queue;
- **packet encoding**: a Socket.IO ``EVENT`` packet (``2["name",payload]``) wrapped in one
  engine.io ``MESSAGE`` packet. A packet put on several queues is encoded once: engine.io
  caches a packet's encoding, so a frame shared by a hundred clients costs one string.

Packets go straight on the queue ``emit`` itself uses, without ``emit``'s per-recipient task.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import orjson
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket

#: The Socket.IO namespace every client of the app joins.
NAMESPACE = "/"
#: Socket.IO's packet type ``EVENT``, as it starts the packet's text.
SOCKETIO_EVENT = "2"


class TransportQueue:
    """engine.io's per-client send queue, made cheap for its single consumer.

    engine.io's writer awaits ``wait_for(queue.get(), ping_timeout)`` once per frame; with
    ``asyncio.Queue.get`` (a coroutine) ``wait_for`` wraps each get in a new Task, a fifth
    of the server's CPU when every frame carries one event. Here ``get`` returns a future,
    which ``wait_for`` awaits as is. It has the methods engine.io calls: put, put_nowait,
    get, get_nowait, task_done, join, qsize, empty.
    """

    def __init__(self) -> None:
        self._items: deque[Any] = deque()
        self._getter: asyncio.Future[Any] | None = None
        self._unfinished = 0
        self._finished: asyncio.Event | None = None
        #: ``get_within``'s deadline, checked by one lazily re-armed timer (not one per get)
        self._deadline = 0.0
        self._watchdog: asyncio.TimerHandle | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: Any) -> None:
        self._unfinished += 1
        getter = self._getter
        if getter is not None and not getter.done() and not self._items:
            self._getter = None
            getter.set_result(item)
            return
        self._items.append(item)

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def get(self) -> asyncio.Future[Any]:
        future = asyncio.get_running_loop().create_future()
        if self._items:
            future.set_result(self._items.popleft())
        else:
            self._getter = future
        return future

    def get_within(self, timeout: float) -> asyncio.Future[Any]:
        """``get``, failing with ``TimeoutError`` when nothing came within ``timeout`` s.

        engine.io's ``wait_for(get(), timeout)`` costs a future, a timer and two callbacks
        per frame; here the deadline moves and one timer per queue checks it."""
        future = self.get()
        if not future.done():
            loop = asyncio.get_running_loop()
            self._deadline = loop.time() + timeout
            if self._watchdog is None:
                self._watchdog = loop.call_at(self._deadline, self._check_deadline)
        return future

    def _check_deadline(self) -> None:
        self._watchdog = None
        getter = self._getter
        if getter is None or getter.done():
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= self._deadline:
            self._getter = None
            getter.set_exception(TimeoutError())
        else:
            self._watchdog = loop.call_at(self._deadline, self._check_deadline)

    def task_done(self) -> None:
        self._unfinished = max(0, self._unfinished - 1)
        if self._unfinished == 0 and self._finished is not None:
            self._finished.set()

    async def join(self) -> None:
        if self._unfinished:
            if self._finished is None or self._finished.is_set():
                self._finished = asyncio.Event()
            await self._finished.wait()


_engine_io_poll = AsyncSocket.poll


async def _poll(self: AsyncSocket) -> list[Any]:
    """engine.io's ``AsyncSocket.poll``, for a ``TransportQueue`` without ``wait_for``.

    Same contract: every queued packet (the first awaited up to ping interval + timeout),
    ``[]`` for the ``None`` that closes the writer, ``QueueEmpty`` on timeout or cancel."""
    queue = self.queue
    if type(queue) is not TransportQueue:
        return await _engine_io_poll(self)  # type: ignore[no-any-return]
    try:
        first = await queue.get_within(self.server.ping_interval + self.server.ping_timeout)
    except (TimeoutError, asyncio.CancelledError):
        raise eio_exceptions.QueueEmpty() from None
    queue.task_done()
    if first is None:
        return []
    packets = [first]
    while not queue.empty():
        packet = queue.get_nowait()
        queue.task_done()
        if packet is None:
            queue.put_nowait(None)
            break
        packets.append(packet)
    return packets


class SocketIOTransport:
    """What ``FanOut`` needs of a python-socketio ``AsyncServer`` (see ``fanout.Transport``)."""

    def __init__(self, sio: Any) -> None:
        self.sio = sio
        self._sockets = sio.eio.sockets
        sio.eio.create_queue = lambda *args, **kwargs: TransportQueue()
        AsyncSocket.poll = _poll  # type: ignore[method-assign]  # other queues: as before

    def address(self, sid: str) -> str:
        """The engine.io sid carrying the Socket.IO client ``sid``."""
        return str(self.sio.manager.eio_sid_from_sid(sid, NAMESPACE))

    def is_connected(self, sid: str) -> bool:
        """True once Socket.IO has finished the connect handshake of ``sid``."""
        return bool(self.sio.manager.is_connected(sid, NAMESPACE))

    def queue(self, address: str) -> TransportQueue | None:
        """The send queue of the open engine.io socket ``address`` (None once it closes)."""
        socket = self._sockets.get(address)
        if socket is None or socket.closed or socket.closing:
            return None
        return socket.queue  # type: ignore[no-any-return]

    @staticmethod
    def packet(event: str, payload_json: str) -> eio_packet.Packet:
        """One shareable packet for the event ``event`` whose payload is ``payload_json``."""
        text = f'{SOCKETIO_EVENT}["{event}",{payload_json}]'
        return eio_packet.Packet(eio_packet.MESSAGE, text)

    def data_packet(self, event: str, data: Any) -> eio_packet.Packet:
        """``packet`` for a payload not encoded yet."""
        return self.packet(event, orjson.dumps(data).decode())
