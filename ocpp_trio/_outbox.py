"""The outbox driver on trio: :class:`OutboxDriver` delivers an
:class:`~ocpp_sansio.outbox.Outbox` through a station's ``call``.

The rules (order, retries, drops, durability) are the outbox's (OCPP 1.6 section 3.7 / 3.7.1;
2.0.1 E12 / E13); the bookkeeping is loop-free in :mod:`ocpp_trio._outbox_common`. This module
only runs the loop: wait for a connection, hand each ``SendNow`` to ``station.call`` (so the
RPC engine's one outstanding CALL holds), sleep until the next retry deadline (trio's clock),
notice the end of the connection, and start again on the next one. ``ocpp_asyncio`` has the
same class. See ``docs/outbox.md``.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import trio

from ocpp_sansio.outbox import Event, Outbox, Ticket
from ocpp_sansio.rpc import CallError, CallTimeout

from ._common import ConnectionClosed, log
from ._outbox_common import (
    DeliveryError,
    DriverCore,
    DriverStats,
    MessageDropped,
    MessageFailed,
    Transmission,
)
from ._station import _single_errors

__all__ = [
    "CallsCsms",
    "DeliveryError",
    "DriverStats",
    "MessageDropped",
    "MessageFailed",
    "OutboxDriver",
]


class CallsCsms(Protocol):
    """What the driver needs of a station: ``call``. A :class:`~ocpp_trio.Station` (OCPP-J)
    also offers ``wait_connected``, ``wait_disconnected`` and ``connections``, which the
    driver uses to follow reconnects; without them (OCPP-S) a failed call marks the link
    down for ``retry_after`` seconds."""

    async def call(self, message: Any, timeout: float | None = None) -> Any: ...


class OutboxDriver:
    """Delivers an outbox's messages through a station (see ``docs/outbox.md``).

    ``timeout``: the CALL timeout of each transmission (``None``: the station's default).
    ``on_connected(station)``: awaited after every (re)connection the driver sees, before the
    outbox is told it may send (put the BootNotification there; OCPP 1.6 section 4.2 / 2.0.1
    B01: nothing else before it is accepted); if it raises ``ConnectionClosed`` the driver
    waits for the next connection, if it raises ``CallError`` or ``CallTimeout`` it is called
    again ``retry_after`` seconds later (or on the next connection). ``on_event(event)``: sees
    every outbox event, in order. ``retry_after`` is also the wait after a lost link on a
    station that cannot report reconnects (OCPP-S).
    """

    def __init__(
        self,
        outbox: Outbox,
        *,
        timeout: float | None = None,
        on_connected: Callable[[Any], Awaitable[object]] | None = None,
        on_event: Callable[[Event], None] | None = None,
        retry_after: float = 5.0,
    ) -> None:
        self._core: DriverCore[trio.Event] = DriverCore(outbox, trio.Event, on_event)
        self.timeout = timeout
        self.on_connected = on_connected
        self.retry_after = retry_after
        self._running = False

    @property
    def outbox(self) -> Outbox:
        return self._core.outbox

    @property
    def stats(self) -> DriverStats:
        return self._core.stats

    @property
    def drained_now(self) -> bool:
        """Nothing is waiting for delivery (see :meth:`drained`)."""
        return self._core.drained

    # -- application side ----------------------------------------------------------------

    def submit(self, message: Any) -> Ticket:
        """Enqueue ``message`` now (a transaction message is in storage when this returns).
        Raises what :meth:`Outbox.enqueue` raises (``OutboxError``, ``Offline``,
        ``ValidationError``). ``ticket.placeholder``: the 1.x transaction id to use until the
        real one is known."""
        return self._core.submit(message, trio.current_time())

    async def delivered(self, ticket: Ticket) -> Any:
        """Wait for the outcome of ``ticket``: the CALLRESULT's typed response, or raises
        :class:`MessageDropped` / :class:`MessageFailed`. ``LookupError`` for a ticket this
        driver does not know."""
        core = self._core
        while (final := core.outcome(ticket.ref)) is None:
            await core.watch().wait()
        return core.unwrap(final)

    async def drained(self) -> None:
        """Wait until every submitted (and resumed) message has its final outcome."""
        core = self._core
        while not core.drained:
            await core.watch().wait()

    @asynccontextmanager
    async def running(self, station: CallsCsms) -> AsyncIterator[OutboxDriver]:
        """Deliver through ``station`` inside the block (messages submitted before it wait)."""
        if self._running:
            raise RuntimeError("this driver is already running")
        self._running = True
        try:
            async with _single_errors(), trio.open_nursery() as nursery:
                nursery.start_soon(self._run, station, nursery)
                try:
                    yield self
                finally:
                    nursery.cancel_scope.cancel()
        finally:
            self._running = False
            self._core.disconnected(trio.current_time())

    # -- the loop ------------------------------------------------------------------------

    async def _run(self, station: CallsCsms, calls: trio.Nursery) -> None:
        core = self._core
        hooked = all(
            hasattr(station, name)
            for name in ("wait_connected", "wait_disconnected", "connections")
        )
        s: Any = station
        while True:
            generation = 0
            if hooked:
                try:
                    await s.wait_connected()
                except ConnectionClosed:
                    return  # the station is closing, or gave up reconnecting
                generation = s.connections
            if self.on_connected is not None:
                try:
                    await self.on_connected(station)
                except ConnectionClosed as exc:
                    log.info("outbox: on_connected failed (%r); waiting for a new link", exc)
                    await self._link_down(s, hooked, generation)
                    continue
                except (CallError, CallTimeout) as exc:
                    log.info("outbox: on_connected failed (%r); trying again", exc)
                    await self._pause(s, hooked, generation)
                    continue
            async with trio.open_nursery() as inner:
                first = core.connected(trio.current_time())
                if hooked:
                    inner.start_soon(self._watch, s)
                await self._send(station, calls, first)
                inner.cancel_scope.cancel()
            core.disconnected(trio.current_time())
            await self._link_down(s, hooked, generation)

    async def _link_down(self, station: Any, hooked: bool, generation: int) -> None:
        if not hooked:
            await trio.sleep(self.retry_after)
        elif station.connections == generation:
            await station.wait_disconnected()

    async def _pause(self, station: Any, hooked: bool, generation: int) -> None:
        """Wait ``retry_after`` seconds, less if the link ends before."""
        with trio.move_on_after(self.retry_after):
            if hooked and station.connections == generation:
                await station.wait_disconnected()
            else:
                await trio.sleep_forever()

    async def _watch(self, station: Any) -> None:
        await station.wait_disconnected()
        self._core.lose_link()

    async def _send(
        self, station: CallsCsms, calls: trio.Nursery, first: list[Transmission]
    ) -> None:
        core = self._core
        batch = first
        while True:
            for tx in batch:
                calls.start_soon(self._transmit, station, tx)
            if core.link_lost:
                return
            wake = core.waker()
            batch = core.poll(trio.current_time())
            if batch:
                continue
            deadline = core.deadline()
            with trio.move_on_at(math.inf if deadline is None else deadline):
                await wake.wait()
            batch = core.poll(trio.current_time())

    async def _transmit(self, station: CallsCsms, tx: Transmission) -> None:
        try:
            response = await station.call(tx.send.message, self.timeout)
        except Exception as exc:  # every outcome is the outbox's to judge
            self._core.settle(tx, None, exc, trio.current_time())
        else:
            self._core.settle(tx, response, None, trio.current_time())
