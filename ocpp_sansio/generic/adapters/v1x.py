"""The OCPP 1.5 and 1.6 adapter (one class, the version differences branch on ``self.v15``).

Section numbers cite OCPP 1.6 (edition 2); 1.5 has the same operations in the same places
unless said otherwise. What 1.x cannot say is documented on the generic classes; this module
holds the mechanics:

- transaction ids: station side, :class:`~ocpp_sansio.generic.txmap.TransactionMap`
  (bound when StartTransaction.conf arrives, section 4.8; purged when the ``Ended`` event is
  converted); CSMS side, the generic id is the integer id in decimal, allocated when
  StartTransaction.req is read (``transaction_ids``, default 1, 2, 3...);
- 1.x MeterValues.req with a ``transactionId`` is a generic ``Updated`` event, without one a
  generic MeterValues request (section 4.7);
- sample values are decimal text (section 7.43 ``SampledValue``), generic ones Decimal.
"""

import itertools
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from ... import codec
from ...version import Version
from .. import authorization as au
from .. import availability as av
from .. import common as cm
from .. import configuration as co
from .. import data_transfer as dt
from .. import firmware as fw
from .. import metering as me
from .. import provisioning as pr
from .. import reservation as rs
from .. import smart_charging as sc
from .. import transactions as tx
from ..common import Role
from ..outcome import GenericUsageError
from ..outcome import UnsupportedReason as Why
from ..txmap import TransactionEntry, TransactionMap
from .base import Ctx, EnumMap, converts, join, reads
from .shared import SharedAdapter, number

_NEW_STATUSES_2X = ("NoCredit", "NotAllowedTypeEVSE", "NotAtThisLocation", "NotAtThisTime",
                    "Unknown")
_IN_USE_16 = ("Preparing", "Charging", "SuspendedEVSE", "SuspendedEV", "Finishing")


def decimal_text(value: Decimal) -> str:
    """A Decimal as 1.x decimal text (no exponent)."""
    return format(value, "f")


class V1xAdapter(SharedAdapter):
    """Generic <-> OCPP 1.5 / 1.6 (subclassed per version).

    The enumeration maps are class attributes, built once per version on the first
    instantiation and shared by every instance (:meth:`BaseAdapter._share`); the 1.6-only
    ones are absent from the 1.5 class.
    """

    v15: ClassVar[bool]  #: whether this is the 1.5 adapter (shared)
    registration: ClassVar[EnumMap]
    authorization: ClassVar[EnumMap]
    connector_status: ClassVar[EnumMap]
    error_code: ClassVar[EnumMap]
    availability: ClassVar[EnumMap]
    availability_status: ClassVar[EnumMap]
    unlock_status: ClassVar[EnumMap]
    reset_status: ClassVar[EnumMap]
    config_status: ClassVar[EnumMap]
    data_transfer_status: ClassVar[EnumMap]
    firmware_status: ClassVar[EnumMap]
    diagnostics_status: ClassVar[EnumMap]
    reservation_status: ClassVar[EnumMap]
    cancel_status: ClassVar[EnumMap]
    update_type: ClassVar[EnumMap]
    local_list_status: ClassVar[EnumMap]
    cache_status: ClassVar[EnumMap]
    start_stop_status: ClassVar[EnumMap]
    measurand: ClassVar[EnumMap]
    context: ClassVar[EnumMap]
    location: ClassVar[EnumMap]
    unit: ClassVar[EnumMap]
    phase: ClassVar[EnumMap]
    stop_reason: ClassVar[EnumMap]
    trigger: ClassVar[EnumMap]
    trigger_status: ClassVar[EnumMap]
    signed_firmware_status: ClassVar[EnumMap]
    update_firmware_status: ClassVar[EnumMap]
    log_status: ClassVar[EnumMap]
    upload_status: ClassVar[EnumMap]
    purpose: ClassVar[EnumMap]
    profile_kind: ClassVar[EnumMap]
    recurrency: ClassVar[EnumMap]
    rate_unit: ClassVar[EnumMap]
    profile_status: ClassVar[EnumMap]
    clear_profile_status: ClassVar[EnumMap]
    composite_status: ClassVar[EnumMap]

    def __init__(self, role: Role, *, transactions: TransactionMap | None = None,
                 transaction_ids: Callable[[], int] | None = None) -> None:
        super().__init__(role, transactions=transactions)
        #: CSMS side: the integer id given to each new transaction (StartTransaction.conf)
        self.transaction_ids = transaction_ids or itertools.count(1).__next__

    # -- enumerations ---------------------------------------------------------------------

    @classmethod
    def _build_maps(cls) -> None:
        cls.v15 = v15 = cls.version is Version.V15
        m = cls.m
        cls.registration = EnumMap(pr.RegistrationStatus, m.RegistrationStatus,
                                   approx_out={"Pending": "Rejected"} if v15 else None)
        cls.authorization = EnumMap(cm.AuthorizationStatus, m.AuthorizationStatus,
                                    approx_out=dict.fromkeys(_NEW_STATUSES_2X, "Invalid"))
        cls.connector_status = EnumMap(
            av.ConnectorStatus, m.ChargePointStatus,
            approx_out=dict.fromkeys(_IN_USE_16, "Occupied") if v15 else None)
        if v15:
            error_approx = {"EVCommunicationError": "Mode3Error", "InternalError": "OtherError",
                            "LocalListConflict": "OtherError", "OverVoltage": "OtherError"}
        else:
            error_approx = {"Mode3Error": "EVCommunicationError"}
        cls.error_code = EnumMap(av.ConnectorErrorCode, m.ChargePointErrorCode,
                                 approx_out=error_approx)
        cls.availability = EnumMap(av.OperationalStatus, m.AvailabilityType)
        cls.availability_status = EnumMap(av.ChangeAvailabilityStatus, m.AvailabilityStatus)
        unlock_failed = "Rejected" if v15 else "UnlockFailed"
        cls.unlock_status = EnumMap(
            av.UnlockStatus, m.UnlockStatus,
            renames={"Unlocked": "Accepted", "UnlockFailed": "Rejected"} if v15 else None,
            approx_out=dict.fromkeys(
                ("OngoingAuthorizedTransaction", "UnknownConnector",
                 *(("NotSupported",) if v15 else ())), unlock_failed))
        cls.reset_status = EnumMap(pr.ResetStatus, m.ResetStatus,
                                   approx_out={"Scheduled": "Accepted"})
        cls.config_status = EnumMap(
            co.SetConfigurationStatus, m.ConfigurationStatus,
            renames={"UnknownVariable": "NotSupported"},
            approx_out={"UnknownComponent": "NotSupported",
                        "NotSupportedAttributeType": "Rejected",
                        **({"RebootRequired": "Accepted"} if v15 else {})})
        cls.data_transfer_status = EnumMap(dt.DataTransferStatus, m.DataTransferStatus)
        cls.firmware_status = EnumMap(fw.FirmwareStatus, m.FirmwareStatus)
        cls.diagnostics_status = EnumMap(fw.UploadLogStatus, m.DiagnosticsStatus,
                                         renames={"UploadFailure": "UploadFailed"})
        cls.reservation_status = EnumMap(rs.ReserveNowStatus, m.ReservationStatus)
        cls.cancel_status = EnumMap(rs.CancelReservationStatus, m.CancelReservationStatus)
        cls.update_type = EnumMap(au.UpdateType, m.UpdateType)
        cls.local_list_status = EnumMap(au.SendLocalListStatus, m.UpdateStatus,
                                        approx_out=None if v15 else {"HashError": "Failed"})
        cls.cache_status = EnumMap(au.ClearCacheStatus, m.ClearCacheStatus)
        cls.start_stop_status = EnumMap(tx.RequestStartStopStatus, m.RemoteStartStopStatus)
        cls.measurand = EnumMap(me.Measurand, m.Measurand)
        cls.context = EnumMap(me.ReadingContext, m.ReadingContext)
        cls.location = EnumMap(me.Location, m.Location)
        cls.unit = EnumMap(me.UnitOfMeasure, m.UnitOfMeasure,
                           renames={"A": "Amp", "V": "Volt"} if v15 else None,
                           normalize_in=None if v15 else {"Celcius": "Celsius"})
        if v15:
            return
        cls.phase = EnumMap(me.Phase, m.Phase)
        cls.stop_reason = EnumMap(
            tx.StopReason, m.Reason,
            approx_out=dict.fromkeys(
                ("EnergyLimitReached", "GroundFault", "ImmediateReset", "LocalOutOfCredit",
                 "MasterPass", "OvercurrentFault", "PowerQuality", "SOCLimitReached",
                 "StoppedByEV", "TimeLimitReached", "Timeout", "ReqEnergyTransferRejected"),
                "Other"))
        cls.trigger = EnumMap(pr.MessageTrigger, m.MessageTrigger,
                              renames={"LogStatusNotification": "DiagnosticsStatusNotification"})
        cls.trigger_status = EnumMap(pr.TriggerMessageStatus, m.TriggerMessageStatus)
        cls.signed_firmware_status = EnumMap(fw.FirmwareStatus, m.FirmwareStatusEnumType)
        cls.update_firmware_status = EnumMap(fw.UpdateFirmwareStatus,
                                             m.UpdateFirmwareStatusEnumType)
        cls.log_type = EnumMap(fw.LogType, m.LogEnumType)
        cls.log_status = EnumMap(fw.LogStatus, m.LogStatusEnumType)
        cls.upload_status = EnumMap(fw.UploadLogStatus, m.UploadLogStatusEnumType)
        cls.purpose = EnumMap(sc.ChargingProfilePurpose, m.ChargingProfilePurposeType,
                              renames={"ChargingStationMaxProfile": "ChargePointMaxProfile"})
        cls.profile_kind = EnumMap(sc.ChargingProfileKind, m.ChargingProfileKindType)
        cls.recurrency = EnumMap(sc.RecurrencyKind, m.RecurrencyKindType)
        cls.rate_unit = EnumMap(sc.ChargingRateUnit, m.ChargingRateUnitType)
        cls.profile_status = EnumMap(sc.ChargingProfileStatus, m.ChargingProfileStatus)
        cls.clear_profile_status = EnumMap(sc.ClearChargingProfileStatus,
                                           m.ClearChargingProfileStatus)
        cls.composite_status = EnumMap(sc.GetCompositeScheduleStatus,
                                       m.GetCompositeScheduleStatus)

    # -- shared pieces --------------------------------------------------------------------

    def _id_tag(self, token: cm.IdToken, ctx: Ctx, path: str) -> str:
        ctx.unread(token, {"value"}, path)
        return token.value

    def _id_tag_info_out(self, info: cm.IdTokenInfo, ctx: Ctx, path: str) -> Any:
        ctx.unread(info, {"status", "cache_expiry_date_time", "group_id_token"}, path)
        parent = None
        if info.group_id_token is not None:
            parent = self._id_tag(info.group_id_token, ctx, join(path, "group_id_token"))
        return self.cls("IdTagInfo")(
            status=self.authorization.out(info.status, ctx, join(path, "status")),
            expiry_date=info.cache_expiry_date_time, parent_id_tag=parent)

    def _id_tag_info_in(self, info: Any, ctx: Ctx, path: str) -> cm.IdTokenInfo:
        ctx.unread(info, {"status", "expiry_date", "parent_id_tag"}, path)
        parent = None if info.parent_id_tag is None else cm.IdToken(value=info.parent_id_tag)
        return cm.IdTokenInfo(
            status=self.authorization.into(info.status, ctx, join(path, "status")),
            cache_expiry_date_time=info.expiry_date, group_id_token=parent)

    def _single_connector(self, connector_id: int | None, ctx: Ctx, path: str,
                          optional: bool = True) -> None:
        """1.x has one connector per EVSE: ``connector_id`` must be ``None`` or 1 (an
        optional 1 is implied by the EVSE: reported normalized, it reads back as ``None``)."""
        if connector_id is None:
            return
        if connector_id != 1:
            raise ctx.refuse(Why.FIELD, path, "1.x addresses EVSEs (connectorId), not the "
                                              "connectors of an EVSE")
        if optional:
            ctx.normalized(path, "connector 1 of an EVSE is the 1.x connector")

    def _no_status_info(self, status_info: cm.StatusInfo | None, ctx: Ctx) -> None:
        if status_info is not None:
            ctx.drop("status_info", "1.x has no status info")

    # transaction ids ---------------------------------------------------------------------

    def _wire_transaction_id(self, transaction_id: str, ctx: Ctx, path: str) -> int:
        """The 1.x integer id of a generic transaction id."""
        if self.role is Role.CSMS:
            if transaction_id.isascii() and transaction_id.lstrip("-").isdigit():
                return int(transaction_id)
            raise ctx.refuse(Why.VALUE, path, "a 1.x transaction id is an integer: the CSMS "
                                              "side uses the decimal form the adapter gave")
        entry = self._entry(transaction_id, ctx, path)
        assert entry.wire_id is not None
        return entry.wire_id

    def _entry(self, transaction_id: str, ctx: Ctx, path: str) -> TransactionEntry:
        entry = self.transactions.get(transaction_id, ctx.now)
        if entry is None:
            raise ctx.refuse(Why.UNKNOWN_TRANSACTION, path,
                             f"transaction {transaction_id!r} is not known (not started, "
                             f"ended, or removed by the map's bounds)")
        if entry.wire_id is None:
            raise ctx.refuse(Why.PENDING_TRANSACTION, path,
                             "StartTransaction.conf has not assigned the 1.x id yet")
        return entry

    def _generic_transaction_id(self, wire_id: int, ctx: Ctx, path: str,
                                reply: Any = None) -> str:
        """The generic id of a 1.x integer id."""
        if self.role is Role.CSMS:
            return str(wire_id)
        entry = self.transactions.find_wire_id(wire_id, ctx.now)
        if entry is None:
            raise ctx.refuse(Why.UNKNOWN_TRANSACTION, path,
                             f"1.x transaction {wire_id} is not known here", reply=reply)
        return entry.transaction_id

    # meter values ------------------------------------------------------------------------

    def _sample_out(self, sv: me.SampledValue, ctx: Ctx, path: str) -> Any:
        """A 1.x sample, or ``None`` (reported) when 1.x cannot express it."""
        fields: dict[str, Any] = {}
        maps = [("measurand", self.measurand), ("context", self.context),
                ("location", self.location)]
        if sv.phase is not None:
            if self.v15:
                ctx.drop(path, "1.5 samples have no phase")
                return None
            maps.append(("phase", self.phase))
        for name, emap in maps:
            value = getattr(sv, name)
            if value is None:
                continue
            wire = emap.out(value, ctx, join(path, name))
            if wire is None:
                ctx.drop(path, f"{name} {value} does not exist in {self.version}")
                return None
            fields[name] = wire
        if sv.unit is not None:
            unit = self.unit.out(sv.unit, ctx, join(path, "unit"))
            if unit is None:
                ctx.drop(path, f"unit {sv.unit} does not exist in {self.version}")
                return None
            fields["unit"] = unit
        signed_data = self.cls("ValueFormat").SignedData
        if sv.value is None:
            if sv.signed_meter_value is None:
                ctx.drop(path, "a sample without value")
                return None
            ctx.unread(sv.signed_meter_value, {"signed_meter_data"},
                       join(path, "signed_meter_value"))
            if sv.multiplier:
                ctx.drop(join(path, "multiplier"), "a signed sample has no multiplier in 1.x")
            text, fields["format"] = sv.signed_meter_value.signed_meter_data, signed_data
        else:
            value = sv.value
            if sv.multiplier is not None:
                value = value.scaleb(sv.multiplier)
                ctx.normalized(join(path, "multiplier"), "folded into the value")
            text = decimal_text(value)
            if sv.signed_meter_value is not None:
                ctx.drop(join(path, "signed_meter_value"),
                         "a 1.x sample is either a reading or its signed form")
        cls = self.cls("MeterValueValue" if self.v15 else "SampledValue")
        return cls(value=text, **fields)

    def _meter_values_out(self, values: tuple[me.MeterValue, ...], ctx: Ctx,
                          path: str) -> list[Any]:
        out = []
        for i, mv in enumerate(values):
            where = f"{path}[{i}]"
            samples = [s for j, sv in enumerate(mv.sampled_values)
                       if (s := self._sample_out(sv, ctx, f"{where}.sampled_values[{j}]"))
                       is not None]
            if not samples:
                ctx.drop(where, "no sample left that the version can express")
                continue
            if self.v15:
                out.append(self.cls("MeterValue")(timestamp=mv.timestamp, value=samples))
            else:
                out.append(self.cls("MeterValue")(timestamp=mv.timestamp, sampled_value=samples))
        return out

    def _sample_in(self, s: Any, ctx: Ctx, path: str) -> me.SampledValue | None:
        used = {"value", "format", "measurand", "context", "location", "unit"}
        signed = None
        value: Decimal | None = None
        if s.format == "SignedData":
            signed = me.SignedMeterValue(signed_meter_data=s.value)
        else:
            try:
                value = Decimal(s.value)
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                ctx.drop(path, "the value is not a decimal number")
                return None
            if decimal_text(value) != s.value:
                ctx.normalized(join(path, "value"), f"{s.value!r} read as {decimal_text(value)}")
        phase = None
        if not self.v15:
            used.add("phase")
            if s.phase is not None:
                phase = self.phase.into(s.phase, ctx, join(path, "phase"))
        ctx.unread(s, used, path)
        return me.SampledValue(
            value=value, signed_meter_value=signed, phase=phase,
            measurand=None if s.measurand is None else self.measurand.into(
                s.measurand, ctx, join(path, "measurand")),
            context=None if s.context is None else self.context.into(
                s.context, ctx, join(path, "context")),
            location=None if s.location is None else self.location.into(
                s.location, ctx, join(path, "location")),
            unit=None if s.unit is None else self.unit.into(s.unit, ctx, join(path, "unit")))

    def _meter_values_in(self, values: list[Any] | None, ctx: Ctx,
                         path: str) -> tuple[me.MeterValue, ...]:
        out = []
        inner = "value" if self.v15 else "sampled_value"
        for i, mv in enumerate(values or ()):
            where = f"{path}[{i}]"
            ctx.unread(mv, {"timestamp", inner}, where)
            samples = [s for j, w in enumerate(getattr(mv, inner))
                       if (s := self._sample_in(w, ctx, f"{where}.{inner}[{j}]")) is not None]
            if samples:
                out.append(me.MeterValue(timestamp=mv.timestamp, sampled_values=tuple(samples)))
        return tuple(out)

    # charging profiles (1.6) -------------------------------------------------------------

    def _profile_out(self, p: sc.ChargingProfile, ctx: Ctx, path: str) -> Any:
        if len(p.schedules) != 1:
            raise ctx.refuse(Why.FIELD, join(path, "schedules"),
                             "a 1.6 profile carries exactly one schedule")
        s = p.schedules[0]
        where = join(path, "schedules[0]")
        ctx.unread(s, {"charging_rate_unit", "periods", "start_schedule", "duration",
                       "min_charging_rate"}, where)
        periods = []
        for i, period in enumerate(s.periods):
            ctx.unread(period, {"start_period", "limit", "number_phases"},
                       f"{where}.periods[{i}]")
            periods.append(self.cls("ChargingSchedulePeriod")(
                start_period=period.start_period, limit=number(period.limit),
                number_phases=period.number_phases))
        schedule = self.cls("ChargingSchedule")(
            duration=s.duration, start_schedule=s.start_schedule,
            charging_rate_unit=ctx.enum_out(self.rate_unit, s.charging_rate_unit,
                                            join(where, "charging_rate_unit")),
            charging_schedule_period=periods,
            min_charging_rate=None if s.min_charging_rate is None else number(s.min_charging_rate))
        return self.cls("ChargingProfile")(
            charging_profile_id=p.id, stack_level=p.stack_level,
            transaction_id=None if p.transaction_id is None else self._wire_transaction_id(
                p.transaction_id, ctx, join(path, "transaction_id")),
            charging_profile_purpose=ctx.enum_out(self.purpose, p.purpose,
                                                  join(path, "purpose")),
            charging_profile_kind=ctx.enum_out(self.profile_kind, p.kind, join(path, "kind")),
            recurrency_kind=None if p.recurrency_kind is None else ctx.enum_out(
                self.recurrency, p.recurrency_kind, join(path, "recurrency_kind")),
            valid_from=p.valid_from, valid_to=p.valid_to, charging_schedule=schedule)

    def _periods_in(self, periods: list[Any], ctx: Ctx,
                    path: str) -> tuple[sc.ChargingSchedulePeriod, ...]:
        out = []
        for i, period in enumerate(periods):
            ctx.unread(period, {"start_period", "limit", "number_phases"}, f"{path}[{i}]")
            out.append(sc.ChargingSchedulePeriod(start_period=period.start_period,
                                                 limit=period.limit,
                                                 number_phases=period.number_phases))
        return tuple(out)

    def _profile_in(self, p: Any, ctx: Ctx, path: str, reply: Any) -> sc.ChargingProfile:
        ctx.unread(p, {"charging_profile_id", "transaction_id", "stack_level",
                       "charging_profile_purpose", "charging_profile_kind", "recurrency_kind",
                       "valid_from", "valid_to", "charging_schedule"}, path)
        s = p.charging_schedule
        where = join(path, "charging_schedule")
        ctx.unread(s, {"duration", "start_schedule", "charging_rate_unit",
                       "charging_schedule_period", "min_charging_rate"}, where)
        schedule = sc.ChargingSchedule(
            charging_rate_unit=self.rate_unit.into(s.charging_rate_unit, ctx,
                                                   join(where, "charging_rate_unit")),
            periods=self._periods_in(s.charging_schedule_period, ctx,
                                     join(where, "charging_schedule_period")),
            start_schedule=s.start_schedule, duration=s.duration,
            min_charging_rate=s.min_charging_rate)
        return sc.ChargingProfile(
            id=p.charging_profile_id, stack_level=p.stack_level,
            purpose=self.purpose.into(p.charging_profile_purpose, ctx,
                                      join(path, "charging_profile_purpose")),
            kind=self.profile_kind.into(p.charging_profile_kind, ctx,
                                        join(path, "charging_profile_kind")),
            schedules=(schedule,),
            recurrency_kind=None if p.recurrency_kind is None else self.recurrency.into(
                p.recurrency_kind, ctx, join(path, "recurrency_kind")),
            valid_from=p.valid_from, valid_to=p.valid_to,
            transaction_id=None if p.transaction_id is None else self._generic_transaction_id(
                p.transaction_id, ctx, join(path, "transaction_id"), reply=reply))

    # -- boot, heartbeat ------------------------------------------------------------------

    @converts(pr.BootNotificationRequest, "BootNotification")
    def _boot(self, g: pr.BootNotificationRequest, ctx: Ctx) -> Any:
        ctx.unread(g, {"vendor", "model", "serial_number", "firmware_version", "iccid", "imsi",
                       "charge_box_serial_number", "meter_type", "meter_serial_number"})
        return self.cls("BootNotificationRequest")(
            charge_point_vendor=g.vendor, charge_point_model=g.model,
            charge_point_serial_number=g.serial_number,
            charge_box_serial_number=g.charge_box_serial_number,
            firmware_version=g.firmware_version, iccid=g.iccid, imsi=g.imsi,
            meter_type=g.meter_type, meter_serial_number=g.meter_serial_number)

    @reads("BootNotification", "request", ["charge_point_vendor", "charge_point_model",
                                            "charge_point_serial_number",
                                            "charge_box_serial_number", "firmware_version",
                                            "iccid", "imsi", "meter_type",
                                            "meter_serial_number"])
    def _boot_in(self, w: Any, ctx: Ctx) -> pr.BootNotificationRequest:
        return pr.BootNotificationRequest(
            vendor=w.charge_point_vendor, model=w.charge_point_model,
            serial_number=w.charge_point_serial_number, firmware_version=w.firmware_version,
            iccid=w.iccid, imsi=w.imsi, charge_box_serial_number=w.charge_box_serial_number,
            meter_type=w.meter_type, meter_serial_number=w.meter_serial_number)

    @converts(pr.BootNotificationResponse, "BootNotification")
    def _boot_conf(self, g: pr.BootNotificationResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        status = self.registration.out(g.status, ctx, "status")
        if self.v15:
            return self.cls("BootNotificationResponse")(
                status=status, current_time=g.current_time, heartbeat_interval=g.interval)
        return self.cls("BootNotificationResponse")(status=status, current_time=g.current_time,
                                                    interval=g.interval)

    @reads("BootNotification", "response", ["status", "current_time", "interval",
                                             "heartbeat_interval"])
    def _boot_conf_in(self, w: Any, ctx: Ctx) -> pr.BootNotificationResponse:
        interval = w.heartbeat_interval if self.v15 else w.interval
        return pr.BootNotificationResponse(
            status=self.registration.into(w.status, ctx, "status"), current_time=w.current_time,
            interval=interval)

    # -- status, availability, unlock -----------------------------------------------------

    @converts(av.StatusNotificationRequest, "StatusNotification")
    def _status(self, g: av.StatusNotificationRequest, ctx: Ctx) -> Any:
        self._single_connector(g.connector_id, ctx, "connector_id", optional=False)
        ctx.unread(g, {"evse_id", "status", "connector_id", "timestamp", "error_code", "info",
                       "vendor_id", "vendor_error_code"})
        return self.cls("StatusNotificationRequest")(
            connector_id=g.evse_id, status=ctx.enum_out(self.connector_status, g.status, "status"),
            error_code=ctx.enum_out(self.error_code, g.error_code, "error_code"), info=g.info,
            timestamp=g.timestamp, vendor_id=g.vendor_id, vendor_error_code=g.vendor_error_code)

    @reads("StatusNotification", "request", ["connector_id", "status", "error_code", "info",
                                              "timestamp", "vendor_id", "vendor_error_code"])
    def _status_in(self, w: Any, ctx: Ctx) -> av.StatusNotificationRequest:
        return av.StatusNotificationRequest(
            evse_id=w.connector_id, status=self.connector_status.into(w.status, ctx, "status"),
            timestamp=w.timestamp, error_code=self.error_code.into(w.error_code, ctx, "error_code"),
            info=w.info, vendor_id=w.vendor_id, vendor_error_code=w.vendor_error_code)

    @converts(av.ChangeAvailabilityRequest, "ChangeAvailability")
    def _availability(self, g: av.ChangeAvailabilityRequest, ctx: Ctx) -> Any:
        self._single_connector(g.connector_id, ctx, "connector_id")
        return self.cls("ChangeAvailabilityRequest")(
            connector_id=0 if g.evse_id is None else g.evse_id,
            type=self.availability.out(g.operational_status, ctx, "operational_status"))

    @reads("ChangeAvailability", "request", ["connector_id", "type"])
    def _availability_in(self, w: Any, ctx: Ctx) -> av.ChangeAvailabilityRequest:
        return av.ChangeAvailabilityRequest(
            operational_status=self.availability.into(w.type, ctx, "type"),
            evse_id=None if w.connector_id == 0 else w.connector_id)

    @converts(av.ChangeAvailabilityResponse, "ChangeAvailability")
    def _availability_conf(self, g: av.ChangeAvailabilityResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("ChangeAvailabilityResponse")(
            status=self.availability_status.out(g.status, ctx, "status"))

    @reads("ChangeAvailability", "response", ["status"])
    def _availability_conf_in(self, w: Any, ctx: Ctx) -> av.ChangeAvailabilityResponse:
        return av.ChangeAvailabilityResponse(
            status=self.availability_status.into(w.status, ctx, "status"))

    @converts(av.UnlockConnectorRequest, "UnlockConnector")
    def _unlock(self, g: av.UnlockConnectorRequest, ctx: Ctx) -> Any:
        self._single_connector(g.connector_id, ctx, "connector_id", optional=False)
        return self.cls("UnlockConnectorRequest")(connector_id=g.evse_id)

    @reads("UnlockConnector", "request", ["connector_id"])
    def _unlock_in(self, w: Any, ctx: Ctx) -> av.UnlockConnectorRequest:
        return av.UnlockConnectorRequest(evse_id=w.connector_id)

    @converts(av.UnlockConnectorResponse, "UnlockConnector")
    def _unlock_conf(self, g: av.UnlockConnectorResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("UnlockConnectorResponse")(
            status=ctx.enum_out(self.unlock_status, g.status, "status"))

    @reads("UnlockConnector", "response", ["status"])
    def _unlock_conf_in(self, w: Any, ctx: Ctx) -> av.UnlockConnectorResponse:
        return av.UnlockConnectorResponse(status=self.unlock_status.into(w.status, ctx, "status"))

    # -- authorization --------------------------------------------------------------------

    @converts(au.AuthorizeRequest, "Authorize")
    def _authorize(self, g: au.AuthorizeRequest, ctx: Ctx) -> Any:
        return self.cls("AuthorizeRequest")(id_tag=self._id_tag(g.id_token, ctx, "id_token"))

    @reads("Authorize", "request", ["id_tag"])
    def _authorize_in(self, w: Any, ctx: Ctx) -> au.AuthorizeRequest:
        return au.AuthorizeRequest(id_token=cm.IdToken(value=w.id_tag))

    @converts(au.AuthorizeResponse, "Authorize")
    def _authorize_conf(self, g: au.AuthorizeResponse, ctx: Ctx) -> Any:
        return self.cls("AuthorizeResponse")(
            id_tag_info=self._id_tag_info_out(g.id_token_info, ctx, "id_token_info"))

    @reads("Authorize", "response", ["id_tag_info"])
    def _authorize_conf_in(self, w: Any, ctx: Ctx) -> au.AuthorizeResponse:
        return au.AuthorizeResponse(
            id_token_info=self._id_tag_info_in(w.id_tag_info, ctx, "id_tag_info"))

    def _local_entry_out(self, e: au.AuthorizationEntry, ctx: Ctx, path: str) -> Any:
        cls = self.cls("AuthorisationData" if self.v15 else "AuthorizationData")
        return cls(id_tag=self._id_tag(e.id_token, ctx, join(path, "id_token")),
                   id_tag_info=None if e.id_token_info is None else self._id_tag_info_out(
                       e.id_token_info, ctx, join(path, "id_token_info")))

    @converts(au.SendLocalListRequest, "SendLocalList")
    def _local_list(self, g: au.SendLocalListRequest, ctx: Ctx) -> Any:
        entries = [self._local_entry_out(e, ctx, f"entries[{i}]") for i, e in enumerate(g.entries)]
        update_type = self.update_type.out(g.update_type, ctx, "update_type")
        if self.v15:
            return self.cls("SendLocalListRequest")(
                update_type=update_type, list_version=g.version_number,
                local_authorisation_list=entries or None, hash=g.hash)
        if g.hash is not None:
            ctx.drop("hash", "1.6 sends no list hash")
        return self.cls("SendLocalListRequest")(
            list_version=g.version_number, update_type=update_type,
            local_authorization_list=entries or None)

    @reads("SendLocalList", "request", ["update_type", "list_version", "hash",
                                         "local_authorisation_list", "local_authorization_list"])
    def _local_list_in(self, w: Any, ctx: Ctx) -> au.SendLocalListRequest:
        name = "local_authorisation_list" if self.v15 else "local_authorization_list"
        entries = []
        for i, e in enumerate(getattr(w, name) or ()):
            where = f"{name}[{i}]"
            ctx.unread(e, {"id_tag", "id_tag_info"}, where)
            entries.append(au.AuthorizationEntry(
                id_token=cm.IdToken(value=e.id_tag),
                id_token_info=None if e.id_tag_info is None else self._id_tag_info_in(
                    e.id_tag_info, ctx, join(where, "id_tag_info"))))
        return au.SendLocalListRequest(
            version_number=w.list_version,
            update_type=self.update_type.into(w.update_type, ctx, "update_type"),
            entries=tuple(entries), hash=w.hash if self.v15 else None)

    @converts(au.SendLocalListResponse, "SendLocalList")
    def _local_list_conf(self, g: au.SendLocalListResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        status = self.local_list_status.out(g.status, ctx, "status")
        if self.v15:
            return self.cls("SendLocalListResponse")(status=status, hash=g.hash)
        if g.hash is not None:
            ctx.drop("hash", "1.6 sends no list hash")
        return self.cls("SendLocalListResponse")(status=status)

    @reads("SendLocalList", "response", ["status", "hash"])
    def _local_list_conf_in(self, w: Any, ctx: Ctx) -> au.SendLocalListResponse:
        return au.SendLocalListResponse(
            status=self.local_list_status.into(w.status, ctx, "status"),
            hash=w.hash if self.v15 else None)

    @converts(au.GetLocalListVersionResponse, "GetLocalListVersion")
    def _list_version_conf(self, g: au.GetLocalListVersionResponse, ctx: Ctx) -> Any:
        return self.cls("GetLocalListVersionResponse")(list_version=g.version_number)

    @reads("GetLocalListVersion", "response", ["list_version"])
    def _list_version_conf_in(self, w: Any, ctx: Ctx) -> au.GetLocalListVersionResponse:
        return au.GetLocalListVersionResponse(version_number=w.list_version)

    @converts(au.ClearCacheResponse, "ClearCache")
    def _clear_cache_conf(self, g: au.ClearCacheResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("ClearCacheResponse")(status=self.cache_status.out(g.status, ctx, "status"))

    @reads("ClearCache", "response", ["status"])
    def _clear_cache_conf_in(self, w: Any, ctx: Ctx) -> au.ClearCacheResponse:
        return au.ClearCacheResponse(status=self.cache_status.into(w.status, ctx, "status"))

    # -- transactions ---------------------------------------------------------------------

    @converts(tx.TransactionEventRequest, "StartTransaction", "MeterValues", "StopTransaction",
              notes="Started -> StartTransaction, Updated -> MeterValues with transactionId, "
                    "Ended -> StopTransaction; station-side ids via the TransactionMap")
    def _transaction_event(self, g: tx.TransactionEventRequest, ctx: Ctx) -> Any:
        if g.event_type is tx.TransactionEventType.Started:
            return self._start(g, ctx)
        if g.event_type is tx.TransactionEventType.Updated:
            return self._update(g, ctx)
        return self._stop(g, ctx)

    def _start(self, g: tx.TransactionEventRequest, ctx: Ctx) -> Any:
        if g.evse_id is None:
            raise ctx.refuse(Why.MISSING, "evse_id", "StartTransaction needs a connectorId")
        if g.id_token is None:
            raise ctx.refuse(Why.MISSING, "id_token", "StartTransaction needs an idTag")
        if g.meter_wh is None:
            raise ctx.refuse(Why.MISSING, "meter_wh", "StartTransaction needs meterStart")
        if g.transaction_id in self.transactions:
            raise ctx.refuse(Why.VALUE, "transaction_id",
                             f"transaction {g.transaction_id!r} is already in progress")
        self._single_connector(g.connector_id, ctx, "connector_id")
        ctx.unread(g, {"event_type", "transaction_id", "timestamp", "evse_id", "connector_id",
                       "id_token", "meter_wh", "reservation_id"})
        message = self.cls("StartTransactionRequest")(
            connector_id=g.evse_id, id_tag=self._id_tag(g.id_token, ctx, "id_token"),
            meter_start=g.meter_wh, reservation_id=g.reservation_id, timestamp=g.timestamp)
        self.transactions.start(g.transaction_id, evse_id=g.evse_id,
                                connector_id=g.connector_id, now=ctx.now)
        return message

    def _update(self, g: tx.TransactionEventRequest, ctx: Ctx) -> Any:
        entry = self._entry(g.transaction_id, ctx, "transaction_id")
        evse_id = g.evse_id if g.evse_id is not None else entry.evse_id
        if evse_id is None:
            raise ctx.refuse(Why.MISSING, "evse_id", "MeterValues needs a connectorId")
        if not g.meter_values:
            raise ctx.refuse(Why.FIELD, "meter_values",
                             "1.x reports transaction updates as MeterValues only (charging "
                             "state changes go in StatusNotification)")
        self._single_connector(g.connector_id, ctx, "connector_id")
        if g.timestamp != g.meter_values[0].timestamp:
            ctx.drop("timestamp", "1.x MeterValues carry the meter values' timestamps only")
        ctx.unread(g, {"event_type", "transaction_id", "timestamp", "evse_id", "connector_id",
                       "meter_values"})
        values = self._meter_values_out(g.meter_values, ctx, "meter_values")
        if not values:
            raise ctx.refuse(Why.VALUE, "meter_values",
                             f"no meter value that {self.version} can express")
        if self.v15:
            return self.cls("MeterValuesRequest")(connector_id=evse_id,
                                                  transaction_id=entry.wire_id, values=values)
        return self.cls("MeterValuesRequest")(connector_id=evse_id, transaction_id=entry.wire_id,
                                              meter_value=values)

    def _stop(self, g: tx.TransactionEventRequest, ctx: Ctx) -> Any:
        entry = self._entry(g.transaction_id, ctx, "transaction_id")
        if g.meter_wh is None:
            raise ctx.refuse(Why.MISSING, "meter_wh", "StopTransaction needs meterStop")
        # StopTransaction names no connector: an evse_id/connector_id given is reported lost.
        used = {"event_type", "transaction_id", "timestamp", "id_token", "meter_wh",
                "meter_values"}
        if not self.v15:
            used.add("stopped_reason")
        ctx.unread(g, used)
        values = self._meter_values_out(g.meter_values, ctx, "meter_values")
        id_tag = None if g.id_token is None else self._id_tag(g.id_token, ctx, "id_token")
        if self.v15:
            data = [self.cls("TransactionData")(values=values)] if values else None
            message = self.cls("StopTransactionRequest")(
                transaction_id=entry.wire_id, id_tag=id_tag, timestamp=g.timestamp,
                meter_stop=g.meter_wh, transaction_data=data)
        else:
            message = self.cls("StopTransactionRequest")(
                transaction_id=entry.wire_id, id_tag=id_tag, timestamp=g.timestamp,
                meter_stop=g.meter_wh, transaction_data=values or None,
                reason=None if g.stopped_reason is None else ctx.enum_out(
                    self.stop_reason, g.stopped_reason, "stopped_reason"))
        self.transactions.end(g.transaction_id)  # section 4.10: the transaction is over
        return message

    @reads("StartTransaction", "request", ["connector_id", "id_tag", "meter_start",
                                            "reservation_id", "timestamp"])
    def _start_in(self, w: Any, ctx: Ctx) -> tx.TransactionEventRequest:
        return tx.TransactionEventRequest(
            event_type=tx.TransactionEventType.Started,
            transaction_id=str(self.transaction_ids()), timestamp=w.timestamp,
            evse_id=w.connector_id, id_token=cm.IdToken(value=w.id_tag), meter_wh=w.meter_start,
            reservation_id=w.reservation_id)

    @reads("MeterValues", "request", ["connector_id", "transaction_id", "meter_value", "values"])
    def _meter_values_request_in(self, w: Any, ctx: Ctx) -> Any:
        name = "values" if self.v15 else "meter_value"
        values = self._meter_values_in(getattr(w, name), ctx, name)
        if w.transaction_id is None:
            if not values:
                raise ctx.refuse(Why.FIELD, name, "no meter value to report",
                                 reply=self.cls("MeterValuesResponse")())
            return tx.MeterValuesRequest(evse_id=w.connector_id, meter_values=values)
        transaction_id = self._generic_transaction_id(w.transaction_id, ctx, "transaction_id",
                                                      reply=self.cls("MeterValuesResponse")())
        if not values:
            raise ctx.refuse(Why.FIELD, name, "a transaction update without meter values",
                             reply=self.cls("MeterValuesResponse")())
        return tx.TransactionEventRequest(
            event_type=tx.TransactionEventType.Updated, transaction_id=transaction_id,
            timestamp=values[0].timestamp, evse_id=w.connector_id, meter_values=values)

    @reads("StopTransaction", "request", ["id_tag", "meter_stop", "timestamp", "transaction_id",
                                           "reason", "transaction_data"])
    def _stop_in(self, w: Any, ctx: Ctx) -> tx.TransactionEventRequest:
        if self.v15:
            values: tuple[me.MeterValue, ...] = ()
            for i, data in enumerate(w.transaction_data or ()):
                ctx.unread(data, {"values"}, f"transaction_data[{i}]")
                values += self._meter_values_in(data.values, ctx,
                                                f"transaction_data[{i}].values")
            reason = None
        else:
            values = self._meter_values_in(w.transaction_data, ctx, "transaction_data")
            reason = (None if w.reason is None
                      else self.stop_reason.into(w.reason, ctx, "reason"))
        return tx.TransactionEventRequest(
            event_type=tx.TransactionEventType.Ended,
            transaction_id=self._generic_transaction_id(w.transaction_id, ctx, "transaction_id"),
            timestamp=w.timestamp,
            id_token=None if w.id_tag is None else cm.IdToken(value=w.id_tag),
            meter_wh=w.meter_stop, meter_values=values, stopped_reason=reason)

    @converts(tx.TransactionEventResponse, "StartTransaction", "MeterValues", "StopTransaction")
    def _transaction_event_conf(self, g: tx.TransactionEventResponse, ctx: Ctx) -> Any:
        request: tx.TransactionEventRequest = ctx.request
        ctx.unread(g, {"id_token_info"})
        info = g.id_token_info
        if request.event_type is tx.TransactionEventType.Updated:
            if info is not None:
                ctx.drop("id_token_info", "1.x MeterValues.conf is empty")
            return self.cls("MeterValuesResponse")()
        wire_info = None if info is None else self._id_tag_info_out(info, ctx, "id_token_info")
        if request.event_type is tx.TransactionEventType.Ended:
            return self.cls("StopTransactionResponse")(id_tag_info=wire_info)
        if wire_info is None:
            ctx.default("id_token_info", "StartTransaction.conf needs idTagInfo: Accepted")
            wire_info = self.cls("IdTagInfo")(status=self.cls("AuthorizationStatus").Accepted)
        return self.cls("StartTransactionResponse")(
            id_tag_info=wire_info,
            transaction_id=self._wire_transaction_id(request.transaction_id, ctx,
                                                     "transaction_id"))

    def _transaction_request(self, ctx: Ctx, event: tx.TransactionEventType) -> Any:
        request = ctx.request
        if not isinstance(request, tx.TransactionEventRequest) or request.event_type is not event:
            raise GenericUsageError(f"this response answers a TransactionEvent {event}")
        return request

    @reads("StartTransaction", "response", ["id_tag_info", "transaction_id"])
    def _start_conf_in(self, w: Any, ctx: Ctx) -> tx.TransactionEventResponse:
        request = self._transaction_request(ctx, tx.TransactionEventType.Started)
        self.transactions.bind(request.transaction_id, w.transaction_id, ctx.now)
        return tx.TransactionEventResponse(
            id_token_info=self._id_tag_info_in(w.id_tag_info, ctx, "id_tag_info"))

    @reads("StopTransaction", "response", ["id_tag_info"])
    def _stop_conf_in(self, w: Any, ctx: Ctx) -> tx.TransactionEventResponse:
        self._transaction_request(ctx, tx.TransactionEventType.Ended)
        return tx.TransactionEventResponse(
            id_token_info=None if w.id_tag_info is None else self._id_tag_info_in(
                w.id_tag_info, ctx, "id_tag_info"))

    @reads("MeterValues", "response", [])
    def _meter_values_conf_in(self, w: Any, ctx: Ctx) -> Any:
        if isinstance(ctx.request, tx.TransactionEventRequest):
            return tx.TransactionEventResponse()
        return tx.MeterValuesResponse()

    @converts(tx.MeterValuesRequest, "MeterValues")
    def _meter_values(self, g: tx.MeterValuesRequest, ctx: Ctx) -> Any:
        values = self._meter_values_out(g.meter_values, ctx, "meter_values")
        if self.v15:
            return self.cls("MeterValuesRequest")(connector_id=g.evse_id, values=values or None)
        if not values:
            raise ctx.refuse(Why.VALUE, "meter_values",
                             f"no meter value that {self.version} can express")
        return self.cls("MeterValuesRequest")(connector_id=g.evse_id, meter_value=values)

    @converts(tx.RequestStartTransactionRequest, "RemoteStartTransaction")
    def _remote_start(self, g: tx.RequestStartTransactionRequest, ctx: Ctx) -> Any:
        ctx.unread(g, {"id_token", "evse_id", "charging_profile"})
        id_tag = self._id_tag(g.id_token, ctx, "id_token")
        if self.v15:
            if g.charging_profile is not None:
                ctx.drop("charging_profile", "1.5 has no smart charging")
            return self.cls("RemoteStartTransactionRequest")(id_tag=id_tag,
                                                             connector_id=g.evse_id)
        return self.cls("RemoteStartTransactionRequest")(
            id_tag=id_tag, connector_id=g.evse_id,
            charging_profile=None if g.charging_profile is None else self._profile_out(
                g.charging_profile, ctx, "charging_profile"))

    @reads("RemoteStartTransaction", "request", ["id_tag", "connector_id", "charging_profile"])
    def _remote_start_in(self, w: Any, ctx: Ctx) -> tx.RequestStartTransactionRequest:
        profile = None
        if not self.v15 and w.charging_profile is not None:
            reply = self.cls("RemoteStartTransactionResponse")(
                status=self.cls("RemoteStartStopStatus").Rejected)
            profile = self._profile_in(w.charging_profile, ctx, "charging_profile", reply)
        return tx.RequestStartTransactionRequest(id_token=cm.IdToken(value=w.id_tag),
                                                 evse_id=w.connector_id, charging_profile=profile)

    @converts(tx.RequestStartTransactionResponse, "RemoteStartTransaction")
    def _remote_start_conf(self, g: tx.RequestStartTransactionResponse, ctx: Ctx) -> Any:
        ctx.unread(g, {"status"})
        return self.cls("RemoteStartTransactionResponse")(
            status=self.start_stop_status.out(g.status, ctx, "status"))

    @reads("RemoteStartTransaction", "response", ["status"])
    def _remote_start_conf_in(self, w: Any, ctx: Ctx) -> tx.RequestStartTransactionResponse:
        return tx.RequestStartTransactionResponse(
            status=self.start_stop_status.into(w.status, ctx, "status"))

    @converts(tx.RequestStopTransactionRequest, "RemoteStopTransaction")
    def _remote_stop(self, g: tx.RequestStopTransactionRequest, ctx: Ctx) -> Any:
        return self.cls("RemoteStopTransactionRequest")(
            transaction_id=self._wire_transaction_id(g.transaction_id, ctx, "transaction_id"))

    @reads("RemoteStopTransaction", "request", ["transaction_id"])
    def _remote_stop_in(self, w: Any, ctx: Ctx) -> tx.RequestStopTransactionRequest:
        reply = self.cls("RemoteStopTransactionResponse")(
            status=self.cls("RemoteStartStopStatus").Rejected)
        return tx.RequestStopTransactionRequest(transaction_id=self._generic_transaction_id(
            w.transaction_id, ctx, "transaction_id", reply=reply))

    @converts(tx.RequestStopTransactionResponse, "RemoteStopTransaction")
    def _remote_stop_conf(self, g: tx.RequestStopTransactionResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("RemoteStopTransactionResponse")(
            status=self.start_stop_status.out(g.status, ctx, "status"))

    @reads("RemoteStopTransaction", "response", ["status"])
    def _remote_stop_conf_in(self, w: Any, ctx: Ctx) -> tx.RequestStopTransactionResponse:
        return tx.RequestStopTransactionResponse(
            status=self.start_stop_status.into(w.status, ctx, "status"))

    # -- reset ----------------------------------------------------------------------------

    @converts(pr.ResetRequest, "Reset", notes="Immediate -> Soft, or Hard with hard=True")
    def _reset(self, g: pr.ResetRequest, ctx: Ctx) -> Any:
        if g.type is pr.ResetType.OnIdle:
            raise ctx.refuse(Why.VALUE, "type", "1.x cannot wait for the station to be idle")
        if g.type is pr.ResetType.ImmediateAndResume:
            ctx.approx("type", "ImmediateAndResume sent as an immediate reset")
        if g.evse_id is not None:
            raise ctx.refuse(Why.FIELD, "evse_id", "1.x resets the whole station only")
        reset_type = self.cls("ResetType")
        return self.cls("ResetRequest")(type=reset_type.Hard if g.hard else reset_type.Soft)

    @reads("Reset", "request", ["type"])
    def _reset_in(self, w: Any, ctx: Ctx) -> pr.ResetRequest:
        return pr.ResetRequest(type=pr.ResetType.Immediate, hard=w.type == "Hard")

    @converts(pr.ResetResponse, "Reset")
    def _reset_conf(self, g: pr.ResetResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("ResetResponse")(status=self.reset_status.out(g.status, ctx, "status"))

    @reads("Reset", "response", ["status"])
    def _reset_conf_in(self, w: Any, ctx: Ctx) -> pr.ResetResponse:
        return pr.ResetResponse(status=self.reset_status.into(w.status, ctx, "status"))

    # -- configuration --------------------------------------------------------------------

    def _key_name(self, key: co.ConfigKey, ctx: Ctx, path: str) -> str:
        name = key.name_for_15() if self.v15 else key.name
        if name is None:
            raise ctx.refuse(Why.FIELD, path, "the key has no 1.x name (a 2.0.1 variable with "
                                              "no standard 1.x counterpart)")
        return name

    def _key_in(self, name: str, candidates: tuple[co.ConfigKey, ...]) -> co.ConfigKey:
        for key in candidates:
            if name in (key.name, key.name_for_15()):
                return key
        return co.ConfigKey.named(name)

    @converts(co.GetConfigurationRequest, "GetConfiguration")
    def _get_configuration(self, g: co.GetConfigurationRequest, ctx: Ctx) -> Any:
        names = [self._key_name(k, ctx, f"keys[{i}]") for i, k in enumerate(g.keys)]
        return self.cls("GetConfigurationRequest")(key=names or None)

    @reads("GetConfiguration", "request", ["key"])
    def _get_configuration_in(self, w: Any, ctx: Ctx) -> co.GetConfigurationRequest:
        return co.GetConfigurationRequest(keys=tuple(co.ConfigKey.named(k) for k in w.key or ()))

    @converts(co.GetConfigurationResponse, "GetConfiguration",
              notes="Accepted values -> configurationKey, the others -> unknownKey")
    def _get_configuration_conf(self, g: co.GetConfigurationResponse, ctx: Ctx) -> Any:
        known, unknown = [], []
        for i, value in enumerate(g.values):
            where = f"values[{i}]"
            name = self._key_name(value.key, ctx, join(where, "key"))
            ctx.unread(value, {"key", "status", "value", "readonly"}, where)
            if value.status is co.GetConfigurationStatus.Accepted:
                readonly = value.readonly
                if readonly is None:
                    ctx.default(join(where, "readonly"), "1.x requires readonly: false")
                    readonly = False
                known.append(self.cls("KeyValue")(key=name, readonly=readonly,
                                                  value=value.value))
                continue
            if value.status is not co.GetConfigurationStatus.UnknownVariable:
                ctx.approx(join(where, "status"), f"{value.status} sent as an unknown key")
            if value.value is not None:
                ctx.drop(join(where, "value"), "an unknown key has no value")
            if value.readonly is not None:
                ctx.drop(join(where, "readonly"), "an unknown key has no readonly flag")
            unknown.append(name)
        return self.cls("GetConfigurationResponse")(configuration_key=known or None,
                                                    unknown_key=unknown or None)

    @reads("GetConfiguration", "response", ["configuration_key", "unknown_key"])
    def _get_configuration_conf_in(self, w: Any, ctx: Ctx) -> co.GetConfigurationResponse:
        asked: tuple[co.ConfigKey, ...] = ctx.request.keys
        values = []
        for i, kv in enumerate(w.configuration_key or ()):
            ctx.unread(kv, {"key", "readonly", "value"}, f"configuration_key[{i}]")
            values.append(co.ConfigValue(key=self._key_in(kv.key, asked), value=kv.value,
                                         readonly=kv.readonly))
        for name in w.unknown_key or ():
            values.append(co.ConfigValue(key=self._key_in(name, asked),
                                         status=co.GetConfigurationStatus.UnknownVariable))
        return co.GetConfigurationResponse(values=tuple(values))

    @converts(co.SetConfigurationRequest, "ChangeConfiguration")
    def _set_configuration(self, g: co.SetConfigurationRequest, ctx: Ctx) -> Any:
        if len(g.settings) != 1:
            raise ctx.refuse(Why.FIELD, "settings", "1.x ChangeConfiguration sets one key per "
                                                    "request: send one request per key")
        setting = g.settings[0]
        ctx.unread(setting, {"key", "value"}, "settings[0]")
        return self.cls("ChangeConfigurationRequest")(
            key=self._key_name(setting.key, ctx, "settings[0].key"), value=setting.value)

    @reads("ChangeConfiguration", "request", ["key", "value"])
    def _set_configuration_in(self, w: Any, ctx: Ctx) -> co.SetConfigurationRequest:
        return co.SetConfigurationRequest(
            settings=(co.ConfigSetting(key=co.ConfigKey.named(w.key), value=w.value),))

    @converts(co.SetConfigurationResponse, "ChangeConfiguration")
    def _set_configuration_conf(self, g: co.SetConfigurationResponse, ctx: Ctx) -> Any:
        if not g.results:
            raise ctx.refuse(Why.MISSING, "results", "ChangeConfiguration.conf needs a status")
        for i in range(1, len(g.results)):
            ctx.drop(f"results[{i}]", "1.x answers for one key")
        result = g.results[0]
        ctx.unread(result, {"key", "status"}, "results[0]")
        return self.cls("ChangeConfigurationResponse")(
            status=self.config_status.out(result.status, ctx, "results[0].status"))

    @reads("ChangeConfiguration", "response", ["status"])
    def _set_configuration_conf_in(self, w: Any, ctx: Ctx) -> co.SetConfigurationResponse:
        settings: tuple[co.ConfigSetting, ...] = ctx.request.settings
        return co.SetConfigurationResponse(results=(co.ConfigSetResult(
            key=settings[0].key, status=self.config_status.into(w.status, ctx, "status")),))

    # -- trigger, data transfer -----------------------------------------------------------

    @converts(pr.TriggerMessageRequest, "TriggerMessage")
    def _trigger(self, g: pr.TriggerMessageRequest, ctx: Ctx) -> Any:
        self._single_connector(g.connector_id, ctx, "connector_id")
        ctx.unread(g, {"requested_message", "evse_id", "connector_id"})
        return self.cls("TriggerMessageRequest")(
            requested_message=ctx.enum_out(self.trigger, g.requested_message,
                                           "requested_message"),
            connector_id=g.evse_id)

    @reads("TriggerMessage", "request", ["requested_message", "connector_id"])
    def _trigger_in(self, w: Any, ctx: Ctx) -> pr.TriggerMessageRequest:
        return pr.TriggerMessageRequest(
            requested_message=self.trigger.into(w.requested_message, ctx, "requested_message"),
            evse_id=w.connector_id)

    @converts(pr.TriggerMessageResponse, "TriggerMessage")
    def _trigger_conf(self, g: pr.TriggerMessageResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("TriggerMessageResponse")(
            status=self.trigger_status.out(g.status, ctx, "status"))

    @reads("TriggerMessage", "response", ["status"])
    def _trigger_conf_in(self, w: Any, ctx: Ctx) -> pr.TriggerMessageResponse:
        return pr.TriggerMessageResponse(status=self.trigger_status.into(w.status, ctx, "status"))

    def _data_out(self, data: Any, ctx: Ctx, path: str) -> str | None:
        if data is None or isinstance(data, str):
            return data
        ctx.normalized(path, "1.x data is text: sent as JSON text")
        return codec.dumps(data)

    @converts(dt.DataTransferRequest, "DataTransfer")
    def _data_transfer(self, g: dt.DataTransferRequest, ctx: Ctx) -> Any:
        return self.cls("DataTransferRequest")(vendor_id=g.vendor_id, message_id=g.message_id,
                                               data=self._data_out(g.data, ctx, "data"))

    @reads("DataTransfer", "request", ["vendor_id", "message_id", "data"])
    def _data_transfer_in(self, w: Any, ctx: Ctx) -> dt.DataTransferRequest:
        return dt.DataTransferRequest(vendor_id=w.vendor_id, message_id=w.message_id, data=w.data)

    @converts(dt.DataTransferResponse, "DataTransfer")
    def _data_transfer_conf(self, g: dt.DataTransferResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("DataTransferResponse")(
            status=self.data_transfer_status.out(g.status, ctx, "status"),
            data=self._data_out(g.data, ctx, "data"))

    @reads("DataTransfer", "response", ["status", "data"])
    def _data_transfer_conf_in(self, w: Any, ctx: Ctx) -> dt.DataTransferResponse:
        return dt.DataTransferResponse(
            status=self.data_transfer_status.into(w.status, ctx, "status"), data=w.data)

    # -- firmware, logs -------------------------------------------------------------------

    @converts(fw.UpdateFirmwareRequest, "UpdateFirmware", "SignedUpdateFirmware",
              notes="1.6: SignedUpdateFirmware when a signature is given")
    def _update_firmware(self, g: fw.UpdateFirmwareRequest, ctx: Ctx) -> Any:
        if g.signature is not None or g.signing_certificate is not None:
            if self.v15:
                raise ctx.refuse(Why.FIELD, "signature", "1.5 cannot install signed firmware")
            if g.signature is None or g.signing_certificate is None:
                raise ctx.refuse(Why.MISSING, "signature" if g.signature is None else
                                 "signing_certificate", "SignedUpdateFirmware needs both")
            if g.request_id is None:
                raise ctx.refuse(Why.MISSING, "request_id", "SignedUpdateFirmware needs it")
            return self.cls("SignedUpdateFirmwareRequest")(
                retries=g.retries, retry_interval=g.retry_interval, request_id=g.request_id,
                firmware=self.cls("FirmwareType")(
                    location=g.location, retrieve_date_time=g.retrieve_date_time,
                    install_date_time=g.install_date_time,
                    signing_certificate=g.signing_certificate, signature=g.signature))
        ctx.unread(g, {"location", "retrieve_date_time", "retries", "retry_interval"})
        return self.cls("UpdateFirmwareRequest")(location=g.location,
                                                 retrieve_date=g.retrieve_date_time,
                                                 retries=g.retries,
                                                 retry_interval=g.retry_interval)

    @reads("UpdateFirmware", "request", ["location", "retrieve_date", "retries",
                                          "retry_interval"])
    def _update_firmware_in(self, w: Any, ctx: Ctx) -> fw.UpdateFirmwareRequest:
        return fw.UpdateFirmwareRequest(location=w.location, retrieve_date_time=w.retrieve_date,
                                        retries=w.retries, retry_interval=w.retry_interval)

    @reads("SignedUpdateFirmware", "request", ["retries", "retry_interval", "request_id",
                                                "firmware"])
    def _signed_update_firmware_in(self, w: Any, ctx: Ctx) -> fw.UpdateFirmwareRequest:
        f = w.firmware
        ctx.unread(f, {"location", "retrieve_date_time", "install_date_time",
                       "signing_certificate", "signature"}, "firmware")
        return fw.UpdateFirmwareRequest(
            location=f.location, retrieve_date_time=f.retrieve_date_time, retries=w.retries,
            retry_interval=w.retry_interval, request_id=w.request_id,
            install_date_time=f.install_date_time, signing_certificate=f.signing_certificate,
            signature=f.signature)

    @converts(fw.UpdateFirmwareResponse, "UpdateFirmware", "SignedUpdateFirmware")
    def _update_firmware_conf(self, g: fw.UpdateFirmwareResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        request: fw.UpdateFirmwareRequest = ctx.request
        if not self.v15 and request.signature is not None:
            return self.cls("SignedUpdateFirmwareResponse")(
                status=self.update_firmware_status.out(g.status, ctx, "status"))
        if g.status is not fw.UpdateFirmwareStatus.Accepted:
            ctx.drop("status", "1.x UpdateFirmware.conf has no status")
        return self.cls("UpdateFirmwareResponse")()

    @reads("UpdateFirmware", "response", [])
    def _update_firmware_conf_in(self, w: Any, ctx: Ctx) -> fw.UpdateFirmwareResponse:
        return fw.UpdateFirmwareResponse()

    @reads("SignedUpdateFirmware", "response", ["status"])
    def _signed_update_firmware_conf_in(self, w: Any, ctx: Ctx) -> fw.UpdateFirmwareResponse:
        return fw.UpdateFirmwareResponse(
            status=self.update_firmware_status.into(w.status, ctx, "status"))

    @converts(fw.FirmwareStatusNotificationRequest, "FirmwareStatusNotification",
              "SignedFirmwareStatusNotification",
              notes="1.6: SignedFirmwareStatusNotification with a request_id or a status "
                    "only it has")
    def _firmware_status(self, g: fw.FirmwareStatusNotificationRequest, ctx: Ctx) -> Any:
        if g.status_info is not None:
            ctx.drop("status_info", "2.1 only")
        if not self.v15 and (g.request_id is not None or not self.firmware_status.has(g.status)):
            return self.cls("SignedFirmwareStatusNotificationRequest")(
                status=ctx.enum_out(self.signed_firmware_status, g.status, "status"),
                request_id=g.request_id)
        if g.request_id is not None:
            ctx.drop("request_id", "1.5 firmware updates have no request id")
        return self.cls("FirmwareStatusNotificationRequest")(
            status=ctx.enum_out(self.firmware_status, g.status, "status"))

    def _signed_without_request_id(self, w: Any, ctx: Ctx, plain: EnumMap) -> None:
        """A Security Whitepaper notification without ``requestId`` whose status the core
        notification has converts back to the core one: report it."""
        if w.request_id is None and plain.has(str(w.status)):
            ctx.normalized("request_id", "without a requestId, sent back as the core 1.6 "
                                         "notification")

    @reads("FirmwareStatusNotification", "request", ["status"])
    def _firmware_status_in(self, w: Any, ctx: Ctx) -> fw.FirmwareStatusNotificationRequest:
        return fw.FirmwareStatusNotificationRequest(
            status=self.firmware_status.into(w.status, ctx, "status"))

    @reads("SignedFirmwareStatusNotification", "request", ["status", "request_id"])
    def _signed_firmware_status_in(self, w: Any,
                                   ctx: Ctx) -> fw.FirmwareStatusNotificationRequest:
        self._signed_without_request_id(w, ctx, self.firmware_status)
        return fw.FirmwareStatusNotificationRequest(
            status=self.signed_firmware_status.into(w.status, ctx, "status"),
            request_id=w.request_id)

    @converts(fw.FirmwareStatusNotificationResponse, "FirmwareStatusNotification",
              "SignedFirmwareStatusNotification")
    def _firmware_status_conf(self, g: fw.FirmwareStatusNotificationResponse, ctx: Ctx) -> Any:
        request: fw.FirmwareStatusNotificationRequest = ctx.request
        signed = request.request_id is not None or not self.firmware_status.has(request.status)
        if signed and not self.v15:
            return self.cls("SignedFirmwareStatusNotificationResponse")()
        return self.cls("FirmwareStatusNotificationResponse")()

    @reads("SignedFirmwareStatusNotification", "response", [])
    def _signed_firmware_status_conf_in(self, w: Any,
                                        ctx: Ctx) -> fw.FirmwareStatusNotificationResponse:
        return fw.FirmwareStatusNotificationResponse()

    @converts(fw.GetLogRequest, "GetDiagnostics", "GetLog",
              notes="DiagnosticsLog -> GetDiagnostics; 1.6 SecurityLog -> GetLog")
    def _get_log(self, g: fw.GetLogRequest, ctx: Ctx) -> Any:
        if g.log_type is fw.LogType.DiagnosticsLog:
            ctx.unread(g, {"location", "log_type", "retries", "retry_interval",
                           "oldest_timestamp", "latest_timestamp"})
            return self.cls("GetDiagnosticsRequest")(
                location=g.location, retries=g.retries, retry_interval=g.retry_interval,
                start_time=g.oldest_timestamp, stop_time=g.latest_timestamp)
        if self.v15:
            raise ctx.refuse(Why.VALUE, "log_type", "1.5 uploads diagnostics only")
        if g.request_id is None:
            raise ctx.refuse(Why.MISSING, "request_id", "GetLog needs a requestId")
        return self.cls("GetLogRequest")(
            log=self.cls("LogParametersType")(remote_location=g.location,
                                              oldest_timestamp=g.oldest_timestamp,
                                              latest_timestamp=g.latest_timestamp),
            log_type=ctx.enum_out(self.log_type, g.log_type, "log_type"),
            request_id=g.request_id, retries=g.retries, retry_interval=g.retry_interval)

    @reads("GetDiagnostics", "request", ["location", "retries", "retry_interval", "start_time",
                                          "stop_time"])
    def _get_diagnostics_in(self, w: Any, ctx: Ctx) -> fw.GetLogRequest:
        return fw.GetLogRequest(location=w.location, log_type=fw.LogType.DiagnosticsLog,
                                retries=w.retries, retry_interval=w.retry_interval,
                                oldest_timestamp=w.start_time, latest_timestamp=w.stop_time)

    @converts(fw.GetLogResponse, "GetDiagnostics", "GetLog")
    def _get_log_conf(self, g: fw.GetLogResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        request: fw.GetLogRequest = ctx.request
        if request.log_type is not fw.LogType.DiagnosticsLog:
            return self.cls("GetLogResponse")(status=self.log_status.out(g.status, ctx, "status"),
                                              filename=g.filename)
        if g.status is fw.LogStatus.Rejected:
            ctx.approx("status", "GetDiagnostics.conf has no status: sent without file name")
            if g.filename is not None:
                ctx.drop("filename", "a rejected request uploads nothing")
            return self.cls("GetDiagnosticsResponse")()
        if g.status is not fw.LogStatus.Accepted:
            ctx.approx("status", f"GetDiagnostics.conf has no status: {g.status} sent as a "
                                 "plain answer")
        return self.cls("GetDiagnosticsResponse")(file_name=g.filename)

    @reads("GetDiagnostics", "response", ["file_name"])
    def _get_diagnostics_conf_in(self, w: Any, ctx: Ctx) -> fw.GetLogResponse:
        return fw.GetLogResponse(filename=w.file_name)

    @reads("GetLog", "response", ["status", "filename"])
    def _get_log_conf_in(self, w: Any, ctx: Ctx) -> fw.GetLogResponse:
        return fw.GetLogResponse(status=self.log_status.into(w.status, ctx, "status"),
                                 filename=w.filename)

    @converts(fw.LogStatusNotificationRequest, "DiagnosticsStatusNotification",
              "LogStatusNotification",
              notes="1.6: LogStatusNotification with a request_id or a status only it has")
    def _log_status(self, g: fw.LogStatusNotificationRequest, ctx: Ctx) -> Any:
        if g.status_info is not None:
            ctx.drop("status_info", "2.1 only")
        if not self.v15 and (g.request_id is not None
                             or not self.diagnostics_status.has(g.status)):
            return self.cls("LogStatusNotificationRequest")(
                status=ctx.enum_out(self.upload_status, g.status, "status"),
                request_id=g.request_id)
        if g.request_id is not None:
            ctx.drop("request_id", "1.5 diagnostics uploads have no request id")
        return self.cls("DiagnosticsStatusNotificationRequest")(
            status=ctx.enum_out(self.diagnostics_status, g.status, "status"))

    @reads("DiagnosticsStatusNotification", "request", ["status"])
    def _diagnostics_status_in(self, w: Any, ctx: Ctx) -> fw.LogStatusNotificationRequest:
        return fw.LogStatusNotificationRequest(
            status=self.diagnostics_status.into(w.status, ctx, "status"))

    @reads("LogStatusNotification", "request", ["status", "request_id"])
    def _log_status_in(self, w: Any, ctx: Ctx) -> fw.LogStatusNotificationRequest:
        self._signed_without_request_id(w, ctx, self.diagnostics_status)
        return fw.LogStatusNotificationRequest(
            status=self.upload_status.into(w.status, ctx, "status"), request_id=w.request_id)

    @converts(fw.LogStatusNotificationResponse, "DiagnosticsStatusNotification",
              "LogStatusNotification")
    def _log_status_conf(self, g: fw.LogStatusNotificationResponse, ctx: Ctx) -> Any:
        request: fw.LogStatusNotificationRequest = ctx.request
        signed = (request.request_id is not None
                  or not self.diagnostics_status.has(request.status))
        if signed and not self.v15:
            return self.cls("LogStatusNotificationResponse")()
        return self.cls("DiagnosticsStatusNotificationResponse")()

    @reads("DiagnosticsStatusNotification", "response", [])
    def _diagnostics_status_conf_in(self, w: Any, ctx: Ctx) -> fw.LogStatusNotificationResponse:
        return fw.LogStatusNotificationResponse()

    # -- reservations ---------------------------------------------------------------------

    @converts(rs.ReserveNowRequest, "ReserveNow")
    def _reserve(self, g: rs.ReserveNowRequest, ctx: Ctx) -> Any:
        ctx.unread(g, {"reservation_id", "expiry_date_time", "id_token", "evse_id",
                       "group_id_token"})
        return self.cls("ReserveNowRequest")(
            connector_id=0 if g.evse_id is None else g.evse_id, expiry_date=g.expiry_date_time,
            id_tag=self._id_tag(g.id_token, ctx, "id_token"),
            parent_id_tag=None if g.group_id_token is None else self._id_tag(
                g.group_id_token, ctx, "group_id_token"),
            reservation_id=g.reservation_id)

    @reads("ReserveNow", "request", ["connector_id", "expiry_date", "id_tag", "parent_id_tag",
                                      "reservation_id"])
    def _reserve_in(self, w: Any, ctx: Ctx) -> rs.ReserveNowRequest:
        return rs.ReserveNowRequest(
            reservation_id=w.reservation_id, expiry_date_time=w.expiry_date,
            id_token=cm.IdToken(value=w.id_tag),
            evse_id=None if w.connector_id == 0 else w.connector_id,
            group_id_token=None if w.parent_id_tag is None else cm.IdToken(value=w.parent_id_tag))

    @converts(rs.ReserveNowResponse, "ReserveNow")
    def _reserve_conf(self, g: rs.ReserveNowResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("ReserveNowResponse")(
            status=self.reservation_status.out(g.status, ctx, "status"))

    @reads("ReserveNow", "response", ["status"])
    def _reserve_conf_in(self, w: Any, ctx: Ctx) -> rs.ReserveNowResponse:
        return rs.ReserveNowResponse(status=self.reservation_status.into(w.status, ctx, "status"))

    @converts(rs.CancelReservationResponse, "CancelReservation")
    def _cancel_conf(self, g: rs.CancelReservationResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("CancelReservationResponse")(
            status=self.cancel_status.out(g.status, ctx, "status"))

    @reads("CancelReservation", "response", ["status"])
    def _cancel_conf_in(self, w: Any, ctx: Ctx) -> rs.CancelReservationResponse:
        return rs.CancelReservationResponse(status=self.cancel_status.into(w.status, ctx, "status"))

    # -- smart charging (1.6) -------------------------------------------------------------

    @converts(sc.SetChargingProfileRequest, "SetChargingProfile")
    def _set_profile(self, g: sc.SetChargingProfileRequest, ctx: Ctx) -> Any:
        return self.cls("SetChargingProfileRequest")(
            connector_id=g.evse_id,
            cs_charging_profiles=self._profile_out(g.charging_profile, ctx, "charging_profile"))

    @reads("SetChargingProfile", "request", ["connector_id", "cs_charging_profiles"])
    def _set_profile_in(self, w: Any, ctx: Ctx) -> sc.SetChargingProfileRequest:
        reply = self.cls("SetChargingProfileResponse")(
            status=self.cls("ChargingProfileStatus").Rejected)
        return sc.SetChargingProfileRequest(
            evse_id=w.connector_id,
            charging_profile=self._profile_in(w.cs_charging_profiles, ctx,
                                              "cs_charging_profiles", reply))

    @converts(sc.SetChargingProfileResponse, "SetChargingProfile")
    def _set_profile_conf(self, g: sc.SetChargingProfileResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("SetChargingProfileResponse")(
            status=self.profile_status.out(g.status, ctx, "status"))

    @reads("SetChargingProfile", "response", ["status"])
    def _set_profile_conf_in(self, w: Any, ctx: Ctx) -> sc.SetChargingProfileResponse:
        return sc.SetChargingProfileResponse(
            status=self.profile_status.into(w.status, ctx, "status"))

    @converts(sc.ClearChargingProfileRequest, "ClearChargingProfile")
    def _clear_profile(self, g: sc.ClearChargingProfileRequest, ctx: Ctx) -> Any:
        return self.cls("ClearChargingProfileRequest")(
            id=g.charging_profile_id, connector_id=g.evse_id, stack_level=g.stack_level,
            charging_profile_purpose=None if g.purpose is None else ctx.enum_out(
                self.purpose, g.purpose, "purpose"))

    @reads("ClearChargingProfile", "request", ["id", "connector_id", "charging_profile_purpose",
                                                "stack_level"])
    def _clear_profile_in(self, w: Any, ctx: Ctx) -> sc.ClearChargingProfileRequest:
        return sc.ClearChargingProfileRequest(
            charging_profile_id=w.id, evse_id=w.connector_id, stack_level=w.stack_level,
            purpose=None if w.charging_profile_purpose is None else self.purpose.into(
                w.charging_profile_purpose, ctx, "charging_profile_purpose"))

    @converts(sc.ClearChargingProfileResponse, "ClearChargingProfile")
    def _clear_profile_conf(self, g: sc.ClearChargingProfileResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        return self.cls("ClearChargingProfileResponse")(
            status=self.clear_profile_status.out(g.status, ctx, "status"))

    @reads("ClearChargingProfile", "response", ["status"])
    def _clear_profile_conf_in(self, w: Any, ctx: Ctx) -> sc.ClearChargingProfileResponse:
        return sc.ClearChargingProfileResponse(
            status=self.clear_profile_status.into(w.status, ctx, "status"))

    @converts(sc.GetCompositeScheduleRequest, "GetCompositeSchedule")
    def _composite(self, g: sc.GetCompositeScheduleRequest, ctx: Ctx) -> Any:
        return self.cls("GetCompositeScheduleRequest")(
            connector_id=g.evse_id, duration=g.duration,
            charging_rate_unit=None if g.charging_rate_unit is None else ctx.enum_out(
                self.rate_unit, g.charging_rate_unit, "charging_rate_unit"))

    @reads("GetCompositeSchedule", "request", ["connector_id", "duration", "charging_rate_unit"])
    def _composite_in(self, w: Any, ctx: Ctx) -> sc.GetCompositeScheduleRequest:
        return sc.GetCompositeScheduleRequest(
            evse_id=w.connector_id, duration=w.duration,
            charging_rate_unit=None if w.charging_rate_unit is None else self.rate_unit.into(
                w.charging_rate_unit, ctx, "charging_rate_unit"))

    @converts(sc.GetCompositeScheduleResponse, "GetCompositeSchedule")
    def _composite_conf(self, g: sc.GetCompositeScheduleResponse, ctx: Ctx) -> Any:
        self._no_status_info(g.status_info, ctx)
        status = self.composite_status.out(g.status, ctx, "status")
        s = g.schedule
        if s is None:
            return self.cls("GetCompositeScheduleResponse")(status=status)
        periods = []
        for i, period in enumerate(s.periods):
            ctx.unread(period, {"start_period", "limit", "number_phases"},
                       f"schedule.periods[{i}]")
            periods.append(self.cls("ChargingSchedulePeriod")(
                start_period=period.start_period, limit=number(period.limit),
                number_phases=period.number_phases))
        schedule = self.cls("ChargingSchedule")(
            duration=s.duration, start_schedule=s.schedule_start,
            charging_rate_unit=ctx.enum_out(self.rate_unit, s.charging_rate_unit,
                                            "schedule.charging_rate_unit"),
            charging_schedule_period=periods,
            min_charging_rate=None if s.min_charging_rate is None else number(s.min_charging_rate))
        return self.cls("GetCompositeScheduleResponse")(
            status=status, connector_id=s.evse_id, schedule_start=s.schedule_start,
            charging_schedule=schedule)

    @reads("GetCompositeSchedule", "response", ["status", "connector_id", "schedule_start",
                                                 "charging_schedule"])
    def _composite_conf_in(self, w: Any, ctx: Ctx) -> sc.GetCompositeScheduleResponse:
        request: sc.GetCompositeScheduleRequest = ctx.request
        status = self.composite_status.into(w.status, ctx, "status")
        s = w.charging_schedule
        if s is None:
            return sc.GetCompositeScheduleResponse(status=status)
        ctx.unread(s, {"duration", "start_schedule", "charging_rate_unit",
                       "charging_schedule_period", "min_charging_rate"}, "charging_schedule")
        start = w.schedule_start if w.schedule_start is not None else s.start_schedule
        if s.start_schedule not in (None, start):
            ctx.drop("charging_schedule.start_schedule", "differs from scheduleStart")
        return sc.GetCompositeScheduleResponse(status=status, schedule=sc.CompositeSchedule(
            evse_id=request.evse_id if w.connector_id is None else w.connector_id,
            charging_rate_unit=self.rate_unit.into(s.charging_rate_unit, ctx,
                                                   "charging_schedule.charging_rate_unit"),
            periods=self._periods_in(s.charging_schedule_period, ctx,
                                     "charging_schedule.charging_schedule_period"),
            duration=s.duration, schedule_start=start, min_charging_rate=s.min_charging_rate))
