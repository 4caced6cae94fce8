"""OCPP-J over an asyncio transport: :class:`JsonConnection`, an :class:`asyncio.Protocol`
driving one :class:`~ocpp_trio._common.Link`.

Received bytes go straight into :meth:`Link.receive` (``data_received``); what the link has to
send is written at once after every step (the transport buffers; above its high-water mark
reading pauses, which is the write backpressure); one ``loop.call_at`` timer is armed for
:meth:`Link.next_deadline`; each CALL of the peer runs its handler in a task. No protocol rule
lives here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.rpc import CallReceived, SendReceived
from ocpp_sansio.version import Version
from ocpp_sansio.ws import Accept, Connected, ConnectRequested, Reject, Rejected

from ._common import ConnectionClosed, Ended, HandshakeRejected, Link, Output, Settled, invoke

__all__ = ["JsonConnection"]


class JsonConnection(asyncio.Protocol):
    """One OCPP-J connection on an asyncio transport (either role); see ``ocpp_trio``'s."""

    def __init__(
        self,
        link: Link,
        *,
        station_id: str,
        on_connect_requested: Callable[[ConnectRequested], Awaitable[Accept | Reject]]
        | None = None,
        on_connected: Callable[[Connected], None] | None = None,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.link = link
        self.station_id = station_id
        self.handlers: Mapping[str, Handler] = {}
        self.context_connection: Any = self
        self.version: Version | None = None
        self.rejected: Rejected | None = None
        self.transport: asyncio.Transport | None = None
        self._on_connect_requested = on_connect_requested
        self._on_connected = on_connected
        self._waiters: dict[str, asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._handlers_running = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._idle: asyncio.Event | None = None
        self._closing = False
        self.opened = asyncio.Event()
        self.done = asyncio.Event()
        #: called once when the connection has ended (no task is kept per connection for it)
        self.on_finished: list[Callable[[JsonConnection], None]] = []

    # -- public --------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Calls can be made."""
        return self.link.is_open and not self._closing

    @property
    def write_buffer_size(self) -> int:
        """Bytes written to the transport and not yet accepted by the kernel (everything the
        link queues is written at once, so this is all the output held for the peer)."""
        transport = self.transport
        return 0 if transport is None else transport.get_write_buffer_size()

    async def call(self, message: Any, timeout: float | None = None) -> Any:
        """Send a CALL and wait for its typed response."""
        if self._closing:
            raise ConnectionClosed("the connection is closing")
        handle = self.link.call(message, self.loop.time(), timeout)
        waiter: asyncio.Future[Any] = self.loop.create_future()
        self._waiters[handle.unique_id] = waiter
        self._flush()
        try:
            return await waiter
        finally:
            self._waiters.pop(handle.unique_id, None)
            self._check_idle()

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND: written at once, no reply."""
        self.link.send(message)
        self._flush()

    async def aclose(self, code: int = 1000, reason: str = "", *, drain: bool = True) -> None:
        """Close gracefully: our in-flight calls and running handlers first, then the closing
        handshake; returns when the connection has ended."""
        self._closing = True
        if drain:
            while (self._waiters or self._handlers_running or self.link.busy()) and (
                self.link.ended is None
            ):
                self._idle = asyncio.Event()
                await self._idle.wait()
        if self.link.ended is None:
            self.link.close(code, reason, self.loop.time())
            self._process([])
            self._flush()
        await self.done.wait()

    # -- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._flush()

    def data_received(self, data: bytes) -> None:
        self._process(self.link.receive(data, self.loop.time()))
        self._flush()

    def eof_received(self) -> bool | None:
        self._process(self.link.receive(b"", self.loop.time()))
        self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.link.ended is None:
            self._process(self.link.abort("transport closed"))
        self._finish()

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    # -- internals -----------------------------------------------------------------------------

    def _flush(self) -> None:
        transport = self.transport
        if transport is None:
            return
        link = self.link
        data = link.data_to_send()
        if data and not transport.is_closing():
            transport.write(data)
        if link.ended is not None:
            if not transport.is_closing():
                transport.close()
            self._finish()
            return
        deadline = link.next_deadline()
        if deadline is None:
            return
        at = self._timer_at
        if at is None or deadline < at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = deadline
            self._timer = self.loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        self._process(self.link.timeout(self.loop.time()))
        self._flush()

    def _finish(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.done.is_set():
            self.done.set()
            self.opened.set()
            if self._idle is not None:
                self._idle.set()
            for task in list(self._tasks):
                task.cancel()
            for callback in self.on_finished:
                callback(self)

    def _check_idle(self) -> None:
        if self._idle is not None and not (
            self._waiters or self._handlers_running or self.link.busy()
        ):
            self._idle.set()

    def _process(self, outputs: list[Output]) -> None:
        for out in outputs:
            kind = type(out)
            if kind is Settled:
                assert isinstance(out, Settled)
                waiter = self._waiters.get(out.unique_id)
                if waiter is not None and not waiter.done():
                    if out.error is not None:
                        waiter.set_exception(out.error)
                    else:
                        waiter.set_result(out.result)
            elif kind is CallReceived or kind is SendReceived:
                assert isinstance(out, CallReceived | SendReceived)
                self._handlers_running += 1
                self._spawn(self._run_handler(out))
            elif kind is Connected:
                assert isinstance(out, Connected)
                self.version = out.version
                if self._on_connected is not None:
                    self._on_connected(out)
                self.opened.set()
            elif kind is ConnectRequested:
                assert isinstance(out, ConnectRequested)
                self._spawn(self._decide(out))
            elif kind is Rejected:
                assert isinstance(out, Rejected)
                self.rejected = out
            elif kind is Ended and self._idle is not None:
                self._idle.set()
        if self._closing:
            self._check_idle()

    def _spawn(self, coro: Any) -> None:
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _decide(self, event: ConnectRequested) -> None:
        assert self._on_connect_requested is not None
        decision = await self._on_connect_requested(event)
        self._process(self.link.respond(decision, self.loop.time()))
        self._flush()

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
                self._flush()
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
        return HandshakeRejected(
            f"the CSMS refused the connection: {rej.reason}", rej.status_code, rej.body
        )
