"""Instances of the OFFICIAL schemas decode strictly and re-encode to what was sent.

For every schema file of the specification data that ``actions.json`` lists (OCPP 1.6 core and
Security Whitepaper, 2.0.1, 2.1; 1.5 has no official JSON schema), hypothesis-jsonschema draws
instances; each must

- pass :func:`ocpp_sansio.codec.decode` under the strict profile, and
- come back from :func:`ocpp_sansio.codec.to_wire` (and :func:`~ocpp_sansio.codec.encode`)
  equal to the input.

Documented normalisations of the comparison (the codec module docstring):

- date-time text is normalised (``+00:00`` -> ``Z``, fraction digits): compared as parsed
  instants with their UTC offsets (:func:`ocpp_sansio.codec.parse_datetime`);
- numbers compare by value, and must keep their JSON type (an integer in a ``number`` field
  stays an integer);
- ``"data": null`` in 2.x DataTransfer (``data`` has no type, so null is schema-valid) reads as
  an absent ``data`` and is written back omitted.

Documented divergences of our validation from the official files (``tools/codegen/overlays.py``):

- 1.6 ``minItems: 1`` overlay on MeterValues ``meterValue``/``sampledValue`` and StopTransaction
  ``transactionData[].sampledValue`` (the 1.6 specification gives them as 1..*; the OCA JSON
  files do not say so): instances with such an empty list must fail strictly with
  OccurenceConstraintViolation, and are then left out;
- 1.6 ``multipleOf 0.1``: hypothesis-jsonschema draws binary-float products
  (``0.30000000000000004``), which our exact decimal check rejects (PropertyConstraintViolation,
  checked); they are then snapped to the decimal they approximate (``round(x, 1)``).

Generation (instances stay valid under the unbounded official schema):

- ``$ref`` are inlined and ``$id`` removed before drawing: hypothesis-jsonschema 0.23 resolves
  a ``$ref`` inside a definition against the ``urn:`` base and fails (see the xfail at the
  end); ``$id`` only names the schema, it does not constrain instances. Inlining also makes
  drawing faster;
- to bound the run time, the message's own arrays hold at most 2 items, arrays nested deeper
  at most 1, and open objects (``customData``) at most 2 properties beyond their own;
- instances JSON text cannot carry are left out: lone surrogates (RFC 8259 section 8.2: not
  Unicode; orjson refuses them) and integers beyond 64 bits (orjson's range).

Examples per schema file: 3 (4 under the Hypothesis profile ``ci``, 50 under ``thorough``).
"""

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from ocpp_sansio import codec
from ocpp_sansio.validation import Kind, ValidationError
from ocpp_sansio.version import Version

EXAMPLES = {"ci": 4, "thorough": 50}.get(settings.get_current_profile_name(), 3)

#: ``actions.json`` sections holding each version's official schema files
SECTIONS = {"1.6": Version.V16, "1.6-security": Version.V16, "2.0.1": Version.V201,
            "2.1": Version.V21}


def _spec_dir() -> Path:
    configured = os.environ.get("OCPP_SPEC_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "shared" / "ocpp-spec"


def _cases() -> list[Any]:
    index_file = _spec_dir() / "actions.json"
    if not index_file.is_file():
        return []  # the spec_dir fixture skips the tests
    index = json.loads(index_file.read_text())["versions"]
    cases = []
    for section, version in SECTIONS.items():
        for action, entry in index[section]["actions"].items():
            for kind in ("request", "response"):
                if entry.get(kind):
                    case = (version, action, kind, entry[kind])
                    cases.append(pytest.param(case, id=f"{version}-{action}-{kind}"))
    return cases


CASES = _cases()


def test_every_official_file_is_covered() -> None:
    if not CASES:
        pytest.skip("OCPP specification data not found (set OCPP_SPEC_DIR)")
    # 1.6: 28 core + 11 security actions; 2.0.1: 64; 2.1: 91 (one SEND without a response)
    assert len(CASES) == 2 * (28 + 11) + 2 * 64 + (2 * 91 - 1)


@cache
def _official(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_spec_dir() / relative).read_bytes())
    return data


def _bounded(node: Any, cap: int = 1) -> Any:
    """``node`` with arrays capped to ``cap`` items and open objects to 2 extra properties."""
    if isinstance(node, list):
        return [_bounded(x, cap) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _bounded(v, cap) if k != "enum" else v for k, v in node.items()}
    if node.get("type") == "array":
        out["maxItems"] = max(node.get("minItems", 0), min(node.get("maxItems", cap), cap))
    if node.get("type") == "object" and node.get("additionalProperties", True) is not False:
        out["maxProperties"] = len(node.get("properties", {})) + 2
    return out


def _bounded_message(definition: dict[str, Any]) -> dict[str, Any]:
    """The message's own arrays hold up to 2 items, arrays nested deeper up to 1."""
    out: dict[str, Any] = _bounded(definition)
    for name, prop in definition.get("properties", {}).items():
        if prop.get("type") == "array":
            out["properties"][name]["maxItems"] = max(prop.get("minItems", 0),
                                                      min(prop.get("maxItems", 2), 2))
    return out


def _inlined(node: Any, root: dict[str, Any]) -> Any:
    """``node`` with every ``$ref`` replaced by its definition (OCPP schemas do not recurse)."""
    if isinstance(node, list):
        return [_inlined(x, root) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _inlined(_resolve(node, root), root)
    return {k: _inlined(v, root) for k, v in node.items() if k != "definitions"}


@cache
def _instances(relative: str) -> st.SearchStrategy[Any]:
    official = _official(relative)
    definition = _bounded_message(_inlined(official, official))
    definition.pop("$id", None)
    definition.pop("id", None)
    return from_schema(definition)


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["definitions"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _walk(
    root: dict[str, Any], node: dict[str, Any], value: Any, path: str = "$"
) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(JSON path, resolved schema, value) of every value of an instance, depth first."""
    node = _resolve(node, root)
    yield path, node, value
    if isinstance(value, dict):
        properties = node.get("properties", {})
        for name, sub in value.items():
            if name in properties:
                yield from _walk(root, properties[name], sub, f"{path}.{name}")
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            yield from _walk(root, node["items"], item, f"{path}[{i}]")


def _snap(root: dict[str, Any], node: dict[str, Any], value: Any) -> Any:
    """``value`` with every ``multipleOf`` number replaced by ``round(x, 1)``."""
    node = _resolve(node, root)
    if isinstance(value, dict):
        properties = node.get("properties", {})
        return {k: _snap(root, properties[k], v) if k in properties else v
                for k, v in value.items()}
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return [_snap(root, node["items"], v) for v in value]
    if "multipleOf" in node and isinstance(value, float):
        return round(value, 1)
    return value


def _assert_same(root: dict[str, Any], node: dict[str, Any], sent: Any, back: Any, path: str
                 ) -> None:
    """``back`` equals ``sent`` up to the documented normalisations."""
    node = _resolve(node, root)
    if isinstance(sent, dict):
        assert isinstance(back, dict), path
        properties = node.get("properties", {})
        assert set(back) == set(sent), (path, set(back) ^ set(sent))
        for name, value in sent.items():
            sub = properties.get(name, {})  # undeclared: inside customData, compared exactly
            _assert_same(root, sub, value, back[name], f"{path}.{name}")
    elif isinstance(sent, list):
        assert isinstance(back, list) and len(back) == len(sent), path
        items = node.get("items", {})
        for i, (a, b) in enumerate(zip(sent, back, strict=True)):
            _assert_same(root, items if isinstance(items, dict) else {}, a, b, f"{path}[{i}]")
    elif isinstance(sent, str) and node.get("format") == "date-time":
        assert isinstance(back, str), path
        a, b = codec.parse_datetime(sent), codec.parse_datetime(back)
        assert (a, a.utcoffset()) == (b, b.utcoffset()), (path, sent, back)
    elif isinstance(sent, str):
        # enumeration values come back as members: str subclasses equal to their values
        assert isinstance(back, str), (path, sent, back)
        assert back == sent, (path, sent, back)
    else:
        # numbers by value and JSON type; bool is not a number here (True == 1 in Python)
        assert type(back) is type(sent), (path, sent, back)
        assert back == sent, (path, sent, back)


def _wire_form(instance: Any) -> Any:
    """The instance as a receiver sees it after JSON text, or ``None`` if JSON cannot carry it."""
    try:
        return orjson.loads(orjson.dumps(instance))
    except orjson.JSONEncodeError:  # lone surrogates, integers beyond 64 bits
        return None


def _overlay_min_items_16(version: Version, action: str, kind: Kind, instance: Any) -> bool:
    """Whether a 1.6 request has an empty list our ``minItems: 1`` overlay forbids."""
    if version is not Version.V16 or kind != "request" or not isinstance(instance, dict):
        return False
    if action == "MeterValues":
        meter_values = instance.get("meterValue", [])
        if not meter_values:
            return True
    elif action == "StopTransaction":
        meter_values = instance.get("transactionData", [])
    else:
        return False
    return any(not m.get("sampledValue") for m in meter_values)


@pytest.mark.parametrize("case", CASES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_official_instances_decode_and_re_encode_equal(
    spec_dir: Path, case: tuple[Version, str, Kind, str], data: st.DataObject
) -> None:
    version, action, kind, relative = case
    root = _official(relative)
    instance = _wire_form(data.draw(_instances(relative), label="instance"))
    assume(instance is not None)

    if _overlay_min_items_16(version, action, kind, instance):
        with pytest.raises(ValidationError) as info:
            codec.decode(version, action, kind, instance)
        assert (info.value.code, info.value.rule) == ("OccurenceConstraintViolation", "minItems")
        event("1.6 minItems overlay: rejected as documented")
        assume(False)

    snapped = _snap(root, root, instance)
    if snapped != instance or any(type(a) is not type(b) for a, b in _leaves(snapped, instance)):
        with pytest.raises(ValidationError) as info:
            codec.decode(version, action, kind, instance)
        assert (info.value.code, info.value.rule) == ("PropertyConstraintViolation", "multipleOf")
        event("1.6 multipleOf artefact: rejected, then snapped")
        instance = snapped

    message = codec.decode(version, action, kind, instance)
    back = codec.to_wire(message)
    sent = instance
    if action == "DataTransfer" and isinstance(sent, dict) and sent.get("data", 0) is None:
        sent = {k: v for k, v in sent.items() if k != "data"}
    _assert_same(root, root, sent, back, "$")
    assert codec.encode(version, message) == (action, kind, back)
    assert codec.loads(codec.dumps(back)) == back


def _leaves(a: Any, b: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            yield from _leaves(a[k], b[k])
    elif isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b, strict=True):
            yield from _leaves(x, y)
    else:
        yield a, b


def test_decimal_snapping_is_exact() -> None:
    """The snap of a hypothesis-jsonschema artefact is a decimal multiple of 0.1."""
    for artefact in (0.30000000000000004, 8.100000000000001, 1e16 + 2, -0.7000000000000001):
        assert Decimal(repr(round(artefact, 1))) % Decimal("0.1") == 0


class _KnownLimitation(Exception):
    pass


@pytest.mark.xfail(
    reason="hypothesis-jsonschema 0.23 fails on every official file whose definitions $ref "
    "other definitions while the root carries a urn: $id (2 files of the 1.6 Security "
    "Whitepaper, 36 of 2.0.1, 110 of 2.1): the nested $ref is resolved against the "
    "non-hierarchical urn: base and treated as remote. The tests above remove $id.",
    raises=_KnownLimitation,
    strict=True,
)
@settings(max_examples=1, deadline=None)
@given(data=st.data())
def test_hypothesis_jsonschema_with_official_urn_id(spec_dir: Path, data: st.DataObject) -> None:
    definition = _official("v21/json/ResetResponse.json")
    assert definition["$id"].startswith("urn:")
    try:
        data.draw(from_schema(definition))
    except Exception as exc:
        if "does not fetch remote references" in str(exc):
            raise _KnownLimitation(str(exc)) from exc
        raise
