"""Message limits over real sockets: ``Limits.max_message_size`` (default 1 MiB, after
permessage-deflate inflation; Close 1009, RFC 6455 section 7.4.1), a never-ending fragmented
message (the same limit across fragments), and the RPC engine's bad-message limit
(``Limits.bad_message_limit``, default 10 protocol faults in a row; each answered with a
CALLERROR, then Close 1002). Other stations are unaffected (``docs/hardening.md``)."""

from __future__ import annotations

import pytest

from ocpp_sansio.ws import Compression, ConnectionClosed, Limits

from ._handlers import HANDLERS
from ._support import BINDINGS, Probe, Station, masked_frame, with_server

DEFAULT_MAX_MESSAGE = 1 << 20


def _closed_with(station: Station, code: int) -> None:
    event = station.wait(lambda e: False, timeout=20.0)
    assert isinstance(event, ConnectionClosed), event
    assert event.code == code, event


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "deflate"])
def test_oversize_message_closes_1009(binding: str, compressed: bool) -> None:
    """One byte over 1 MiB: Close 1009 for that station only. Compressed, the message is a few
    KB on the wire (a compression bomb) and is refused after inflating just past the limit."""

    def client(port: int, _probe: Probe) -> None:
        other = Station(port, "OTHER")
        big = Station(port, "BIG", compression=Compression(enabled=compressed))
        try:
            assert big.session.compression is compressed
            text = '[2,"1","DataTransfer",{"vendorId":"' + " " * DEFAULT_MAX_MESSAGE + '"}]'
            big.session.send_text(text)
            data = big.session.data_to_send()
            assert (len(data) < 20_000) if compressed else len(data) > DEFAULT_MAX_MESSAGE
            big.sock.sendall(data)
            _closed_with(big, 1009)
            assert '"currentTime"' in other.heartbeat()
        finally:
            other.close()
            big.close()

    with_server(binding, client, handlers=HANDLERS)


@pytest.mark.parametrize("binding", BINDINGS)
def test_never_ending_fragmented_message_closes_1009(binding: str) -> None:
    """Continuation frames of 64 KiB each, never FIN: the server stops at the 1 MiB limit
    (Close 1009) instead of buffering the stream."""

    def client(port: int, _probe: Probe) -> None:
        station = Station(port, "FRAG")
        try:
            sock = station.sock
            sock.sendall(masked_frame(0x1, b"[", fin=False))
            piece = masked_frame(0x0, b"1" * 65536, fin=False)
            sent = 0
            sock.settimeout(5.0)
            try:
                while sent < 4 * DEFAULT_MAX_MESSAGE:  # four times the limit at most
                    sock.sendall(piece)
                    sent += 65536
            except OSError:
                pass  # closed by the server before everything was sent
            _closed_with(station, 1009)
            assert sent >= DEFAULT_MAX_MESSAGE
        finally:
            station.close()

    with_server(binding, client, handlers=HANDLERS)


@pytest.mark.parametrize("binding", BINDINGS)
def test_bad_message_limit_closes_1002(binding: str) -> None:
    """Ten unparseable messages in a row: ten CALLERRORs (FormationViolation, OCPP-J 1.6
    section 4.2.3), then Close 1002; a good message in between resets the count."""

    def client(port: int, _probe: Probe) -> None:
        station = Station(port, "BAD")
        try:
            for _ in range(9):
                assert '"FormationViolation"' in station.call("not json")
            assert '"currentTime"' in station.heartbeat()  # resets the run
            for _ in range(9):
                assert '"FormationViolation"' in station.call("[")
            station.session.send_text("{}")
            station.flush()
            event = station.wait(lambda e: False)
            assert '"FormationViolation"' in station.messages[-1]
            assert isinstance(event, ConnectionClosed) and event.code == 1002, event
        finally:
            station.close()

    with_server(binding, client, handlers=HANDLERS)


@pytest.mark.parametrize("binding", BINDINGS)
def test_bad_message_limit_is_a_serve_option(binding: str) -> None:
    """``serve(limits=Limits(bad_message_limit=3))``: the third fault in a row closes (1002)."""

    def client(port: int, _probe: Probe) -> None:
        station = Station(port, "BAD3")
        try:
            for _ in range(2):
                assert '"FormationViolation"' in station.call("not json")
            station.session.send_text("[")
            station.flush()
            event = station.wait(lambda e: False)
            assert '"FormationViolation"' in station.messages[-1]
            assert isinstance(event, ConnectionClosed) and event.code == 1002, event
        finally:
            station.close()

    with_server(binding, client, handlers=HANDLERS, limits=Limits(bad_message_limit=3))


@pytest.mark.parametrize("binding", BINDINGS)
def test_binary_frame_closes_1003(binding: str) -> None:
    """OCPP-J is text only (1.6 section 4.1.2): a binary message gets Close 1003."""

    def client(port: int, _probe: Probe) -> None:
        station = Station(port, "BIN")
        try:
            station.sock.sendall(masked_frame(0x2, b"\x00\x01"))
            _closed_with(station, 1003)
        finally:
            station.close()

    with_server(binding, client, handlers=HANDLERS)

