"""Read OCA JSON schemas (1.6 core and security, 2.0.1, 2.1) into the IR.

Named definitions (``#/definitions/XType``) keep their spec names. The 1.6 core schemas have
no definitions: their nested objects and enums take the names the 1.6 WSDL gives the same
elements (``idTagInfo`` -> ``IdTagInfo``), through ``hint``, so JSON and SOAP share one model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ir import ClassDef, EnumDef, Field, TypeRef, VersionModel
from .names import class_name, snake

#: (owner class, wire property) -> the name of the element's type, where known
Hint = Callable[[str, str], str | None]

# Keyword -> IR constraint name; everything else that matters is structural.
_CONSTRAINTS = {
    "maxLength": "max_length",
    "minLength": "min_length",
    "minimum": "minimum",
    "maximum": "maximum",
    "multipleOf": "multiple_of",
    "minItems": "min_items",
    "maxItems": "max_items",
    "format": "format",
    "pattern": "pattern",
}
# Objects a model passes through as plain JSON (vendor extension point, open by design).
OPEN_OBJECTS = {"CustomDataType"}


def _clean_doc(text: str | None) -> str | None:
    if not text:
        return None
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip() or None


class JsonSchemaReader:
    def __init__(self, model: VersionModel, hint: Hint | None = None) -> None:
        self.model = model
        self.hint = hint or (lambda owner, prop: None)

    def read_message(self, schema: dict[str, Any], name: str, role: str, action: str) -> str:
        self._defs = schema.get("definitions", {})
        return self._class(name, schema, role, action)

    def _class(
        self, name: str, node: dict[str, Any], role: str = "datatype", action: str | None = None
    ) -> str:
        required = set(node.get("required", []))
        fields = [
            Field(wire, snake(wire), self._type(name, wire, sub), wire in required,
                  _clean_doc(sub.get("description")))
            for wire, sub in node.get("properties", {}).items()
        ]
        cls = ClassDef(name, fields, _clean_doc(node.get("description")), role, action)  # type: ignore[arg-type]
        return self.model.add_class(cls)

    def _constraints(self, node: dict[str, Any]) -> dict[str, Any]:
        cons = {_CONSTRAINTS[k]: v for k, v in node.items() if k in _CONSTRAINTS}
        if "multiple_of" in cons:
            cons["multiple_of"] = str(cons["multiple_of"])
        return cons

    def _type(self, owner: str, prop: str, node: dict[str, Any]) -> TypeRef:
        if "$ref" in node:
            ref = node["$ref"].rsplit("/", 1)[-1]
            target = self._defs[ref]
            if ref in OPEN_OBJECTS:
                return TypeRef("object", ref=ref, constraints={"open": ref})
            if "enum" in target:
                self.model.add_enum(
                    EnumDef(ref, list(target["enum"]), _clean_doc(target.get("description")))
                )
                return TypeRef("enum", ref=ref)
            if target.get("type") == "object":
                return TypeRef("class", ref=self._class(ref, target))
            return self._type(owner, prop, target)
        kind = node.get("type")
        cons = self._constraints(node)
        if kind == "array":
            item = self._type(owner, prop, node["items"])
            return TypeRef("list", item=item, constraints=cons)
        if "enum" in node:
            name = self.hint(owner, prop) or class_name(owner, prop, "Enum")
            self.model.add_enum(EnumDef(name, list(node["enum"])))
            return TypeRef("enum", ref=name)
        if kind == "object":
            name = self.hint(owner, prop) or class_name(owner, prop)
            return TypeRef("class", ref=self._class(name, node))
        if kind == "string":
            if node.get("format") == "date-time":
                return TypeRef("datetime", constraints=cons)
            return TypeRef("str", constraints=cons)
        if kind == "integer":
            return TypeRef("int", constraints=cons)
        if kind == "number":
            return TypeRef("float", constraints=cons)
        if kind == "boolean":
            return TypeRef("bool", constraints=cons)
        if kind is None:
            return TypeRef("any")
        raise ValueError(f"{owner}.{prop}: unsupported schema {node}")
