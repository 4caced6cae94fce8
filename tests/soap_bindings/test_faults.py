"""The OCPP-S fault table (docs/soap.md, "Faults" and "HTTP") over real sockets, for both
bindings: each hostile or broken request gets the right fault or HTTP status, nothing
crashes, and the endpoint keeps serving (a valid request is answered after each one)."""

import contextlib
import gzip
import socket
import zlib
from typing import Any

import pytest
from lxml import etree

from ocpp_sansio.handlers import CallContext, Router
from ocpp_sansio.rpc import CallError
from ocpp_sansio.soap.faults import parse_fault
from ocpp_sansio.v16 import messages as m16

from .conftest import NOW, Binding

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
CS16 = "urn://Ocpp/Cs/2015/10/"
CP16 = "urn://Ocpp/Cp/2015/10/"
CS12 = "urn://Ocpp/Cs/2010/08/"
HEARTBEAT = "<cs:heartbeatRequest/>"


def envelope(body: str = HEARTBEAT, *, identity: str | None = "CP-1",
             action: str | None = "/Heartbeat", message_id: str | None = "urn:uuid:1",
             extra: str = "", ns: str = CS16, env: str = SOAP12, prolog: str = "") -> bytes:
    head = ""
    if identity is not None:
        head += f"<cs:chargeBoxIdentity>{identity}</cs:chargeBoxIdentity>"
    if action is not None:
        head += f"<wsa:Action>{action}</wsa:Action>"
    if message_id is not None:
        head += f"<wsa:MessageID>{message_id}</wsa:MessageID>"
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<s:Envelope xmlns:s="{env}" '
            f'xmlns:wsa="{WSA}" xmlns:cs="{ns}"><s:Header>{head}{extra}</s:Header>'
            f"<s:Body>{body}</s:Body></s:Envelope>").encode()


def http(body: bytes, *, method: str = "POST", content_type: str = "application/soap+xml",
         headers: tuple[tuple[str, str], ...] = (), close: bool = True) -> bytes:
    lines = [f"{method} /ocpp HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {content_type}",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers)]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
DEEP = "<cs:heartbeatRequest>" + "<a>" * 40 + "</a>" * 40 + "</cs:heartbeatRequest>"
MUST = '<x:Foo xmlns:x="urn:x" s:mustUnderstand="true">1</x:Foo>'
BOMB = gzip.compress(b"\0" * (5 * 1024 * 1024))

# name, request bytes, HTTP status, SOAP fault code (None: no envelope), subcodes
ROWS: list[tuple[str, bytes, int, str | None, list[str]]] = [
    ("malformed XML", http(b"<s:Envelope xmlns:s='" + SOAP12.encode() + b"'><s:Body>"),
     400, "Sender", ["ProtocolError"]),
    ("not XML at all", http(b"hello"), 400, "Sender", ["ProtocolError"]),
    ("envelope without body", http(
        f'<s:Envelope xmlns:s="{SOAP12}"><s:Header/></s:Envelope>'.encode()),
     400, "Sender", ["ProtocolError"]),
    ("two body elements", http(envelope(HEARTBEAT * 2)), 400, "Sender", ["ProtocolError"]),
    ("text in body", http(envelope("text")), 400, "Sender", ["ProtocolError"]),
    ("billion laughs", http(envelope(prolog=BILLION_LAUGHS, body="<cs:heartbeatRequest>"
                                     "&lol3;</cs:heartbeatRequest>")),
     400, "Sender", ["SecurityError"]),
    ("external entity", http(envelope(prolog=EXTERNAL, body="<cs:heartbeatRequest>&xxe;"
                                      "</cs:heartbeatRequest>")),
     400, "Sender", ["SecurityError"]),
    ("nesting too deep", http(envelope(DEEP)), 400, "Sender", ["SecurityError"]),
    ("SOAP 1.1 envelope", http(envelope(env=SOAP11), content_type="text/xml"),
     500, "VersionMismatch", []),
    ("unknown mustUnderstand header", http(envelope(extra=MUST)), 500, "MustUnderstand", []),
    ("body in a foreign namespace", http(envelope(ns="urn:other")),
     400, "Sender", ["ProtocolError"]),
    ("body in the other service's namespace", http(envelope(
        "<cs:resetRequest><cs:type>Soft</cs:type></cs:resetRequest>", action="/Reset",
        ns=CP16)), 400, "Sender", ["ProtocolError"]),
    ("OCPP 1.2 namespace", http(envelope(ns=CS12)), 500, "Receiver", ["NotSupported"]),
    ("chargeBoxIdentity missing", http(envelope(identity=None)),
     400, "Sender", ["ProtocolError"]),
    ("response element", http(envelope("<cs:heartbeatResponse/>", action="/HeartbeatResponse")),
     400, "Sender", ["ProtocolError"]),
    ("unknown operation", http(envelope("<cs:fooRequest/>", action="/Foo")),
     500, "Receiver", ["NotSupported"]),
    ("operation of the other service", http(envelope(
        "<cs:resetRequest><cs:type>Soft</cs:type></cs:resetRequest>", action="/Reset")),
     500, "Receiver", ["NotSupported"]),
    ("Action missing", http(envelope(action=None)), 400, "Sender", ["ProtocolError"]),
    ("Action of another operation", http(envelope(action="/Authorize")),
     400, "Sender", ["ProtocolError"]),
    ("MessageID missing", http(envelope(message_id=None)), 400, "Sender", ["ProtocolError"]),
    ("payload breaks its schema", http(envelope(
        "<cs:authorizeRequest><cs:idTag>" + "x" * 21 + "</cs:idTag></cs:authorizeRequest>",
        action="/Authorize")), 400, "Sender", ["ProtocolError", "PropertyConstraintViolation"]),
    ("payload of the wrong type", http(envelope(
        "<cs:meterValuesRequest><cs:connectorId>abc</cs:connectorId><cs:meterValue>"
        "<cs:timestamp>2024-01-01T00:00:00Z</cs:timestamp><cs:sampledValue><cs:value>1"
        "</cs:value></cs:sampledValue></cs:meterValue></cs:meterValuesRequest>",
        action="/MeterValues")), 400, "Sender", ["ProtocolError", "TypeConstraintViolation"]),
    ("handler InternalError", http(envelope(
        "<cs:dataTransferRequest><cs:vendorId>v</cs:vendorId></cs:dataTransferRequest>",
        action="/DataTransfer")), 500, "Receiver", ["InternalError"]),
    ("unhandled operation", http(envelope(
        "<cs:authorizeRequest><cs:idTag>t</cs:idTag></cs:authorizeRequest>",
        action="/Authorize")), 500, "Receiver", ["NotSupported"]),
    ("GET", http(b"", method="GET"), 405, None, []),
    ("media type text/plain", http(envelope(), content_type="text/plain"), 415, None, []),
    ("oversize body", http(envelope(extra="<x:pad xmlns:x='urn:x'>" + "x" * 1_100_000 +
                                    "</x:pad>")), 413, None, []),
    ("oversize header block", http(envelope(), headers=(("X-Pad", "x" * 20_000),)),
     431, None, []),
    ("unknown content coding", http(envelope(), headers=(("Content-Encoding", "br"),)),
     415, None, []),
    ("corrupt gzip body", http(b"\x1f\x8b\x08\x00garbage", headers=(
        ("Content-Encoding", "gzip"),)), 400, None, []),
    ("gzip bomb", http(BOMB, headers=(("Content-Encoding", "gzip"),)), 413, None, []),
    ("broken HTTP", b"POST /ocpp HTTP/1.1\r\nContent-Length: zz\r\n\r\n", 400, None, []),
]


def exchange(port: int, data: bytes) -> bytes:
    """Send ``data``, read until the server closes (every request asks it to)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server may refuse before reading it all
            sock.sendall(data)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except ConnectionResetError:
            pass
    return out


def parse_response(raw: bytes) -> tuple[int, str | None, list[str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"soap+xml" not in head.lower() or not body:
        return status, None, [], body
    root = etree.fromstring(body)
    fault_el = root.find(f"{{{SOAP12}}}Body/{{{SOAP12}}}Fault")
    if fault_el is None:
        return status, None, [], body
    fault = parse_fault(fault_el)
    return status, fault.code.value, [q.name for q in fault.subcodes], body


def csms_router() -> Router:
    router = Router()

    @router.on("Heartbeat")
    async def heartbeat(req: Any, ctx: CallContext) -> Any:
        return m16.HeartbeatResponse(current_time=NOW)

    @router.on("DataTransfer")
    async def data_transfer(req: Any, ctx: CallContext) -> Any:
        raise CallError("InternalError", "the application failed")

    return router


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_fault_table_over_sockets(
    binding: Binding, row: tuple[str, bytes, int, str | None, list[str]],
) -> None:
    _, request_bytes, status, code, subcodes = row

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router()) as server:
            raw = await binding.to_thread(exchange, server.port, request_bytes)
            got = parse_response(raw)
            assert got[:3] == (status, code, subcodes), got[3][:500]
            # the server keeps serving
            raw = await binding.to_thread(exchange, server.port, http(envelope()))
            assert parse_response(raw)[0] == 200

    binding.run(body)


def test_identity_mismatch_at_the_station(binding: Binding) -> None:
    async def body() -> None:
        async with binding.soap.open_soap_station("http://127.0.0.1:1/", "CP-1") as station:
            port = int(station.url.rsplit(":", 1)[1].strip("/"))
            request = envelope("<cs:clearCacheRequest/>", action="/ClearCache", ns=CP16,
                               identity="CP-2")
            raw = await binding.to_thread(exchange, port, http(request))
            assert parse_response(raw)[:3] == (400, "Sender", ["IdentityMismatch"])
            request = envelope("<cs:clearCacheRequest/>", action="/ClearCache", ns=CP16)
            raw = await binding.to_thread(exchange, port, http(request))
            status, code, subcodes, _ = parse_response(raw)
            # no ClearCache handler: NotSupported, but the identity was accepted
            assert (status, code, subcodes) == (500, "Receiver", ["NotSupported"])

    binding.run(body)


def test_fault_keeps_the_connection_open(binding: Binding) -> None:
    """A fault is an answer like any other: the kept-alive connection carries the next
    request (docs/soap.md, HTTP: bare HTTP errors close, faults keep it open)."""

    def two_requests(port: int) -> list[bytes]:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(http(envelope(action=None), close=False))
            first = b""
            while b"</s:Envelope>" not in first and b"Envelope>" not in first[-40:]:
                chunk = sock.recv(65536)
                assert chunk
                first += chunk
            sock.sendall(http(envelope()))
            second = b""
            while chunk := sock.recv(65536):
                second += chunk
        return [first, second]

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router()) as server:
            first, second = await binding.to_thread(two_requests, server.port)
            assert parse_response(first)[:3] == (400, "Sender", ["ProtocolError"])
            assert parse_response(second)[0] == 200

    binding.run(body)


def test_deflate_and_chunked_requests_are_served(binding: Binding) -> None:
    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router()) as server:
            deflated = zlib.compress(envelope())
            raw = await binding.to_thread(exchange, server.port, http(
                deflated, headers=(("Content-Encoding", "deflate"),)))
            assert parse_response(raw)[0] == 200
            data = envelope()
            chunked = (b"POST /ocpp HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml"
                       b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                       f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n\r\n")
            raw = await binding.to_thread(exchange, server.port, chunked)
            assert parse_response(raw)[0] == 200

    binding.run(body)
