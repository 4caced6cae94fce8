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
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .actions import actions_for
from .validation import STRICT, Kind, Profile, validate
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
    """RFC 3339 text of a datetime, ``Z`` for UTC; a naive datetime is written as is."""
    text = value.isoformat()
    if value.utcoffset() == _UTC:
        return text[:-6] + "Z"
    return text


def _identity(value: Any, _: Any = None) -> Any:
    return value


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


def _passthrough(a: "attrs.Attribute[Any]") -> bool:
    t = a.type
    return t is Any or getattr(t, "__origin__", None) is dict or "open" in a.metadata


def _make_converter(keep_extra: bool) -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
    # Validation has checked the JSON types already; keep values exactly as parsed.
    conv.register_structure_hook_func(lambda t: t in (str, int, float, bool), _identity)
    conv.register_structure_hook_factory(_is_enum, lambda t: lambda v, _: t(v))
    conv.register_structure_hook(datetime.datetime, lambda v, _: parse_datetime(v))
    conv.register_unstructure_hook(datetime.datetime, format_datetime)

    def structure_factory(cls: type[Any]) -> Callable[[Any, Any], Any]:
        overrides = {}
        for a in attrs.fields(cls):
            if a.metadata.get("extra"):
                overrides[a.name] = override(omit=True)
            elif _passthrough(a) or (a.type == dict[str, Any] | None):
                overrides[a.name] = override(rename=a.metadata["wire"], struct_hook=_identity)
            else:
                overrides[a.name] = override(rename=a.metadata["wire"])
        base = make_dict_structure_fn(cls, conv, **overrides)  # type: ignore[arg-type]
        if not keep_extra:
            return base
        known = frozenset(a.metadata["wire"] for a in attrs.fields(cls) if "wire" in a.metadata)

        def structure(data: dict[str, Any], t: Any) -> Any:
            obj = base(data, t)
            if not known.issuperset(data):
                extra = {k: v for k, v in data.items() if k not in known}
                object.__setattr__(obj, "extra_fields", extra)
            return obj

        return structure

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        overrides = {}
        for a in attrs.fields(cls):
            if a.metadata.get("extra"):
                overrides[a.name] = override(omit=True)
            elif _passthrough(a) or (a.type == dict[str, Any] | None):
                overrides[a.name] = override(rename=a.metadata["wire"], unstruct_hook=_identity)
            else:
                overrides[a.name] = override(rename=a.metadata["wire"])
        base = make_dict_unstructure_fn(
            cls, conv, _cattrs_omit_if_default=True, **overrides  # type: ignore[arg-type]
        )

        def unstructure(obj: Any) -> dict[str, Any]:
            data: dict[str, Any] = base(obj)
            extra = obj.extra_fields
            if extra:
                for k, v in extra.items():
                    data.setdefault(k, v)
            return data

        return unstructure

    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return conv


_STRICT = _make_converter(keep_extra=False)
_KEEP_EXTRA = _make_converter(keep_extra=True)


def to_wire(message: Any) -> dict[str, Any]:
    """The wire dict of a message or data type (no validation)."""
    data: dict[str, Any] = _STRICT.unstructure(message)
    return data


def from_wire(cls: type[T], data: dict[str, Any], *, keep_extra: bool = False) -> T:
    """Build ``cls`` from a wire dict (no validation: pass only validated data).

    With ``keep_extra``, unknown properties are kept in each object's ``extra_fields``.
    """
    return (_KEEP_EXTRA if keep_extra else _STRICT).structure(data, cls)


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
    :class:`~ocpp_sansio.validation.ValidationError` when the payload breaks its schema.
    """
    spec = actions_for(version)[action]
    cls = spec.request if kind == "request" else spec.response
    if cls is None:
        raise KeyError(f"{action} has no {kind}")
    validate(version, action, kind, payload, profile)
    return from_wire(cls, payload, keep_extra=profile.allow_unknown_properties)
