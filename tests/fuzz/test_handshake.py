"""Fuzz target: the OCPP-J opening handshake (``ocpp_sansio.ws``), both ends.

Server side: a :class:`~ocpp_sansio.ws.ServerSession` is fed mutated upgrade requests (valid
requests of our own client, with credentials, compression offers, extra headers, early frames),
cut at random points, then maybe end of file or a late timer. Client side: a
:class:`~ocpp_sansio.ws.ClientSession` is fed mutated server responses (101 accepts made by
our server, refusals with bodies, chunked and read-until-close bodies, informational responses).

Checked on every input: no exception escapes but :class:`~ocpp_sansio.ws.RemoteProtocolError`;
the server's refusal is one complete HTTP response whose status is the documented one
(``docs/websocket.md``: 400 / 401 / 403 / 404 / 405 / 408 / 426 / 431, 501 / 505 from the HTTP
parser, or OCPP-J section 3.2's 101 followed by Close 1002); after the opening, failures are
Close frames with RFC 6455 section 7.4.1 codes; bytes buffered inside a session never exceed
the configured limit plus the chunk just fed; a closed session ignores further input; every
call returns (watchdog).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpp_sansio.version import Version
from ocpp_sansio.ws import (
    Accept,
    ClientConfig,
    ClientSession,
    Compression,
    Connected,
    ConnectionClosed,
    ConnectRequested,
    KeepAlive,
    Limits,
    MessageReceived,
    Reject,
    Rejected,
    RemoteProtocolError,
    SecurityProfile,
    ServerConfig,
    ServerSession,
    SessionState,
    WsSession,
)
from ocpp_sansio.ws.fastframe import FrameSplitter

from ._budget import ROUND_SETTINGS, Counter, no_hang, run_for
from ._mutate import mutated, split_points

KEY = b"0123456789abcdef"
SMALL = Limits(max_handshake_size=1024, max_headers=16, handshake_timeout=5.0,
               max_message_size=256)
SERVER_CONFIGS = [
    ServerConfig(limits=SMALL),
    ServerConfig(path="/ocpp", security_profile=SecurityProfile.BASIC_AUTH, limits=SMALL,
                 keepalive=KeepAlive(interval=None)),
    ServerConfig(versions=(Version.V16,), assume_version=Version.V16,
                 compression=Compression(enabled=False)),
]
#: refusal statuses of the server (docs/websocket.md, "What the session checks"), plus the
#: HTTP parser's 501 (unsupported Transfer-Encoding) and 505 (HTTP version)
SERVER_STATUSES = {101, 400, 401, 403, 404, 405, 408, 426, 431, 501, 505}
#: RFC 6455 section 7.4.1 codes a session sends when the peer breaks framing rules
CLOSE_CODES = {1002, 1003, 1007, 1009}


def _client(url: str = "ws://csms.test/ocpp", identity: str = "CS001", **kw: object
            ) -> ClientSession:
    versions = kw.pop("versions", ("2.0.1", "1.6"))
    config = ClientConfig(url=url, identity=identity, versions=versions,  # type: ignore[arg-type]
                          **kw)  # type: ignore[arg-type]
    return ClientSession(config, now=0.0, key=KEY)


def _requests() -> list[bytes]:
    out = [
        _client().data_to_send(),
        _client(identity="RDAM 123/é", versions=("1.6",)).data_to_send(),
        _client(password=b"0123456789abcdef", versions=("1.6", "1.5")).data_to_send(),
        _client(compression=Compression(enabled=False), versions=("2.1",)).data_to_send(),
        _client(compression=Compression(no_context_takeover=True),
                headers=(("x-extra", "1"), ("user-agent", "fuzz"))).data_to_send(),
        _client(url="ws://csms.test:9000/ocpp?tenant=7", identity="a:b").data_to_send(),
    ]
    # a request followed by early frames (a masked text frame and a ping)
    masked = bytes((0x81, 0x80 | 5)) + b"\x01\x02\x03\x04" + bytes(
        c ^ k for c, k in zip(b"[2,\"1", b"\x01\x02\x03\x04\x01", strict=True))
    out.append(out[0] + masked + bytes((0x89, 0x80)) + b"abcd")
    out.append(b"POST /ocpp/CS1 HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n")
    out.append(b"GET /ocpp/CS1 HTTP/1.0\r\n\r\n")
    return out


REQUESTS = _requests()


def _status_of(reply: bytes) -> int:
    m = re.match(rb"HTTP/1\.1 (\d{3}) [^\r\n]*\r\n", reply)
    assert m is not None, reply[:200]
    head, sep, body = reply.partition(b"\r\n\r\n")
    assert sep, reply[:200]
    status = int(m.group(1))
    if status != 101:
        lengths = re.findall(rb"(?im)^content-length: *(\d+)\r?$", head)
        assert lengths and int(lengths[0]) == len(body), reply[:300]
    return status


def _frames(data: bytes) -> list[bytes]:
    """Split unmasked frames (a server's output) into whole frames; the bytes must be exactly
    a sequence of complete frames, after the 101 response if that was not written yet."""
    if data.startswith(b"HTTP/1.1 101 "):
        data = data.partition(b"\r\n\r\n")[2]
    out = []
    while data:
        assert not data[1] & 0x80
        length, head = data[1] & 0x7F, 2
        if length == 126:
            length, head = int.from_bytes(data[2:4], "big"), 4
        elif length == 127:
            length, head = int.from_bytes(data[2:10], "big"), 10
        assert len(data) >= head + length, data[:20]
        out.append(data[: head + length])
        data = data[head + length:]
    return out


def _close_code(frame: bytes) -> int:
    """The code of the unmasked Close frame ``frame`` (server side)."""
    assert frame[0] == 0x88 and not frame[1] & 0x80, frame[:20]
    return int.from_bytes(frame[2:4], "big")


def _check_bounds(session: WsSession, chunk: int) -> None:
    """Bytes held inside the session: at most the limit plus the chunk just fed."""
    limits: Limits = session._limits
    h11conn = getattr(session, "_h11", None)
    if h11conn is not None:
        assert len(h11conn._receive_buffer) <= limits.max_handshake_size + chunk
    pending = getattr(session, "_pending", b"")
    assert len(pending) <= limits.max_handshake_size + chunk
    assert len(getattr(session, "_body", b"")) <= limits.max_handshake_size
    splitter: FrameSplitter | None = session._splitter
    if splitter is not None:
        assert splitter.buffered <= limits.max_message_size + 14 + chunk
    assert session._size <= limits.max_message_size
    if session._conn is not None:
        assert len(session._conn._proto._frame_decoder.buffer) <= (
            limits.max_message_size + 14 + chunk)


server_counter = Counter()


def _server_events(session: ServerSession, decide: int, now: float) -> list[object]:
    seen: list[object] = []
    for event in session.events():
        seen.append(event)
        if isinstance(event, ConnectRequested):
            assert session.state is SessionState.AUTHORIZING
            if decide == 0:
                session.respond(Reject(status=401), now)
                assert _status_of(session.data_to_send()) == 401
            else:
                session.respond(Accept(), now)
        else:
            assert isinstance(event, Connected | MessageReceived | ConnectionClosed), event
    return seen


@given(
    st.data(),
    st.sampled_from(SERVER_CONFIGS),
    mutated(REQUESTS, nest=(b"x-a: b\r\n", b"")),
    st.integers(0, 1),
    st.sampled_from(["none", "eof", "late"]),
)
@ROUND_SETTINGS
def _server_round(data: st.DataObject, config: ServerConfig, request: bytes, decide: int,
                  ending: str) -> None:
    server_counter.tick()
    session = ServerSession(config, now=0.0)
    now = 0.0
    chunks = data.draw(split_points(request))
    try:
        with no_hang():
            for chunk in chunks:
                now += 0.001
                session.receive_data(chunk, now)
                _server_events(session, decide, now)
                session.data_to_send()
                _check_bounds(session, len(chunk))
            if ending == "eof":
                session.receive_data(b"", now)
            elif ending == "late":
                now += config.limits.handshake_timeout + 1
                session.handle_timeout(now)
            _server_events(session, decide, now)
    except RemoteProtocolError as exc:
        assert session.state is SessionState.CLOSED
        if exc.status_code is not None:
            assert exc.status_code in SERVER_STATUSES, exc
            assert _status_of(exc.reply) == exc.status_code
            if exc.status_code == 101:  # OCPP-J 3.2: no common version, then Close 1002
                assert exc.close_code == 1002
                assert _close_code(exc.reply.partition(b"\r\n\r\n")[2]) == 1002
            if ending == "late" and exc.status_code == 408:
                assert "not complete within" in str(exc)
            server_counter.saw(f"HTTP {exc.status_code}")
        else:
            assert exc.close_code in CLOSE_CODES, exc
            assert _close_code(_frames(exc.reply)[-1]) == exc.close_code
            server_counter.saw(f"close {exc.close_code}")
    else:
        server_counter.saw(session.state.name)
    if session.state is SessionState.CLOSED:  # input after the end is ignored
        session.receive_data(b"GET / HTTP/1.1\r\n\r\n", now)
        assert list(session.events()) == []
    if ending == "late" and session.state is SessionState.HANDSHAKE:  # pragma: no cover
        pytest.fail("a late handshake was not refused")


def test_server_handshake_fuzz() -> None:
    run_for("ws server handshake", 0.5, _server_round, server_counter)


# -- client side -----------------------------------------------------------------------------


def _responses() -> list[bytes]:
    out: list[bytes] = []
    answers: list[tuple[ServerConfig, Accept | Reject]] = [
        (ServerConfig(), Accept()),
        (ServerConfig(), Accept(version=Version.V16)),
        (ServerConfig(compression=Compression(enabled=False)), Accept()),
        (ServerConfig(), Reject(status=401, body=b"bad credentials")),
        (ServerConfig(), Reject(status=409)),
        (ServerConfig(versions=(Version.V15,)), Accept()),  # no common version: 101 + Close
    ]
    for config, decision in answers:
        server = ServerSession(config, now=0.0)
        server.receive_data(_client().data_to_send(), 0.0)
        try:
            for event in server.events():
                if isinstance(event, ConnectRequested):
                    server.respond(decision, 0.0)
            out.append(server.data_to_send())
        except RemoteProtocolError as exc:
            out.append(exc.reply)
    opened = out[0]
    out.append(opened + bytes((0x81, 4)) + b"[3,1" + bytes((0x89, 0)) + bytes((0x88, 2, 3, 232)))
    out.append(b"HTTP/1.1 100 Continue\r\n\r\n" + opened)
    out.append(b"HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n"
               b"5\r\nbusy!\r\n0\r\n\r\n")
    out.append(b"HTTP/1.0 404 Not Found\r\n\r\nno such station, read until close")
    return out


RESPONSES = _responses()
client_counter = Counter()
CLIENT_CONFIGS = [
    dict(limits=SMALL),
    dict(limits=Limits(max_handshake_size=64), compression=Compression(enabled=False)),
    dict(),
]


@given(
    st.data(),
    st.sampled_from(range(len(CLIENT_CONFIGS))),
    mutated(RESPONSES, nest=(b"x-a: b\r\n", b"")),
    st.booleans(),
)
@ROUND_SETTINGS
def _client_round(data: st.DataObject, which: int, response: bytes, eof: bool) -> None:
    client_counter.tick()
    session = _client(**CLIENT_CONFIGS[which])  # type: ignore[arg-type]
    session.data_to_send()
    now = 0.0
    try:
        with no_hang():
            for chunk in data.draw(split_points(response)):
                now += 0.001
                session.receive_data(chunk, now)
                for event in session.events():
                    assert isinstance(
                        event, Connected | Rejected | MessageReceived | ConnectionClosed), event
                    if isinstance(event, Rejected):
                        assert session.state is SessionState.CLOSED
                        assert len(event.body) <= session.config.limits.max_handshake_size
                session.data_to_send()
                _check_bounds(session, len(chunk))
            if eof:
                session.receive_data(b"", now)
                list(session.events())
                assert session.state is SessionState.CLOSED
    except RemoteProtocolError as exc:
        assert session.state is SessionState.CLOSED
        assert exc.status_code is None
        assert exc.close_code is None or exc.close_code in CLOSE_CODES, exc
        client_counter.saw(f"error {exc.close_code}")
    else:
        client_counter.saw(session.state.name)


def test_client_handshake_fuzz() -> None:
    run_for("ws client handshake", 0.5, _client_round, client_counter)


def test_corpus_is_valid() -> None:
    """The unmutated corpus items do what they are meant to (so mutations start from sense)."""
    session = ServerSession(SERVER_CONFIGS[0], now=0.0)
    session.receive_data(REQUESTS[0], 0.0)
    assert [type(e) for e in session.events()] == [ConnectRequested]
    client = _client()
    client.data_to_send()
    client.receive_data(RESPONSES[0], 0.0)
    assert [type(e) for e in client.events()] == [Connected]
