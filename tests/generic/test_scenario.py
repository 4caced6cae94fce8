"""One charging scenario written once against the generic API, run as pure data over every
version: boot, authorize, start, meter values, remote stop, stop, then a CSMS-initiated reset
and configuration change. Station and CSMS each use only generic messages; their adapters
and strict encoding sit in between, and the wire traffic is checked against the messages
each version must produce."""

import datetime
from typing import Any

import pytest

from ocpp_sansio import Version, codec
from ocpp_sansio.generic import (
    AuthorizationStatus,
    AuthorizeRequest,
    AuthorizeResponse,
    BootNotificationRequest,
    BootNotificationResponse,
    ConfigSetResult,
    ConfigSetting,
    Converted,
    GenericMessage,
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
    Role,
    SampledValue,
    SetConfigurationRequest,
    SetConfigurationResponse,
    SetConfigurationStatus,
    StopReason,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
    UnitOfMeasure,
    adapter_for,
)
from ocpp_sansio.generic.adapters import Adapter
from ocpp_sansio.generic.configuration import HEARTBEAT_INTERVAL

T0 = datetime.datetime(2025, 3, 1, 8, 0, tzinfo=datetime.UTC)
TAG = IdToken(value="RFID-0001")


class StationApp:
    """The station's business logic, version-independent."""

    def __init__(self) -> None:
        self.transaction_id = "tx-1"
        self.stop_requested = False
        self.heartbeat_interval = 0

    def boot(self) -> BootNotificationRequest:
        return BootNotificationRequest(vendor="ACME", model="Volt-1", firmware_version="1.0")

    def authorize(self) -> AuthorizeRequest:
        return AuthorizeRequest(id_token=TAG)

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

    def handle(self, request: GenericMessage) -> GenericMessage:
        if isinstance(request, RequestStopTransactionRequest):
            known = request.transaction_id == self.transaction_id
            self.stop_requested = known
            return RequestStopTransactionResponse(
                status=RequestStartStopStatus.Accepted if known else
                RequestStartStopStatus.Rejected)
        if isinstance(request, ResetRequest):
            return ResetResponse(status=ResetStatus.Accepted)
        if isinstance(request, SetConfigurationRequest):
            for setting in request.settings:
                if setting.key == HEARTBEAT_INTERVAL:
                    self.heartbeat_interval = int(setting.value)
            return SetConfigurationResponse(results=tuple(
                ConfigSetResult(key=s.key, status=SetConfigurationStatus.Accepted)
                for s in request.settings))
        raise AssertionError(f"unexpected request {request!r}")


class CsmsApp:
    """The CSMS's business logic, version-independent."""

    def __init__(self) -> None:
        self.transactions: list[str] = []
        self.energy: list[int] = []

    def handle(self, request: GenericMessage) -> GenericMessage:
        if isinstance(request, BootNotificationRequest):
            return BootNotificationResponse(status=RegistrationStatus.Accepted,
                                            current_time=T0, interval=300)
        if isinstance(request, AuthorizeRequest):
            return AuthorizeResponse(id_token_info=IdTokenInfo(
                status=AuthorizationStatus.Accepted))
        if isinstance(request, TransactionEventRequest):
            if request.event_type is TransactionEventType.Started:
                self.transactions.append(request.transaction_id)
            if request.meter_wh is not None:
                self.energy.append(request.meter_wh)
            return TransactionEventResponse()
        raise AssertionError(f"unexpected request {request!r}")

    def remote_stop(self) -> RequestStopTransactionRequest:
        return RequestStopTransactionRequest(transaction_id=self.transactions[-1])

    def reset(self) -> ResetRequest:
        return ResetRequest()

    def configure(self) -> SetConfigurationRequest:
        return SetConfigurationRequest(settings=(ConfigSetting(key=HEARTBEAT_INTERVAL,
                                                               value="60"),))


class Link:
    """Both adapters of one version with strict encoding between them; records the wire."""

    def __init__(self, version: Version) -> None:
        self.version = version
        self.station: Adapter = adapter_for(version, Role.STATION)
        self.csms: Adapter = adapter_for(version, Role.CSMS)
        self.wire: list[tuple[str, str, dict[str, Any]]] = []
        self.now = 0.0

    def _send(self, adapter: Adapter, message: Any, request: Any = None) -> Any:
        self.now += 1.0
        converted = adapter.to_wire_message(message, request=request, now=self.now)
        assert isinstance(converted, Converted), converted
        action, kind, payload = codec.encode(self.version, converted.message)
        self.wire.append((action, kind, payload))
        return codec.decode(self.version, action, kind, codec.loads(codec.dumps(payload)))

    def call(self, sender: Adapter, receiver: Adapter, handler: Any,
             request: GenericMessage) -> GenericMessage:
        arrived = receiver.from_wire_message(self._send(sender, request), now=self.now)
        assert isinstance(arrived, Converted), arrived
        response = handler(arrived.message)
        back = sender.from_wire_message(self._send(receiver, response, arrived.message),
                                        request=request, now=self.now)
        assert isinstance(back, Converted), back
        return back.message


def run_scenario(version: Version) -> tuple[Link, StationApp, CsmsApp]:
    """The scenario, identical for every version."""
    link, station, csms = Link(version), StationApp(), CsmsApp()

    def up(request: GenericMessage) -> GenericMessage:
        return link.call(link.station, link.csms, csms.handle, request)

    def down(request: GenericMessage) -> GenericMessage:
        return link.call(link.csms, link.station, station.handle, request)

    boot = up(station.boot())
    assert isinstance(boot, BootNotificationResponse) and boot.interval == 300
    auth = up(station.authorize())
    assert isinstance(auth, AuthorizeResponse)
    assert auth.id_token_info.status is AuthorizationStatus.Accepted
    up(station.start())
    up(station.meter())
    stopped = down(csms.remote_stop())
    assert isinstance(stopped, RequestStopTransactionResponse)
    assert stopped.status is RequestStartStopStatus.Accepted and station.stop_requested
    up(station.stop())
    reset = down(csms.reset())
    assert isinstance(reset, ResetResponse) and reset.status is ResetStatus.Accepted
    configured = down(csms.configure())
    assert isinstance(configured, SetConfigurationResponse)
    assert configured.results[0].status is SetConfigurationStatus.Accepted
    assert station.heartbeat_interval == 60 and csms.energy == [0, 3000]
    assert len(link.station.transactions) == 0  # purged when the transaction ended
    return link, station, csms


def _actions(link: Link) -> list[str]:
    return [f"{action}.{'req' if kind == 'request' else 'conf'}"
            for action, kind, _ in link.wire]


@pytest.mark.parametrize("version", [Version.V15, Version.V16])
def test_scenario_1x(version: Version) -> None:
    link, _, csms = run_scenario(version)
    assert _actions(link) == [
        "BootNotification.req", "BootNotification.conf", "Authorize.req", "Authorize.conf",
        "StartTransaction.req", "StartTransaction.conf", "MeterValues.req", "MeterValues.conf",
        "RemoteStopTransaction.req", "RemoteStopTransaction.conf", "StopTransaction.req",
        "StopTransaction.conf", "Reset.req", "Reset.conf", "ChangeConfiguration.req",
        "ChangeConfiguration.conf"]
    payloads = [p for _, _, p in link.wire]
    boot, boot_conf, auth = payloads[0], payloads[1], payloads[2]
    assert (boot["chargePointVendor"], boot["chargePointModel"]) == ("ACME", "Volt-1")
    assert boot_conf["heartbeatInterval" if version is Version.V15 else "interval"] == 300
    assert auth == {"idTag": "RFID-0001"}
    start, start_conf, meter = payloads[4], payloads[5], payloads[6]
    assert (start["connectorId"], start["idTag"], start["meterStart"]) == (1, "RFID-0001", 0)
    tx_id = start_conf["transactionId"]
    assert csms.transactions == [str(tx_id)]
    assert (meter["connectorId"], meter["transactionId"]) == (1, tx_id)
    values = meter["values" if version is Version.V15 else "meterValue"]
    samples = values[0]["value" if version is Version.V15 else "sampledValue"]
    assert samples[0]["value"] == "1500"
    assert payloads[8] == {"transactionId": tx_id}
    stop = payloads[10]
    assert (stop["transactionId"], stop["meterStop"]) == (tx_id, 3000)
    assert stop.get("reason") == (None if version is Version.V15 else "Remote")
    assert payloads[12] == {"type": "Soft"}
    key = "HeartBeatInterval" if version is Version.V15 else "HeartbeatInterval"
    assert payloads[14] == {"key": key, "value": "60"}


@pytest.mark.parametrize("version", [Version.V201, Version.V21])
def test_scenario_2x(version: Version) -> None:
    link, _, csms = run_scenario(version)
    assert _actions(link) == [
        "BootNotification.req", "BootNotification.conf", "Authorize.req", "Authorize.conf",
        "TransactionEvent.req", "TransactionEvent.conf", "TransactionEvent.req",
        "TransactionEvent.conf", "RequestStopTransaction.req", "RequestStopTransaction.conf",
        "TransactionEvent.req", "TransactionEvent.conf", "Reset.req", "Reset.conf",
        "SetVariables.req", "SetVariables.conf"]
    payloads = [p for _, _, p in link.wire]
    boot = payloads[0]
    assert boot["chargingStation"] == {"vendorName": "ACME", "model": "Volt-1",
                                       "firmwareVersion": "1.0"}
    assert boot["reason"] == "PowerUp"
    assert payloads[2] == {"idToken": {"idToken": "RFID-0001", "type": "ISO14443"}}
    events = [payloads[4], payloads[6], payloads[10]]
    assert [(e["eventType"], e["seqNo"], e["triggerReason"]) for e in events] == [
        ("Started", 0, "Authorized"), ("Updated", 1, "MeterValuePeriodic"),
        ("Ended", 2, "RemoteStop")]
    assert {e["transactionInfo"]["transactionId"] for e in events} == {"tx-1"}
    assert csms.transactions == ["tx-1"]
    begin = events[0]["meterValue"][0]["sampledValue"][0]
    assert (begin["value"], begin["context"], begin["measurand"]) == (
        0, "Transaction.Begin", "Energy.Active.Import.Register")
    assert events[2]["transactionInfo"]["stoppedReason"] == "Remote"
    assert payloads[8] == {"transactionId": "tx-1"}
    assert payloads[12] == {"type": "Immediate"}
    [setting] = payloads[14]["setVariableData"]
    assert setting == {"attributeValue": "60", "component": {"name": "OCPPCommCtrlr"},
                       "variable": {"name": "HeartbeatInterval"}}
