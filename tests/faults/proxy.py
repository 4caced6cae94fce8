"""A small TCP proxy on 127.0.0.1 that tests control: pass through, cut every connection now,
refuse new connections for a while, delay the bytes of both directions.

It runs its own trio loop in a background thread, so a test of either binding (or a plain
synchronous test driving subprocesses) controls it with ordinary method calls:

    with Proxy(target_port) as proxy:       # listening on proxy.port
        proxy.delay = 0.3                   # seconds, each way, for bytes read from now on
        proxy.cut()                         # close every open connection at once
        proxy.refuse(1.0)                   # new connections are closed at once for 1 s

Delayed bytes keep their order; a cut discards bytes still held back.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
from typing import Any

import trio

__all__ = ["Proxy"]


class _Pair:
    """One proxied connection: the client's stream and the upstream stream."""

    def __init__(self, client: trio.SocketStream, upstream: trio.SocketStream) -> None:
        self.client = client
        self.upstream = upstream
        self.scope = trio.CancelScope()


def _hard_close(stream: trio.SocketStream) -> None:
    """Close with RST (SO_LINGER 0): the peer sees the link die, as when a cable is cut."""
    sock = stream.socket
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()


class Proxy:
    """A controllable TCP proxy to ``127.0.0.1:target_port`` (see the module doc)."""

    def __init__(self, target_port: int, *, delay: float = 0.0) -> None:
        self.target_port = target_port
        self.delay = delay
        self.port = 0
        #: connections accepted and forwarded, cuts made, connections refused
        self.connections = 0
        self.cuts = 0
        self.refused = 0
        self._refuse_until = -math.inf
        self._pairs: set[_Pair] = set()
        self._token: trio.lowlevel.TrioToken | None = None
        self._ready = threading.Event()
        self._stop: trio.Event | None = None
        self._thread = threading.Thread(target=trio.run, args=(self._main,), daemon=True)
        self._error: BaseException | None = None

    # -- control (from any thread) ---------------------------------------------------------

    def start(self) -> int:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("proxy did not start")
        if self._error is not None:
            raise self._error
        return self.port

    def __enter__(self) -> Proxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._token is not None and self._stop is not None:
            self._run(self._stop.set)
        self._thread.join(10)

    def cut(self) -> int:
        """Close every open connection now (both sides, RST); how many were cut."""
        cut: int = self._run(self._cut)
        return cut

    def refuse(self, seconds: float) -> None:
        """Close new connections at once for ``seconds`` (from now)."""
        def set_until() -> None:
            self._refuse_until = trio.current_time() + seconds
        self._run(set_until)

    @property
    def open_connections(self) -> int:
        return len(self._pairs)

    def _run(self, fn: Any) -> Any:
        """Run ``fn`` in the proxy's loop and return its result; callable from any thread,
        also from inside another trio loop (``trio.from_thread`` refuses that)."""
        assert self._token is not None
        done = threading.Event()
        result: list[Any] = []

        def job() -> None:
            try:
                result.append(fn())
            finally:
                done.set()

        self._token.run_sync_soon(job)
        if not done.wait(10) or not result:
            raise RuntimeError("the proxy did not run the command")
        return result[0]

    # -- the loop --------------------------------------------------------------------------

    def _cut(self) -> int:
        pairs = list(self._pairs)
        for pair in pairs:
            pair.scope.cancel()
            _hard_close(pair.client)
            _hard_close(pair.upstream)
        self._pairs.clear()
        if pairs:
            self.cuts += 1
        return len(pairs)

    async def _main(self) -> None:
        try:
            listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            raise
        self.port = listeners[0].socket.getsockname()[1]
        self._token = trio.lowlevel.current_trio_token()
        self._stop = trio.Event()
        self._ready.set()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.serve_listeners, self._handle, listeners)
            await self._stop.wait()
            self._cut()
            nursery.cancel_scope.cancel()

    async def _handle(self, client: trio.SocketStream) -> None:
        if trio.current_time() < self._refuse_until:
            self.refused += 1
            _hard_close(client)
            return
        try:
            upstream = await trio.open_tcp_stream("127.0.0.1", self.target_port)
        except OSError:
            self.refused += 1
            _hard_close(client)
            return
        pair = _Pair(client, upstream)
        self._pairs.add(pair)
        self.connections += 1
        with pair.scope:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._pump, client, upstream, nursery.cancel_scope)
                nursery.start_soon(self._pump, upstream, client, nursery.cancel_scope)
        if pair in self._pairs:  # ended by a peer, not by a cut
            self._pairs.discard(pair)
            _hard_close(client)
            _hard_close(upstream)

    async def _pump(
        self, src: trio.SocketStream, dst: trio.SocketStream, scope: trio.CancelScope
    ) -> None:
        send, receive = trio.open_memory_channel[tuple[float, bytes]](math.inf)

        async def writer() -> None:
            async for due, data in receive:
                await trio.sleep_until(due)
                if not data:
                    break
                await dst.send_all(data)
            scope.cancel()

        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(writer)
                while True:
                    try:
                        data = await src.receive_some(65536)
                    except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                        data = b""
                    send.send_nowait((trio.current_time() + self.delay, bytes(data)))
                    if not data:
                        break
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            scope.cancel()
