"""Fuzz target: the OCPP-J receive path from WebSocket bytes to RPC events.

``tests/rpc/test_fuzz.py`` fuzzes the RPC engine's text entry point (``receive_text``) with
arbitrary text, JSON values and frame-shaped arrays; this target starts one layer lower: an
open :class:`~ocpp_sansio.ws.ServerSession` (with and without permessage-deflate) and a
:class:`~ocpp_sansio.ws.ClientSession` are fed mutated frame streams (masked / unmasked text
frames carrying valid OCPP-J messages, fragmented messages, control frames, compressed
messages, a binary frame, a 2^62-byte length, long runs of empty continuation frames), cut at
random points, and every message goes to an :class:`~ocpp_sansio.rpc.RpcConnection`.

Checked: only documented events come out; a session failure is a
:class:`~ocpp_sansio.ws.RemoteProtocolError` whose reply ends with a Close frame carrying an
RFC 6455 section 7.4.1 code (1002 protocol error, 1003 binary data, 1007 invalid UTF-8 /
corrupt deflate data, 1009 too big); the engine's replies are CALLERROR frames (2.1: also
CALLRESULTERROR); bytes buffered in the session stay within ``max_message_size`` plus a frame
header and the chunk just fed; every call returns.
"""

from __future__ import annotations

import orjson
from hypothesis import given
from hypothesis import strategies as st
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage

from ocpp_sansio.rpc import (
    BadMessage,
    CallReceived,
    CloseRequested,
    IgnoredMessage,
    ResultReceived,
    RpcConnection,
    SendReceived,
    UnmatchedError,
    UnmatchedResult,
    UnsupportedCall,
)
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
    RemoteProtocolError,
    ServerConfig,
    ServerSession,
    SessionState,
    WsSession,
)

from ._budget import ROUND_SETTINGS, Counter, no_hang, run_for
from ._mutate import mutated, split_points
from .test_handshake import CLOSE_CODES, _check_bounds, _close_code, _frames

KEY = b"0123456789abcdef"
LIMITS = Limits(max_message_size=512)
MESSAGES = [
    '[2,"1","Heartbeat",{}]',
    '[2,"2","BootNotification",{"reason":"PowerUp","chargingStation":'
    '{"model":"M","vendorName":"V"}}]',
    '[2,"3","StatusNotification",{"timestamp":"2024-01-01T00:00:00Z",'
    '"connectorStatus":"Available","evseId":1,"connectorId":1}]',
    '[3,"x",{}]',
    '[4,"y","GenericError","",{}]',
    '[2,"4","Authorize",{"idToken":{"idToken":"' + "A" * 30 + '","type":"Central"}}]',
]
DOCUMENTED_RPC = (BadMessage, CallReceived, CloseRequested, IgnoredMessage, ResultReceived,
                  SendReceived, UnmatchedError, UnmatchedResult, UnsupportedCall)


def _pair(compression: bool) -> tuple[ClientSession, ServerSession]:
    comp = Compression(enabled=compression)
    server = ServerSession(ServerConfig(limits=LIMITS, compression=comp,
                                        keepalive=KeepAlive(interval=None)), now=0.0)
    client = ClientSession(ClientConfig(url="ws://h/ocpp", identity="CS1", versions=("2.0.1",),
                                        compression=comp, limits=LIMITS,
                                        keepalive=KeepAlive(interval=None)), now=0.0, key=KEY)
    server.receive_data(client.data_to_send(), 0.0)
    seen = []
    for event in server.events():
        seen.append(type(event))
        if isinstance(event, ConnectRequested):
            server.respond(Accept(), 0.0)
    assert seen == [ConnectRequested, Connected]
    client.receive_data(server.data_to_send(), 0.0)
    assert [type(e) for e in client.events()] == [Connected]
    assert server.compression is compression
    return client, server


def _masked_streams() -> list[bytes]:
    """Frame streams a station may send (masked)."""
    out = []
    for compression in (False, True):
        client, _ = _pair(compression)
        for text in MESSAGES:
            client.send_text(text)
        out.append(client.data_to_send())
    raw = Connection(ConnectionType.CLIENT)
    stream = raw.send(TextMessage(data=MESSAGES[1][:20], message_finished=False))
    stream += raw.send(Ping(payload=b"p"))
    stream += raw.send(TextMessage(data=MESSAGES[1][20:], message_finished=True))
    stream += raw.send(Pong(payload=b"unsolicited"))
    stream += raw.send(TextMessage(data="é" * 300))  # 600 bytes: over the limit
    out.append(stream)
    raw = Connection(ConnectionType.CLIENT)
    out.append(raw.send(TextMessage(data=MESSAGES[0])) + raw.send(BytesMessage(data=b"\x00\x01")))
    raw = Connection(ConnectionType.CLIENT)
    endless = raw.send(TextMessage(data="[", message_finished=False))
    endless += b"".join(raw.send(TextMessage(data="1234,", message_finished=False))
                        for _ in range(120))  # 600 bytes, never finished
    out.append(endless)
    raw = Connection(ConnectionType.CLIENT)
    out.append(raw.send(TextMessage(data=MESSAGES[0])) + raw.send(CloseConnection(code=1000)))
    # a text frame announcing 2^62 bytes, masked
    out.append(bytes((0x81, 0xFF)) + (1 << 62).to_bytes(8, "big") + b"abcd" + b"x" * 64)
    return out


def _unmasked_streams() -> list[bytes]:
    """Frame streams a CSMS may send (unmasked)."""
    _, server = _pair(False)
    for text in MESSAGES:
        server.send_text(text)
    out = [server.data_to_send()]
    _, server = _pair(True)
    for text in MESSAGES:
        server.send_text(text)
    out.append(server.data_to_send())
    raw = Connection(ConnectionType.SERVER)
    out.append(raw.send(TextMessage(data="[2,", message_finished=False)) + raw.send(Ping())
               + raw.send(TextMessage(data='"9","Reset",{"type":"Immediate"}]'))
               + raw.send(CloseConnection(code=1001, reason="bye")))
    return out


MASKED = _masked_streams()
UNMASKED = _unmasked_streams()
EMPTY_CONTINUATION = (b"\x00\x80abcd", b"")


def _rpc_check(rpc: RpcConnection, text: str, counter: Counter) -> None:
    for event in rpc.receive_text(text, 1.0):
        assert isinstance(event, DOCUMENTED_RPC), event
        counter.saw(type(event).__name__)
    for reply in rpc.data_to_send():
        frame = orjson.loads(reply)
        assert frame[0] == 4 or (frame[0] == 5 and rpc.version is Version.V21), frame


def _feed(session: WsSession, rpc: RpcConnection, chunks: list[bytes], counter: Counter,
          eof: bool) -> None:
    try:
        with no_hang():
            for chunk in chunks:
                session.receive_data(chunk, 1.0)
                for event in session.events():
                    assert isinstance(event, MessageReceived | ConnectionClosed), event
                    if isinstance(event, MessageReceived):
                        assert len(event.text.encode("utf-8")) <= LIMITS.max_message_size
                        _rpc_check(rpc, event.text, counter)
                    else:
                        counter.saw(f"closed {event.code}")
                session.data_to_send()
                _check_bounds(session, len(chunk))
                if session.state is SessionState.CLOSED:
                    break
            if eof:
                session.receive_data(b"", 2.0)
                assert [type(e) for e in session.events()] in ([], [ConnectionClosed])
    except RemoteProtocolError as exc:
        assert session.state is SessionState.CLOSED
        assert exc.close_code in CLOSE_CODES, exc
        if not session._conn.client:  # type: ignore[union-attr]
            assert _close_code(_frames(exc.reply)[-1]) == exc.close_code
        counter.saw(f"fail {exc.close_code}")


server_counter = Counter()


@given(st.data(), st.booleans(), st.booleans())
@ROUND_SETTINGS
def _server_round(data: st.DataObject, compression: bool, eof: bool) -> None:
    server_counter.tick()
    _, server = _pair(compression)
    stream = data.draw(mutated(MASKED, nest=EMPTY_CONTINUATION))
    rpc = RpcConnection(Version.V201, "csms", max_message_size=LIMITS.max_message_size,
                        bad_message_limit=3)
    _feed(server, rpc, data.draw(split_points(stream, 12)), server_counter, eof)


def test_server_frames_fuzz() -> None:
    run_for("ocpp-j server frames", 0.7, _server_round, server_counter)


client_counter = Counter()


@given(st.data(), st.booleans())
@ROUND_SETTINGS
def _client_round(data: st.DataObject, compression: bool) -> None:
    client_counter.tick()
    client, _ = _pair(compression)
    stream = data.draw(mutated(UNMASKED, nest=(b"\x00\x00", b"")))
    rpc = RpcConnection(Version.V201, "cs", max_message_size=LIMITS.max_message_size)
    _feed(client, rpc, data.draw(split_points(stream, 12)), client_counter, False)


def test_client_frames_fuzz() -> None:
    run_for("ocpp-j client frames", 0.3, _client_round, client_counter)
