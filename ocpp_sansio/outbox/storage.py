"""The outbox's storage interface and the in-memory storage.

A storage keeps the durable part of the transaction-message queue: each queued message as
``(version, action, wire payload)`` plus two counters, and the table of 1.x transaction ids
learnt for placeholders. Messages are kept as wire JSON, not as Python objects, so a queue
written by one release of this library is read by the next (the wire format is the OCPP
specification's, and does not change with the code).

Every method is atomic: after it returns, either all of its change is stored or none of it
(for :class:`~ocpp_sansio.outbox.sqlite.SqliteStorage`, one SQL transaction per call). The
outbox relies on that for its crash guarantee: a message is removed from storage in the same
step that records its acknowledgement, so after a crash nothing acknowledged comes back.

:class:`Storage` is the interface (a ``typing.Protocol``); :class:`MemoryStorage` implements
it in memory (for tests, and for stations that accept losing the queue on a restart).
"""

import copy
from typing import Any, Protocol

import attrs

__all__ = ["MemoryStorage", "Storage", "StoredMessage", "substitute_transaction_id"]


@attrs.frozen(kw_only=True)
class StoredMessage:
    """One queued transaction message as stored.

    - ``seq``: its position in the queue, assigned by the storage on append; strictly
      increasing and never reused (not even after the message is removed).
    - ``version``, ``action``: the OCPP version (``"1.6"``) and action name.
    - ``payload``: the request's wire dict (what goes into the CALL).
    - ``attempts``: failures to process counted so far (OCPP 1.6 §3.7.1; 2.0.1 E13).
    - ``sends``: how many times it was handed to the connection (a message with ``sends > 0``
      may have reached the peer already).
    """

    seq: int
    version: str
    action: str
    payload: dict[str, Any]
    attempts: int = 0
    sends: int = 0


class Storage(Protocol):
    """What the outbox needs from a storage. Every method is atomic (see the module doc)."""

    def load(self) -> tuple[list[StoredMessage], dict[int, int | None]]:
        """All queued messages in queue order, and the placeholder -> transaction id table
        (``None``: the transaction id will never be known)."""
        ...

    def append(self, version: str, action: str, payload: dict[str, Any]) -> StoredMessage:
        """Store a new message at the tail of the queue and return it (with its ``seq``)."""
        ...

    def head(self) -> StoredMessage | None:
        """The first queued message, or ``None``."""
        ...

    def mark_sent(self, seq: int) -> None:
        """Record that message ``seq`` is being handed to the connection (``sends`` + 1)."""
        ...

    def record_failure(self, seq: int, attempts: int) -> None:
        """Set the failure count of message ``seq``."""
        ...

    def remove(self, seq: int) -> None:
        """Remove message ``seq`` (acknowledged, or dropped). Removing a missing one is a no-op."""
        ...

    def resolve(
        self, seq: int, placeholder: int, transaction_id: int | None, unknown_id: int
    ) -> None:
        """In one step: remove message ``seq`` (the StartTransaction), record
        ``placeholder -> transaction_id``, and substitute it in every queued message whose
        ``transactionId`` is ``placeholder`` (see :func:`substitute_transaction_id`)."""
        ...

    def close(self) -> None:
        """Release the storage's resources."""
        ...


def substitute_transaction_id(
    action: str,
    payload: dict[str, Any],
    placeholder: int,
    transaction_id: int | None,
    unknown_id: int,
) -> dict[str, Any] | None:
    """The payload with ``transactionId`` ``placeholder`` replaced, or ``None`` if it has none.

    ``transaction_id=None`` means the StartTransaction was dropped and the id will never be
    known: a MeterValues loses its (optional) ``transactionId``, a StopTransaction (where it is
    required) gets ``unknown_id``.
    """
    if payload.get("transactionId") != placeholder:
        return None
    new = dict(payload)
    if transaction_id is not None:
        new["transactionId"] = transaction_id
    elif action == "MeterValues":
        del new["transactionId"]
    else:
        new["transactionId"] = unknown_id
    return new


class MemoryStorage:
    """:class:`Storage` in memory. It survives the :class:`~ocpp_sansio.outbox.Outbox` that uses
    it (a new outbox on the same object resumes its queue), not the process."""

    def __init__(self) -> None:
        self._messages: dict[int, StoredMessage] = {}
        self._ids: dict[int, int | None] = {}
        self._last_seq = 0

    def load(self) -> tuple[list[StoredMessage], dict[int, int | None]]:
        return [self._messages[s] for s in sorted(self._messages)], dict(self._ids)

    def append(self, version: str, action: str, payload: dict[str, Any]) -> StoredMessage:
        self._last_seq += 1
        msg = StoredMessage(
            seq=self._last_seq, version=version, action=action, payload=copy.deepcopy(payload)
        )
        self._messages[msg.seq] = msg
        return msg

    def head(self) -> StoredMessage | None:
        return self._messages[min(self._messages)] if self._messages else None

    def mark_sent(self, seq: int) -> None:
        msg = self._messages[seq]
        self._messages[seq] = attrs.evolve(msg, sends=msg.sends + 1)

    def record_failure(self, seq: int, attempts: int) -> None:
        self._messages[seq] = attrs.evolve(self._messages[seq], attempts=attempts)

    def remove(self, seq: int) -> None:
        self._messages.pop(seq, None)

    def resolve(
        self, seq: int, placeholder: int, transaction_id: int | None, unknown_id: int
    ) -> None:
        self._messages.pop(seq, None)
        self._ids[placeholder] = transaction_id
        for msg in list(self._messages.values()):
            new = substitute_transaction_id(
                msg.action, msg.payload, placeholder, transaction_id, unknown_id
            )
            if new is not None:
                self._messages[msg.seq] = attrs.evolve(msg, payload=new)

    def close(self) -> None:
        pass
