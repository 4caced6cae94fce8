"""Generic availability operations: status notification, change availability, unlock connector.

Addressing: ``evse_id`` is the 1.x ``connectorId`` (see :mod:`ocpp_sansio.generic.common`).
"""

import datetime
import enum

import attrs

from .common import GenericMessage, StatusInfo


class ConnectorStatus(enum.StrEnum):
    """Connector status: the 1.6 values plus the 1.5/2.0.1 ``Occupied``.

    2.0.1 has ``Available``, ``Occupied``, ``Reserved``, ``Unavailable``, ``Faulted``: the
    1.6 states of a connector in use (``Preparing`` ... ``Finishing``) are sent to it, and to
    1.5, as ``Occupied`` (approximated). ``Occupied`` itself cannot be sent to 1.6, which
    needs to know which of those states it is (unsupported): a station written once for every
    version reports the 1.6 states.
    """

    Available = "Available"
    Preparing = "Preparing"
    Charging = "Charging"
    SuspendedEVSE = "SuspendedEVSE"
    SuspendedEV = "SuspendedEV"
    Finishing = "Finishing"
    Reserved = "Reserved"
    Unavailable = "Unavailable"
    Faulted = "Faulted"
    Occupied = "Occupied"


class ConnectorErrorCode(enum.StrEnum):
    """1.x ``ChargePointErrorCode`` (1.6 values, plus ``Mode3Error`` of 1.5). 2.0.1 reports
    errors through the device model (NotifyEvent), not in StatusNotification."""

    ConnectorLockFailure = "ConnectorLockFailure"
    EVCommunicationError = "EVCommunicationError"
    GroundFailure = "GroundFailure"
    HighTemperature = "HighTemperature"
    InternalError = "InternalError"
    LocalListConflict = "LocalListConflict"
    NoError = "NoError"
    OtherError = "OtherError"
    OverCurrentFailure = "OverCurrentFailure"
    PowerMeterFailure = "PowerMeterFailure"
    PowerSwitchFailure = "PowerSwitchFailure"
    ReaderFailure = "ReaderFailure"
    ResetFailure = "ResetFailure"
    UnderVoltage = "UnderVoltage"
    OverVoltage = "OverVoltage"
    WeakSignal = "WeakSignal"
    Mode3Error = "Mode3Error"  #: 1.5 only


@attrs.frozen(kw_only=True)
class StatusNotificationRequest(GenericMessage):
    """Connector status change (1.x StatusNotification.req, 2.0.1+ StatusNotificationRequest).

    - ``evse_id``: 1.x ``connectorId`` (``0``: the station itself, 1.x only), 2.0.1 ``evseId``.
    - ``connector_id``: 2.0.1 ``connectorId`` (required there); 1.x reads as ``1``, and other
      values cannot be sent to 1.x.
    - ``timestamp``: optional in 1.x, required by 2.0.1+ (unsupported there when missing).
    - ``error_code``, ``info``, ``vendor_id``, ``vendor_error_code``: 1.x only.
    """

    evse_id: int
    status: ConnectorStatus
    connector_id: int = 1
    timestamp: datetime.datetime | None = None
    error_code: ConnectorErrorCode = ConnectorErrorCode.NoError
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None


@attrs.frozen(kw_only=True)
class StatusNotificationResponse(GenericMessage):
    """Acknowledgement (empty in every version)."""


class OperationalStatus(enum.StrEnum):
    """Target availability (1.x ``AvailabilityType``, 2.0.1 ``OperationalStatusEnumType``)."""

    Inoperative = "Inoperative"
    Operative = "Operative"


class ChangeAvailabilityStatus(enum.StrEnum):
    """Change-availability answer (same values in every version)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    Scheduled = "Scheduled"


@attrs.frozen(kw_only=True)
class ChangeAvailabilityRequest(GenericMessage):
    """Make the station, an EVSE or a connector (in)operative.

    - ``evse_id``: ``None`` for the whole station (1.x ``connectorId`` 0, 2.0.1 no ``evse``).
    - ``connector_id``: 2.0.1+ only (``evse.connectorId``); 1.x cannot address it.
    """

    operational_status: OperationalStatus
    evse_id: int | None = None
    connector_id: int | None = None


@attrs.frozen(kw_only=True)
class ChangeAvailabilityResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: ChangeAvailabilityStatus
    status_info: StatusInfo | None = None


class UnlockStatus(enum.StrEnum):
    """Unlock answer. 1.5 has ``Accepted``/``Rejected`` (= ``Unlocked``/``UnlockFailed``);
    ``NotSupported`` is 1.6 only, ``OngoingAuthorizedTransaction`` and ``UnknownConnector``
    2.0.1+ (both sent to 1.x as ``UnlockFailed``, approximated)."""

    Unlocked = "Unlocked"
    UnlockFailed = "UnlockFailed"
    NotSupported = "NotSupported"
    OngoingAuthorizedTransaction = "OngoingAuthorizedTransaction"
    UnknownConnector = "UnknownConnector"


@attrs.frozen(kw_only=True)
class UnlockConnectorRequest(GenericMessage):
    """Unlock a connector: 1.x ``connectorId`` = ``evse_id``; 2.0.1 ``evseId`` + ``connectorId``.
    A ``connector_id`` other than 1 cannot be sent to 1.x (unsupported)."""

    evse_id: int
    connector_id: int = 1


@attrs.frozen(kw_only=True)
class UnlockConnectorResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: UnlockStatus
    status_info: StatusInfo | None = None
