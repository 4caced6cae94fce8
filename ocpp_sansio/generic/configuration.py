"""Generic configuration: get and set configuration keys, and the standard key table.

1.x configures a station by *keys* (GetConfiguration / ChangeConfiguration, OCPP 1.6
sections 5.3, 5.8 and chapter 9; 1.5 the same); 2.0.1 by *variables of components*
(GetVariables / SetVariables, OCPP 2.0.1 Part 2 use cases B06, B05, with the controller
components of Part 2 Appendices). A :class:`ConfigKey` carries either or both names:

- ``name``: the 1.x key (the 1.6 spelling for standard keys; 1.5 ``HeartBeatInterval`` is
  translated);
- ``variable``: the 2.0.1 address (:class:`Variable`).

:data:`STANDARD_KEYS` pairs the well-known 1.6 keys with their 2.0.1 variables. Build keys
with :meth:`ConfigKey.named` or :meth:`ConfigKey.at` (they fill in the other half from the
table) or use the constants (``HEARTBEAT_INTERVAL`` ...). A key with only a ``name`` cannot be
sent to 2.0.1, one with only a ``variable`` cannot be sent to 1.x (unsupported).

Differences of meaning between paired keys are in each entry's ``note``.
"""

import enum
from collections.abc import Mapping

import attrs

from .common import GenericMessage, StatusInfo


@attrs.frozen(kw_only=True)
class Variable:
    """A 2.0.1 component/variable address (``ComponentType`` + ``VariableType``)."""

    component: str
    name: str
    component_instance: str | None = None
    variable_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None


def _has_a_name(instance: "ConfigKey", attribute: "attrs.Attribute[Variable | None]",
                value: "Variable | None") -> None:
    if instance.name is None and value is None:
        raise ValueError("a ConfigKey needs a 1.x name, a 2.0.1 variable, or both")


@attrs.frozen(kw_only=True)
class ConfigKey:
    """A configuration setting's name in 1.x, in 2.0.1, or both (see the module docstring)."""

    name: str | None = None
    variable: Variable | None = attrs.field(default=None, validator=_has_a_name)

    @classmethod
    def named(cls, name: str) -> "ConfigKey":
        """The key called ``name`` in 1.x (1.5 or 1.6 spelling), with its 2.0.1 variable when
        it is a standard key."""
        standard = _BY_NAME.get(name)
        return standard.key if standard is not None else cls(name=name)

    @classmethod
    def at(cls, variable: Variable) -> "ConfigKey":
        """The key at a 2.0.1 variable, with its 1.x name when it is a standard key."""
        standard = _BY_VARIABLE.get(variable)
        return standard.key if standard is not None else cls(variable=variable)

    def name_for_15(self) -> str | None:
        """The 1.x name as 1.5 spells it."""
        if self.name is None:
            return None
        standard = _BY_NAME.get(self.name)
        if standard is not None and standard.v15_name is not None:
            return standard.v15_name
        return self.name


@attrs.frozen(kw_only=True)
class StandardKey:
    """One well-known 1.6 key and the 2.0.1 variable that holds the same setting."""

    name: str
    variable: Variable
    v15_name: str | None = None  #: the 1.5 spelling, when it differs
    note: str = ""

    @property
    def key(self) -> ConfigKey:
        return ConfigKey(name=self.name, variable=self.variable)


def _std(name: str, component: str, variable: str, instance: str | None = None,
         *, v15: str | None = None, note: str = "") -> StandardKey:
    return StandardKey(name=name, variable=Variable(component=component, name=variable,
                                                    variable_instance=instance),
                       v15_name=v15, note=note)


#: Well-known 1.6 keys (OCPP 1.6 chapter 9, and the 1.6 Security Whitepaper's keys) and the
#: 2.0.1 variables that hold the same setting (OCPP 2.0.1 Part 2 Appendices, "Controller
#: components"). Keys without a 2.0.1 counterpart (``NumberOfConnectors``,
#: ``SupportedFeatureProfiles``, ``LightIntensity``...) are not listed: they are sent to 1.x
#: by name only.
STANDARD_KEYS: tuple[StandardKey, ...] = (
    _std("AllowOfflineTxForUnknownId", "AuthCtrlr", "OfflineTxForUnknownIdEnabled"),
    _std("AuthorizationCacheEnabled", "AuthCacheCtrlr", "Enabled"),
    _std("AuthorizeRemoteTxRequests", "AuthCtrlr", "AuthorizeRemoteStart"),
    _std("ClockAlignedDataInterval", "AlignedDataCtrlr", "Interval"),
    _std("ConnectionTimeOut", "TxCtrlr", "EVConnectionTimeOut"),
    _std("GetConfigurationMaxKeys", "DeviceDataCtrlr", "ItemsPerMessage", "GetVariables"),
    _std("HeartbeatInterval", "OCPPCommCtrlr", "HeartbeatInterval", v15="HeartBeatInterval"),
    _std("LocalAuthListEnabled", "LocalAuthListCtrlr", "Enabled"),
    _std("LocalAuthorizeOffline", "AuthCtrlr", "LocalAuthorizeOffline"),
    _std("LocalPreAuthorize", "AuthCtrlr", "LocalPreAuthorize"),
    _std("MaxEnergyOnInvalidId", "TxCtrlr", "MaxEnergyOnInvalidId"),
    _std("MeterValuesAlignedData", "AlignedDataCtrlr", "Measurands"),
    _std("MeterValuesSampledData", "SampledDataCtrlr", "TxUpdatedMeasurands",
         note="2.0.1 also has TxStartedMeasurands; 1.6 uses this key for both"),
    _std("MeterValueSampleInterval", "SampledDataCtrlr", "TxUpdatedInterval",
         note="1.6 also samples StopTxnSampledData at this interval (2.0.1 TxEndedInterval)"),
    _std("ResetRetries", "OCPPCommCtrlr", "ResetRetries"),
    _std("SendLocalListMaxLength", "LocalAuthListCtrlr", "ItemsPerMessage"),
    _std("StopTransactionOnEVSideDisconnect", "TxCtrlr", "StopTxOnEVSideDisconnect"),
    _std("StopTransactionOnInvalidId", "TxCtrlr", "StopTxOnInvalidId"),
    _std("StopTxnAlignedData", "AlignedDataCtrlr", "TxEndedMeasurands"),
    _std("StopTxnSampledData", "SampledDataCtrlr", "TxEndedMeasurands"),
    _std("TransactionMessageAttempts", "OCPPCommCtrlr", "MessageAttempts", "TransactionEvent"),
    _std("TransactionMessageRetryInterval", "OCPPCommCtrlr", "MessageAttemptInterval",
         "TransactionEvent"),
    _std("UnlockConnectorOnEVSideDisconnect", "OCPPCommCtrlr", "UnlockOnEVSideDisconnect"),
    _std("WebSocketPingInterval", "OCPPCommCtrlr", "WebSocketPingInterval"),
    _std("ChargeProfileMaxStackLevel", "SmartChargingCtrlr", "ProfileStackLevel"),
    _std("ChargingScheduleAllowedChargingRateUnit", "SmartChargingCtrlr", "RateUnit"),
    _std("ChargingScheduleMaxPeriods", "SmartChargingCtrlr", "PeriodsPerSchedule"),
    _std("ConnectorSwitch3to1PhaseSupported", "SmartChargingCtrlr", "Phases3to1"),
    _std("MaxChargingProfilesInstalled", "SmartChargingCtrlr", "Entries", "ChargingProfiles",
         note="2.0.1 Entries counts installed profiles; its maxLimit is the 1.6 maximum"),
    _std("ReserveConnectorZeroSupported", "ReservationCtrlr", "NonEvseSpecific"),
    _std("AdditionalRootCertificateCheck", "SecurityCtrlr", "AdditionalRootCertificateCheck"),
    _std("AuthorizationKey", "SecurityCtrlr", "BasicAuthPassword"),
    _std("CertificateSignedMaxChainSize", "SecurityCtrlr", "MaxCertificateChainSize"),
    _std("CpoName", "SecurityCtrlr", "OrganizationName"),
    _std("SecurityProfile", "SecurityCtrlr", "SecurityProfile"),
    _std("SupportedFileTransferProtocols", "OCPPCommCtrlr", "FileTransferProtocols"),
)

_BY_NAME: Mapping[str, StandardKey] = {
    **{k.v15_name: k for k in STANDARD_KEYS if k.v15_name is not None},
    **{k.name: k for k in STANDARD_KEYS},
}
_BY_VARIABLE: Mapping[Variable, StandardKey] = {k.variable: k for k in STANDARD_KEYS}

HEARTBEAT_INTERVAL = _BY_NAME["HeartbeatInterval"].key
METER_VALUE_SAMPLE_INTERVAL = _BY_NAME["MeterValueSampleInterval"].key
METER_VALUES_SAMPLED_DATA = _BY_NAME["MeterValuesSampledData"].key
CLOCK_ALIGNED_DATA_INTERVAL = _BY_NAME["ClockAlignedDataInterval"].key
CONNECTION_TIMEOUT = _BY_NAME["ConnectionTimeOut"].key
AUTHORIZE_REMOTE_TX_REQUESTS = _BY_NAME["AuthorizeRemoteTxRequests"].key
LOCAL_AUTHORIZE_OFFLINE = _BY_NAME["LocalAuthorizeOffline"].key
WEBSOCKET_PING_INTERVAL = _BY_NAME["WebSocketPingInterval"].key


class Attribute(enum.StrEnum):
    """2.0.1+ only: which value of a variable (``AttributeEnumType``; ``None``: ``Actual``)."""

    Actual = "Actual"
    Target = "Target"
    MinSet = "MinSet"
    MaxSet = "MaxSet"


class GetConfigurationStatus(enum.StrEnum):
    """Per key: 1.x ``configurationKey`` entries are ``Accepted``, ``unknownKey`` entries
    ``UnknownVariable``; sent to 1.x, every status but ``Accepted`` lands in ``unknownKey``
    (``Rejected``, ``UnknownComponent``, ``NotSupportedAttributeType`` approximated)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    UnknownComponent = "UnknownComponent"
    UnknownVariable = "UnknownVariable"
    NotSupportedAttributeType = "NotSupportedAttributeType"


class SetConfigurationStatus(enum.StrEnum):
    """Per key: 1.x ``NotSupported`` (an unknown key) is ``UnknownVariable``; sent to 1.x,
    ``UnknownComponent`` becomes ``NotSupported`` and ``NotSupportedAttributeType``
    ``Rejected`` (approximated). ``RebootRequired`` is 1.6+ (1.5: ``Accepted``,
    approximated)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    RebootRequired = "RebootRequired"
    UnknownComponent = "UnknownComponent"
    UnknownVariable = "UnknownVariable"
    NotSupportedAttributeType = "NotSupportedAttributeType"


@attrs.frozen(kw_only=True)
class GetConfigurationRequest(GenericMessage):
    """Read settings: 1.x GetConfiguration ``key`` (empty: all keys, 1.x only; 2.0.1 needs
    GetBaseReport for that, which is not generic), 2.0.1 GetVariables ``getVariableData``."""

    keys: tuple[ConfigKey, ...] = ()


@attrs.frozen(kw_only=True)
class ConfigValue:
    """One setting read.

    - ``value``: 1.x ``value``, 2.0.1 ``attributeValue``.
    - ``readonly``: 1.x only, required there (``False`` when ``None``, reported as defaulted).
    - ``attribute``, ``status_info``: 2.0.1+ only.
    """

    key: ConfigKey
    status: GetConfigurationStatus = GetConfigurationStatus.Accepted
    value: str | None = None
    readonly: bool | None = None
    attribute: Attribute | None = None
    status_info: StatusInfo | None = None


@attrs.frozen(kw_only=True)
class GetConfigurationResponse(GenericMessage):
    """The settings read (1.x ``configurationKey`` + ``unknownKey``, 2.0.1
    ``getVariableResult``)."""

    values: tuple[ConfigValue, ...] = ()


@attrs.frozen(kw_only=True)
class ConfigSetting:
    """One setting to write; ``attribute`` is 2.0.1+ only."""

    key: ConfigKey
    value: str
    attribute: Attribute | None = None


@attrs.frozen(kw_only=True)
class SetConfigurationRequest(GenericMessage):
    """Write settings: 2.0.1 SetVariables (one or more); 1.x ChangeConfiguration sets one
    key per request (more are unsupported: send one request per key)."""

    settings: tuple[ConfigSetting, ...]


@attrs.frozen(kw_only=True)
class ConfigSetResult:
    """Result of one setting; ``attribute``, ``status_info`` 2.0.1+ only."""

    key: ConfigKey
    status: SetConfigurationStatus
    attribute: Attribute | None = None
    status_info: StatusInfo | None = None


@attrs.frozen(kw_only=True)
class SetConfigurationResponse(GenericMessage):
    """Results, one per setting (1.x: one, with the request's key)."""

    results: tuple[ConfigSetResult, ...]
