"""Durable outbox for transaction-related messages, sans-IO (floor 2).

- :mod:`.outbox`: :class:`Outbox`, the queueing, ordering, retry and drop rules (OCPP 1.5 /
  1.6 §3.7 and §3.7.1; 2.0.1 / 2.1 E12, E13), its events and exceptions;
- :mod:`.storage`: the :class:`Storage` interface and :class:`MemoryStorage`;
- :mod:`.sqlite`: :class:`SqliteStorage` (WAL, ``synchronous=FULL``), the default for
  stations that must survive a restart.

See ``docs/outbox.md``.
"""

from .outbox import (
    PLACEHOLDER_BASE,
    Delivered,
    Dropped,
    Event,
    Failed,
    Offline,
    Outbox,
    OutboxError,
    Ref,
    Retrying,
    SendNow,
    Ticket,
    TransactionIdAssigned,
    TransactionIdUnknown,
    is_transaction_message,
    placeholder_for,
)
from .sqlite import SCHEMA_VERSION, SchemaError, SqliteStorage
from .storage import MemoryStorage, Storage, StoredMessage, substitute_transaction_id

__all__ = [
    "PLACEHOLDER_BASE",
    "SCHEMA_VERSION",
    "Delivered",
    "Dropped",
    "Event",
    "Failed",
    "MemoryStorage",
    "Offline",
    "Outbox",
    "OutboxError",
    "Ref",
    "Retrying",
    "SchemaError",
    "SendNow",
    "SqliteStorage",
    "Storage",
    "StoredMessage",
    "Ticket",
    "TransactionIdAssigned",
    "TransactionIdUnknown",
    "is_transaction_message",
    "placeholder_for",
    "substitute_transaction_id",
]
