"""Mutation tests: one fault in a valid payload gives the right CALLERROR code, path and rule.

Error codes, spelled per version (these tables are the reference, written out literally):

- OCPP-J 1.6 section 4.2.3, table "Valid Error Codes" (1.5 uses the same table, see
  :mod:`ocpp_sansio.errors`): ``FormationViolation``, ``OccurenceConstraintViolation`` (sic),
  ``PropertyConstraintViolation``, ``TypeConstraintViolation``;
- OCPP 2.0.1 Part 4 section 4.3 (2.1 Part 4 keeps it): ``FormatViolation``,
  ``OccurrenceConstraintViolation``, ``PropertyConstraintViolation``, ``TypeConstraintViolation``.

Faults and the violation each must raise (mapping of :mod:`ocpp_sansio.validation`):

=================================================  ==================  ========================
fault                                              violation           rule
=================================================  ==================  ========================
payload not a JSON object                          Format(ion)         type
unknown (extra) property                           Format(ion)         additionalProperties
required property missing, too few/many items      Occur(r)ence...     required, min/maxItems
string too long, value not in the enumeration,     PropertyConstraint  maxLength, enum,
number below minimum/above maximum, not a                              minimum, maximum,
multiple of 0.1 (1.6 decimals)                                         multipleOf
wrong JSON type (null included), bad date-time     TypeConstraint      type, format
=================================================  ==================  ========================

Three layers:

1. an explicit table of faults applied to realistic payloads of a handful of actions per version
   (including cross-version mistakes: a 1.5 status in 1.6, a 1.6 unit in 1.5, a 1.6 string meter
   value in 2.0.1);
2. a schema-driven mutator that applies every applicable fault at every position of a payload,
   run over the realistic payloads and over instances hypothesis-jsonschema draws from our
   validation schemas (the only schema 1.5 has; 1.6/2.x: the official ones with documented
   overlays);
3. the OCPP 1.6 ``multipleOf 0.1`` decimals (``limit`` and ``minChargingRate`` of
   SetChargingProfile, RemoteStartTransaction, GetCompositeScheduleResponse): 8.1, 0.3, 1e3 and
   8 pass, 8.15 fails with PropertyConstraintViolation (1.6 WSDL: ``decimal``, one fraction digit).
"""

import copy
import decimal
import math
from collections.abc import Iterator
from functools import cache
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from ocpp_sansio import codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.errors import Violation
from ocpp_sansio.validation import Kind, ValidationError, schema, validate
from ocpp_sansio.version import Version

V15, V16, V201, V21 = Version.V15, Version.V16, Version.V201, Version.V21

FORMAT, OCCURRENCE, PROPERTY, TYPE = (
    Violation.FORMAT,
    Violation.OCCURRENCE,
    Violation.PROPERTY,
    Violation.TYPE,
)

_OCPP_J_16 = {
    FORMAT: "FormationViolation",
    OCCURRENCE: "OccurenceConstraintViolation",
    PROPERTY: "PropertyConstraintViolation",
    TYPE: "TypeConstraintViolation",
}
_OCPP_J_201 = {
    FORMAT: "FormatViolation",
    OCCURRENCE: "OccurrenceConstraintViolation",
    PROPERTY: "PropertyConstraintViolation",
    TYPE: "TypeConstraintViolation",
}
#: the expected CALLERROR code, spelled per version
CODES: dict[Version, dict[Violation, str]] = {
    V15: _OCPP_J_16,
    V16: _OCPP_J_16,
    V201: _OCPP_J_201,
    V21: _OCPP_J_201,
}

Path = tuple[str | int, ...]
_DELETE = object()


def _json_path(path: Path) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _changed(payload: Any, path: Path, value: Any) -> Any:
    """A deep copy of ``payload`` with the value at ``path`` replaced (or deleted)."""
    if not path:
        return copy.deepcopy(value)
    out = copy.deepcopy(payload)
    parent = out
    for p in path[:-1]:
        parent = parent[p]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(value)
    return out


def _error(version: Version, action: str, kind: Kind, payload: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate(version, action, kind, payload)
    return info.value


# ---------------------------------------------------------------------------------------------
# realistic valid payloads

_METER_15: dict[str, Any] = {
    "connectorId": 1,
    "transactionId": 42,
    "values": [
        {
            "timestamp": "2013-06-01T10:15:00Z",
            "value": [
                {"value": "1520", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "16", "measurand": "Current.Import", "unit": "Amp", "context":
                 "Sample.Periodic"},
            ],
        }
    ],
}

_METER_16: dict[str, Any] = {
    "connectorId": 1,
    "transactionId": 42,
    "meterValue": [
        {
            "timestamp": "2016-06-01T10:15:00+02:00",
            "sampledValue": [
                {"value": "1520", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "16.1", "measurand": "Current.Import", "unit": "A", "phase": "L1",
                 "context": "Sample.Periodic", "location": "Outlet", "format": "Raw"},
            ],
        }
    ],
}


def _profile_16(with_purpose: bool = True) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "chargingProfileId": 7,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "duration": 3600,
            "startSchedule": "2016-06-01T10:00:00Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 16.0, "numberPhases": 3},
                {"startPeriod": 1800, "limit": 8.1},
            ],
            "minChargingRate": 6.0,
        },
    }
    if not with_purpose:
        del profile["chargingProfilePurpose"]
    return profile


_TX_EVENT_201: dict[str, Any] = {
    "eventType": "Updated",
    "timestamp": "2021-03-01T10:15:00.250Z",
    "triggerReason": "MeterValuePeriodic",
    "seqNo": 3,
    "offline": False,
    "transactionInfo": {"transactionId": "f1d2c3b4-0001", "chargingState": "Charging"},
    "evse": {"id": 1, "connectorId": 1},
    "idToken": {"idToken": "04A2B3C4D5E6F7", "type": "ISO14443"},
    "meterValue": [
        {
            "timestamp": "2021-03-01T10:15:00Z",
            "sampledValue": [
                {"value": 1520.5, "measurand": "Energy.Active.Import.Register",
                 "unitOfMeasure": {"unit": "kWh", "multiplier": 0}},
                {"value": 230, "measurand": "Voltage", "phase": "L1-N"},
            ],
        }
    ],
}

VALID: dict[tuple[Version, str, Kind], Any] = {
    # OCPP 1.5 (model from the 1.5 WSDL)
    (V15, "BootNotification", "request"): {
        "chargePointVendor": "ACME", "chargePointModel": "Wallbox 22",
        "chargePointSerialNumber": "WB22-0001", "firmwareVersion": "1.5.3", "meterType": "EEM",
    },
    (V15, "BootNotification", "response"): {
        "status": "Accepted", "currentTime": "2013-06-01T10:00:00Z", "heartbeatInterval": 900,
    },
    (V15, "StartTransaction", "request"): {
        "connectorId": 1, "idTag": "04A2B3C4D5", "timestamp": "2013-06-01T10:05:00+02:00",
        "meterStart": 1520,
    },
    (V15, "StatusNotification", "request"): {
        "connectorId": 1, "status": "Occupied", "errorCode": "NoError",
        "timestamp": "2013-06-01T10:05:01Z",
    },
    (V15, "MeterValues", "request"): _METER_15,
    (V15, "Authorize", "response"): {
        "idTagInfo": {"status": "Accepted", "expiryDate": "2013-07-01T00:00:00Z",
                      "parentIdTag": "PARENT-01"},
    },
    # OCPP 1.6
    (V16, "BootNotification", "request"): {
        "chargePointVendor": "ACME", "chargePointModel": "Wallbox 22",
        "chargeBoxSerialNumber": "WB22-0001", "firmwareVersion": "1.6.12", "iccid": "8931",
    },
    (V16, "BootNotification", "response"): {
        "status": "Accepted", "currentTime": "2016-06-01T10:00:00Z", "interval": 300,
    },
    (V16, "StartTransaction", "request"): {
        "connectorId": 1, "idTag": "04A2B3C4D5", "meterStart": 1520,
        "timestamp": "2016-06-01T10:05:00+02:00",
    },
    (V16, "StatusNotification", "request"): {
        "connectorId": 1, "errorCode": "NoError", "status": "Charging",
        "timestamp": "2016-06-01T10:05:01Z",
    },
    (V16, "MeterValues", "request"): _METER_16,
    (V16, "Authorize", "response"): {
        "idTagInfo": {"status": "Accepted", "expiryDate": "2016-07-01T00:00:00Z"},
    },
    (V16, "SetChargingProfile", "request"): {"connectorId": 1, "csChargingProfiles": _profile_16()},
    (V16, "RemoteStartTransaction", "request"): {
        "connectorId": 1, "idTag": "04A2B3C4D5", "chargingProfile": _profile_16(),
    },
    # OCPP 2.0.1
    (V201, "BootNotification", "request"): {
        "chargingStation": {"model": "Wallbox 22", "vendorName": "ACME",
                            "serialNumber": "WB22-0001", "modem": {"iccid": "8931"}},
        "reason": "PowerUp",
    },
    (V201, "BootNotification", "response"): {
        "currentTime": "2021-03-01T10:00:00Z", "interval": 300, "status": "Accepted",
        "statusInfo": {"reasonCode": "OK"},
    },
    (V201, "TransactionEvent", "request"): _TX_EVENT_201,
    (V201, "StatusNotification", "request"): {
        "timestamp": "2021-03-01T10:05:00Z", "connectorStatus": "Occupied", "evseId": 1,
        "connectorId": 1,
    },
    (V201, "Authorize", "response"): {
        "idTokenInfo": {"status": "Accepted", "cacheExpiryDateTime": "2021-04-01T00:00:00Z",
                        "evseId": [1, 2], "personalMessage": {"format": "UTF8",
                                                             "content": "Welcome"}},
    },
    (V201, "DataTransfer", "request"): {
        "vendorId": "com.example", "messageId": "Tariff", "data": {"eurPerKWh": 0.39},
        "customData": {"vendorId": "com.example", "trace": "a1"},
    },
    # OCPP 2.1
    (V21, "BootNotification", "request"): {
        "chargingStation": {"model": "Wallbox 22", "vendorName": "ACME"},
        "reason": "FirmwareUpdate",
    },
    (V21, "StatusNotification", "request"): {
        "timestamp": "2025-01-01T00:00:00+01:00", "connectorStatus": "Available", "evseId": 2,
        "connectorId": 1,
    },
    (V21, "TransactionEvent", "request"): _TX_EVENT_201,
    (V21, "BatterySwap", "request"): {
        "batteryData": [{"evseId": 1, "serialNumber": "BAT-0001", "soC": 87.5, "soH": 99}],
        "eventType": "BatteryIn",
        "idToken": {"idToken": "04A2B3C4", "type": "ISO14443"},
        "requestId": 12,
    },
    (V21, "SetChargingProfile", "request"): {
        "evseId": 1,
        "chargingProfile": {
            "id": 3, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": [{"id": 1, "chargingRateUnit": "W", "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 11000, "limit_L2": 3700.5}]}],
        },
    },
}


@pytest.mark.parametrize(("version", "action", "kind"), list(VALID), ids=str)
def test_realistic_payloads_are_valid(version: Version, action: str, kind: Kind) -> None:
    payload = VALID[version, action, kind]
    validate(version, action, kind, payload)
    assert codec.to_wire(codec.decode(version, action, kind, payload)) == payload


# ---------------------------------------------------------------------------------------------
# 1. explicit faults


@attrs.frozen
class Fault:
    version: Version
    action: str
    kind: Kind
    at: Path  #: where the fault is put (``()``: the whole payload)
    value: Any  #: what is put there (``_DELETE``: the property is removed)
    violation: Violation
    path: str  #: the JSON path the error must name
    rule: str

    def payload(self) -> Any:
        return _changed(VALID[self.version, self.action, self.kind], self.at, self.value)


def _faults() -> list[Any]:
    out: list[Any] = []

    def add(
        name: str,
        target: tuple[Version, str, Path, Any],
        expect: tuple[Violation, str, str],
        kind: Kind = "request",
    ) -> None:
        """A fault: (version, action, where, what) and the expected (violation, path, rule)."""
        version, action, at, value = target
        fault = Fault(version, action, kind, at, value, *expect)
        out.append(pytest.param(fault, id=f"{version}-{action}-{kind}-{name}"))

    bad_date_times = {
        "month-13": "2024-13-01T00:00:00Z",
        "yesterday": "yesterday",
        "no-offset": "2024-05-01T10:00:00",
        "feb-30": "2024-02-30T10:00:00Z",
        "epoch-number": 1714557600,
    }
    not_objects = {"array": [], "string": "{}", "number": 1, "null": None, "true": True}

    for v in (V15, V16):
        add("wrong-type-int", (v, "BootNotification", ("chargePointVendor",), 42),
            (TYPE, "$.chargePointVendor", "type"))
        add("null-for-string", (v, "BootNotification", ("chargePointVendor",), None),
            (TYPE, "$.chargePointVendor", "type"))
        add("missing-required", (v, "BootNotification", ("chargePointModel",), _DELETE),
            (OCCURRENCE, "$", "required"))
        add("too-long", (v, "BootNotification", ("chargePointVendor",), "A" * 21),
            (PROPERTY, "$.chargePointVendor", "maxLength"))
        add("too-long-serial", (v, "BootNotification", ("firmwareVersion",), "1" * 51),
            (PROPERTY, "$.firmwareVersion", "maxLength"))
        add("extra-property", (v, "BootNotification", ("chargePointVendorId",), "ACME"),
            (FORMAT, "$", "additionalProperties"))
        add("string-for-int", (v, "StartTransaction", ("connectorId",), "1"),
            (TYPE, "$.connectorId", "type"))
        add("float-for-int", (v, "StartTransaction", ("meterStart",), 1520.5),
            (TYPE, "$.meterStart", "type"))
        add("bool-for-int", (v, "StartTransaction", ("meterStart",), True),
            (TYPE, "$.meterStart", "type"))
        add("missing-nested", (v, "Authorize", ("idTagInfo", "status"), _DELETE),
            (OCCURRENCE, "$.idTagInfo", "required"), kind="response")
        add("bad-enum-nested", (v, "Authorize", ("idTagInfo", "status"), "accepted"),
            (PROPERTY, "$.idTagInfo.status", "enum"), kind="response")
        add("extra-nested", (v, "Authorize", ("idTagInfo", "reason"), "ok"),
            (FORMAT, "$.idTagInfo", "additionalProperties"), kind="response")
        for name, text in bad_date_times.items():
            rule = "type" if not isinstance(text, str) else "format"
            add(f"date-time-{name}", (v, "StartTransaction", ("timestamp",), text),
                (TYPE, "$.timestamp", rule))
        for name, value in not_objects.items():
            add(f"not-an-object-{name}", (v, "StartTransaction", (), value), (FORMAT, "$", "type"))

    # 1.5: status "Charging" is 1.6 only; unit "A" is 1.6's spelling of 1.5's "Amp"
    add("status-of-16", (V15, "StatusNotification", ("status",), "Charging"),
        (PROPERTY, "$.status", "enum"))
    add("unit-of-16", (V15, "MeterValues", ("values", 0, "value", 1, "unit"), "A"),
        (PROPERTY, "$.values[0].value[1].unit", "enum"))
    add("empty-values", (V15, "MeterValues", ("values", 0, "value"), []),
        (OCCURRENCE, "$.values[0].value", "minItems"))
    add("missing-timestamp", (V15, "MeterValues", ("values", 0, "timestamp"), _DELETE),
        (OCCURRENCE, "$.values[0]", "required"))
    add("int32-overflow", (V15, "StartTransaction", ("meterStart",), 2**31),
        (PROPERTY, "$.meterStart", "maximum"))
    add("int32-underflow", (V15, "StartTransaction", ("connectorId",), -(2**31) - 1),
        (PROPERTY, "$.connectorId", "minimum"))
    add("interval-renamed", (V15, "BootNotification", ("interval",), 300),
        (FORMAT, "$", "additionalProperties"), kind="response")

    # 1.6: status "Occupied" is 1.5 only; unit "Amp" is 1.5's spelling
    add("status-of-15", (V16, "StatusNotification", ("status",), "Occupied"),
        (PROPERTY, "$.status", "enum"))
    add("unit-of-15", (V16, "MeterValues", ("meterValue", 0, "sampledValue", 1, "unit"), "Amp"),
        (PROPERTY, "$.meterValue[0].sampledValue[1].unit", "enum"))
    add("numeric-meter-value",
        (V16, "MeterValues", ("meterValue", 0, "sampledValue", 0, "value"), 1520),
        (TYPE, "$.meterValue[0].sampledValue[0].value", "type"))
    add("extra-in-list-item", (V16, "MeterValues", ("meterValue", 0, "sampledValue", 0, "x"), 1),
        (FORMAT, "$.meterValue[0].sampledValue[0]", "additionalProperties"))
    add("empty-meter-value", (V16, "MeterValues", ("meterValue",), []),
        (OCCURRENCE, "$.meterValue", "minItems"))
    add("empty-sampled-value", (V16, "MeterValues", ("meterValue", 0, "sampledValue"), []),
        (OCCURRENCE, "$.meterValue[0].sampledValue", "minItems"))
    add("meter-value-not-list", (V16, "MeterValues", ("meterValue",), _METER_16["meterValue"][0]),
        (TYPE, "$.meterValue", "type"))
    add("profile-missing-purpose",
        (V16, "SetChargingProfile", ("csChargingProfiles",), _profile_16(with_purpose=False)),
        (OCCURRENCE, "$.csChargingProfiles", "required"))
    add("bad-rate-unit",
        (V16, "SetChargingProfile",
         ("csChargingProfiles", "chargingSchedule", "chargingRateUnit"), "kW"),
        (PROPERTY, "$.csChargingProfiles.chargingSchedule.chargingRateUnit", "enum"))
    add("interval-as-text", (V16, "BootNotification", ("interval",), "300"),
        (TYPE, "$.interval", "type"), kind="response")
    add("heartbeat-interval-of-15", (V16, "BootNotification", ("heartbeatInterval",), 300),
        (FORMAT, "$", "additionalProperties"), kind="response")

    for v in (V201, V21):
        add("wrong-type", (v, "BootNotification", ("chargingStation", "model"), 22),
            (TYPE, "$.chargingStation.model", "type"))
        add("missing-required-top", (v, "BootNotification", ("reason",), _DELETE),
            (OCCURRENCE, "$", "required"))
        add("missing-required-nested",
            (v, "BootNotification", ("chargingStation", "vendorName"), _DELETE),
            (OCCURRENCE, "$.chargingStation", "required"))
        add("too-long", (v, "BootNotification", ("chargingStation", "model"), "M" * 21),
            (PROPERTY, "$.chargingStation.model", "maxLength"))
        add("bad-enum", (v, "BootNotification", ("reason",), "Reboot"),
            (PROPERTY, "$.reason", "enum"))
        add("extra-top", (v, "BootNotification", ("bootCount",), 3),
            (FORMAT, "$", "additionalProperties"))
        add("extra-nested", (v, "BootNotification", ("chargingStation", "vendor"), "ACME"),
            (FORMAT, "$.chargingStation", "additionalProperties"))
        add("custom-data-without-vendor-id", (v, "BootNotification", ("customData",), {"k": 1}),
            (OCCURRENCE, "$.customData", "required"))
        add("custom-data-not-object", (v, "BootNotification", ("customData",), "com.example"),
            (TYPE, "$.customData", "type"))
        add("string-meter-value",
            (v, "TransactionEvent", ("meterValue", 0, "sampledValue", 0, "value"), "1520.5"),
            (TYPE, "$.meterValue[0].sampledValue[0].value", "type"))
        add("seq-no-as-text", (v, "TransactionEvent", ("seqNo",), "3"), (TYPE, "$.seqNo", "type"))
        add("offline-as-text", (v, "TransactionEvent", ("offline",), "false"),
            (TYPE, "$.offline", "type"))
        add("missing-transaction-id",
            (v, "TransactionEvent", ("transactionInfo", "transactionId"), _DELETE),
            (OCCURRENCE, "$.transactionInfo", "required"))
        add("transaction-id-as-int",
            (v, "TransactionEvent", ("transactionInfo", "transactionId"), 42),
            (TYPE, "$.transactionInfo.transactionId", "type"))
        add("transaction-id-too-long",
            (v, "TransactionEvent", ("transactionInfo", "transactionId"), "t" * 37),
            (PROPERTY, "$.transactionInfo.transactionId", "maxLength"))
        add("empty-sampled-value", (v, "TransactionEvent", ("meterValue", 0, "sampledValue"), []),
            (OCCURRENCE, "$.meterValue[0].sampledValue", "minItems"))
        add("unit-too-long",
            (v, "TransactionEvent",
             ("meterValue", 0, "sampledValue", 0, "unitOfMeasure", "unit"), "u" * 21),
            (PROPERTY, "$.meterValue[0].sampledValue[0].unitOfMeasure.unit", "maxLength"))
        add("bad-phase",
            (v, "TransactionEvent", ("meterValue", 0, "sampledValue", 1, "phase"), "L1-L4"),
            (PROPERTY, "$.meterValue[0].sampledValue[1].phase", "enum"))
        add("null-evse", (v, "TransactionEvent", ("evse",), None), (TYPE, "$.evse", "type"))
        if v is V21:  # 2.0.1 has no minimum on evseId
            add("negative-evse", (v, "StatusNotification", ("evseId",), -1),
                (PROPERTY, "$.evseId", "minimum"))
        add("status-of-16", (v, "StatusNotification", ("connectorStatus",), "Charging"),
            (PROPERTY, "$.connectorStatus", "enum"))
        for name, text in bad_date_times.items():
            rule = "type" if not isinstance(text, str) else "format"
            add(f"date-time-{name}", (v, "TransactionEvent", ("timestamp",), text),
                (TYPE, "$.timestamp", rule))
            add(f"nested-date-time-{name}",
                (v, "TransactionEvent", ("meterValue", 0, "timestamp"), text),
                (TYPE, "$.meterValue[0].timestamp", rule))
        for name, value in not_objects.items():
            add(f"not-an-object-{name}", (v, "StatusNotification", (), value),
                (FORMAT, "$", "type"))

    add("time-in-date-field", (V201, "BootNotification", ("currentTime",), "10:00:00Z"),
        (TYPE, "$.currentTime", "format"), kind="response")
    add("evse-id-list-empty", (V201, "Authorize", ("idTokenInfo", "evseId"), []),
        (OCCURRENCE, "$.idTokenInfo.evseId", "minItems"), kind="response")
    add("evse-id-list-text", (V201, "Authorize", ("idTokenInfo", "evseId", 1), "2"),
        (TYPE, "$.idTokenInfo.evseId[1]", "type"), kind="response")
    add("message-too-long",
        (V201, "Authorize", ("idTokenInfo", "personalMessage", "content"), "m" * 513),
        (PROPERTY, "$.idTokenInfo.personalMessage.content", "maxLength"), kind="response")
    add("vendor-id-too-long", (V201, "DataTransfer", ("vendorId",), "v" * 256),
        (PROPERTY, "$.vendorId", "maxLength"))
    add("soc-above-100", (V21, "BatterySwap", ("batteryData", 0, "soC"), 100.5),
        (PROPERTY, "$.batteryData[0].soC", "maximum"))
    add("soc-below-0", (V21, "BatterySwap", ("batteryData", 0, "soC"), -0.5),
        (PROPERTY, "$.batteryData[0].soC", "minimum"))
    add("soc-renamed", (V21, "BatterySwap", ("batteryData", 0, "soc"), 87.5),
        (FORMAT, "$.batteryData[0]", "additionalProperties"))
    add("no-battery-data", (V21, "BatterySwap", ("batteryData",), []),
        (OCCURRENCE, "$.batteryData", "minItems"))
    schedule = VALID[V21, "SetChargingProfile", "request"]["chargingProfile"]["chargingSchedule"]
    add("four-schedules",
        (V21, "SetChargingProfile", ("chargingProfile", "chargingSchedule"), schedule * 4),
        (OCCURRENCE, "$.chargingProfile.chargingSchedule", "maxItems"))
    add("limit-l2-as-text",
        (V21, "SetChargingProfile",
         ("chargingProfile", "chargingSchedule", 0, "chargingSchedulePeriod", 0, "limit_L2"),
         "3700.5"),
        (TYPE, "$.chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit_L2", "type"))
    return out


@pytest.mark.parametrize("fault", _faults())
def test_fault(fault: Fault) -> None:
    payload = fault.payload()
    error = _error(fault.version, fault.action, fault.kind, payload)
    assert error.code == CODES[fault.version][fault.violation]
    assert error.violation is fault.violation
    assert error.path == fault.path
    assert error.rule == fault.rule
    assert (error.version, error.action, error.kind) == (fault.version, fault.action, fault.kind)
    # decode reports the same error
    with pytest.raises(ValidationError) as info:
        codec.decode(fault.version, fault.action, fault.kind, payload)
    assert (info.value.code, info.value.path, info.value.rule) == (error.code, fault.path,
                                                                  fault.rule)


def test_error_code_spellings_per_version() -> None:
    """The two spellings OCPP-J 1.6 and 2.0.1 use differ in two codes only."""
    for version in (V15, V16):
        codes = {v: CODES[version][v] for v in Violation}
        assert codes[OCCURRENCE] == "OccurenceConstraintViolation"
        assert codes[FORMAT] == "FormationViolation"
    for version in (V201, V21):
        assert CODES[version][OCCURRENCE] == "OccurrenceConstraintViolation"
        assert CODES[version][FORMAT] == "FormatViolation"


# ---------------------------------------------------------------------------------------------
# 2. schema-driven mutations


@attrs.frozen
class Mutation:
    name: str
    payload: Any
    violation: Violation | None  #: ``None``: the mutated payload must still be valid
    path: str
    rule: str


_WRONG_TYPES: dict[str, list[Any]] = {
    "string": [42, None, True, ["x"]],
    "integer": ["1", 1.5, True, None],
    "number": ["1.5", True, None, [1]],
    "boolean": ["true", 1, None],
    "object": ["x", [], None, 0],
    "array": [{}, "x", None],
}
_BAD_DATE_TIMES = [
    "2024-13-01T00:00:00Z",
    "yesterday",
    "2024-05-01T10:00:00",
    "2024-05-01T10:00Z",
    "2024-05-01T24:00:00Z",
    "2024-05-01",
]
_GOOD_DATE_TIMES = ["2024-05-01t10:00:00z", "2024-05-01T10:00:00.123456789+05:45"]


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["definitions"][node["$ref"].rsplit("/", 1)[1]]
    return node


def mutations(root: dict[str, Any], payload: Any) -> Iterator[Mutation]:
    """Every single-fault mutation of ``payload`` the schema ``root`` allows to predict."""
    not_objects: list[Any] = [[], "payload", 3, None, False]
    for value in not_objects:
        yield Mutation(f"top-level {value!r}", value, FORMAT, "$", "type")
    yield from _walk(root, root, payload, payload, ())


def _walk(
    root: dict[str, Any], node: dict[str, Any], whole: Any, value: Any, path: Path
) -> Iterator[Mutation]:
    node = _resolve(node, root)
    here = _json_path(path)
    kind = node.get("type")
    if not isinstance(kind, str):
        return  # untyped (2.x DataTransfer.data): anything goes

    def put(new: Any) -> Any:
        return _changed(whole, path, new)

    if path:
        for wrong in _WRONG_TYPES[kind]:
            yield Mutation(f"{here} <- {wrong!r}", put(wrong), TYPE, here, "type")

    if kind == "object":
        properties = node.get("properties", {})
        for name in node.get("required", []):
            yield Mutation(f"{here} without {name}", _changed(whole, (*path, name), _DELETE),
                           OCCURRENCE, here, "required")
        if node.get("additionalProperties") is False:
            extra = "unexpectedProperty"
            assert extra not in properties
            yield Mutation(f"{here} + {extra}", _changed(whole, (*path, extra), "x"), FORMAT,
                           here, "additionalProperties")
        for name, sub in value.items():
            if name in properties:
                yield from _walk(root, properties[name], whole, sub, (*path, name))
    elif kind == "array":
        low, high = node.get("minItems", 0), node.get("maxItems")
        if low >= 1:
            yield Mutation(f"{here} empty", put([]), OCCURRENCE, here, "minItems")
        if high is not None and value:
            many = (value * (high + 1))[: high + 1]
            yield Mutation(f"{here} x{high + 1}", put(many), OCCURRENCE, here, "maxItems")
        for i, item in enumerate(value):
            yield from _walk(root, node["items"], whole, item, (*path, i))
    elif kind == "string":
        if "enum" in node:
            for bad in ("NotAnEnumValue", value.lower(), value.upper(), f" {value}", ""):
                if bad not in node["enum"]:
                    yield Mutation(f"{here} <- {bad!r}", put(bad), PROPERTY, here, "enum")
            return
        if node.get("format") == "date-time":
            for bad in _BAD_DATE_TIMES:
                yield Mutation(f"{here} <- {bad!r}", put(bad), TYPE, here, "format")
            for good in _GOOD_DATE_TIMES:
                yield Mutation(f"{here} <- {good!r}", put(good), None, here, "")
        elif node.get("format") == "uri":
            yield Mutation(f"{here} <- no uri", put("not a uri"), TYPE, here, "format")
        limit = node.get("maxLength")
        if limit is not None:
            yield Mutation(f"{here} too long", put("x" * (limit + 1)), PROPERTY, here,
                           "maxLength")
            if node.get("format") is None:
                yield Mutation(f"{here} at limit", put("é" * limit), None, here, "")
    elif kind in ("integer", "number"):
        low, high = node.get("minimum"), node.get("maximum")
        if low is not None:
            below = math.ceil(low) - 1 if kind == "integer" else low - 0.5
            yield Mutation(f"{here} <- {below}", put(below), PROPERTY, here, "minimum")
            if kind == "integer":
                yield Mutation(f"{here} <- {low}", put(math.ceil(low)), None, here, "")
        if high is not None:
            above = math.floor(high) + 1 if kind == "integer" else high + 0.5
            yield Mutation(f"{here} <- {above}", put(above), PROPERTY, here, "maximum")
        step = node.get("multipleOf")
        if step is not None:
            assert step == 0.1  # OCPP 1.6 decimals only
            for off in (8.15, 0.01, 1e-7):
                yield Mutation(f"{here} <- {off}", put(off), PROPERTY, here, "multipleOf")
            yield Mutation(f"{here} <- 8.1", put(8.1), None, here, "")


def _check_mutations(version: Version, action: str, kind: Kind, payload: Any) -> int:
    root = schema(version, action, kind)
    validate(version, action, kind, payload)
    count = 0
    for mutation in mutations(root, payload):
        count += 1
        if mutation.violation is None:
            validate(version, action, kind, mutation.payload)
            continue
        try:
            validate(version, action, kind, mutation.payload)
        except ValidationError as error:
            got = (error.code, error.path, error.rule)
            want = (CODES[version][mutation.violation], mutation.path, mutation.rule)
            assert got == want, mutation.name
        else:
            pytest.fail(f"{version} {action} {kind}: {mutation.name} was accepted")
    return count


@pytest.mark.parametrize(("version", "action", "kind"), list(VALID), ids=str)
def test_every_mutation_of_realistic_payloads(version: Version, action: str, kind: Kind) -> None:
    assert _check_mutations(version, action, kind, VALID[version, action, kind]) > 5


# hypothesis-jsonschema instances of our validation schemas. Generation is bounded to keep the
# run short: arrays hold at most 2 items (the mutator still checks maxItems by repetition) and
# open objects (customData) at most 2 properties beyond their own. Instances remain valid under
# the unbounded schema. 1.6 ``multipleOf 0.1`` values are drawn as binary floats by
# hypothesis-jsonschema (0.30000000000000004); they are snapped to the decimal they stand for.


def _bounded(node: Any) -> Any:
    if isinstance(node, list):
        return [_bounded(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _bounded(v) if k != "enum" else v for k, v in node.items()}
    if node.get("type") == "array":
        out["maxItems"] = max(node.get("minItems", 0), min(node.get("maxItems", 2), 2))
    if node.get("type") == "object" and node.get("additionalProperties", True) is not False:
        out["maxProperties"] = len(node.get("properties", {})) + 2
    return out


def _snap_decimals(root: dict[str, Any], node: dict[str, Any], value: Any) -> Any:
    node = _resolve(node, root)
    if isinstance(value, dict):
        props = node.get("properties", {})
        return {k: _snap_decimals(root, props[k], v) if k in props else v
                for k, v in value.items()}
    if isinstance(value, list) and "items" in node:
        return [_snap_decimals(root, node["items"], v) for v in value]
    if "multipleOf" in node and isinstance(value, float):
        return round(value, 1)
    return value


_MESSAGES: dict[Version, list[tuple[str, Kind]]] = {
    v: [(a, k) for a, spec in actions_for(v).items() for k in ("request", "response")
        if k == "request" or spec.response is not None]
    for v in Version
}


@cache
def _instances(version: Version, action: str, kind: Kind) -> st.SearchStrategy[Any]:
    return from_schema(_bounded(schema(version, action, kind)))


def _drawn(version: Version) -> st.SearchStrategy[tuple[str, Kind, Any]]:
    return st.sampled_from(_MESSAGES[version]).flatmap(
        lambda m: st.tuples(st.just(m[0]), st.just(m[1]), _instances(version, *m))
    )


@pytest.mark.parametrize("version", list(Version))
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_every_mutation_of_drawn_instances(version: Version, data: st.DataObject) -> None:
    action, kind, instance = data.draw(_drawn(version), label="instance")
    root = schema(version, action, kind)
    instance = _snap_decimals(root, root, instance)
    _check_mutations(version, action, kind, instance)


# ---------------------------------------------------------------------------------------------
# 3. OCPP 1.6 multipleOf 0.1 decimals

_NUMBER = "__number__"


def _decimal_sites() -> list[Any]:
    """(action, kind, payload template, path) of each 1.6 ``multipleOf 0.1`` field."""
    profile = _profile_16()
    sites = {
        ("SetChargingProfile", "request"): {"connectorId": 1, "csChargingProfiles": profile},
        ("RemoteStartTransaction", "request"): {"idTag": "04A2B3C4", "chargingProfile": profile},
        ("GetCompositeSchedule", "response"): {
            "status": "Accepted", "connectorId": 1, "scheduleStart": "2016-06-01T10:00:00Z",
            "chargingSchedule": profile["chargingSchedule"],
        },
    }
    prefix = {
        "SetChargingProfile": ("csChargingProfiles", "chargingSchedule"),
        "RemoteStartTransaction": ("chargingProfile", "chargingSchedule"),
        "GetCompositeSchedule": ("chargingSchedule",),
    }
    out = []
    for (action, kind), payload in sites.items():
        for field in (("chargingSchedulePeriod", 1, "limit"), ("minChargingRate",)):
            path = (*prefix[action], *field)
            out.append(pytest.param(action, kind, _changed(payload, path, _NUMBER), path,
                                    id=f"{action}-{kind}-{field[-1]}"))
    return out


def _with_number(template: Any, text: str) -> Any:
    """The template as JSON text with the number written literally, parsed as on the wire."""
    return codec.loads(orjson.dumps(template).replace(f'"{_NUMBER}"'.encode(), text.encode()))


@pytest.mark.parametrize(("action", "kind", "template", "path"), _decimal_sites())
@pytest.mark.parametrize("text", ["8.1", "0.3", "1e3", "8", "0.1", "0", "-0.7", "1E-1", "32.0"])
def test_16_decimal_multiple_of_passes(
    action: str, kind: Kind, template: Any, path: Path, text: str
) -> None:
    payload = _with_number(template, text)
    message = codec.decode(V16, action, kind, payload)
    wire = codec.to_wire(message)
    assert wire == payload
    value: Any = wire
    for p in path:
        value = value[p]
    assert decimal.Decimal(repr(value)) == decimal.Decimal(text)


@pytest.mark.parametrize(("action", "kind", "template", "path"), _decimal_sites())
@pytest.mark.parametrize("text", ["8.15", "0.30000000000000004", "0.05", "-8.01", "1e-2"])
def test_16_decimal_multiple_of_fails(
    action: str, kind: Kind, template: Any, path: Path, text: str
) -> None:
    error = _error(V16, action, kind, _with_number(template, text))
    assert error.code == "PropertyConstraintViolation"
    assert error.path == _json_path(path)
    assert error.rule == "multipleOf"


def test_16_decimal_fields_are_the_documented_six() -> None:
    """The ``multipleOf`` fields of 1.6 are exactly those the spec data README lists."""
    found: set[tuple[str, Kind, str | int]] = set()

    def visit(root: dict[str, Any], node: dict[str, Any], path: Path) -> Iterator[str | int]:
        node = _resolve(node, root)
        if "multipleOf" in node:
            assert node["multipleOf"] == 0.1
            yield path[-1]
        for name, sub in node.get("properties", {}).items():
            yield from visit(root, sub, (*path, name))
        if isinstance(node.get("items"), dict):
            yield from visit(root, node["items"], (*path, 0))

    for action, kind in _MESSAGES[V16]:
        root = schema(V16, action, kind)
        found.update((action, kind, name) for name in visit(root, root, ()))
    assert found == {
        (a, k, f)
        for a, k in (("SetChargingProfile", "request"), ("RemoteStartTransaction", "request"),
                     ("GetCompositeSchedule", "response"))
        for f in ("limit", "minChargingRate")
    }

