"""The single-frame text fast path (``ocpp_sansio.ws.fastframe``): same messages as wsproto."""

import os
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage
from wsproto.frame_protocol import FrameProtocol, XorMaskerSimple

from ocpp_sansio.ws import (
    Accept,
    ConnectRequested,
    Limits,
    MessageReceived,
    RemoteProtocolError,
    ServerConfig,
    ServerSession,
    SessionState,
)
from ocpp_sansio.ws.fastframe import FrameSplitter, text_frame, unmask

from ._pipe import drain, open_pair, raw_client, raw_request, transfer

SIZES = (0, 1, 125, 126, 127, 65535, 65536, 70000)

Item = tuple[str, object]


def _normalise(events: object, acc: dict[str, list[object]], out: list[Item]) -> None:
    """wsproto events as (kind, whole message) items, joining fragments."""
    for event in events:  # type: ignore[attr-defined]
        if isinstance(event, TextMessage):
            acc.setdefault("text", []).append(event.data)
            if event.message_finished:
                out.append(("text", "".join(acc.pop("text"))))  # type: ignore[arg-type]
        elif isinstance(event, BytesMessage):
            acc.setdefault("bytes", []).append(bytes(event.data))
            if event.message_finished:
                out.append(("bytes", b"".join(acc.pop("bytes"))))  # type: ignore[arg-type]
        elif isinstance(event, Ping | Pong):
            out.append((type(event).__name__, bytes(event.payload)))
        elif isinstance(event, CloseConnection):
            out.append(("close", int(event.code)))


def _by_wsproto(chunks: list[bytes], *, client: bool) -> list[Item]:
    conn = Connection(ConnectionType.CLIENT if client else ConnectionType.SERVER)
    out: list[Item] = []
    acc: dict[str, list[object]] = {}
    for chunk in chunks:
        conn.receive_data(chunk)
        _normalise(conn.events(), acc, out)
    return out


def _by_splitter(chunks: list[bytes], *, client: bool, max_size: int = 1 << 20) -> list[Item]:
    conn = Connection(ConnectionType.CLIENT if client else ConnectionType.SERVER)
    splitter = FrameSplitter(masked=not client, max_size=max_size)
    out: list[Item] = []
    acc: dict[str, list[object]] = {}
    for chunk in chunks:
        for item in splitter.feed(chunk):
            if isinstance(item, str):
                out.append(("text", item))
            else:
                conn.receive_data(item)
                _normalise(conn.events(), acc, out)
    return out


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    chunks, last = [], 0
    for p in [*points, len(data)]:
        if p > last:
            chunks.append(data[last:p])
            last = p
    return chunks


_texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(SIZES).map(lambda n: "é" * (n // 2) + "x" * (n % 2)),
    st.sampled_from(SIZES).map(lambda n: "x" * n),
)
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("text"), _texts, st.integers(1, 3)),
        st.tuples(st.just("bytes"), st.binary(max_size=20), st.integers(1, 2)),
        st.tuples(st.just("ping"), st.binary(max_size=125), st.just(1)),
        st.tuples(st.just("pong"), st.binary(max_size=10), st.just(1)),
    ),
    max_size=8,
)


def _stream(ops: list[tuple[str, object, int]], *, masked: bool) -> bytes:
    """A valid frame stream from wsproto's sender (masked: a client's)."""
    proto = FrameProtocol(client=masked, extensions=[])
    data = bytearray()
    for kind, value, parts in ops:
        if kind in ("ping", "pong"):
            assert isinstance(value, bytes)
            data += proto.ping(value) if kind == "ping" else proto.pong(value)
            continue
        assert isinstance(value, str | bytes)
        step = max(1, len(value) // parts)
        pieces = [value[i : i + step] for i in range(0, len(value), step)] or [value]
        for i, piece in enumerate(pieces):
            data += proto.send_data(piece, fin=i == len(pieces) - 1)
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=_ops, cuts=st.lists(st.integers(0, 1 << 20), max_size=12), masked=st.booleans())
def test_random_fragmentation_gives_the_same_messages_as_wsproto(
    ops: list[tuple[str, object, int]], cuts: list[int], masked: bool
) -> None:
    data = _stream(ops, masked=masked)
    chunks = _split(data, cuts)
    expected = _by_wsproto(chunks, client=not masked)
    assert _by_splitter(chunks, client=not masked) == expected
    # one byte at a time, too (small streams only: it is slow for 64 KiB frames)
    if len(data) < 2000:
        assert _by_splitter([bytes([b]) for b in data], client=not masked) == expected


@settings(max_examples=100, deadline=None)
@given(key=st.binary(min_size=4, max_size=4), payload=st.binary(max_size=300))
def test_unmask_matches_wsproto(key: bytes, payload: bytes) -> None:
    assert unmask(payload, key) == bytes(XorMaskerSimple(key).process(bytearray(payload)))
    assert unmask(unmask(payload, key), key) == payload


@pytest.mark.parametrize("size", SIZES)
def test_text_frame_matches_wsproto(size: int) -> None:
    data = os.urandom(size).hex()[:size].encode()
    assert text_frame(data) == bytes(
        FrameProtocol(client=False, extensions=[]).send_data(data.decode())
    )


@pytest.mark.parametrize("size", SIZES)
def test_sizes_both_directions(size: int) -> None:
    config = ServerConfig(limits=Limits(max_message_size=1 << 17))
    client, server = open_pair(config)
    text = "x" * size
    client.send_text(text)
    assert transfer(client, server) == [MessageReceived(text=text)]
    server.send_text(text)
    assert transfer(server, client) == [MessageReceived(text=text)]


def _masked(payload: bytes, *, head: bytes | None = None, b0: int = 0x81) -> bytes:
    """A hand-built masked frame (optionally with a given length encoding ``head``)."""
    key = b"\x01\x02\x03\x04"
    if head is None:
        n = len(payload)
        head = bytes((b0, 0x80 | n)) if n < 126 else bytes((b0, 0xFE)) + struct.pack("!H", n)
    return head + key + unmask(payload, key)


def _refused(server: ServerSession, data: bytes) -> RemoteProtocolError:
    server.receive_data(data, 0.0)
    with pytest.raises(RemoteProtocolError) as info:
        drain(server)
    assert server.state is SessionState.CLOSED
    return info.value


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (_masked(b"\xff\xfe"), 1007),  # invalid UTF-8
        (_masked(b"ab", head=bytes((0x81, 0xFE)) + struct.pack("!H", 2)), 1002),  # non-minimal
        (_masked(b"a" * 200, head=bytes((0x81, 0xFF)) + struct.pack("!Q", 200)), 1002),
        (bytes((0x81, 2)) + b"ab", 1002),  # unmasked towards the server
        (_masked(b"ab", b0=0xA1), 1002),  # RSV2 set
        (_masked(b"ab", b0=0x83), 1002),  # reserved opcode
        (_masked(b"x" * 2000), 1009),  # above max_message_size
    ],
)
def test_bad_frames_fail_as_wsproto_does(data: bytes, code: int) -> None:
    server = ServerSession(ServerConfig(limits=Limits(max_message_size=1000)), now=0.0)
    raw_client(server)
    assert _refused(server, _masked(b"ok") + data).close_code == code


def test_message_before_a_bad_frame_is_delivered_first() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw_client(server)
    server.receive_data(_masked(b"ok") + _masked(b"\xff"), 0.0)
    events = server.events()
    assert next(events) == MessageReceived(text="ok")
    with pytest.raises(RemoteProtocolError):
        next(events)


def test_frames_in_the_handshake_chunk_are_delivered_after_connected() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    server.receive_data(raw_request() + _masked(b"early") + _masked(b"par")[:5], 0.0)
    assert isinstance(drain(server)[0], ConnectRequested)
    server.respond(Accept(), 0.0)
    events = drain(server)
    assert events[1:] == [MessageReceived(text="early")]
    server.receive_data(_masked(b"par")[5:], 0.0)
    assert drain(server) == [MessageReceived(text="par")]


def test_client_gets_frames_sent_with_the_101() -> None:
    client, server = open_pair()
    server.send_text("one")
    server.send_text("two")
    assert transfer(server, client) == [MessageReceived(text="one"), MessageReceived(text="two")]


def test_text_after_our_close_is_not_delivered() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw = raw_client(server)
    server.close(1000, now=0.0)
    server.receive_data(raw.send(TextMessage(data="late")), 0.0)
    assert drain(server) == []
    assert server.state is SessionState.CLOSING


def test_deflate_session_mixes_compressed_and_plain_messages() -> None:
    server = ServerSession(ServerConfig(), now=0.0)
    raw = raw_client(server, deflate=True)
    data = raw.send(TextMessage(data='[2,"1","Heartbeat",{}]')) + _masked(b"plain")
    data += raw.send(TextMessage(data="again"))
    server.receive_data(data, 0.0)
    assert drain(server) == [
        MessageReceived(text='[2,"1","Heartbeat",{}]'),
        MessageReceived(text="plain"),
        MessageReceived(text="again"),
    ]
    assert server.compression


def test_splitter_holds_at_most_one_incomplete_frame() -> None:
    splitter = FrameSplitter(masked=True, max_size=100)
    frame = _masked(b"x" * 50)
    assert splitter.feed(frame[:30]) == []
    assert splitter.buffered == 30
    assert splitter.feed(frame[30:] + frame[:1]) == ["x" * 50]
    assert splitter.buffered == 1
    # a frame above the limit is not held back: it streams to wsproto
    big = _masked(b"y" * 500)
    assert splitter.feed(frame[1:] + big[:100]) == ["x" * 50, big[:100]]
    assert splitter.feed(big[100:]) == [big[100:]]
    assert splitter.buffered == 0
