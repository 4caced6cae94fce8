"""A station that sends but never reads: the server's output for it must stay bounded (write
backpressure: the server stops reading while the bytes queued for the peer exceed 64 KiB, so it
does not build up answers without limit), and other stations keep being served; the connection
then ends through keep-alive (no pong, since the server reads nothing more;
``KeepAlive.timeout``, default 30 s, shortened here).

Both bindings: trio counts what its write loop holds (the chunk being written plus what the
link queued meanwhile, ``JsonConnection.write_buffer_size``) against ``HIGH_WATER``; asyncio
writes everything to the transport at once, whose high-water mark pauses reading
(``pause_writing``). The flooding station turns permessage-deflate off so that each answer
costs its full size, and the server's socket send buffer is made small so that the kernel stops
taking the answers after a few KiB instead of several MiB (the bound is the server's own
memory, not the kernel's).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from ocpp_sansio.ws import Compression, KeepAlive, MessageReceived

from ._handlers import HANDLERS
from ._support import BINDINGS, Probe, Station, masked_frame, with_server

#: what the server may hold for one connection it cannot write to: the 64 KiB high-water mark
#: plus the answers to one read of calls (trio reads 64 KiB at a time, asyncio 256 KiB: about
#: 8,000 Heartbeat CALLs of 32 bytes, answered with 56 bytes each), with room to spare; the
#: peer itself tries to send 8 MiB
BOUND = 768 * 1024
FLOOD = 8 << 20
#: the server's SO_SNDBUF for the flooding connection (the kernel doubles it)
SERVER_SNDBUF = 8192
#: batches of 100 CALLs (5.6 KB of answers each) sent slowly before the flood
PRIME_BATCHES = 20


def _pending_output(server: Any) -> int:
    """Bytes the server holds for its connections (queued, not yet accepted by the kernel)."""
    total = 0
    for conn in list(server._live):
        link = conn.link
        total += len(link.session._out) + len(link._tail)
        if link.rpc is not None:
            total += sum(len(t) for t in link.rpc._outbox)
        total += conn.write_buffer_size
    return total


def _server_socket(conn: Any) -> socket.socket:
    transport = getattr(conn, "transport", None)
    if transport is not None:  # asyncio
        sock: socket.socket = transport.get_extra_info("socket")
        return sock
    return conn.stream.socket  # type: ignore[no-any-return]


def _shrink_send_buffer(server: Any) -> None:
    for conn in server._live:
        _server_socket(conn).setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SERVER_SNDBUF)


def _calls(start: int, count: int) -> bytes:
    """``count`` Heartbeat CALLs with distinct ids (each one answered)."""
    return b"".join(masked_frame(0x1, b'[2,"%d","Heartbeat",{}]' % i)
                    for i in range(start, start + count))


def _flood(station: Station, probe: Probe, flood: str) -> tuple[int, int]:
    """Send without reading until the server stops reading (or ``FLOOD`` bytes); the peak of
    the server's pending output and the bytes sent."""
    sock = station.sock
    sock.settimeout(0.5)
    pings = masked_frame(0x9, b"p" * 125) * 500  # each ping answered by a 127-byte pong
    sent = n = peak = 0
    stalled_at = None
    if flood == "calls":
        # first a trickle, so that the server's writes block on a small chunk (its answers to
        # a few calls) once the kernel buffers are full: what it queues after that chunk must
        # count too, or it would read (and answer) the whole flood
        for _ in range(PRIME_BATCHES):
            batch = _calls(n, 100)
            sock.sendall(batch)
            sent, n = sent + len(batch), n + 100
            time.sleep(0.01)
    while sent < FLOOD:
        if flood == "pings":
            burst = pings
        else:
            burst, n = _calls(n, 2000), n + 2000
        view = memoryview(burst)
        while view and sent < FLOOD:
            try:
                k = sock.send(view)
            except (TimeoutError, BlockingIOError):
                stalled_at = stalled_at or time.monotonic()
                if time.monotonic() - stalled_at > 0.5:
                    return max(peak, probe(_pending_output)), sent  # backpressure reached us
                continue
            except OSError:
                return max(peak, probe(_pending_output)), sent  # closed (keep-alive)
            stalled_at = None
            sent += k
            view = view[k:]
            peak = max(peak, probe(_pending_output))
    return max(peak, probe(_pending_output)), sent


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("flood", ["pings", "calls"])
def test_a_peer_that_never_reads_cannot_grow_server_memory(binding: str, flood: str) -> None:
    def client(port: int, probe: Probe) -> None:
        station = Station(port, "MUTE", rcvbuf=4096, compression=Compression(enabled=False))
        try:
            probe(_shrink_send_buffer)
            peak, sent = _flood(station, probe, flood)
            assert peak <= BOUND, f"{peak} bytes held after {sent} sent"
            if flood == "calls":
                # the server stopped reading long before the flood's end
                assert sent < FLOOD, f"the server read all {sent} bytes"
            # another station is served meanwhile, the flooding one still connected or not
            other = Station(port, "OTHER")
            try:
                assert other.connected
                assert other.heartbeat().startswith('[3,"hb",')
            finally:
                other.close()
            peak = max(peak, probe(_pending_output))
            assert peak <= BOUND, f"{peak} bytes held after {sent} sent"
        finally:
            station.close()

    with_server(binding, client, handlers=HANDLERS,
                keepalive=KeepAlive(interval=1.0, timeout=2.0))


@pytest.mark.parametrize("binding", BINDINGS)
def test_reading_resumes_when_the_peer_reads_again(binding: str) -> None:
    """Backpressure pauses reading, it drops nothing: once the peer reads, every CALL sent
    during the pause is answered."""

    def client(port: int, probe: Probe) -> None:
        station = Station(port, "SLOW", rcvbuf=4096, compression=Compression(enabled=False),
                          keepalive=KeepAlive(interval=None))
        try:
            probe(_shrink_send_buffer)
            count = 20_000  # about 1.1 MB of answers: far above every buffer on the way
            sock = station.sock
            sock.settimeout(10.0)
            sender = threading.Thread(target=sock.sendall, args=(_calls(0, count),))
            sender.start()
            time.sleep(0.3)  # the server fills its buffers and stops reading
            assert probe(_pending_output) <= BOUND
            answered = 0
            deadline = time.monotonic() + 20
            while answered < count and time.monotonic() < deadline:
                data = sock.recv(65536)
                assert data, f"closed after {answered} answers"
                station.session.receive_data(data, time.monotonic())
                answered += sum(isinstance(e, MessageReceived) and e.text.startswith("[3,")
                                for e in station.session.events())
                station.flush()
            sender.join(10)
            assert answered == count, f"{answered} of {count} answered"
        finally:
            station.close()

    with_server(binding, client, handlers=HANDLERS)
