"""Build every version's IR from the specification data folder.

- 1.5: from the official 1.5 WSDLs' XSD; its OCPP-J validation schemas are derived from the
  same IR (no official 1.5 JSON exists; the unofficial sets are only cross-checked in tests).
- 1.6: from the OCA JSON schemas (core + Security Whitepaper), overlays applied; nested types
  named after the 1.6 WSDL's types, so OCPP-J and OCPP-S share the model.
- 2.0.1 and 2.1: from the OCA JSON schemas.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .ir import Action, TypeRef, VersionModel
from .jsonschema_reader import JsonSchemaReader
from .overlays import OVERLAYS, strip_docs
from .wsdl_reader import read_wsdl_version

LABELS = {"v15": "1.5", "v16": "1.6", "v201": "2.0.1", "v21": "2.1"}


def _load(spec: Path, rel: str) -> dict[str, Any]:
    with open(spec / rel, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _directions(index: dict[str, Any], key: str) -> dict[str, Any]:
    actions: dict[str, Any] = index["versions"][key]["actions"]
    return actions


def _overlaid(version: str, rel: str, schema: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    stem = Path(rel).stem
    for overlay in OVERLAYS.get(version, []):
        overlay(stem, schema)
    return schema


# --- 1.5 --------------------------------------------------------------------------------

def _json_schema(model: VersionModel, t: TypeRef) -> dict[str, Any]:
    """A draft-06 JSON schema for an IR type (used for OCPP-J 1.5, which has no official one)."""
    cons = {k: v for k, v in t.constraints.items() if k != "xml"}
    out: dict[str, Any]
    if t.kind == "list":
        assert t.item is not None
        out = {"type": "array", "items": _json_schema(model, t.item)}
        if "min_items" in cons:
            out["minItems"] = cons["min_items"]
        if "max_items" in cons:
            out["maxItems"] = cons["max_items"]
        return out
    if t.kind == "enum":
        assert t.ref
        return {"type": "string", "enum": list(model.enums[t.ref].values)}
    if t.kind == "class":
        assert t.ref
        cls = model.classes[t.ref]
        out = {"type": "object", "additionalProperties": False,
               "properties": {f.wire: _json_schema(model, f.type) for f in cls.fields}}
        required = [f.wire for f in cls.fields if f.required]
        if required:
            out["required"] = required
        return out
    out = {"type": {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
                    "datetime": "string"}[t.kind]}
    keyword = {"max_length": "maxLength", "minimum": "minimum", "maximum": "maximum",
               "format": "format"}
    out.update({keyword[k]: v for k, v in cons.items() if k in keyword})
    if "multiple_of" in cons:
        out["multipleOf"] = float(cons["multiple_of"])
    return out


def build_v15(spec: Path, index: dict[str, Any]) -> VersionModel:
    model = VersionModel("v15", "1.5")
    soap = spec / "v15" / "soap"
    read_wsdl_version(model, soap / "ocpp_centralsystemservice_1.5_final.wsdl",
                      soap / "ocpp_chargepointservice_1.5_final.wsdl",
                      {k: v["direction"] for k, v in _directions(index, "1.5-soap").items()})
    for name, action in model.actions.items():
        model.schemas[name] = {
            kind: {"$schema": "http://json-schema.org/draft-06/schema#",
                   **_json_schema(model, TypeRef("class", ref=cls))}
            for kind, cls in (("request", action.request), ("response", action.response))
            if cls
        }
    model.notes.append("1.5 validation schemas are derived from the official 1.5 WSDL's XSD.")
    return model


# --- JSON versions ----------------------------------------------------------------------

def _read_json_actions(model: VersionModel, spec: Path, entries: dict[str, Any],
                       reader: JsonSchemaReader) -> None:
    for action, entry in sorted(entries.items()):
        schemas = {}
        names = {}
        for kind in ("request", "response"):
            rel = entry.get(kind)
            if rel is None:
                continue
            schema = _overlaid(model.key, rel, _load(spec, rel))
            names[kind] = reader.read_message(
                schema, f"{action}{kind.capitalize()}", kind, action)
            schemas[kind] = strip_docs(schema)
        model.schemas[action] = schemas
        model.actions[action] = Action(action, entry["direction"], names["request"],
                                       names.get("response"))


def build_v16(spec: Path, index: dict[str, Any]) -> tuple[VersionModel, VersionModel]:
    """The 1.6 model, and the 1.6 WSDL read on its own (names, and the differences report)."""
    soap = spec / "v16" / "soap"
    wsdl = VersionModel("v16", "1.6")
    core = _directions(index, "1.6")
    read_wsdl_version(wsdl, soap / "OCPP_CentralSystemService_1.6.wsdl",
                      soap / "OCPP_ChargePointService_1.6.wsdl",
                      {k: v["direction"] for k, v in core.items()})

    def hint(owner: str, prop: str) -> str | None:
        cls = wsdl.classes.get(owner)
        for f in cls.fields if cls else ():
            if f.wire == prop:
                t = f.type.item if f.type.kind == "list" else f.type
                return t.ref if t is not None else None
        return None

    model = VersionModel("v16", "1.6")
    _read_json_actions(model, spec, core, JsonSchemaReader(model, hint))
    _read_json_actions(model, spec, _directions(index, "1.6-security"),
                       JsonSchemaReader(model))
    # The 1.6 JSON schemas carry no descriptions; the WSDL documents the same types. Fields
    # follow the WSDL's sequence order, which OCPP-S requires (seven types list their JSON
    # properties in another order).
    for name, cls in model.classes.items():
        if name in wsdl.classes:
            rank = {f.wire: i for i, f in enumerate(wsdl.classes[name].fields)}
            cls.fields.sort(key=lambda f: rank.get(f.wire, len(rank)))
            cls.doc = cls.doc or wsdl.classes[name].doc
            docs = {f.wire: f.doc for f in wsdl.classes[name].fields}
            for f in cls.fields:
                f.doc = f.doc or docs.get(f.wire)
    for name, enum in model.enums.items():
        if name in wsdl.enums:
            enum.doc = enum.doc or wsdl.enums[name].doc
    return model, wsdl


def build_json_version(spec: Path, index: dict[str, Any], key: str) -> VersionModel:
    model = VersionModel(key, LABELS[key])
    _read_json_actions(model, spec, _directions(index, LABELS[key]), JsonSchemaReader(model))
    return model


def build_all(spec: Path) -> tuple[list[VersionModel], VersionModel]:
    index = _load(spec, "actions.json")
    v16, v16_wsdl = build_v16(spec, index)
    models = [build_v15(spec, index), v16, build_json_version(spec, index, "v201"),
              build_json_version(spec, index, "v21")]
    return models, v16_wsdl
