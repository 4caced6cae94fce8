"""Deterministic sample messages for the interop tests: every field filled (``full``) or only
the required ones (``minimal``), within the schema's constraints and the WSDL's rules
(``ocpp_sansio.soap.body``: excluded enumeration values, minimum list lengths)."""

import datetime
import enum
import types
import typing
from typing import Any

import attrs

from ocpp_sansio import Version
from ocpp_sansio.soap import body as soap_body

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)


def _unwrap(tp: Any) -> tuple[Any, bool]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


def _scalar(tp: Any, meta: dict[str, Any], version: Version, depth: int) -> Any:
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        excluded = soap_body.WSDL_EXCLUDED_VALUES.get(version, {}).get(tp.__name__, ())
        return next(m for m in tp if m.value not in excluded)
    if tp is bool:
        return True
    if tp is int:
        low, high = meta.get("minimum", 0), meta.get("maximum", 1 << 31)
        return max(low, min(high, 7))
    if tp is float:
        low, high = meta.get("minimum", 0), meta.get("maximum", 1e9)
        return float(max(low, min(high, 12.5)))
    if tp is datetime.datetime:
        return NOW
    if tp is str:
        if meta.get("format") == "uri":
            return "http://example.com/file"
        size = max(meta.get("min_length", 1), min(meta.get("max_length", 12), 12))
        return ("abcdefghijkl" * 3)[:size]
    if attrs.has(tp):
        return sample(tp, version, full=True, _depth=depth + 1)
    if tp is Any:
        return "data"
    raise TypeError(tp)


def sample(cls: type[Any], version: Version, *, full: bool = True, _depth: int = 0) -> Any:
    """An instance of ``cls`` (a message or a datatype of ``version``)."""
    values: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for a in attrs.fields(cls):
        if a.metadata.get("extra"):
            continue
        tp, optional = _unwrap(hints[a.name])
        if optional and not full:
            continue
        meta = dict(a.metadata)
        if typing.get_origin(tp) is list:
            (item_tp,) = typing.get_args(tp)
            wire = meta.get("wire", "")
            count = max(1, meta.get("min_items", 0),
                        soap_body.WSDL_MIN_ITEMS.get(version, {}).get((cls.__name__, wire), 0))
            item_meta = dict(meta.get("item", {}))
            values[a.name] = [_scalar(item_tp, item_meta, version, _depth)
                              for _ in range(count)]
            continue
        values[a.name] = _scalar(tp, meta, version, _depth)
    return cls(**values)
