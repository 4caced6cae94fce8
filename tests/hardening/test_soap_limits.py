"""OCPP-S XML and HTTP limits over real sockets, through the one-port front door of
``serve(soap=True)`` (``ocpp_sansio.soap``; defaults: ``XmlLimits.max_depth`` 32,
``XmlLimits.max_bytes`` 4 MiB, ``HttpLimits.max_body_bytes`` 1 MiB,
``HttpLimits.max_decoded_bytes`` 4 MiB, ``HttpLimits.max_header_bytes`` 16 KiB).

A document type declaration (every entity-expansion attack needs one) and nesting past the
depth limit get a SOAP 1.2 ``Sender`` fault with the ``SecurityError`` subcode (HTTP 400, SOAP
1.2 Part 2 Table 20) and the kept-alive connection goes on serving; an oversize body or a
gzip bomb gets HTTP 413 and a close (``docs/hardening.md``)."""

from __future__ import annotations

import contextlib
import gzip
import re
import socket

import pytest

from ocpp_sansio.soap import Service, SoapClient
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.version import Version

from ._handlers import HANDLERS
from ._support import BINDINGS, Probe, connect, with_server

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
