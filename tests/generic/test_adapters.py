"""Adapter behaviour beyond the round trips: transaction bookkeeping, typed refusals, losses
reported when reading, role checks, the escape hatch, value mappings and the key table."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from ocpp_sansio import Version, codec, v15, v16, v21, v201
from ocpp_sansio.generic import (
    STANDARD_KEYS,
    AuthorizationStatus,
    AuthorizeRequest,
    AuthorizeResponse,
    BootNotificationRequest,
    ConfigKey,
    ConfigSetting,
    Converted,
    DataTransferRequest,
    GenericUsageError,
    GetCompositeScheduleRequest,
    GetConfigurationRequest,
    IdToken,
    IdTokenInfo,
    LossKind,
    Measurand,
    MessageTrigger,
    MeterValue,
    MeterValuesRequest,
    Phase,
    ReadingContext,
    ResetRequest,
    ResetResponse,
    ResetStatus,
    Role,
    SampledValue,
    SetConfigurationRequest,
    StatusNotificationRequest,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
    TriggerMessageRequest,
    TriggerReason,
    Unsupported,
    UnsupportedReason,
    Variable,
    adapter_for,
)
from ocpp_sansio.generic.adapters import ADAPTERS
from ocpp_sansio.generic.adapters.base import Ctx
from ocpp_sansio.generic.availability import ConnectorStatus
from ocpp_sansio.generic.configuration import HEARTBEAT_INTERVAL as HEARTBEAT_INTERVAL_KEY
from ocpp_sansio.generic.outcome import Loss
from ocpp_sansio.validation import LENIENT

T0 = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
TOKEN = IdToken(value="ABC123")


def _converted(result: Any) -> Any:
    assert isinstance(result, Converted), result
    return result.message


def _refused(result: Any, reason: UnsupportedReason) -> Unsupported:
    assert isinstance(result, Unsupported), result
    assert result.reason is reason, result
    return result


def _event(kind: TransactionEventType, tid: str = "t-1", **kw: Any) -> TransactionEventRequest:
    values = (MeterValue(timestamp=T0, sampled_values=(SampledValue(value="10"),)),)
    defaults: dict[str, Any] = {"evse_id": 1, "meter_wh": 0, "meter_values": values}
    if kind is TransactionEventType.Started:
        defaults["id_token"] = TOKEN
    return TransactionEventRequest(event_type=kind, transaction_id=tid, timestamp=T0,
                                   **{**defaults, **kw})


# -- transactions -------------------------------------------------------------------------

@pytest.mark.parametrize("version", [Version.V15, Version.V16])
def test_1x_station_waits_for_the_assigned_id_then_purges(version: Version) -> None:
    station = adapter_for(version, Role.STATION)
    started = _event(TransactionEventType.Started)
    start = _converted(station.to_wire_message(started, now=1.0))
    assert codec.encode(version, start)[0] == "StartTransaction"
    updated = _event(TransactionEventType.Updated)
    pending = _refused(station.to_wire_message(updated, now=2.0),
                       UnsupportedReason.PENDING_TRANSACTION)
    assert pending.field == "transaction_id" and pending.operation == "TransactionEvent"
    conf = ADAPTERS[version](Role.CSMS).cls("StartTransactionResponse")(
        transaction_id=77, id_tag_info=ADAPTERS[version](Role.CSMS).cls("IdTagInfo")(
            status="Accepted"))
    response = _converted(station.from_wire_message(conf, request=started, now=3.0))
    assert isinstance(response, TransactionEventResponse)
    assert response.id_token_info == IdTokenInfo(status=AuthorizationStatus.Accepted)
    meter_values = _converted(station.to_wire_message(updated, now=4.0))
    assert (meter_values.transaction_id, meter_values.connector_id) == (77, 1)
    stop = _converted(station.to_wire_message(_event(TransactionEventType.Ended), now=5.0))
    assert stop.transaction_id == 77 and len(station.transactions) == 0
    _refused(station.to_wire_message(updated), UnsupportedReason.UNKNOWN_TRANSACTION)


@pytest.mark.parametrize("version", [Version.V201, Version.V21])
def test_2x_station_counts_seq_no_and_purges(version: Version) -> None:
    station = adapter_for(version, Role.STATION)
    seq = [_converted(station.to_wire_message(_event(kind))).seq_no
           for kind in (TransactionEventType.Started, TransactionEventType.Updated,
                        TransactionEventType.Updated, TransactionEventType.Ended)]
    assert seq == [0, 1, 2, 3] and len(station.transactions) == 0
    again = _converted(station.to_wire_message(_event(TransactionEventType.Started)))
    assert again.seq_no == 0
    _refused(station.to_wire_message(_event(TransactionEventType.Started)),
             UnsupportedReason.VALUE)
    _refused(station.to_wire_message(_event(TransactionEventType.Updated, tid="other")),
             UnsupportedReason.UNKNOWN_TRANSACTION)


def test_refusal_leaves_the_bookkeeping_untouched() -> None:
    station = adapter_for(Version.V201, Role.STATION)
    event = _event(TransactionEventType.Started, trigger_reason=TriggerReason.TxResumed)
    _refused(station.to_wire_message(event), UnsupportedReason.VALUE)  # 2.1-only value
    assert len(station.transactions) == 0


def test_1x_csms_ids_come_from_the_injected_source() -> None:
    csms = adapter_for(Version.V16, Role.CSMS, transaction_ids=iter([1000, 1001]).__next__)
    start = v16.StartTransactionRequest(connector_id=2, id_tag="A", meter_start=5,
                                        timestamp=T0)
    event = _converted(csms.from_wire_message(start))
    assert event.transaction_id == "1000" and event.evse_id == 2 and event.meter_wh == 5
    conf = _converted(csms.to_wire_message(TransactionEventResponse(), request=event))
    assert conf.transaction_id == 1000
    assert conf.id_tag_info.status == "Accepted"
    result = csms.to_wire_message(TransactionEventResponse(), request=event)
    assert isinstance(result, Converted)
    assert result.lost == (Loss("id_token_info", LossKind.DEFAULTED,
                                "StartTransaction.conf needs idTagInfo: Accepted"),)
    with pytest.raises(ValueError, match=r"1\.x only"):
        adapter_for(Version.V201, Role.CSMS, transaction_ids=lambda: 1)


def test_1x_station_refuses_unknown_remote_stop_with_a_reply() -> None:
    station = adapter_for(Version.V16, Role.STATION)
    refused = _refused(station.from_wire_message(v16.RemoteStopTransactionRequest(
        transaction_id=99)), UnsupportedReason.UNKNOWN_TRANSACTION)
    assert refused.reply == v16.RemoteStopTransactionResponse(
        status=v16.RemoteStartStopStatus.Rejected)
    assert codec.encode(Version.V16, refused.reply)[0] == "RemoteStopTransaction"


def test_1x_csms_reads_meter_values_with_and_without_transaction() -> None:
    csms = adapter_for(Version.V16, Role.CSMS)
    value = v16.MeterValue(timestamp=T0, sampled_value=[v16.SampledValue(value="1.5")])
    with_tx = _converted(csms.from_wire_message(v16.MeterValuesRequest(
        connector_id=1, transaction_id=9, meter_value=[value])))
    assert isinstance(with_tx, TransactionEventRequest)
    assert (with_tx.event_type, with_tx.transaction_id, with_tx.timestamp) == (
        TransactionEventType.Updated, "9", T0)
    plain = _converted(csms.from_wire_message(v16.MeterValuesRequest(connector_id=0,
                                                                     meter_value=[value])))
    assert plain.meter_values[0].sampled_values[0].value == Decimal("1.5")
    empty = adapter_for(Version.V15, Role.CSMS).from_wire_message(
        v15.MeterValuesRequest(connector_id=1, transaction_id=9))
    assert _refused(empty, UnsupportedReason.FIELD).reply == v15.MeterValuesResponse()


def test_2x_meter_wh_is_lifted_only_when_plain() -> None:
    csms = adapter_for(Version.V201, Role.CSMS)

    def event(unit: str) -> Any:
        sample = v201.SampledValueType(
            value=1000, context=v201.ReadingContextEnumType.Transaction_Begin,
            measurand=v201.MeasurandEnumType.Energy_Active_Import_Register,
            unit_of_measure=v201.UnitOfMeasureType(unit=unit))
        return v201.TransactionEventRequest(
            event_type=v201.TransactionEventEnumType.Started, timestamp=T0, seq_no=0,
            trigger_reason=v201.TriggerReasonEnumType.Authorized,
            transaction_info=v201.TransactionType(transaction_id="x"),
            meter_value=[v201.MeterValueType(timestamp=T0, sampled_value=[sample])])

    lifted = _converted(csms.from_wire_message(event("Wh")))
    assert lifted.meter_wh == 1000 and lifted.meter_values == ()
    kept = _converted(csms.from_wire_message(event("kWh")))
    assert kept.meter_wh is None and kept.meter_values[0].sampled_values[0].unit == "kWh"


def test_trigger_reason_derived_for_2x_and_reported() -> None:
    station = adapter_for(Version.V201, Role.STATION)
    result = station.to_wire_message(_event(TransactionEventType.Started))
    assert isinstance(result, Converted)
    assert result.message.trigger_reason == "Authorized"
    assert Loss("trigger_reason", LossKind.DEFAULTED, "derived: Authorized") in result.lost


# -- refusals -----------------------------------------------------------------------------

def test_operations_a_version_lacks() -> None:

    csms15 = adapter_for(Version.V15, Role.CSMS)
    for message in (TriggerMessageRequest(requested_message=MessageTrigger.Heartbeat),
                    GetCompositeScheduleRequest(evse_id=1, duration=60)):
        refused = _refused(csms15.to_wire_message(message), UnsupportedReason.OPERATION)
        assert refused.version is Version.V15 and refused.detail


def test_values_and_fields_a_version_cannot_express() -> None:
    station16 = adapter_for(Version.V16, Role.STATION)
    occupied = StatusNotificationRequest(evse_id=1, status=ConnectorStatus.Occupied)
    assert _refused(station16.to_wire_message(occupied), UnsupportedReason.VALUE).field == "status"
    occupied15 = _converted(adapter_for(Version.V15, Role.STATION).to_wire_message(occupied))
    assert occupied15.status == "Occupied"
    station201 = adapter_for(Version.V201, Role.STATION)
    charging = StatusNotificationRequest(evse_id=1, status=ConnectorStatus.Charging)
    missing = _refused(station201.to_wire_message(charging), UnsupportedReason.MISSING)
    assert missing.field == "timestamp"
    approx = station201.to_wire_message(StatusNotificationRequest(
        evse_id=1, status=ConnectorStatus.Charging, timestamp=T0))
    assert isinstance(approx, Converted) and approx.message.connector_status == "Occupied"
    assert approx.lost[0].kind is LossKind.APPROXIMATED
    second_connector = StatusNotificationRequest(evse_id=1, connector_id=2, timestamp=T0,
                                                 status=ConnectorStatus.Available)
    assert _refused(station16.to_wire_message(second_connector),
                    UnsupportedReason.FIELD).field == "connector_id"


def test_configuration_refusals() -> None:
    two = SetConfigurationRequest(settings=(
        ConfigSetting(key=HEARTBEAT_INTERVAL_KEY, value="1"),
        ConfigSetting(key=ConfigKey.named("ConnectionTimeOut"), value="2")))
    assert _refused(adapter_for(Version.V16, Role.CSMS).to_wire_message(two),
                    UnsupportedReason.FIELD).field == "settings"
    assert _converted(adapter_for(Version.V201, Role.CSMS).to_wire_message(two))
    csms201 = adapter_for(Version.V201, Role.CSMS)
    assert _refused(csms201.to_wire_message(GetConfigurationRequest()),
                    UnsupportedReason.FIELD).field == "keys"
    vendor = GetConfigurationRequest(keys=(ConfigKey.named("VendorThing"),))
    assert _refused(csms201.to_wire_message(vendor), UnsupportedReason.FIELD).field == "keys[0]"
    device_only = GetConfigurationRequest(keys=(ConfigKey.at(Variable(
        component="TxCtrlr", name="TxStartPoint")),))
    assert _refused(adapter_for(Version.V16, Role.CSMS).to_wire_message(device_only),
                    UnsupportedReason.FIELD).field == "keys[0]"


def test_reset_types() -> None:
    csms = adapter_for(Version.V16, Role.CSMS)
    assert _converted(csms.to_wire_message(ResetRequest(hard=True))).type == "Hard"
    assert _converted(csms.to_wire_message(ResetRequest())).type == "Soft"
    station = adapter_for(Version.V16, Role.STATION)
    hard = _converted(station.from_wire_message(v16.ResetRequest(type=v16.ResetType.Hard)))
    assert hard == ResetRequest(hard=True)
    scheduled = station.to_wire_message(ResetResponse(status=ResetStatus.Scheduled),
                                        request=hard)
    assert isinstance(scheduled, Converted) and scheduled.message.status == "Accepted"
    assert scheduled.lost[0].kind is LossKind.APPROXIMATED


def test_authorization_status_approximated_for_1x() -> None:
    station = adapter_for(Version.V16, Role.STATION)
    csms = adapter_for(Version.V16, Role.CSMS)

    request = _converted(csms.from_wire_message(_converted(
        station.to_wire_message(AuthorizeRequest(id_token=TOKEN)))))
    result = csms.to_wire_message(AuthorizeResponse(id_token_info=IdTokenInfo(
        status=AuthorizationStatus.NoCredit)), request=request)
    assert isinstance(result, Converted)
    assert result.message.id_tag_info.status == "Invalid"
    assert result.lost == (Loss("id_token_info.status", LossKind.APPROXIMATED,
                                "NoCredit sent as Invalid"),)


# -- losses when reading ------------------------------------------------------------------

def test_custom_data_and_lenient_extra_fields_are_reported() -> None:
    csms = adapter_for(Version.V201, Role.CSMS)
    boot = v201.BootNotificationRequest(
        charging_station=v201.ChargingStationType(model="M", vendor_name="V",
                                                  custom_data={"vendorId": "x"}),
        reason=v201.BootReasonEnumType.PowerUp, custom_data={"vendorId": "x"})
    result = csms.from_wire_message(boot)
    assert isinstance(result, Converted)
    assert {loss.path for loss in result.lost} == {"custom_data",
                                                   "charging_station.custom_data"}
    assert result.message.version_message is boot
    lenient = codec.decode(Version.V16, "Heartbeat", "request", {"x": 1}, profile=LENIENT)
    read = adapter_for(Version.V16, Role.CSMS).from_wire_message(lenient)
    assert isinstance(read, Converted) and read.lost[0].path == "extra_fields"


def test_1x_samples_signed_data_and_spelling() -> None:
    csms = adapter_for(Version.V16, Role.CSMS)
    request = v16.MeterValuesRequest(connector_id=1, meter_value=[v16.MeterValue(
        timestamp=T0, sampled_value=[
            v16.SampledValue(value="OCMF|{}", format=v16.ValueFormat.SignedData),
            v16.SampledValue(value="21.5", measurand=v16.Measurand.Temperature,
                             unit=v16.UnitOfMeasure.Celcius),
            v16.SampledValue(value="n/a")])])
    result = csms.from_wire_message(request)
    assert isinstance(result, Converted)
    assert isinstance(result.message, MeterValuesRequest)
    signed, temperature = result.message.meter_values[0].sampled_values
    assert signed.value is None and signed.signed_meter_value is not None
    assert signed.signed_meter_value.signed_meter_data == "OCMF|{}"
    assert temperature.unit == "Celsius" and temperature.measurand is Measurand.Temperature
    kinds = {(loss.path, loss.kind) for loss in result.lost}
    assert ("meter_value[0].sampled_value[1].unit", LossKind.NORMALIZED) in kinds
    assert ("meter_value[0].sampled_value[2]", LossKind.DROPPED) in kinds
    station = adapter_for(Version.V16, Role.STATION)
    back = _converted(station.to_wire_message(result.message))
    assert back.meter_value[0].sampled_value[0] == v16.SampledValue(
        value="OCMF|{}", format=v16.ValueFormat.SignedData)
    assert back.meter_value[0].sampled_value[1].unit == "Celsius"


def test_samples_the_version_cannot_express_are_dropped_and_reported() -> None:
    station = adapter_for(Version.V15, Role.STATION)

    values = (MeterValue(timestamp=T0, sampled_values=(
        SampledValue(value=1, measurand=Measurand.SoC),
        SampledValue(value=2, phase=Phase.L1),
        SampledValue(value=3, context=ReadingContext.Sample_Clock, unit="kW", multiplier=3))),)
    result = station.to_wire_message(MeterValuesRequest(evse_id=1, meter_values=values))
    assert isinstance(result, Converted)
    [sample] = result.message.values[0].value
    assert (sample.value, sample.unit) == ("3000", "kW")
    assert [(loss.path, loss.kind) for loss in result.lost] == [
        ("meter_values[0].sampled_values[0]", LossKind.DROPPED),
        ("meter_values[0].sampled_values[1]", LossKind.DROPPED),
        ("meter_values[0].sampled_values[2].multiplier", LossKind.NORMALIZED)]


def test_data_transfer_json_to_1x_is_text() -> None:
    station = adapter_for(Version.V16, Role.STATION)
    result = station.to_wire_message(DataTransferRequest(vendor_id="v", data={"a": 1}))
    assert isinstance(result, Converted) and result.message.data == '{"a":1}'
    assert result.lost[0].kind is LossKind.NORMALIZED


# -- API misuse, escape hatch -------------------------------------------------------------

def test_role_and_context_misuse_raise_local_errors() -> None:
    station = adapter_for(Version.V16, Role.STATION)
    csms = adapter_for(Version.V16, Role.CSMS)
    with pytest.raises(GenericUsageError, match="does not send"):
        station.to_wire_message(ResetRequest())
    with pytest.raises(GenericUsageError, match="does not send"):
        csms.to_wire_message(BootNotificationRequest(vendor="v", model="m"))
    with pytest.raises(GenericUsageError, match="does not answer"):
        csms.to_wire_message(ResetResponse(status=ResetStatus.Accepted), request=ResetRequest())
    with pytest.raises(GenericUsageError, match="converts with its"):
        station.to_wire_message(ResetResponse(status=ResetStatus.Accepted))
    with pytest.raises(GenericUsageError, match="with the request it answers"):
        csms.from_wire_message(v16.ResetResponse(status=v16.ResetStatus.Accepted))
    with pytest.raises(GenericUsageError, match="does not send"):
        station.from_wire_message(v16.BootNotificationRequest(charge_point_vendor="v",
                                                              charge_point_model="m"))
    with pytest.raises(GenericUsageError, match=r"not a 1\.6 message"):
        station.from_wire_message(v201.ResetRequest(type=v201.ResetEnumType.Immediate))
    with pytest.raises(GenericUsageError, match="neither"):
        station.to_wire_message(object())
    with pytest.raises(GenericUsageError, match="class"):
        station.to_wire_message(BootNotificationRequest)


def test_escape_hatch() -> None:
    station = adapter_for(Version.V201, Role.STATION)
    notify = v201.NotifyEventRequest(generated_at=T0, seq_no=0, event_data=[])
    passed = station.to_wire_message(notify)
    assert isinstance(passed, Converted) and passed.message is notify and passed.exact
    csms = adapter_for(Version.V201, Role.CSMS)
    refused = _refused(csms.from_wire_message(notify), UnsupportedReason.OPERATION)
    assert refused.operation == "NotifyEvent"
    refused = _refused(station.from_wire_message(v201.NotifyEventResponse(), request=notify),
                       UnsupportedReason.OPERATION)
    assert "version message" in refused.detail


# -- value maps and keys ------------------------------------------------------------------

@pytest.mark.parametrize("version", list(Version))
def test_every_version_value_has_a_generic_value(version: Version) -> None:
    """The generic enumerations are unions: reading never fails, whatever the version sends."""
    adapter = ADAPTERS[version](Role.CSMS)

    for name, emap in adapter.enum_maps().items():
        ctx = Ctx(adapter, name, None, None)
        if emap.wire is not None:
            for member in emap.wire:
                assert emap.into(member, ctx, name) is not None, (name, member)
        for member in emap.generic:
            result = emap.out(member, ctx, name)
            assert (result is None) == (not emap.has(member)), (name, member)


def test_standard_keys_table() -> None:
    names = [k.name for k in STANDARD_KEYS]
    variables = [k.variable for k in STANDARD_KEYS]
    assert len(set(names)) == len(names) and len(set(variables)) == len(variables)
    assert ConfigKey.named("HeartBeatInterval") == ConfigKey.named("HeartbeatInterval")
    key = ConfigKey.at(Variable(component="OCPPCommCtrlr", name="HeartbeatInterval"))
    assert key == HEARTBEAT_INTERVAL_KEY and key.name == "HeartbeatInterval"
    assert key.name_for_15() == "HeartBeatInterval"
    assert ConfigKey.named("Vendor").variable is None
    with pytest.raises(ValueError, match=r"needs a 1\.x name"):
        ConfigKey()
    csms15 = adapter_for(Version.V15, Role.CSMS)
    request = _converted(csms15.to_wire_message(SetConfigurationRequest(
        settings=(ConfigSetting(key=key, value="60"),))))
    assert request == v15.ChangeConfigurationRequest(key="HeartBeatInterval", value="60")
    csms21 = adapter_for(Version.V21, Role.CSMS)
    variables21 = _converted(csms21.to_wire_message(GetConfigurationRequest(keys=(key,))))
    data = variables21.get_variable_data[0]
    assert (data.component.name, data.variable.name) == ("OCPPCommCtrlr", "HeartbeatInterval")
    assert isinstance(variables21, v21.GetVariablesRequest)


def test_response_must_answer_the_request_given() -> None:
    station = adapter_for(Version.V16, Role.STATION)
    with pytest.raises(GenericUsageError, match="does not answer"):
        station.from_wire_message(v16.HeartbeatResponse(current_time=T0),
                                  request=AuthorizeRequest(id_token=TOKEN))


def test_1x_decimal_text_rewritten_is_reported() -> None:
    csms = adapter_for(Version.V16, Role.CSMS)
    request = v16.MeterValuesRequest(connector_id=1, meter_value=[v16.MeterValue(
        timestamp=T0, sampled_value=[v16.SampledValue(value="1E+3")])])
    result = csms.from_wire_message(request)
    assert isinstance(result, Converted)
    assert result.lost == (Loss("meter_value[0].sampled_value[0].value", LossKind.NORMALIZED,
                                "'1E+3' read as 1000"),)
