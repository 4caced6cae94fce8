"""Documented corrections applied to the official schemas before anything is generated.

The spec files stay verbatim outside the project; every deviation from them lives here, with
the reason. Each overlay is a function ``(file stem, schema) -> None`` that edits the loaded
schema in place, and is listed in ``OVERLAYS`` with the version it applies to. The generated
``docs/generated/overlays.md`` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Schema = dict[str, Any]


def _sampled_value_items(stem: str, schema: Schema) -> Iterator[Schema]:
    """The ``sampledValue`` item schemas of 1.6 MeterValues and StopTransaction."""
    props = schema.get("properties", {})
    if stem == "MeterValues":
        meter_value = props["meterValue"]["items"]
    elif stem == "StopTransaction":
        meter_value = props["transactionData"]["items"]
    else:
        return
    yield meter_value["properties"]["sampledValue"]["items"]


def v16_unit_of_measure(stem: str, schema: Schema) -> None:
    """1.6 ``UnitOfMeasure``: accept ``Celsius`` and ``Hertz`` everywhere, keep ``Celcius``.

    The OCA JSON set spells the unit ``Celcius``; MeterValues also lists ``Celsius`` but
    StopTransaction does not, while the 1.6 WSDL and specification text have only ``Celsius``.
    ``Hertz`` was added by the 1.6 errata (v4.0) and is missing from both JSON files. The
    union keeps every device that follows any of these documents valid.
    """
    for item in _sampled_value_items(stem, schema):
        enum = item["properties"]["unit"]["enum"]
        for unit in ("Celsius", "Hertz"):
            if unit not in enum:
                enum.append(unit)


def v16_meter_value_min_items(stem: str, schema: Schema) -> None:
    """1.6 MeterValues: ``meterValue`` and every ``sampledValue`` carry at least one item.

    The specification gives both as 1..*; the OCA JSON schemas lack ``minItems``. The WSDL
    says 1..* for ``sampledValue`` but 0..* for ``meterValue``: the specification text wins.
    StopTransaction's ``transactionData`` stays 0..* (optional in every source), its
    ``sampledValue`` 1..* like MeterValues'.
    """
    props = schema.get("properties", {})
    if stem == "MeterValues":
        props["meterValue"]["minItems"] = 1
        props["meterValue"]["items"]["properties"]["sampledValue"]["minItems"] = 1
    elif stem == "StopTransaction":
        props["transactionData"]["items"]["properties"]["sampledValue"]["minItems"] = 1


def v16_decimal_multiple_of(stem: str, schema: Schema) -> None:
    """1.6 ``multipleOf 0.1`` (``limit``, ``minChargingRate``): kept, and checked exactly.

    Binary floating point rejects valid values (``8.1 / 0.1 = 80.99999999999999``). The
    schema is left as it is; the validator checks ``Decimal(repr(x))`` against
    ``Decimal("0.1")`` (fastjsonschema does so for float divisors), and the model records the
    step as the string ``"0.1"`` so strategies draw exact multiples. The WSDL expresses the
    same rule as ``decimal`` with ``fractionDigits 1``.
    """


def v201_exi_response_length(stem: str, schema: Schema) -> None:
    """Nothing is changed for 2.0.1 ``Get15118EVCertificateResponse.exiResponse``.

    Its ``maxLength`` of 5600 is known to be too small for real Plug & Charge responses (2.1
    raised it to 17000). Strict validation keeps the official limit; the lenient policy
    drops string length limits, which covers such devices.
    """


Overlay = Callable[[str, Schema], None]

#: version key -> overlays applied, in order, to every schema file of that version
OVERLAYS: dict[str, list[Overlay]] = {
    "v16": [v16_unit_of_measure, v16_meter_value_min_items, v16_decimal_multiple_of],
    "v201": [v201_exi_response_length],
}

#: schema keywords that only document; removed from the validation schemas we emit
DOC_KEYWORDS = frozenset({"description", "javaType", "comment", "title", "id", "$id"})


def strip_docs(node: Any) -> Any:
    """A copy of ``node`` without documentation keywords and without no-op keywords.

    Removed besides documentation: ``additionalProperties`` on non-object schemas and
    ``additionalItems`` next to a single-schema ``items`` (both are no-ops by the JSON Schema
    rules; the spec data README lists them).
    """
    if isinstance(node, list):
        return [strip_docs(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DOC_KEYWORDS and not isinstance(value, dict):
            continue
        if key == "additionalProperties" and node.get("type") not in (None, "object"):
            continue
        if key == "additionalItems" and isinstance(node.get("items"), dict):
            continue
        if key in ("properties", "definitions"):
            out[key] = {k: strip_docs(v) for k, v in value.items()}
        else:
            out[key] = strip_docs(value)
    return out


def describe() -> str:
    """Markdown listing every overlay with its documentation."""
    lines = ["# Overlays on the official schemas", "",
             "Generated by `tools/codegen` from `tools/codegen/overlays.py`; do not edit.", ""]
    for version, overlays in OVERLAYS.items():
        for overlay in overlays:
            doc = (overlay.__doc__ or "").strip().splitlines()
            lines += [f"## {version}: `{overlay.__name__}`", "", doc[0], ""]
            body = [line.strip() for line in doc[1:]]
            if any(body):
                lines += [" ".join(b for b in body if b), ""]
    return "\n".join(lines)
