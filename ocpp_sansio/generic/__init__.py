"""The version-independent ("generic") OCPP API: one model for 1.5, 1.6, 2.0.1 and 2.1.

Write station or CSMS code once against these messages; an adapter per version
(:func:`~ocpp_sansio.generic.adapters.adapter_for`) translates them to and from that
version's messages, reporting every value that does not survive the trip
(:class:`~ocpp_sansio.generic.outcome.Converted` ``.lost``) and refusing, with a typed
:class:`~ocpp_sansio.generic.outcome.Unsupported`, what a version cannot express.

Modules, by what they hold:

- :mod:`.common`: roles, the message base (with the ``version_message`` escape hatch),
  identification tokens; :mod:`.metering`: meter values;
- the operations: :mod:`.provisioning` (boot, heartbeat, reset, trigger),
  :mod:`.availability` (status, availability, unlock), :mod:`.authorization` (authorize,
  local list, cache), :mod:`.transactions` (lifecycle, meter values, remote start/stop),
  :mod:`.configuration` (get/set, standard key table), :mod:`.firmware` (firmware, logs),
  :mod:`.reservation`, :mod:`.smart_charging`, :mod:`.data_transfer`;
- :mod:`.operations`: the operation registry; :mod:`.outcome`: conversion results;
  :mod:`.txmap`: the transaction id bookkeeping; :mod:`.adapters`: the version adapters;
- :mod:`.table`: writes ``docs/generated/generic-mapping.md`` from the adapters.

Design notes: ``docs/generic.md``.
"""

from .adapters import Adapter, adapter_for
from .authorization import (
    AuthorizationEntry,
    AuthorizeRequest,
    AuthorizeResponse,
    ClearCacheRequest,
    ClearCacheResponse,
    ClearCacheStatus,
    GetLocalListVersionRequest,
    GetLocalListVersionResponse,
    SendLocalListRequest,
    SendLocalListResponse,
    SendLocalListStatus,
    UpdateType,
)
from .availability import (
    ChangeAvailabilityRequest,
    ChangeAvailabilityResponse,
    ChangeAvailabilityStatus,
    ConnectorErrorCode,
    ConnectorStatus,
    OperationalStatus,
    StatusNotificationRequest,
    StatusNotificationResponse,
    UnlockConnectorRequest,
    UnlockConnectorResponse,
    UnlockStatus,
)
from .common import (
    AdditionalInfo,
    AuthorizationStatus,
    GenericMessage,
    IdToken,
    IdTokenInfo,
    IdTokenType,
    MessageContent,
    MessageFormat,
    Role,
    StatusInfo,
)
from .configuration import (
    STANDARD_KEYS,
    Attribute,
    ConfigKey,
    ConfigSetResult,
    ConfigSetting,
    ConfigValue,
    GetConfigurationRequest,
    GetConfigurationResponse,
    GetConfigurationStatus,
    SetConfigurationRequest,
    SetConfigurationResponse,
    SetConfigurationStatus,
    StandardKey,
    Variable,
)
from .data_transfer import DataTransferRequest, DataTransferResponse, DataTransferStatus
from .firmware import (
    FirmwareStatus,
    FirmwareStatusNotificationRequest,
    FirmwareStatusNotificationResponse,
    GetLogRequest,
    GetLogResponse,
    LogStatus,
    LogStatusNotificationRequest,
    LogStatusNotificationResponse,
    LogType,
    UpdateFirmwareRequest,
    UpdateFirmwareResponse,
    UpdateFirmwareStatus,
    UploadLogStatus,
)
from .metering import (
    Location,
    Measurand,
    MeterValue,
    Phase,
    ReadingContext,
    SampledValue,
    SignedMeterValue,
    UnitOfMeasure,
)
from .operations import OPERATIONS, OperationSpec
from .outcome import (
    Converted,
    GenericUsageError,
    Loss,
    LossKind,
    Unsupported,
    UnsupportedReason,
)
from .provisioning import (
    BootNotificationRequest,
    BootNotificationResponse,
    BootReason,
    HeartbeatRequest,
    HeartbeatResponse,
    MessageTrigger,
    RegistrationStatus,
    ResetRequest,
    ResetResponse,
    ResetStatus,
    ResetType,
    TriggerMessageRequest,
    TriggerMessageResponse,
    TriggerMessageStatus,
)
from .reservation import (
    CancelReservationRequest,
    CancelReservationResponse,
    CancelReservationStatus,
    ReservationStatusUpdateRequest,
    ReservationStatusUpdateResponse,
    ReservationUpdateStatus,
    ReserveNowRequest,
    ReserveNowResponse,
    ReserveNowStatus,
)
from .smart_charging import (
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingProfileStatus,
    ChargingRateUnit,
    ChargingSchedule,
    ChargingSchedulePeriod,
    ClearChargingProfileRequest,
    ClearChargingProfileResponse,
    ClearChargingProfileStatus,
    CompositeSchedule,
    GetCompositeScheduleRequest,
    GetCompositeScheduleResponse,
    GetCompositeScheduleStatus,
    RecurrencyKind,
    SetChargingProfileRequest,
    SetChargingProfileResponse,
)
from .transactions import (
    ChargingState,
    MeterValuesRequest,
    MeterValuesResponse,
    RequestStartStopStatus,
    RequestStartTransactionRequest,
    RequestStartTransactionResponse,
    RequestStopTransactionRequest,
    RequestStopTransactionResponse,
    StopReason,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
    TriggerReason,
)
from .txmap import TransactionEntry, TransactionMap

__all__ = [
    "OPERATIONS", "STANDARD_KEYS", "Adapter", "AdditionalInfo", "Attribute",
    "AuthorizationEntry", "AuthorizationStatus", "AuthorizeRequest", "AuthorizeResponse",
    "BootNotificationRequest", "BootNotificationResponse", "BootReason",
    "CancelReservationRequest", "CancelReservationResponse", "CancelReservationStatus",
    "ChangeAvailabilityRequest", "ChangeAvailabilityResponse", "ChangeAvailabilityStatus",
    "ChargingProfile", "ChargingProfileKind", "ChargingProfilePurpose", "ChargingProfileStatus",
    "ChargingRateUnit", "ChargingSchedule", "ChargingSchedulePeriod", "ChargingState",
    "ClearCacheRequest", "ClearCacheResponse", "ClearCacheStatus",
    "ClearChargingProfileRequest", "ClearChargingProfileResponse", "ClearChargingProfileStatus",
    "CompositeSchedule", "ConfigKey", "ConfigSetResult", "ConfigSetting", "ConfigValue",
    "ConnectorErrorCode", "ConnectorStatus", "Converted", "DataTransferRequest",
    "DataTransferResponse", "DataTransferStatus", "FirmwareStatus",
    "FirmwareStatusNotificationRequest", "FirmwareStatusNotificationResponse",
    "GenericMessage", "GenericUsageError", "GetCompositeScheduleRequest",
    "GetCompositeScheduleResponse", "GetCompositeScheduleStatus", "GetConfigurationRequest",
    "GetConfigurationResponse", "GetConfigurationStatus", "GetLocalListVersionRequest",
    "GetLocalListVersionResponse", "GetLogRequest", "GetLogResponse", "HeartbeatRequest",
    "HeartbeatResponse", "IdToken", "IdTokenInfo", "IdTokenType", "Location", "LogStatus",
    "LogStatusNotificationRequest", "LogStatusNotificationResponse", "LogType", "Loss",
    "LossKind", "Measurand", "MessageContent", "MessageFormat", "MessageTrigger", "MeterValue",
    "MeterValuesRequest", "MeterValuesResponse", "OperationSpec", "OperationalStatus", "Phase",
    "ReadingContext", "RecurrencyKind", "RegistrationStatus", "RequestStartStopStatus",
    "RequestStartTransactionRequest", "RequestStartTransactionResponse",
    "RequestStopTransactionRequest", "RequestStopTransactionResponse",
    "ReservationStatusUpdateRequest", "ReservationStatusUpdateResponse",
    "ReservationUpdateStatus", "ReserveNowRequest", "ReserveNowResponse", "ReserveNowStatus",
    "ResetRequest", "ResetResponse", "ResetStatus", "ResetType", "Role", "SampledValue",
    "SendLocalListRequest", "SendLocalListResponse", "SendLocalListStatus",
    "SetChargingProfileRequest", "SetChargingProfileResponse", "SetConfigurationRequest",
    "SetConfigurationResponse", "SetConfigurationStatus", "SignedMeterValue", "StandardKey",
    "StatusInfo", "StatusNotificationRequest", "StatusNotificationResponse", "StopReason",
    "TransactionEntry", "TransactionEventRequest", "TransactionEventResponse",
    "TransactionEventType", "TransactionMap", "TriggerMessageRequest", "TriggerMessageResponse",
    "TriggerMessageStatus", "TriggerReason", "UnitOfMeasure", "UnlockConnectorRequest",
    "UnlockConnectorResponse", "UnlockStatus", "Unsupported", "UnsupportedReason",
    "UpdateFirmwareRequest", "UpdateFirmwareResponse", "UpdateFirmwareStatus", "UpdateType",
    "UploadLogStatus", "Variable", "adapter_for",
]
