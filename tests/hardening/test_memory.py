"""Bounded memory per connection: a CSMS runs in a fresh child process (``ocpp_trio.serve`` or
``ocpp_asyncio.serve``), 200 stations connect from here, exchange three heartbeats each and
stay connected; the child's resident set (RSS, Linux ``/proc/<pid>/statm``: Python objects,
zlib's deflate contexts, sockets) grows by at most a stated bound per connection. Bounds:
64 KiB per plain connection, 256 KiB per permessage-deflate connection (a compressor with the
default 15-bit window and memLevel 8 plus an inflater, partly untouched pages;
``docs/websocket.md``). Measured on Linux x86-64, CPython 3.11: about 25 KiB and 100 KiB
(``tracemalloc`` in the server, once: 28 KiB and 330 KiB of allocations, untouched pages
included)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ocpp_sansio.ws import ClientConfig, ClientSession, Compression, Connected, KeepAlive
from ocpp_sansio.ws import MessageReceived as Message

from ._support import BINDINGS

STATIONS = 200
WARM = 5
BOUNDS = {False: 64 * 1024, True: 256 * 1024}
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

SERVER = r"""
import sys, datetime
binding = sys.argv[1]
from ocpp_sansio.v16 import messages as m16
NOW = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
async def heartbeat(req, ctx):
    return m16.HeartbeatResponse(current_time=NOW)
def rss():
    return int(open("/proc/self/statm").read().split()[1])
if binding == "trio":
    import gc, trio, ocpp_trio as mod
    async def main():
        async with mod.serve("127.0.0.1", 0, handlers={"Heartbeat": heartbeat}) as server:
            print(server.port, flush=True)
            while await trio.to_thread.run_sync(sys.stdin.readline):
                gc.collect()
                print(len(server.stations), rss(), flush=True)
    trio.run(main)
else:
    import asyncio, gc, ocpp_asyncio as mod
    async def main():
        loop = asyncio.get_running_loop()
        async with mod.serve("127.0.0.1", 0, handlers={"Heartbeat": heartbeat}) as server:
            print(server.port, flush=True)
            while await loop.run_in_executor(None, sys.stdin.readline):
                gc.collect()
                print(len(server.stations), rss(), flush=True)
    asyncio.run(main())
"""


def _station(port: int, identity: str, compressed: bool) -> socket.socket:
    """Connect, send three heartbeats (each answered); the socket stays open."""
    session = ClientSession(
        ClientConfig(url=f"ws://127.0.0.1:{port}/ocpp", identity=identity, versions=("1.6",),
                     keepalive=KeepAlive(interval=None),
                     compression=Compression(enabled=compressed)),
        now=time.monotonic(), key=os.urandom(16))
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        sock.sendall(session.data_to_send())
        for n in range(4):
            want = Connected if n == 0 else Message
            while not any(isinstance(e, want) for e in session.events()):
                data = sock.recv(65536)
                assert data, "closed by the server"
                session.receive_data(data, time.monotonic())
            if n < 3:
                session.send_text(f'[2,"{n}","Heartbeat",{{}}]')
                sock.sendall(session.data_to_send())
    except BaseException:
        sock.close()
        raise
    return sock


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "deflate"])
def test_memory_per_connection_is_bounded(binding: str, compressed: bool) -> None:
    server = subprocess.Popen([sys.executable, "-c", SERVER, binding], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    socks: list[socket.socket] = []
    assert server.stdin is not None and server.stdout is not None

    def measure() -> tuple[int, int]:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write("\n")
        server.stdin.flush()
        stations, pages = server.stdout.readline().split()
        return int(stations), int(pages) * PAGE

    try:
        port = int(server.stdout.readline())
        for i in range(WARM):  # validators compiled, pools allocated
            socks.append(_station(port, f"W{i}", compressed))
        count, before = measure()
        assert count == WARM
        for i in range(STATIONS):
            socks.append(_station(port, f"M{i}", compressed))
        count, after = measure()
        assert count == WARM + STATIONS
        per = (after - before) / STATIONS
        print(f"\n{binding} {'deflate' if compressed else 'plain'}: {per / 1024:.1f} KiB RSS "
              f"per connection ({STATIONS} connections)", file=sys.stderr)
        assert per <= BOUNDS[compressed], per
    finally:
        for sock in socks:
            sock.close()
        server.stdin.close()
        try:
            server.wait(20)
        finally:
            server.stdout.close()
            if server.poll() is None:  # pragma: no cover
                server.kill()
                server.wait()
