"""OCPP-S call outcomes seen with the OCPP-J error vocabulary: faults <-> ``CallError``.

The bindings give OCPP-S applications the same handler and call API as OCPP-J, so a SOAP
fault and a CALLERROR must map onto each other:

- a handler raising :class:`~ocpp_sansio.rpc.CallError` gets the fault :func:`fault_for_error`
  makes (:func:`handler_failure` for anything else it raises, or a ``None`` answer);
- a fault received in answer to our call becomes :func:`error_for_fault`'s ``CallError``,
  whose ``code`` is the fault's first OCPP subcode (``IdentityMismatch``, ``ProtocolError``...)
  or, without one, the SOAP fault code (``MustUnderstand``, ``VersionMismatch``...).

OCPP-J 1.6 codes (OCPP-J 1.6 section 4.2.3, Table 7; 1.5 uses the same) map to the OCPP-S
subcode of the same meaning. The four payload codes (``FormationViolation``,
``PropertyConstraintViolation``, ``OccurenceConstraintViolation``,
``TypeConstraintViolation``) become ``ProtocolError`` with the OCPP-J code as second-level
subcode, the form :mod:`.connection` uses for payloads that break their schema; ``GenericError``
becomes ``InternalError`` with ``GenericError`` below it. A code of neither vocabulary is not a
valid answer: it becomes ``InternalError`` (the rule the OCPP-J engine applies to a handler's
unknown code).
"""

from ..errors import error_codes
from ..rpc.exceptions import CallError
from ..version import Version
from .faults import Fault, FaultCode, Subcode

__all__ = ["error_for_fault", "fault_for_error", "handler_failure", "soap_error_codes"]

_DIRECT = {
    "NotImplemented": (Subcode.NotSupported, ()),
    "NotSupported": (Subcode.NotSupported, ()),
    "InternalError": (Subcode.InternalError, ()),
    "ProtocolError": (Subcode.ProtocolError, ()),
    "SecurityError": (Subcode.SecurityError, ()),
    "IdentityMismatch": (Subcode.IdentityMismatch, ()),
    "GenericError": (Subcode.InternalError, ("GenericError",)),
    "FormationViolation": (Subcode.ProtocolError, ("FormationViolation",)),
    "PropertyConstraintViolation": (Subcode.ProtocolError, ("PropertyConstraintViolation",)),
    "OccurenceConstraintViolation": (Subcode.ProtocolError, ("OccurenceConstraintViolation",)),
    "TypeConstraintViolation": (Subcode.ProtocolError, ("TypeConstraintViolation",)),
}


def soap_error_codes(version: Version) -> frozenset[str]:
    """The codes a handler may raise on an OCPP-S connection of ``version``: the OCPP-S
    subcodes and the version's OCPP-J error codes."""
    return frozenset(s.value for s in Subcode) | frozenset(str(c) for c in error_codes(version))


def fault_for_error(error: CallError, version: Version, namespace: str) -> Fault:
    """The fault answering a call whose handler raised ``error``; subcodes in ``namespace``
    (the request's service namespace)."""
    found = _DIRECT.get(error.code) if error.code in soap_error_codes(version) else None
    if found is None:
        reason = f"handler raised an unknown error code {error.code!r}"
        if error.description:
            reason += f": {error.description}"
        return Fault.ocpp(Subcode.InternalError, reason, namespace)
    subcode, more = found
    return Fault.ocpp(subcode, error.description or error.code, namespace, *more)


def handler_failure(namespace: str, reason: str = "the handler failed") -> Fault:
    """The fault answering a call whose handler raised something else than ``CallError`` or
    answered nothing: ``Receiver`` / ``InternalError`` (the OCPP-J engine's handler failure)."""
    return Fault.ocpp(Subcode.InternalError, reason, namespace)


def error_for_fault(fault: Fault, *, action: str | None = None,
                    unique_id: str | None = None) -> CallError:
    """The :class:`CallError` for a fault received in answer to our call.

    ``details`` holds ``faultCode`` (``Sender``...), ``subcodes`` (every subcode's local name,
    outermost first) and, when the fault has one, ``detail`` (the ``env:Detail`` content).
    """
    code = fault.subcode or fault.code.value
    details: dict[str, object] = {
        "faultCode": fault.code.value,
        "subcodes": [q.name for q in fault.subcodes],
    }
    if fault.detail is not None:
        details["detail"] = fault.detail
    if fault.code is FaultCode.MustUnderstand and fault.not_understood:
        details["notUnderstood"] = [str(q) for q in fault.not_understood]
    return CallError(code, fault.reason, details, action=action, unique_id=unique_id)
