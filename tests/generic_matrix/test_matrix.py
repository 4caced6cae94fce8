"""Issue 6: one scenario written once against the generic API (boot, authorize, start, meter
values, remote stop, stop, then a CSMS-initiated reset and configuration change) runs
unchanged as station and as CSMS over 1.5-J, 1.5-S, 1.6-J, 1.6-S and 2.0.1-J, on trio and on
asyncio, over real sockets on 127.0.0.1. Each side taps the version messages its generic
connection sends and receives; the two taps must mirror each other and equal the messages the
version must produce (OCPP 1.5 / 1.6 section 4 and 5 operations; 2.0.1 Part 2 use cases B01,
C01, E01-E07, F03, B11, B05)."""

import asyncio
import datetime
import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import pytest
import trio

from ocpp_sansio import Version, codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.generic import (
    AuthorizationStatus,
    AuthorizeRequest,
    AuthorizeResponse,
    BootNotificationRequest,
    BootNotificationResponse,
    ConfigSetResult,
    ConfigSetting,
    IdToken,
    IdTokenInfo,
    Measurand,
    MeterValue,
    ReadingContext,
    RegistrationStatus,
    RequestStartStopStatus,
    RequestStopTransactionRequest,
    RequestStopTransactionResponse,
    ResetRequest,
    ResetResponse,
    ResetStatus,
    SampledValue,
    SetConfigurationRequest,
    SetConfigurationResponse,
    SetConfigurationStatus,
    StopReason,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
    UnitOfMeasure,
    Unsupported,
    UnsupportedReason,
)
from ocpp_sansio.generic.configuration import HEARTBEAT_INTERVAL
from ocpp_sansio.generic.examples import EXAMPLES
from ocpp_sansio.generic.session import GenericContext, GenericRouter
from ocpp_sansio.v201 import messages as v201

T0 = datetime.datetime(2025, 3, 1, 8, 0, tzinfo=datetime.UTC)
TAG = IdToken(value="RFID-0001")
LIMIT = 15.0
STATION_ID = "CS-MATRIX"

#: (version, transport) of the matrix
LINKS = [(Version.V15, "json"), (Version.V15, "soap"), (Version.V16, "json"),
         (Version.V16, "soap"), (Version.V201, "json")]


# -- the scenario, written once ------------------------------------------------------------

class StationApp:
    """The station's business logic: generic messages only."""

    def __init__(self) -> None:
        self.transaction_id = "tx-1"
        self.stop_requested = False
        self.heartbeat_interval = 0
        self.resets = 0
        self.router = GenericRouter()
        self.router.on("RequestStopTransaction")(self.remote_stop)
        self.router.on("Reset")(self.reset)
        self.router.on("SetConfiguration")(self.configure)

    async def remote_stop(self, request: RequestStopTransactionRequest,
                          ctx: GenericContext) -> RequestStopTransactionResponse:
        self.stop_requested = request.transaction_id == self.transaction_id
        return RequestStopTransactionResponse(
            status=RequestStartStopStatus.Accepted if self.stop_requested
            else RequestStartStopStatus.Rejected)

    async def reset(self, request: ResetRequest, ctx: GenericContext) -> ResetResponse:
        self.resets += 1
        return ResetResponse(status=ResetStatus.Accepted)

    async def configure(self, request: SetConfigurationRequest,
                        ctx: GenericContext) -> SetConfigurationResponse:
        for setting in request.settings:
            if setting.key == HEARTBEAT_INTERVAL:
                self.heartbeat_interval = int(setting.value)
        return SetConfigurationResponse(results=tuple(
            ConfigSetResult(key=s.key, status=SetConfigurationStatus.Accepted)
            for s in request.settings))

    def start(self) -> TransactionEventRequest:
        return TransactionEventRequest(event_type=TransactionEventType.Started,
                                       transaction_id=self.transaction_id, timestamp=T0,
                                       evse_id=1, id_token=TAG, meter_wh=0)

    def meter(self) -> TransactionEventRequest:
        at = T0 + datetime.timedelta(minutes=5)
        return TransactionEventRequest(
            event_type=TransactionEventType.Updated, transaction_id=self.transaction_id,
            timestamp=at, meter_values=(MeterValue(timestamp=at, sampled_values=(
                SampledValue(value="1500", measurand=Measurand.Energy_Active_Import_Register,
                             context=ReadingContext.Sample_Periodic, unit=UnitOfMeasure.Wh),)),))

    def stop(self) -> TransactionEventRequest:
        return TransactionEventRequest(
            event_type=TransactionEventType.Ended, transaction_id=self.transaction_id,
            timestamp=T0 + datetime.timedelta(minutes=10), meter_wh=3000,
            stopped_reason=StopReason.Remote)


class CsmsApp:
    """The CSMS's business logic: generic messages only."""

    def __init__(self) -> None:
        self.transactions: list[str] = []
        self.energy: list[int] = []
        self.router = GenericRouter()
        self.router.on("BootNotification")(self.boot)
        self.router.on("Authorize")(self.authorize)
        self.router.on("TransactionEvent")(self.transaction)

    async def boot(self, request: BootNotificationRequest,
                   ctx: GenericContext) -> BootNotificationResponse:
        return BootNotificationResponse(status=RegistrationStatus.Accepted, current_time=T0,
                                        interval=300)

    async def authorize(self, request: AuthorizeRequest,
                        ctx: GenericContext) -> AuthorizeResponse:
        return AuthorizeResponse(id_token_info=IdTokenInfo(status=AuthorizationStatus.Accepted))

    async def transaction(self, request: TransactionEventRequest,
                          ctx: GenericContext) -> TransactionEventResponse:
        if request.event_type is TransactionEventType.Started:
            self.transactions.append(request.transaction_id)
        if request.meter_wh is not None:
            self.energy.append(request.meter_wh)
        return TransactionEventResponse()


async def scenario(station: Any, csms: Any, st: StationApp, cs: CsmsApp) -> None:
    """The scenario: ``station`` is a GenericStation, ``csms`` a GenericCsms (any binding)."""
    boot = await station.call(BootNotificationRequest(vendor="ACME", model="Volt-1",
                                                      firmware_version="1.0"))
    assert isinstance(boot, BootNotificationResponse) and boot.interval == 300
    auth = await station.call(AuthorizeRequest(id_token=TAG))
    assert isinstance(auth, AuthorizeResponse)
    assert auth.id_token_info.status is AuthorizationStatus.Accepted
    assert isinstance(await station.call(st.start()), TransactionEventResponse)
    assert isinstance(await station.call(st.meter()), TransactionEventResponse)
    stopped = await csms.call(STATION_ID, RequestStopTransactionRequest(
        transaction_id=cs.transactions[-1]))
    assert isinstance(stopped, RequestStopTransactionResponse)
    assert stopped.status is RequestStartStopStatus.Accepted and st.stop_requested
    assert isinstance(await station.call(st.stop()), TransactionEventResponse)
    reset = await csms.call(STATION_ID, ResetRequest())
    assert isinstance(reset, ResetResponse) and reset.status is ResetStatus.Accepted
    configured = await csms.call(STATION_ID, SetConfigurationRequest(
        settings=(ConfigSetting(key=HEARTBEAT_INTERVAL, value="60"),)))
    assert isinstance(configured, SetConfigurationResponse)
    assert configured.results[0].status is SetConfigurationStatus.Accepted
    assert st.heartbeat_interval == 60 and st.resets == 1 and cs.energy == [0, 3000]


# -- running it on a binding ---------------------------------------------------------------

def run(binding: str, body: Callable[[], Awaitable[None]]) -> None:
    if binding == "trio":
        async def bounded() -> None:
            with trio.fail_after(LIMIT):
                await body()
        trio.run(bounded)
    else:
        async def bounded_a() -> None:
            async with asyncio.timeout(LIMIT):
                await body()
        asyncio.run(bounded_a())


def generic_module(binding: str) -> ModuleType:
    return importlib.import_module(f"ocpp_{binding}._generic")


Wire = list[tuple[str, str, Any]]


def run_matrix_cell(binding: str, version: Version, transport: str) -> tuple[Wire, Wire, Any]:
    """Run the scenario; the station's and the CSMS's taps, and the station's generic
    connection (after the run)."""
    mod = generic_module(binding)
    station_tap: Wire = []
    csms_tap: Wire = []
    st, cs = StationApp(), CsmsApp()
    kept: list[Any] = []

    async def body() -> None:
        async with mod.serve_generic(
            "127.0.0.1", 0, handlers=cs.router, versions=(version,),
            tap=lambda sid, d, m: csms_tap.append((sid, d, m)),
        ) as csms:
            scheme = "ws" if transport == "json" else "http"
            async with mod.connect_generic(
                f"{scheme}://127.0.0.1:{csms.server.port}/ocpp/{STATION_ID}"
                if transport == "json" else f"{scheme}://127.0.0.1:{csms.server.port}/",
                STATION_ID, versions=(version,), transport=transport, handlers=st.router,
                tap=lambda sid, d, m: station_tap.append((sid, d, m)),
            ) as station:
                assert station.version is version
                await scenario(station, csms, st, cs)
                assert csms.server.stations[STATION_ID].transport == transport
                kept.append(station)

    run(binding, body)
    return station_tap, csms_tap, kept[0]


def names(version: Version, tap: Wire) -> list[str]:
    table = actions_for(version)
    out = []
    for _, _, message in tap:
        spec, is_request = table.of(message)
        out.append(f"{spec.name}.{'req' if is_request else 'conf'}")
    return out


SEQUENCE_1X = [
    "BootNotification.req", "BootNotification.conf", "Authorize.req", "Authorize.conf",
    "StartTransaction.req", "StartTransaction.conf", "MeterValues.req", "MeterValues.conf",
    "RemoteStopTransaction.req", "RemoteStopTransaction.conf", "StopTransaction.req",
    "StopTransaction.conf", "Reset.req", "Reset.conf", "ChangeConfiguration.req",
    "ChangeConfiguration.conf"]
SEQUENCE_2X = [
    "BootNotification.req", "BootNotification.conf", "Authorize.req", "Authorize.conf",
    "TransactionEvent.req", "TransactionEvent.conf", "TransactionEvent.req",
    "TransactionEvent.conf", "RequestStopTransaction.req", "RequestStopTransaction.conf",
    "TransactionEvent.req", "TransactionEvent.conf", "Reset.req", "Reset.conf",
    "SetVariables.req", "SetVariables.conf"]
#: who sends each message of the sequence ("S": station, "C": CSMS)
SENDERS = "SCSCSCSCCSSCCSCS"


def check_1x(version: Version, payloads: list[dict[str, Any]]) -> None:
    """OCPP 1.5 / 1.6 section 5 messages (the 1.5 spellings where they differ)."""
    v15 = version is Version.V15
    boot, boot_conf, auth = payloads[0], payloads[1], payloads[2]
    assert (boot["chargePointVendor"], boot["chargePointModel"]) == ("ACME", "Volt-1")
    assert boot["firmwareVersion"] == "1.0"
    assert boot_conf["heartbeatInterval" if v15 else "interval"] == 300
    assert boot_conf["status"] == "Accepted"
    assert auth == {"idTag": "RFID-0001"}
    assert payloads[3]["idTagInfo"]["status"] == "Accepted"
    start, start_conf, meter = payloads[4], payloads[5], payloads[6]
    assert (start["connectorId"], start["idTag"], start["meterStart"]) == (1, "RFID-0001", 0)
    tx_id = start_conf["transactionId"]
    assert tx_id == 1  # the CSMS adapter's default id source: 1, 2, 3...
    assert (meter["connectorId"], meter["transactionId"]) == (1, tx_id)
    values = meter["values" if v15 else "meterValue"]
    samples = values[0]["value" if v15 else "sampledValue"]
    assert samples[0]["value"] == "1500"
    assert payloads[8] == {"transactionId": tx_id}
    assert payloads[9] == {"status": "Accepted"}
    stop = payloads[10]
    assert (stop["transactionId"], stop["meterStop"]) == (tx_id, 3000)
    assert stop.get("reason") == (None if v15 else "Remote")
    assert payloads[12] == {"type": "Soft"}
    assert payloads[13] == {"status": "Accepted"}
    key = "HeartBeatInterval" if v15 else "HeartbeatInterval"
    assert payloads[14] == {"key": key, "value": "60"}
    assert payloads[15] == {"status": "Accepted"}


def check_2x(payloads: list[dict[str, Any]]) -> None:
    """OCPP 2.0.1 Part 2 messages (B01, C01, E01-E07, F03, B11, B05)."""
    assert payloads[0] == {"reason": "PowerUp", "chargingStation": {
        "vendorName": "ACME", "model": "Volt-1", "firmwareVersion": "1.0"}}
    assert (payloads[1]["status"], payloads[1]["interval"]) == ("Accepted", 300)
    assert payloads[2] == {"idToken": {"idToken": "RFID-0001", "type": "ISO14443"}}
    events = [payloads[4], payloads[6], payloads[10]]
    assert [(e["eventType"], e["seqNo"], e["triggerReason"]) for e in events] == [
        ("Started", 0, "Authorized"), ("Updated", 1, "MeterValuePeriodic"),
        ("Ended", 2, "RemoteStop")]
    assert {e["transactionInfo"]["transactionId"] for e in events} == {"tx-1"}
    assert events[0]["evse"] == {"id": 1}
    begin = events[0]["meterValue"][0]["sampledValue"][0]
    assert (begin["value"], begin["context"], begin["measurand"]) == (
        0, "Transaction.Begin", "Energy.Active.Import.Register")
    assert events[2]["transactionInfo"]["stoppedReason"] == "Remote"
    assert payloads[8] == {"transactionId": "tx-1"}
    assert payloads[9] == {"status": "Accepted"}
    assert payloads[12] == {"type": "Immediate"}
    assert payloads[13] == {"status": "Accepted"}
    [setting] = payloads[14]["setVariableData"]
    assert setting == {"attributeValue": "60", "component": {"name": "OCPPCommCtrlr"},
                       "variable": {"name": "HeartbeatInterval"}}
    [result] = payloads[15]["setVariableResult"]
    assert result["attributeStatus"] == "Accepted"


# -- the matrix ------------------------------------------------------------------------------

@pytest.mark.parametrize("binding", ["trio", "asyncio"])
@pytest.mark.parametrize(("version", "transport"), LINKS,
                         ids=[f"{v}-{'J' if t == 'json' else 'S'}" for v, t in LINKS])
def test_scenario(binding: str, version: Version, transport: str) -> None:
    station_tap, csms_tap, station = run_matrix_cell(binding, version, transport)
    # every tapped message carries the station's identity
    assert {sid for sid, _, _ in station_tap + csms_tap} == {STATION_ID}
    # the two sides saw the same version messages, mirrored
    flip = {"sent": "received", "received": "sent"}
    assert [(flip[d], m) for _, d, m in station_tap] == [(d, m) for _, d, m in csms_tap]
    expected = SEQUENCE_1X if version in (Version.V15, Version.V16) else SEQUENCE_2X
    assert names(version, station_tap) == expected
    senders = "".join("S" if d == "sent" else "C" for _, d, _ in station_tap)
    assert senders == SENDERS
    payloads = [codec.encode(version, m)[2] for _, _, m in station_tap]  # strict validation
    if version is Version.V201:
        check_2x(payloads)
    else:
        check_1x(version, payloads)
    assert len(station.session.adapter.transactions) == 0  # purged when the transaction ended


# -- what the generic connection does beyond the scenario ----------------------------------

@pytest.mark.parametrize("binding", ["trio", "asyncio"])
def test_unsupported_is_not_sent(binding: str) -> None:
    """A generic request 1.5 cannot carry (SetChargingProfile: 1.6 Smart Charging) is refused
    with ``Unsupported`` and nothing reaches the wire."""
    mod = generic_module(binding)
    request = EXAMPLES["SetChargingProfile"][0].request
    csms_tap: Wire = []

    async def body() -> None:
        async with mod.serve_generic("127.0.0.1", 0, versions=("1.5",),
                                     tap=lambda *t: csms_tap.append(t)) as csms, \
                mod.connect_generic(f"ws://127.0.0.1:{csms.server.port}/{STATION_ID}",
                                    STATION_ID, versions=("1.5",)):
            result = await csms.call(STATION_ID, request)
            assert isinstance(result, Unsupported)
            assert result.reason is UnsupportedReason.OPERATION
            assert result.version is Version.V15

    run(binding, body)
    assert csms_tap == []


@pytest.mark.parametrize("binding", ["trio", "asyncio"])
def test_version_messages_pass_through(binding: str) -> None:
    """The escape hatch: a 2.0.1 NotifyReport (no generic counterpart) is sent as the version
    message and reaches a handler registered under its version action name; a generic request
    without a generic handler is answered ``NotSupported`` by the engine."""
    mod = generic_module(binding)
    ocpp = importlib.import_module(f"ocpp_{binding}")
    seen: list[Any] = []
    router = GenericRouter()

    @router.on("NotifyReport")
    async def notify(request: v201.NotifyReportRequest,
                     ctx: GenericContext) -> v201.NotifyReportResponse:
        seen.append((ctx.operation, ctx.version, request))
        return v201.NotifyReportResponse()

    report = v201.NotifyReportRequest(request_id=1, generated_at=T0, seq_no=0)

    async def body() -> None:
        async with mod.serve_generic("127.0.0.1", 0, handlers=router) as csms, \
                mod.connect_generic(f"ws://127.0.0.1:{csms.server.port}/{STATION_ID}",
                                    STATION_ID, versions=("2.0.1",)) as station:
            assert await station.call(report) == v201.NotifyReportResponse()
            with pytest.raises(ocpp.CallError) as info:
                await station.call(AuthorizeRequest(id_token=TAG))
            assert info.value.code == "NotSupported"

    run(binding, body)
    assert seen == [("NotifyReport", Version.V201, report)]


@pytest.mark.parametrize("binding", ["trio", "asyncio"])
def test_inbound_unsupported_answered_with_its_reply(binding: str) -> None:
    """1.6 RemoteStopTransaction for a transaction the station never started cannot be read
    as a generic request (no generic id for it): the station answers the adapter's reply,
    ``Rejected`` (OCPP 1.6 section 5.12), without running the application's handler."""
    mod = generic_module(binding)
    st = StationApp()
    station_tap: Wire = []

    async def body() -> None:
        async with mod.serve_generic("127.0.0.1", 0, versions=("1.6",)) as csms, \
                mod.connect_generic(f"ws://127.0.0.1:{csms.server.port}/{STATION_ID}",
                                    STATION_ID, versions=("1.6",), handlers=st.router,
                                    tap=lambda *t: station_tap.append(t)):
            answer = await csms.call(STATION_ID,
                                     RequestStopTransactionRequest(transaction_id="99"))
            assert isinstance(answer, RequestStopTransactionResponse)
            assert answer.status is RequestStartStopStatus.Rejected

    run(binding, body)
    assert not st.stop_requested
    assert [codec.encode(Version.V16, m)[2] for _, _, m in station_tap] == [
        {"transactionId": 99}, {"status": "Rejected"}]
