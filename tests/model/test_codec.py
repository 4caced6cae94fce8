"""Unit tests of :mod:`ocpp_sansio.codec`: date-times, numbers, omitted fields, passthrough values.

Every rule the codec module docstring states is checked here on real messages of each version:

- RFC 3339 date-times (RFC 3339 section 5.6): the UTC offset is kept as sent, UTC is written
  ``Z``, lowercase ``t``/``z`` are accepted on input (section 5.6 NOTE), a naive datetime is
  rejected by strict validation on encode;
- a JSON integer in a ``number`` field stays an integer (``8`` is written back as ``8``);
- optional fields that are ``None`` are omitted, never written as ``null``;
- 2.0.1/2.1 ``customData`` (``CustomDataType``, the schemas' vendor extension point, the one
  object type without ``additionalProperties: false``) and ``DataTransfer.data`` (no type in the
  schema: any JSON value) pass through untouched;
- OCPP 2.1 wire names that do not follow plain lowerCamelCase (``responderURL``, ``limit_L2``,
  ``soC``, ...) round-trip exactly, as the generated metadata spells them.
"""

import datetime
from typing import Any

import attrs
import orjson
import pytest

from ocpp_sansio import codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.v201 import datatypes as d201
from ocpp_sansio.v201 import enums as e201
from ocpp_sansio.v201 import messages as m201
from ocpp_sansio.validation import LENIENT, STRICT, ValidationError
from ocpp_sansio.version import Version

UTC = datetime.UTC


def _hours(hours: float) -> datetime.timedelta:
    return datetime.timedelta(hours=hours)


def _tz(hours: int, minutes: int = 0) -> datetime.timezone:
    sign = -1 if hours < 0 else 1
    return datetime.timezone(sign * datetime.timedelta(hours=abs(hours), minutes=minutes))


def _boot_response_16(current_time: str) -> dict[str, Any]:
    return {"status": "Accepted", "currentTime": current_time, "interval": 300}


# ---------------------------------------------------------------------------------------------
# date-time


@pytest.mark.parametrize(
    ("text", "offset", "written"),
    [
        ("2024-05-01T10:00:00+02:00", datetime.timedelta(hours=2), "2024-05-01T10:00:00+02:00"),
        (
            "2024-05-01T10:00:00-05:30",
            -datetime.timedelta(hours=5, minutes=30),
            "2024-05-01T10:00:00-05:30",
        ),
        # fractions: to the millisecond when exact, else to the microsecond
        ("2024-05-01T10:00:00.250+14:00", _hours(14), "2024-05-01T10:00:00.250+14:00"),
        ("2024-05-01T10:00:00.25-01:00", -_hours(1), "2024-05-01T10:00:00.250-01:00"),
        ("2024-05-01T10:00:00.000600Z", datetime.timedelta(0), "2024-05-01T10:00:00.000600Z"),
        ("2024-05-01T10:00:00.000Z", datetime.timedelta(0), "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00Z", datetime.timedelta(0), "2024-05-01T10:00:00Z"),
        # "+00:00" and RFC 3339 section 4.3's "-00:00" are the UTC instant: written "Z".
        ("2024-05-01T10:00:00+00:00", datetime.timedelta(0), "2024-05-01T10:00:00Z"),
        ("2024-05-01T10:00:00-00:00", datetime.timedelta(0), "2024-05-01T10:00:00Z"),
        # RFC 3339 section 5.6 NOTE: "T" and "Z" may be lowercase.
        ("2024-05-01t10:00:00z", datetime.timedelta(0), "2024-05-01T10:00:00Z"),
        ("2024-05-01t10:00:00+02:00", datetime.timedelta(hours=2), "2024-05-01T10:00:00+02:00"),
        # digits below the microsecond are dropped (the instant is kept to the microsecond)
        ("2024-05-01T10:00:00.123456789Z", datetime.timedelta(0), "2024-05-01T10:00:00.123456Z"),
    ],
)
def test_datetime_offset_kept_and_utc_written_z(
    text: str, offset: datetime.timedelta, written: str
) -> None:
    message = codec.decode(Version.V16, "BootNotification", "response", _boot_response_16(text))
    assert isinstance(message, m16.BootNotificationResponse)
    assert message.current_time.utcoffset() == offset
    assert message.current_time == codec.parse_datetime(text)
    wire = codec.to_wire(message)
    assert wire["currentTime"] == written
    # what is written validates strictly and reads back to the same instant and offset
    again = codec.decode(Version.V16, "BootNotification", "response", wire)
    assert again.current_time == message.current_time
    assert again.current_time.utcoffset() == offset


def test_format_datetime_writes_z_for_any_zero_offset_zone() -> None:
    assert codec.format_datetime(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        "2024-01-02T03:04:05Z"
    )
    zero = datetime.timezone(datetime.timedelta(0), "GMT")
    assert codec.format_datetime(datetime.datetime(2024, 1, 2, 3, 4, 5, 600, tzinfo=zero)) == (
        "2024-01-02T03:04:05.000600Z"
    )
    assert codec.format_datetime(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_tz(-3))) == (
        "2024-01-02T03:04:05-03:00"
    )


def test_leap_second_is_rejected() -> None:
    """Known gap: RFC 3339 section 5.6 allows second ``60`` (a leap second) but a Python
    ``datetime`` cannot hold it, so strict validation rejects it as a malformed date-time."""
    with pytest.raises(ValidationError) as info:
        codec.decode(Version.V16, "BootNotification", "response",
                     _boot_response_16("2016-12-31T23:59:60Z"))
    assert (info.value.code, info.value.rule) == ("TypeConstraintViolation", "format")


def test_parse_datetime_reads_naive_text_as_utc() -> None:
    parsed = codec.parse_datetime("2024-05-01T10:00:00")
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == datetime.timedelta(0)


def test_aware_datetime_encodes_with_its_offset() -> None:
    message = m16.BootNotificationResponse(
        status=e16.RegistrationStatus.Accepted,
        current_time=datetime.datetime(2024, 5, 1, 10, 0, tzinfo=_tz(2)),
        interval=300,
    )
    action, kind, wire = codec.encode(Version.V16, message)
    assert (action, kind) == ("BootNotification", "response")
    assert wire == {
        "status": "Accepted",
        "currentTime": "2024-05-01T10:00:00+02:00",
        "interval": 300,
    }


def test_naive_datetime_rejected_by_strict_validation_on_encode() -> None:
    message = m16.BootNotificationResponse(
        status=e16.RegistrationStatus.Accepted,
        current_time=datetime.datetime(2024, 5, 1, 10, 0),  # naive: no UTC offset
        interval=300,
    )
    with pytest.raises(ValidationError) as info:
        codec.encode(Version.V16, message)
    assert info.value.code == "TypeConstraintViolation"
    assert info.value.path == "$.currentTime"
    assert info.value.rule == "format"
    # the lenient profile accepts a missing offset; it is written as given, without one
    _, _, wire = codec.encode(Version.V16, message, LENIENT)
    assert wire["currentTime"] == "2024-05-01T10:00:00"


def test_naive_datetime_rejected_on_encode_201() -> None:
    message = m201.HeartbeatResponse(current_time=datetime.datetime(2024, 5, 1, 10, 0))
    with pytest.raises(ValidationError) as info:
        codec.encode(Version.V201, message)
    assert (info.value.code, info.value.path, info.value.rule) == (
        "TypeConstraintViolation",
        "$.currentTime",
        "format",
    )


# ---------------------------------------------------------------------------------------------
# numbers


def _set_charging_profile_16(limit: Any, min_rate: Any = None) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}],
    }
    if min_rate is not None:
        schedule["minChargingRate"] = min_rate
    return {
        "connectorId": 1,
        "csChargingProfiles": {
            "chargingProfileId": 7,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": schedule,
        },
    }


def test_int_in_float_field_stays_int_in_json() -> None:
    text = orjson.dumps(_set_charging_profile_16(8, 6))
    message = codec.decode(Version.V16, "SetChargingProfile", "request", codec.loads(text))
    period = message.cs_charging_profiles.charging_schedule.charging_schedule_period[0]
    assert period.limit == 8
    assert type(period.limit) is int
    out = codec.dumps(codec.to_wire(message))
    assert '"limit":8}' in out
    assert '"minChargingRate":6' in out
    assert "8.0" not in out
    assert codec.loads(out) == codec.loads(text)


def test_float_in_float_field_stays_float_in_json() -> None:
    text = orjson.dumps(_set_charging_profile_16(8.0, 0.3))
    message = codec.decode(Version.V16, "SetChargingProfile", "request", codec.loads(text))
    out = codec.dumps(codec.to_wire(message))
    assert '"limit":8.0' in out
    assert '"minChargingRate":0.3' in out


def test_int_in_201_sampled_value_stays_int() -> None:
    payload = {
        "evseId": 1,
        "meterValue": [
            {
                "timestamp": "2024-05-01T10:00:00Z",
                "sampledValue": [
                    {"value": 230, "measurand": "Voltage", "phase": "L1-N"},
                    {"value": 15.5, "measurand": "Current.Import", "phase": "L1"},
                ],
            }
        ],
    }
    message = codec.decode(Version.V201, "MeterValues", "request", payload)
    values = [s.value for s in message.meter_value[0].sampled_value]
    assert values == [230, 15.5]
    assert [type(v) for v in values] == [int, float]
    assert codec.dumps(codec.to_wire(message)).count('"value":230,') == 1
    assert codec.to_wire(message) == payload


def test_integral_float_in_integer_field_follows_each_schema_draft() -> None:
    """JSON Schema draft-06 made ``integer`` match any number with a zero fractional part
    (``1.0``); draft-04, which the OCA 1.6 core files declare, does not. Our validation agrees
    with the draft each file declares, and the value is kept as parsed (a float)."""
    payload_16 = {"status": "Accepted", "currentTime": "2024-05-01T10:00:00Z", "interval": 300.0}
    with pytest.raises(ValidationError) as info:
        codec.decode(Version.V16, "BootNotification", "response", payload_16)
    assert (info.value.code, info.value.path, info.value.rule) == (
        "TypeConstraintViolation",
        "$.interval",
        "type",
    )
    payload_201 = {
        "timestamp": "2021-03-01T10:00:00Z",
        "connectorStatus": "Available",
        "evseId": 1.0,
        "connectorId": 1,
    }
    message = codec.decode(Version.V201, "StatusNotification", "request", payload_201)
    assert message.evse_id == 1
    assert codec.dumps(codec.to_wire(message)) == codec.dumps(payload_201)


# ---------------------------------------------------------------------------------------------
# omitted optional fields


def test_optional_none_fields_omitted_never_null() -> None:
    message = m16.BootNotificationRequest(charge_point_vendor="ACME", charge_point_model="W22")
    _, _, wire = codec.encode(Version.V16, message)
    assert wire == {"chargePointVendor": "ACME", "chargePointModel": "W22"}
    assert "null" not in codec.dumps(wire)


def test_optional_none_fields_omitted_in_nested_objects() -> None:
    message = m201.BootNotificationRequest(
        charging_station=d201.ChargingStationType(model="W22", vendor_name="ACME"),
        reason=e201.BootReasonEnumType.PowerUp,
    )
    _, kind, wire = codec.encode(Version.V201, message)
    assert kind == "request"
    assert wire == {"chargingStation": {"model": "W22", "vendorName": "ACME"}, "reason": "PowerUp"}
    assert "null" not in codec.dumps(wire)


def test_decoded_absent_fields_are_none_and_stay_absent() -> None:
    payload = {"idTagInfo": {"status": "Accepted"}}
    message = codec.decode(Version.V16, "Authorize", "response", payload)
    assert message.id_tag_info.expiry_date is None
    assert message.id_tag_info.parent_id_tag is None
    assert codec.to_wire(message) == payload


# ---------------------------------------------------------------------------------------------
# customData and DataTransfer.data passthrough (2.0.1, 2.1)

_CUSTOM = {
    "vendorId": "com.example.charger",
    "firmwareBuild": {"commit": "a1b2c3", "dirty": False, "tags": ["rc", None, 3, 2.5]},
    "nested": [{"customData": {"not": "interpreted"}}],
}


@pytest.mark.parametrize("version", [Version.V201, Version.V21])
@pytest.mark.parametrize("profile", [STRICT, LENIENT], ids=["strict", "lenient"])
def test_custom_data_passthrough_with_unknown_keys(version: Version, profile: Any) -> None:
    payload = {
        "customData": _CUSTOM,
        "chargingStation": {
            "model": "W22",
            "vendorName": "ACME",
            "customData": {"vendorId": "com.example", "x-serial": "0042"},
            "modem": {"iccid": "8931", "customData": {"vendorId": "v", "rssi": -71}},
        },
        "reason": "PowerUp",
    }
    message = codec.decode(version, "BootNotification", "request", payload, profile)
    assert message.custom_data == _CUSTOM
    assert message.charging_station.custom_data == {"vendorId": "com.example", "x-serial": "0042"}
    assert message.charging_station.modem.custom_data["rssi"] == -71
    # unknown keys inside customData are customData's own: not extra properties
    assert message.extra_fields is None
    assert message.charging_station.extra_fields is None
    assert codec.to_wire(message) == payload
    assert codec.loads(codec.dumps(codec.to_wire(message))) == payload


@pytest.mark.parametrize("version", [Version.V201, Version.V21])
@pytest.mark.parametrize(
    "data",
    [
        "plain text",
        "",
        42,
        -1.5,
        True,
        False,
        [],
        [1, "two", None, {"three": [3.0]}],
        {},
        {"meterId": "M-1", "readings": [{"kWh": 12.3}, {"kWh": 12}], "ok": True, "none": None},
    ],
    ids=repr,
)
def test_data_transfer_data_any_json_passes_through(version: Version, data: Any) -> None:
    request = {"vendorId": "com.example", "messageId": "Tariff", "data": data}
    message = codec.decode(version, "DataTransfer", "request", request)
    assert message.data == data
    assert type(message.data) is type(data)
    assert codec.to_wire(message) == request
    response = {"status": "Accepted", "data": data}
    reply = codec.decode(version, "DataTransfer", "response", response)
    assert codec.to_wire(reply) == response
    assert codec.loads(codec.dumps(codec.to_wire(reply))) == response


@pytest.mark.parametrize("version", [Version.V201, Version.V21])
def test_data_transfer_explicit_null_data_reads_as_absent(version: Version) -> None:
    """Documented divergence: ``"data": null`` is schema-valid (``data`` has no type) but the
    model cannot tell it from an absent ``data``; it is written back omitted."""
    message = codec.decode(version, "DataTransfer", "request", {"vendorId": "v", "data": None})
    assert message.data is None
    assert codec.to_wire(message) == {"vendorId": "v"}


def test_16_data_transfer_data_is_a_string() -> None:
    # OCPP 1.6 DataTransfer.req: data is a string (schema "type": "string")
    payload = {"vendorId": "com.example", "data": '{"json": "in a string"}'}
    assert codec.to_wire(codec.decode(Version.V16, "DataTransfer", "request", payload)) == payload
    with pytest.raises(ValidationError) as info:
        codec.decode(Version.V16, "DataTransfer", "request", {"vendorId": "v", "data": {"a": 1}})
    assert (info.value.code, info.value.path, info.value.rule) == (
        "TypeConstraintViolation",
        "$.data",
        "type",
    )


# ---------------------------------------------------------------------------------------------
# OCPP 2.1 wire names that are not plain lowerCamelCase


def _wire_names(version: Version) -> tuple[set[str], set[str]]:
    """All wire names of ``version``'s classes, and those a lowerCamelCase conversion of the
    Python field name would not produce (acronyms such as ``responderURL``, ``_L2`` suffixes)."""
    every: set[str] = set()
    irregular: set[str] = set()
    seen: set[type[Any]] = set()

    def visit(cls: type[Any]) -> None:
        if cls in seen or not attrs.has(cls):
            return
        seen.add(cls)
        for field in attrs.fields(cls):
            wire = field.metadata.get("wire")
            if wire is not None:
                every.add(wire)
                parts = field.name.split("_")
                if parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:]) != wire:
                    irregular.add(wire)
            for t in _types_in(field.type):
                visit(t)

    for spec in actions_for(version).values():
        visit(spec.request)
        if spec.response is not None:
            visit(spec.response)
    return every, irregular


def _types_in(t: Any) -> list[type[Any]]:
    args = getattr(t, "__args__", None)
    if args:
        return [x for a in args for x in _types_in(a)]
    return [t] if isinstance(t, type) else []


def test_unusual_21_wire_names_are_in_the_metadata() -> None:
    every, irregular = _wire_names(Version.V21)
    assert {"responderURL", "limit_L2", "limit_L3", "fixedPF", "prioritizedEMAIDs"} <= irregular
    assert "maxChargePower_L2" in irregular
    # "soC"/"soH" (state of charge/health) and "numEPriceLevels" are camelCase of so_c, so_h,
    # num_e_price_levels; 2.1 spells "receiptUrl" (not "receiptURL") in NotifySettlement
    assert {"soC", "soH", "numEPriceLevels", "receiptUrl"} <= every
    assert "receiptURL" not in every


_WIRE_NAME_CASES_21: list[tuple[str, str, dict[str, Any]]] = [
    (
        "GetCertificateStatus",
        "request",
        {
            "ocspRequestData": {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "a" * 64,
                "issuerKeyHash": "b" * 64,
                "serialNumber": "0123456789ABCDEF",
                "responderURL": "http://ocsp.example.com/",
            }
        },
    ),
    (
        "BatterySwap",
        "request",
        {
            "batteryData": [
                {"evseId": 1, "serialNumber": "BAT-0001", "soC": 87.5, "soH": 99},
                {"evseId": 2, "serialNumber": "BAT-0002", "soC": 12, "soH": 91.25},
            ],
            "eventType": "BatteryIn",
            "idToken": {"idToken": "04A2B3C4", "type": "ISO14443"},
            "requestId": 12,
        },
    ),
    (
        "NotifySettlement",
        "request",
        {
            "pspRef": "PSP-991",
            "status": "Settled",
            "settlementAmount": 23.4,
            "settlementTime": "2025-03-01T12:00:00+01:00",
            "receiptUrl": "https://receipts.example.com/r/991",
            "receiptId": "R-991",
        },
    ),
    (
        "SetChargingProfile",
        "request",
        {
            "evseId": 1,
            "chargingProfile": {
                "id": 3,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": [
                    {
                        "id": 1,
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": [
                            {
                                "startPeriod": 0,
                                "limit": 16,
                                "limit_L2": 16.0,
                                "limit_L3": 10.5,
                                "dischargeLimit_L2": -4,
                                "setpointReactive_L3": 0.5,
                            }
                        ],
                    }
                ],
            },
        },
    ),
    (
        "NotifyEVChargingNeeds",
        "request",
        {
            "evseId": 1,
            "chargingNeeds": {
                "requestedEnergyTransfer": "AC_three_phase",
                "v2xChargingParameters": {
                    "maxChargePower": 11000,
                    "maxChargePower_L2": 3700,
                    "maxDischargePower_L3": 3700.5,
                    "targetSoC": 80,
                },
            },
        },
    ),
]


@pytest.mark.parametrize(
    ("action", "kind", "payload"), _WIRE_NAME_CASES_21, ids=[c[0] for c in _WIRE_NAME_CASES_21]
)
def test_21_irregular_wire_names_round_trip(
    action: str, kind: Any, payload: dict[str, Any]
) -> None:
    message = codec.decode(Version.V21, action, kind, payload)
    assert codec.to_wire(message) == payload
    again_action, again_kind, wire = codec.encode(Version.V21, message)
    assert (again_action, again_kind) == (action, kind)
    assert codec.loads(codec.dumps(wire)) == payload


def test_21_irregular_wire_names_map_to_python_fields() -> None:
    (case,) = [c for c in _WIRE_NAME_CASES_21 if c[0] == "BatterySwap"]
    message = codec.decode(Version.V21, case[0], "request", case[2])
    assert [b.so_c for b in message.battery_data] == [87.5, 12]
    (case,) = [c for c in _WIRE_NAME_CASES_21 if c[0] == "GetCertificateStatus"]
    message = codec.decode(Version.V21, case[0], "request", case[2])
    assert message.ocsp_request_data.responder_url == "http://ocsp.example.com/"
    # a camelCased spelling is not the wire name: strictly an unknown property
    bad = {"ocspRequestData": dict(case[2]["ocspRequestData"])}
    bad["ocspRequestData"]["responderUrl"] = bad["ocspRequestData"].pop("responderURL")
    with pytest.raises(ValidationError) as info:
        codec.decode(Version.V21, "GetCertificateStatus", "request", bad)
    assert info.value.code == "OccurrenceConstraintViolation"
    assert info.value.path == "$.ocspRequestData"


# ---------------------------------------------------------------------------------------------
# encode / decode plumbing


@pytest.mark.parametrize("version", list(Version))
def test_unknown_action_is_key_error(version: Version) -> None:
    with pytest.raises(KeyError):
        codec.decode(version, "NoSuchAction", "request", {})


def test_send_message_has_no_response() -> None:
    # OCPP 2.1 NotifyPeriodicEventStream is a SEND (MessageTypeId 6): there is no response
    with pytest.raises(KeyError):
        codec.decode(Version.V21, "NotifyPeriodicEventStream", "response", {})


def test_encode_rejects_another_versions_message() -> None:
    message = m16.HeartbeatRequest()
    with pytest.raises(KeyError):
        codec.encode(Version.V201, message)


def test_dumps_is_compact_and_loads_takes_bytes_and_text() -> None:
    wire = {"a": [1, 2.5, None, True], "b": "ü"}
    text = codec.dumps(wire)
    assert text == '{"a":[1,2.5,null,true],"b":"ü"}'
    assert codec.loads(text) == wire
    assert codec.loads(text.encode()) == wire
    with pytest.raises(ValueError):
        codec.loads(b"{not json")


def test_enum_members_stay_members_in_wire_dicts() -> None:
    message = codec.decode(Version.V16, "BootNotification", "response", _boot_response_16(
        "2024-05-01T10:00:00Z"
    ))
    wire = codec.to_wire(message)
    assert wire["status"] is e16.RegistrationStatus.Accepted
    assert wire["status"] == "Accepted"
    assert codec.dumps(wire).startswith('{"status":"Accepted"')
