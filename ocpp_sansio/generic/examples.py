"""Full examples of every generic operation, and a sans-IO exchange between two adapters.

:data:`EXAMPLES` holds, per operation, request/response pairs with every generic field set
(values valid in every version where the field exists). The mapping table
(:mod:`ocpp_sansio.generic.table`) runs them through each adapter to list what each version
loses; the tests run them through a station and a CSMS adapter with strict validation in
between (:func:`exchange`).
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .. import codec
from ..version import Version
from . import authorization as au
from . import availability as av
from . import common as cm
from . import configuration as co
from . import data_transfer as dt
from . import firmware as fw
from . import metering as me
from . import provisioning as pr
from . import reservation as rs
from . import smart_charging as sc
from . import transactions as tx
from .adapters import Adapter
from .common import GenericMessage, Role
from .operations import OPERATIONS
from .outcome import Converted, Unsupported
from .txmap import TransactionEntry

T0 = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
T1 = T0 + datetime.timedelta(minutes=15)
T2 = T0 + datetime.timedelta(hours=1)

#: The transaction id the CSMS-sent examples refer to (decimal, so that a 1.x CSMS can send
#: it); :func:`prime` makes a station know it.
REMOTE_TRANSACTION_ID = "42"

TOKEN = cm.IdToken(value="04A2B3C4D5E6F7", type=cm.IdTokenType.ISO14443,
                   additional_info=(cm.AdditionalInfo(additional_id_token="ref-1", type="ref"),))
GROUP = cm.IdToken(value="GROUP-1", type=cm.IdTokenType.Central)
INFO = cm.IdTokenInfo(
    status=cm.AuthorizationStatus.Accepted, cache_expiry_date_time=T2, group_id_token=GROUP,
    charging_priority=1, language1="en", language2="de", evse_ids=(1,),
    personal_message=cm.MessageContent(content="Hello", format=cm.MessageFormat.UTF8,
                                       language="en"))
STATUS_INFO = cm.StatusInfo(reason_code="Example", additional_info="details")
SIGNED = me.SignedMeterValue(signed_meter_data="T0NNRg==", signing_method="ECDSA",
                             encoding_method="OCMF", public_key="cHVibGlj")


def _sample(value: str, **kw: Any) -> me.SampledValue:
    return me.SampledValue(value=Decimal(value), **kw)


METER_VALUES = (
    me.MeterValue(timestamp=T1, sampled_values=(
        _sample("1234.5", measurand=me.Measurand.Energy_Active_Import_Register,
                context=me.ReadingContext.Sample_Periodic, location=me.Location.Outlet,
                unit=me.UnitOfMeasure.Wh),
        _sample("16.2", measurand=me.Measurand.Current_Import, phase=me.Phase.L1,
                unit=me.UnitOfMeasure.A),
        _sample("11", measurand=me.Measurand.Power_Active_Import, unit=me.UnitOfMeasure.kW,
                multiplier=0),
        _sample("1234", measurand=me.Measurand.Energy_Active_Import_Register,
                signed_meter_value=SIGNED),
    )),
)

SCHEDULE = sc.ChargingSchedule(
    id=1, charging_rate_unit=sc.ChargingRateUnit.A, start_schedule=T0, duration=3600,
    min_charging_rate="6.0",
    periods=(sc.ChargingSchedulePeriod(start_period=0, limit="16.0", number_phases=3,
                                       phase_to_use=None),
             sc.ChargingSchedulePeriod(start_period=1800, limit="8.1", number_phases=3)))
PROFILE = sc.ChargingProfile(
    id=7, stack_level=1, purpose=sc.ChargingProfilePurpose.TxProfile,
    kind=sc.ChargingProfileKind.Absolute, schedules=(SCHEDULE,), valid_from=T0, valid_to=T2,
    transaction_id=REMOTE_TRANSACTION_ID)
DEFAULT_PROFILE = sc.ChargingProfile(
    id=8, stack_level=0, purpose=sc.ChargingProfilePurpose.TxDefaultProfile,
    kind=sc.ChargingProfileKind.Recurring, recurrency_kind=sc.RecurrencyKind.Daily,
    schedules=(SCHEDULE,), valid_from=T0, valid_to=T2)


@attrs.frozen
class Example:
    """A request and the response that answers it."""

    name: str
    request: GenericMessage
    response: GenericMessage


def _ex(name: str, request: GenericMessage, response: GenericMessage) -> Example:
    return Example(name, request, response)


_TX = "tx-0001"

#: Per generic operation, examples to run in order (a transaction's events share state).
EXAMPLES: Mapping[str, tuple[Example, ...]] = {
    "BootNotification": (_ex(
        "full",
        pr.BootNotificationRequest(vendor="ACME", model="Volt-1", serial_number="SN-1",
                                   firmware_version="1.2.3", iccid="8931", imsi="2620",
                                   reason=pr.BootReason.PowerUp, charge_box_serial_number="CB-1",
                                   meter_type="M-1", meter_serial_number="MS-1"),
        pr.BootNotificationResponse(status=pr.RegistrationStatus.Accepted, current_time=T0,
                                    interval=300, status_info=STATUS_INFO)),),
    "Heartbeat": (_ex("full", pr.HeartbeatRequest(), pr.HeartbeatResponse(current_time=T0)),),
    "StatusNotification": (_ex(
        "full",
        av.StatusNotificationRequest(evse_id=1, connector_id=1,
                                     status=av.ConnectorStatus.Available, timestamp=T0,
                                     error_code=av.ConnectorErrorCode.NoError, info="ok",
                                     vendor_id="acme", vendor_error_code="E0"),
        av.StatusNotificationResponse()),),
    "Authorize": (_ex("full", au.AuthorizeRequest(id_token=TOKEN),
                      au.AuthorizeResponse(id_token_info=INFO)),),
    "TransactionEvent": (
        _ex("started", tx.TransactionEventRequest(
            event_type=tx.TransactionEventType.Started, transaction_id=_TX, timestamp=T0,
            trigger_reason=tx.TriggerReason.Authorized, evse_id=1, connector_id=1,
            id_token=TOKEN, meter_wh=1000, meter_values=METER_VALUES, reservation_id=3,
            remote_start_id=5, charging_state=tx.ChargingState.Charging,
            time_spent_charging=0, offline=True, number_of_phases_used=3,
            cable_max_current=32),
            tx.TransactionEventResponse(id_token_info=INFO, total_cost="1.50",
                                        charging_priority=1,
                                        updated_personal_message=INFO.personal_message)),
        _ex("updated", tx.TransactionEventRequest(
            event_type=tx.TransactionEventType.Updated, transaction_id=_TX, timestamp=T1,
            trigger_reason=tx.TriggerReason.MeterValuePeriodic, evse_id=1,
            meter_values=METER_VALUES, charging_state=tx.ChargingState.SuspendedEV,
            time_spent_charging=900),
            tx.TransactionEventResponse(id_token_info=INFO, total_cost="2.25")),
        _ex("ended", tx.TransactionEventRequest(
            event_type=tx.TransactionEventType.Ended, transaction_id=_TX, timestamp=T2,
            trigger_reason=tx.TriggerReason.RemoteStop, evse_id=1, id_token=TOKEN,
            meter_wh=12345, meter_values=METER_VALUES, stopped_reason=tx.StopReason.Remote,
            charging_state=tx.ChargingState.Idle, time_spent_charging=3600),
            tx.TransactionEventResponse(id_token_info=INFO, total_cost="3.00")),
    ),
    "MeterValues": (_ex("full", tx.MeterValuesRequest(evse_id=1, meter_values=METER_VALUES),
                        tx.MeterValuesResponse()),),
    "RequestStartTransaction": (_ex(
        "full",
        tx.RequestStartTransactionRequest(id_token=TOKEN, evse_id=1, remote_start_id=5,
                                          charging_profile=attrs.evolve(PROFILE,
                                                                        transaction_id=None),
                                          group_id_token=GROUP),
        tx.RequestStartTransactionResponse(status=tx.RequestStartStopStatus.Accepted,
                                           transaction_id=_TX, status_info=STATUS_INFO)),),
    "RequestStopTransaction": (_ex(
        "full", tx.RequestStopTransactionRequest(transaction_id=REMOTE_TRANSACTION_ID),
        tx.RequestStopTransactionResponse(status=tx.RequestStartStopStatus.Accepted,
                                          status_info=STATUS_INFO)),),
    "Reset": (_ex("full", pr.ResetRequest(type=pr.ResetType.Immediate, hard=True),
                  pr.ResetResponse(status=pr.ResetStatus.Accepted, status_info=STATUS_INFO)),
              _ex("evse", pr.ResetRequest(type=pr.ResetType.OnIdle, evse_id=1),
                  pr.ResetResponse(status=pr.ResetStatus.Scheduled))),
    "ChangeAvailability": (_ex(
        "full", av.ChangeAvailabilityRequest(operational_status=av.OperationalStatus.Inoperative,
                                             evse_id=1, connector_id=1),
        av.ChangeAvailabilityResponse(status=av.ChangeAvailabilityStatus.Scheduled,
                                      status_info=STATUS_INFO)),),
    "UnlockConnector": (_ex("full", av.UnlockConnectorRequest(evse_id=1, connector_id=1),
                            av.UnlockConnectorResponse(status=av.UnlockStatus.Unlocked,
                                                       status_info=STATUS_INFO)),),
    "GetConfiguration": (_ex(
        "full", co.GetConfigurationRequest(keys=(co.HEARTBEAT_INTERVAL,
                                                 co.METER_VALUE_SAMPLE_INTERVAL)),
        co.GetConfigurationResponse(values=(
            co.ConfigValue(key=co.HEARTBEAT_INTERVAL, value="300", readonly=False,
                           attribute=co.Attribute.Actual, status_info=STATUS_INFO),
            co.ConfigValue(key=co.METER_VALUE_SAMPLE_INTERVAL,
                           status=co.GetConfigurationStatus.UnknownVariable)))),),
    "SetConfiguration": (_ex(
        "full", co.SetConfigurationRequest(settings=(co.ConfigSetting(
            key=co.HEARTBEAT_INTERVAL, value="60", attribute=co.Attribute.Actual),)),
        co.SetConfigurationResponse(results=(co.ConfigSetResult(
            key=co.HEARTBEAT_INTERVAL, status=co.SetConfigurationStatus.RebootRequired,
            attribute=co.Attribute.Actual, status_info=STATUS_INFO),))),),
    "TriggerMessage": (_ex(
        "full", pr.TriggerMessageRequest(requested_message=pr.MessageTrigger.StatusNotification,
                                         evse_id=1, connector_id=1, custom_trigger="x"),
        pr.TriggerMessageResponse(status=pr.TriggerMessageStatus.Accepted,
                                  status_info=STATUS_INFO)),),
    "DataTransfer": (_ex(
        "text", dt.DataTransferRequest(vendor_id="com.acme", message_id="m1", data="hello"),
        dt.DataTransferResponse(status=dt.DataTransferStatus.Accepted, data="ok",
                                status_info=STATUS_INFO)),
                     _ex("json", dt.DataTransferRequest(vendor_id="com.acme", data={"a": [1]}),
                         dt.DataTransferResponse(status=dt.DataTransferStatus.Rejected))),
    "UpdateFirmware": (
        _ex("plain", fw.UpdateFirmwareRequest(location="https://fw.example.com/1.bin",
                                              retrieve_date_time=T0, retries=3,
                                              retry_interval=60, request_id=11),
            fw.UpdateFirmwareResponse(status=fw.UpdateFirmwareStatus.Accepted,
                                      status_info=STATUS_INFO)),
        _ex("signed", fw.UpdateFirmwareRequest(location="https://fw.example.com/2.bin",
                                               retrieve_date_time=T0, retries=3,
                                               retry_interval=60, request_id=12,
                                               install_date_time=T1,
                                               signing_certificate="-----BEGIN CERT-----",
                                               signature="c2lnbmF0dXJl"),
            fw.UpdateFirmwareResponse(status=fw.UpdateFirmwareStatus.InvalidCertificate)),
    ),
    "FirmwareStatusNotification": (
        _ex("plain", fw.FirmwareStatusNotificationRequest(status=fw.FirmwareStatus.Installed),
            fw.FirmwareStatusNotificationResponse()),
        _ex("signed", fw.FirmwareStatusNotificationRequest(
            status=fw.FirmwareStatus.SignatureVerified, request_id=12, status_info=STATUS_INFO),
            fw.FirmwareStatusNotificationResponse()),
    ),
    "GetLog": (
        _ex("diagnostics", fw.GetLogRequest(location="ftp://logs.example.com/",
                                            log_type=fw.LogType.DiagnosticsLog, request_id=21,
                                            retries=2, retry_interval=30,
                                            oldest_timestamp=T0, latest_timestamp=T2),
            fw.GetLogResponse(status=fw.LogStatus.Accepted, filename="diag.zip",
                              status_info=STATUS_INFO)),
        _ex("security", fw.GetLogRequest(location="ftp://logs.example.com/",
                                         log_type=fw.LogType.SecurityLog, request_id=22,
                                         oldest_timestamp=T0, latest_timestamp=T2),
            fw.GetLogResponse(status=fw.LogStatus.Rejected)),
    ),
    "LogStatusNotification": (
        _ex("diagnostics", fw.LogStatusNotificationRequest(status=fw.UploadLogStatus.Uploaded),
            fw.LogStatusNotificationResponse()),
        _ex("security", fw.LogStatusNotificationRequest(
            status=fw.UploadLogStatus.PermissionDenied, request_id=22, status_info=STATUS_INFO),
            fw.LogStatusNotificationResponse()),
    ),
    "ReserveNow": (_ex(
        "full", rs.ReserveNowRequest(reservation_id=3, expiry_date_time=T2, id_token=TOKEN,
                                     evse_id=1, group_id_token=GROUP, connector_type="cType2"),
        rs.ReserveNowResponse(status=rs.ReserveNowStatus.Accepted, status_info=STATUS_INFO)),),
    "CancelReservation": (_ex(
        "full", rs.CancelReservationRequest(reservation_id=3),
        rs.CancelReservationResponse(status=rs.CancelReservationStatus.Accepted,
                                     status_info=STATUS_INFO)),),
    "ReservationStatusUpdate": (_ex(
        "full", rs.ReservationStatusUpdateRequest(reservation_id=3,
                                                  status=rs.ReservationUpdateStatus.Expired),
        rs.ReservationStatusUpdateResponse()),),
    "SendLocalList": (_ex(
        "full", au.SendLocalListRequest(
            version_number=2, update_type=au.UpdateType.Full, hash="0123abcd",
            entries=(au.AuthorizationEntry(id_token=TOKEN, id_token_info=INFO),
                     au.AuthorizationEntry(id_token=GROUP))),
        au.SendLocalListResponse(status=au.SendLocalListStatus.Accepted, status_info=STATUS_INFO,
                                 hash="0123abcd")),),
    "GetLocalListVersion": (_ex("full", au.GetLocalListVersionRequest(),
                                au.GetLocalListVersionResponse(version_number=2)),),
    "ClearCache": (_ex("full", au.ClearCacheRequest(),
                       au.ClearCacheResponse(status=au.ClearCacheStatus.Accepted,
                                             status_info=STATUS_INFO)),),
    "SetChargingProfile": (
        _ex("transaction", sc.SetChargingProfileRequest(evse_id=1, charging_profile=PROFILE),
            sc.SetChargingProfileResponse(status=sc.ChargingProfileStatus.Accepted,
                                          status_info=STATUS_INFO)),
        _ex("default", sc.SetChargingProfileRequest(evse_id=0, charging_profile=DEFAULT_PROFILE),
            sc.SetChargingProfileResponse(status=sc.ChargingProfileStatus.Rejected)),
    ),
    "ClearChargingProfile": (_ex(
        "full", sc.ClearChargingProfileRequest(charging_profile_id=7, evse_id=1,
                                               purpose=sc.ChargingProfilePurpose.TxProfile,
                                               stack_level=1),
        sc.ClearChargingProfileResponse(status=sc.ClearChargingProfileStatus.Accepted,
                                        status_info=STATUS_INFO)),),
    "GetCompositeSchedule": (_ex(
        "full", sc.GetCompositeScheduleRequest(evse_id=1, duration=3600,
                                               charging_rate_unit=sc.ChargingRateUnit.A),
        sc.GetCompositeScheduleResponse(
            status=sc.GetCompositeScheduleStatus.Accepted, status_info=STATUS_INFO,
            schedule=sc.CompositeSchedule(evse_id=1, charging_rate_unit=sc.ChargingRateUnit.A,
                                          periods=SCHEDULE.periods, duration=3600,
                                          schedule_start=T0, min_charging_rate="6.0"))),),
}


def prime(station: Adapter) -> None:
    """Make a station know :data:`REMOTE_TRANSACTION_ID` (bound to the same 1.x integer)."""
    station.transactions.restore(TransactionEntry(
        transaction_id=REMOTE_TRANSACTION_ID, wire_id=int(REMOTE_TRANSACTION_ID), evse_id=1))


@attrs.frozen
class Exchange:
    """One request/response exchange between two adapters of the same version.

    Each step is ``None`` when an earlier one was unsupported. ``wire_request`` and
    ``wire_response`` are ``(action, payload)`` after strict validation.
    """

    request_out: Converted[Any] | Unsupported
    wire_request: tuple[str, dict[str, Any]] | None = None
    request_in: Converted[GenericMessage] | Unsupported | None = None
    response_out: Converted[Any] | Unsupported | None = None
    wire_response: tuple[str, dict[str, Any]] | None = None
    response_in: Converted[GenericMessage] | Unsupported | None = None


def _over_the_wire(version: Version, message: Any) -> tuple[str, dict[str, Any], Any]:
    action, kind, payload = codec.encode(version, message)
    text = codec.dumps(payload)
    return action, payload, codec.decode(version, action, kind, codec.loads(text))


def exchange(example: Example, sender: Adapter, receiver: Adapter,
             now: float | None = None) -> Exchange:
    """Send ``example.request`` from ``sender`` to ``receiver`` and the response back,
    encoding and decoding with strict validation in both directions."""
    version = sender.version
    out = sender.to_wire_message(example.request, now=now)
    if isinstance(out, Unsupported):
        return Exchange(out)
    action, payload, decoded = _over_the_wire(version, out.message)
    received = receiver.from_wire_message(decoded, now=now)
    if isinstance(received, Unsupported):
        return Exchange(out, (action, payload), received)
    answer = receiver.to_wire_message(example.response, request=received.message, now=now)
    if isinstance(answer, Unsupported):
        return Exchange(out, (action, payload), received, answer)
    r_action, r_payload, r_decoded = _over_the_wire(version, answer.message)
    back = sender.from_wire_message(r_decoded, request=example.request, now=now)
    return Exchange(out, (action, payload), received, answer, (r_action, r_payload), back)


def sender_role(operation: str) -> Role:
    """The role that sends ``operation``'s request (the station for DataTransfer)."""
    spec = OPERATIONS[operation]
    return Role.STATION if spec.direction.sent_by_station() else Role.CSMS
