"""The OCPP 2.0.1 and 2.1 adapter (one class; 2.1 differs where ``self.v21`` says so).

The generic model follows 2.0.1, so most mappings are field for field; what 2.0.1 adds
beyond the generic model (``customData``, Plug & Charge fields, 2.1 tariffs and V2X) is
reported lost when read and kept in ``version_message``. Use cases cited are from OCPP 2.0.1
Part 2 (B: provisioning, C: authorization, D: local list, E: transactions, F: remote
control, G: availability, H: reservation, K: smart charging, L: firmware, N: diagnostics,
P: data transfer); 2.1 keeps the same numbers.

Station-side state: :class:`~ocpp_sansio.generic.txmap.TransactionMap` counts ``seqNo``
per transaction (0 for ``Started``) and forgets the transaction at ``Ended``.
"""

from typing import Any, ClassVar

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
from ..common import to_decimal
from ..outcome import UnsupportedReason as Why
from .base import Ctx, EnumMap, converts, join, reads
from .shared import SharedAdapter, number

_IN_USE_16 = ("Preparing", "Charging", "SuspendedEVSE", "SuspendedEV", "Finishing")
_ENERGY = "Energy.Active.Import.Register"


class V2xAdapter(SharedAdapter):
    """Generic <-> OCPP 2.0.1 / 2.1 (subclassed per version).

    The enumeration maps are class attributes, built once per version on the first
    instantiation and shared by every instance (:meth:`BaseAdapter._share`).
    """

    v21: ClassVar[bool]  #: whether this is the 2.1 adapter (shared)
    boot_reason: ClassVar[EnumMap]
    registration: ClassVar[EnumMap]
    id_token_type: ClassVar[EnumMap]
    authorization: ClassVar[EnumMap]
    message_format: ClassVar[EnumMap]
    connector_status: ClassVar[EnumMap]
    availability: ClassVar[EnumMap]
    availability_status: ClassVar[EnumMap]
    unlock_status: ClassVar[EnumMap]
    reset_type: ClassVar[EnumMap]
    reset_status: ClassVar[EnumMap]
    attribute: ClassVar[EnumMap]
    get_status: ClassVar[EnumMap]
    set_status: ClassVar[EnumMap]
    trigger: ClassVar[EnumMap]
    trigger_status: ClassVar[EnumMap]
    data_transfer_status: ClassVar[EnumMap]
    update_firmware_status: ClassVar[EnumMap]
    firmware_status: ClassVar[EnumMap]
    log_status: ClassVar[EnumMap]
    upload_status: ClassVar[EnumMap]
    reservation_status: ClassVar[EnumMap]
    cancel_status: ClassVar[EnumMap]
    reservation_update: ClassVar[EnumMap]
    update_type: ClassVar[EnumMap]
    local_list_status: ClassVar[EnumMap]
    cache_status: ClassVar[EnumMap]
    event_type: ClassVar[EnumMap]
    trigger_reason: ClassVar[EnumMap]
    charging_state: ClassVar[EnumMap]
    stop_reason: ClassVar[EnumMap]
    start_stop_status: ClassVar[EnumMap]
    measurand: ClassVar[EnumMap]
    context: ClassVar[EnumMap]
    location: ClassVar[EnumMap]
    phase: ClassVar[EnumMap]
    purpose: ClassVar[EnumMap]
    profile_kind: ClassVar[EnumMap]
    recurrency: ClassVar[EnumMap]
    rate_unit: ClassVar[EnumMap]
    profile_status: ClassVar[EnumMap]
    clear_profile_status: ClassVar[EnumMap]
    composite_status: ClassVar[EnumMap]

    @classmethod
    def _build_maps(cls) -> None:
        cls.v21 = cls.version is Version.V21
        m = cls.m
        cls.boot_reason = EnumMap(pr.BootReason, m.BootReasonEnumType)
        cls.registration = EnumMap(pr.RegistrationStatus, m.RegistrationStatusEnumType)
        cls.id_token_type = EnumMap(cm.IdTokenType,
                                    None if cls.v21 else m.IdTokenEnumType)
        cls.authorization = EnumMap(cm.AuthorizationStatus, m.AuthorizationStatusEnumType)
        cls.message_format = EnumMap(cm.MessageFormat, m.MessageFormatEnumType)
        cls.connector_status = EnumMap(av.ConnectorStatus, m.ConnectorStatusEnumType,
                                       approx_out=dict.fromkeys(_IN_USE_16, "Occupied"))
        cls.availability = EnumMap(av.OperationalStatus, m.OperationalStatusEnumType)
        cls.availability_status = EnumMap(av.ChangeAvailabilityStatus,
                                          m.ChangeAvailabilityStatusEnumType)
        cls.unlock_status = EnumMap(av.UnlockStatus, m.UnlockStatusEnumType,
                                    approx_out={"NotSupported": "UnlockFailed"})
        cls.reset_type = EnumMap(pr.ResetType, m.ResetEnumType)
        cls.reset_status = EnumMap(pr.ResetStatus, m.ResetStatusEnumType)
        cls.attribute = EnumMap(co.Attribute, m.AttributeEnumType)
        cls.get_status = EnumMap(co.GetConfigurationStatus, m.GetVariableStatusEnumType)
        cls.set_status = EnumMap(co.SetConfigurationStatus, m.SetVariableStatusEnumType)
        cls.trigger = EnumMap(pr.MessageTrigger, m.MessageTriggerEnumType)
        cls.trigger_status = EnumMap(pr.TriggerMessageStatus, m.TriggerMessageStatusEnumType)
        cls.data_transfer_status = EnumMap(dt.DataTransferStatus, m.DataTransferStatusEnumType)
        cls.update_firmware_status = EnumMap(fw.UpdateFirmwareStatus,
                                             m.UpdateFirmwareStatusEnumType)
        cls.firmware_status = EnumMap(fw.FirmwareStatus, m.FirmwareStatusEnumType)
        cls.log_type = EnumMap(fw.LogType, m.LogEnumType)
        cls.log_status = EnumMap(fw.LogStatus, m.LogStatusEnumType)
        cls.upload_status = EnumMap(fw.UploadLogStatus, m.UploadLogStatusEnumType)
        cls.reservation_status = EnumMap(rs.ReserveNowStatus, m.ReserveNowStatusEnumType)
        cls.cancel_status = EnumMap(rs.CancelReservationStatus,
                                    m.CancelReservationStatusEnumType)
        cls.reservation_update = EnumMap(rs.ReservationUpdateStatus,
                                         m.ReservationUpdateStatusEnumType)
        cls.update_type = EnumMap(au.UpdateType, m.UpdateEnumType)
        cls.local_list_status = EnumMap(au.SendLocalListStatus, m.SendLocalListStatusEnumType,
                                        approx_out={"NotSupported": "Failed",
                                                    "HashError": "Failed"})
        cls.cache_status = EnumMap(au.ClearCacheStatus, m.ClearCacheStatusEnumType)
        cls.event_type = EnumMap(tx.TransactionEventType, m.TransactionEventEnumType)
        cls.trigger_reason = EnumMap(tx.TriggerReason, m.TriggerReasonEnumType)
        cls.charging_state = EnumMap(tx.ChargingState, m.ChargingStateEnumType)
        cls.stop_reason = EnumMap(tx.StopReason, m.ReasonEnumType,
                                  approx_out={"HardReset": "ImmediateReset",
                                              "SoftReset": "ImmediateReset",
                                              "UnlockCommand": "Other"})
        cls.start_stop_status = EnumMap(tx.RequestStartStopStatus,
                                        m.RequestStartStopStatusEnumType)
        cls.measurand = EnumMap(me.Measurand, m.MeasurandEnumType)
        cls.context = EnumMap(me.ReadingContext, m.ReadingContextEnumType)
        cls.location = EnumMap(me.Location, m.LocationEnumType)
        cls.phase = EnumMap(me.Phase, m.PhaseEnumType)
        cls.purpose = EnumMap(sc.ChargingProfilePurpose, m.ChargingProfilePurposeEnumType)
        cls.profile_kind = EnumMap(sc.ChargingProfileKind, m.ChargingProfileKindEnumType)
        cls.recurrency = EnumMap(sc.RecurrencyKind, m.RecurrencyKindEnumType)
        cls.rate_unit = EnumMap(sc.ChargingRateUnit, m.ChargingRateUnitEnumType)
        cls.profile_status = EnumMap(sc.ChargingProfileStatus, m.ChargingProfileStatusEnumType,
                                     approx_out={"NotSupported": "Rejected"})
        cls.clear_profile_status = EnumMap(sc.ClearChargingProfileStatus,
                                           m.ClearChargingProfileStatusEnumType)
        cls.composite_status = EnumMap(sc.GetCompositeScheduleStatus, m.GenericStatusEnumType)

    # -- shared pieces --------------------------------------------------------------------

    def _opt_enum(self, emap: EnumMap, value: Any, ctx: Ctx, path: str) -> Any:
        return None if value is None else ctx.enum_out(emap, value, path)

    def _opt_into(self, emap: EnumMap, value: Any, ctx: Ctx, path: str) -> Any:
        return None if value is None else emap.into(value, ctx, path)

    def _status_info_out(self, info: cm.StatusInfo | None) -> Any:
        if info is None:
            return None
        return self.cls("StatusInfoType")(reason_code=info.reason_code,
                                          additional_info=info.additional_info)

    def _status_info_in(self, info: Any, ctx: Ctx, path: str) -> cm.StatusInfo | None:
        if info is None:
            return None
        ctx.unread(info, {"reason_code", "additional_info"}, path)
        return cm.StatusInfo(reason_code=info.reason_code, additional_info=info.additional_info)

    def _id_token_out(self, token: cm.IdToken, ctx: Ctx, path: str) -> Any:
        extra = [self.cls("AdditionalInfoType")(additional_id_token=a.additional_id_token,
                                                type=a.type) for a in token.additional_info]
        return self.cls("IdTokenType")(
            id_token=token.value,
            type=ctx.enum_out(self.id_token_type, token.type, join(path, "type")),
            additional_info=extra or None)

    def _id_token_in(self, token: Any, ctx: Ctx, path: str) -> cm.IdToken:
        ctx.unread(token, {"id_token", "type", "additional_info"}, path)
        extra = []
        for i, a in enumerate(token.additional_info or ()):
            ctx.unread(a, {"additional_id_token", "type"}, f"{path}.additional_info[{i}]")
            extra.append(cm.AdditionalInfo(additional_id_token=a.additional_id_token,
                                           type=a.type))
        return cm.IdToken(value=token.id_token, type=str(token.type),
                          additional_info=tuple(extra))

    def _message_out(self, msg: cm.MessageContent | None, ctx: Ctx, path: str) -> Any:
        if msg is None:
            return None
        fmt = self.message_format.out(msg.format, ctx, join(path, "format"))
        if fmt is None:
            ctx.drop(path, f"message format {msg.format} does not exist in {self.version}")
            return None
        return self.cls("MessageContentType")(format=fmt, language=msg.language,
                                              content=msg.content)

    def _message_in(self, msg: Any, ctx: Ctx, path: str) -> cm.MessageContent | None:
        if msg is None:
            return None
        ctx.unread(msg, {"format", "language", "content"}, path)
        return cm.MessageContent(content=msg.content, language=msg.language,
                                 format=self.message_format.into(msg.format, ctx,
                                                                 join(path, "format")))

    def _id_token_info_out(self, info: cm.IdTokenInfo, ctx: Ctx, path: str) -> Any:
        return self.cls("IdTokenInfoType")(
            status=ctx.enum_out(self.authorization, info.status, join(path, "status")),
            cache_expiry_date_time=info.cache_expiry_date_time,
            charging_priority=info.charging_priority, language1=info.language1,
            language2=info.language2, evse_id=list(info.evse_ids) or None,
            group_id_token=None if info.group_id_token is None else self._id_token_out(
                info.group_id_token, ctx, join(path, "group_id_token")),
            personal_message=self._message_out(info.personal_message, ctx,
                                               join(path, "personal_message")))

    def _id_token_info_in(self, info: Any, ctx: Ctx, path: str) -> cm.IdTokenInfo:
        ctx.unread(info, {"status", "cache_expiry_date_time", "charging_priority", "language1",
                          "evse_id", "group_id_token", "language2", "personal_message"}, path)
        return cm.IdTokenInfo(
            status=self.authorization.into(info.status, ctx, join(path, "status")),
            cache_expiry_date_time=info.cache_expiry_date_time,
            charging_priority=info.charging_priority, language1=info.language1,
            language2=info.language2, evse_ids=tuple(info.evse_id or ()),
            group_id_token=None if info.group_id_token is None else self._id_token_in(
                info.group_id_token, ctx, join(path, "group_id_token")),
            personal_message=self._message_in(info.personal_message, ctx,
                                              join(path, "personal_message")))

    def _evse(self, evse_id: int | None, connector_id: int | None, ctx: Ctx) -> Any:
        if evse_id is None:
            if connector_id is not None:
                raise ctx.refuse(Why.MISSING, "evse_id", "a connector is addressed within an "
                                                        "EVSE")
            return None
        return self.cls("EVSEType")(id=evse_id, connector_id=connector_id)

    def _evse_in(self, evse: Any, ctx: Ctx, path: str) -> tuple[int | None, int | None]:
        if evse is None:
            return None, None
        ctx.unread(evse, {"id", "connector_id"}, path)
        return evse.id, evse.connector_id

    # meter values ------------------------------------------------------------------------

    def _sample_out(self, sv: me.SampledValue, ctx: Ctx, path: str) -> Any:
        if sv.value is None:
            ctx.drop(path, f"{self.version} samples carry a numeric value")
            return None
        fields: dict[str, Any] = {}
        for name, emap in (("measurand", self.measurand), ("context", self.context),
                           ("location", self.location), ("phase", self.phase)):
            value = getattr(sv, name)
            if value is None:
                continue
            wire = emap.out(value, ctx, join(path, name))
            if wire is None:
                ctx.drop(path, f"{name} {value} does not exist in {self.version}")
                return None
            fields[name] = wire
        signed = None
        s = sv.signed_meter_value
        if s is not None:
            required = [s.encoding_method] if self.v21 else [
                s.encoding_method, s.signing_method, s.public_key]
            if any(x is None for x in required):
                ctx.drop(join(path, "signed_meter_value"),
                         f"{self.version} signed values need the method and key fields")
            else:
                signed = self.cls("SignedMeterValueType")(
                    signed_meter_data=s.signed_meter_data, signing_method=s.signing_method,
                    encoding_method=s.encoding_method, public_key=s.public_key)
        unit = None
        if sv.unit is not None or sv.multiplier is not None:
            unit = self.cls("UnitOfMeasureType")(unit=sv.unit, multiplier=sv.multiplier)
        return self.cls("SampledValueType")(value=number(sv.value), signed_meter_value=signed,
                                            unit_of_measure=unit, **fields)

    def _meter_values_out(self, values: tuple[me.MeterValue, ...], ctx: Ctx,
                          path: str) -> list[Any]:
        out = []
        for i, mv in enumerate(values):
            where = f"{path}[{i}]"
            samples = [s for j, sv in enumerate(mv.sampled_values)
                       if (s := self._sample_out(sv, ctx, f"{where}.sampled_values[{j}]"))
                       is not None]
            if samples:
                out.append(self.cls("MeterValueType")(timestamp=mv.timestamp,
                                                      sampled_value=samples))
            else:
                ctx.drop(where, "no sample left that the version can express")
        return out

    def _sample_in(self, s: Any, ctx: Ctx, path: str) -> me.SampledValue:
        ctx.unread(s, {"value", "context", "measurand", "phase", "location",
                       "signed_meter_value", "unit_of_measure"}, path)
        signed = None
        if s.signed_meter_value is not None:
            w = s.signed_meter_value
            ctx.unread(w, {"signed_meter_data", "signing_method", "encoding_method",
                           "public_key"}, join(path, "signed_meter_value"))
            signed = me.SignedMeterValue(signed_meter_data=w.signed_meter_data,
                                         signing_method=w.signing_method,
                                         encoding_method=w.encoding_method,
                                         public_key=w.public_key)
        unit = multiplier = None
        if s.unit_of_measure is not None:
            ctx.unread(s.unit_of_measure, {"unit", "multiplier"}, join(path, "unit_of_measure"))
            unit, multiplier = s.unit_of_measure.unit, s.unit_of_measure.multiplier
        return me.SampledValue(
            value=to_decimal(s.value), signed_meter_value=signed, unit=unit, multiplier=multiplier,
            measurand=self._opt_into(self.measurand, s.measurand, ctx, join(path, "measurand")),
            context=self._opt_into(self.context, s.context, ctx, join(path, "context")),
            location=self._opt_into(self.location, s.location, ctx, join(path, "location")),
            phase=self._opt_into(self.phase, s.phase, ctx, join(path, "phase")))

    def _meter_values_in(self, values: list[Any] | None, ctx: Ctx,
                         path: str) -> list[me.MeterValue]:
        out = []
        for i, mv in enumerate(values or ()):
            where = f"{path}[{i}]"
            ctx.unread(mv, {"timestamp", "sampled_value"}, where)
            out.append(me.MeterValue(timestamp=mv.timestamp, sampled_values=tuple(
                self._sample_in(s, ctx, f"{where}.sampled_value[{j}]")
                for j, s in enumerate(mv.sampled_value))))
        return out

    # charging profiles -------------------------------------------------------------------

    def _periods_out(self, periods: tuple[sc.ChargingSchedulePeriod, ...]) -> list[Any]:
        return [self.cls("ChargingSchedulePeriodType")(
            start_period=p.start_period, limit=number(p.limit), number_phases=p.number_phases,
            phase_to_use=p.phase_to_use) for p in periods]

    def _periods_in(self, periods: list[Any], ctx: Ctx,
                    path: str) -> tuple[sc.ChargingSchedulePeriod, ...]:
        out = []
        for i, p in enumerate(periods):
            where = f"{path}[{i}]"
            if p.limit is None:
                raise ctx.refuse(Why.FIELD, join(where, "limit"),
                                 "a period without limit (2.1 setpoints) is not generic")
            ctx.unread(p, {"start_period", "limit", "number_phases", "phase_to_use"}, where)
            out.append(sc.ChargingSchedulePeriod(start_period=p.start_period, limit=p.limit,
                                                 number_phases=p.number_phases,
                                                 phase_to_use=p.phase_to_use))
        return tuple(out)

    def _profile_out(self, p: sc.ChargingProfile, ctx: Ctx, path: str) -> Any:
        schedules = []
        for i, s in enumerate(p.schedules):
            where = f"{path}.schedules[{i}]"
            if s.id is None:
                raise ctx.refuse(Why.MISSING, join(where, "id"),
                                 f"{self.version} schedules need an id")
            schedules.append(self.cls("ChargingScheduleType")(
                id=s.id, start_schedule=s.start_schedule, duration=s.duration,
                charging_rate_unit=ctx.enum_out(self.rate_unit, s.charging_rate_unit,
                                                join(where, "charging_rate_unit")),
                charging_schedule_period=self._periods_out(s.periods),
                min_charging_rate=None if s.min_charging_rate is None else number(
                    s.min_charging_rate)))
        return self.cls("ChargingProfileType")(
            id=p.id, stack_level=p.stack_level,
            charging_profile_purpose=ctx.enum_out(self.purpose, p.purpose,
                                                  join(path, "purpose")),
            charging_profile_kind=ctx.enum_out(self.profile_kind, p.kind, join(path, "kind")),
            recurrency_kind=self._opt_enum(self.recurrency, p.recurrency_kind, ctx,
                                           join(path, "recurrency_kind")),
            valid_from=p.valid_from, valid_to=p.valid_to, charging_schedule=schedules,
            transaction_id=p.transaction_id)

    def _profile_in(self, p: Any, ctx: Ctx, path: str) -> sc.ChargingProfile:
        ctx.unread(p, {"id", "stack_level", "charging_profile_purpose", "charging_profile_kind",
                       "recurrency_kind", "valid_from", "valid_to", "charging_schedule",
                       "transaction_id"}, path)
        schedules = []
        for i, s in enumerate(p.charging_schedule):
            where = f"{path}.charging_schedule[{i}]"
            ctx.unread(s, {"id", "start_schedule", "duration", "charging_rate_unit",
                           "charging_schedule_period", "min_charging_rate"}, where)
            schedules.append(sc.ChargingSchedule(
                id=s.id, start_schedule=s.start_schedule, duration=s.duration,
                charging_rate_unit=self.rate_unit.into(s.charging_rate_unit, ctx,
                                                       join(where, "charging_rate_unit")),
                periods=self._periods_in(s.charging_schedule_period, ctx,
                                         join(where, "charging_schedule_period")),
                min_charging_rate=s.min_charging_rate))
        return sc.ChargingProfile(
            id=p.id, stack_level=p.stack_level,
            purpose=self.purpose.into(p.charging_profile_purpose, ctx,
                                      join(path, "charging_profile_purpose")),
            kind=self.profile_kind.into(p.charging_profile_kind, ctx,
                                        join(path, "charging_profile_kind")),
            schedules=tuple(schedules),
            recurrency_kind=self._opt_into(self.recurrency, p.recurrency_kind, ctx,
                                           join(path, "recurrency_kind")),
            valid_from=p.valid_from, valid_to=p.valid_to, transaction_id=p.transaction_id)

    # configuration keys ------------------------------------------------------------------

    def _variable_out(self, key: co.ConfigKey, ctx: Ctx, path: str) -> tuple[Any, Any]:
        v = key.variable
        if v is None:
            raise ctx.refuse(Why.FIELD, path, "the key has no 2.0.1 variable (a 1.x key with no "
                                              "standard 2.0.1 counterpart)")
        evse = None
        if v.evse_id is not None:
            evse = self.cls("EVSEType")(id=v.evse_id, connector_id=v.connector_id)
        return (self.cls("ComponentType")(name=v.component, instance=v.component_instance,
                                          evse=evse),
                self.cls("VariableType")(name=v.name, instance=v.variable_instance))

    def _key_in(self, component: Any, variable: Any, ctx: Ctx, path: str,
                candidates: tuple[co.ConfigKey, ...] = ()) -> co.ConfigKey:
        ctx.unread(component, {"name", "instance", "evse"}, join(path, "component"))
        ctx.unread(variable, {"name", "instance"}, join(path, "variable"))
        evse_id, connector_id = self._evse_in(component.evse, ctx, join(path, "component.evse"))
        v = co.Variable(component=component.name, name=variable.name,
                        component_instance=component.instance,
                        variable_instance=variable.instance, evse_id=evse_id,
                        connector_id=connector_id)
        for key in candidates:
            if key.variable == v:
                return key
        return co.ConfigKey.at(v)

    # -- boot, heartbeat ------------------------------------------------------------------

    @converts(pr.BootNotificationRequest, "BootNotification")
    def _boot(self, g: pr.BootNotificationRequest, ctx: Ctx) -> Any:
        ctx.unread(g, {"vendor", "model", "serial_number", "firmware_version", "iccid", "imsi",
                       "reason"})
        modem = None
        if g.iccid is not None or g.imsi is not None:
            modem = self.cls("ModemType")(iccid=g.iccid, imsi=g.imsi)
        return self.cls("BootNotificationRequest")(
            charging_station=self.cls("ChargingStationType")(
                serial_number=g.serial_number, model=g.model, modem=modem,
                vendor_name=g.vendor, firmware_version=g.firmware_version),
            reason=ctx.enum_out(self.boot_reason, g.reason, "reason"))

    @reads("BootNotification", "request", ["charging_station", "reason"])
    def _boot_in(self, w: Any, ctx: Ctx) -> pr.BootNotificationRequest:
        cs = w.charging_station
        ctx.unread(cs, {"serial_number", "model", "modem", "vendor_name", "firmware_version"},
                   "charging_station")
        if cs.modem is not None:
            ctx.unread(cs.modem, {"iccid", "imsi"}, "charging_station.modem")
        return pr.BootNotificationRequest(
            vendor=cs.vendor_name, model=cs.model, serial_number=cs.serial_number,
            firmware_version=cs.firmware_version,
            iccid=None if cs.modem is None else cs.modem.iccid,
            imsi=None if cs.modem is None else cs.modem.imsi,
            reason=self.boot_reason.into(w.reason, ctx, "reason"))

    @converts(pr.BootNotificationResponse, "BootNotification")
    def _boot_conf(self, g: pr.BootNotificationResponse, ctx: Ctx) -> Any:
        return self.cls("BootNotificationResponse")(
            current_time=g.current_time, interval=g.interval,
            status=ctx.enum_out(self.registration, g.status, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("BootNotification", "response", ["current_time", "interval", "status", "status_info"])
    def _boot_conf_in(self, w: Any, ctx: Ctx) -> pr.BootNotificationResponse:
        return pr.BootNotificationResponse(
            status=self.registration.into(w.status, ctx, "status"), current_time=w.current_time,
            interval=w.interval, status_info=self._status_info_in(w.status_info, ctx,
                                                                   "status_info"))

    # -- status, availability, unlock -----------------------------------------------------

    @converts(av.StatusNotificationRequest, "StatusNotification")
    def _status(self, g: av.StatusNotificationRequest, ctx: Ctx) -> Any:
        if g.timestamp is None:
            raise ctx.refuse(Why.MISSING, "timestamp", f"{self.version} StatusNotification "
                                                       "needs a timestamp")
        if g.evse_id == 0:
            raise ctx.refuse(Why.FIELD, "evse_id", "2.0.1 reports the station's own state "
                                                   "through the device model, not "
                                                   "StatusNotification")
        ctx.unread(g, {"evse_id", "status", "connector_id", "timestamp"})
        return self.cls("StatusNotificationRequest")(
            timestamp=g.timestamp, evse_id=g.evse_id, connector_id=g.connector_id,
            connector_status=ctx.enum_out(self.connector_status, g.status, "status"))

    @reads("StatusNotification", "request", ["timestamp", "connector_status", "evse_id",
                                              "connector_id"])
    def _status_in(self, w: Any, ctx: Ctx) -> av.StatusNotificationRequest:
        return av.StatusNotificationRequest(
            evse_id=w.evse_id, connector_id=w.connector_id, timestamp=w.timestamp,
            status=self.connector_status.into(w.connector_status, ctx, "connector_status"))

    @converts(av.ChangeAvailabilityRequest, "ChangeAvailability")
    def _availability(self, g: av.ChangeAvailabilityRequest, ctx: Ctx) -> Any:
        return self.cls("ChangeAvailabilityRequest")(
            evse=self._evse(g.evse_id, g.connector_id, ctx),
            operational_status=self.availability.out(g.operational_status, ctx,
                                                     "operational_status"))

    @reads("ChangeAvailability", "request", ["evse", "operational_status"])
    def _availability_in(self, w: Any, ctx: Ctx) -> av.ChangeAvailabilityRequest:
        evse_id, connector_id = self._evse_in(w.evse, ctx, "evse")
        return av.ChangeAvailabilityRequest(
            operational_status=self.availability.into(w.operational_status, ctx,
                                                      "operational_status"),
            evse_id=evse_id, connector_id=connector_id)

    @converts(av.ChangeAvailabilityResponse, "ChangeAvailability")
    def _availability_conf(self, g: av.ChangeAvailabilityResponse, ctx: Ctx) -> Any:
        return self.cls("ChangeAvailabilityResponse")(
            status=self.availability_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("ChangeAvailability", "response", ["status", "status_info"])
    def _availability_conf_in(self, w: Any, ctx: Ctx) -> av.ChangeAvailabilityResponse:
        return av.ChangeAvailabilityResponse(
            status=self.availability_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    @converts(av.UnlockConnectorRequest, "UnlockConnector")
    def _unlock(self, g: av.UnlockConnectorRequest, ctx: Ctx) -> Any:
        return self.cls("UnlockConnectorRequest")(evse_id=g.evse_id,
                                                  connector_id=g.connector_id)

    @reads("UnlockConnector", "request", ["evse_id", "connector_id"])
    def _unlock_in(self, w: Any, ctx: Ctx) -> av.UnlockConnectorRequest:
        return av.UnlockConnectorRequest(evse_id=w.evse_id, connector_id=w.connector_id)

    @converts(av.UnlockConnectorResponse, "UnlockConnector")
    def _unlock_conf(self, g: av.UnlockConnectorResponse, ctx: Ctx) -> Any:
        return self.cls("UnlockConnectorResponse")(
            status=self.unlock_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("UnlockConnector", "response", ["status", "status_info"])
    def _unlock_conf_in(self, w: Any, ctx: Ctx) -> av.UnlockConnectorResponse:
        return av.UnlockConnectorResponse(
            status=self.unlock_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    # -- authorization --------------------------------------------------------------------

    @converts(au.AuthorizeRequest, "Authorize")
    def _authorize(self, g: au.AuthorizeRequest, ctx: Ctx) -> Any:
        return self.cls("AuthorizeRequest")(id_token=self._id_token_out(g.id_token, ctx,
                                                                        "id_token"))

    @reads("Authorize", "request", ["id_token"])
    def _authorize_in(self, w: Any, ctx: Ctx) -> au.AuthorizeRequest:
        return au.AuthorizeRequest(id_token=self._id_token_in(w.id_token, ctx, "id_token"))

    @converts(au.AuthorizeResponse, "Authorize")
    def _authorize_conf(self, g: au.AuthorizeResponse, ctx: Ctx) -> Any:
        return self.cls("AuthorizeResponse")(
            id_token_info=self._id_token_info_out(g.id_token_info, ctx, "id_token_info"))

    @reads("Authorize", "response", ["id_token_info"])
    def _authorize_conf_in(self, w: Any, ctx: Ctx) -> au.AuthorizeResponse:
        return au.AuthorizeResponse(
            id_token_info=self._id_token_info_in(w.id_token_info, ctx, "id_token_info"))

    @converts(au.SendLocalListRequest, "SendLocalList")
    def _local_list(self, g: au.SendLocalListRequest, ctx: Ctx) -> Any:
        if g.hash is not None:
            ctx.drop("hash", "1.5 only")
        entries = [self.cls("AuthorizationData")(
            id_token=self._id_token_out(e.id_token, ctx, f"entries[{i}].id_token"),
            id_token_info=None if e.id_token_info is None else self._id_token_info_out(
                e.id_token_info, ctx, f"entries[{i}].id_token_info"))
            for i, e in enumerate(g.entries)]
        return self.cls("SendLocalListRequest")(
            local_authorization_list=entries or None, version_number=g.version_number,
            update_type=self.update_type.out(g.update_type, ctx, "update_type"))

    @reads("SendLocalList", "request", ["local_authorization_list", "version_number",
                                         "update_type"])
    def _local_list_in(self, w: Any, ctx: Ctx) -> au.SendLocalListRequest:
        entries = []
        for i, e in enumerate(w.local_authorization_list or ()):
            where = f"local_authorization_list[{i}]"
            ctx.unread(e, {"id_token", "id_token_info"}, where)
            entries.append(au.AuthorizationEntry(
                id_token=self._id_token_in(e.id_token, ctx, join(where, "id_token")),
                id_token_info=None if e.id_token_info is None else self._id_token_info_in(
                    e.id_token_info, ctx, join(where, "id_token_info"))))
        return au.SendLocalListRequest(
            version_number=w.version_number, entries=tuple(entries),
            update_type=self.update_type.into(w.update_type, ctx, "update_type"))

    @converts(au.SendLocalListResponse, "SendLocalList")
    def _local_list_conf(self, g: au.SendLocalListResponse, ctx: Ctx) -> Any:
        if g.hash is not None:
            ctx.drop("hash", "1.5 only")
        return self.cls("SendLocalListResponse")(
            status=self.local_list_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("SendLocalList", "response", ["status", "status_info"])
    def _local_list_conf_in(self, w: Any, ctx: Ctx) -> au.SendLocalListResponse:
        return au.SendLocalListResponse(
            status=self.local_list_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    @converts(au.GetLocalListVersionResponse, "GetLocalListVersion")
    def _list_version_conf(self, g: au.GetLocalListVersionResponse, ctx: Ctx) -> Any:
        return self.cls("GetLocalListVersionResponse")(version_number=g.version_number)

    @reads("GetLocalListVersion", "response", ["version_number"])
    def _list_version_conf_in(self, w: Any, ctx: Ctx) -> au.GetLocalListVersionResponse:
        return au.GetLocalListVersionResponse(version_number=w.version_number)

    @converts(au.ClearCacheResponse, "ClearCache")
    def _clear_cache_conf(self, g: au.ClearCacheResponse, ctx: Ctx) -> Any:
        return self.cls("ClearCacheResponse")(
            status=self.cache_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("ClearCache", "response", ["status", "status_info"])
    def _clear_cache_conf_in(self, w: Any, ctx: Ctx) -> au.ClearCacheResponse:
        return au.ClearCacheResponse(
            status=self.cache_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    # -- transactions (use cases E01-E15) -------------------------------------------------

    def _derive_trigger(self, g: tx.TransactionEventRequest) -> tx.TriggerReason:
        t = tx.TriggerReason
        if g.event_type is tx.TransactionEventType.Started:
            return t.Authorized
        if g.event_type is tx.TransactionEventType.Updated:
            clock = any(sv.context is me.ReadingContext.Sample_Clock
                        for mv in g.meter_values for sv in mv.sampled_values)
            return t.MeterValueClock if clock else t.MeterValuePeriodic
        reason = g.stopped_reason
        by_reason = {
            tx.StopReason.Remote: t.RemoteStop, tx.StopReason.DeAuthorized: t.Deauthorized,
            tx.StopReason.EVDisconnected: t.EVCommunicationLost,
            tx.StopReason.EnergyLimitReached: t.EnergyLimitReached,
            tx.StopReason.TimeLimitReached: t.TimeLimitReached,
            tx.StopReason.ImmediateReset: t.ResetCommand, tx.StopReason.HardReset: t.ResetCommand,
            tx.StopReason.SoftReset: t.ResetCommand, tx.StopReason.UnlockCommand: t.UnlockCommand,
        }
        if reason is None or reason is tx.StopReason.Local:
            return t.StopAuthorized
        return by_reason.get(reason, t.AbnormalCondition)

    @converts(tx.TransactionEventRequest, "TransactionEvent",
              notes="seqNo counted per transaction by the station-side adapter")
    def _transaction_event(self, g: tx.TransactionEventRequest, ctx: Ctx) -> Any:
        started = g.event_type is tx.TransactionEventType.Started
        ended = g.event_type is tx.TransactionEventType.Ended
        known = self.transactions.get(g.transaction_id, ctx.now)
        if started and known is not None:
            raise ctx.refuse(Why.VALUE, "transaction_id",
                             f"transaction {g.transaction_id!r} is already in progress")
        if not started and known is None:
            raise ctx.refuse(Why.UNKNOWN_TRANSACTION, "transaction_id",
                             f"transaction {g.transaction_id!r} is not known (not started, "
                             f"ended, or removed by the map's bounds)")
        trigger = g.trigger_reason
        if trigger is None:
            trigger = self._derive_trigger(g)
            ctx.default("trigger_reason", f"derived: {trigger}")
        values = self._meter_values_out(g.meter_values, ctx, "meter_values")
        if g.meter_wh is not None:
            if started or ended:
                context = self.cls("ReadingContextEnumType")(
                    "Transaction.Begin" if started else "Transaction.End")
                values.insert(0, self.cls("MeterValueType")(timestamp=g.timestamp, sampled_value=[
                    self.cls("SampledValueType")(
                        value=g.meter_wh, context=context,
                        measurand=self.cls("MeasurandEnumType")(_ENERGY),
                        unit_of_measure=self.cls("UnitOfMeasureType")(unit="Wh"))]))
            else:
                ctx.drop("meter_wh", "sent with Started and Ended events only")
        stopped = g.stopped_reason
        if stopped is not None and not ended:
            ctx.drop("stopped_reason", "sent with the Ended event only")
            stopped = None
        info = self.cls("TransactionType")(
            transaction_id=g.transaction_id,
            charging_state=self._opt_enum(self.charging_state, g.charging_state, ctx,
                                          "charging_state"),
            time_spent_charging=g.time_spent_charging,
            stopped_reason=self._opt_enum(self.stop_reason, stopped, ctx, "stopped_reason"),
            remote_start_id=g.remote_start_id)
        fields = {
            "event_type": self.event_type.out(g.event_type, ctx, "event_type"),
            "meter_value": values or None, "timestamp": g.timestamp,
            "trigger_reason": ctx.enum_out(self.trigger_reason, trigger, "trigger_reason"),
            "offline": g.offline or None, "number_of_phases_used": g.number_of_phases_used,
            "cable_max_current": g.cable_max_current, "reservation_id": g.reservation_id,
            "transaction_info": info, "evse": self._evse(g.evse_id, g.connector_id, ctx),
            "id_token": None if g.id_token is None else self._id_token_out(g.id_token, ctx,
                                                                           "id_token"),
        }
        # Nothing can refuse past this point: only now is the bookkeeping updated.
        entry = known if known is not None else self.transactions.start(
            g.transaction_id, evse_id=g.evse_id, connector_id=g.connector_id, now=ctx.now)
        message = self.cls("TransactionEventRequest")(
            seq_no=self.transactions.take_seq_no(entry), **fields)
        if ended:
            self.transactions.end(g.transaction_id)
        return message

    def _lift_meter_wh(self, values: list[me.MeterValue],
                       event: tx.TransactionEventType) -> int | None:
        """Take the plain begin/end energy register sample out of ``values``."""
        if event is tx.TransactionEventType.Updated:
            return None
        context = (me.ReadingContext.Transaction_Begin if event is tx.TransactionEventType.Started
                   else me.ReadingContext.Transaction_End)
        for i, mv in enumerate(values):
            for j, sv in enumerate(mv.sampled_values):
                plain = (sv.measurand is me.Measurand.Energy_Active_Import_Register
                         and sv.context is context and sv.phase is None
                         and sv.location in (None, me.Location.Outlet)
                         and sv.signed_meter_value is None and sv.unit in (None, "Wh")
                         and not sv.multiplier and sv.value is not None
                         and sv.value == sv.value.to_integral_value())
                if not plain:
                    continue
                assert sv.value is not None
                rest = mv.sampled_values[:j] + mv.sampled_values[j + 1:]
                if rest:
                    values[i] = me.MeterValue(timestamp=mv.timestamp, sampled_values=rest)
                else:
                    del values[i]
                return int(sv.value)
        return None

    # seq_no is read and consumed here: it is the sender's bookkeeping (the station-side
    # adapter numbers its own events), still readable in version_message.
    @reads("TransactionEvent", "request", ["event_type", "meter_value", "timestamp",
                                            "trigger_reason", "seq_no", "offline",
                                            "number_of_phases_used", "cable_max_current",
                                            "reservation_id", "transaction_info", "evse",
                                            "id_token"])
    def _transaction_event_in(self, w: Any, ctx: Ctx) -> tx.TransactionEventRequest:
        event = self.event_type.into(w.event_type, ctx, "event_type")
        values = self._meter_values_in(w.meter_value, ctx, "meter_value")
        meter_wh = self._lift_meter_wh(values, event)
        info = w.transaction_info
        ctx.unread(info, {"transaction_id", "charging_state", "time_spent_charging",
                          "stopped_reason", "remote_start_id"}, "transaction_info")
        evse_id, connector_id = self._evse_in(w.evse, ctx, "evse")
        return tx.TransactionEventRequest(
            event_type=event, transaction_id=info.transaction_id, timestamp=w.timestamp,
            trigger_reason=self.trigger_reason.into(w.trigger_reason, ctx, "trigger_reason"),
            evse_id=evse_id, connector_id=connector_id,
            id_token=None if w.id_token is None else self._id_token_in(w.id_token, ctx,
                                                                       "id_token"),
            meter_wh=meter_wh, meter_values=tuple(values),
            stopped_reason=self._opt_into(self.stop_reason, info.stopped_reason, ctx,
                                          "transaction_info.stopped_reason"),
            reservation_id=w.reservation_id, remote_start_id=info.remote_start_id,
            charging_state=self._opt_into(self.charging_state, info.charging_state, ctx,
                                          "transaction_info.charging_state"),
            time_spent_charging=info.time_spent_charging, offline=bool(w.offline),
            number_of_phases_used=w.number_of_phases_used,
            cable_max_current=w.cable_max_current)

    @converts(tx.TransactionEventResponse, "TransactionEvent")
    def _transaction_event_conf(self, g: tx.TransactionEventResponse, ctx: Ctx) -> Any:
        return self.cls("TransactionEventResponse")(
            total_cost=None if g.total_cost is None else number(g.total_cost),
            charging_priority=g.charging_priority,
            id_token_info=None if g.id_token_info is None else self._id_token_info_out(
                g.id_token_info, ctx, "id_token_info"),
            updated_personal_message=self._message_out(g.updated_personal_message, ctx,
                                                       "updated_personal_message"))

    @reads("TransactionEvent", "response", ["total_cost", "charging_priority", "id_token_info",
                                             "updated_personal_message"])
    def _transaction_event_conf_in(self, w: Any, ctx: Ctx) -> tx.TransactionEventResponse:
        return tx.TransactionEventResponse(
            total_cost=w.total_cost, charging_priority=w.charging_priority,
            id_token_info=None if w.id_token_info is None else self._id_token_info_in(
                w.id_token_info, ctx, "id_token_info"),
            updated_personal_message=self._message_in(w.updated_personal_message, ctx,
                                                      "updated_personal_message"))

    @converts(tx.MeterValuesRequest, "MeterValues")
    def _meter_values(self, g: tx.MeterValuesRequest, ctx: Ctx) -> Any:
        values = self._meter_values_out(g.meter_values, ctx, "meter_values")
        if not values:
            raise ctx.refuse(Why.VALUE, "meter_values",
                             f"no meter value that {self.version} can express")
        return self.cls("MeterValuesRequest")(evse_id=g.evse_id, meter_value=values)

    @reads("MeterValues", "request", ["evse_id", "meter_value"])
    def _meter_values_in_(self, w: Any, ctx: Ctx) -> tx.MeterValuesRequest:
        return tx.MeterValuesRequest(evse_id=w.evse_id, meter_values=tuple(
            self._meter_values_in(w.meter_value, ctx, "meter_value")))

    @reads("MeterValues", "response", [])
    def _meter_values_conf_in(self, w: Any, ctx: Ctx) -> tx.MeterValuesResponse:
        return tx.MeterValuesResponse()

    @converts(tx.RequestStartTransactionRequest, "RequestStartTransaction")
    def _remote_start(self, g: tx.RequestStartTransactionRequest, ctx: Ctx) -> Any:
        if g.remote_start_id is None:
            raise ctx.refuse(Why.MISSING, "remote_start_id",
                             f"{self.version} RequestStartTransaction needs a remoteStartId")
        return self.cls("RequestStartTransactionRequest")(
            evse_id=g.evse_id, remote_start_id=g.remote_start_id,
            id_token=self._id_token_out(g.id_token, ctx, "id_token"),
            group_id_token=None if g.group_id_token is None else self._id_token_out(
                g.group_id_token, ctx, "group_id_token"),
            charging_profile=None if g.charging_profile is None else self._profile_out(
                g.charging_profile, ctx, "charging_profile"))

    @reads("RequestStartTransaction", "request", ["evse_id", "group_id_token", "id_token",
                                                   "remote_start_id", "charging_profile"])
    def _remote_start_in(self, w: Any, ctx: Ctx) -> tx.RequestStartTransactionRequest:
        return tx.RequestStartTransactionRequest(
            id_token=self._id_token_in(w.id_token, ctx, "id_token"), evse_id=w.evse_id,
            remote_start_id=w.remote_start_id,
            group_id_token=None if w.group_id_token is None else self._id_token_in(
                w.group_id_token, ctx, "group_id_token"),
            charging_profile=None if w.charging_profile is None else self._profile_in(
                w.charging_profile, ctx, "charging_profile"))

    @converts(tx.RequestStartTransactionResponse, "RequestStartTransaction")
    def _remote_start_conf(self, g: tx.RequestStartTransactionResponse, ctx: Ctx) -> Any:
        return self.cls("RequestStartTransactionResponse")(
            status=self.start_stop_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info), transaction_id=g.transaction_id)

    @reads("RequestStartTransaction", "response", ["status", "status_info", "transaction_id"])
    def _remote_start_conf_in(self, w: Any, ctx: Ctx) -> tx.RequestStartTransactionResponse:
        return tx.RequestStartTransactionResponse(
            status=self.start_stop_status.into(w.status, ctx, "status"),
            transaction_id=w.transaction_id,
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    @converts(tx.RequestStopTransactionRequest, "RequestStopTransaction")
    def _remote_stop(self, g: tx.RequestStopTransactionRequest, ctx: Ctx) -> Any:
        return self.cls("RequestStopTransactionRequest")(transaction_id=g.transaction_id)

    @reads("RequestStopTransaction", "request", ["transaction_id"])
    def _remote_stop_in(self, w: Any, ctx: Ctx) -> tx.RequestStopTransactionRequest:
        return tx.RequestStopTransactionRequest(transaction_id=w.transaction_id)

    @converts(tx.RequestStopTransactionResponse, "RequestStopTransaction")
    def _remote_stop_conf(self, g: tx.RequestStopTransactionResponse, ctx: Ctx) -> Any:
        return self.cls("RequestStopTransactionResponse")(
            status=self.start_stop_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("RequestStopTransaction", "response", ["status", "status_info"])
    def _remote_stop_conf_in(self, w: Any, ctx: Ctx) -> tx.RequestStopTransactionResponse:
        return tx.RequestStopTransactionResponse(
            status=self.start_stop_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    # -- reset ----------------------------------------------------------------------------

    @converts(pr.ResetRequest, "Reset")
    def _reset(self, g: pr.ResetRequest, ctx: Ctx) -> Any:
        if g.hard:
            ctx.drop("hard", f"{self.version} has no hard reset")
        return self.cls("ResetRequest")(type=ctx.enum_out(self.reset_type, g.type, "type"),
                                        evse_id=g.evse_id)

    @reads("Reset", "request", ["type", "evse_id"])
    def _reset_in(self, w: Any, ctx: Ctx) -> pr.ResetRequest:
        return pr.ResetRequest(type=self.reset_type.into(w.type, ctx, "type"), evse_id=w.evse_id)

    @converts(pr.ResetResponse, "Reset")
    def _reset_conf(self, g: pr.ResetResponse, ctx: Ctx) -> Any:
        return self.cls("ResetResponse")(status=self.reset_status.out(g.status, ctx, "status"),
                                         status_info=self._status_info_out(g.status_info))

    @reads("Reset", "response", ["status", "status_info"])
    def _reset_conf_in(self, w: Any, ctx: Ctx) -> pr.ResetResponse:
        return pr.ResetResponse(status=self.reset_status.into(w.status, ctx, "status"),
                                status_info=self._status_info_in(w.status_info, ctx,
                                                                 "status_info"))

    # -- configuration (B05, B06) ---------------------------------------------------------

    @converts(co.GetConfigurationRequest, "GetVariables")
    def _get_configuration(self, g: co.GetConfigurationRequest, ctx: Ctx) -> Any:
        if not g.keys:
            raise ctx.refuse(Why.FIELD, "keys", f"{self.version} GetVariables names each "
                                                "variable; reading all is GetBaseReport")
        data = []
        for i, key in enumerate(g.keys):
            component, variable = self._variable_out(key, ctx, f"keys[{i}]")
            data.append(self.cls("GetVariableDataType")(component=component, variable=variable))
        return self.cls("GetVariablesRequest")(get_variable_data=data)

    @reads("GetVariables", "request", ["get_variable_data"])
    def _get_configuration_in(self, w: Any, ctx: Ctx) -> co.GetConfigurationRequest:
        keys = []
        for i, d in enumerate(w.get_variable_data):
            where = f"get_variable_data[{i}]"
            ctx.unread(d, {"component", "variable"}, where)
            keys.append(self._key_in(d.component, d.variable, ctx, where))
        return co.GetConfigurationRequest(keys=tuple(keys))

    @converts(co.GetConfigurationResponse, "GetVariables")
    def _get_configuration_conf(self, g: co.GetConfigurationResponse, ctx: Ctx) -> Any:
        results = []
        for i, value in enumerate(g.values):
            where = f"values[{i}]"
            ctx.unread(value, {"key", "status", "value", "attribute", "status_info"}, where)
            component, variable = self._variable_out(value.key, ctx, join(where, "key"))
            results.append(self.cls("GetVariableResultType")(
                attribute_status=ctx.enum_out(self.get_status, value.status,
                                              join(where, "status")),
                attribute_status_info=self._status_info_out(value.status_info),
                attribute_type=self._opt_enum(self.attribute, value.attribute, ctx,
                                              join(where, "attribute")),
                attribute_value=value.value, component=component, variable=variable))
        if not results:
            raise ctx.refuse(Why.MISSING, "values", "GetVariablesResponse needs a result")
        return self.cls("GetVariablesResponse")(get_variable_result=results)

    @reads("GetVariables", "response", ["get_variable_result"])
    def _get_configuration_conf_in(self, w: Any, ctx: Ctx) -> co.GetConfigurationResponse:
        asked: tuple[co.ConfigKey, ...] = ctx.request.keys
        values = []
        for i, r in enumerate(w.get_variable_result):
            where = f"get_variable_result[{i}]"
            ctx.unread(r, {"attribute_status", "attribute_status_info", "attribute_type",
                           "attribute_value", "component", "variable"}, where)
            values.append(co.ConfigValue(
                key=self._key_in(r.component, r.variable, ctx, where, asked),
                status=self.get_status.into(r.attribute_status, ctx,
                                            join(where, "attribute_status")),
                value=r.attribute_value,
                attribute=self._opt_into(self.attribute, r.attribute_type, ctx,
                                         join(where, "attribute_type")),
                status_info=self._status_info_in(r.attribute_status_info, ctx,
                                                 join(where, "attribute_status_info"))))
        return co.GetConfigurationResponse(values=tuple(values))

    @converts(co.SetConfigurationRequest, "SetVariables")
    def _set_configuration(self, g: co.SetConfigurationRequest, ctx: Ctx) -> Any:
        data = []
        for i, setting in enumerate(g.settings):
            where = f"settings[{i}]"
            component, variable = self._variable_out(setting.key, ctx, join(where, "key"))
            data.append(self.cls("SetVariableDataType")(
                attribute_type=self._opt_enum(self.attribute, setting.attribute, ctx,
                                              join(where, "attribute")),
                attribute_value=setting.value, component=component, variable=variable))
        if not data:
            raise ctx.refuse(Why.MISSING, "settings", "SetVariables needs a setting")
        return self.cls("SetVariablesRequest")(set_variable_data=data)

    @reads("SetVariables", "request", ["set_variable_data"])
    def _set_configuration_in(self, w: Any, ctx: Ctx) -> co.SetConfigurationRequest:
        settings = []
        for i, d in enumerate(w.set_variable_data):
            where = f"set_variable_data[{i}]"
            ctx.unread(d, {"attribute_type", "attribute_value", "component", "variable"}, where)
            settings.append(co.ConfigSetting(
                key=self._key_in(d.component, d.variable, ctx, where), value=d.attribute_value,
                attribute=self._opt_into(self.attribute, d.attribute_type, ctx,
                                         join(where, "attribute_type"))))
        return co.SetConfigurationRequest(settings=tuple(settings))

    @converts(co.SetConfigurationResponse, "SetVariables")
    def _set_configuration_conf(self, g: co.SetConfigurationResponse, ctx: Ctx) -> Any:
        results = []
        for i, r in enumerate(g.results):
            where = f"results[{i}]"
            component, variable = self._variable_out(r.key, ctx, join(where, "key"))
            results.append(self.cls("SetVariableResultType")(
                attribute_type=self._opt_enum(self.attribute, r.attribute, ctx,
                                              join(where, "attribute")),
                attribute_status=ctx.enum_out(self.set_status, r.status, join(where, "status")),
                attribute_status_info=self._status_info_out(r.status_info),
                component=component, variable=variable))
        if not results:
            raise ctx.refuse(Why.MISSING, "results", "SetVariablesResponse needs a result")
        return self.cls("SetVariablesResponse")(set_variable_result=results)

    @reads("SetVariables", "response", ["set_variable_result"])
    def _set_configuration_conf_in(self, w: Any, ctx: Ctx) -> co.SetConfigurationResponse:
        asked = tuple(s.key for s in ctx.request.settings)
        results = []
        for i, r in enumerate(w.set_variable_result):
            where = f"set_variable_result[{i}]"
            ctx.unread(r, {"attribute_type", "attribute_status", "attribute_status_info",
                           "component", "variable"}, where)
            results.append(co.ConfigSetResult(
                key=self._key_in(r.component, r.variable, ctx, where, asked),
                status=self.set_status.into(r.attribute_status, ctx,
                                            join(where, "attribute_status")),
                attribute=self._opt_into(self.attribute, r.attribute_type, ctx,
                                         join(where, "attribute_type")),
                status_info=self._status_info_in(r.attribute_status_info, ctx,
                                                 join(where, "attribute_status_info"))))
        return co.SetConfigurationResponse(results=tuple(results))

    # -- trigger, data transfer -----------------------------------------------------------

    @converts(pr.TriggerMessageRequest, "TriggerMessage")
    def _trigger(self, g: pr.TriggerMessageRequest, ctx: Ctx) -> Any:
        fields: dict[str, Any] = {}
        if self.v21:
            fields["custom_trigger"] = g.custom_trigger
        elif g.custom_trigger is not None:
            ctx.drop("custom_trigger", "2.1 only")
        return self.cls("TriggerMessageRequest")(
            evse=self._evse(g.evse_id, g.connector_id, ctx),
            requested_message=ctx.enum_out(self.trigger, g.requested_message,
                                           "requested_message"), **fields)

    @reads("TriggerMessage", "request", ["evse", "requested_message", "custom_trigger"])
    def _trigger_in(self, w: Any, ctx: Ctx) -> pr.TriggerMessageRequest:
        evse_id, connector_id = self._evse_in(w.evse, ctx, "evse")
        return pr.TriggerMessageRequest(
            requested_message=self.trigger.into(w.requested_message, ctx, "requested_message"),
            evse_id=evse_id, connector_id=connector_id,
            custom_trigger=w.custom_trigger if self.v21 else None)

    @converts(pr.TriggerMessageResponse, "TriggerMessage")
    def _trigger_conf(self, g: pr.TriggerMessageResponse, ctx: Ctx) -> Any:
        return self.cls("TriggerMessageResponse")(
            status=self.trigger_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("TriggerMessage", "response", ["status", "status_info"])
    def _trigger_conf_in(self, w: Any, ctx: Ctx) -> pr.TriggerMessageResponse:
        return pr.TriggerMessageResponse(
            status=self.trigger_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    @converts(dt.DataTransferRequest, "DataTransfer")
    def _data_transfer(self, g: dt.DataTransferRequest, ctx: Ctx) -> Any:
        return self.cls("DataTransferRequest")(vendor_id=g.vendor_id, message_id=g.message_id,
                                               data=g.data)

    @reads("DataTransfer", "request", ["message_id", "data", "vendor_id"])
    def _data_transfer_in(self, w: Any, ctx: Ctx) -> dt.DataTransferRequest:
        return dt.DataTransferRequest(vendor_id=w.vendor_id, message_id=w.message_id, data=w.data)

    @converts(dt.DataTransferResponse, "DataTransfer")
    def _data_transfer_conf(self, g: dt.DataTransferResponse, ctx: Ctx) -> Any:
        return self.cls("DataTransferResponse")(
            status=self.data_transfer_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info), data=g.data)

    @reads("DataTransfer", "response", ["status", "status_info", "data"])
    def _data_transfer_conf_in(self, w: Any, ctx: Ctx) -> dt.DataTransferResponse:
        return dt.DataTransferResponse(
            status=self.data_transfer_status.into(w.status, ctx, "status"), data=w.data,
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    # -- firmware (L01), logs (N01) -------------------------------------------------------

    @converts(fw.UpdateFirmwareRequest, "UpdateFirmware")
    def _update_firmware(self, g: fw.UpdateFirmwareRequest, ctx: Ctx) -> Any:
        if g.request_id is None:
            raise ctx.refuse(Why.MISSING, "request_id", f"{self.version} UpdateFirmware needs "
                                                        "a requestId")
        return self.cls("UpdateFirmwareRequest")(
            retries=g.retries, retry_interval=g.retry_interval, request_id=g.request_id,
            firmware=self.cls("FirmwareType")(
                location=g.location, retrieve_date_time=g.retrieve_date_time,
                install_date_time=g.install_date_time,
                signing_certificate=g.signing_certificate, signature=g.signature))

    @reads("UpdateFirmware", "request", ["retries", "retry_interval", "request_id", "firmware"])
    def _update_firmware_in(self, w: Any, ctx: Ctx) -> fw.UpdateFirmwareRequest:
        f = w.firmware
        ctx.unread(f, {"location", "retrieve_date_time", "install_date_time",
                       "signing_certificate", "signature"}, "firmware")
        return fw.UpdateFirmwareRequest(
            location=f.location, retrieve_date_time=f.retrieve_date_time, retries=w.retries,
            retry_interval=w.retry_interval, request_id=w.request_id,
            install_date_time=f.install_date_time, signing_certificate=f.signing_certificate,
            signature=f.signature)

    @converts(fw.UpdateFirmwareResponse, "UpdateFirmware")
    def _update_firmware_conf(self, g: fw.UpdateFirmwareResponse, ctx: Ctx) -> Any:
        return self.cls("UpdateFirmwareResponse")(
            status=self.update_firmware_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("UpdateFirmware", "response", ["status", "status_info"])
    def _update_firmware_conf_in(self, w: Any, ctx: Ctx) -> fw.UpdateFirmwareResponse:
        return fw.UpdateFirmwareResponse(
            status=self.update_firmware_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    def _status_info_21(self, info: cm.StatusInfo | None, ctx: Ctx) -> dict[str, Any]:
        if self.v21:
            return {"status_info": self._status_info_out(info)}
        if info is not None:
            ctx.drop("status_info", "2.1 only")
        return {}

    @converts(fw.FirmwareStatusNotificationRequest, "FirmwareStatusNotification")
    def _firmware_status(self, g: fw.FirmwareStatusNotificationRequest, ctx: Ctx) -> Any:
        return self.cls("FirmwareStatusNotificationRequest")(
            status=self.firmware_status.out(g.status, ctx, "status"), request_id=g.request_id,
            **self._status_info_21(g.status_info, ctx))

    @reads("FirmwareStatusNotification", "request", ["status", "request_id", "status_info"])
    def _firmware_status_in(self, w: Any, ctx: Ctx) -> fw.FirmwareStatusNotificationRequest:
        return fw.FirmwareStatusNotificationRequest(
            status=self.firmware_status.into(w.status, ctx, "status"), request_id=w.request_id,
            status_info=self._status_info_in(getattr(w, "status_info", None), ctx,
                                             "status_info"))

    @converts(fw.FirmwareStatusNotificationResponse, "FirmwareStatusNotification")
    def _firmware_status_conf(self, g: fw.FirmwareStatusNotificationResponse, ctx: Ctx) -> Any:
        return self.cls("FirmwareStatusNotificationResponse")()

    @converts(fw.GetLogRequest, "GetLog")
    def _get_log(self, g: fw.GetLogRequest, ctx: Ctx) -> Any:
        if g.request_id is None:
            raise ctx.refuse(Why.MISSING, "request_id", f"{self.version} GetLog needs a "
                                                        "requestId")
        return self.cls("GetLogRequest")(
            log=self.cls("LogParametersType")(remote_location=g.location,
                                              oldest_timestamp=g.oldest_timestamp,
                                              latest_timestamp=g.latest_timestamp),
            log_type=ctx.enum_out(self.log_type, g.log_type, "log_type"),
            request_id=g.request_id, retries=g.retries, retry_interval=g.retry_interval)

    @converts(fw.GetLogResponse, "GetLog")
    def _get_log_conf(self, g: fw.GetLogResponse, ctx: Ctx) -> Any:
        return self.cls("GetLogResponse")(status=self.log_status.out(g.status, ctx, "status"),
                                          status_info=self._status_info_out(g.status_info),
                                          filename=g.filename)

    @reads("GetLog", "response", ["status", "status_info", "filename"])
    def _get_log_conf_in(self, w: Any, ctx: Ctx) -> fw.GetLogResponse:
        return fw.GetLogResponse(status=self.log_status.into(w.status, ctx, "status"),
                                 filename=w.filename,
                                 status_info=self._status_info_in(w.status_info, ctx,
                                                                  "status_info"))

    @converts(fw.LogStatusNotificationRequest, "LogStatusNotification")
    def _log_status(self, g: fw.LogStatusNotificationRequest, ctx: Ctx) -> Any:
        return self.cls("LogStatusNotificationRequest")(
            status=self.upload_status.out(g.status, ctx, "status"), request_id=g.request_id,
            **self._status_info_21(g.status_info, ctx))

    @reads("LogStatusNotification", "request", ["status", "request_id", "status_info"])
    def _log_status_in(self, w: Any, ctx: Ctx) -> fw.LogStatusNotificationRequest:
        return fw.LogStatusNotificationRequest(
            status=self.upload_status.into(w.status, ctx, "status"), request_id=w.request_id,
            status_info=self._status_info_in(getattr(w, "status_info", None), ctx,
                                             "status_info"))

    @converts(fw.LogStatusNotificationResponse, "LogStatusNotification")
    def _log_status_conf(self, g: fw.LogStatusNotificationResponse, ctx: Ctx) -> Any:
        return self.cls("LogStatusNotificationResponse")()

    # -- reservations (H01-H04) -----------------------------------------------------------

    @converts(rs.ReserveNowRequest, "ReserveNow")
    def _reserve(self, g: rs.ReserveNowRequest, ctx: Ctx) -> Any:
        connector_type: Any = g.connector_type
        if connector_type is not None and not self.v21:
            connector_type = self.cls("ConnectorEnumType")._value2member_map_.get(connector_type)
            if connector_type is None:
                raise ctx.refuse(Why.VALUE, "connector_type",
                                 f"{g.connector_type} is not a 2.0.1 connector type")
        return self.cls("ReserveNowRequest")(
            id=g.reservation_id, expiry_date_time=g.expiry_date_time,
            connector_type=connector_type, evse_id=g.evse_id,
            id_token=self._id_token_out(g.id_token, ctx, "id_token"),
            group_id_token=None if g.group_id_token is None else self._id_token_out(
                g.group_id_token, ctx, "group_id_token"))

    @reads("ReserveNow", "request", ["id", "expiry_date_time", "connector_type", "id_token",
                                      "evse_id", "group_id_token"])
    def _reserve_in(self, w: Any, ctx: Ctx) -> rs.ReserveNowRequest:
        return rs.ReserveNowRequest(
            reservation_id=w.id, expiry_date_time=w.expiry_date_time,
            id_token=self._id_token_in(w.id_token, ctx, "id_token"), evse_id=w.evse_id,
            group_id_token=None if w.group_id_token is None else self._id_token_in(
                w.group_id_token, ctx, "group_id_token"),
            connector_type=None if w.connector_type is None else str(w.connector_type))

    @converts(rs.ReserveNowResponse, "ReserveNow")
    def _reserve_conf(self, g: rs.ReserveNowResponse, ctx: Ctx) -> Any:
        return self.cls("ReserveNowResponse")(
            status=self.reservation_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("ReserveNow", "response", ["status", "status_info"])
    def _reserve_conf_in(self, w: Any, ctx: Ctx) -> rs.ReserveNowResponse:
        return rs.ReserveNowResponse(
            status=self.reservation_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    @converts(rs.CancelReservationResponse, "CancelReservation")
    def _cancel_conf(self, g: rs.CancelReservationResponse, ctx: Ctx) -> Any:
        return self.cls("CancelReservationResponse")(
            status=self.cancel_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("CancelReservation", "response", ["status", "status_info"])
    def _cancel_conf_in(self, w: Any, ctx: Ctx) -> rs.CancelReservationResponse:
        return rs.CancelReservationResponse(
            status=self.cancel_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    @converts(rs.ReservationStatusUpdateRequest, "ReservationStatusUpdate")
    def _reservation_update(self, g: rs.ReservationStatusUpdateRequest, ctx: Ctx) -> Any:
        return self.cls("ReservationStatusUpdateRequest")(
            reservation_id=g.reservation_id,
            reservation_update_status=ctx.enum_out(self.reservation_update, g.status, "status"))

    @reads("ReservationStatusUpdate", "request", ["reservation_id", "reservation_update_status"])
    def _reservation_update_in(self, w: Any, ctx: Ctx) -> rs.ReservationStatusUpdateRequest:
        return rs.ReservationStatusUpdateRequest(
            reservation_id=w.reservation_id,
            status=self.reservation_update.into(w.reservation_update_status, ctx,
                                                "reservation_update_status"))

    @converts(rs.ReservationStatusUpdateResponse, "ReservationStatusUpdate")
    def _reservation_update_conf(self, g: rs.ReservationStatusUpdateResponse, ctx: Ctx) -> Any:
        return self.cls("ReservationStatusUpdateResponse")()

    @reads("ReservationStatusUpdate", "response", [])
    def _reservation_update_conf_in(self, w: Any,
                                    ctx: Ctx) -> rs.ReservationStatusUpdateResponse:
        return rs.ReservationStatusUpdateResponse()

    # -- smart charging (K01, K10, K08) ---------------------------------------------------

    @converts(sc.SetChargingProfileRequest, "SetChargingProfile")
    def _set_profile(self, g: sc.SetChargingProfileRequest, ctx: Ctx) -> Any:
        return self.cls("SetChargingProfileRequest")(
            evse_id=g.evse_id,
            charging_profile=self._profile_out(g.charging_profile, ctx, "charging_profile"))

    @reads("SetChargingProfile", "request", ["evse_id", "charging_profile"])
    def _set_profile_in(self, w: Any, ctx: Ctx) -> sc.SetChargingProfileRequest:
        return sc.SetChargingProfileRequest(
            evse_id=w.evse_id,
            charging_profile=self._profile_in(w.charging_profile, ctx, "charging_profile"))

    @converts(sc.SetChargingProfileResponse, "SetChargingProfile")
    def _set_profile_conf(self, g: sc.SetChargingProfileResponse, ctx: Ctx) -> Any:
        return self.cls("SetChargingProfileResponse")(
            status=self.profile_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("SetChargingProfile", "response", ["status", "status_info"])
    def _set_profile_conf_in(self, w: Any, ctx: Ctx) -> sc.SetChargingProfileResponse:
        return sc.SetChargingProfileResponse(
            status=self.profile_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    @converts(sc.ClearChargingProfileRequest, "ClearChargingProfile")
    def _clear_profile(self, g: sc.ClearChargingProfileRequest, ctx: Ctx) -> Any:
        criteria = None
        if g.evse_id is not None or g.purpose is not None or g.stack_level is not None:
            criteria = self.cls("ClearChargingProfileType")(
                evse_id=g.evse_id, stack_level=g.stack_level,
                charging_profile_purpose=self._opt_enum(self.purpose, g.purpose, ctx,
                                                        "purpose"))
        return self.cls("ClearChargingProfileRequest")(
            charging_profile_id=g.charging_profile_id, charging_profile_criteria=criteria)

    @reads("ClearChargingProfile", "request", ["charging_profile_id",
                                                "charging_profile_criteria"])
    def _clear_profile_in(self, w: Any, ctx: Ctx) -> sc.ClearChargingProfileRequest:
        c = w.charging_profile_criteria
        if c is None:
            return sc.ClearChargingProfileRequest(charging_profile_id=w.charging_profile_id)
        ctx.unread(c, {"evse_id", "charging_profile_purpose", "stack_level"},
                   "charging_profile_criteria")
        return sc.ClearChargingProfileRequest(
            charging_profile_id=w.charging_profile_id, evse_id=c.evse_id,
            stack_level=c.stack_level,
            purpose=self._opt_into(self.purpose, c.charging_profile_purpose, ctx,
                                   "charging_profile_criteria.charging_profile_purpose"))

    @converts(sc.ClearChargingProfileResponse, "ClearChargingProfile")
    def _clear_profile_conf(self, g: sc.ClearChargingProfileResponse, ctx: Ctx) -> Any:
        return self.cls("ClearChargingProfileResponse")(
            status=self.clear_profile_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info))

    @reads("ClearChargingProfile", "response", ["status", "status_info"])
    def _clear_profile_conf_in(self, w: Any, ctx: Ctx) -> sc.ClearChargingProfileResponse:
        return sc.ClearChargingProfileResponse(
            status=self.clear_profile_status.into(w.status, ctx, "status"),
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))

    @converts(sc.GetCompositeScheduleRequest, "GetCompositeSchedule")
    def _composite(self, g: sc.GetCompositeScheduleRequest, ctx: Ctx) -> Any:
        return self.cls("GetCompositeScheduleRequest")(
            duration=g.duration, evse_id=g.evse_id,
            charging_rate_unit=self._opt_enum(self.rate_unit, g.charging_rate_unit, ctx,
                                              "charging_rate_unit"))

    @reads("GetCompositeSchedule", "request", ["duration", "charging_rate_unit", "evse_id"])
    def _composite_in(self, w: Any, ctx: Ctx) -> sc.GetCompositeScheduleRequest:
        return sc.GetCompositeScheduleRequest(
            evse_id=w.evse_id, duration=w.duration,
            charging_rate_unit=self._opt_into(self.rate_unit, w.charging_rate_unit, ctx,
                                              "charging_rate_unit"))

    @converts(sc.GetCompositeScheduleResponse, "GetCompositeSchedule")
    def _composite_conf(self, g: sc.GetCompositeScheduleResponse, ctx: Ctx) -> Any:
        s = g.schedule
        schedule = None
        if s is not None:
            if s.duration is None or s.schedule_start is None:
                raise ctx.refuse(Why.MISSING, "schedule.duration" if s.duration is None else
                                 "schedule.schedule_start",
                                 f"{self.version} composite schedules need both")
            if s.min_charging_rate is not None:
                ctx.drop("schedule.min_charging_rate", "1.6 only")
            schedule = self.cls("CompositeScheduleType")(
                charging_schedule_period=self._periods_out(s.periods), evse_id=s.evse_id,
                duration=s.duration, schedule_start=s.schedule_start,
                charging_rate_unit=ctx.enum_out(self.rate_unit, s.charging_rate_unit,
                                                "schedule.charging_rate_unit"))
        return self.cls("GetCompositeScheduleResponse")(
            status=self.composite_status.out(g.status, ctx, "status"),
            status_info=self._status_info_out(g.status_info), schedule=schedule)

    @reads("GetCompositeSchedule", "response", ["status", "status_info", "schedule"])
    def _composite_conf_in(self, w: Any, ctx: Ctx) -> sc.GetCompositeScheduleResponse:
        s = w.schedule
        schedule = None
        if s is not None:
            ctx.unread(s, {"charging_schedule_period", "evse_id", "duration", "schedule_start",
                           "charging_rate_unit"}, "schedule")
            schedule = sc.CompositeSchedule(
                evse_id=s.evse_id, duration=s.duration, schedule_start=s.schedule_start,
                charging_rate_unit=self.rate_unit.into(s.charging_rate_unit, ctx,
                                                       "schedule.charging_rate_unit"),
                periods=self._periods_in(s.charging_schedule_period, ctx,
                                         "schedule.charging_schedule_period"))
        return sc.GetCompositeScheduleResponse(
            status=self.composite_status.into(w.status, ctx, "status"), schedule=schedule,
            status_info=self._status_info_in(w.status_info, ctx, "status_info"))
