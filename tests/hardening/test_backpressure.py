"""A station that sends but never reads: the server's output for it must stay bounded (write
backpressure: the server stops reading while its writes cannot go out, so it does not build
up answers without limit); the connection then ends through keep-alive (no pong, since the
server reads nothing more; ``KeepAlive.timeout``, default 30 s, shortened here)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ocpp_sansio.ws import KeepAlive

from ._handlers import HANDLERS
from ._support import BINDINGS, Probe, Station, masked_frame, with_server

#: what the server may hold for one connection it cannot write to: the trio binding's
#: HIGH_WATER (64 KiB) plus one read's worth of answers (64 KiB read: at most ~64 KiB of
#: pongs), with room to spare; the peer itself tries to send 8 MiB
BOUND = 512 * 1024
FLOOD = 8 << 20


def _pending_output(server: Any) -> int:
    """Bytes the server holds for its connections (queued, not yet accepted by the kernel)."""
    total = 0
    for conn in list(server._live):
        link = conn.link
        total += len(link.session._out) + len(link._tail)
        if link.rpc is not None:
            total += sum(len(t) for t in link.rpc._outbox)
        total += getattr(conn, "_sending", 0)
        transport = getattr(conn, "transport", None)
        if transport is not None:
            total += transport.get_write_buffer_size()
    return total


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("flood", ["pings", "calls"])
def test_a_peer_that_never_reads_cannot_grow_server_memory(binding: str, flood: str) -> None:
    def client(port: int, probe: Probe) -> None:
        station = Station(port, "MUTE", rcvbuf=4096)
        try:
            sock = station.sock
            sock.settimeout(0.5)
            if flood == "pings":
                unit = masked_frame(0x9, b"p" * 125)  # each answered by a 127-byte pong
            else:
                unit = masked_frame(0x1, b'[2,"%d","Heartbeat",{}]' % 7)
            burst = unit * (65536 // len(unit))
            sent = 0
            stalled_at = None
            peak = 0
            while sent < FLOOD:
                try:
                    sent += sock.send(burst)
                    stalled_at = None
                except (TimeoutError, BlockingIOError):
                    stalled_at = stalled_at or time.monotonic()
                    if time.monotonic() - stalled_at > 0.5:
                        break  # the server stopped reading: backpressure reached us
                except OSError:
                    break  # closed by the server (keep-alive)
                peak = max(peak, probe(_pending_output))
            peak = max(peak, probe(_pending_output))
            assert peak <= BOUND, f"{peak} bytes held after {sent} sent"
        finally:
            station.close()

    with_server(binding, client, handlers=HANDLERS,
                keepalive=KeepAlive(interval=1.0, timeout=2.0))

