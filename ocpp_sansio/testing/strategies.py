"""Hypothesis strategies for the generated OCPP message model.

Every strategy draws *valid* objects: after :func:`ocpp_sansio.codec.to_wire` each one passes
the strict validation of its version (the official JSON schemas, with the documented overlays
of ``tools/codegen/overlays.py``; for 1.5 the schema derived from the WSDL). Strategies are
derived from the attrs fields of the generated classes and the JSON-Schema constraints recorded
in each field's metadata:

- ``str``: any Unicode text without surrogates, within ``min_length`` / ``max_length``;
  ``pattern`` -> ``st.from_regex(..., fullmatch=True)``; ``format: uri`` -> simple absolute
  URIs (RFC 3986);
- ``int``: within ``minimum`` / ``maximum``, else within signed 32 bits;
- ``float``: finite, within the bounds; ``multiple_of`` (a decimal string such as ``"0.1"``)
  -> exact decimal multiples ``float(Decimal(k) * Decimal("0.1"))``, so ``8.1``, never
  ``8.100000000000001``;
- ``datetime.datetime``: aware, at a few fixed UTC offsets (UTC included), the microsecond
  often 0 or 999999 (RFC 3339, section 5.6);
- enumerations: any member;
- ``list[...]``: ``min_items`` .. ``max_items`` items, capped at 3 unless ``min_items`` is
  larger, each item under the ``item`` constraints;
- ``customData`` (2.x ``CustomDataType``): ``{"vendorId": <text, max 255>}``, sometimes with
  extra keys (the type allows additional properties);
- ``Any`` (2.x ``DataTransfer.data``): any JSON value;
- optional fields: sometimes ``None`` (omitted on the wire);
- ``extra_fields``: always ``None`` (only the lenient validation profile fills it).

Usage in a property-based test::

    from hypothesis import given

    from ocpp_sansio import Version, codec
    from ocpp_sansio.testing import instances, requests
    from ocpp_sansio.v16.messages import BootNotificationRequest

    @given(instances(BootNotificationRequest))
    def test_boot_notification_encodes(message: BootNotificationRequest) -> None:
        action, kind, wire = codec.encode(Version.V16, message)
        assert action == "BootNotification" and kind == "request"

    @given(requests(Version.V201))
    def test_any_201_request_round_trips(message: object) -> None:
        action, kind, wire = codec.encode(Version.V201, message)
        assert codec.decode(Version.V201, action, kind, codec.loads(codec.dumps(wire))) == message

Strategies are built once per class and cached, so calling :func:`instances` repeatedly is
cheap.
"""

import datetime
import enum
import math
import threading
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any, TypeVar, cast

import attrs
from hypothesis import strategies as st

from ..actions import ActionSpec, actions_for
from ..codec import format_datetime
from ..version import Version

__all__ = ["instances", "json_values", "messages", "requests", "responses"]

T = TypeVar("T")
SearchStrategy = st.SearchStrategy

#: bounds of an ``int`` field without ``minimum`` / ``maximum`` (OCPP integers are 32-bit)
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
#: list sizes are capped here unless ``min_items`` asks for more
LIST_CAP = 3

_NONE_TYPE = type(None)

# Text: any code point except surrogates (not encodable as UTF-8, so never on the wire).
_CHARACTERS = st.characters(exclude_categories=["Cs"])
_TEXT = st.text(_CHARACTERS)

# JSON numbers that orjson writes and reads back exactly: 64-bit integers and finite floats.
_JSON_SCALARS: SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    _TEXT,
)


def _json_containers(children: SearchStrategy[Any]) -> SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=LIST_CAP),
        st.dictionaries(_TEXT, children, max_size=LIST_CAP),
    )


_JSON_VALUES: SearchStrategy[Any] = st.recursive(_JSON_SCALARS, _json_containers, max_leaves=8)
# Smaller values for the extra keys of customData, which occurs in every 2.x object.
_SMALL_JSON_VALUES: SearchStrategy[Any] = st.recursive(
    _JSON_SCALARS, _json_containers, max_leaves=3
)


def json_values() -> SearchStrategy[Any]:
    """Any JSON value (null, booleans, 64-bit integers, finite floats, text, arrays, objects)."""
    return _JSON_VALUES


# A few fixed UTC offsets, UTC (written ``Z``) first; whole, half and quarter hours, and the
# extremes in use (-12:00, +14:00).
_OFFSETS: tuple[datetime.tzinfo, ...] = (
    datetime.UTC,
    datetime.timezone(datetime.timedelta(hours=1)),
    datetime.timezone(datetime.timedelta(hours=2)),
    datetime.timezone(datetime.timedelta(hours=-5)),
    datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
    datetime.timezone(datetime.timedelta(hours=5, minutes=45)),
    datetime.timezone(datetime.timedelta(hours=14)),
    datetime.timezone(datetime.timedelta(hours=-12)),
)


def _aware(parts: tuple[datetime.datetime, int | None]) -> datetime.datetime:
    value, microsecond = parts
    value = value.replace(fold=0)
    if microsecond is not None:
        value = value.replace(microsecond=microsecond)
    return value


# RFC 3339 (section 5.6) has four-digit years; a day of margin at both ends keeps every value
# convertible to UTC (``astimezone``) without overflow.
_DATETIMES: SearchStrategy[datetime.datetime] = st.tuples(
    st.datetimes(
        min_value=datetime.datetime(1, 1, 2),
        max_value=datetime.datetime(9999, 12, 30),
        timezones=st.sampled_from(_OFFSETS),
    ),
    st.one_of(st.none(), st.sampled_from((0, 999_999))),
).map(_aware)

# RFC 3986 absolute URIs: scheme "://" host [":" port] ["/" segments] ["?" query].
_URI_SCHEMES = ("http", "https", "ftp", "ftps", "sftp")
_UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
_SEGMENT = st.text(_UNRESERVED, max_size=12)


def _uri(parts: tuple[str, list[str], int | None, list[str], str | None]) -> str:
    scheme, labels, port, segments, query = parts
    text = f"{scheme}://{'.'.join(labels)}"
    if port is not None:
        text += f":{port}"
    if segments:
        text += "/" + "/".join(segments)
    if query is not None:
        text += "?" + query
    return text


_URIS: SearchStrategy[str] = st.tuples(
    st.sampled_from(_URI_SCHEMES),
    st.lists(_LABEL, min_size=1, max_size=3),
    st.none() | st.integers(1, 65535),
    st.lists(_SEGMENT, max_size=3),
    st.none() | st.text(_UNRESERVED + "=&", max_size=16),
).map(_uri)


def _custom_data(parts: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    vendor_id, extra = parts
    return {"vendorId": vendor_id, **extra}


# 2.x ``CustomDataType``: required ``vendorId`` (maxLength 255) and, deliberately, no
# ``additionalProperties: false`` (vendor extension point), so extra keys are valid.
_CUSTOM_DATA: SearchStrategy[dict[str, Any]] = st.tuples(
    st.text(_CHARACTERS, max_size=255),
    st.dictionaries(_TEXT.filter(lambda k: k != "vendorId"), _SMALL_JSON_VALUES, max_size=2),
).map(_custom_data)


def _length_ok(min_size: int, max_size: int | None) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return len(value) >= min_size and (max_size is None or len(value) <= max_size)

    return check


def _strings(c: Mapping[str, Any]) -> SearchStrategy[Any]:
    min_size = int(c.get("min_length", 0))
    max_size = c.get("max_length")
    max_size = None if max_size is None else int(max_size)
    fmt = c.get("format")
    if "pattern" in c:
        base: SearchStrategy[str] = st.from_regex(
            c["pattern"], fullmatch=True, alphabet=_CHARACTERS
        )
    elif fmt == "uri":
        base = _URIS
    elif fmt == "date-time":
        base = _DATETIMES.map(format_datetime)
    else:
        return st.text(_CHARACTERS, min_size=min_size, max_size=max_size)
    if min_size or max_size is not None:
        base = base.filter(_length_ok(min_size, max_size))
    return base


def _decimal(value: Any) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _integers(c: Mapping[str, Any]) -> SearchStrategy[Any]:
    low = math.ceil(c["minimum"]) if "minimum" in c else INT32_MIN
    high = math.floor(c["maximum"]) if "maximum" in c else INT32_MAX
    if "multiple_of" not in c:
        return st.integers(low, high)
    # The smallest positive integer multiple of p/q (in lowest terms) is |p|.
    step = abs(Fraction(_decimal(c["multiple_of"])).numerator)
    return st.integers(-(-low // step), high // step).map(lambda k: k * step)


def _floats(c: Mapping[str, Any]) -> SearchStrategy[Any]:
    low = c.get("minimum")
    high = c.get("maximum")
    if "multiple_of" not in c:
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    # Exact decimal multiples (OCPP 1.6 decimals, ``multipleOf 0.1``): k * step computed in
    # decimal, then rounded once to the nearest float, whose repr is the decimal again.
    step = _decimal(c["multiple_of"])
    k_low = math.ceil(_decimal(low) / step) if low is not None else INT32_MIN
    k_high = math.floor(_decimal(high) / step) if high is not None else INT32_MAX
    return st.integers(k_low, k_high).map(lambda k: float(Decimal(k) * step))


def _lists(item: Any, c: Mapping[str, Any]) -> SearchStrategy[Any]:
    min_size = int(c.get("min_items", 0))
    max_items = c.get("max_items")
    cap = LIST_CAP if max_items is None else min(LIST_CAP, int(max_items))
    return st.lists(_type_strategy(item, c.get("item", {})), min_size=min_size,
                    max_size=max(min_size, cap))


def _type_strategy(tp: Any, c: Mapping[str, Any]) -> SearchStrategy[Any]:
    """The strategy for a value of (non-optional) type ``tp`` under constraints ``c``."""
    if tp is Any:
        return _JSON_VALUES
    if tp is bool:
        return st.booleans()
    if tp is int:
        return _integers(c)
    if tp is float:
        return _floats(c)
    if tp is str:
        return _strings(c)
    if tp is datetime.datetime:
        return _DATETIMES
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(tp)
    if isinstance(tp, type) and attrs.has(tp):
        return instances(tp)
    origin = typing.get_origin(tp)
    if origin is list:
        (item,) = typing.get_args(tp)
        return _lists(item, c)
    if origin is dict:
        if "open" in c:
            return _CUSTOM_DATA
        return st.dictionaries(_TEXT, _JSON_VALUES, max_size=LIST_CAP)
    raise TypeError(f"no strategy for field type {tp!r}")


def _field_strategy(field: "attrs.Attribute[Any]") -> SearchStrategy[Any]:
    tp = field.type
    optional = False
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(tp) if a is not _NONE_TYPE]
        optional = len(args) < len(typing.get_args(tp))
        if len(args) != 1:
            raise TypeError(f"no strategy for field type {tp!r}")
        tp = args[0]
    strategy = _type_strategy(tp, field.metadata)
    return st.none() | strategy if optional else strategy


_CACHE: dict[type[Any], SearchStrategy[Any]] = {}
_BUILDING: set[type[Any]] = set()
_LOCK = threading.RLock()


def instances(cls: type[T]) -> SearchStrategy[T]:
    """Valid instances of a generated message or data type class (cached per class).

    ``TypeError`` if ``cls`` is not an attrs class or has a field type the model never uses.
    """
    with _LOCK:
        found = _CACHE.get(cls)
        if found is not None:
            return cast(SearchStrategy[T], found)
        target: Any = cls
        if not (isinstance(target, type) and attrs.has(target)):
            raise TypeError(f"not a generated OCPP class: {cls!r}")
        if cls in _BUILDING:  # a recursive type: resolve once the outer build is cached
            return st.deferred(lambda: instances(cls))
        _BUILDING.add(cls)
        try:
            attrs.resolve_types(target)
            kwargs = {
                f.name: _field_strategy(f)
                for f in attrs.fields(target)
                if not f.metadata.get("extra")
            }
            strategy: SearchStrategy[T] = st.builds(cls, **kwargs)
        finally:
            _BUILDING.discard(cls)
        _CACHE[cls] = strategy
        return strategy


def _specs(version: Version | str, action: str | None) -> list[ActionSpec]:
    table = actions_for(Version(version))
    if action is None:
        return list(table.values())
    try:
        return [table[action]]
    except KeyError:
        raise ValueError(f"OCPP {Version(version).value} has no action {action!r}") from None


@cache
def _requests(version: Version, action: str | None) -> SearchStrategy[Any]:
    return st.one_of([instances(spec.request) for spec in _specs(version, action)])


@cache
def _responses(version: Version, action: str | None) -> SearchStrategy[Any]:
    classes = [s.response for s in _specs(version, action) if s.response is not None]
    if not classes:
        raise ValueError(f"{action} has no response (OCPP {version.value} SEND message)")
    return st.one_of([instances(cls) for cls in classes])


def requests(version: Version | str, action: str | None = None) -> SearchStrategy[Any]:
    """Valid request messages of ``action`` in ``version`` (any action if ``None``).

    ``ValueError`` if the version has no such action.
    """
    return _requests(Version(version), action)


def responses(version: Version | str, action: str | None = None) -> SearchStrategy[Any]:
    """Valid response messages of ``action`` in ``version`` (any action if ``None``).

    Actions without a response (NotifyPeriodicEventStream, sent with the OCPP 2.1 Part 4 SEND
    message type, MessageTypeId 6, which has no reply) are left out; naming one raises
    ``ValueError``, as does an unknown action.
    """
    return _responses(Version(version), action)


def messages(version: Version | str, action: str | None = None) -> SearchStrategy[Any]:
    """Valid requests or responses of ``action`` in ``version`` (any action if ``None``)."""
    v = Version(version)
    if any(spec.response is None for spec in _specs(v, action)) and action is not None:
        return requests(v, action)
    return st.one_of(requests(v, action), responses(v, action))
