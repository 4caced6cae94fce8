"""The generated model against the specification data it came from.

- the generated packages are exactly what the generator writes today (CI fails on drift);
- every action of ``actions.json`` is in the registry with its direction, and nothing else is;
- every property of every official JSON schema is a field with that exact wire name, at the
  same place in the class tree, with the same required-ness; every enumeration holds the
  schema's values (overlays may add values, never remove them).
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from ocpp_sansio import Version, v21
from ocpp_sansio.actions import Direction, actions_for

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(os.environ.get("OCPP_SPEC_DIR") or ROOT.parent / "shared" / "ocpp-spec")
pytestmark = pytest.mark.skipif(not SPEC.is_dir(), reason="specification data not found")

INDEX_KEYS = {
    Version.V15: ["1.5-soap"],
    Version.V16: ["1.6", "1.6-security"],
    Version.V201: ["2.0.1"],
    Version.V21: ["2.1"],
}


def _index() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPEC / "actions.json").read_text())["versions"]
    return data


def test_generated_code_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.codegen", "--check", "--spec", str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("version", list(Version))
def test_registry_matches_actions_json(version: Version) -> None:
    expected = {}
    for key in INDEX_KEYS[version]:
        expected.update(_index()[key]["actions"])
    table = actions_for(version)
    assert set(table) == set(expected)
    for name, entry in expected.items():
        spec = table[name]
        assert spec.direction is Direction(entry["direction"])
        assert spec.request.__name__ == f"{name}Request"
        if entry.get("response", "") is None:
            assert spec.response is None
        else:
            assert spec.response is not None
            assert spec.response.__name__ == f"{name}Response"


def _json_cases() -> list[tuple[Version, str, str, str]]:
    cases = []
    for version in (Version.V16, Version.V201, Version.V21):
        for key in INDEX_KEYS[version]:
            for action, entry in _index()[key]["actions"].items():
                for kind in ("request", "response"):
                    if entry.get(kind):
                        cases.append((version, action, kind, entry[kind]))
    return cases


def _check(cls: type[Any], node: dict[str, Any], defs: dict[str, Any], path: str) -> None:
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    fields = {a.metadata["wire"]: a for a in attrs.fields(cls) if "wire" in a.metadata}
    props = node.get("properties", {})
    assert set(fields) == set(props), path
    required = set(node.get("required", []))
    def deref(node: dict[str, Any]) -> dict[str, Any]:
        return defs[node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node

    for wire, prop in props.items():
        a = fields[wire]
        assert (a.default is attrs.NOTHING) == (wire in required), f"{path}.{wire}"
        sub = deref(prop)
        if sub.get("type") == "array":
            sub = deref(sub["items"])
        target = _unwrap(a.type)
        if "enum" in sub:
            assert set(sub["enum"]) <= {m.value for m in target}, f"{path}.{wire}"
        elif sub.get("type") == "object" and attrs.has(target):
            _check(target, sub, defs, f"{path}.{wire}")


def _unwrap(t: Any) -> Any:
    """``X | None`` -> X, ``list[X]`` -> X."""
    args = [a for a in getattr(t, "__args__", ()) if a is not type(None)]
    if getattr(t, "__origin__", None) is list:
        return _unwrap(args[0])
    if len(args) == 1 and not hasattr(t, "__origin__"):
        return _unwrap(args[0])
    return t


@pytest.mark.parametrize(("version", "action", "kind", "rel"), _json_cases())
def test_every_schema_property_is_a_field(version: Version, action: str, kind: str,
                                          rel: str) -> None:
    schema = json.loads((SPEC / rel).read_text())
    spec = actions_for(version)[action]
    cls = spec.request if kind == "request" else spec.response
    assert cls is not None
    _check(cls, schema, schema.get("definitions", {}), cls.__name__)


def test_awkward_21_names_are_exact() -> None:
    fields = attrs.fields(v21.ChargingSchedulePeriodType)
    wires = {a.name: a.metadata["wire"] for a in fields if "wire" in a.metadata}
    assert wires["limit_l2"] == "limit_L2"
    assert wires["setpoint_reactive_l3"] == "setpointReactive_L3"
    battery = {a.metadata.get("wire") for a in attrs.fields(v21.BatteryDataType)}
    assert battery >= {"soC", "soH"}
