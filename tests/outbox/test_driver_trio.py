"""``ocpp_trio.OutboxDriver`` over real sockets (``serve`` + ``connect`` on 127.0.0.1).

The scenario bodies are written once against :class:`Loop` (the binding module and its few
loop primitives); ``test_driver_asyncio.py`` runs the same bodies on ``ocpp_asyncio``.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trio

from ocpp_sansio.outbox import MemoryStorage, Outbox, SqliteStorage, Storage
from ocpp_sansio.rpc import CallError
from ocpp_sansio.v16 import datatypes as d16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.v16.enums import AuthorizationStatus, RegistrationStatus
from tests.faults.proxy import Proxy

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
ACCEPTED = RegistrationStatus.Accepted
AUTHORIZED = d16.IdTagInfo(status=AuthorizationStatus.Accepted)
BODY_TIMEOUT = 20.0


class Loop:
    """``ocpp_trio`` or ``ocpp_asyncio`` and the loop primitives the bodies use."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.mod: ModuleType = importlib.import_module(f"ocpp_{name}")

    def run(self, body: Callable[[], Awaitable[None]]) -> None:
        if self.name == "trio":
            async def main() -> None:
                with trio.fail_after(BODY_TIMEOUT):
                    await body()

            trio.run(main)
        else:
            async def amain() -> None:
                async with asyncio.timeout(BODY_TIMEOUT):
                    await body()

            asyncio.run(amain())

    async def sleep(self, seconds: float) -> None:
        await (trio.sleep(seconds) if self.name == "trio" else asyncio.sleep(seconds))

    def now(self) -> float:
        return trio.current_time() if self.name == "trio" else asyncio.get_running_loop().time()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = self.now() + timeout
        while not predicate():
            assert self.now() < deadline, "condition not reached in time"
            await self.sleep(0.01)


def ts(n: int) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=n)


def start(n: int) -> m16.StartTransactionRequest:
    return m16.StartTransactionRequest(connector_id=1, id_tag="TAG", timestamp=ts(n),
                                       meter_start=n)


def meter(n: int, tid: int) -> m16.MeterValuesRequest:
    return m16.MeterValuesRequest(connector_id=1, transaction_id=tid, meter_value=[
        d16.MeterValue(timestamp=ts(n), sampled_value=[d16.SampledValue(value=str(n))])])


def stop(n: int, tid: int) -> m16.StopTransactionRequest:
    return m16.StopTransactionRequest(transaction_id=tid, timestamp=ts(n), meter_stop=n)


class Csms:
    """Handlers that record (time, action, wire-ish fields) and can misbehave on demand."""

    def __init__(self, loop: Loop) -> None:
        self.loop = loop
        self.seen: list[tuple[float, str, Any]] = []
        self.next_id = 100
        self.boots = 0
        #: action -> number of calls to answer with a CALLERROR (-1: always)
        self.errors: dict[str, int] = {}
        #: action -> seconds to wait before answering, once each
        self.stalls: dict[str, list[float]] = {}

    async def _misbehave(self, action: str) -> None:
        left = self.errors.get(action, 0)
        if left:
            self.errors[action] = left - 1 if left > 0 else left
            raise CallError("InternalError", "told to fail")
        stalls = self.stalls.get(action)
        if stalls:
            await self.loop.sleep(stalls.pop(0))

    def handlers(self) -> dict[str, Any]:
        async def boot(req: Any, ctx: Any) -> Any:
            self.boots += 1
            return m16.BootNotificationResponse(status=ACCEPTED, interval=300, current_time=T0)

        async def start_tx(req: m16.StartTransactionRequest, ctx: Any) -> Any:
            self.seen.append((self.loop.now(), "StartTransaction", req.meter_start))
            await self._misbehave("StartTransaction")
            self.next_id += 1
            return m16.StartTransactionResponse(
                transaction_id=self.next_id, id_tag_info=AUTHORIZED)

        async def meter_values(req: m16.MeterValuesRequest, ctx: Any) -> Any:
            self.seen.append((self.loop.now(), "MeterValues",
                              (req.transaction_id, req.meter_value[0].sampled_value[0].value)))
            await self._misbehave("MeterValues")
            return m16.MeterValuesResponse()

        async def stop_tx(req: m16.StopTransactionRequest, ctx: Any) -> Any:
            self.seen.append((self.loop.now(), "StopTransaction",
                              (req.transaction_id, req.meter_stop)))
            await self._misbehave("StopTransaction")
            return m16.StopTransactionResponse()

        async def heartbeat(req: Any, ctx: Any) -> Any:
            await self._misbehave("Heartbeat")
            return m16.HeartbeatResponse(current_time=T0)

        async def authorize(req: Any, ctx: Any) -> Any:
            await self._misbehave("Authorize")
            return m16.AuthorizeResponse(id_tag_info=AUTHORIZED)

        return {"BootNotification": boot, "StartTransaction": start_tx,
                "MeterValues": meter_values, "StopTransaction": stop_tx,
                "Heartbeat": heartbeat, "Authorize": authorize}

    def actions(self) -> list[tuple[str, Any]]:
        return [(action, data) for _, action, data in self.seen]


async def boot(station: Any) -> None:
    await station.call(m16.BootNotificationRequest(charge_point_vendor="V", charge_point_model="M"))


@asynccontextmanager
async def running(loop: Loop, csms: Csms, driver: Any) -> AsyncIterator[Any]:
    """A CSMS with ``csms``'s handlers, a station connected to it, ``driver`` running on it."""
    async with loop.mod.serve("127.0.0.1", 0, handlers=csms.handlers()) as server, \
            loop.mod.connect(f"ws://127.0.0.1:{server.port}", "CS1") as station, \
            driver.running(station):
        yield station


def quick_reconnect(loop: Loop) -> Any:
    return loop.mod.ReconnectPolicy(min_backoff=0.02, max_backoff=0.1, jitter=0.0)


# -- scenarios (one body per behaviour, run on both bindings) -------------------------------


async def delivers_in_order_with_real_ids(loop: Loop, storage: Storage) -> None:
    """Submitted while not running (offline): stored, then delivered in order on the first
    connection after on_connected (BootNotification); the 1.6 placeholder is replaced by the
    CSMS's id (OCPP 1.6 section 3.7)."""
    csms = Csms(loop)
    driver = loop.mod.OutboxDriver(Outbox("1.6", storage), on_connected=boot)
    first = driver.submit(start(0))
    assert first.placeholder is not None and first.placeholder < 0
    driver.submit(meter(1, first.placeholder))
    driver.submit(meter(2, first.placeholder))
    last = driver.submit(stop(3, first.placeholder))
    async with running(loop, csms, driver):
        response = await driver.delivered(first)
        assert response.transaction_id == 101
        assert isinstance(await driver.delivered(last), m16.StopTransactionResponse)
        await driver.drained()
        later = driver.submit(meter(4, first.placeholder))  # placeholder known: substituted
        await driver.delivered(later)
    assert csms.boots == 1
    assert csms.actions() == [
        ("StartTransaction", 0), ("MeterValues", (101, "1")), ("MeterValues", (101, "2")),
        ("StopTransaction", (101, 3)), ("MeterValues", (101, "4")),
    ]
    stats = driver.stats
    assert (stats.submitted, stats.transmissions, stats.delivered, stats.retransmissions) == (
        5, 5, 5, 0)
    assert driver.drained_now


async def callerror_retried_then_dropped(loop: Loop) -> None:
    """A CALLERROR is a failure to process: retried after retry_interval x transmissions,
    dropped after ``attempts`` (1.6 section 3.7.1); the next message then goes."""
    csms = Csms(loop)
    csms.errors["StopTransaction"] = -1
    csms.errors["MeterValues"] = 1
    driver = loop.mod.OutboxDriver(Outbox("1.6", MemoryStorage(), attempts=3,
                                          retry_interval=0.1))
    async with running(loop, csms, driver):
        mv = driver.submit(meter(1, 7))
        doomed = driver.submit(stop(2, 7))
        after = driver.submit(meter(3, 7))
        await driver.delivered(mv)
        with pytest.raises(loop.mod._outbox.MessageDropped) as info:
            await driver.delivered(doomed)
        assert info.value.event.attempts == 3
        await driver.delivered(after)
    times = [t for t, action, _ in csms.seen if action == "StopTransaction"]
    assert len(times) == 3
    # waits of 1 x and 2 x the retry interval (a little slack for the clock's resolution)
    assert times[1] - times[0] >= 0.09 and times[2] - times[1] >= 0.19
    assert [a for a, _ in csms.actions()] == ["MeterValues"] * 2 + ["StopTransaction"] * 3 + [
        "MeterValues"]
    assert (driver.stats.dropped, driver.stats.retries) == (1, 3)


async def timeout_retransmits(loop: Loop) -> None:
    """A CALL that times out is sent again after the retry interval (a timeout is not counted
    by default) and the late answer is ignored; the CSMS sees the message twice."""
    csms = Csms(loop)
    csms.stalls["MeterValues"] = [0.4]
    driver = loop.mod.OutboxDriver(Outbox("1.6", MemoryStorage(), retry_interval=0.05),
                                   timeout=0.15)
    async with running(loop, csms, driver):
        ticket = driver.submit(meter(1, 7))
        await driver.delivered(ticket)
    assert csms.actions() == [("MeterValues", (7, "1"))] * 2
    assert (driver.stats.transmissions, driver.stats.retransmissions) == (2, 1)
    assert driver.stats.retries == 1


async def link_cut_resends_in_flight(loop: Loop) -> None:
    """The link dies while a message is in flight: it goes out again first on the next
    connection (after on_connected), no attempt counted; nothing is lost."""
    csms = Csms(loop)
    csms.stalls["MeterValues"] = [1.0]
    connected: list[int] = []

    async def on_connected(station: Any) -> None:
        connected.append(station.connections)
        await boot(station)

    driver = loop.mod.OutboxDriver(Outbox("1.6", MemoryStorage()), on_connected=on_connected)
    async with loop.mod.serve("127.0.0.1", 0, handlers=csms.handlers()) as server:
        with Proxy(server.port) as proxy:
            async with loop.mod.connect(f"ws://127.0.0.1:{proxy.port}", "CS1",
                                        reconnect=quick_reconnect(loop)) as station, \
                    driver.running(station):
                tickets = [driver.submit(meter(i, 7)) for i in range(1, 4)]
                await loop.wait_until(lambda: len(csms.seen) == 1)
                assert proxy.cut() == 1  # MeterValues 1 is with the CSMS, unanswered
                for ticket in tickets:
                    await driver.delivered(ticket)
    assert connected == [1, 2]
    assert csms.actions() == [("MeterValues", (7, str(i))) for i in (1, 1, 2, 3)]
    assert driver.stats.link_losses == 1 and driver.stats.possible_duplicates == 1
    assert driver.stats.links == 2


async def others_and_errors(loop: Loop) -> None:
    """Messages that are not transaction-related: delivered or failed, never retried;
    unknown tickets and a second ``running`` are local errors."""
    csms = Csms(loop)
    csms.errors["Authorize"] = 1
    driver = loop.mod.OutboxDriver(Outbox("1.6", MemoryStorage()))
    other = loop.mod.OutboxDriver(Outbox("1.6", MemoryStorage()))
    async with running(loop, csms, driver) as station:
        await loop.wait_until(lambda: driver.outbox.online)
        hb = driver.submit(m16.HeartbeatRequest())
        assert (await driver.delivered(hb)).current_time == T0
        auth = driver.submit(m16.AuthorizeRequest(id_tag="X"))
        with pytest.raises(loop.mod._outbox.MessageFailed) as info:
            await driver.delivered(auth)
        assert info.value.event.reason == "CALLERROR InternalError"
        with pytest.raises(LookupError):
            await driver.delivered(other.submit(meter(1, 7)))
        with pytest.raises(RuntimeError):
            async with driver.running(station):
                pass
    assert driver.stats.failed == 1 and driver.stats.delivered == 1


async def resumes_stored_queue(loop: Loop, tmp: Path) -> None:
    """Messages stored by an earlier process are sent first by a new driver on the same file."""
    store = SqliteStorage(tmp / "q.db")
    box = Outbox("1.6", store)
    placeholder = box.enqueue(start(0), 0.0).placeholder
    assert placeholder is not None
    box.enqueue(stop(1, placeholder), 0.0)
    store.close()
    csms = Csms(loop)
    store = SqliteStorage(tmp / "q.db")
    driver = loop.mod.OutboxDriver(Outbox("1.6", store))
    assert driver.stats.resumed == 2 and not driver.drained_now
    async with running(loop, csms, driver):
        await driver.drained()
    store.close()
    assert csms.actions() == [("StartTransaction", 0), ("StopTransaction", (101, 1))]


# -- the tests on this binding -------------------------------------------------------------

LOOP = Loop("trio")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_delivers_in_order_with_real_ids(kind: str, tmp_path: Path) -> None:
    storage: Storage = MemoryStorage() if kind == "memory" else SqliteStorage(tmp_path / "q.db")
    LOOP.run(lambda: delivers_in_order_with_real_ids(LOOP, storage))
    storage.close()


def test_callerror_retried_then_dropped() -> None:
    LOOP.run(lambda: callerror_retried_then_dropped(LOOP))


def test_timeout_retransmits() -> None:
    LOOP.run(lambda: timeout_retransmits(LOOP))


def test_link_cut_resends_in_flight() -> None:
    LOOP.run(lambda: link_cut_resends_in_flight(LOOP))


def test_others_and_errors() -> None:
    LOOP.run(lambda: others_and_errors(LOOP))


def test_resumes_stored_queue(tmp_path: Path) -> None:
    LOOP.run(lambda: resumes_stored_queue(LOOP, tmp_path))
