"""OCPP-S XML and HTTP limits over real sockets, through the one-port front door of
``serve(soap=True)`` (``ocpp_sansio.soap``; defaults: ``XmlLimits.max_depth`` 32,
``XmlLimits.max_bytes`` 4 MiB, ``HttpLimits.max_body_bytes`` 1 MiB,
``HttpLimits.max_decoded_bytes`` 4 MiB, ``HttpLimits.max_header_bytes`` 16 KiB).

A document type declaration (every entity-expansion attack needs one) and nesting past the
depth limit get a SOAP 1.2 ``Sender`` fault with the ``SecurityError`` subcode (HTTP 400, SOAP
1.2 Part 2 Table 20) and the kept-alive connection goes on serving; an oversize body or a
gzip bomb gets HTTP 413 and a close (``docs/hardening.md``).

Time: one request must be complete within ``Limits.request_timeout`` of its first byte (under
the front door: ``serve(limits=Limits(handshake_timeout=...))``, which also bounds the WebSocket
upgrade); a request trickled a byte at a time gets HTTP 408 and a close at the limit while
other clients are served. An idle kept-alive connection is governed by ``IDLE_TIMEOUT``
instead (closed without a reply)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import importlib
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import trio

from ocpp_sansio.soap import Limits as SoapLimits
from ocpp_sansio.soap import Service, SoapClient
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.version import Version
from ocpp_sansio.ws import Limits

from ._handlers import HANDLERS
from ._support import BINDINGS, BODY_TIMEOUT, Probe, connect, read_all, status_of, with_server

#: the request time limit of these tests (20 s by default)
LIMIT = 0.5

LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;")
                                                   * 10) for i in range(1, 10))
          + b']><lolz>&lol9;</lolz>')


def _heartbeat(port: int) -> bytes:
    client = SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "SOAP1", url=f"http://127.0.0.1:{port}/ocpp",
                        new_message_id=lambda: "urn:uuid:1", accept_encoding=None)
    return client.send_call(m16.HeartbeatRequest())


def _post(port: int, body: bytes, extra: bytes = b"") -> bytes:
    return (b"POST /ocpp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port
            + b"Content-Type: application/soap+xml; charset=utf-8\r\n" + extra
            + b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _exchange(sock: socket.socket, request: bytes) -> tuple[int, bytes, bytes]:
    """Send ``request`` (as far as the server reads it), read one response."""
    with contextlib.suppress(OSError):
        sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length: *(\d+)", head)
    assert m is not None, head
    while len(body) < int(m.group(1)):
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return int(head[9:12]), head, body


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("attack", ["entity-expansion", "depth-33"])
def test_xml_attacks_get_a_security_fault_and_the_connection_stays(binding: str,
                                                                   attack: str) -> None:
    def client(port: int, _probe: Probe) -> None:
        valid = _heartbeat(port)
        envelope = valid.partition(b"\r\n\r\n")[2]
        if attack == "entity-expansion":
            body = LAUGHS
        else:  # 33 levels: Envelope, Body, 31 nested elements
            body = envelope.replace(b"<soap:Body>", b"<soap:Body>" + b"<a>" * 31, 1).replace(
                b"</soap:Body>", b"</a>" * 31 + b"</soap:Body>", 1)
        with connect(port) as sock:
            status, _, reply = _exchange(sock, _post(port, body))
            assert status == 400, reply
            assert b"SecurityError" in reply and b"Sender" in reply, reply
            status, _, reply = _exchange(sock, valid)  # same connection, still served
            assert status == 200 and b"currentTime" in reply, reply

    with_server(binding, client, handlers=HANDLERS)


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("attack", ["body-over-1MiB", "gzip-bomb", "header-over-16KiB"])
def test_http_size_limits_close_the_connection(binding: str, attack: str) -> None:
    def client(port: int, _probe: Probe) -> None:
        if attack == "body-over-1MiB":
            request, expected = _post(port, b"<" * ((1 << 20) + 1)), 413
        elif attack == "gzip-bomb":  # 5 KiB on the wire, 5 MiB decoded
            bomb = gzip.compress(b"\0" * (5 << 20))
            assert len(bomb) < 10_000
            request, expected = _post(port, bomb, b"Content-Encoding: gzip\r\n"), 413
        else:
            request, expected = _post(port, b"<x/>", b"X-Big: " + b"a" * (16 << 10)
                                      + b"\r\n"), 431
        with connect(port) as sock:
            status, _, reply = _exchange(sock, request)
            assert status == expected, reply
            assert _closed(sock)
        with connect(port) as sock:  # the server keeps serving
            status, _, reply = _exchange(sock, _heartbeat(port))
            assert status == 200, reply

    with_server(binding, client, handlers=HANDLERS)


def with_soap_server(binding: str, client: Callable[[int], None], **options: Any) -> None:
    """The standalone OCPP-S endpoint (``serve_soap``) on 127.0.0.1; ``client`` in a thread."""
    mod = importlib.import_module(f"ocpp_{binding}")
    if binding == "trio":
        async def tmain() -> None:
            with trio.fail_after(BODY_TIMEOUT):
                async with mod.serve_soap("127.0.0.1", 0, **options) as server:
                    await trio.to_thread.run_sync(client, server.port)

        trio.run(tmain)
        return

    async def amain() -> None:
        async with asyncio.timeout(BODY_TIMEOUT):
            async with mod.serve_soap("127.0.0.1", 0, **options) as server:
                await asyncio.to_thread(client, server.port)

    asyncio.run(amain())


def _trickle(sock: socket.socket, data: bytes, stop: threading.Event,
             interval: float = 0.05) -> threading.Thread:
    """Send ``data`` a byte every ``interval`` seconds (until ``stop`` or an error)."""
    def run() -> None:
        for byte in data:
            if stop.wait(interval):
                return
            try:
                sock.send(bytes((byte,)))
            except OSError:
                return

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _assert_cut(reply: bytes, elapsed: float) -> None:
    assert status_of(reply) == 408, reply
    assert b"connection: close" in reply.partition(b"\r\n\r\n")[0].lower(), reply
    assert LIMIT - 0.05 <= elapsed < LIMIT + 0.5, elapsed


@pytest.mark.parametrize("binding", BINDINGS)
def test_trickled_body_is_cut_at_the_request_limit(binding: str) -> None:
    """Under the front door: the head at once, the body a byte every 50 ms: 408 and close at
    ``handshake_timeout`` from the head, while another client is served; still served after."""

    def client(port: int, _probe: Probe) -> None:
        request = _heartbeat(port)
        head, _, body = request.partition(b"\r\n\r\n")
        stop = threading.Event()
        with connect(port) as slow:
            start = time.monotonic()
            slow.sendall(head + b"\r\n\r\n")
            sender = _trickle(slow, body, stop)
            try:
                with connect(port) as other:  # served while the slow one trickles
                    status, _, reply = _exchange(other, _heartbeat(port))
                    assert status == 200 and b"currentTime" in reply, reply
                reply, _ = read_all(slow)
                _assert_cut(reply, time.monotonic() - start)
            finally:
                stop.set()
                sender.join()
        with connect(port) as other:
            status, _, reply = _exchange(other, _heartbeat(port))
            assert status == 200, reply

    with_server(binding, client, handlers=HANDLERS, limits=Limits(handshake_timeout=LIMIT))


@pytest.mark.parametrize("binding", BINDINGS)
def test_trickled_request_is_cut_on_the_standalone_endpoint(binding: str) -> None:
    """``serve_soap`` with ``Limits(request_timeout=...)``: the whole request trickled, head
    included: 408 and close at the limit from the first byte; the endpoint keeps serving."""

    def client(port: int) -> None:
        stop = threading.Event()
        with connect(port) as slow:
            start = time.monotonic()
            sender = _trickle(slow, _heartbeat(port), stop)
            try:
                reply, _ = read_all(slow)
                _assert_cut(reply, time.monotonic() - start)
            finally:
                stop.set()
                sender.join()
        with connect(port) as other:
            status, _, reply = _exchange(other, _heartbeat(port))
            assert status == 200 and b"currentTime" in reply, reply

    with_soap_server(binding, client, handlers=HANDLERS,
                     limits=SoapLimits(request_timeout=LIMIT))


@pytest.mark.parametrize("binding", BINDINGS)
def test_idle_kept_alive_connection_is_governed_by_the_idle_timeout(
        binding: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between requests the request limit does not apply: a kept-alive connection idle for
    longer than it is still served, and is closed (without a reply) only at ``IDLE_TIMEOUT``
    (shortened here); the next request on it has the limit again, counted from its first
    byte."""
    idle = 2.0
    monkeypatch.setattr(importlib.import_module(f"ocpp_{binding}._soap"), "IDLE_TIMEOUT", idle)

    def client(port: int, _probe: Probe) -> None:
        with connect(port) as sock:
            status, _, _reply = _exchange(sock, _heartbeat(port))
            assert status == 200
            time.sleep(2 * LIMIT)  # idle for longer than the request limit
            status, _, reply = _exchange(sock, _heartbeat(port))  # still served
            assert status == 200 and b"currentTime" in reply, reply
            start = time.monotonic()
            reply, elapsed = read_all(sock)  # idle again: closed at IDLE_TIMEOUT, no reply
            assert reply == b"", reply
            assert idle - 0.05 <= time.monotonic() - start < idle + 0.5, elapsed
        with connect(port) as sock:  # a second request trickled on a kept-alive connection
            status, _, _reply = _exchange(sock, _heartbeat(port))
            assert status == 200
            stop = threading.Event()
            request = _heartbeat(port)
            start = time.monotonic()
            sender = _trickle(sock, request, stop)
            try:
                reply, _ = read_all(sock)
                _assert_cut(reply, time.monotonic() - start)
            finally:
                stop.set()
                sender.join()

    with_server(binding, client, handlers=HANDLERS, limits=Limits(handshake_timeout=LIMIT))
