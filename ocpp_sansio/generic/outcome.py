"""What a conversion between a generic message and a version message gives back.

Every conversion returns one of two things, never raises for something a version cannot say
and never drops a value without saying so:

- :class:`Converted`: the converted message, with :attr:`Converted.lost` listing every value of
  the source that did not reach the target unchanged (:class:`Loss`, one per field path, with
  its :class:`LossKind`). An empty tuple means the conversion is exact.
- :class:`Unsupported`: the target cannot express the operation, or a value essential to it
  (which operation, which field, which version, why: :class:`UnsupportedReason`). For an
  inbound request it may carry the version-specific ``reply`` the connection should answer
  with (for example RemoteStopTransaction ``Rejected`` for a transaction id nobody knows).

Misuse of the API itself (converting a response without the request it answers, sending a
request the role never sends, a value that is not a message) raises
:class:`GenericUsageError`, a local error.
"""

import enum
from typing import Any, Generic, TypeVar

import attrs

from ..version import Version

T = TypeVar("T")


class LossKind(enum.StrEnum):
    """How a value of the source fails to reach the target unchanged."""

    #: the target has no place for the value; it is not sent (still readable on the source,
    #: and on the generic side through ``version_message``)
    DROPPED = "dropped"
    #: the value was replaced by the nearest value the target can express
    APPROXIMATED = "approximated"
    #: the target requires a value the source did not give; the documented default was used
    DEFAULTED = "defaulted"
    #: same meaning, other representation (a unit multiplier folded into the value, a
    #: spelling variant): a round trip gives an equivalent, not an identical, value
    NORMALIZED = "normalized"


@attrs.frozen
class Loss:
    """One value that did not reach the target unchanged.

    ``path`` names the value in the *source* message by attribute names, with list indices:
    ``status_info``, ``meter_values[0].sampled_values[2]``, ``custom_data``.
    """

    path: str
    kind: LossKind
    detail: str = ""


class UnsupportedReason(enum.StrEnum):
    """Why a conversion is impossible."""

    #: the version has no such operation (e.g. SetChargingProfile in 1.5)
    OPERATION = "operation"
    #: a field carries something essential the version has no place for
    FIELD = "field"
    #: a value the version cannot express and that has no acceptable approximation
    VALUE = "value"
    #: the version requires a field the message leaves empty, and no neutral default exists
    MISSING = "missing"
    #: the transaction id is not known to the adapter's :class:`TransactionMap`
    UNKNOWN_TRANSACTION = "unknown-transaction"
    #: the 1.x transaction id is not assigned yet (StartTransaction.conf not received):
    #: convert again once it is
    PENDING_TRANSACTION = "pending-transaction"


@attrs.frozen(kw_only=True)
class Unsupported:
    """A typed refusal: ``operation`` cannot be converted to or from ``version``.

    ``operation`` is the generic operation name (or the version's action name when a version
    message has no generic counterpart); ``field`` the offending field path, if one is to
    blame; ``detail`` says why in words. ``reply``, for an inbound version request only, is
    the version response that answers it correctly (else the connection answers with a
    CALLERROR ``NotSupported``, or hands the version message to the application as is).
    """

    operation: str
    version: Version
    reason: UnsupportedReason
    field: str | None = None
    detail: str = ""
    reply: Any = None


@attrs.frozen
class Converted(Generic[T]):
    """A successful conversion: the ``message`` and the values ``lost`` on the way."""

    message: T
    lost: tuple[Loss, ...] = ()

    @property
    def exact(self) -> bool:
        """Whether nothing was dropped, approximated, defaulted or normalized."""
        return not self.lost


class GenericUsageError(Exception):
    """Local error: the generic API was misused (wrong role, missing request context, a value
    that is not a message of the generic model or of the adapter's version)."""
