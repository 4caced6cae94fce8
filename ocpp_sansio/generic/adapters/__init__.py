"""Adapters translating generic messages to and from each version's messages.

One adapter per (version, role): :func:`adapter_for`. Every adapter satisfies
:class:`Adapter`:

- ``to_wire_message(generic, request=..., now=...)`` -> ``Converted[version message]`` or
  ``Unsupported``: a station converts the requests it sends and the responses it gives, a
  CSMS likewise (the role decides which operations are legal: misuse raises
  :class:`~ocpp_sansio.generic.outcome.GenericUsageError`);
- ``from_wire_message(version message, request=..., now=...)`` -> ``Converted[generic]`` or
  ``Unsupported``: requests received and responses to the requests sent.

A response converts in the context of the generic request it answers (``request=``). Results
validate against their version with :func:`ocpp_sansio.codec.encode`; the adapters do not
validate (string lengths and similar limits are the codec's to check).
"""

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ...version import Version
from ..common import GenericMessage, Role
from ..outcome import Converted, Unsupported
from ..txmap import TransactionMap
from .base import BaseAdapter, EnumMap
from .v1x import V1xAdapter
from .v2x import V2xAdapter
from .v15 import V15Adapter
from .v16 import V16Adapter
from .v21 import V21Adapter
from .v201 import V201Adapter

__all__ = [
    "ADAPTERS",
    "Adapter",
    "BaseAdapter",
    "EnumMap",
    "V1xAdapter",
    "V2xAdapter",
    "V15Adapter",
    "V16Adapter",
    "V21Adapter",
    "V201Adapter",
    "adapter_for",
]


class Adapter(Protocol):
    """What every version adapter offers."""

    @property
    def version(self) -> Version: ...

    role: Role
    transactions: TransactionMap

    def to_wire_message(self, message: Any, *, request: Any = None,
                        now: float | None = None) -> Converted[Any] | Unsupported: ...

    def from_wire_message(self, message: Any, *, request: Any = None,
                          now: float | None = None) -> Converted[GenericMessage] | Unsupported: ...


#: The adapter class of each version.
ADAPTERS: Mapping[Version, type[BaseAdapter]] = {
    Version.V15: V15Adapter,
    Version.V16: V16Adapter,
    Version.V201: V201Adapter,
    Version.V21: V21Adapter,
}


def adapter_for(version: Version, role: Role, *, transactions: TransactionMap | None = None,
                transaction_ids: Callable[[], int] | None = None) -> Adapter:
    """A new adapter for ``version`` on the ``role`` side.

    ``transactions``: the station-side bookkeeping to use (a fresh
    :class:`~ocpp_sansio.generic.txmap.TransactionMap` otherwise). ``transaction_ids``: 1.x
    CSMS side only, the source of the integer ids given in StartTransaction.conf (1, 2, 3...
    otherwise; a real CSMS passes its database sequence).
    """
    if version in (Version.V15, Version.V16):
        v1x: type[V1xAdapter] = V15Adapter if version is Version.V15 else V16Adapter
        return v1x(role, transactions=transactions, transaction_ids=transaction_ids)
    if transaction_ids is not None:
        raise ValueError("transaction_ids applies to 1.x only (2.x stations choose the ids)")
    v2x: type[V2xAdapter] = V201Adapter if version is Version.V201 else V21Adapter
    return v2x(role, transactions=transactions)
