"""SOAP body elements <-> the wire dicts and typed messages of the model.

The generated classes carry everything needed: the ``wire`` name of a field is its XSD element
name, the annotation gives its type, a list is a repeated element, and the 1.5 meter value
(``xml`` metadata) maps ``"text"``/``"attribute"`` fields to the simple content and the
attributes of a ``simpleContent`` element (1.5 WSDL, ``MeterValue.value``).

XML -> wire dict (:func:`read_body`): the values become what JSON would give (``int``,
``float`` or ``int`` for ``xs:decimal``, ``bool``, ``str`` for strings, enumerations and
``xs:dateTime``), so the version's validation schema applies unchanged; a lexical error (``abc``
in an ``xs:int``) is a TYPE violation. Children are matched by name whatever their order;
elements the class does not know are kept under their name (``{ns}name`` if in another
namespace, ``{}name`` if unqualified), so strict validation reports them and the lenient
profile keeps them in ``extra_fields``.

Wire dict -> XML (:func:`write_body`, written as text, see :mod:`.xmltext`): elements in XSD
sequence order; ``xs:decimal`` without an exponent, ``xs:boolean`` as ``true``/``false``.

XML cannot tell an empty list from a missing one: no element of a repeated field reads as
``[]`` when the field is required and as ``None`` (absent) when it is optional, so an optional
empty list comes back as ``None``.

Where the 1.6 WSDL is stricter than the 1.6 JSON schemas, OCPP-S follows the WSDL, in both
directions (docs/generated/v16-wsdl-vs-json.md and the OCPP 1.6 WSDLs):

- every ``xs:int`` is a 32-bit integer (the JSON schemas have no bounds);
- ``ChargingSchedule.chargingSchedulePeriod`` has at least one element (``minOccurs="1"``);
- ``UnitOfMeasure`` has neither ``Celcius`` (a typo of the JSON schemas) nor ``Hertz`` (added
  by the 1.6 errata after the WSDL was published);
- element order is the class's field order, which the generator takes from the WSDL sequences
  (for 1.6 too, where some JSON schemas list properties in another order).

One difference is not followed: the 1.6 WSDL makes ``MeterValuesRequest.meterValue`` optional
(``minOccurs="0"``), while the specification text and the model require at least one.
"""

import datetime
import decimal
import enum
import math
import re
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs
from lxml import etree

from .. import codec
from ..actions import actions_for
from ..errors import Violation
from ..validation import STRICT, Kind, Profile, ValidationError, validate
from ..version import Version
from . import xmltext
from .namespaces import XSI, clark, element_name, prefix
from .xmltext import UnrepresentableError

#: Enumeration values of the model that the version's WSDL does not have.
WSDL_EXCLUDED_VALUES: Mapping[Version, Mapping[str, frozenset[str]]] = {
    Version.V16: {"UnitOfMeasure": frozenset({"Celcius", "Hertz"})},
}

#: ``minOccurs`` of repeated elements where the WSDL asks for more than the model.
WSDL_MIN_ITEMS: Mapping[Version, Mapping[tuple[str, str], int]] = {
    Version.V16: {("ChargingSchedule", "chargingSchedulePeriod"): 1},
}

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class _K(enum.Enum):
    STR = "str"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATETIME = "datetime"
    ENUM = "enum"
    OBJECT = "object"
    ANY = "any"


_STR, _ENUM, _OBJECT, _ANY = _K.STR, _K.ENUM, _K.OBJECT, _K.ANY


@attrs.frozen(eq=False)
class _Field:
    wire: str
    tag: str  # Clark name of the element (or the attribute's local name)
    start: str  # written: "<cs:wire" (an element) or ' wire="' (an attribute)
    end: str  # written: "</cs:wire>" (an element) or '"' (an attribute)
    kind: _K
    is_list: bool
    required: bool
    xml: str | None  # "text", "attribute" or None (an element)
    target: type[Any] | None  # the nested class or the enumeration
    min_items: int
    excluded: frozenset[str]


@attrs.frozen(eq=False)
class _Plan:
    elements: tuple[_Field, ...]  # in XSD order
    by_tag: dict[str, _Field]
    attributes: tuple[_Field, ...]
    text: _Field | None
    known: frozenset[str]
    lists: tuple[_Field, ...]  # repeated elements that are required or have a minimum


def _unwrap(t: Any) -> tuple[Any, bool]:
    """The item type of an annotation without ``| None``, and whether it is a list."""
    if isinstance(t, types.UnionType) or typing.get_origin(t) is typing.Union:
        args = [a for a in typing.get_args(t) if a is not type(None)]
        t = args[0] if len(args) == 1 else Any
    if typing.get_origin(t) is list:
        (item,) = typing.get_args(t)
        return item, True
    return t, False


def _kind(t: Any) -> _K:
    if t is bool:
        return _K.BOOL
    if t is int:
        return _K.INT
    if t is float:
        return _K.DECIMAL
    if t is str:
        return _K.STR
    if t is datetime.datetime:
        return _K.DATETIME
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return _K.ENUM
    if isinstance(t, type) and attrs.has(t):
        return _K.OBJECT
    return _K.ANY


_PLANS: dict[tuple[Version, type[Any], str], _Plan] = {}


def _plan(version: Version, cls: type[Any], ns: str) -> _Plan:
    found = _PLANS.get((version, cls, ns))
    if found is None:
        found = _PLANS[version, cls, ns] = _make_plan(version, cls, ns)
    return found


def _make_plan(version: Version, cls: type[Any], ns: str) -> _Plan:
    hints = typing.get_type_hints(cls)
    fields: list[_Field] = []
    for a in attrs.fields(cls):
        if a.metadata.get("extra") or "wire" not in a.metadata:
            continue
        item, is_list = _unwrap(hints[a.name])
        kind = _kind(item)
        wire = a.metadata["wire"]
        xml = a.metadata.get("xml")
        excluded: frozenset[str] = frozenset()
        if kind is _K.ENUM:
            excluded = WSDL_EXCLUDED_VALUES.get(version, {}).get(item.__name__, frozenset())
        qualified = f"{prefix(ns)}:{wire}"
        fields.append(_Field(
            wire=wire,
            tag=wire if xml == "attribute" else clark(ns, wire),
            start=f' {wire}="' if xml == "attribute" else f"<{qualified}",
            end='"' if xml == "attribute" else f"</{qualified}>",
            kind=kind,
            is_list=is_list,
            required=a.default is attrs.NOTHING,
            xml=xml,
            target=item if kind in (_K.OBJECT, _K.ENUM) else None,
            min_items=WSDL_MIN_ITEMS.get(version, {}).get((cls.__name__, wire), 0),
            excluded=excluded,
        ))
    elements = [f for f in fields if f.xml is None]
    text = next((f for f in fields if f.xml == "text"), None)
    return _Plan(
        elements=tuple(elements),
        by_tag={f.tag: f for f in elements},
        attributes=tuple(f for f in fields if f.xml == "attribute"),
        text=text,
        known=frozenset(f.wire for f in fields),
        lists=tuple(f for f in elements if f.is_list and (f.required or f.min_items)),
    )


class _Context:
    """What a conversion needs to report errors: the message and whether to check facets."""

    __slots__ = ("action", "check", "kind", "ns", "version")

    def __init__(self, version: Version, action: str, kind: Kind, ns: str, check: bool) -> None:
        self.version = version
        self.action = action
        self.kind = kind
        self.ns = ns
        self.check = check

    def error(self, violation: Violation, path: str, rule: str, message: str) -> ValidationError:
        return ValidationError(
            self.version, self.action, self.kind, violation=violation, path=path, rule=rule,
            message=f"{path}: {message}",
        )


# --- XML -> wire dict ------------------------------------------------------------------

_XML_SPACE = " \t\r\n"
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_BOOL = {"true": True, "1": True, "false": False, "0": False}


def _nil(el: etree._Element) -> bool:
    return el.get(_XSI_NIL) in ("true", "1")


_XSI_NIL = clark(XSI, "nil")


def _where(path: str, wire: str, index: int | None) -> str:
    """The JSON path of a field (built only when needed: for errors and nested objects)."""
    return f"{path}.{wire}" if index is None else f"{path}.{wire}[{index}]"


def _scalar(ctx: _Context, f: _Field, text: str, path: str, index: int | None) -> Any:
    """The JSON value of a simple element's text; ``path`` is the parent's path."""
    kind = f.kind
    if kind is _K.STR:
        return text
    if kind is _K.ENUM:
        if ctx.check and text in f.excluded:
            raise ctx.error(Violation.PROPERTY, _where(path, f.wire, index), "enum",
                            f"{text!r} is not a value of the WSDL's enumeration")
        return text
    value = text.strip(_XML_SPACE)
    if kind is _K.DATETIME:
        return value
    if kind is _K.INT:
        if _INT.fullmatch(value):
            try:
                number = int(value)
            except ValueError:  # more digits than int() accepts
                pass
            else:
                if ctx.check and (rule := _int_rule(number)) is not None:
                    raise ctx.error(Violation.PROPERTY, _where(path, f.wire, index), rule,
                                    f"{number} is out of the xs:int range")
                return number
        raise ctx.error(Violation.TYPE, _where(path, f.wire, index), "type",
                        f"{value[:40]!r} is not an xs:int")
    if kind is _K.DECIMAL:
        if not _DECIMAL.fullmatch(value):
            raise ctx.error(Violation.TYPE, _where(path, f.wire, index), "type",
                            f"{value[:40]!r} is not an xs:decimal")
        if "." not in value:
            return int(value)
        result = float(value)
        if not math.isfinite(result):
            raise ctx.error(Violation.PROPERTY, _where(path, f.wire, index), "maximum",
                            "decimal out of range")
        return result
    if kind is _K.BOOL:
        found = _BOOL.get(value)
        if found is None:
            raise ctx.error(Violation.TYPE, _where(path, f.wire, index), "type",
                            f"{value[:40]!r} is not an xs:boolean")
        return found
    return text  # pragma: no cover - ANY and OBJECT never reach here


def _int_rule(number: int) -> str | None:
    """The schema rule a number breaks as an ``xs:int`` (32 bits), if any."""
    if INT32_MIN <= number <= INT32_MAX:
        return None
    return "maximum" if number > INT32_MAX else "minimum"


def _generic(el: etree._Element, body_ns: str) -> Any:
    """An unknown element as JSON-like data: text, or an object of its children."""
    children = [c for c in el if isinstance(c.tag, str)]
    if not children:
        return el.text or ""
    out: dict[str, Any] = {}
    for child in children:
        key = _key(child, body_ns)
        value = _generic(child, body_ns)
        if key in out:
            prev = out[key]
            out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[key] = value
    return out


def _key(el: etree._Element, body_ns: str) -> str:
    """The wire key of an unknown element: its name in the body namespace, else ``{ns}name``
    (``{}name`` when unqualified), so it never passes for a known field."""
    tag = str(el.tag)
    prefix = "{" + body_ns + "}"
    if tag.startswith(prefix):
        return tag[len(prefix):]
    return tag if tag.startswith("{") else "{}" + tag


def _read(ctx: _Context, cls: type[Any], el: etree._Element, path: str) -> dict[str, Any]:
    plan = _plan(ctx.version, cls, ctx.ns)
    out: dict[str, Any] = {}
    for f in plan.attributes:
        raw = el.get(f.tag)
        if raw is not None:
            if f.kind is _ENUM and not (ctx.check and raw in f.excluded):
                out[f.wire] = raw
            else:
                out[f.wire] = _scalar(ctx, f, raw, path, None)
    text_field = plan.text
    if text_field is not None:
        if len(el):
            raise ctx.error(Violation.FORMAT, path, "type", "elements inside a simple value")
        out[text_field.wire] = _scalar(ctx, text_field, el.text or "", path, None)
        return out
    if el.text is not None and el.text.strip(_XML_SPACE):
        raise ctx.error(Violation.FORMAT, path, "type", "text inside a complex element")
    by_tag = plan.by_tag
    check = ctx.check
    for child in el:
        tag = child.tag
        field = by_tag.get(tag)
        tail = child.tail
        if tail is not None and tail.strip(_XML_SPACE):
            raise ctx.error(Violation.FORMAT, path, "type", "text inside a complex element")
        if field is None:
            if not isinstance(tag, str):
                continue  # comments and processing instructions are removed by the parser
            key = _key(child, ctx.ns)
            value = _generic(child, ctx.ns)
            prev = out.get(key)
            out[key] = value if prev is None else (
                [*prev, value] if isinstance(prev, list) else [prev, value])
            continue
        wire = field.wire
        text = child.text
        nested = len(child)
        if text is None and not nested and _nil(child):
            continue
        items: list[Any] | None = None
        index: int | None = None
        if field.is_list:
            items = out.get(wire)
            if items is None:
                items = out[wire] = []
            index = len(items)
        elif wire in out:
            raise ctx.error(Violation.OCCURRENCE, _where(path, wire, None), "maxItems",
                            "element repeated")
        kind = field.kind
        if kind is _STR and not nested:
            value = text or ""
        elif kind is _ENUM and not nested:
            value = text or ""
            if check and value in field.excluded:
                raise ctx.error(Violation.PROPERTY, _where(path, wire, index), "enum",
                                f"{value!r} is not a value of the WSDL's enumeration")
        elif kind is _OBJECT:
            assert field.target is not None
            value = _read(ctx, field.target, child, _where(path, wire, index))
        elif kind is _ANY:
            value = _generic(child, ctx.ns)
        elif nested:
            raise ctx.error(Violation.TYPE, _where(path, wire, index), "type",
                            "elements inside a simple value")
        else:
            value = _scalar(ctx, field, text or "", path, index)
        if items is None:
            out[wire] = value
        else:
            items.append(value)
    for f in plan.lists:
        if f.wire not in out:
            if not f.required:
                continue
            out[f.wire] = []  # no element at all is an empty list, not a missing field
        if ctx.check and len(out[f.wire]) < f.min_items:
            raise ctx.error(Violation.OCCURRENCE, _where(path, f.wire, None), "minItems",
                            f"needs at least {f.min_items} element(s)")
    return out


def read_body(
    version: Version, action: str, kind: Kind, element: etree._Element, *, check: bool = True,
) -> dict[str, Any]:
    """The wire dict of a request or response body element.

    Raises :class:`~ocpp_sansio.validation.ValidationError` for lexical errors and for the
    WSDL rules listed in the module docstring (unless ``check`` is false); the version's
    schema is not applied here (see :func:`decode_body`).
    """
    spec = actions_for(version)[action]
    cls = spec.request if kind == "request" else spec.response
    assert cls is not None
    ns = etree.QName(element).namespace or ""
    return _read(_Context(version, action, kind, ns, check), cls, element, "$")


def decode_body(
    version: Version, action: str, kind: Kind, element: etree._Element,
    profile: Profile = STRICT,
) -> Any:
    """The typed message of a body element, validated like an OCPP-J payload under ``profile``.

    Raises :class:`~ocpp_sansio.validation.ValidationError`.
    """
    spec = actions_for(version)[action]
    cls = spec.request if kind == "request" else spec.response
    assert cls is not None
    data = read_body(version, action, kind, element, check=profile.enabled)
    validate(version, action, kind, data, profile)
    try:
        return codec.from_wire(cls, data, keep_extra=profile.allow_unknown_properties)
    except Exception as exc:  # only reachable with validation off: the data was not checked
        raise ValidationError(
            version, action, kind, violation=Violation.FORMAT, path="$", rule="type",
            message=f"cannot build {cls.__name__}: {exc}",
        ) from None


# --- wire dict -> XML ------------------------------------------------------------------


def decimal_text(value: float | int) -> str:
    """An ``xs:decimal`` literal (never an exponent): ``8.1``, ``0.00001``, ``8``."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise UnrepresentableError(f"{value} is not an xs:decimal")
    text = format(decimal.Decimal(repr(value)), "f")
    return text


def _text_of(ctx: _Context, f: _Field, value: Any, path: str, index: int | None) -> str:
    """The text of a simple value; ``path`` is the parent's path."""
    kind = f.kind
    if kind is _K.STR:
        return value if type(value) is str else str(value)
    if kind is _K.ENUM:
        # enumeration members are str subclasses whose text is their value
        if ctx.check and value in f.excluded:
            raise ctx.error(Violation.PROPERTY, _where(path, f.wire, index), "enum",
                            f"{str(value)!r} is not a value of the WSDL's enumeration")
        return value if isinstance(value, str) else str(value)
    if kind is _K.DATETIME:
        return codec.format_datetime(value) if isinstance(value, datetime.datetime) else value
    if kind is _K.INT:
        if ctx.check and isinstance(value, int) and (rule := _int_rule(value)) is not None:
            raise ctx.error(Violation.PROPERTY, _where(path, f.wire, index), rule,
                            f"{value} is out of the xs:int range")
        return str(value)
    if kind is _K.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        return decimal_text(value)
    if kind is _K.BOOL:
        return "true" if value else "false"
    return str(value)


def _emit_object(ctx: _Context, cls: type[Any], data: Mapping[str, Any], path: str, *,
                 out: list[str], start: str, end: str) -> None:
    """Append the element of object ``data``: ``start`` is ``<p:name``, ``end`` its end tag."""
    plan = _plan(ctx.version, cls, ctx.ns)
    out.append(start)
    for f in plan.attributes:
        value = data.get(f.wire)
        if value is not None:
            raw = _text_of(ctx, f, value, path, None)
            try:
                out.append(f.start + xmltext.attribute(raw) + f.end)
            except UnrepresentableError:
                raise UnrepresentableError(f"{_where(path, f.wire, None)}: not representable "
                                           f"in XML 1.0: {raw!r}") from None
    text_field = plan.text
    if text_field is not None:
        value = data.get(text_field.wire)
        raw = "" if value is None else _text_of(ctx, text_field, value, path, None)
        out.append(">" + _escaped(raw, text_field, path, None) + end)
        return
    out.append(">")
    check = ctx.check
    for f in plan.elements:
        value = data.get(f.wire)
        if f.is_list:
            items = value or ()
            if check and len(items) < f.min_items:
                raise ctx.error(Violation.OCCURRENCE, _where(path, f.wire, None), "minItems",
                                f"needs at least {f.min_items} element(s)")
            for i, item in enumerate(items):
                _emit_field(ctx, f, item, path, i, out=out)
        elif value is not None:
            _emit_field(ctx, f, value, path, None, out=out)
    if not plan.known.issuperset(data):
        for key, value in data.items():
            if key not in plan.known and value is not None:
                _emit_generic(out, key, value, ctx.ns, f"{path}.{key}")
    out.append(end)


def _emit_field(ctx: _Context, f: _Field, value: Any, path: str, index: int | None, *,
                out: list[str]) -> None:
    kind = f.kind
    if kind is _OBJECT:
        assert f.target is not None
        _emit_object(ctx, f.target, value, _where(path, f.wire, index), out=out, start=f.start,
                     end=f.end)
    elif kind is _ANY:
        _emit_generic(out, f.wire, value, ctx.ns, _where(path, f.wire, index))
    else:
        raw = _text_of(ctx, f, value, path, index)
        out.append(f.start + ">" + _escaped(raw, f, path, index) + f.end)


def _escaped(raw: str, f: _Field, path: str, index: int | None) -> str:
    if f.kind is not _STR and f.kind is not _ENUM and f.kind is not _K.DATETIME:
        return raw  # numbers and booleans are plain ASCII
    try:
        return xmltext.text(raw)
    except UnrepresentableError:
        raise UnrepresentableError(f"{_where(path, f.wire, index)}: not representable in "
                                   f"XML 1.0: {raw!r}") from None


def _emit_generic(out: list[str], key: str, value: Any, ns: str, path: str) -> None:
    """Append elements for a value the model does not know (kept by the lenient profile)."""
    if key.startswith("{"):
        key_ns, _, local = key[1:].partition("}")
    else:
        key_ns, local = ns, key
    if not xmltext.is_name(local):
        raise UnrepresentableError(f"{path}: {key!r} is not an XML element name")
    if key_ns == ns:
        start, end = f"<{prefix(ns)}:{local}", f"</{prefix(ns)}:{local}>"
    elif not key_ns:
        start, end = f"<{local}", f"</{local}>"
    else:
        start, end = f'<x:{local} xmlns:x="{xmltext.attribute(key_ns, path)}"', f"</x:{local}>"
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            out.append(start + ">")
            for k, v in item.items():
                if v is not None:
                    _emit_generic(out, str(k), v, ns, f"{path}.{k}")
            out.append(end)
            continue
        if isinstance(item, bool):
            raw = "true" if item else "false"
        elif isinstance(item, float):
            raw = decimal_text(item)
        elif isinstance(item, datetime.datetime):
            raw = codec.format_datetime(item)
        else:
            raw = str(item)
        out.append(start + ">" + xmltext.text(raw, path) + end)


def write_body(
    version: Version, action: str, kind: Kind, data: Mapping[str, Any], *, ns: str,
    check: bool = True, declare: bool = True,
) -> str:
    """The body element of a wire dict, as XML text.

    Elements are written with the prefix of :func:`~.namespaces.prefix`; with ``declare``
    the element declares it itself, else an enclosing element must. Applies the WSDL rules of
    the module docstring unless ``check`` is false (raising
    :class:`~ocpp_sansio.validation.ValidationError`); raises
    :class:`~.xmltext.UnrepresentableError` for values XML 1.0 cannot carry.
    """
    spec = actions_for(version)[action]
    cls = spec.request if kind == "request" else spec.response
    assert cls is not None
    name = f"{prefix(ns)}:{element_name(action, kind == 'request')}"
    start = f'<{name} xmlns:{prefix(ns)}="{xmltext.attribute(ns)}"' if declare else f"<{name}"
    out: list[str] = []
    _emit_object(_Context(version, action, kind, ns, check), cls, data, "$", out=out,
                 start=start, end=f"</{name}>")
    return "".join(out)


def encode_body(
    version: Version, message: Any, ns: str, profile: Profile = STRICT, *, declare: bool = True,
) -> tuple[str, Kind, str]:
    """Validate ``message`` under ``profile`` and write its body element (XML text).

    Returns ``(action, kind, text)``. Raises ``KeyError`` if ``message`` is not one of
    ``version``'s, :class:`~ocpp_sansio.validation.ValidationError` and
    :class:`~.xmltext.UnrepresentableError`.
    """
    action, kind, data = codec.encode(version, message, profile)
    return action, kind, write_body(version, action, kind, data, ns=ns,
                                    check=profile.enabled, declare=declare)
