"""HTTP/1.1 framing: content-length and chunked bodies, gzip and deflate, limits, keep-alive."""

import gzip
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_sansio.soap.http import ConnectionClosed as Closed
from ocpp_sansio.soap.http import (
    DecodeError,
    HttpClient,
    HttpLimits,
    HttpLocalError,
    HttpRemoteError,
    HttpRequest,
    HttpResponse,
    HttpServer,
    NeedData,
    Paused,
    SendContinue,
    decode_body,
    encode_body,
    negotiate_coding,
    parse_content_type,
)

BODY = b"<x>" + b"payload " * 200 + b"</x>"


def request_bytes(body: bytes, *headers: str, chunked: bool = False) -> bytes:
    lines = ["POST /ocpp HTTP/1.1", "Host: cs", *headers]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        framed = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                          for part in (body[:7], body[7:100], body[100:]) if part) + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        framed = body
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + framed


def receive(server: HttpServer, data: bytes) -> HttpRequest:
    server.receive_data(data)
    event = server.next_event()
    assert isinstance(event, HttpRequest), event
    return event


def remote_error(server: HttpServer, data: bytes) -> HttpRemoteError:
    with pytest.raises(HttpRemoteError) as info:
        server.receive_data(data)
        while isinstance(server.next_event(), NeedData):
            pass
    return info.value


def status_of(reply: bytes | None) -> int:
    assert reply is not None
    return int(reply.split(b" ", 2)[1])


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("coding", [None, "gzip", "x-gzip", "deflate", "raw-deflate",
                                    "deflate, gzip"])
def test_request_bodies(chunked: bool, coding: str | None) -> None:
    if coding is None:
        data, headers = BODY, []
    elif coding == "raw-deflate":
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        data, headers = c.compress(BODY) + c.flush(), ["Content-Encoding: deflate"]
    elif coding == "deflate, gzip":
        data = gzip.compress(zlib.compress(BODY))
        headers = ["Content-Encoding: deflate, gzip"]
    else:
        data = gzip.compress(BODY) if "gzip" in coding else zlib.compress(BODY)
        headers = [f"Content-Encoding: {coding}"]
    server = HttpServer()
    request = receive(server, request_bytes(data, *headers, chunked=chunked))
    assert request.method == "POST" and request.target == "/ocpp"
    assert request.body == BODY
    assert request.header("HOST") == "cs"


def test_gzip_with_several_members_and_padding() -> None:
    data = gzip.compress(BODY[:50]) + gzip.compress(BODY[50:]) + b"\x00\x00"
    assert decode_body(data, "gzip", 10_000) == BODY


def test_byte_by_byte() -> None:
    server = HttpServer()
    data = request_bytes(BODY, chunked=True)
    for i in range(len(data) - 1):
        server.receive_data(data[i:i + 1])
        assert isinstance(server.next_event(), NeedData)
    assert receive(server, data[-1:]).body == BODY


def test_keep_alive_and_pipelining() -> None:
    server = HttpServer()
    server.receive_data(request_bytes(b"one") + request_bytes(b"two"))
    first = server.next_event()
    assert isinstance(first, HttpRequest) and first.body == b"one"
    assert isinstance(server.next_event(), Paused)
    reply = server.send_response(200, [("Content-Type", "text/plain")], b"1")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"\r\n\r\n1")
    second = server.next_event()
    assert isinstance(second, HttpRequest) and second.body == b"two"
    server.send_response(200, [], b"2")
    assert not server.must_close
    server.receive_data(b"")
    assert isinstance(server.next_event(), Closed)


def test_expect_100_continue() -> None:
    server = HttpServer()
    head = request_bytes(b"abc", "Expect: 100-continue")
    server.receive_data(head[:-3])
    event = server.next_event()
    assert isinstance(event, SendContinue)
    assert event.data.startswith(b"HTTP/1.1 100 ")
    assert isinstance(server.next_event(), NeedData)
    assert receive(server, b"abc").body == b"abc"


def test_response_compression_follows_accept_encoding() -> None:
    for accept, coding in [("gzip", "gzip"), ("deflate;q=1, gzip;q=0.5", "deflate"),
                           ("gzip;q=0, br", None), ("*", "gzip"), (None, None)]:
        server = HttpServer()
        headers = [] if accept is None else [f"Accept-Encoding: {accept}"]
        receive(server, request_bytes(b"x", *headers))
        reply = server.send_response(200, [("Content-Type", "text/xml")], BODY, compress=True)
        client_view = HttpClient("cs")
        client_view.send_request("POST", "/", [], b"x")
        client_view.receive_data(reply)
        response = client_view.next_event()
        assert isinstance(response, HttpResponse)
        assert response.body == BODY
        assert response.header("content-encoding") == coding, accept


def test_small_responses_are_not_compressed() -> None:
    server = HttpServer()
    receive(server, request_bytes(b"x", "Accept-Encoding: gzip"))
    reply = server.send_response(200, [], b"tiny", compress=True)
    assert b"Content-Encoding" not in reply


def test_chunked_response() -> None:
    server = HttpServer()
    receive(server, request_bytes(b"x"))
    reply = server.send_response(500, [], BODY, chunked=True, close=True)
    assert b"Transfer-Encoding: chunked" in reply and b"Connection: close" in reply
    assert server.must_close


@pytest.mark.parametrize(("data", "status"), [
    (request_bytes(BODY[:600]), 413),
    (request_bytes(BODY[:600], chunked=True), 413),
    (request_bytes(gzip.compress(b"\0" * 10_000_000), "Content-Encoding: gzip"), 413),
    (request_bytes(zlib.compress(b"\0" * 10_000_000), "Content-Encoding: deflate"), 413),
    (request_bytes(BODY[:300], "Content-Encoding: br"), 415),
    (request_bytes(b"not gzip", "Content-Encoding: gzip"), 400),
    (request_bytes(gzip.compress(BODY)[:-20], "Content-Encoding: gzip"), 400),
    (request_bytes(zlib.compress(BODY) + b"junk", "Content-Encoding: deflate"), 400),
    (b"NONSENSE\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: a\r\nX: " + b"h" * 20_000 + b"\r\n\r\n", 431),
], ids=["content-length", "chunked", "gzip-bomb", "deflate-bomb", "unknown-coding",
        "not-gzip", "truncated-gzip", "junk-after-deflate", "request-line", "two-lengths",
        "huge-header"])
def test_bad_requests_are_answered_then_closed(data: bytes, status: int) -> None:
    server = HttpServer(HttpLimits(max_body_bytes=500, max_decoded_bytes=5000))
    error = remote_error(server, data)
    assert error.status == status
    assert status_of(error.reply) == status
    assert error.reply is not None and b"Connection: close" in error.reply
    assert server.must_close
    assert isinstance(server.next_event(), Closed)


def test_misuse_is_a_local_error() -> None:
    server = HttpServer()
    with pytest.raises(HttpLocalError):
        server.send_response(200, [], b"")
    client = HttpClient("cs")
    client.send_request("POST", "/", [], b"x")
    with pytest.raises(HttpLocalError):
        client.send_request("POST", "/", [], b"y")
    with pytest.raises(HttpLocalError):
        encode_body(b"x", "br")


def test_client_side() -> None:
    client = HttpClient("cs:8080")
    data = client.send_request("POST", "/ocpp", [("Content-Type", "text/xml")], BODY,
                               content_encoding="gzip", chunked=True)
    server = HttpServer()
    request = receive(server, data)
    assert request.body == BODY and request.header("host") == "cs:8080"
    assert request.header("accept-encoding") == "gzip, deflate"
    reply = server.send_response(200, [], BODY, compress=True)
    client.receive_data(b"HTTP/1.1 100 Continue\r\n\r\n" + reply[:10])
    assert isinstance(client.next_event(), NeedData)
    client.receive_data(reply[10:])
    response = client.next_event()
    assert isinstance(response, HttpResponse)
    assert response.status == 200 and response.reason == "OK" and response.body == BODY
    assert client.idle
    # a response that breaks HTTP
    client.send_request("POST", "/", [], b"")
    client.receive_data(b"HTTP/1.1 abc\r\n\r\n")
    with pytest.raises(HttpRemoteError):
        client.next_event()
    assert client.must_close


def test_client_limits() -> None:
    client = HttpClient("cs")
    client.send_request("POST", "/", [], b"")
    client.receive_data(b"HTTP/1.1 200 OK\r\nX: " + b"h" * 20_000 + b"\r\n\r\n")
    with pytest.raises(HttpRemoteError):
        client.next_event()
    client = HttpClient("cs", HttpLimits(max_body_bytes=100, max_decoded_bytes=1000))
    client.send_request("POST", "/", [], b"")
    client.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + b"x" * 200)
    with pytest.raises(HttpRemoteError):
        client.next_event()
    client = HttpClient("cs", HttpLimits(max_body_bytes=1000, max_decoded_bytes=1000))
    client.send_request("POST", "/", [], b"")
    bomb = gzip.compress(b"\0" * 100_000)
    client.receive_data(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
                        + str(len(bomb)).encode() + b"\r\n\r\n" + bomb)
    with pytest.raises(HttpRemoteError):
        client.next_event()


def test_closed_connection_for_client() -> None:
    client = HttpClient("cs")
    client.send_request("POST", "/", [], b"")
    client.receive_data(b"HTTP/1.0 200 OK\r\n\r\nbody until close")
    assert isinstance(client.next_event(), NeedData)
    client.receive_data(b"")
    response = client.next_event()
    assert isinstance(response, HttpResponse) and response.body == b"body until close"
    assert client.must_close
    assert isinstance(client.next_event(), Closed)


@pytest.mark.parametrize(("value", "expected"), [
    ('application/soap+xml; charset=utf-8; action="/Heartbeat"',
     ("application/soap+xml", {"charset": "utf-8", "action": "/Heartbeat"})),
    ('Application/SOAP+XML;action="a;b\\"c"', ("application/soap+xml", {"action": 'a;b"c'})),
    ("text/xml", ("text/xml", {})),
    ("text/xml; junk", ("text/xml", {})),
    (None, ("", {})),
])
def test_parse_content_type(value: str | None, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_content_type(value) == expected


def test_negotiation_details() -> None:
    assert negotiate_coding("identity") is None
    assert negotiate_coding("gzip;q=abc, deflate") == "deflate"
    assert negotiate_coding("x-gzip") == "gzip"
    assert negotiate_coding(", ,") is None


@settings(max_examples=50, deadline=None)
@given(body=st.binary(max_size=3000), coding=st.sampled_from(["gzip", "deflate"]),
       cut=st.integers(min_value=0, max_value=100))
def test_codings_round_trip_and_never_crash(body: bytes, coding: str, cut: int) -> None:
    encoded = encode_body(body, coding)
    assert decode_body(encoded, coding, 10_000) == body
    try:
        decode_body(encoded[:cut], coding, 10_000)
    except DecodeError as exc:
        assert exc.status in (400, 413)
