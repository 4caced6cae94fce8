"""Validation profiles (STRICT, LENIENT, OFF) and :class:`ValidationPolicy` resolution.

- STRICT follows the official schemas: unknown properties, over-long strings and date-times
  without a UTC offset are rejected (OCPP-J 1.6 section 4.2.3 / OCPP 2.0.1 Part 4 section 4.3
  error codes, spelled per version).
- LENIENT relaxes exactly those three rules and nothing else; unknown properties are kept in
  ``extra_fields`` of the object they were found in (top level, nested objects, list items) and
  written back by :func:`ocpp_sansio.codec.to_wire`.
- OFF skips validation.
- ``ValidationPolicy.profile`` resolves ``overrides`` keyed ``(flow, action, kind)`` as its
  docstring says: any element may be ``None`` to match everything, the most specific match wins
  (action over flow over kind), else ``inbound``/``outbound``.
"""

import datetime
from typing import Any

import pytest

from ocpp_sansio import codec
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.v201 import datatypes as d201
from ocpp_sansio.v201 import enums as e201
from ocpp_sansio.v201 import messages as m201
from ocpp_sansio.validation import (
    LENIENT,
    LENIENT_POLICY,
    OFF,
    STRICT,
    STRICT_POLICY,
    Flow,
    Kind,
    Profile,
    ValidationError,
    ValidationPolicy,
    validate,
)
from ocpp_sansio.version import Version

V15, V16, V201, V21 = Version.V15, Version.V16, Version.V201, Version.V21

FORMAT = {V15: "FormationViolation", V16: "FormationViolation"}
OCCURRENCE = {V15: "OccurenceConstraintViolation", V16: "OccurenceConstraintViolation"}
for _v in (V201, V21):
    FORMAT[_v] = "FormatViolation"
    OCCURRENCE[_v] = "OccurrenceConstraintViolation"
PROPERTY = "PropertyConstraintViolation"
_PLUS_2 = datetime.timezone(datetime.timedelta(hours=2))
TYPE = "TypeConstraintViolation"


def _meter_values_16() -> dict[str, Any]:
    return {
        "connectorId": 1,
        "transactionId": 42,
        "meterValue": [
            {
                "timestamp": "2024-05-01T10:00:00Z",
                "sampledValue": [
                    {"value": "1520", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                    {"value": "16.1", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
                ],
            }
        ],
    }


def _boot_201() -> dict[str, Any]:
    return {
        "chargingStation": {"model": "W22", "vendorName": "ACME", "modem": {"iccid": "8931"}},
        "reason": "PowerUp",
    }


def _check(
    version: Version, action: str, kind: Kind, payload: Any, profile: Profile
) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate(version, action, kind, payload, profile)
    return info.value


# ---------------------------------------------------------------------------------------------
# what STRICT rejects and LENIENT accepts


def _unknown_top_16() -> dict[str, Any]:
    payload = _meter_values_16()
    payload["vendorTelemetry"] = {"rssi": -71}
    return payload


def _unknown_nested_16() -> dict[str, Any]:
    payload = _meter_values_16()
    payload["meterValue"][0]["sampledValue"][1]["x-precision"] = 2
    return payload


def _long_id_tag_16() -> dict[str, Any]:
    return {"idTag": "0123456789ABCDEF01234"}  # 21 > maxLength 20 (CiString20Type)


def _no_offset_16() -> dict[str, Any]:
    payload = _meter_values_16()
    payload["meterValue"][0]["timestamp"] = "2024-05-01T10:00:00"
    return payload


def _space_separator_16() -> dict[str, Any]:
    payload = _meter_values_16()
    payload["meterValue"][0]["timestamp"] = "2024-05-01 10:00:00"
    return payload


def _unknown_nested_201() -> dict[str, Any]:
    payload = _boot_201()
    payload["chargingStation"]["modem"]["apn"] = "internet.example"
    return payload


def _long_model_201() -> dict[str, Any]:
    payload = _boot_201()
    payload["chargingStation"]["model"] = "M" * 21  # maxLength 20
    return payload


Expect = tuple[str, str, str]  # (code, path, rule)

RELAXED_CASES = [
    pytest.param(
        V16, "MeterValues", _unknown_top_16(), (FORMAT[V16], "$", "additionalProperties"),
        id="16-unknown-top",
    ),
    pytest.param(
        V16, "MeterValues", _unknown_nested_16(),
        (FORMAT[V16], "$.meterValue[0].sampledValue[1]", "additionalProperties"),
        id="16-unknown-nested-list-item",
    ),
    pytest.param(
        V16, "Authorize", _long_id_tag_16(), (PROPERTY, "$.idTag", "maxLength"), id="16-too-long"
    ),
    pytest.param(
        V16, "MeterValues", _no_offset_16(), (TYPE, "$.meterValue[0].timestamp", "format"),
        id="16-no-offset",
    ),
    pytest.param(
        V16, "MeterValues", _space_separator_16(), (TYPE, "$.meterValue[0].timestamp", "format"),
        id="16-space-separator",
    ),
    pytest.param(
        V201, "BootNotification", _unknown_nested_201(),
        (FORMAT[V201], "$.chargingStation.modem", "additionalProperties"),
        id="201-unknown-nested",
    ),
    pytest.param(
        V201, "BootNotification", _long_model_201(),
        (PROPERTY, "$.chargingStation.model", "maxLength"), id="201-too-long",
    ),
]


@pytest.mark.parametrize(("version", "action", "payload", "expect"), RELAXED_CASES)
def test_strict_rejects_what_lenient_accepts(
    version: Version, action: str, payload: Any, expect: Expect
) -> None:
    error = _check(version, action, "request", payload, STRICT)
    assert (error.code, error.path, error.rule) == expect
    validate(version, action, "request", payload, LENIENT)
    validate(version, action, "request", payload, OFF)
    assert codec.decode(version, action, "request", payload, LENIENT) is not None


_PROFILE_16 = {
    "connectorId": 1,
    "csChargingProfiles": {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8.15}],
        },
    },
}


@pytest.mark.parametrize(
    ("version", "action", "kind", "payload", "expect"),
    [
        pytest.param(V16, "Authorize", "request", {"idTag": 42}, (TYPE, "$.idTag", "type"),
                     id="wrong-type"),
        pytest.param(V16, "Authorize", "request", {}, (OCCURRENCE[V16], "$", "required"),
                     id="missing-required"),
        pytest.param(V16, "Authorize", "response", {"idTagInfo": {"status": "OK"}},
                     (PROPERTY, "$.idTagInfo.status", "enum"), id="bad-enum"),
        pytest.param(V16, "BootNotification", "response",
                     {"status": "Accepted", "currentTime": "yesterday", "interval": 60},
                     (TYPE, "$.currentTime", "format"), id="not-a-date-time"),
        pytest.param(V16, "BootNotification", "response",
                     {"status": "Accepted", "currentTime": "2024-13-01 00:00:00", "interval": 60},
                     (TYPE, "$.currentTime", "format"), id="month-13-without-offset"),
        pytest.param(V16, "MeterValues", "request", {"connectorId": 1, "meterValue": []},
                     (OCCURRENCE[V16], "$.meterValue", "minItems"), id="min-items"),
        pytest.param(V201, "BootNotification", "request", [], (FORMAT[V201], "$", "type"),
                     id="not-an-object"),
        pytest.param(V201, "BootNotification", "request",
                     {"chargingStation": {"model": "W22"}, "reason": "PowerUp"},
                     (OCCURRENCE[V201], "$.chargingStation", "required"),
                     id="201-missing-nested"),
        pytest.param(V21, "StatusNotification", "request",
                     {"timestamp": "2025-01-01T00:00:00Z", "connectorStatus": "Available",
                      "evseId": -1, "connectorId": 1},
                     (PROPERTY, "$.evseId", "minimum"), id="21-minimum"),
        pytest.param(V16, "SetChargingProfile", "request", _PROFILE_16,
                     (PROPERTY,
                      "$.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit",
                      "multipleOf"),
                     id="multiple-of"),
    ],
)
def test_lenient_still_enforces_every_other_rule(
    version: Version, action: str, kind: Kind, payload: Any, expect: Expect
) -> None:
    for profile in (STRICT, LENIENT):
        error = _check(version, action, kind, payload, profile)
        assert (error.code, error.path, error.rule) == expect


def test_profiles_are_as_documented() -> None:
    assert STRICT.enabled and not (
        STRICT.allow_unknown_properties or STRICT.ignore_max_length or STRICT.allow_missing_offset
    )
    assert LENIENT.enabled and LENIENT.allow_unknown_properties
    assert LENIENT.ignore_max_length and LENIENT.allow_missing_offset
    assert not OFF.enabled


# ---------------------------------------------------------------------------------------------
# LENIENT keeps unknown properties and writes them back


def test_lenient_keeps_unknown_properties_top_level_and_nested_16() -> None:
    payload = _meter_values_16()
    payload["vendorTelemetry"] = {"rssi": -71, "tags": ["a", None]}
    payload["meterValue"][0]["x-source"] = "meter-2"
    payload["meterValue"][0]["sampledValue"][1]["x-precision"] = 2
    message = codec.decode(V16, "MeterValues", "request", payload, LENIENT)
    assert message.extra_fields == {"vendorTelemetry": {"rssi": -71, "tags": ["a", None]}}
    meter_value = message.meter_value[0]
    assert meter_value.extra_fields == {"x-source": "meter-2"}
    assert meter_value.sampled_value[0].extra_fields is None
    assert meter_value.sampled_value[1].extra_fields == {"x-precision": 2}
    assert codec.to_wire(message) == payload
    # and encode under LENIENT writes them too; STRICT encode refuses the unknown property
    assert codec.encode(V16, message, LENIENT) == ("MeterValues", "request", payload)
    with pytest.raises(ValidationError) as info:
        codec.encode(V16, message, STRICT)
    # the payload has three unknown properties: the error names one of them
    assert (info.value.code, info.value.rule) == ("FormationViolation", "additionalProperties")
    assert info.value.path in ("$", "$.meterValue[0]", "$.meterValue[0].sampledValue[1]")


def test_lenient_keeps_unknown_properties_nested_201() -> None:
    payload = _boot_201()
    payload["chargingStation"]["modem"]["apn"] = "internet.example"
    payload["chargingStation"]["customData"] = {"vendorId": "v", "free": 1}
    payload["bootCount"] = 17
    message = codec.decode(V201, "BootNotification", "request", payload, LENIENT)
    assert message.extra_fields == {"bootCount": 17}
    assert message.charging_station.extra_fields is None  # customData keys are not extra
    assert message.charging_station.custom_data == {"vendorId": "v", "free": 1}
    assert message.charging_station.modem.extra_fields == {"apn": "internet.example"}
    assert codec.to_wire(message) == payload


def test_strict_and_off_decode_drop_nothing_known_and_keep_no_extra() -> None:
    payload = _meter_values_16()
    strict = codec.decode(V16, "MeterValues", "request", payload, STRICT)
    assert strict.extra_fields is None
    payload["vendorTelemetry"] = 1
    off = codec.decode(V16, "MeterValues", "request", payload, OFF)
    # OFF does not validate and does not keep unknown properties either
    assert off.extra_fields is None
    assert codec.to_wire(off) == _meter_values_16()


def test_extra_fields_set_by_the_caller_are_written_but_never_override_known_fields() -> None:
    message = m16.AuthorizeRequest(id_tag="04A2B3C4", extra_fields={"idTag": "X", "seen": True})
    assert codec.to_wire(message) == {"idTag": "04A2B3C4", "seen": True}
    nested = m201.BootNotificationRequest(
        charging_station=d201.ChargingStationType(
            model="W22", vendor_name="ACME", extra_fields={"site": "depot-3"}
        ),
        reason=e201.BootReasonEnumType.PowerUp,
    )
    _, _, wire = codec.encode(V201, nested, LENIENT)
    assert wire["chargingStation"] == {"model": "W22", "vendorName": "ACME", "site": "depot-3"}


def test_lenient_ignores_max_length_and_keeps_the_text() -> None:
    payload = {"idTag": "X" * 500}
    message = codec.decode(V16, "Authorize", "request", payload, LENIENT)
    assert message.id_tag == "X" * 500
    assert codec.to_wire(message) == payload


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00", datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.UTC)),
        ("2024-05-01 10:00:00", datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.UTC)),
        ("2024-05-01t10:00:00.5", datetime.datetime(2024, 5, 1, 10, 0, 0, 500000, datetime.UTC)),
        (
            "2024-05-01 10:00:00+0200",
            datetime.datetime(2024, 5, 1, 10, tzinfo=_PLUS_2),
        ),
    ],
)
def test_lenient_date_time_without_offset_reads_as_utc(
    text: str, expected: datetime.datetime
) -> None:
    payload = {"status": "Accepted", "currentTime": text, "interval": 60}
    error = _check(V16, "BootNotification", "response", payload, STRICT)
    assert (error.code, error.path, error.rule) == (TYPE, "$.currentTime", "format")
    message = codec.decode(V16, "BootNotification", "response", payload, LENIENT)
    assert message.current_time == expected
    assert message.current_time.utcoffset() == expected.utcoffset()
    # written back as strict RFC 3339
    codec.decode(V16, "BootNotification", "response", codec.to_wire(message), STRICT)


def test_off_accepts_schema_breaking_but_well_shaped_payloads() -> None:
    # OFF skips validation: values are kept as parsed, even of the wrong JSON type
    message = codec.decode(V16, "Authorize", "request", {"idTag": 5}, OFF)
    assert message.id_tag == 5
    long = codec.decode(V16, "Authorize", "request", {"idTag": "X" * 500}, OFF)
    assert long.id_tag == "X" * 500


@pytest.mark.parametrize(
    "payload", [[], None, {}, {"idTagInfo": {"status": "NotAStatus"}}], ids=repr
)
def test_off_decode_of_malformed_payload_raises_validation_error(payload: Any) -> None:
    with pytest.raises(ValidationError) as info:
        codec.decode(V16, "Authorize", "response", payload, OFF)
    assert info.value.rule == "structure"


# ---------------------------------------------------------------------------------------------
# ValidationPolicy

CUSTOM = [Profile(f"p{i}") for i in range(8)]
P_FAK, P_AK, P_FA, P_A, P_FK, P_K, P_F, P_ALL = CUSTOM


def test_policy_defaults() -> None:
    assert STRICT_POLICY.profile("inbound", "Authorize", "request") is STRICT
    assert STRICT_POLICY.profile("outbound", "Authorize", "response") is STRICT
    assert LENIENT_POLICY.profile("inbound", "Authorize", "request") is LENIENT
    assert LENIENT_POLICY.profile("outbound", "Authorize", "request") is STRICT
    policy = ValidationPolicy(inbound=OFF, outbound=LENIENT)
    assert policy.profile("inbound", "Heartbeat", "response") is OFF
    assert policy.profile("outbound", "Heartbeat", "response") is LENIENT


def test_policy_override_for_one_action_and_kind_only() -> None:
    policy = ValidationPolicy(overrides={("inbound", "MeterValues", "request"): LENIENT})
    assert policy.profile("inbound", "MeterValues", "request") is LENIENT
    assert policy.profile("inbound", "MeterValues", "response") is STRICT
    assert policy.profile("outbound", "MeterValues", "request") is STRICT
    assert policy.profile("inbound", "StartTransaction", "request") is STRICT


def test_policy_wildcards_match_everything() -> None:
    policy = ValidationPolicy(
        overrides={(None, "DataTransfer", None): OFF, (None, None, "response"): LENIENT}
    )
    for flow in ("inbound", "outbound"):
        for kind in ("request", "response"):
            assert policy.profile(flow, "DataTransfer", kind) is OFF
        assert policy.profile(flow, "Heartbeat", "response") is LENIENT
        assert policy.profile(flow, "Heartbeat", "request") is STRICT


def _policy(*keys: tuple[Flow | None, str | None, Kind | None]) -> ValidationPolicy:
    table = {
        ("inbound", "Authorize", "request"): P_FAK,
        (None, "Authorize", "request"): P_AK,
        ("inbound", "Authorize", None): P_FA,
        (None, "Authorize", None): P_A,
        ("inbound", None, "request"): P_FK,
        (None, None, "request"): P_K,
        ("inbound", None, None): P_F,
        (None, None, None): P_ALL,
    }
    return ValidationPolicy(overrides={k: table[k] for k in keys})


#: the keys ValidationPolicy.profile consults for ("inbound", "Authorize", "request")
LOOKED_UP: list[tuple[Flow | None, str | None, Kind | None]] = [
    ("inbound", "Authorize", "request"),
    (None, "Authorize", "request"),
    ("inbound", "Authorize", None),
    (None, "Authorize", None),
    ("inbound", None, "request"),
    (None, None, "request"),
]


def _rank(key: tuple[Flow | None, str | None, Kind | None]) -> tuple[bool, bool, bool]:
    """Documented specificity: action over flow over kind."""
    return (key[1] is not None, key[0] is not None, key[2] is not None)


def test_policy_most_specific_match_wins() -> None:
    """Every combination of override keys: the documented most specific one is chosen.

    """
    checked = 0
    for mask in range(1, 1 << len(LOOKED_UP)):
        keys = [k for i, k in enumerate(LOOKED_UP) if mask >> i & 1]
        best = max(keys, key=_rank)
        policy = _policy(*keys)
        assert policy.profile("inbound", "Authorize", "request") is policy.overrides[best], keys
        # nothing here matches an outbound Heartbeat response: the default applies
        assert policy.profile("outbound", "Heartbeat", "response") is STRICT
        checked += 1
    assert checked == 63


def test_policy_action_beats_flow_and_kind() -> None:
    policy = _policy((None, "Authorize", None), ("inbound", None, "request"))
    assert policy.profile("inbound", "Authorize", "request") is P_A
    policy = _policy((None, None, "request"), ("inbound", None, "request"))
    assert policy.profile("inbound", "Authorize", "request") is P_FK
    assert policy.profile("outbound", "Authorize", "request") is P_K


def test_policy_flow_beats_kind_when_both_name_the_action() -> None:
    policy = _policy(("inbound", "Authorize", None), (None, "Authorize", "request"))
    assert policy.profile("inbound", "Authorize", "request") is P_FA


@pytest.mark.parametrize(
    "key", [("inbound", None, None), (None, None, None)], ids=["flow-only", "all-none"]
)
def test_policy_flow_only_and_catch_all_keys(key: tuple[Flow | None, None, None]) -> None:
    policy = _policy(key)
    assert policy.profile("inbound", "Authorize", "request") is policy.overrides[key]
