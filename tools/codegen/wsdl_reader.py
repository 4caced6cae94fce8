"""Read the XSD inside an OCPP 1.x WSDL pair into the IR.

OCPP's WSDLs use a small XSD subset: named ``simpleType`` restrictions of ``string`` (length
limits or enumerations) or ``decimal``, and ``complexType`` sequences of elements, plus one
anonymous ``simpleContent`` type (1.5 meter value: text with attributes). Anything else raises,
so a new construct cannot slip through unmodelled.

The 1.5 model is built from here; for 1.6 this reader supplies the names of nested types and
the SOAP side of the WSDL-vs-JSON report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from .ir import Action, ClassDef, EnumDef, Field, TypeRef, VersionModel
from .names import class_name, snake

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
_Q = {"s": XS, "wsdl": WSDL}

_BUILTIN: dict[str, tuple[str, dict[str, Any]]] = {
    "string": ("str", {}),
    "int": ("int", {"minimum": -(2**31), "maximum": 2**31 - 1}),
    "dateTime": ("datetime", {"format": "date-time"}),
    "boolean": ("bool", {}),
    "anyURI": ("str", {"format": "uri"}),
    "decimal": ("float", {}),
}


def _doc(node: Any) -> str | None:
    texts = node.xpath("./s:annotation/s:documentation/text()", namespaces=_Q)
    text = " ".join(" ".join(t.split()) for t in texts).strip()
    return text or None


class WsdlSchema:
    """The named types of one WSDL's schema, and its operations (action -> element types)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False))
        root = self.tree.getroot()
        (schema,) = root.xpath("./wsdl:types/s:schema", namespaces=_Q)
        self.namespace: str = schema.get("targetNamespace")
        self.simple = {n.get("name"): n for n in schema.xpath("./s:simpleType", namespaces=_Q)}
        self.complex = {n.get("name"): n for n in schema.xpath("./s:complexType", namespaces=_Q)}
        self.elements = {
            n.get("name"): _local(n.get("type")) for n in schema.xpath("./s:element", namespaces=_Q)
        }
        messages = {
            m.get("name"): _local(m.xpath("./wsdl:part/@element", namespaces=_Q)[0])
            for m in root.xpath("./wsdl:message", namespaces=_Q)
        }
        self.operations: dict[str, tuple[str, str]] = {}
        for op in root.xpath("./wsdl:portType/wsdl:operation", namespaces=_Q):
            inp = _local(op.xpath("./wsdl:input/@message", namespaces=_Q)[0])
            out = _local(op.xpath("./wsdl:output/@message", namespaces=_Q)[0])
            self.operations[op.get("name")] = (
                self.elements[messages[inp]],
                self.elements[messages[out]],
            )
        self.element_names = {t: n for n, t in self.elements.items()}


def _local(qname: str) -> str:
    return qname.split(":", 1)[-1]


class WsdlReader:
    """Builds IR from one or more WSDL schemas of the same OCPP version."""

    def __init__(self, model: VersionModel, schemas: list[WsdlSchema]) -> None:
        self.model = model
        self.schemas = schemas

    def _find(self, name: str) -> tuple[str, Any]:
        for s in self.schemas:
            if name in self.simple_of(s):
                return "simple", s.simple[name]
            if name in s.complex:
                return "complex", s.complex[name]
        raise KeyError(name)

    @staticmethod
    def simple_of(s: WsdlSchema) -> dict[str, Any]:
        return s.simple

    def type_ref(self, xsd_type: str) -> TypeRef:
        prefix, _, name = xsd_type.rpartition(":")
        if prefix == "s":
            kind, cons = _BUILTIN[name]
            return TypeRef(kind, constraints=dict(cons))  # type: ignore[arg-type]
        what, node = self._find(name)
        if what == "simple":
            return self._simple(name, node)
        self.read_class(name)
        return TypeRef("class", ref=name)

    def _simple(self, name: str, node: Any) -> TypeRef:
        (restriction,) = node.xpath("./s:restriction", namespaces=_Q)
        base = _local(restriction.get("base"))
        values = restriction.xpath("./s:enumeration/@value", namespaces=_Q)
        if values:
            self.model.add_enum(EnumDef(name, list(values), _doc(node)))
            return TypeRef("enum", ref=name)
        kind, cons = _BUILTIN[base]
        cons = dict(cons)
        for facet in restriction:
            tag = etree.QName(facet).localname
            if tag == "maxLength":
                cons["max_length"] = int(facet.get("value"))
            elif tag == "fractionDigits" and facet.get("value") == "1":
                cons["multiple_of"] = "0.1"
            elif isinstance(facet.tag, str) and tag != "annotation":
                raise ValueError(f"unsupported facet {tag} in {name}")
        return TypeRef(kind, constraints=cons)  # type: ignore[arg-type]

    def read_class(
        self, name: str, node: Any = None, role: str = "datatype", action: str | None = None
    ) -> str:
        if name in self.model.classes:
            return name
        if node is None:
            _, node = self._find(name)
        fields: list[Field] = []
        children = list(node)
        for child in children:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag in ("annotation", ""):
                continue
            if tag == "sequence":
                fields.extend(self._sequence(name, child))
            elif tag == "simpleContent":
                fields.extend(self._simple_content(child))
            else:
                raise ValueError(f"unsupported construct {tag} in {name}")
        self.model.add_class(ClassDef(name, fields, _doc(node), role, action))  # type: ignore[arg-type]
        return name

    def _sequence(self, owner: str, seq: Any) -> list[Field]:
        fields = []
        for el in seq.xpath("./s:element", namespaces=_Q):
            wire = el.get("name")
            if el.get("type"):
                t = self.type_ref(el.get("type"))
            else:
                (anon,) = el.xpath("./s:complexType", namespaces=_Q)
                t = TypeRef("class", ref=self.read_class(class_name(owner, wire), anon))
            lo = int(el.get("minOccurs", "1"))
            hi = el.get("maxOccurs", "1")
            if hi != "1":
                cons: dict[str, Any] = {}
                if lo > 0:
                    cons["min_items"] = lo
                if hi != "unbounded":
                    cons["max_items"] = int(hi)
                t = TypeRef("list", item=t, constraints=cons)
                required = lo > 0
            else:
                required = lo == 1
            fields.append(Field(wire, snake(wire), t, required, _doc(el)))
        return fields

    def _simple_content(self, node: Any) -> list[Field]:
        (ext,) = node.xpath("./s:extension", namespaces=_Q)
        base = self.type_ref(ext.get("base"))
        # The text content travels as "value" in OCPP-J, as 1.6's SampledValue does.
        fields = [Field("value", "value", base, True, None)]
        fields[0].type.constraints["xml"] = "text"
        for attr in ext.xpath("./s:attribute", namespaces=_Q):
            t = self.type_ref(attr.get("type"))
            t.constraints["xml"] = "attribute"
            wire = attr.get("name")
            fields.append(Field(wire, snake(wire), t, attr.get("use") == "required", None))
        return fields


def read_wsdl_version(
    model: VersionModel, cs_wsdl: Path, cp_wsdl: Path, directions: dict[str, str]
) -> tuple[WsdlReader, dict[str, tuple[str, str]]]:
    """Read both services of one version; returns the reader and action -> (req, resp) types."""
    cs, cp = WsdlSchema(cs_wsdl), WsdlSchema(cp_wsdl)
    reader = WsdlReader(model, [cs, cp])
    ops: dict[str, tuple[str, str]] = {}
    for schema in (cs, cp):
        for action, (req, resp) in schema.operations.items():
            ops.setdefault(action, (req, resp))
    for action, (req, resp) in sorted(ops.items()):
        reader.read_class(req, role="request", action=action)
        reader.read_class(resp, role="response", action=action)
        model.actions[action] = Action(action, directions[action], req, resp)  # type: ignore[arg-type]
    return reader, ops
