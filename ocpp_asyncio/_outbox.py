"""The outbox driver on asyncio: :class:`OutboxDriver` delivers an
:class:`~ocpp_sansio.outbox.Outbox` through a station's ``call``.

Same API and behaviour as ``ocpp_trio.OutboxDriver`` (the bookkeeping is shared, loop-free, in
:mod:`ocpp_trio._outbox_common`); the clock is the running loop's ``time()``. See
``docs/outbox.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from ocpp_sansio.outbox import Event, Outbox, Ticket
from ocpp_sansio.rpc import CallError, CallTimeout
from ocpp_trio._outbox_common import (
    DeliveryError,
    DriverCore,
    DriverStats,
    MessageDropped,
    MessageFailed,
    Transmission,
)

from ._common import ConnectionClosed, log

__all__ = [
    "CallsCsms",
    "DeliveryError",
    "DriverStats",
    "MessageDropped",
    "MessageFailed",
    "OutboxDriver",
]


class CallsCsms(Protocol):
    """What the driver needs of a station: ``call`` (see ``ocpp_trio.OutboxDriver``)."""

    async def call(self, message: Any, timeout: float | None = None) -> Any: ...


def _now() -> float:
    return asyncio.get_running_loop().time()


class OutboxDriver:
    """Delivers an outbox's messages through a station; see ``ocpp_trio.OutboxDriver`` for
    the parameters and ``docs/outbox.md``."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        timeout: float | None = None,
        on_connected: Callable[[Any], Awaitable[object]] | None = None,
        on_event: Callable[[Event], None] | None = None,
        retry_after: float = 5.0,
    ) -> None:
        self._core: DriverCore[asyncio.Event] = DriverCore(outbox, asyncio.Event, on_event)
        self.timeout = timeout
        self.on_connected = on_connected
        self.retry_after = retry_after
        self._running = False
        self._tasks: set[asyncio.Task[None]] = set()

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
        """Enqueue ``message`` now (see ``ocpp_trio.OutboxDriver.submit``)."""
        return self._core.submit(message, _now())

    async def delivered(self, ticket: Ticket) -> Any:
        """The CALLRESULT's typed response, or raises :class:`MessageDropped` /
        :class:`MessageFailed`; ``LookupError`` for a ticket this driver does not know."""
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
        runner = self._spawn(self._run(station))
        try:
            yield self
        finally:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.clear()
            self._running = False
            self._core.disconnected(_now())
        if not runner.cancelled() and runner.exception() is not None:
            raise runner.exception()  # type: ignore[misc]

    # -- the loop ------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, station: CallsCsms) -> None:
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
            first = core.connected(_now())
            watcher = self._spawn(self._watch(s)) if hooked else None
            try:
                await self._send(station, first)
            finally:
                if watcher is not None:
                    watcher.cancel()
            core.disconnected(_now())
            await self._link_down(s, hooked, generation)

    async def _link_down(self, station: Any, hooked: bool, generation: int) -> None:
        if not hooked:
            await asyncio.sleep(self.retry_after)
        elif station.connections == generation:
            await station.wait_disconnected()

    async def _pause(self, station: Any, hooked: bool, generation: int) -> None:
        """Wait ``retry_after`` seconds, less if the link ends before."""
        if hooked and station.connections == generation:
            try:
                async with asyncio.timeout(self.retry_after):
                    await station.wait_disconnected()
            except TimeoutError:
                pass
        else:
            await asyncio.sleep(self.retry_after)

    async def _watch(self, station: Any) -> None:
        await station.wait_disconnected()
        self._core.lose_link()

    async def _send(self, station: CallsCsms, first: list[Transmission]) -> None:
        core = self._core
        batch = first
        while True:
            for tx in batch:
                self._spawn(self._transmit(station, tx))
            if core.link_lost:
                return
            wake = core.waker()
            batch = core.poll(_now())
            if batch:
                continue
            try:
                async with asyncio.timeout_at(core.deadline()):
                    await wake.wait()
            except TimeoutError:
                pass
            batch = core.poll(_now())

    async def _transmit(self, station: CallsCsms, tx: Transmission) -> None:
        try:
            response = await station.call(tx.send.message, self.timeout)
        except Exception as exc:  # every outcome is the outbox's to judge
            self._core.settle(tx, None, exc, _now())
        else:
            self._core.settle(tx, response, None, _now())
