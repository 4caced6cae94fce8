"""``SimStation`` (written once on the generic API) against ``CsmsSimulator`` on every
(version, transport) it supports: 1.5-J, 1.5-S, 1.6-J, 1.6-S, 2.0.1-J, 2.1-J, over real
sockets on 127.0.0.1: ``charge-session``, ``remote-charge``, CSMS-initiated calls sent as
generic requests (converted to the cell's version by the CSMS-side adapter), and reconnecting
after the CSMS restarts on the same port mid-session."""

import io
from collections.abc import Callable
from typing import Any

import pytest
import trio

from ocpp_sansio import generic as g
from ocpp_sansio.generic import Converted, Role, adapter_for
from ocpp_sansio.version import Version
from ocpp_trio import ReconnectPolicy
from ocpp_trio.sim import CsmsSimulator, MessageLog, SimStation, StationOptions
from ocpp_trio.sim.scenarios import charge_session, remote_charge

CELLS = [("1.5", "json"), ("1.5", "soap"), ("1.6", "json"), ("1.6", "soap"),
         ("2.0.1", "json"), ("2.1", "json")]
IDS = [f"{v}-{'J' if t == 'json' else 'S'}" for v, t in CELLS]
FAST = ReconnectPolicy(min_backoff=0.05, max_backoff=0.2, jitter=0.05)
TX_ACTIONS = {"StartTransaction", "StopTransaction", "TransactionEvent"}


def options(port: int, version: str, transport: str, **kw: Any) -> StationOptions:
    scheme = "ws" if transport == "json" else "http"
    return StationOptions(url=f"{scheme}://127.0.0.1:{port}/ocpp",
                          station_id=kw.pop("id", "CS-1"), version=Version(version),
                          transport=transport, meter_interval=0.0, reconnect=FAST, **kw)


def version_request(version: str, request: Any) -> Any:
    """The CSMS's version message for a generic request (the CSMS-side adapter)."""
    out = adapter_for(Version(version), Role.CSMS).to_wire_message(request)
    assert isinstance(out, Converted), out
    return out.message


async def until(predicate: Callable[[], bool]) -> None:
    while not predicate():
        await trio.sleep(0.01)


def calls(log: MessageLog, sender: str = "CS") -> list[str]:
    return [r["action"] for r in log.records if r["type"] == "call" and r["from"] == sender]


def keep() -> MessageLog:
    log = MessageLog()
    log.keep = True
    return log


@pytest.mark.parametrize(("version", "transport"), CELLS, ids=IDS)
def test_charge_session(version: str, transport: str) -> None:
    log = keep()
    csms = CsmsSimulator(log=log)

    async def body() -> None:
        with trio.fail_after(20):
            async with csms.run() as server:
                station = SimStation(options(server.port, version, transport))
                await station.run(charge_session)
                assert len(station.completed) == 1
                assert csms.completed["CS-1"] == station.completed
                assert csms.transactions["CS-1"] == set()
                assert station.unsupported == []

    trio.run(body)
    sent = calls(log)
    assert sent[:3] == ["BootNotification", "StatusNotification", "Authorize"]
    if version.startswith("1."):
        assert "StartTransaction" in sent and "StopTransaction" in sent
        assert sent.count("MeterValues") == 2
    else:
        assert sent.count("TransactionEvent") == 4  # Started, 2 x Updated, Ended
    assert {r["version"] for r in log.records} == {version}


@pytest.mark.parametrize(("version", "transport"), CELLS, ids=IDS)
def test_remote_charge(version: str, transport: str) -> None:
    log = keep()
    csms = CsmsSimulator(log=log)

    async def body() -> None:
        with trio.fail_after(20):
            async with csms.run() as server:
                station = SimStation(options(server.port, version, transport))

                async def drive() -> None:
                    await until(lambda: "CS-1" in server.stations and station._ready.is_set())
                    r = await csms.call("CS-1", version_request(version, (
                        g.RequestStartTransactionRequest(
                            id_token=g.IdToken(value="T1", type=g.IdTokenType.Central),
                            remote_start_id=42))))
                    assert r.status == "Accepted"
                    await until(lambda: station.connectors[1].transaction is not None)
                    tx = station.connectors[1].transaction
                    await until(lambda: tx in csms.transactions.get("CS-1", set()))
                    # no free connector for a second one (1.6 section 5.11, 2.0.1 F01)
                    again = await csms.call("CS-1", version_request(version, (
                        g.RequestStartTransactionRequest(
                            id_token=g.IdToken(value="T2", type=g.IdTokenType.Central),
                            remote_start_id=43))))
                    unknown = await csms.call("CS-1", version_request(
                        version, g.RequestStopTransactionRequest(transaction_id="999")))
                    stop = await csms.call("CS-1", version_request(
                        version, g.RequestStopTransactionRequest(
                            transaction_id=str(tx))))  # 1.x CSMS side: the int in decimal
                    assert (again.status, unknown.status, stop.status) == (
                        "Rejected", "Rejected", "Accepted")
                    await until(lambda: csms.completed.get("CS-1") == [tx])

                async with trio.open_nursery() as nursery:
                    nursery.start_soon(drive)
                    await station.run(remote_charge)
                assert len(station.completed) == 1 and station.connectors[1].meter == 1000

    trio.run(body)
    assert "RemoteStartTransaction" in calls(log, "CSMS") or \
        "RequestStartTransaction" in calls(log, "CSMS")


@pytest.mark.parametrize(("version", "transport"), CELLS, ids=IDS)
def test_reconnect_after_csms_restart(version: str, transport: str) -> None:
    """The CSMS stops mid-transaction and starts again on the same port: the station keeps
    its transaction and scenario, reconnects with back-off, boots and reports its connectors
    again, and the held meter report and the stop reach the new CSMS."""
    first, second = keep(), keep()
    down, restarted = trio.Event(), trio.Event()

    async def scenario(station: SimStation) -> None:
        assert await station.start_transaction(1, "T1")
        await down.wait()
        await station.meter(1)  # the link is down: held, sent after the reconnect
        await restarted.wait()
        await station.stop_transaction(1)

    async def body() -> None:
        finished = trio.Event()
        with trio.fail_after(20):
            async with trio.open_nursery() as nursery:
                csms1 = CsmsSimulator(log=first)
                async with csms1.run() as server:
                    port = server.port
                    station = SimStation(options(port, version, transport))

                    async def run_station() -> None:
                        await station.run(scenario)
                        finished.set()

                    nursery.start_soon(run_station)
                    await until(lambda: station.connectors[1].transaction is not None)
                    tx = station.connectors[1].transaction
                    await until(lambda: tx in csms1.transactions.get("CS-1", set()))
                down.set()  # csms1 is stopped
                await trio.sleep(0.3)
                csms2 = CsmsSimulator(log=second)
                async with csms2.run(port=port):
                    await until(lambda: station.boots == 2 and station._ready.is_set())
                    restarted.set()
                    await finished.wait()
                assert csms2.completed["CS-1"] == [tx] == station.completed
                assert station.connections >= 2

    trio.run(body)
    assert calls(first)[:2] == ["BootNotification", "StatusNotification"]
    again = calls(second)
    assert again[:2] == ["BootNotification", "StatusNotification"]
    if version.startswith("1."):
        assert again[2:] == ["MeterValues", "StopTransaction", "StatusNotification"]
    else:
        assert again[2:] == ["TransactionEvent", "TransactionEvent", "StatusNotification"]
        events = [r["payload"] for r in second.records
                  if r["type"] == "call" and r["action"] == "TransactionEvent"]
        assert [(e["eventType"], e["seqNo"]) for e in events] == [("Updated", 1), ("Ended", 2)]


def test_unsupported_is_noted_not_raised() -> None:
    """A generic request the version cannot carry is not sent: the call returns the
    ``Unsupported`` outcome and the station notes it (1.x addresses connector 1 only)."""
    human = io.StringIO()
    csms = CsmsSimulator()

    async def scenario(station: SimStation) -> None:
        out = await station.call(g.StatusNotificationRequest(
            evse_id=1, connector_id=2, status=g.ConnectorStatus.Available))
        assert isinstance(out, g.Unsupported) and out.field == "connector_id"

    async def body() -> None:
        with trio.fail_after(10):
            async with csms.run() as server:
                station = SimStation(options(server.port, "1.6", "json"), MessageLog(human))
                await station.run(scenario)
                assert [u.operation for u in station.unsupported] == ["StatusNotification"]

    trio.run(body)
    assert "note: StatusNotification not expressible in 1.6" in human.getvalue()
