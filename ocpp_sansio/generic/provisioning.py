"""Generic provisioning operations: registration (boot), heartbeat, reset, trigger message.

Per field, the docstrings say where it goes in each version; "1.x only" / "2.0.1+ only"
fields are reported lost when the target version has no place for them.
"""

import datetime
import enum

import attrs

from .common import GenericMessage, StatusInfo


class BootReason(enum.StrEnum):
    """Why the station (re)booted: 2.0.1+ ``BootReasonEnumType``."""

    ApplicationReset = "ApplicationReset"
    FirmwareUpdate = "FirmwareUpdate"
    LocalReset = "LocalReset"
    PowerUp = "PowerUp"
    RemoteReset = "RemoteReset"
    ScheduledReset = "ScheduledReset"
    Triggered = "Triggered"
    Unknown = "Unknown"
    Watchdog = "Watchdog"


class RegistrationStatus(enum.StrEnum):
    """Answer to a boot notification. 1.5 has no ``Pending``: it is sent as ``Rejected``
    (both mean "not accepted, retry after ``interval``"), approximated."""

    Accepted = "Accepted"
    Pending = "Pending"
    Rejected = "Rejected"


@attrs.frozen(kw_only=True)
class BootNotificationRequest(GenericMessage):
    """Station registration (1.x BootNotification.req, 2.0.1+ BootNotificationRequest).

    - ``vendor``, ``model``: 1.x ``chargePointVendor``/``chargePointModel`` (20 characters
      at most), 2.0.1 ``chargingStation.vendorName`` (50) / ``model`` (20).
    - ``serial_number``: 1.x ``chargePointSerialNumber``, 2.0.1 ``chargingStation.serialNumber``.
    - ``firmware_version``: both. ``iccid``, ``imsi``: 1.x top level, 2.0.1 ``modem``.
    - ``reason``: 2.0.1+ only (required there; 1.x does not carry it and reads as ``PowerUp``).
    - ``charge_box_serial_number``, ``meter_type``, ``meter_serial_number``: 1.x only.
    """

    vendor: str
    model: str
    serial_number: str | None = None
    firmware_version: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    reason: BootReason = BootReason.PowerUp
    charge_box_serial_number: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None


@attrs.frozen(kw_only=True)
class BootNotificationResponse(GenericMessage):
    """Registration result.

    - ``interval``: seconds; 1.5 ``heartbeatInterval``, 1.6+ ``interval``.
    - ``status_info``: 2.0.1+ only.
    """

    status: RegistrationStatus
    current_time: datetime.datetime
    interval: int
    status_info: StatusInfo | None = None


@attrs.frozen(kw_only=True)
class HeartbeatRequest(GenericMessage):
    """Heartbeat (every version, no fields)."""


@attrs.frozen(kw_only=True)
class HeartbeatResponse(GenericMessage):
    """The CSMS clock."""

    current_time: datetime.datetime


class ResetType(enum.StrEnum):
    """When to reset (2.0.1+ ``ResetEnumType``).

    1.x has no "when idle": ``OnIdle`` cannot be sent to 1.x (unsupported).
    """

    Immediate = "Immediate"
    OnIdle = "OnIdle"
    ImmediateAndResume = "ImmediateAndResume"  #: 2.1 only


class ResetStatus(enum.StrEnum):
    """Reset answer; ``Scheduled`` is 2.0.1+ (sent to 1.x as ``Accepted``, approximated)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    Scheduled = "Scheduled"


@attrs.frozen(kw_only=True)
class ResetRequest(GenericMessage):
    """Reset the station (1.x Reset.req, 2.0.1+ ResetRequest).

    - ``type``: 2.0.1+ ``type``; to 1.x ``Immediate`` (and 2.1 ``ImmediateAndResume``,
      approximated) become ``Soft``, or ``Hard`` when ``hard`` is set.
    - ``hard``: 1.x only, ``Hard`` (True) or ``Soft`` (False) reset (OCPP 1.6 section 5.14:
      a soft reset stops transactions gracefully, a hard one need not). Read from 1.x as given.
    - ``evse_id``: 2.0.1+ only (reset one EVSE); 1.x cannot, so it is unsupported there.
    """

    type: ResetType = ResetType.Immediate
    hard: bool = False
    evse_id: int | None = None


@attrs.frozen(kw_only=True)
class ResetResponse(GenericMessage):
    """Reset answer; ``status_info`` 2.0.1+ only."""

    status: ResetStatus
    status_info: StatusInfo | None = None


class MessageTrigger(enum.StrEnum):
    """Messages the CSMS can ask for.

    ``LogStatusNotification`` is the 1.6 ``DiagnosticsStatusNotification`` (generic log
    upload, see :mod:`ocpp_sansio.generic.firmware`). 1.6 ``TriggerMessage`` knows
    ``BootNotification``, ``Heartbeat``, ``MeterValues``, ``StatusNotification``,
    ``FirmwareStatusNotification`` and that one; the others are 2.0.1+ (2.1 adds the last
    two). 1.5 has no TriggerMessage at all.
    """

    BootNotification = "BootNotification"
    LogStatusNotification = "LogStatusNotification"
    FirmwareStatusNotification = "FirmwareStatusNotification"
    Heartbeat = "Heartbeat"
    MeterValues = "MeterValues"
    SignChargingStationCertificate = "SignChargingStationCertificate"
    SignV2GCertificate = "SignV2GCertificate"
    StatusNotification = "StatusNotification"
    TransactionEvent = "TransactionEvent"
    SignCombinedCertificate = "SignCombinedCertificate"
    PublishFirmwareStatusNotification = "PublishFirmwareStatusNotification"
    SignV2G20Certificate = "SignV2G20Certificate"
    CustomTrigger = "CustomTrigger"


class TriggerMessageStatus(enum.StrEnum):
    """Answer to a trigger request (every version that has one)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    NotImplemented = "NotImplemented"


@attrs.frozen(kw_only=True)
class TriggerMessageRequest(GenericMessage):
    """Ask the station to send a message (1.6 TriggerMessage.req, 2.0.1+ TriggerMessageRequest).

    - ``evse_id``: 1.6 ``connectorId``, 2.0.1 ``evse.id``; ``connector_id``: 2.0.1+ only
      (``evse.connectorId``).
    - ``custom_trigger``: 2.1 only.
    """

    requested_message: MessageTrigger
    evse_id: int | None = None
    connector_id: int | None = None
    custom_trigger: str | None = None


@attrs.frozen(kw_only=True)
class TriggerMessageResponse(GenericMessage):
    """Trigger answer; ``status_info`` 2.0.1+ only."""

    status: TriggerMessageStatus
    status_info: StatusInfo | None = None
