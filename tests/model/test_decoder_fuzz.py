"""Decoder fuzzing: whatever a peer sends, decode yields a message or a ValidationError.

A receiving engine turns a :class:`~ocpp_sansio.validation.ValidationError` into a CALLERROR
(OCPP-J 1.6 section 4.2.3, OCPP 2.0.1 Part 4 section 4.3); any other exception would escape as
a crash. So, for every version, action and message kind, under the STRICT and LENIENT profiles:

- arbitrary JSON values as payload (``st.recursive`` over null, booleans, numbers, strings,
  arrays and objects);
- valid payloads with one subtree replaced, one property added or removed (closer to the
  schema, so the decoder gets past the first checks);
- arbitrary action names, which must give ``KeyError`` only (the engine answers
  ``NotImplemented``), also for the response of 2.1's SEND-only NotifyPeriodicEventStream;
- arbitrary text as a JSON document, which :func:`ocpp_sansio.codec.loads` parses or rejects
  with ``ValueError`` (a FormatViolation/FormationViolation for the engine).

A decoded message must be an instance of the action's class for that kind, and its wire form
must validate again under the profile it was decoded with (the decoder did not invent data).
"""

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ocpp_sansio import codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.errors import error_codes
from ocpp_sansio.validation import LENIENT, STRICT, Kind, Profile, ValidationError, validate
from ocpp_sansio.version import Version

Message = tuple[Version, str, Kind]

MESSAGES: list[Message] = [
    (version, action, kind)
    for version in Version
    for action, spec in actions_for(version).items()
    for kind in ("request", "response")
    if kind == "request" or spec.response is not None
]

PROFILES = st.sampled_from([STRICT, LENIENT])

#: JSON scalars as orjson parses them: 64-bit integers, finite floats, any Unicode text
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "Accepted", "2024-05-01T10:00:00Z", "2024-13-01T00:00:00Z", "1.5"])
)
_KEYS = st.text(max_size=12) | st.sampled_from(
    ["idTag", "status", "connectorId", "timestamp", "customData", "vendorId", "data", "value",
     "meterValue", "sampledValue", "chargingStation", "evseId", "idTokenInfo", "extra_fields"]
)
JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=25,
)


def _check_decode(message: Message, payload: Any, profile: Profile) -> str:
    """Decode; assert the outcome is one of the two allowed. Returns which it was."""
    version, action, kind = message
    try:
        decoded = codec.decode(version, action, kind, payload, profile)
    except ValidationError as error:
        assert error.code in set(error_codes(version))
        assert error.path.startswith("$")
        assert (error.version, error.action, error.kind) == message
        return f"rejected: {error.violation.value}"
    spec = actions_for(version)[action]
    assert type(decoded) is (spec.request if kind == "request" else spec.response)
    validate(version, action, kind, codec.to_wire(decoded), profile)
    return "decoded"


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=st.sampled_from(MESSAGES), payload=JSON, profile=PROFILES)
def test_arbitrary_json_gives_message_or_validation_error(
    message: Message, payload: Any, profile: Profile
) -> None:
    event(_check_decode(message, payload, profile))


# Valid payloads to perturb, one or two per version and a few shapes (nested objects, lists).
SEEDS: list[tuple[Message, dict[str, Any]]] = [
    ((Version.V15, "MeterValues", "request"), {
        "connectorId": 1, "transactionId": 42, "values": [{
            "timestamp": "2013-06-01T10:15:00Z",
            "value": [{"value": "1520", "measurand": "Energy.Active.Import.Register",
                       "unit": "Wh"}]}]}),
    ((Version.V15, "Authorize", "response"), {"idTagInfo": {"status": "Accepted"}}),
    ((Version.V16, "MeterValues", "request"), {
        "connectorId": 1, "meterValue": [{
            "timestamp": "2016-06-01T10:15:00+02:00",
            "sampledValue": [{"value": "1520", "unit": "Wh"}, {"value": "16.1", "phase": "L1"}]}]}),
    ((Version.V16, "SetChargingProfile", "request"), {
        "connectorId": 1, "csChargingProfiles": {
            "chargingProfileId": 7, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Absolute", "chargingSchedule": {
                "chargingRateUnit": "A", "minChargingRate": 6.0,
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8.1}]}}}),
    ((Version.V201, "BootNotification", "request"), {
        "chargingStation": {"model": "W22", "vendorName": "ACME", "modem": {"iccid": "8931"},
                            "customData": {"vendorId": "com.example", "k": [1]}},
        "reason": "PowerUp"}),
    ((Version.V201, "DataTransfer", "response"), {"status": "Accepted", "data": {"a": [1]}}),
    ((Version.V21, "BatterySwap", "request"), {
        "batteryData": [{"evseId": 1, "serialNumber": "BAT-0001", "soC": 87.5, "soH": 99}],
        "eventType": "BatteryIn", "idToken": {"idToken": "04A2B3C4", "type": "ISO14443"},
        "requestId": 12}),
    ((Version.V21, "NotifyPeriodicEventStream", "request"), {
        "data": [{"t": 0, "v": "230.1"}], "id": 1, "pending": 0,
        "basetime": "2025-01-01T00:00:00Z"}),
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position (dict key or list index path) in a JSON value, the root included."""
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


def _perturbed(seed: Any, draw: st.DrawFn) -> Any:
    payload = codec.loads(codec.dumps(seed))  # a fresh copy
    path = draw(st.sampled_from(_paths(payload)))
    if not path:
        return draw(JSON)
    parent = payload
    for p in path[:-1]:
        parent = parent[p]
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace" or (action == "delete" and isinstance(parent, list)):
        parent[path[-1]] = draw(JSON)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(_KEYS)] = draw(JSON)
    else:
        parent.append(draw(JSON))
    return payload


@st.composite
def perturbed_seeds(draw: st.DrawFn) -> tuple[Message, Any]:
    message, seed = draw(st.sampled_from(SEEDS))
    return message, _perturbed(seed, draw)


def test_seeds_are_valid() -> None:
    for message, seed in SEEDS:
        assert _check_decode(message, seed, STRICT) == "decoded"


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=perturbed_seeds(), profile=PROFILES)
def test_perturbed_valid_payloads_give_message_or_validation_error(
    case: tuple[Message, Any], profile: Profile
) -> None:
    message, payload = case
    event(_check_decode(message, payload, profile))


@settings(max_examples=300, deadline=None)
@given(
    version=st.sampled_from(list(Version)),
    action=st.text(max_size=40) | st.sampled_from(["authorize", "Authorize ", "BootNotification2",
                                                    "", "AFRRSignal", "GetLog", "Heartbeat\x00"]),
    kind=st.sampled_from(["request", "response"]),
    payload=JSON,
)
def test_unknown_action_names_give_key_error_only(
    version: Version, action: str, kind: Kind, payload: Any
) -> None:
    if action in actions_for(version):
        return  # a real action of this version (e.g. GetLog in 1.6): not this test's subject
    with pytest.raises(KeyError):
        codec.decode(version, action, kind, payload)


@pytest.mark.parametrize("payload", [{}, {"data": [], "id": 1, "pending": 0}, None])
def test_send_message_response_is_key_error(payload: Any) -> None:
    with pytest.raises(KeyError):
        codec.decode(Version.V21, "NotifyPeriodicEventStream", "response", payload)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60) | st.binary(max_size=60) | JSON.map(codec.dumps).map(
    lambda t: t[: len(t) // 2]))
def test_json_text_parses_or_raises_value_error(text: str | bytes) -> None:
    with contextlib.suppress(ValueError):  # orjson.JSONDecodeError is a ValueError
        codec.loads(text)
