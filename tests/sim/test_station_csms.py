"""``SimStation`` against ``CsmsSimulator`` in one process, over real sockets on 127.0.0.1:
sessions, the authorization policy, CSMS-initiated calls, logging, OCPP-S on the same port."""

import functools
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trio

import ocpp_trio
from ocpp_sansio import v16, v201
from ocpp_sansio.version import Version
from ocpp_trio.sim import AuthPolicy, CsmsSimulator, MessageLog, SimStation, StationOptions
from ocpp_trio.sim.scenarios import charge_session, idle, remote_charge

VERSIONS = [Version.V16, Version.V201]


def run(body: Callable[[], Awaitable[None]]) -> None:
    async def limited() -> None:
        with trio.fail_after(20):
            await body()

    trio.run(limited)


def options(port: int, version: Version, **kw: Any) -> StationOptions:
    return StationOptions(url=f"ws://127.0.0.1:{port}/ocpp", station_id=kw.pop("id", "CS-1"),
                          version=version, meter_interval=0.0, **kw)


@pytest.mark.parametrize("version", VERSIONS)
def test_charge_session_completes_and_is_logged(version: Version) -> None:
    human, jsonl = io.StringIO(), io.StringIO()
    csms = CsmsSimulator(log=MessageLog(human, jsonl))

    async def body() -> None:
        async with csms.run() as server:
            station = SimStation(options(server.port, version))
            await station.run(charge_session)
            assert len(station.completed) == 1
            assert csms.completed["CS-1"] == station.completed
            assert csms.transactions["CS-1"] == set()

    run(body)
    records = [json.loads(line) for line in jsonl.getvalue().splitlines()]
    actions = [r["action"] for r in records if r["type"] == "call"]
    tx = "StartTransaction" if version is Version.V16 else "TransactionEvent"
    assert actions[:3] == ["BootNotification", "StatusNotification", "Authorize"]
    assert tx in actions
    assert all(r["version"] == version and r["station"] == "CS-1" for r in records)
    # every call got exactly one answer, paired by id
    calls = {r["id"] for r in records if r["type"] == "call"}
    answers = [r["id"] for r in records if r["type"] != "call"]
    assert sorted(answers) == sorted(calls)
    assert "CS -> CSMS" in human.getvalue() and "Authorize result" in human.getvalue()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("mode", "allowed", "ok"), [
    ("accept", (), True), ("allow-list", ("SIM-TAG",), True), ("allow-list", ("OTHER",), False),
    ("reject", (), False)])
def test_authorization_policy(version: Version, mode: str, allowed: tuple[str, ...],
                              ok: bool) -> None:
    csms = CsmsSimulator(AuthPolicy(mode=mode, allowed=frozenset(allowed)))

    async def body() -> None:
        async with csms.run() as server:
            station = SimStation(options(server.port, version))
            if ok:
                await station.run(charge_session)
            else:
                with pytest.RaisesGroup(pytest.RaisesExc(RuntimeError, match="did not accept"),
                                        flatten_subgroups=True, allow_unwrapped=True):
                    await station.run(charge_session)
                assert station.completed == []

    run(body)


async def _with_station(version: Version, drive: Callable[[CsmsSimulator, SimStation],
                                                           Awaitable[None]],
                        scenario: Any = None, **kw: Any) -> SimStation:
    csms = CsmsSimulator()
    async with csms.run() as server:
        station = SimStation(options(server.port, version, **kw))
        done = trio.Event()

        async def until_done(st: SimStation) -> None:
            if scenario is not None:
                await scenario(st)
            else:
                await done.wait()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(station.run, until_done)
            while "CS-1" not in server.stations or not station._ready.is_set():
                await trio.sleep(0.01)
            await drive(csms, station)
            done.set()
    return station


async def _until(predicate: Callable[[], bool]) -> None:
    while not predicate():
        await trio.sleep(0.01)


@pytest.mark.parametrize("version", VERSIONS)
def test_remote_start_and_stop(version: Version) -> None:
    async def drive(csms: CsmsSimulator, station: SimStation) -> None:
        if version is Version.V16:
            r = await csms.call("CS-1", v16.RemoteStartTransactionRequest(id_tag="T1"))
        else:
            r = await csms.call("CS-1", v201.RequestStartTransactionRequest(
                id_token=v201.IdTokenType(id_token="T1", type=v201.IdTokenEnumType.Central),
                remote_start_id=42))
        assert r.status == "Accepted"
        await _until(lambda: station.connectors[1].transaction is not None)
        tx = station.connectors[1].transaction
        await _until(lambda: tx in csms.transactions.get("CS-1", set()))
        # a second remote start finds no free connector (OCPP 1.6 section 5.11)
        if version is Version.V16:
            again = await csms.call("CS-1", v16.RemoteStartTransactionRequest(id_tag="T2"))
            unknown = await csms.call("CS-1", v16.RemoteStopTransactionRequest(
                transaction_id=999))
            stop = await csms.call("CS-1", v16.RemoteStopTransactionRequest(transaction_id=tx))
        else:
            again = await csms.call("CS-1", v201.RequestStartTransactionRequest(
                id_token=v201.IdTokenType(id_token="T2", type=v201.IdTokenEnumType.Central),
                remote_start_id=43))
            unknown = await csms.call("CS-1", v201.RequestStopTransactionRequest(
                transaction_id="nope"))
            stop = await csms.call("CS-1", v201.RequestStopTransactionRequest(transaction_id=tx))
        assert (again.status, unknown.status, stop.status) == ("Rejected", "Rejected", "Accepted")
        await _until(lambda: csms.completed.get("CS-1") == [tx])

    station = trio.run(_with_station, version, drive, remote_charge)
    assert len(station.completed) == 1 and station.connectors[1].meter == 1000


@pytest.mark.parametrize("version", VERSIONS)
def test_reset_reboots(version: Version) -> None:
    async def drive(csms: CsmsSimulator, station: SimStation) -> None:
        assert await station.start_transaction(1, "T1")
        server = csms.server
        assert server is not None
        first = server.stations["CS-1"]
        if version is Version.V16:
            r = await csms.call("CS-1", v16.ResetRequest(type=v16.ResetType.Soft))
        else:
            r = await csms.call("CS-1", v201.ResetRequest(type=v201.ResetEnumType.Immediate))
        assert r.status == "Accepted"
        await _until(lambda: station.boots == 2 and station._ready.is_set())
        assert server.stations["CS-1"] is not first  # a new connection
        assert station.connectors[1].transaction is None  # stopped before the reboot
        assert len(csms.completed["CS-1"]) == 1
        await station.heartbeat()  # usable after the reboot

    trio.run(_with_station, version, drive)


def test_reset_on_idle_waits_for_the_transaction() -> None:
    async def drive(csms: CsmsSimulator, station: SimStation) -> None:
        assert await station.start_transaction(1, "T1")
        r = await csms.call("CS-1", v201.ResetRequest(type=v201.ResetEnumType.OnIdle))
        assert r.status == "Scheduled"
        await trio.sleep(0.1)
        assert station.boots == 1
        await station.stop_transaction(1)
        await _until(lambda: station.boots == 2 and station._ready.is_set())

    trio.run(_with_station, Version.V201, drive)


@pytest.mark.parametrize("version", VERSIONS)
def test_trigger_message(version: Version) -> None:
    log = MessageLog()
    log.keep = True

    async def drive(csms: CsmsSimulator, station: SimStation) -> None:
        station.log = log
        if version is Version.V16:
            r = await csms.call("CS-1", v16.TriggerMessageRequest(
                requested_message=v16.MessageTrigger.Heartbeat))
            bad = await csms.call("CS-1", v16.TriggerMessageRequest(
                requested_message=v16.MessageTrigger.DiagnosticsStatusNotification))
            boot = await csms.call("CS-1", v16.TriggerMessageRequest(
                requested_message=v16.MessageTrigger.BootNotification))
        else:
            r = await csms.call("CS-1", v201.TriggerMessageRequest(
                requested_message=v201.MessageTriggerEnumType.Heartbeat))
            bad = await csms.call("CS-1", v201.TriggerMessageRequest(
                requested_message=v201.MessageTriggerEnumType.SignV2GCertificate))
            boot = await csms.call("CS-1", v201.TriggerMessageRequest(
                requested_message=v201.MessageTriggerEnumType.BootNotification))
        assert (r.status, bad.status, boot.status) == ("Accepted", "NotImplemented", "Accepted")
        await _until(lambda: station.boots == 2)
        await _until(lambda: any(x["action"] == "Heartbeat" for x in log.records))

    trio.run(_with_station, version, drive)


@pytest.mark.parametrize("version", VERSIONS)
def test_change_availability(version: Version) -> None:
    async def drive(csms: CsmsSimulator, station: SimStation) -> None:
        def req(connector: int, operative: bool) -> Any:
            if version is Version.V16:
                return v16.ChangeAvailabilityRequest(
                    connector_id=connector, type=v16.AvailabilityType.Operative if operative
                    else v16.AvailabilityType.Inoperative)
            return v201.ChangeAvailabilityRequest(
                evse=v201.EVSEType(id=connector) if connector else None,
                operational_status=v201.OperationalStatusEnumType.Operative if operative
                else v201.OperationalStatusEnumType.Inoperative)

        assert (await csms.call("CS-1", req(2, False))).status == "Accepted"
        assert station.connectors[2].status(version) == "Unavailable"
        assert not await station.start_transaction(2, "T1")
        assert (await csms.call("CS-1", req(9, False))).status == "Rejected"
        assert await station.start_transaction(1, "T1")
        # the whole station: connector 1 charges, so it becomes Unavailable later
        assert (await csms.call("CS-1", req(0, False))).status == "Scheduled"
        assert station.connectors[1].operative
        await station.stop_transaction(1)
        assert station.connectors[1].status(version) == "Unavailable"
        assert (await csms.call("CS-1", req(0, True))).status == "Accepted"
        assert all(c.operative for c in station.connectors.values())

    trio.run(functools.partial(_with_station, version, drive, connectors=2))


def test_configuration_16() -> None:
    async def drive(csms: CsmsSimulator, station: SimStation) -> None:
        async def change(key: str, value: str) -> str:
            r = await csms.call("CS-1", v16.ChangeConfigurationRequest(key=key, value=value))
            return str(r.status)

        assert await change("HeartbeatInterval", "60") == "Accepted"
        assert await change("HeartbeatInterval", "soon") == "Rejected"
        assert await change("NumberOfConnectors", "3") == "Rejected"  # read-only
        assert await change("NoSuchKey", "1") == "NotSupported"
        r = await csms.call("CS-1", v16.GetConfigurationRequest(
            key=["HeartbeatInterval", "NumberOfConnectors", "NoSuchKey"]))
        got = {kv.key: (kv.value, kv.readonly) for kv in r.configuration_key}
        assert got == {"HeartbeatInterval": ("60", False), "NumberOfConnectors": ("1", True)}
        assert r.unknown_key == ["NoSuchKey"]
        everything = await csms.call("CS-1", v16.GetConfigurationRequest())
        assert len(everything.configuration_key) == len(station.config)
        assert station.heartbeat_interval == 60

    trio.run(_with_station, Version.V16, drive)


def test_variables_201() -> None:
    def var(component: str, variable: str, instance: str | None = None) -> dict[str, Any]:
        return {"component": v201.ComponentType(name=component),
                "variable": v201.VariableType(name=variable, instance=instance)}

    async def drive(csms: CsmsSimulator, station: SimStation) -> None:
        r = await csms.call("CS-1", v201.SetVariablesRequest(set_variable_data=[
            v201.SetVariableDataType(attribute_value="60", **var("OCPPCommCtrlr",
                                                                 "HeartbeatInterval")),
            v201.SetVariableDataType(attribute_value="x", **var("OCPPCommCtrlr",
                                                                "HeartbeatInterval")),
            v201.SetVariableDataType(attribute_value="1", **var("DeviceDataCtrlr",
                                                                "ItemsPerMessage",
                                                                "GetVariables")),
            v201.SetVariableDataType(attribute_value="1", **var("Nope", "X")),
            v201.SetVariableDataType(attribute_value="1", **var("AuthCtrlr", "Nope")),
        ]))
        assert [x.attribute_status for x in r.set_variable_result] == [
            "Accepted", "Rejected", "Rejected", "UnknownComponent", "UnknownVariable"]
        g = await csms.call("CS-1", v201.GetVariablesRequest(get_variable_data=[
            v201.GetVariableDataType(**var("OCPPCommCtrlr", "HeartbeatInterval")),
            v201.GetVariableDataType(attribute_type=v201.AttributeEnumType.Target,
                                     **var("OCPPCommCtrlr", "HeartbeatInterval")),
        ]))
        assert [(x.attribute_status, x.attribute_value) for x in g.get_variable_result] == [
            ("Accepted", "60"), ("NotSupportedAttributeType", None)]
        assert station.heartbeat_interval == 60

    trio.run(_with_station, Version.V201, drive)


def test_idle_sends_heartbeats() -> None:
    csms = CsmsSimulator(AuthPolicy(interval=1))
    log = MessageLog()
    log.keep = True

    async def body() -> None:
        async with csms.run() as server:
            station = SimStation(options(server.port, Version.V201), log)
            station_run = idle(1.5)
            await station.run(station_run)

    run(body)
    assert [r["action"] for r in log.records if r["type"] == "call"].count("Heartbeat") == 1


@pytest.mark.parametrize("version", ["1.5", "1.6"])
def test_soap_station_on_the_same_port(version: str) -> None:
    """OCPP-S stations reach the simulator on the OCPP-J port (the front door, bindings.md)."""
    log = MessageLog()
    log.keep = True
    csms = CsmsSimulator(log=log)
    m: Any = v16 if version == "1.6" else __import__("ocpp_sansio.v15", fromlist=["x"])

    async def body() -> None:
        async with csms.run() as server, ocpp_trio.connect(
                f"http://127.0.0.1:{server.port}/ocpp", "CS-S", versions=(version,),
                transport="soap") as station:
            boot = await station.call(m.BootNotificationRequest(
                charge_point_vendor="V", charge_point_model="M"))
            assert boot.status == "Accepted"
            auth = await station.call(m.AuthorizeRequest(id_tag="T"))
            assert auth.id_tag_info.status == "Accepted"

    run(body)
    assert [r["action"] for r in log.records] == ["BootNotification"] * 2 + ["Authorize"] * 2


def test_unsupported_station_version() -> None:
    with pytest.raises(ValueError, match="speaks"):
        SimStation(StationOptions(url="ws://x", station_id="A", version="1.2"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="OCPP-S exists for"):
        SimStation(StationOptions(url="http://x", station_id="A", version=Version.V201,
                                  transport="soap"))
    with pytest.raises(ValueError, match="transport"):
        SimStation(StationOptions(url="ws://x", station_id="A", transport="mqtt"))


def test_csms_serves_21() -> None:
    """The 2.x handlers serve 2.1 too (same message shapes for these actions)."""
    from ocpp_sansio import v21  # noqa: PLC0415

    csms = CsmsSimulator(AuthPolicy(mode="reject"))

    async def body() -> None:
        async with csms.run() as server, ocpp_trio.connect(
                f"ws://127.0.0.1:{server.port}/ocpp", "CS-21", versions=("2.1",)) as station:
            boot = await station.call(v21.BootNotificationRequest(
                charging_station=v21.ChargingStationType(model="M", vendor_name="V"),
                reason=v21.BootReasonEnumType.PowerUp))
            assert boot.status == "Accepted"
            auth = await station.call(v21.AuthorizeRequest(id_token=v21.IdTokenType(
                id_token="T", type="ISO14443")))
            assert auth.id_token_info.status == "Invalid"
            hb = await station.call(v21.HeartbeatRequest())
            assert hb.current_time.tzinfo is not None

    run(body)


@pytest.mark.parametrize("version", VERSIONS)
def test_boot_pending_then_accepted(version: Version) -> None:
    """A station retries BootNotification after ``interval`` until Accepted (1.6 section 4.2,
    2.0.1 B02)."""
    csms = CsmsSimulator(AuthPolicy(boot="Pending", interval=1))

    async def body() -> None:
        async with csms.run() as server:
            station = SimStation(options(server.port, version))

            async def accept_later() -> None:
                await trio.sleep(0.2)
                csms.policy = AuthPolicy(boot="Accepted")

            async with trio.open_nursery() as nursery:
                nursery.start_soon(accept_later)
                await station.run(lambda st: st.heartbeat())
            assert station.boots == 2 and station.boot_status == "Accepted"

    run(body)
