"""Running a CSMS (``ocpp_trio.serve`` or ``ocpp_asyncio.serve``) with a blocking client body
in a worker thread, and blocking raw-socket helpers for misbehaving stations.

The server runs on the event loop of the test's binding; ``client(port, probe)`` runs in a
thread with plain sockets, and ``probe(fn)`` runs ``fn(server)`` on the loop's thread (to read
the server's state without racing it).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import socket
import time
from collections.abc import Callable
from typing import Any, TypeVar

import trio

from ocpp_sansio.ws import (
    ClientConfig,
    ClientSession,
    Connected,
    ConnectionClosed,
    KeepAlive,
    MessageReceived,
    Rejected,
    RemoteProtocolError,
    WsSession,
)

T = TypeVar("T")
BINDINGS = ["trio", "asyncio"]
#: a bound on every test body: a hung test fails instead of blocking the suite
BODY_TIMEOUT = 60.0
Probe = Callable[[Callable[[Any], Any]], Any]


def with_server(binding: str, client: Callable[[int, Probe], T], **serve: Any) -> T:
    """Serve on 127.0.0.1 (port 0) with ``serve`` options; run ``client`` in a thread."""
    mod = importlib.import_module(f"ocpp_{binding}")
    if binding == "trio":

        async def tmain() -> T:
            with trio.fail_after(BODY_TIMEOUT):
                async with mod.serve("127.0.0.1", 0, **serve) as server:
                    server_ref.append(server)
                    return await trio.to_thread.run_sync(client, server.port, tprobe)

        def tprobe(fn: Callable[[Any], Any]) -> Any:
            return trio.from_thread.run_sync(fn, server_ref[0])

        server_ref: list[Any] = []
        return trio.run(tmain)

    async def amain() -> T:
        loop = asyncio.get_running_loop()

        def aprobe(fn: Callable[[Any], Any]) -> Any:
            async def call() -> Any:
                return fn(server)

            return asyncio.run_coroutine_threadsafe(call(), loop).result(10)

        async with asyncio.timeout(BODY_TIMEOUT):
            async with mod.serve("127.0.0.1", 0, **serve) as server:
                return await asyncio.to_thread(client, server.port, aprobe)

    return asyncio.run(amain())


def connect(port: int, timeout: float = 10.0, rcvbuf: int | None = None) -> socket.socket:
    """A TCP connection to the server (``rcvbuf``: a small receive buffer, set before
    connecting so that the window stays small)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        sock.close()
        raise
    return sock


def read_all(sock: socket.socket, timeout: float = 10.0) -> tuple[bytes, float]:
    """Everything until the server closes, and the seconds that took."""
    start = time.monotonic()
    sock.settimeout(timeout)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except ConnectionResetError:
        pass
    return out, time.monotonic() - start


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:100]
    return int(response[9:12])


class Station:
    """A blocking OCPP-J station: a socket driven by a :class:`ClientSession`."""

    def __init__(self, port: int, identity: str = "CS1", versions: tuple[str, ...] = ("1.6",),
                 rcvbuf: int | None = None, **config: Any) -> None:
        config.setdefault("keepalive", KeepAlive(interval=None))
        self.session: WsSession = ClientSession(
            ClientConfig(url=f"ws://127.0.0.1:{port}/ocpp", identity=identity,
                         versions=versions, **config),
            now=time.monotonic(), key=os.urandom(16))
        self.sock = connect(port, rcvbuf=rcvbuf)
        self.messages: list[str] = []
        self.closed: ConnectionClosed | Rejected | RemoteProtocolError | None = None
        try:
            self.flush()
            event = self.wait(lambda e: isinstance(e, Connected | Rejected))
        except BaseException:
            self.sock.close()
            raise
        self.connected = isinstance(event, Connected)
        self.rejected = event if isinstance(event, Rejected) else None

    def flush(self) -> None:
        data = self.session.data_to_send()
        if data:
            # the server may have closed first; what it sent is still read
            with contextlib.suppress(OSError):
                self.sock.sendall(data)

    def wait(self, want: Callable[[object], bool], timeout: float = 10.0) -> object:
        """Read until an event satisfying ``want`` (returned) or the end (returned)."""
        deadline = time.monotonic() + timeout
        while True:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                data = b""
            self.session.receive_data(data, time.monotonic())
            try:
                for event in self.session.events():
                    if isinstance(event, MessageReceived):
                        self.messages.append(event.text)
                    if isinstance(event, ConnectionClosed | Rejected):
                        self.closed = event
                    if want(event) or self.closed is not None:
                        self.flush()
                        return event
            except RemoteProtocolError as exc:
                self.closed = exc
                return exc
            self.flush()
            if not data:
                raise AssertionError("connection ended without the expected event")

    def call(self, text: str) -> str:
        """Send one text message, return the next one received."""
        self.session.send_text(text)
        self.flush()
        event = self.wait(lambda e: isinstance(e, MessageReceived))
        assert isinstance(event, MessageReceived), event
        return event.text

    def heartbeat(self) -> str:
        return self.call('[2,"hb","Heartbeat",{}]')

    def close(self) -> None:
        self.sock.close()


def masked_frame(opcode: int, payload: bytes, fin: bool = True, mask: bytes = b"\x01\x02\x03\x04"
                 ) -> bytes:
    """One masked frame as a station sends it (RFC 6455 section 5.2)."""
    n = len(payload)
    head = bytes((0x80 * fin | opcode,))
    if n <= 125:
        head += bytes((0x80 | n,))
    elif n <= 0xFFFF:
        head += bytes((0x80 | 126,)) + n.to_bytes(2, "big")
    else:
        head += bytes((0x80 | 127,)) + n.to_bytes(8, "big")
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + body
