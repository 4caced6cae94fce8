"""Typed messages <-> wire dicts <-> JSON text.

The wire name of every field is read from the generated classes' attrs metadata (``"wire"``);
no case conversion happens at run time. Rules:

- date-times are RFC 3339 strings; the UTC offset is kept as sent (``+02:00`` stays
  ``+02:00``), UTC is written ``Z``; digits below the microsecond are dropped on input;
- numbers keep the JSON value as parsed (an ``int`` stays an ``int`` in a ``float`` field, so
  ``8`` is written back as ``8``); ``multipleOf`` is checked exactly by validation;
- optional fields that are ``None`` are omitted on output, never written as ``null``;
- enumeration members are ``str`` subclasses and stay members in wire dicts: they compare
  equal to their values and serialise as them;
- ``customData`` objects and 2.x ``DataTransfer.data`` pass through untouched;
- ``extra_fields`` (filled only under a lenient profile) are merged back on output.

:func:`to_wire` / :func:`from_wire` convert without validating; :func:`encode` and
:func:`decode` validate too and are what the engines use.
"""

import datetime
import enum
import linecache
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import cattrs
import orjson

from .actions import actions_for
from .errors import Violation
from .validation import STRICT, Kind, Profile, ValidationError, validate
from .version import Version

T = TypeVar("T")
_UTC = datetime.timedelta(0)


def parse_datetime(value: str) -> datetime.datetime:
    """An RFC 3339 date-time string as an aware datetime (naive input is read as UTC)."""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = datetime.datetime.fromisoformat(value.upper())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def format_datetime(value: datetime.datetime) -> str:
    """RFC 3339 text of a datetime, ``Z`` for UTC; a naive datetime is written as is.

    Fractions are written to the millisecond when that is exact (``.512``), else to the
    microsecond, and omitted for whole seconds. orjson writes the common cases (no fraction,
    or a microsecond one) several times faster than ``isoformat``.
    """
    us = value.microsecond
    if not us or us % 1000:
        try:
            return _dumps(value, option=orjson.OPT_UTC_Z)[1:-1].decode()
        except orjson.JSONEncodeError:  # a tzinfo orjson does not know: isoformat below
            pass
    text = value.isoformat("T", "milliseconds") if us and not us % 1000 else value.isoformat()
    tz = value.tzinfo
    if tz is datetime.UTC or (tz is not None and value.utcoffset() == _UTC):
        return text[:-6] + "Z"
    return text


_dumps = orjson.dumps


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


def _strip_optional(t: Any) -> Any:
    args = [x for x in getattr(t, "__args__", ()) if x is not type(None)]
    if getattr(t, "__origin__", None) is None and len(args) == 1:
        return args[0]
    return t


class _HookBuilder:
    """Writes one structure and one unstructure function per attrs class, specialised to its
    fields: a field is read as ``o["wireName"]``, an enum value looked up in the enum's value
    map, a nested class handed to that class's own function. Validation has run before
    structuring, so no type checks happen here. The functions are registered as the cattrs
    converter's hooks, so ``converter.structure(data, cls)`` uses them as well.
    """

    def __init__(self, conv: cattrs.Converter, keep_extra: bool) -> None:
        self.conv = conv
        self.keep_extra = keep_extra
        self.structure_fns: dict[type[Any], Callable[[Any], Any]] = {}
        self.unstructure_fns: dict[type[Any], Callable[[Any], Any]] = {}

    def _value_in(self, t: Any, expr: str, ns: dict[str, Any]) -> str:
        """Expression converting the wire value ``expr`` to a value of type ``t``."""
        origin = getattr(t, "__origin__", None)
        if origin is list:
            inner = self._value_in(t.__args__[0], "x", ns)
            return expr if inner == "x" else f"[{inner} for x in {expr}]"
        if t is datetime.datetime:
            ns["_parse_dt"] = parse_datetime
            return f"_parse_dt({expr})"
        if _is_enum(t):
            name = f"_m_{t.__name__}"
            ns[name] = t._value2member_map_
            return f"{name}[{expr}]"
        if attrs.has(t):
            name = f"_s_{t.__name__}"
            ns[name] = self.structure(t)
            return f"{name}({expr})"
        return expr  # str, int, float, bool, Any, customData: kept exactly as parsed

    def _value_out(self, t: Any, expr: str, ns: dict[str, Any]) -> str:
        origin = getattr(t, "__origin__", None)
        if origin is list:
            inner = self._value_out(t.__args__[0], "x", ns)
            return expr if inner == "x" else f"[{inner} for x in {expr}]"
        if t is datetime.datetime:
            ns["_format_dt"] = format_datetime
            return f"_format_dt({expr})"
        if attrs.has(t):
            name = f"_u_{t.__name__}"
            ns[name] = self.unstructure(t)
            return f"{name}({expr})"
        return expr

    @staticmethod
    def _late(table: dict[type[Any], Callable[[Any], Any]], cls: type[Any]) -> Callable[[Any], Any]:
        def call(value: Any) -> Any:
            return table[cls](value)

        return call

    def structure(self, cls: type[Any]) -> Callable[[Any], Any]:
        fn = self.structure_fns.get(cls)
        if fn is not None:
            return fn
        # Recursion guard: a class referring to itself resolves through this trampoline.
        self.structure_fns[cls] = self._late(self.structure_fns, cls)
        ns: dict[str, Any] = {"_cls": cls, "_new": object.__new__, "_set": object.__setattr__}
        lines = ["def structure(o):", "    obj = _new(_cls)"]
        known = []
        for a in attrs.fields(cls):
            if a.metadata.get("extra"):
                lines.append(f"    _set(obj, {a.name!r}, None)")
                continue
            wire = a.metadata["wire"]
            known.append(wire)
            t = _strip_optional(a.type)
            optional = a.default is not attrs.NOTHING
            if optional:
                conv = self._value_in(t, "v", ns)
                lines.append(f"    v = o.get({wire!r})")
                if conv == "v":
                    lines.append(f"    _set(obj, {a.name!r}, v)")
                else:
                    lines.append(f"    _set(obj, {a.name!r}, None if v is None else {conv})")
            else:
                value = self._value_in(t, f"o[{wire!r}]", ns)
                lines.append(f"    _set(obj, {a.name!r}, {value})")
        if self.keep_extra:
            ns["_known"] = frozenset(known)
            lines += [
                "    if not _known.issuperset(o):",
                "        extra = {k: v for k, v in o.items() if k not in _known}",
                "        _set(obj, 'extra_fields', extra)",
            ]
        lines.append("    return obj")
        fn = _compile(cls, "structure", lines, ns)
        self.structure_fns[cls] = fn
        return fn

    def unstructure(self, cls: type[Any]) -> Callable[[Any], Any]:
        fn = self.unstructure_fns.get(cls)
        if fn is not None:
            return fn
        self.unstructure_fns[cls] = self._late(self.unstructure_fns, cls)
        ns: dict[str, Any] = {}
        required, optional = [], []
        for a in attrs.fields(cls):
            if a.metadata.get("extra"):
                continue
            t = _strip_optional(a.type)
            wire = a.metadata["wire"]
            if a.default is attrs.NOTHING:
                required.append(f"{wire!r}: {self._value_out(t, f'obj.{a.name}', ns)}")
            else:
                optional += [f"    v = obj.{a.name}", "    if v is not None:",
                             f"        d[{wire!r}] = {self._value_out(t, 'v', ns)}"]
        lines = ["def unstructure(obj):", f"    d = {{{', '.join(required)}}}", *optional,
                 "    extra = obj.extra_fields",
                 "    if extra:",
                 "        for k, v in extra.items():",
                 "            d.setdefault(k, v)",
                 "    return d"]
        fn = _compile(cls, "unstructure", lines, ns)
        self.unstructure_fns[cls] = fn
        return fn


def _compile(
    cls: type[Any], name: str, lines: list[str], ns: dict[str, Any]
) -> Callable[[Any], Any]:
    source = "\n".join(lines) + "\n"
    filename = f"<ocpp_sansio.codec {name} {cls.__module__}.{cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), ns)
    fn: Callable[[Any], Any] = ns[name]
    return fn


def _make_converter(keep_extra: bool) -> tuple[cattrs.Converter, _HookBuilder]:
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
    builder = _HookBuilder(conv, keep_extra)
    conv.register_structure_hook(datetime.datetime, lambda v, _: parse_datetime(v))
    conv.register_unstructure_hook(datetime.datetime, format_datetime)

    def structure_hook(cls: type[Any]) -> Callable[[Any, Any], Any]:
        fn = builder.structure(cls)
        return lambda data, _: fn(data)

    conv.register_structure_hook_factory(attrs.has, structure_hook)
    conv.register_unstructure_hook_factory(attrs.has, builder.unstructure)
    return conv, builder


#: The cattrs converter for the message model (register hooks for your own types on it).
converter, _STRICT = _make_converter(keep_extra=False)
_, _KEEP_EXTRA = _make_converter(keep_extra=True)


def to_wire(message: Any) -> dict[str, Any]:
    """The wire dict of a message or data type (no validation)."""
    cls = type(message)
    fn = _STRICT.unstructure_fns.get(cls) or _STRICT.unstructure(cls)
    data: dict[str, Any] = fn(message)
    return data


def from_wire(cls: type[T], data: dict[str, Any], *, keep_extra: bool = False) -> T:
    """Build ``cls`` from a wire dict (no validation: pass only validated data).

    With ``keep_extra``, unknown properties are kept in each object's ``extra_fields``.
    """
    builder = _KEEP_EXTRA if keep_extra else _STRICT
    fn = builder.structure_fns.get(cls) or builder.structure(cls)
    obj: T = fn(data)
    return obj


def dumps(value: Any) -> str:
    """Compact JSON text of a wire value."""
    return orjson.dumps(value).decode()


def loads(text: str | bytes) -> Any:
    """Parse JSON text (``orjson.JSONDecodeError``, a ``ValueError``, if it is not JSON)."""
    return orjson.loads(text)


def encode(
    version: Version, message: Any, profile: Profile = STRICT
) -> tuple[str, Kind, dict[str, Any]]:
    """Validate and convert an outgoing message: returns ``(action, kind, wire dict)``.

    Raises ``KeyError`` if the message is not one of ``version``'s, and
    :class:`~ocpp_sansio.validation.ValidationError` if it breaks its schema.
    """
    spec, is_request = actions_for(version).of(message)
    kind: Kind = "request" if is_request else "response"
    data = to_wire(message)
    validate(version, spec.name, kind, data, profile)
    return spec.name, kind, data


def decode(
    version: Version, action: str, kind: Kind, payload: Any, profile: Profile = STRICT
) -> Any:
    """Validate an incoming payload and build its typed message.

    Raises ``KeyError`` for an action ``version`` does not have, and
    :class:`~ocpp_sansio.validation.ValidationError` when the payload breaks its schema (or,
    with validation off, when it cannot be built into the message class at all).
    """
    spec = actions_for(version)[action]
    cls = spec.request if kind == "request" else spec.response
    if cls is None:
        raise KeyError(f"{action} has no {kind}")
    if profile.enabled:
        validate(version, action, kind, payload, profile)
        return from_wire(cls, payload, keep_extra=profile.allow_unknown_properties)
    try:  # unvalidated input may not fit the class at all
        return from_wire(cls, payload, keep_extra=profile.allow_unknown_properties)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(
            version, action, kind, violation=Violation.FORMAT, path="$", rule="structure",
            message=f"payload does not fit {cls.__name__} ({type(exc).__name__}: {exc})",
        ) from None
