"""Fuzz target: the OCPP-S envelope parser and HTTP framing (``ocpp_sansio.soap``).

- Server side: a :class:`~ocpp_sansio.soap.SoapServer` is fed mutated HTTP requests (calls
  made by our own client for several operations and both versions, gzip and chunked bodies,
  pipelined requests, a 100-continue request, a billion-laughs document, deep nesting), cut at
  random points. Every refusal is a :class:`~ocpp_sansio.soap.RemoteProtocolError` whose
  ``reply`` is one complete HTTP response: a SOAP 1.2 fault envelope with the status SOAP 1.2
  Part 2 Table 20 gives its code (400 Sender, 500 otherwise), or a plain HTTP error with one of
  the documented statuses (``docs/soap.md``: 400, 405, 413, 415, 431, and 501 / 505 from the
  HTTP parser). The connection goes on serving unless ``must_close`` says otherwise.
- Client side: a :class:`~ocpp_sansio.soap.SoapClient` with one call outstanding is fed
  mutated responses (results and faults made by our server, gzip, chunked, plain errors).
- The envelope parser alone (:func:`~ocpp_sansio.soap.envelope.parse_envelope`): any mutated
  document gives an envelope or a :class:`~ocpp_sansio.soap.envelope.SoapFaultError`.

Bytes held by the HTTP layer stay within the configured limits plus the chunk just fed, and
every call returns (watchdog). ``tests/soap`` has the example-based tests of each rule.
"""

from __future__ import annotations

import datetime
import gzip
import itertools
import re
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ocpp_sansio.soap import (
    CallReceived,
    ConnectionClosed,
    FaultReceived,
    HttpLimits,
    Limits,
    NeedData,
    RemoteProtocolError,
    ResultReceived,
    SendContinue,
    Service,
    SoapClient,
    SoapServer,
    Subcode,
    XmlLimits,
)
from ocpp_sansio.soap.envelope import Envelope, SoapFaultError, parse_envelope
from ocpp_sansio.soap.faults import parse_fault
from ocpp_sansio.v15 import messages as m15
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.version import Version

from ._budget import ROUND_SETTINGS, Counter, no_hang, run_for
from ._mutate import mutated, split_points

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
CS_URL = "http://cs.example:8180/ocpp/CentralSystemService"
LIMITS = Limits(http=HttpLimits(max_header_bytes=2048, max_body_bytes=8192,
                                max_decoded_bytes=16384),
                xml=XmlLimits(max_bytes=12288, max_depth=32))
#: plain HTTP refusal statuses (below SOAP), see the module docstring
HTTP_STATUSES = {400, 405, 413, 415, 431, 501, 505}
SOAP_TYPES = (b"application/soap+xml", b"text/xml", b"application/xml")


def _ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"urn:uuid:00000000-0000-0000-0000-{next(counter):012d}"


def _client(version: Version = Version.V16, **options: Any) -> SoapClient:
    return SoapClient(Service.CENTRAL_SYSTEM, version, "CP-1", url=CS_URL,
                      new_message_id=_ids(), address="http://10.0.0.7:8080/ocpp",
                      limits=LIMITS, **options)


CALLS: list[tuple[Version, Any, dict[str, Any]]] = [
    (Version.V16, m16.HeartbeatRequest(), {}),
    (Version.V16, m16.BootNotificationRequest(charge_point_vendor="V", charge_point_model="M"),
     {"request_encoding": "gzip"}),
    (Version.V16, m16.AuthorizeRequest(id_tag="ABC"), {"chunked": True}),
    (Version.V16, m16.StatusNotificationRequest(
        connector_id=1, error_code=e16.ChargePointErrorCode.NoError,
        status=e16.ChargePointStatus.Available, timestamp=NOW), {"request_encoding": "deflate"}),
    (Version.V15, m15.HeartbeatRequest(), {}),
]

LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;")
                                                   * 10) for i in range(1, 10))
          + b']><lolz>&lol9;</lolz>')


def _post(body: bytes, extra: bytes = b"") -> bytes:
    return (b"POST /ocpp HTTP/1.1\r\nhost: cs.example\r\ncontent-type: application/soap+xml\r\n"
            + extra + b"content-length: %d\r\n\r\n" % len(body) + body)


def _requests() -> list[bytes]:
    out = [_client(v, **o).send_call(m) for v, m, o in CALLS]
    heartbeat = out[0]
    envelope = heartbeat.partition(b"\r\n\r\n")[2]
    out.append(heartbeat + out[4])  # two pipelined requests
    out.append(_post(envelope, b"expect: 100-continue\r\n"))
    out.append(_post(LAUGHS))
    deep = envelope.replace(b"<soap:Body>", b"<soap:Body>" + b"<a>" * 40, 1).replace(
        b"</soap:Body>", b"</a>" * 40 + b"</soap:Body>", 1)
    out.append(_post(deep))
    out.append(_post(b"x" * 64, b"content-encoding: gzip\r\n"))
    out.append(_post(gzip.compress(b"\0" * 100_000), b"content-encoding: gzip\r\n"))
    out.append(b"GET /ocpp HTTP/1.1\r\nhost: cs.example\r\n\r\n")
    return out


REQUESTS = _requests()


def _split_response(reply: bytes) -> tuple[int, bytes, bytes]:
    m = re.match(rb"HTTP/1\.1 (\d{3}) [^\r\n]*\r\n", reply)
    assert m is not None, reply[:200]
    head, sep, body = reply.partition(b"\r\n\r\n")
    assert sep
    lengths = re.findall(rb"(?im)^content-length: *(\d+)\r?$", head)
    if lengths:
        assert int(lengths[0]) == len(body), reply[:300]
    else:
        assert re.search(rb"(?im)^transfer-encoding: *chunked\r?$", head), head
        assert body.endswith(b"0\r\n\r\n")
    return int(m.group(1)), head, body


def _check_fault_reply(exc: RemoteProtocolError) -> None:
    assert exc.reply is not None
    status, head, body = _split_response(exc.reply)
    assert status == exc.status
    if exc.fault is None:
        assert status in HTTP_STATUSES, exc
        return
    assert status == exc.fault.http_status
    assert re.search(rb"(?im)^content-type: application/soap\+xml", head)
    if re.search(rb"(?im)^content-encoding: gzip", head):
        body = gzip.decompress(body)
    envelope = parse_envelope(body)
    assert envelope.is_fault
    assert parse_fault(envelope.body).code is exc.fault.code


def _bounds(server: SoapServer, chunk: int) -> None:
    http = server._http
    assert len(http._conn._receive_buffer) <= LIMITS.http.max_header_bytes + chunk
    assert len(http._body) <= LIMITS.http.max_body_bytes + chunk


server_counter = Counter()


def _serve(server: SoapServer) -> bool:
    """Drain the server's events; ``False`` once the connection is over."""
    while True:
        try:
            event = server.next_event()
        except RemoteProtocolError as exc:
            _check_fault_reply(exc)
            server_counter.saw(f"{exc.status} {exc.fault.code if exc.fault else 'http'}")
            if server.must_close:
                return False
            continue
        if isinstance(event, NeedData):
            return True
        if isinstance(event, ConnectionClosed):
            return False
        if isinstance(event, SendContinue):
            assert event.data.startswith(b"HTTP/1.1 100 ")
            continue
        assert isinstance(event, CallReceived), event
        server_counter.saw(f"call {event.action}")
        reply = server.send_fault(event, event.fault(Subcode.NotSupported, "fuzz"))
        assert _split_response(reply)[0] == 500
        if server.must_close:
            return False


@given(st.data(), mutated(REQUESTS), st.booleans())
@ROUND_SETTINGS
def _server_round(data: st.DataObject, request: bytes, eof: bool) -> None:
    server_counter.tick()
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=_ids(), address=CS_URL,
                        limits=LIMITS)
    with no_hang():
        alive = True
        for chunk in data.draw(split_points(request)):
            try:
                server.receive_data(chunk)
            except RemoteProtocolError as exc:
                _check_fault_reply(exc)
                alive = False
                break
            alive = _serve(server)
            _bounds(server, len(chunk))
            if not alive:
                break
        if alive and eof:
            try:
                server.receive_data(b"")
            except RemoteProtocolError as exc:  # pragma: no cover - h11 accepts one EOF
                _check_fault_reply(exc)
            else:
                _serve(server)


def test_soap_server_fuzz() -> None:
    run_for("soap server", 0.4, _server_round, server_counter)


usable_counter = Counter()


@given(st.data(), mutated([REQUESTS[0].partition(b"\r\n\r\n")[2]]))
@ROUND_SETTINGS
def _usable_round(data: st.DataObject, envelope: bytes) -> None:
    """A request whose HTTP framing is right but whose envelope is mutated gets a call or a
    fault, and the kept-alive connection then serves the next, valid request."""
    usable_counter.tick()
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=_ids(), limits=LIMITS)
    with no_hang():
        server.receive_data(_post(envelope))
        try:
            event = server.next_event()
        except RemoteProtocolError as exc:
            _check_fault_reply(exc)
            usable_counter.saw(f"{exc.status} {exc.fault.code if exc.fault else 'http'}")
            if exc.status == 413:  # the body was not read: the connection must close
                assert server.must_close
                return
            assert exc.fault is not None or exc.status == 415
        else:
            assert isinstance(event, CallReceived)
            usable_counter.saw("call")
            server.send_fault(event, event.fault(Subcode.NotSupported, "fuzz"))
        assert not server.must_close
        server.receive_data(REQUESTS[0])
        event = server.next_event()
        assert isinstance(event, CallReceived) and event.action == "Heartbeat"


def test_soap_server_stays_usable_fuzz() -> None:
    run_for("soap server usable", 0.2, _usable_round, usable_counter)


# -- client side -----------------------------------------------------------------------------


def _responses() -> list[bytes]:
    out = []
    for answer, compress in [
        (m16.HeartbeatResponse(current_time=NOW), False),
        (m16.HeartbeatResponse(current_time=NOW), True),
        (None, False),
    ]:
        client = _client(accept_encoding="gzip" if compress else None)
        server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=_ids(), address=CS_URL)
        server._http.compress_min_bytes = 0
        server.receive_data(client.send_call(m16.HeartbeatRequest()))
        call = server.next_event()
        assert isinstance(call, CallReceived)
        if answer is None:
            out.append(server.send_fault(call, call.fault(Subcode.SecurityError, "no")))
        else:
            out.append(server.send_result(call, answer))
    envelope = out[0].partition(b"\r\n\r\n")[2]
    out.append(b"HTTP/1.1 200 OK\r\ncontent-type: application/soap+xml\r\n"
               b"transfer-encoding: chunked\r\n\r\n%x\r\n" % len(envelope) + envelope
               + b"\r\n0\r\n\r\n")
    out.append(b"HTTP/1.1 415 Unsupported Media Type\r\ncontent-length: 5\r\n\r\nnope\n")
    out.append(b"HTTP/1.0 500 Oops\r\ncontent-type: text/xml\r\n\r\n" + envelope)
    out.append(b"HTTP/1.1 100 Continue\r\n\r\n" + out[0])
    return out


RESPONSES = _responses()
client_counter = Counter()


@given(st.data(), mutated(RESPONSES), st.booleans())
@ROUND_SETTINGS
def _client_round(data: st.DataObject, response: bytes, eof: bool) -> None:
    client_counter.tick()
    client = _client()
    client.send_call(m16.HeartbeatRequest())
    with no_hang():
        try:
            for chunk in [*data.draw(split_points(response)), *([b""] if eof else [])]:
                client.receive_data(chunk)
                event = client.next_event()
                assert len(client._http._body) <= LIMITS.http.max_body_bytes + len(chunk)
                assert len(client._http._conn._receive_buffer) <= (
                    LIMITS.http.max_header_bytes + len(chunk))
                if isinstance(event, ResultReceived | FaultReceived):
                    client_counter.saw(type(event).__name__)
                    assert client.idle or client.must_close
                    break
                assert isinstance(event, NeedData | ConnectionClosed), event
            else:
                client_counter.saw("incomplete")
        except RemoteProtocolError as exc:
            assert exc.reply is None
            client_counter.saw("error")


def test_soap_client_fuzz() -> None:
    run_for("soap client", 0.2, _client_round, client_counter)


# -- the envelope parser alone ---------------------------------------------------------------

ENVELOPES = [r.partition(b"\r\n\r\n")[2] for r in (REQUESTS[0], REQUESTS[4], RESPONSES[0],
                                                  RESPONSES[2])] + [LAUGHS]
parser_counter = Counter()


@given(mutated(ENVELOPES, max_mutations=6))
@ROUND_SETTINGS
def _parser_round(document: bytes) -> None:
    parser_counter.tick()
    with no_hang():
        try:
            envelope = parse_envelope(document, LIMITS.xml)
        except SoapFaultError as exc:
            parser_counter.saw(f"{exc.fault.code} {exc.fault.subcodes[:1]}")
        else:
            assert isinstance(envelope, Envelope)
            parser_counter.saw("envelope")


def test_envelope_parser_fuzz() -> None:
    run_for("soap envelope parser", 0.2, _parser_round, parser_counter)
