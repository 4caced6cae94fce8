"""Payload validation against the official schemas, with per-version error codes.

Validators are compiled with fastjsonschema from the generated ``schemas.json`` of each version
(the OCA schemas with the overlays of ``tools/codegen/overlays.py``; for 1.5 derived from the
WSDL), once per (version, action, request/response, profile), on first use.

Strict is the default. A :class:`Profile` relaxes named rules for real devices that deviate;
a :class:`ValidationPolicy` chooses the profile per direction (inbound/outbound), action and
message kind. A failure raises :class:`ValidationError` carrying the CALLERROR code of the
version, the JSON path and the rule broken.

Error mapping (both tables of :mod:`ocpp_sansio.errors`):

=====================================================  ==========================================
rule broken                                            violation (1.6 / 2.0.1 spelling)
=====================================================  ==========================================
payload not an object, unknown property                FORMAT (FormationViolation / FormatViolation)
required missing, minItems, maxItems                   OCCURRENCE (Occurence... / Occurrence...)
enum, maxLength, minLength, minimum, maximum,          PROPERTY (PropertyConstraintViolation)
multipleOf, pattern
wrong JSON type, malformed date-time                   TYPE (TypeConstraintViolation)
=====================================================  ==========================================
"""

import copy
import datetime
import importlib.resources
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Literal

import attrs
import fastjsonschema
import orjson

from .errors import ErrorCode, Violation, code_for
from .version import Version

Kind = Literal["request", "response"]
Flow = Literal["inbound", "outbound"]

# RFC 3339 section 5.6 date-time; the calendar check is done by datetime.fromisoformat.
_RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)\Z", re.ASCII
)
# Lenient: the offset may be missing (read as UTC by the codec), a space may separate date and time.
_LENIENT_DT = re.compile(
    r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:?\d\d)?\Z", re.ASCII
)


def _date_time_format(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    match = pattern.match
    parse = datetime.datetime.fromisoformat

    def check(value: str) -> bool:
        if not match(value):
            return False
        try:
            parse(value)
        except ValueError:
            try:  # lower-case "t"/"z" are valid RFC 3339 that fromisoformat rejects
                parse(value.upper())
            except ValueError:
                return False
        return True

    return check


@attrs.frozen(cache_hash=True)
class Profile:
    """A set of validation rules. Each flag relaxes one rule of the official schemas.

    ``STRICT`` relaxes nothing. ``LENIENT`` is the documented profile for deviations seen in
    real devices: unknown properties are accepted and kept (in ``extra_fields`` of the decoded
    object, and written back on encode), string length limits are ignored, and date-times may
    lack their UTC offset (read as UTC) or use a space for ``T``. ``OFF`` skips validation.
    """

    name: str
    enabled: bool = True
    allow_unknown_properties: bool = False
    ignore_max_length: bool = False
    allow_missing_offset: bool = False


STRICT = Profile("strict")
LENIENT = Profile(
    "lenient", allow_unknown_properties=True, ignore_max_length=True, allow_missing_offset=True
)
OFF = Profile("off", enabled=False)

_PolicyKey = tuple[Flow | None, str | None, Kind | None]


@attrs.frozen
class ValidationPolicy:
    """Which :class:`Profile` applies to a message.

    ``overrides`` maps ``(flow, action, kind)`` to a profile; any element may be ``None`` to
    match everything. The most specific match wins (action over flow over kind); otherwise
    ``inbound`` or ``outbound`` applies.
    """

    inbound: Profile = STRICT
    outbound: Profile = STRICT
    overrides: Mapping[_PolicyKey, Profile] = attrs.field(factory=dict)

    def profile(self, flow: Flow, action: str, kind: Kind) -> Profile:
        if self.overrides:
            for key in (
                (flow, action, kind), (flow, action, None), (None, action, kind),
                (None, action, None), (flow, None, kind), (flow, None, None),
                (None, None, kind), (None, None, None),
            ):
                found = self.overrides.get(key)
                if found is not None:
                    return found
        return self.inbound if flow == "inbound" else self.outbound


STRICT_POLICY = ValidationPolicy()
LENIENT_POLICY = ValidationPolicy(inbound=LENIENT)


class ValidationError(Exception):
    """A payload broke a rule of its schema.

    ``code`` is the CALLERROR code to send in the payload's version; ``path`` a JSON path
    (``$.meterValue[0].sampledValue``); ``rule`` the JSON-Schema keyword broken.
    """

    def __init__(
        self, version: Version, action: str, kind: Kind, *, violation: Violation, path: str,
        rule: str, message: str,
    ) -> None:
        super().__init__(f"{action} {kind} ({version.value}): {message}")
        self.version = version
        self.action = action
        self.kind = kind
        self.violation = violation
        self.code: ErrorCode = code_for(version, violation)
        self.path = path
        self.rule = rule
        self.message = message


_VIOLATION = {
    "required": Violation.OCCURRENCE,
    "minItems": Violation.OCCURRENCE,
    "maxItems": Violation.OCCURRENCE,
    "enum": Violation.PROPERTY,
    "const": Violation.PROPERTY,
    "maxLength": Violation.PROPERTY,
    "minLength": Violation.PROPERTY,
    "minimum": Violation.PROPERTY,
    "maximum": Violation.PROPERTY,
    "exclusiveMinimum": Violation.PROPERTY,
    "exclusiveMaximum": Violation.PROPERTY,
    "multipleOf": Violation.PROPERTY,
    "pattern": Violation.PROPERTY,
    "type": Violation.TYPE,
    "format": Violation.TYPE,
}


def _json_path(parts: list[str]) -> str:
    out = "$"
    for p in parts[1:]:
        out += f"[{p}]" if p.isdigit() else f".{p}"
    return out


@cache
def _schemas(version: Version) -> dict[str, dict[str, Any]]:
    package = importlib.resources.files(version.module)
    data: dict[str, Any] = orjson.loads(package.joinpath("schemas.json").read_bytes())
    actions: dict[str, dict[str, Any]] = data["actions"]
    return actions


def _relax(node: Any, profile: Profile) -> Any:
    if isinstance(node, list):
        return [_relax(x, profile) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "additionalProperties" and profile.allow_unknown_properties:
            continue
        if key == "maxLength" and profile.ignore_max_length:
            continue
        out[key] = _relax(value, profile) if key != "enum" else value
    return out


def schema(version: Version, action: str, kind: Kind) -> dict[str, Any]:
    """The validation schema of one message (a copy; ``KeyError`` for an unknown one)."""
    return copy.deepcopy(_schemas(version)[action][kind])


Validator = Callable[[Any], Any]


@cache
def validator(version: Version, action: str, kind: Kind, profile: Profile = STRICT) -> Validator:
    """The compiled fastjsonschema function for one message under ``profile``."""
    definition = _schemas(version)[action][kind]
    if profile != STRICT:
        definition = _relax(definition, profile)
    dt = _date_time_format(_LENIENT_DT if profile.allow_missing_offset else _RFC3339)
    compiled: Validator = fastjsonschema.compile(
        definition, formats={"date-time": dt}, use_default=False, use_formats=True
    )
    return compiled


_VALIDATORS: dict[tuple[Version, str, Kind, Profile], Validator] = {}


def validate(
    version: Version, action: str, kind: Kind, payload: Any, profile: Profile = STRICT
) -> None:
    """Check ``payload`` (a decoded JSON value); raise :class:`ValidationError` if it fails."""
    if not profile.enabled:
        return
    fn = _VALIDATORS.get((version, action, kind, profile))
    if fn is None:
        fn = _VALIDATORS[version, action, kind, profile] = validator(version, action, kind, profile)
    try:
        fn(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _error(version, action, kind, exc) from None


def _error(
    version: Version, action: str, kind: Kind, exc: fastjsonschema.JsonSchemaValueException
) -> ValidationError:
    rule = exc.rule or "unknown"
    parts = exc.path
    if len(parts) <= 1 and rule == "type":
        violation = Violation.FORMAT  # the payload itself is not an object
    else:
        violation = _VIOLATION.get(rule, Violation.FORMAT)
    message = exc.message.replace("data", "$", 1) if exc.message.startswith("data") else exc.message
    return ValidationError(
        version, action, kind, violation=violation, path=_json_path(parts), rule=rule,
        message=message,
    )
