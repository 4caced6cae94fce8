"""OCPP-J over trio streams: :class:`JsonConnection` drives one :class:`~ocpp_trio._common.Link`.

Per connection: a read loop (``receive_some`` -> :meth:`Link.receive`), a write loop (writes
:meth:`Link.data_to_send` whenever something was queued), a timer task sleeping until
:meth:`Link.next_deadline`, and one task per CALL of the peer running its handler. No protocol
rule lives here: they are in ``ocpp_sansio.ws`` and ``ocpp_sansio.rpc``.

Write backpressure: while a write is in progress, whatever the link queues meanwhile (answers,
pongs) is taken into the connection's own output queue at once, so that :attr:`JsonConnection.
write_buffer_size` counts every byte not yet accepted by the transport; the read loop does not
read while that exceeds ``HIGH_WATER`` and resumes when the writes drained it. A peer that sends
CALLs and never reads thus makes the server hold at most ``HIGH_WATER`` plus the answers to one
read (``READ_SIZE`` bytes) of its input.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import trio

from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.rpc import CallReceived, SendReceived
from ocpp_sansio.version import Version
from ocpp_sansio.ws import Accept, Connected, ConnectRequested, Reject, Rejected

from ._common import ConnectionClosed, Ended, HandshakeRejected, Link, Output, Settled, invoke

__all__ = ["JsonConnection"]

READ_SIZE = 65536
#: bytes being written or queued for writing above which the read loop waits for the writes
#: (write backpressure: a peer that does not read cannot make us buffer what it keeps sending
#: us to answer)
HIGH_WATER = 1 << 16
#: seconds the write loop may keep trying to flush once the connection has ended
FLUSH_GRACE = 5.0


class _Waiter:
    __slots__ = ("error", "event", "result")

    def __init__(self) -> None:
        self.event = trio.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class JsonConnection:
    """One OCPP-J connection on a trio stream (either role).

    ``on_connect_requested`` (CSMS side) decides on the upgrade request; ``on_connected`` is
    called (synchronously) when the WebSocket opened; ``handlers`` and ``context_connection``
    (the object handed to handlers as ``ctx.connection``) may be set until then.
    """

    def __init__(
        self,
        link: Link,
        stream: trio.abc.Stream,
        *,
        station_id: str,
        on_connect_requested: Callable[[ConnectRequested], Awaitable[Accept | Reject]]
        | None = None,
        on_connected: Callable[[Connected], None] | None = None,
    ) -> None:
        self.link = link
        self.stream = stream
        self.station_id = station_id
        self.handlers: Mapping[str, Handler] = {}
        self.context_connection: Any = self
        self.version: Version | None = None
        self.rejected: Rejected | None = None
        self._on_connect_requested = on_connect_requested
        self._on_connected = on_connected
        self._waiters: dict[str, _Waiter] = {}
        self._handlers_running = 0
        self._write_wake = trio.Event()
        self._timer_scope: trio.CancelScope | None = None
        self._idle = trio.Event()
        self._closing = False
        self.opened = trio.Event()
        self.done = trio.Event()
        self._nursery: trio.Nursery | None = None
        self._send_scope: trio.CancelScope | None = None
        self._sending = 0
        self._out: list[bytes] = []
        self._queued = 0
        self._sent = trio.Event()

    # -- public --------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Calls can be made."""
        return self.link.is_open and not self._closing

    @property
    def write_buffer_size(self) -> int:
        """Bytes being written or taken from the link for writing, not yet accepted by the
        transport (what the read loop compares with ``HIGH_WATER``)."""
        return self._sending + self._queued

    async def call(self, message: Any, timeout: float | None = None) -> Any:
        """Send a CALL and wait for its typed response (see ``bindings-api.md``)."""
        if self._closing:
            raise ConnectionClosed("the connection is closing")
        handle = self.link.call(message, trio.current_time(), timeout)
        waiter = _Waiter()
        self._waiters[handle.unique_id] = waiter
        self._kick()
        try:
            await waiter.event.wait()
        finally:
            self._waiters.pop(handle.unique_id, None)
            self._check_idle()
        if waiter.error is not None:
            raise waiter.error
        return waiter.result

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND: queued for writing, no reply."""
        self.link.send(message)
        self._kick()

    async def aclose(self, code: int = 1000, reason: str = "", *, drain: bool = True) -> None:
        """Close gracefully: wait for our in-flight calls and the running handlers, then the
        closing handshake; returns when the connection has ended."""
        self._closing = True
        if drain:
            while (self._waiters or self._handlers_running or self.link.busy()) and (
                self.link.ended is None
            ):
                self._idle = trio.Event()
                await self._idle.wait()
        if self.link.ended is None:
            self.link.close(code, reason, trio.current_time())
            self._process([])
            self._kick()
        await self.done.wait()

    # -- running -------------------------------------------------------------------------------

    async def run(self, initial: bytes = b"") -> None:
        """Drive the connection until it ends (``initial``: bytes already read)."""
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                nursery.start_soon(self._timer_loop)
                nursery.start_soon(self._read_loop, initial)
                await self._write_loop()
                nursery.cancel_scope.cancel()
        finally:
            if self.link.ended is None:
                self._process(self.link.abort("transport closed"))
            self.done.set()
            self.opened.set()
            with trio.CancelScope(shield=True), trio.move_on_after(1):
                await self.stream.aclose()

    async def _read_loop(self, initial: bytes) -> None:
        link = self.link
        if initial:
            self._process(link.receive(initial, trio.current_time()))
            self._kick()
        stream = self.stream
        while link.ended is None:
            while self._sending + self._queued > HIGH_WATER:
                self._sent = trio.Event()
                await self._sent.wait()
            try:
                data = await stream.receive_some(READ_SIZE)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                data = b""
            self._process(link.receive(bytes(data), trio.current_time()))
            self._kick()
            if not data:
                break

    async def _write_loop(self) -> None:
        link = self.link
        stream = self.stream
        # one cancel scope for the loop's life (a scope per write costs more than the write's
        # Python side): once the connection has ended, its deadline bounds the last flush
        with trio.CancelScope() as scope:
            self._send_scope = scope
            while True:
                self._write_wake = trio.Event()
                self._take()
                data = b"".join(self._out)
                self._out, self._queued = [], 0
                if data:
                    self._sending = len(data)
                    try:
                        await stream.send_all(data)
                    except (trio.BrokenResourceError, trio.ClosedResourceError):
                        self._process(link.abort("transport broken"))
                        return
                    finally:
                        self._sending = 0
                        self._sent.set()
                    continue
                if link.ended is not None:
                    return
                await self._write_wake.wait()

    async def _timer_loop(self) -> None:
        link = self.link
        while link.ended is None:
            with trio.CancelScope() as scope:
                deadline = link.next_deadline()
                scope.deadline = math.inf if deadline is None else deadline
                self._timer_scope = scope
                await trio.sleep_forever()
            self._timer_scope = None
            self._process(link.timeout(trio.current_time()))
            self._kick()

    def _take(self) -> None:
        """Move what the link has to send into our output queue."""
        data = self.link.data_to_send()
        if data:
            self._out.append(data)
            self._queued += len(data)

    def _kick(self) -> None:
        """Something may have been queued: wake the writer (while it is blocked in a write,
        take the new bytes into our queue now, so that the read loop sees them); move the
        timer earlier if needed (changing a cancel scope's deadline costs no task switch)."""
        if self._sending:
            self._take()
        self._write_wake.set()
        scope = self._timer_scope
        if scope is not None:
            deadline = self.link.next_deadline()
            if deadline is not None and deadline < scope.deadline:
                scope.deadline = deadline

    def _check_idle(self) -> None:
        if not (self._waiters or self._handlers_running or self.link.busy()):
            self._idle.set()

    # -- events --------------------------------------------------------------------------------

    def _process(self, outputs: list[Output]) -> None:
        for out in outputs:
            kind = type(out)
            if kind is Settled:
                assert isinstance(out, Settled)
                waiter = self._waiters.get(out.unique_id)
                if waiter is not None:
                    waiter.result, waiter.error = out.result, out.error
                    waiter.event.set()
            elif kind is CallReceived or kind is SendReceived:
                assert isinstance(out, CallReceived | SendReceived)
                self._handlers_running += 1
                assert self._nursery is not None
                self._nursery.start_soon(self._run_handler, out)
            elif kind is Connected:
                assert isinstance(out, Connected)
                self.version = out.version
                if self._on_connected is not None:
                    self._on_connected(out)
                self.opened.set()
            elif kind is ConnectRequested:
                assert isinstance(out, ConnectRequested) and self._nursery is not None
                self._nursery.start_soon(self._decide, out)
            elif kind is Rejected:
                assert isinstance(out, Rejected)
                self.rejected = out
            elif kind is Ended:
                self._write_wake.set()
                self._idle.set()
                scope = self._send_scope
                if scope is not None:
                    scope.deadline = min(scope.deadline, trio.current_time() + FLUSH_GRACE)
        if self._closing:
            self._check_idle()

    async def _decide(self, event: ConnectRequested) -> None:
        assert self._on_connect_requested is not None
        decision = await self._on_connect_requested(event)
        self._process(self.link.respond(decision, trio.current_time()))
        self._kick()

    async def _run_handler(self, event: CallReceived | SendReceived) -> None:
        try:
            assert self.version is not None
            handler = self.handlers.get(event.action)
            ctx = CallContext(
                self.station_id, self.version, event.action, event.unique_id,
                self.context_connection,
            )
            response, error = await invoke(handler, event.message, ctx)
            if type(event) is CallReceived:
                self.link.answer(event.unique_id, response, error)
                self._kick()
        finally:
            self._handlers_running -= 1
            self._check_idle()

    def rejection(self) -> HandshakeRejected:
        """The error for a refused handshake (station side)."""
        rej = self.rejected
        if rej is None:
            end = self.link.ended
            text = end.reason if end is not None else "connection failed"
            return HandshakeRejected(f"connection failed: {text}", 0)
        return HandshakeRejected(f"the CSMS refused the connection: {rej.reason}",
                                 rej.status_code, rej.body)
