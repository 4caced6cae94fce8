"""OCPP-J RPC error codes, per version, exactly as each specification spells them.

- OCPP-J 1.6, section 4.2.3 "CallError", table "Valid Error Codes": ``FormationViolation`` and
  ``OccurenceConstraintViolation`` (sic). OCPP-J 1.5 was never finalised; its drafts and every
  1.5 JSON peer use the 1.6 table, so 1.5 does too.
- OCPP 2.0.1 Part 4 (OCPP-J), section 4.3 "CallError", table "Valid Error Codes": adds
  ``FormatViolation``, ``OccurrenceConstraintViolation``, ``MessageTypeNotSupported`` and
  ``RpcFrameworkError``; OCPP 2.1 Part 4 keeps the same table.

:class:`Violation` names the kind of payload fault independently of version; :func:`code_for`
spells it for a version.
"""

import enum

from .version import Version


class ErrorCode16(enum.StrEnum):
    """CALLERROR codes of OCPP-J 1.6 (used for 1.5 too)."""

    NotImplemented = "NotImplemented"  #: requested Action is not known by receiver
    NotSupported = "NotSupported"  #: requested Action is recognized but not supported
    InternalError = "InternalError"  #: internal error, receiver could not process the Action
    ProtocolError = "ProtocolError"  #: payload for Action is incomplete
    SecurityError = "SecurityError"  #: a security issue prevented completing the Action
    #: payload is syntactically incorrect or does not conform to the PDU structure
    FormationViolation = "FormationViolation"
    #: payload syntactically correct, but a field contains an invalid value
    PropertyConstraintViolation = "PropertyConstraintViolation"
    #: payload syntactically correct, but a field violates occurrence constraints
    OccurenceConstraintViolation = "OccurenceConstraintViolation"
    #: payload syntactically correct, but a field violates data type constraints
    TypeConstraintViolation = "TypeConstraintViolation"
    GenericError = "GenericError"  #: any other error


class ErrorCode201(enum.StrEnum):
    """CALLERROR codes of OCPP-J 2.0.1 and 2.1."""

    FormatViolation = "FormatViolation"  #: payload for Action is syntactically incorrect
    GenericError = "GenericError"  #: any other error
    InternalError = "InternalError"  #: internal error, receiver could not process the Action
    #: a message with a MessageTypeId not supported by this implementation
    MessageTypeNotSupported = "MessageTypeNotSupported"
    NotImplemented = "NotImplemented"  #: requested Action is not known by receiver
    NotSupported = "NotSupported"  #: requested Action is recognized but not supported
    #: payload syntactically correct, but a field violates occurrence constraints
    OccurrenceConstraintViolation = "OccurrenceConstraintViolation"
    #: payload syntactically correct, but a field contains an invalid value
    PropertyConstraintViolation = "PropertyConstraintViolation"
    ProtocolError = "ProtocolError"  #: payload for Action does not conform to the PDU structure
    #: content of the call is not a valid RPC request, e.g. the MessageId could not be read
    RpcFrameworkError = "RpcFrameworkError"
    SecurityError = "SecurityError"  #: a security issue prevented completing the Action
    #: payload syntactically correct, but a field violates data type constraints
    TypeConstraintViolation = "TypeConstraintViolation"


ErrorCode = ErrorCode16 | ErrorCode201


def error_codes(version: Version) -> type[ErrorCode16] | type[ErrorCode201]:
    """The error code enumeration a version's CALLERRORs use."""
    return ErrorCode16 if version in (Version.V15, Version.V16) else ErrorCode201


class Violation(enum.Enum):
    """Kinds of payload fault, as the error code tables distinguish them."""

    FORMAT = "format"  #: not the PDU's structure (not an object, unknown property)
    OCCURRENCE = "occurrence"  #: a required field missing, too few or too many items
    PROPERTY = "property"  #: a value out of its allowed set or range (enum, length, bounds)
    TYPE = "type"  #: a value of the wrong data type (including a malformed date-time)


_CODES: dict[Violation, tuple[str, str]] = {
    Violation.FORMAT: ("FormationViolation", "FormatViolation"),
    Violation.OCCURRENCE: ("OccurenceConstraintViolation", "OccurrenceConstraintViolation"),
    Violation.PROPERTY: ("PropertyConstraintViolation", "PropertyConstraintViolation"),
    Violation.TYPE: ("TypeConstraintViolation", "TypeConstraintViolation"),
}


def code_for(version: Version, violation: Violation) -> ErrorCode:
    """The CALLERROR code for ``violation`` in ``version``'s spelling."""
    old, new = _CODES[violation]
    if version in (Version.V15, Version.V16):
        return ErrorCode16(old)
    return ErrorCode201(new)
