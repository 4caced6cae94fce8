"""Generic transactions: the transaction lifecycle, meter values, remote start and stop.

The lifecycle follows 2.0.1 (OCPP 2.0.1 Part 2, use cases E01-E15): one
:class:`TransactionEventRequest` per event, ``Started``, ``Updated`` (any number) and
``Ended``, each naming the transaction by a generic string id chosen by the station.

Mapping to 1.x (OCPP 1.6 sections 4.7, 4.8, 4.10; 1.5 the same sections):

====================  ========================================  ===================================
generic event         1.x message                               2.0.1+ message
====================  ========================================  ===================================
``Started``           StartTransaction.req (``meter_wh`` ->     TransactionEvent ``Started``,
                      ``meterStart``); the CSMS assigns the     ``seqNo`` 0
                      integer id in StartTransaction.conf
``Updated``           MeterValues.req with ``transactionId``    TransactionEvent ``Updated``
                      (needs ``meter_values``: 1.x has no       ``seqNo`` n
                      other kind of update)
``Ended``             StopTransaction.req (``meter_wh`` ->      TransactionEvent ``Ended``
                      ``meterStop``, ``meter_values`` ->
                      ``transactionData``)
====================  ========================================  ===================================

Transaction ids: on the station side of 1.x, the adapter's
:class:`~ocpp_sansio.generic.txmap.TransactionMap` binds the generic id to the integer the
CSMS assigned; on the CSMS side of 1.x, the generic id is the integer written in decimal
(``"42"``); in 2.0.1+ the generic id is the wire id. 2.0.1 ``seqNo`` is counted by the
station-side adapter, per transaction.

2.0.1 ``meter_wh``: the energy register reading at start/end travels as a sample
``Energy.Active.Import.Register``, context ``Transaction.Begin``/``Transaction.End``, unit
``Wh``, in a meter value of its own at the event's timestamp; read back from 2.0.1 only
when such a sample is plain (integral Wh, unsigned, no phase), else it stays a sample.
"""

import datetime
import enum
from decimal import Decimal

import attrs

from .common import (
    GenericMessage,
    IdToken,
    IdTokenInfo,
    MessageContent,
    StatusInfo,
    to_optional_decimal,
)
from .metering import MeterValue
from .smart_charging import ChargingProfile


class TransactionEventType(enum.StrEnum):
    """The lifecycle event."""

    Started = "Started"
    Updated = "Updated"
    Ended = "Ended"


class TriggerReason(enum.StrEnum):
    """Why an event was sent (2.0.1+ ``TriggerReasonEnumType``; the last eight are 2.1
    only). 1.x does not carry it: events read from 1.x have ``None``, and ``None`` sent to
    2.0.1 is derived (``Authorized`` for ``Started``, ``MeterValuePeriodic`` or
    ``MeterValueClock`` for ``Updated``, from ``stopped_reason`` for ``Ended``; reported as
    defaulted)."""

    Authorized = "Authorized"
    CablePluggedIn = "CablePluggedIn"
    ChargingRateChanged = "ChargingRateChanged"
    ChargingStateChanged = "ChargingStateChanged"
    Deauthorized = "Deauthorized"
    EnergyLimitReached = "EnergyLimitReached"
    EVCommunicationLost = "EVCommunicationLost"
    EVConnectTimeout = "EVConnectTimeout"
    MeterValueClock = "MeterValueClock"
    MeterValuePeriodic = "MeterValuePeriodic"
    TimeLimitReached = "TimeLimitReached"
    Trigger = "Trigger"
    UnlockCommand = "UnlockCommand"
    StopAuthorized = "StopAuthorized"
    EVDeparted = "EVDeparted"
    EVDetected = "EVDetected"
    RemoteStop = "RemoteStop"
    RemoteStart = "RemoteStart"
    AbnormalCondition = "AbnormalCondition"
    SignedDataReceived = "SignedDataReceived"
    ResetCommand = "ResetCommand"
    CostLimitReached = "CostLimitReached"
    LimitSet = "LimitSet"
    OperationModeChanged = "OperationModeChanged"
    RunningCost = "RunningCost"
    SoCLimitReached = "SoCLimitReached"
    TariffChanged = "TariffChanged"
    TariffNotAccepted = "TariffNotAccepted"
    TxResumed = "TxResumed"


class ChargingState(enum.StrEnum):
    """2.0.1+ only: the charging state in a transaction (1.x uses StatusNotification)."""

    Charging = "Charging"
    EVConnected = "EVConnected"
    SuspendedEV = "SuspendedEV"
    SuspendedEVSE = "SuspendedEVSE"
    Idle = "Idle"


class StopReason(enum.StrEnum):
    """Why a transaction ended: 2.0.1 ``ReasonEnumType`` plus the 1.6 ``Reason`` values.

    1.5 has no reason. To 1.6, 2.0.1+ reasons become ``Other`` (approximated); to 2.0.1,
    ``HardReset``/``SoftReset`` become ``ImmediateReset`` and ``UnlockCommand`` ``Other``
    (approximated). ``None`` means ``Local`` everywhere.
    """

    DeAuthorized = "DeAuthorized"
    EmergencyStop = "EmergencyStop"
    EnergyLimitReached = "EnergyLimitReached"
    EVDisconnected = "EVDisconnected"
    GroundFault = "GroundFault"
    ImmediateReset = "ImmediateReset"
    Local = "Local"
    LocalOutOfCredit = "LocalOutOfCredit"
    MasterPass = "MasterPass"
    Other = "Other"
    OvercurrentFault = "OvercurrentFault"
    PowerLoss = "PowerLoss"
    PowerQuality = "PowerQuality"
    Reboot = "Reboot"
    Remote = "Remote"
    SOCLimitReached = "SOCLimitReached"
    StoppedByEV = "StoppedByEV"
    TimeLimitReached = "TimeLimitReached"
    Timeout = "Timeout"
    ReqEnergyTransferRejected = "ReqEnergyTransferRejected"  #: 2.1 only
    HardReset = "HardReset"  #: 1.6 only
    SoftReset = "SoftReset"  #: 1.6 only
    UnlockCommand = "UnlockCommand"  #: 1.6 only


@attrs.frozen(kw_only=True)
class TransactionEventRequest(GenericMessage):
    """A transaction lifecycle event (see the module docstring for the message mapping).

    - ``transaction_id``: generic id (at most 36 characters for 2.0.1).
    - ``timestamp``: 1.x Start/Stop ``timestamp``; an ``Updated`` read from 1.x has the
      first meter value's timestamp (and to 1.x it is implied by the meter values).
    - ``evse_id``: 1.x ``connectorId`` (StartTransaction and MeterValues; 1.x Updated
      events use the EVSE of the Started event when ``None``), 2.0.1 ``evse.id``;
      ``connector_id``: 2.0.1+ only (``evse.connectorId``).
    - ``id_token``: 1.x ``idTag`` (required in StartTransaction), 2.0.1 ``idToken``.
    - ``meter_wh``: ``Started``/``Ended`` only; 1.x ``meterStart``/``meterStop``
      (required there), 2.0.1 a ``Transaction.Begin``/``End`` sample.
    - ``meter_values``: 1.x MeterValues ``meterValue`` (``Updated``) and StopTransaction
      ``transactionData`` (``Ended``); not sent with a 1.x ``Started``. 2.0.1 ``meterValue``.
    - ``stopped_reason``: ``Ended``; 1.6 ``reason``, 2.0.1 ``transactionInfo.stoppedReason``.
    - ``reservation_id``: 1.x StartTransaction ``reservationId``, 2.0.1 ``reservationId``.
    - ``trigger_reason``, ``remote_start_id``, ``charging_state``, ``time_spent_charging``,
      ``offline``, ``number_of_phases_used``, ``cable_max_current``: 2.0.1+ only.
    """

    event_type: TransactionEventType
    transaction_id: str
    timestamp: datetime.datetime
    trigger_reason: TriggerReason | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: IdToken | None = None
    meter_wh: int | None = None
    meter_values: tuple[MeterValue, ...] = ()
    stopped_reason: StopReason | None = None
    reservation_id: int | None = None
    remote_start_id: int | None = None
    charging_state: ChargingState | None = None
    time_spent_charging: int | None = None
    offline: bool = False
    number_of_phases_used: int | None = None
    cable_max_current: int | None = None


@attrs.frozen(kw_only=True)
class TransactionEventResponse(GenericMessage):
    """Answer to a lifecycle event.

    - ``id_token_info``: 1.x StartTransaction.conf (required there: ``Accepted`` when
      ``None``, reported as defaulted) and StopTransaction.conf ``idTagInfo``; 2.0.1
      ``idTokenInfo``. Not carried by 1.x MeterValues.conf.
    - ``total_cost``, ``charging_priority``, ``updated_personal_message``: 2.0.1+ only.
    """

    id_token_info: IdTokenInfo | None = None
    total_cost: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)
    charging_priority: int | None = None
    updated_personal_message: MessageContent | None = None


@attrs.frozen(kw_only=True)
class MeterValuesRequest(GenericMessage):
    """Meter values outside any transaction (1.x MeterValues.req without ``transactionId``,
    2.0.1 MeterValuesRequest). Transaction meter values are ``Updated`` events.

    ``evse_id``: 1.x ``connectorId``, 2.0.1 ``evseId`` (0: the main meter).
    """

    evse_id: int
    meter_values: tuple[MeterValue, ...]


@attrs.frozen(kw_only=True)
class MeterValuesResponse(GenericMessage):
    """Acknowledgement (empty in every version)."""


class RequestStartStopStatus(enum.StrEnum):
    """Answer to a remote start/stop."""

    Accepted = "Accepted"
    Rejected = "Rejected"


@attrs.frozen(kw_only=True)
class RequestStartTransactionRequest(GenericMessage):
    """Remote start (1.x RemoteStartTransaction.req, 2.0.1 RequestStartTransactionRequest).

    - ``id_token``: 1.x ``idTag``, 2.0.1 ``idToken``.
    - ``evse_id``: 1.x ``connectorId``, 2.0.1 ``evseId``.
    - ``charging_profile``: 1.6+ (a ``TxProfile``); 1.5 cannot carry it.
    - ``remote_start_id``: 2.0.1+ only, and required there (unsupported when missing).
    - ``group_id_token``: 2.0.1+ only.
    """

    id_token: IdToken
    evse_id: int | None = None
    remote_start_id: int | None = None
    charging_profile: ChargingProfile | None = None
    group_id_token: IdToken | None = None


@attrs.frozen(kw_only=True)
class RequestStartTransactionResponse(GenericMessage):
    """Answer; ``transaction_id`` (already started) and ``status_info`` are 2.0.1+ only."""

    status: RequestStartStopStatus
    transaction_id: str | None = None
    status_info: StatusInfo | None = None


@attrs.frozen(kw_only=True)
class RequestStopTransactionRequest(GenericMessage):
    """Remote stop of the generic ``transaction_id`` (1.x the integer id, see the module
    docstring)."""

    transaction_id: str


@attrs.frozen(kw_only=True)
class RequestStopTransactionResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: RequestStartStopStatus
    status_info: StatusInfo | None = None
