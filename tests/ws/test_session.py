"""Sans-IO session tests: a ClientSession and a ServerSession (or hand-written bytes) exchange
bytes in memory; no socket, the clock is a number."""

import base64
import datetime

import h11
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage
from wsproto.frame_protocol import CloseReason, FrameProtocol, Opcode

from ocpp_sansio.version import Version
from ocpp_sansio.ws import (
    Accept,
    ClientConfig,
    ClientSession,
    Compression,
    Connected,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectRequested,
    KeepAlive,
    Limits,
    LocalProtocolError,
    MessageReceived,
    NoSubprotocolAction,
    Reject,
    Rejected,
    RemoteProtocolError,
    SecurityProfile,
    ServerConfig,
    ServerSession,
    SessionState,
)
from ocpp_sansio.ws.handshake import accept_token
from ocpp_sansio.ws.tls import PeerCertificate

from ._pipe import (
    KEY,
    client_for,
    drain,
    open_pair,
    raw_client,
    raw_request,
    request_to,
    state_of,
    transfer,
)

PASSWORD_16 = bytes.fromhex("0001020304050607FFFFFFFFFFFFFFFFFFFFFFFF")  # OCPP-J 1.6 6.2.2


def refusal(server: ServerSession) -> RemoteProtocolError:
    with pytest.raises(RemoteProtocolError) as info:
        drain(server)
    assert server.state is SessionState.CLOSED
    return info.value


def response_of(reply: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
    """Status, headers and body of an HTTP response."""
    conn = h11.Connection(h11.CLIENT)
    upgrade = [("Host", "x"), ("Upgrade", "websocket"), ("Connection", "Upgrade")]
    conn.send(h11.Request(method="GET", target="/", headers=upgrade))
    conn.send(h11.EndOfMessage())
    conn.receive_data(reply)
    head = conn.next_event()
    assert isinstance(head, h11.Response | h11.InformationalResponse)
    body = b""
    if isinstance(head, h11.Response):
        while not isinstance(event := conn.next_event(), h11.EndOfMessage):
            assert isinstance(event, h11.Data)
            body += event.data
    return head.status_code, dict(head.headers), body


# -- opening handshake ------------------------------------------------------------------------


@pytest.mark.parametrize("compression", [True, False])
def test_connect_and_exchange(compression: bool) -> None:
    server_config = ServerConfig(compression=Compression(enabled=compression))
    server = ServerSession(server_config, now=0.0, remote_address=("192.0.2.1", 40000))
    client = client_for(identity="CS/01 é", versions=("2.0.1", "1.6"))
    (event,) = request_to(server, client)
    assert isinstance(event, ConnectRequested)
    request = event.request
    assert request.identity == "CS/01 é"
    assert request.version is Version.V201
    assert request.offered == ("ocpp2.0.1", "ocpp1.6")
    assert request.password is None
    assert request.remote_address == ("192.0.2.1", 40000)
    assert request.header("Sec-WebSocket-Version") == b"13"
    assert server.state is SessionState.AUTHORIZING and server.next_deadline() is None
    server.respond(Accept(headers=[("X-Csms", "1")]), 0.0)
    expected = Connected(version=Version.V201, subprotocol="ocpp2.0.1", compression=compression)
    assert drain(server) == [expected]
    assert transfer(server, client) == [expected]


@pytest.mark.parametrize("compression", [True, False])
def test_messages_flow_both_ways(compression: bool) -> None:
    client, server = open_pair(
        ServerConfig(compression=Compression(enabled=compression)),
        versions=("2.0.1",),
        compression=Compression(enabled=compression),
    )
    assert client.version is Version.V201 and client.compression is compression
    assert server.compression is compression
    texts = ['[2,"1","Heartbeat",{}]', "é✓" * 1000, "", "x" * 70000]
    for text in texts:
        client.send_text(text)
    assert transfer(client, server) == [MessageReceived(text=t) for t in texts]
    for text in texts:
        server.send_text(text)
    assert transfer(server, client) == [MessageReceived(text=t) for t in texts]


def test_client_sees_the_101() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    client = client_for(versions=("1.6",))
    request_to(server, client)
    server.respond(Accept(headers=[("X-Csms", "1")]), 0.0)
    drain(server)
    reply = server.data_to_send()
    status, headers, _ = response_of(reply)
    assert status == 101 and headers[b"sec-websocket-protocol"] == b"ocpp1.6"
    assert headers[b"x-csms"] == b"1"
    client.receive_data(reply, 0.0)
    assert drain(client) == [
        Connected(version=Version.V16, subprotocol="ocpp1.6", compression=True)
    ]
    assert client.subprotocol == "ocpp1.6"


@given(cuts=st.lists(st.integers(min_value=1, max_value=400), max_size=40))
@settings(max_examples=60, deadline=None)
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    """Bytes may arrive in any pieces: the handshake and messages come out the same."""
    client = client_for(versions=("1.6",))
    server = ServerSession(ServerConfig(), now=0.0)
    request = client.data_to_send()
    stream_events: list[object] = []
    # the request, cut into pieces
    data, pos = request, 0
    for cut in [*cuts, len(data)]:
        if pos >= len(data):
            break
        server.receive_data(data[pos : pos + cut], 0.0)
        stream_events += drain(server)
        pos += cut
    assert isinstance(stream_events[-1], ConnectRequested)
    server.respond(Accept(), 0.0)
    drain(server)
    client.receive_data(server.data_to_send(), 0.0)
    drain(client)
    texts = ["a", "é" * 300, "[]" * 2000]
    for text in texts:
        client.send_text(text)
    data, pos, got = client.data_to_send(), 0, []
    for cut in [*cuts, len(data)] * 50:
        if pos >= len(data):
            break
        server.receive_data(data[pos : pos + cut], 0.0)
        got += drain(server)
        pos += cut
    assert got == [MessageReceived(text=t) for t in texts]


def test_accept_may_choose_another_offered_version() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    client = client_for(versions=("2.0.1", "1.6"))
    request_to(server, client)
    with pytest.raises(LocalProtocolError):
        server.respond(Accept(version=Version.V21), 0.0)  # not offered
    server.respond(Accept(version=Version.V16), 0.0)
    assert drain(server)[0] == Connected(
        version=Version.V16, subprotocol="ocpp1.6", compression=True
    )
    assert transfer(server, client)[0] == Connected(
        version=Version.V16, subprotocol="ocpp1.6", compression=True
    )


def test_respond_misuse() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    with pytest.raises(LocalProtocolError):
        server.respond(Accept(), 0.0)  # nothing asked yet
    request_to(server, client_for())
    server.respond(Accept(), 0.0)
    with pytest.raises(LocalProtocolError):
        server.respond(Accept(), 0.0)  # answered already
    gone = ServerSession(ServerConfig(), now=0.0)
    request_to(gone, client_for())
    gone.receive_data(b"", 1.0)
    assert drain(gone) == [
        ConnectionClosed(
            code=1006, reason="connection closed during the opening handshake", by_peer=True
        )
    ]
    with pytest.raises(ConnectionClosedError):
        gone.respond(Accept(), 1.0)


def test_application_reject() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    client = client_for()
    request_to(server, client)
    server.respond(Reject(status=404, body=b"unknown station"), 0.0)
    assert server.state is SessionState.CLOSED
    reply = server.data_to_send()
    assert response_of(reply)[0] == 404
    client.receive_data(reply, 0.0)
    (rejected,) = drain(client)
    assert isinstance(rejected, Rejected)
    assert (rejected.status_code, rejected.body) == (404, b"unknown station")
    assert rejected.reason == "HTTP 404 Not Found"
    assert client.state is SessionState.CLOSED


def test_rejection_body_is_bounded_and_eof_ends_it() -> None:
    client = client_for(limits=Limits(max_handshake_size=1024))
    client.data_to_send()
    client.receive_data(b"HTTP/1.1 503 Service Unavailable\r\n\r\n" + b"x" * 5000, 0.0)
    (rejected,) = drain(client)
    assert isinstance(rejected, Rejected) and len(rejected.body) == 1024
    other = client_for()
    other.receive_data(b"HTTP/1.1 500 Oops\r\n\r\npartial", 0.0)
    assert drain(other) == []
    other.receive_data(b"", 0.0)
    (rejected,) = drain(other)
    assert isinstance(rejected, Rejected) and rejected.body == b"partial"


# -- subprotocol negotiation ------------------------------------------------------------------


def test_no_common_version_completes_then_closes() -> None:
    """OCPP-J 1.6 section 3.2 / 2.0.1 Part 4 section 3.2: 101 without Sec-WebSocket-Protocol,
    then immediately close."""
    server = ServerSession(ServerConfig(versions=("2.0.1",)), now=0.0)
    client = client_for(versions=("1.6", "1.5"))
    server.receive_data(client.data_to_send(), 0.0)
    error = refusal(server)
    assert (error.status_code, error.close_code) == (101, 1002)
    status, headers, _ = response_of(error.reply)
    assert status == 101 and b"sec-websocket-protocol" not in headers
    # the client reads it as the CSMS's refusal
    client.receive_data(error.reply, 0.0)
    (rejected,) = drain(client)
    assert isinstance(rejected, Rejected) and rejected.status_code == 101
    assert "none of the offered OCPP versions" in rejected.reason


def test_no_common_version_http_400_when_configured() -> None:
    config = ServerConfig(versions=("2.1",), no_subprotocol=NoSubprotocolAction.HTTP_400)
    server = ServerSession(config, now=0.0)
    client = client_for(versions=("1.6",))
    server.receive_data(client.data_to_send(), 0.0)
    error = refusal(server)
    assert error.status_code == 400 and response_of(error.reply)[0] == 400
    client.receive_data(error.reply, 0.0)
    (rejected,) = drain(client)
    assert isinstance(rejected, Rejected) and rejected.status_code == 400


def test_missing_subprotocol_header() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    server.receive_data(raw_request(protocols=None), 0.0)
    assert refusal(server).status_code == 101
    # with an assumed version (lenient), the 101 names no subprotocol
    lenient = ServerSession(ServerConfig(assume_version=Version.V16), now=0.0)
    lenient.receive_data(raw_request(protocols=None), 0.0)
    (event,) = drain(lenient)
    assert isinstance(event, ConnectRequested)
    assert event.request.version is Version.V16 and event.request.offered is None
    lenient.respond(Accept(), 0.0)
    assert drain(lenient) == [Connected(version=Version.V16, subprotocol=None, compression=False)]
    status, headers, _ = response_of(lenient.data_to_send())
    assert status == 101 and b"sec-websocket-protocol" not in headers


def test_client_refuses_unoffered_choices() -> None:
    """RFC 6455 section 4.1: the client fails a response with a wrong accept token, an
    unrequested subprotocol or extension, or missing upgrade headers."""
    good = b"Sec-WebSocket-Accept: " + accept_token(base64.b64encode(KEY)) + b"\r\n"
    upgrade = b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
    v16 = b"Sec-WebSocket-Protocol: ocpp1.6\r\n"
    cases = [
        (upgrade + good + b"Sec-WebSocket-Protocol: ocpp2.1\r\n", "not offered"),
        (upgrade + b"Sec-WebSocket-Accept: AAAA\r\n" + v16, "Accept"),
        (upgrade + good + v16 + b"Sec-WebSocket-Extensions: x-unknown\r\n", "extension"),
        (b"Connection: Upgrade\r\n" + good + v16, "Upgrade: websocket"),
        (b"Upgrade: websocket\r\n" + good + v16, "Connection: Upgrade"),
    ]
    for fields, words in cases:
        client = client_for(versions=("1.6",))
        client.data_to_send()  # the request went out
        client.receive_data(b"HTTP/1.1 101 Switching Protocols\r\n" + fields + b"\r\n", 0.0)
        with pytest.raises(RemoteProtocolError, match=words) as info:
            drain(client)
        assert info.value.reply == b""  # nothing to answer a broken server with
        assert client.state is SessionState.CLOSED
    # a well-formed answer opens the session
    client = client_for(versions=("1.6",), compression=Compression(enabled=False))
    client.receive_data(b"HTTP/1.1 101 Switching Protocols\r\n" + upgrade + good + v16 + b"\r\n", 0)
    assert drain(client) == [
        Connected(version=Version.V16, subprotocol="ocpp1.6", compression=False)
    ]


# -- identity and credentials -----------------------------------------------------------------


def test_binary_password_reaches_the_application() -> None:
    password = b"\x00:\xff" + bytes(range(17))  # NUL, colon, non-UTF-8: all kept
    server = ServerSession(ServerConfig(security_profile=SecurityProfile.BASIC_AUTH), now=0.0)
    client = client_for(identity="AL1000", password=password, security_profile=1)
    (event,) = request_to(server, client)
    assert isinstance(event, ConnectRequested)
    assert event.request.password == password
    assert event.request.header("authorization") is None  # credentials are not repeated
    assert event.request.password_problem is None  # 20 bytes, a valid 1.6 AuthorizationKey


def test_ocpp_j_16_basic_auth_example_request() -> None:
    """The header of OCPP-J 1.6 section 6.2.2 on the wire."""
    client = client_for(identity="AL1000", password=PASSWORD_16)
    assert b"authorization: Basic QUwxMDAwOgABAgMEBQYH////////////////\r\n" in client.data_to_send()


def test_user_name_must_be_the_identity() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    forged = "Basic " + base64.b64encode(b"CS999:" + PASSWORD_16).decode()
    server.receive_data(raw_request("/ocpp/CS001", [("Authorization", forged)]), 0.0)
    error = refusal(server)
    assert error.status_code == 401
    status, headers, _ = response_of(error.reply)
    assert status == 401 and headers[b"www-authenticate"].startswith(b"Basic realm=")


@pytest.mark.parametrize(
    "value", ["Bearer token", "Basic ***", "Basic " + base64.b64encode(b"CS001").decode()]
)
def test_malformed_credentials_are_401(value: str) -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    server.receive_data(raw_request("/ocpp/CS001", [("Authorization", value)]), 0.0)
    assert refusal(server).status_code == 401


def test_profiles_1_and_2_require_credentials() -> None:
    for profile in (SecurityProfile.BASIC_AUTH, SecurityProfile.TLS_BASIC_AUTH):
        server = ServerSession(ServerConfig(security_profile=profile), now=0.0)
        server.receive_data(raw_request(), 0.0)
        assert refusal(server).status_code == 401


def test_profile_3_requires_a_client_certificate() -> None:
    config = ServerConfig(security_profile=SecurityProfile.TLS_CLIENT_CERT)
    server = ServerSession(config, now=0.0)
    server.receive_data(raw_request(), 0.0)
    assert refusal(server).status_code == 403
    when = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    cert = PeerCertificate(
        subject=(("organizationName", "CPO"), ("commonName", "SN-1")),
        issuer=(("commonName", "CA"),),
        serial_number="01",
        not_before=when,
        not_after=when,
        subject_alt_names=(),
        der=b"",
    )
    server = ServerSession(config, now=0.0, client_certificate=cert)
    server.receive_data(raw_request(), 0.0)
    (event,) = drain(server)
    assert isinstance(event, ConnectRequested)
    assert event.request.client_certificate is cert
    assert (cert.common_name, cert.organization) == ("SN-1", "CPO")


def test_identity_rules_follow_the_negotiated_version() -> None:
    long_id = "x" * 49
    v2 = ServerSession(ServerConfig(), now=0.0)
    v2.receive_data(raw_request(f"/ocpp/{long_id}", protocols="ocpp2.0.1"), 0.0)
    assert refusal(v2).status_code == 400
    v16 = ServerSession(ServerConfig(), now=0.0)
    v16.receive_data(raw_request(f"/ocpp/{long_id}", protocols="ocpp1.6"), 0.0)
    assert isinstance(drain(v16)[0], ConnectRequested)
    lax = ServerSession(ServerConfig(strict_identity=False), now=0.0)
    lax.receive_data(raw_request("/ocpp/CS%3A1", protocols="ocpp2.0.1"), 0.0)
    (event,) = drain(lax)
    assert isinstance(event, ConnectRequested) and event.request.identity == "CS:1"


def test_endpoint_path() -> None:
    config = ServerConfig(path="/ocpp")
    server = ServerSession(config, now=0.0)
    server.receive_data(raw_request("/other/CS001"), 0.0)
    assert refusal(server).status_code == 404
    server = ServerSession(config, now=0.0)
    server.receive_data(raw_request("/ocpp/CS%2F01"), 0.0)
    (event,) = drain(server)
    assert isinstance(event, ConnectRequested) and event.request.identity == "CS/01"


# -- malformed requests and limits ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"hello\r\n\r\n", 400),
        (raw_request(method="POST"), 405),
        (raw_request().replace(b"Version: 13", b"Version: 8"), 426),
        (raw_request().replace(b"Sec-WebSocket-Key", b"X-Key"), 400),
        (raw_request().replace(b"Upgrade: websocket", b"Upgrade: h2c"), 400),
        (raw_request().replace(b"Connection: Upgrade", b"Connection: keep-alive"), 400),
        (raw_request().replace(b"HTTP/1.1", b"HTTP/1.0"), 400),
        (raw_request().replace(b"Host: csms.test\r\n", b""), 400),
        (raw_request(headers=[("Host", "other.test")]), 400),
        (raw_request(headers=[("Content-Length", "3")]) + b"abc", 400),
        (raw_request(headers=[("Authorization", "Basic a"), ("Authorization", "Basic b")]), 400),
    ],
)
def test_malformed_requests(data: bytes, status: int) -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    server.receive_data(data, 0.0)
    error = refusal(server)
    assert error.status_code == status
    assert response_of(error.reply)[0] == status
    assert server.data_to_send() == b""  # everything is in the reply


def test_upgrade_tokens_are_case_insensitive() -> None:
    data = raw_request().replace(b"Upgrade: websocket", b"Upgrade: WebSocket")
    data = data.replace(b"Connection: Upgrade", b"Connection: keep-alive, upgrade")
    server = ServerSession(ServerConfig(), now=0.0)
    server.receive_data(data, 0.0)
    assert isinstance(drain(server)[0], ConnectRequested)


def test_handshake_too_large_is_431() -> None:
    limits = Limits(max_handshake_size=2048)
    # in one piece
    server = ServerSession(ServerConfig(limits=limits), now=0.0)
    server.receive_data(raw_request(headers=[("X-Pad", "a" * 3000)]), 0.0)
    assert refusal(server).status_code == 431
    # trickled in, never completing
    server = ServerSession(ServerConfig(limits=limits), now=0.0)
    head = raw_request()[:-2]
    server.receive_data(head, 0.0)
    for _ in range(100):
        server.receive_data(b"X-Pad: " + b"a" * 100 + b"\r\n", 0.0)
        if server.state is SessionState.CLOSED:
            break
    assert refusal(server).status_code == 431
    # too many header fields
    server = ServerSession(ServerConfig(limits=Limits(max_headers=10)), now=0.0)
    server.receive_data(raw_request(headers=[(f"X-{i}", "1") for i in range(10)]), 0.0)
    assert refusal(server).status_code == 431


def test_slow_loris_gets_408() -> None:
    config = ServerConfig(limits=Limits(handshake_timeout=5.0))
    server = ServerSession(config, now=100.0)
    assert server.next_deadline() == 105.0
    server.receive_data(raw_request()[:20], 101.0)
    server.handle_timeout(104.9)
    assert drain(server) == []
    server.handle_timeout(105.0)
    error = refusal(server)
    assert error.status_code == 408 and response_of(error.reply)[0] == 408


def test_client_handshake_timeout() -> None:
    client = client_for(limits=Limits(handshake_timeout=3.0))
    client.data_to_send()
    assert client.next_deadline() == 3.0
    client.handle_timeout(3.0)
    with pytest.raises(RemoteProtocolError, match="no handshake response"):
        drain(client)


def test_early_frames_are_kept_but_bounded() -> None:
    server = ServerSession(ServerConfig(limits=Limits(max_handshake_size=1024)), now=0.0)
    frame = bytes(FrameProtocol(client=True, extensions=[]).send_data("early"))
    server.receive_data(raw_request(protocols="ocpp1.6") + frame, 0.0)
    drain(server)
    server.respond(Accept(), 0.0)
    assert drain(server)[1] == MessageReceived(text="early")
    flood = ServerSession(ServerConfig(limits=Limits(max_handshake_size=1024)), now=0.0)
    flood.receive_data(raw_request(), 0.0)
    drain(flood)
    flood.receive_data(b"x" * 2000, 0.0)
    assert refusal(flood).status_code == 400


# -- message rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("compression", [True, False])
def test_message_size_limit(compression: bool) -> None:
    limit = 1000
    client, server = open_pair(
        ServerConfig(
            limits=Limits(max_message_size=limit), compression=Compression(enabled=compression)
        ),
        compression=Compression(enabled=compression),
    )
    client.send_text("é" * (limit // 2))  # exactly the limit in UTF-8
    assert transfer(client, server) == [MessageReceived(text="é" * (limit // 2))]
    client.send_text("x" * (limit + 1))
    server.receive_data(client.data_to_send(), 0.0)
    error = refusal(server)
    assert error.close_code == 1009
    client.receive_data(error.reply, 0.0)
    assert drain(client) == [
        ConnectionClosed(code=1009, reason=f"message larger than {limit} bytes", by_peer=True)
    ]


def test_compression_bomb_is_bounded() -> None:
    """A message that inflates far beyond the limit is stopped at the limit (close 1009)."""
    limit = 64 * 1024
    server = ServerSession(ServerConfig(limits=Limits(max_message_size=limit)), now=0.0)
    raw = raw_client(server, deflate=True)
    bomb = raw.send(TextMessage(data="0" * (50 * 1024 * 1024)))  # 50 MB of zeros
    assert len(bomb) < 100_000
    server.receive_data(bomb, 0.0)
    assert refusal(server).close_code == 1009


def test_fragmented_message_limit_and_reassembly() -> None:
    server = ServerSession(ServerConfig(limits=Limits(max_message_size=100)), now=0.0)
    raw = raw_client(server)
    data = raw.send(TextMessage(data="ab", message_finished=False))
    data += raw.send(Ping(payload=b"p"))  # control frames may come between fragments
    data += raw.send(TextMessage(data="cd", message_finished=True))
    server.receive_data(data, 0.0)
    assert drain(server) == [MessageReceived(text="abcd")]
    assert server.data_to_send() == bytes(FrameProtocol(client=False, extensions=[]).pong(b"p"))
    for _ in range(20):
        server.receive_data(raw.send(TextMessage(data="0123456789", message_finished=False)), 0.0)
        if server.state is SessionState.CLOSED:
            break
    assert refusal(server).close_code == 1009


def test_compressed_fragments_survive_a_ping_between_them() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw = raw_client(server, deflate=True)
    data = raw.send(TextMessage(data="[2,", message_finished=False))
    data += raw.send(Ping(payload=b"x"))
    data += raw.send(TextMessage(data='"1","Heartbeat",{}]', message_finished=True))
    data += raw.send(TextMessage(data="next"))
    server.receive_data(data, 0.0)
    assert drain(server) == [
        MessageReceived(text='[2,"1","Heartbeat",{}]'),
        MessageReceived(text="next"),
    ]


def test_binary_frames_close_1003() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw = raw_client(server)
    server.receive_data(
        raw.send(TextMessage(data="ok")) + raw.send(BytesMessage(data=b"\x00")), 0.0
    )
    with pytest.raises(RemoteProtocolError) as info:
        assert next(iter(server.events())) == MessageReceived(text="ok")
        drain(server)
    assert info.value.close_code == 1003
    raw.receive_data(info.value.reply)
    assert [type(e) for e in raw.events()] == [CloseConnection]


def test_invalid_utf8_closes_1007() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw_client(server)
    frame = FrameProtocol(client=True, extensions=[])._serialize_frame(Opcode.TEXT, b"\xff\xfe")
    server.receive_data(bytes(frame), 0.0)
    assert refusal(server).close_code == 1007


def test_unmasked_client_frame_is_a_protocol_error() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw_client(server)
    frame = FrameProtocol(client=False, extensions=[]).send_data("unmasked")
    server.receive_data(bytes(frame), 0.0)
    assert refusal(server).close_code == 1002


def test_send_text_misuse() -> None:
    client = client_for()
    with pytest.raises(LocalProtocolError):
        client.send_text("too early")
    with pytest.raises(LocalProtocolError):
        ClientSession(client.config, now=0.0, key=b"short")
    client, _server = open_pair()
    with pytest.raises(LocalProtocolError):
        client.send_text("\ud800")  # a lone surrogate has no UTF-8
    client.close(now=0.0)
    with pytest.raises(ConnectionClosedError):
        client.send_text("too late")


# -- keep-alive -------------------------------------------------------------------------------


def test_pings_answered_and_peer_alive() -> None:
    keepalive = KeepAlive(interval=60.0, timeout=10.0)
    client, server = open_pair(
        ServerConfig(keepalive=KeepAlive(interval=None)), keepalive=keepalive
    )
    assert server.next_deadline() is None  # the server does not ping
    assert client.next_deadline() == 60.0
    client.handle_timeout(59.0)
    assert client.data_to_send() == b""
    client.handle_timeout(60.0)
    ping = client.data_to_send()
    assert ping[:1] == b"\x89"  # FIN + ping opcode
    assert client.next_deadline() == 70.0  # waiting for the pong
    server.receive_data(ping, 60.5)
    assert drain(server) == []
    client.receive_data(server.data_to_send(), 61.0)  # the pong
    assert drain(client) == []
    assert client.next_deadline() == 120.0  # WebSocketPingInterval: seconds between pings


def test_dead_peer_detection() -> None:
    client, _server = open_pair(keepalive=KeepAlive(interval=30.0, timeout=5.0))
    client.handle_timeout(30.0)
    client.data_to_send()  # the ping is lost: the peer never answers
    client.handle_timeout(34.9)
    assert drain(client) == [] and client.state is SessionState.OPEN
    client.handle_timeout(35.0)
    assert drain(client) == [
        ConnectionClosed(code=1006, reason="keep-alive: no pong within 5 s", by_peer=False)
    ]
    assert state_of(client) is SessionState.CLOSED
    closing = client.data_to_send()
    raw = FrameProtocol(client=False, extensions=[])
    raw.receive_bytes(closing)
    (frame,) = list(raw.received_frames())
    assert frame.payload[0] == 1011


def test_traffic_postpones_the_verdict() -> None:
    """A pong stuck behind a long message is not a dead peer: any received byte counts."""
    client, server = open_pair(keepalive=KeepAlive(interval=30.0, timeout=5.0))
    client.handle_timeout(30.0)
    client.data_to_send()
    server.send_text("busy")
    client.receive_data(server.data_to_send(), 34.0)
    assert drain(client) == [MessageReceived(text="busy")]
    assert client.next_deadline() == 39.0
    client.handle_timeout(38.0)
    assert client.state is SessionState.OPEN
    # an unsolicited pong is fine, but does not answer our ping
    raw = FrameProtocol(client=False, extensions=[])
    client.receive_data(bytes(raw.pong(b"other")), 38.5)
    assert client.next_deadline() == 43.5
    client.receive_data(bytes(raw.pong(b"1")), 39.0)
    assert client.next_deadline() == 60.0


def test_peer_pings_are_answered() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw = raw_client(server)
    server.receive_data(raw.send(Ping(payload=b"hi")), 0.0)
    assert drain(server) == []
    raw.receive_data(server.data_to_send())
    assert list(raw.events()) == [Pong(payload=b"hi")]


# -- closing ----------------------------------------------------------------------------------


def test_closing_handshake_started_by_server() -> None:
    client, server = open_pair()
    server.close(4000, "maintenance", now=1.0)
    assert server.state is SessionState.CLOSING and server.next_deadline() == 11.0
    with pytest.raises(ConnectionClosedError):
        server.send_text("no")
    assert transfer(server, client) == [
        ConnectionClosed(code=4000, reason="maintenance", by_peer=True)
    ]
    assert client.state is SessionState.CLOSED
    assert transfer(client, server) == [
        ConnectionClosed(code=4000, reason="maintenance", by_peer=False)
    ]
    assert state_of(server) is SessionState.CLOSED
    server.receive_data(b"late", 2.0)  # ignored
    assert drain(server) == [] and server.next_deadline() is None


def test_messages_after_our_close_are_not_delivered() -> None:
    client, server = open_pair()
    client.send_text("crossing")
    server.close(now=0.0)
    transfer(client, server)  # "crossing" arrives while closing: dropped
    client.receive_data(server.data_to_send(), 0.0)
    assert drain(client) == [ConnectionClosed(code=1000, reason="", by_peer=True)]


def test_close_timeout_and_eof() -> None:
    client, server = open_pair()
    client.close(now=5.0)
    client.handle_timeout(14.0)
    assert drain(client) == []
    client.handle_timeout(15.0)
    assert drain(client) == [
        ConnectionClosed(code=1006, reason="close handshake timed out", by_peer=False)
    ]
    server.receive_data(b"", 6.0)
    assert drain(server) == [ConnectionClosed(code=1006, reason="connection lost", by_peer=True)]


def test_close_code_rules_and_abort() -> None:
    client, _ = open_pair()
    for code in (1004, 1005, 1006, 1015, 999, 2000, 5000):
        with pytest.raises(LocalProtocolError):
            client.close(code, now=0.0)
    with pytest.raises(LocalProtocolError):
        client.close(1000, "é" * 62, now=0.0)
    connecting = client_for()
    connecting.close(now=0.0)  # before the response: abort
    assert connecting.state is SessionState.CLOSED


def test_close_without_code() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw = raw_client(server)
    server.receive_data(raw.send(CloseConnection(code=CloseReason.NO_STATUS_RCVD)), 0.0)
    assert drain(server) == [ConnectionClosed(code=1005, reason="", by_peer=True)]
    raw.receive_data(server.data_to_send())  # the echo has no code either
    assert list(raw.events()) == [CloseConnection(code=CloseReason.NO_STATUS_RCVD, reason="")]


# -- reconnect --------------------------------------------------------------------------------


def test_reconnect_keeps_the_negotiated_version() -> None:
    config = ClientConfig(url="ws://h/ocpp", identity="CS1", versions=("2.1", "2.0.1", "1.6"))
    server_config = ServerConfig(versions=("2.0.1", "1.6"))
    first = ClientSession(config, now=0.0, key=KEY)
    server = ServerSession(server_config, now=0.0)
    request_to(server, first)
    server.respond(Accept(), 0.0)
    drain(server)
    (connected,) = transfer(server, first)
    assert isinstance(connected, Connected) and connected.version is Version.V201
    again = ClientSession(config.pinned(connected.version), now=100.0, key=KEY)
    assert b"sec-websocket-protocol: ocpp2.0.1\r\n" in again.data_to_send()


# -- permessage-deflate details ---------------------------------------------------------------


def masked_frame(first_byte: int, payload: bytes) -> bytes:
    """A short client frame written by hand (RFC 6455 section 5.2), for header bits that no
    encoder produces."""
    mask = b"\x01\x02\x03\x04"
    assert len(payload) < 126
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([first_byte, 0x80 | len(payload)]) + mask + body


def test_uncompressed_messages_on_a_compressed_connection() -> None:
    """RFC 7692 section 6: compression is decided per message (RSV1)."""
    server = ServerSession(ServerConfig(), now=0.0)
    raw = raw_client(server, deflate=True)
    plain = Connection(ConnectionType.CLIENT)  # the same stream, without the extension
    data = plain.send(TextMessage(data="plain")) + raw.send(TextMessage(data="packed"))
    data += plain.send(TextMessage(data="plain again")) + raw.send(TextMessage(data="packed"))
    server.receive_data(data, 0.0)
    assert [e.text for e in drain(server) if isinstance(e, MessageReceived)] == [
        "plain",
        "packed",
        "plain again",
        "packed",
    ]


def test_corrupt_compressed_data_closes_1007() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw_client(server, deflate=True)
    server.receive_data(masked_frame(0xC1, b"\xff" * 8), 0.0)  # FIN, RSV1, text
    assert refusal(server).close_code == 1007


def test_compressed_control_frame_closes_1002() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw_client(server, deflate=True)
    server.receive_data(masked_frame(0xC9, b""), 0.0)  # FIN, RSV1, ping
    assert refusal(server).close_code == 1002


@pytest.mark.parametrize(("server_fresh", "client_fresh"), [(True, False), (False, True)])
def test_no_context_takeover(server_fresh: bool, client_fresh: bool) -> None:
    client, server = open_pair(
        ServerConfig(compression=Compression(no_context_takeover=server_fresh)),
        compression=Compression(no_context_takeover=client_fresh),
    )
    texts = [f'[2,"{i}","Heartbeat",{{}}]' for i in range(5)]
    for text in texts:
        client.send_text(text)
        server.send_text(text)
    assert transfer(client, server) == [MessageReceived(text=t) for t in texts]
    assert transfer(server, client) == [MessageReceived(text=t) for t in texts]


def test_malformed_deflate_offer_is_declined() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    offer = [("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=abc")]
    server.receive_data(raw_request(headers=offer), 0.0)
    (event,) = drain(server)
    assert isinstance(event, ConnectRequested)
    assert server.identity == "CS001" and server.auth_request is event.request
    assert server.config.versions[0] is Version.V21
    server.respond(Accept(), 0.0)
    assert drain(server) == [
        Connected(version=Version.V16, subprotocol="ocpp1.6", compression=False)
    ]


# -- odd responses seen by the station --------------------------------------------------------


def test_odd_responses() -> None:
    client = client_for()
    client.data_to_send()
    client.receive_data(b"HTTP/1.1 599 Whatever\r\nContent-Length: 0\r\n\r\n", 0.0)
    (rejected,) = drain(client)
    assert isinstance(rejected, Rejected) and rejected.reason == "HTTP 599"
    for response, words in [
        (b"SSH-2.0-OpenSSH\r\n\r\n", "malformed HTTP response"),
        (b"HTTP/1.1 100 Continue\r\n\r\n", "interim"),
    ]:
        client = client_for()
        client.data_to_send()
        client.receive_data(response, 0.0)
        with pytest.raises(RemoteProtocolError, match=words):
            drain(client)
    assert client.target == "/ocpp/CS001" and client.endpoint.port == 80
    silent = client_for()
    silent.receive_data(b"", 1.0)  # the CSMS hung up without answering
    assert drain(silent) == [
        ConnectionClosed(
            code=1006, reason="connection closed during the opening handshake", by_peer=True
        )
    ]


def test_unknown_status_phrase_in_a_refusal() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    request_to(server, client_for())
    server.respond(Reject(status=599), 0.0)
    assert server.data_to_send().startswith(b"HTTP/1.1 599 \r\n")
