"""Fixtures for the model tests: reference validators independent of ``ocpp_sansio.validation``.

``official_validators`` validates with ``jsonschema`` against the OFFICIAL schema files of the
specification data (1.6 core and Security Whitepaper, 2.0.1, 2.1), located through its
``actions.json``; ``derived_validators`` does the same against our generated validation schemas
(``ocpp_sansio.validation.schema``), which is the only reference 1.5 has (there is no official
OCPP-J 1.5 schema; the model follows the 1.5 WSDL).

Both use ``jsonschema`` (not fastjsonschema, which ``ocpp_sansio.validation`` compiles with), the
draft each file declares (1.6 core: draft-04 with ``id``; the others: draft-06 with ``$id``),
and two deliberate adjustments:

- ``multipleOf`` is checked in decimal arithmetic (see :func:`decimal_multiple_of`);
- formats are checked strictly: ``date-time`` as RFC 3339 section 5.6 (``rfc3339-validator``),
  ``uri`` as an RFC 3986 absolute URI (scheme, colon, no whitespace or control characters).
"""

import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]  # no stubs installed
import pytest
from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped, unused-ignore]

from ocpp_sansio import Version
from ocpp_sansio.validation import Kind, schema

#: sections of the specification data's ``actions.json`` holding each version's schema files
SPEC_SECTIONS: dict[Version, tuple[str, ...]] = {
    Version.V16: ("1.6", "1.6-security"),
    Version.V201: ("2.0.1",),
    Version.V21: ("2.1",),
}

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]*\Z")


def decimal_multiple_of(
    validator: Any, step: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[Any]:
    """``multipleOf`` checked on the decimal text of the JSON number.

    ``jsonschema`` divides binary floats (``8.1 / 0.1 == 80.99999999999999``) and so rejects
    valid values. OCPP 1.6's ``multipleOf 0.1`` fields are decimals with one fractional digit
    (the 1.6 WSDL: ``decimal``, ``fractionDigits 1``; spec data README, 1.6 known issues), so
    the JSON number is read as the decimal it is written as (``Decimal(repr(x))``).
    """
    if not validator.is_type(instance, "number"):
        return
    if Decimal(repr(instance)) % Decimal(repr(step)) != 0:
        yield jsonschema.ValidationError(f"{instance!r} is not a multiple of {step}")


def _format_checker() -> Any:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(
        lambda value: not isinstance(value, str) or bool(validate_rfc3339(value))
    )
    checker.checks("uri")(lambda value: not isinstance(value, str) or bool(_URI.match(value)))
    return checker


_extend: Any = jsonschema.validators.extend
_DRAFTS: dict[str, Any] = {
    "http://json-schema.org/draft-04/schema#": _extend(
        jsonschema.Draft4Validator, {"multipleOf": decimal_multiple_of}
    ),
    "http://json-schema.org/draft-06/schema#": _extend(
        jsonschema.Draft6Validator, {"multipleOf": decimal_multiple_of}
    ),
}
FORMAT_CHECKER = _format_checker()

Validator = Any  # a jsonschema validator instance (jsonschema ships no type information)


def reference_validator(definition: dict[str, Any]) -> Validator:
    """A ``jsonschema`` validator for ``definition``, of the draft its ``$schema`` names."""
    cls = _DRAFTS[definition["$schema"]]
    cls.check_schema(definition)
    return cls(definition, format_checker=FORMAT_CHECKER)


class OfficialSchemas:
    """The official schema files of the specification data, by (version, action, kind)."""

    def __init__(self, spec_dir: Path) -> None:
        self.spec_dir = spec_dir
        index = json.loads((spec_dir / "actions.json").read_text())["versions"]
        self.files: dict[tuple[Version, str, Kind], Path] = {}
        for version, sections in SPEC_SECTIONS.items():
            for section in sections:
                for action, entry in index[section]["actions"].items():
                    for kind in ("request", "response"):
                        if entry.get(kind):
                            self.files[version, action, kind] = spec_dir / entry[kind]
        self.validator = cache(self._validator)

    def load(self, version: Version, action: str, kind: Kind) -> dict[str, Any]:
        """The official schema, as published."""
        data: dict[str, Any] = json.loads(self.files[version, action, kind].read_bytes())
        return data

    def _validator(self, version: Version, action: str, kind: Kind) -> Validator:
        return reference_validator(self.load(version, action, kind))


@pytest.fixture(scope="session")
def official_validators(spec_dir: Path) -> OfficialSchemas:
    """Reference validators for the official 1.6, 2.0.1 and 2.1 schema files."""
    return OfficialSchemas(spec_dir)


@pytest.fixture(scope="session")
def derived_validators() -> Callable[[Version, str, Kind], Validator]:
    """Reference validators for our generated validation schemas (the 1.5 reference)."""

    @cache
    def make(version: Version, action: str, kind: Kind) -> Validator:
        return reference_validator(schema(version, action, kind))

    return make
