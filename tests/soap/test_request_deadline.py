"""The time limit of one OCPP-S request, sans-IO: :meth:`SoapServer.request_deadline` and
:meth:`SoapServer.time_out` (``Limits.request_timeout``; HTTP 408, RFC 9110 section 15.5.9).

The caller keeps the clock: the request's start is the ``now`` of the first
``request_deadline`` call that finds part of a request received; the deadline holds until
the request is complete, whatever arrives meanwhile; idle connections and requests being
answered have none.
"""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_sansio import Version
from ocpp_sansio.soap import (
    CallReceived,
    ConnectionClosed,
    Limits,
    NeedData,
    RemoteProtocolError,
    Service,
    SoapClient,
    SoapServer,
)
from ocpp_sansio.soap.http import HttpServer
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.ws import Limits as WsLimits

TIMEOUT = 20.0
NOW = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def _server(timeout: float = TIMEOUT) -> SoapServer:
    return SoapServer(Service.CENTRAL_SYSTEM, new_message_id=lambda: "urn:uuid:s",
                      limits=Limits(request_timeout=timeout))


def _request(message_id: str = "urn:uuid:1") -> bytes:
    client = SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "CP-1", url="http://cs/ocpp",
                        new_message_id=lambda: message_id, accept_encoding=None)
    return client.send_call(m16.HeartbeatRequest())


def _answer(server: SoapServer, call: CallReceived) -> bytes:
    return server.send_result(call, m16.HeartbeatResponse(current_time=NOW))


def test_default_is_the_websocket_handshake_timeout() -> None:
    assert Limits().request_timeout == WsLimits().handshake_timeout == 20.0
    with pytest.raises(ValueError, match="request_timeout"):
        Limits(request_timeout=0)


def test_idle_connection_has_no_deadline() -> None:
    server = _server()
    assert not server.request_in_progress
    assert isinstance(server.next_event(), NeedData)
    assert server.request_deadline(5.0) is None


def test_deadline_counts_from_the_first_byte_and_holds_until_complete() -> None:
    server = _server()
    data = _request()
    head, _, body = data.partition(b"\r\n\r\n")
    server.receive_data(data[:1])
    assert isinstance(server.next_event(), NeedData)
    assert server.request_in_progress
    assert server.request_deadline(100.0) == 100.0 + TIMEOUT
    # the rest of the head, then the body a byte at a time: the deadline does not move
    server.receive_data(head[1:] + b"\r\n\r\n")
    assert isinstance(server.next_event(), NeedData)
    assert server.request_deadline(105.0) == 100.0 + TIMEOUT
    for i, byte in enumerate(body[:-1]):
        server.receive_data(bytes((byte,)))
        assert isinstance(server.next_event(), NeedData)
        assert server.request_deadline(106.0 + i) == 100.0 + TIMEOUT
    server.receive_data(body[-1:])
    call = server.next_event()
    assert isinstance(call, CallReceived)
    # complete: being answered, no deadline; answered: idle, none either
    assert not server.request_in_progress
    assert server.request_deadline(200.0) is None
    _answer(server, call)
    assert isinstance(server.next_event(), NeedData)
    assert server.request_deadline(300.0) is None


def test_each_request_has_its_own_clock() -> None:
    server = _server()
    first, second = _request("urn:uuid:1"), _request("urn:uuid:2")
    # the first request and part of the next one arrive together
    server.receive_data(first + second[:10])
    call = server.next_event()
    assert isinstance(call, CallReceived)
    _answer(server, call)
    assert isinstance(server.next_event(), NeedData)
    assert server.request_deadline(50.0) == 50.0 + TIMEOUT  # not the first one's start
    server.receive_data(second[10:])
    assert isinstance(server.next_event(), CallReceived)
    assert server.request_deadline(60.0) is None


def test_an_earlier_start_may_be_given() -> None:
    """A caller that read the first bytes elsewhere (the one-port front door) passes the
    time it started reading in the first call."""
    server = _server()
    server.receive_data(b"POST /ocpp HTTP/1.1\r\nHost: cs\r\n")
    assert isinstance(server.next_event(), NeedData)
    assert server.request_deadline(3.0) == 3.0 + TIMEOUT
    assert server.request_deadline(9.0) == 3.0 + TIMEOUT


@pytest.mark.parametrize("cut", ["head", "body"])
def test_time_out_answers_408_and_closes(cut: str) -> None:
    server = _server(0.5)
    data = _request()
    at = data.index(b"\r\n\r\n") + (4 + 10 if cut == "body" else -5)
    server.receive_data(data[:at])
    assert isinstance(server.next_event(), NeedData)
    assert server.request_deadline(0.0) == 0.5
    reply = server.time_out()
    head = reply.partition(b"\r\n\r\n")[0].lower()
    assert reply.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"connection: close" in head
    assert server.must_close
    assert not server.request_in_progress
    assert server.request_deadline(1.0) is None
    assert isinstance(server.next_event(), ConnectionClosed)


def test_a_refused_request_ends_its_clock() -> None:
    server = _server()
    server.receive_data(b"GET /ocpp HTTP/1.1\r\nHost: cs\r\n")
    assert isinstance(server.next_event(), NeedData)
    assert server.request_deadline(1.0) == 1.0 + TIMEOUT
    server.receive_data(b"\r\n")
    with pytest.raises(RemoteProtocolError) as info:
        server.next_event()
    assert info.value.status == 405
    assert isinstance(server.next_event(), NeedData)
    assert server.request_deadline(2.0) is None


def test_http_server_in_progress_states() -> None:
    http = HttpServer()
    assert not http.request_in_progress
    http.receive_data(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
    http.next_event()
    assert http.request_in_progress  # body arriving
    http.receive_data(b"cd")
    http.next_event()
    assert not http.request_in_progress  # complete
    http.receive_data(b"")
    assert not http.request_in_progress


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_split_keeps_the_first_chunk_start(data: st.DataObject) -> None:
    """However a request is cut into chunks (fed at increasing times), its deadline is the
    first chunk's time plus the limit until the request is complete, then none."""
    request = _request()
    cuts = sorted(data.draw(st.sets(st.integers(1, len(request) - 1), max_size=12)))
    chunks = [request[a:b] for a, b in zip([0, *cuts], [*cuts, len(request)], strict=True)]
    server = _server()
    now = 10.0
    start = None
    for chunk in chunks:
        now += data.draw(st.floats(0, 5))
        server.receive_data(chunk)
        event = server.next_event()
        if isinstance(event, CallReceived):
            assert chunk is chunks[-1]
            assert server.request_deadline(now) is None
            break
        assert isinstance(event, NeedData)
        if start is None:
            start = now
        assert server.request_deadline(now) == start + TIMEOUT
    else:
        raise AssertionError("the request never completed")
