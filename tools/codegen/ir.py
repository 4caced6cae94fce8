"""Intermediate representation the readers produce and the emitters consume.

Readers (``jsonschema_reader``, ``wsdl_reader``) turn spec files into a :class:`VersionModel`;
emitters write Python modules from it. Nothing here knows about files or Python syntax.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["str", "int", "float", "bool", "datetime", "any", "object", "enum", "class", "list"]


@dataclass
class TypeRef:
    """A field's type. ``ref`` names an enum or class; ``item`` is the element of a list.

    ``constraints`` are the JSON-Schema restrictions that apply at this level, spelled in
    snake_case (``max_length``, ``minimum``, ``multiple_of``, ``format``, ``min_items``...).
    """

    kind: Kind
    ref: str | None = None
    item: TypeRef | None = None
    constraints: dict[str, Any] = field(default_factory=dict)


@dataclass
class Field:
    wire: str
    name: str
    type: TypeRef
    required: bool
    doc: str | None = None


@dataclass
class EnumDef:
    name: str
    values: list[str]
    doc: str | None = None


@dataclass
class ClassDef:
    name: str
    fields: list[Field]
    doc: str | None = None
    role: Literal["request", "response", "datatype"] = "datatype"
    action: str | None = None


@dataclass
class Action:
    name: str
    direction: Literal["CS->CSMS", "CSMS->CS", "both"]
    request: str
    response: str | None  # None for a 2.1 SEND message


@dataclass
class VersionModel:
    key: str  # "v15", "v16", "v201", "v21"
    label: str  # "1.5", "1.6", "2.0.1", "2.1"
    enums: dict[str, EnumDef] = field(default_factory=dict)
    classes: dict[str, ClassDef] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    # action -> {"request": schema, "response": schema}: the JSON schemas used for validation,
    # overlays applied and documentation keywords stripped.
    schemas: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_enum(self, enum: EnumDef) -> str:
        """Register ``enum``; an enum of the same name gets the union of both value lists."""
        known = self.enums.get(enum.name)
        if known is None:
            self.enums[enum.name] = enum
        else:
            for value in enum.values:
                if value not in known.values:
                    known.values.append(value)
            known.doc = known.doc or enum.doc
        return enum.name

    def add_class(self, cls: ClassDef) -> str:
        known = self.classes.get(cls.name)
        if known is not None and _shape(known) != _shape(cls):
            raise ValueError(f"{self.label}: two different classes named {cls.name}")
        if known is None:
            self.classes[cls.name] = cls
        return cls.name


def _shape(cls: ClassDef) -> list[tuple[str, str, bool]]:
    return [(f.wire, _type_key(f.type), f.required) for f in cls.fields]


def _type_key(t: TypeRef) -> str:
    if t.kind == "list":
        assert t.item is not None
        return f"list[{_type_key(t.item)}]"
    return f"{t.kind}:{t.ref or ''}"
