"""Python names for wire names, decided once at generation time.

The generated modules record the exact wire name of every field, so these rules only need to
produce valid, unique, readable identifiers; they never run on the wire.
"""

from __future__ import annotations

import keyword
import re

_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM_WORD = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NOT_IDENT = re.compile(r"[^0-9A-Za-z_]")

#: attribute every generated class carries for fields kept by a lenient policy
EXTRA_FIELDS = "extra_fields"


def snake(wire: str) -> str:
    """``chargePointVendor`` -> ``charge_point_vendor``; ``receiptURL`` -> ``receipt_url``."""
    name = _ACRONYM_WORD.sub(r"\1_\2", _LOWER_UPPER.sub(r"\1_\2", wire))
    name = _NOT_IDENT.sub("_", name).lower()
    name = re.sub("_+", "_", name).strip("_") or "field"
    if name[0].isdigit():
        name = "f_" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name == EXTRA_FIELDS:
        name += "_"
    return name


def enum_member(value: str) -> str:
    """The member name of an enum value: the value itself where it is an identifier.

    ``"Available"`` -> ``Available``, ``"L1-N"`` -> ``L1_N``, ``"None"`` -> ``None_``,
    ``"Energy.Active.Import.Register"`` -> ``Energy_Active_Import_Register``.
    """
    name = _NOT_IDENT.sub("_", value) or "EMPTY"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name) or name in {"name", "value", "mro"} or name.startswith("__"):
        name += "_"
    return name


def class_name(*parts: str) -> str:
    """A CamelCase class name from property names: ``("meter", "value")`` -> ``MeterValue``."""
    return "".join(p[:1].upper() + p[1:] for p in parts if p)

