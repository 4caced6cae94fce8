"""Handshake limits over real sockets: slow-loris (``Limits.handshake_timeout``, default 20 s;
HTTP 408) and oversize heads (``Limits.max_handshake_size``, default 8192 bytes, and
``Limits.max_headers``, default 64 fields; HTTP 431). The server closes the offender and keeps
serving other stations (``docs/hardening.md``)."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from ocpp_sansio.ws import Limits

from ._handlers import HANDLERS
from ._support import BINDINGS, Probe, Station, connect, read_all, status_of, with_server

REQUEST = (b"GET /ocpp/SLOW HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n"
           b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n")
TIMEOUT = 1.0  # shortened from the 20 s default to keep the test fast


@pytest.mark.parametrize("binding", BINDINGS)
def test_slow_loris_is_cut_at_the_handshake_timeout(binding: str) -> None:
    """Bytes trickled (one every 50 ms, never completing the head within the limit): HTTP 408
    and close at ``handshake_timeout`` counted from the accept, while another station
    connects and is served meanwhile."""

    def client(port: int, _probe: Probe) -> None:
        slow = connect(port)
        other: Station | None = None
        stop = threading.Event()

        def trickle() -> None:
            for byte in REQUEST[:-4]:
                if stop.wait(0.05):
                    return
                try:
                    slow.send(bytes((byte,)))
                except OSError:
                    return

        start = time.monotonic()
        sender = threading.Thread(target=trickle)
        sender.start()
        try:
            time.sleep(0.2)
            other = Station(port, "OTHER")  # served while the slow one trickles
            assert other.connected and '"currentTime"' in other.heartbeat()
            reply, _ = read_all(slow)
            elapsed = time.monotonic() - start
            assert status_of(reply) == 408
            assert TIMEOUT - 0.05 <= elapsed < TIMEOUT + 0.5, elapsed
            assert '"currentTime"' in other.heartbeat()  # still served after the cut
        finally:
            stop.set()
            sender.join()
            slow.close()
            if other is not None:
                other.close()

    with_server(binding, client, handlers=HANDLERS, limits=Limits(handshake_timeout=TIMEOUT))


@pytest.mark.parametrize("binding", BINDINGS)
def test_silent_connection_is_closed_at_the_handshake_timeout(binding: str) -> None:
    """A connection that sends nothing at all is answered 408 at the limit and closed."""

    def client(port: int, _probe: Probe) -> None:
        with connect(port) as sock:
            reply, elapsed = read_all(sock)
        assert status_of(reply) == 408
        assert TIMEOUT - 0.05 <= elapsed < TIMEOUT + 0.5, elapsed

    with_server(binding, client, limits=Limits(handshake_timeout=TIMEOUT))


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("shape", ["one-huge-header", "many-headers", "no-end"])
def test_oversize_head_is_431(binding: str, shape: str) -> None:
    """Defaults: a head over 8192 bytes or with more than 64 fields gets 431 and a close, even
    when sent in one write, and the server keeps serving."""
    start, end = REQUEST[:-2], b"\r\n"
    if shape == "one-huge-header":
        data = start + b"X-Big: " + b"a" * 8200 + b"\r\n" + end
    elif shape == "many-headers":
        data = start + b"".join(b"X-%d: 1\r\n" % i for i in range(65)) + end
    else:  # a head that never ends, streamed until the server gives up
        data = start + b"X-Fill: " + b"a" * 100_000

    def client(port: int, _probe: Probe) -> None:
        with connect(port) as sock:
            with contextlib.suppress(OSError):  # the server may close before reading it all
                sock.sendall(data)
            reply, _ = read_all(sock)
        assert status_of(reply) == 431, reply[:200]
        other = Station(port, "OTHER")
        try:
            assert other.connected and '"currentTime"' in other.heartbeat()
        finally:
            other.close()

    with_server(binding, client, handlers=HANDLERS)
