"""Which connection currently serves each station identity, and what to do with a second one.

OCPP-J makes the identity a property of the connection (1.6 section 4.2 / 2.0.1 Part 4 section
4.2 note: "Every message is sent by or directed at this identity"), so a CSMS must hold at most
one live connection per identity. When a station connects again while its old connection still
looks alive (a half-open TCP connection after a network change, a reboot), the CSMS either
replaces the old connection (the usual choice: the station is right there, the old transport
is most likely dead) or refuses the newcomer.

:class:`ConnectionRegistry` is pure bookkeeping over any connection handle; the binding asks it
*after* the application accepted the credentials (so that an unauthenticated client can never
evict a station), then acts on the :class:`Admission`.
"""

import enum
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

import attrs

__all__ = ["Admission", "ConnectionRegistry", "DuplicatePolicy"]

T = TypeVar("T")

#: close code and reason for a connection replaced by a newer one of the same station
REPLACED_CLOSE_CODE = 1000
REPLACED_CLOSE_REASON = "replaced by a newer connection of this station"


class DuplicatePolicy(enum.Enum):
    """What to do with a second connection of an identity that is already connected."""

    #: admit the new connection; close the old one (``Admission.evict``)
    REPLACE_OLD = "replace-old"
    #: refuse the new connection (HTTP 409) while the old one lives
    REJECT_NEW = "reject-new"


@attrs.frozen(kw_only=True)
class Admission(Generic[T]):
    """The registry's answer for a new connection."""

    admitted: bool
    #: the previous connection of the identity, to close with ``close_code`` / ``close_reason``
    evict: T | None = None
    #: HTTP status to refuse the new connection with, when not admitted
    status: int | None = None
    reason: str = ""
    close_code: int = REPLACED_CLOSE_CODE
    close_reason: str = REPLACED_CLOSE_REASON


class ConnectionRegistry(Generic[T]):
    """Live connections by station identity, under a :class:`DuplicatePolicy`.

    ``key`` maps an identity to the registry key (e.g. ``str.casefold``: OCPP 2.0.1's
    identifierString is case-insensitive); identities are compared exactly by default.
    ``max_connections`` bounds the number of registered stations (refusals get HTTP 503).
    """

    def __init__(
        self,
        policy: DuplicatePolicy = DuplicatePolicy.REPLACE_OLD,
        *,
        max_connections: int | None = None,
        key: Callable[[str], str] | None = None,
    ) -> None:
        self._policy = policy
        self._max = max_connections
        self._key = key or (lambda identity: identity)
        self._live: dict[str, tuple[str, T]] = {}

    @property
    def policy(self) -> DuplicatePolicy:
        """The duplicate policy."""
        return self._policy

    def admit(self, identity: str, connection: T) -> Admission[T]:
        """Register ``connection`` for ``identity`` if the policy allows; the answer says whom
        to evict or with which HTTP status to refuse the newcomer."""
        key = self._key(identity)
        old = self._live[key][1] if key in self._live else None
        if old is connection:
            return Admission(admitted=True)
        if old is not None:
            if self._policy is DuplicatePolicy.REJECT_NEW:
                return Admission(
                    admitted=False, status=409, reason=f"{identity!r} is already connected"
                )
            self._live[key] = (identity, connection)
            return Admission(admitted=True, evict=old)
        if self._max is not None and len(self._live) >= self._max:
            return Admission(admitted=False, status=503, reason="too many connections")
        self._live[key] = (identity, connection)
        return Admission(admitted=True)

    def release(self, identity: str, connection: T) -> bool:
        """Forget ``connection`` when it ends; ``False`` (and nothing changes) when it is not
        the identity's current connection, e.g. after it was replaced."""
        key = self._key(identity)
        if key in self._live and self._live[key][1] is connection:
            del self._live[key]
            return True
        return False

    def get(self, identity: str) -> T | None:
        """The identity's live connection, if any."""
        entry = self._live.get(self._key(identity))
        return None if entry is None else entry[1]

    def __contains__(self, identity: object) -> bool:
        return isinstance(identity, str) and self._key(identity) in self._live

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[str]:
        """The connected identities, as their current connections gave them."""
        return iter([identity for identity, _ in self._live.values()])
