"""The transaction bookkeeping of a station-side adapter: sans-IO, bounded, purged.

A 1.x CSMS assigns an integer transaction id in StartTransaction.conf (OCPP 1.6 section
4.8); generic code names transactions by a string id it chooses, as 2.0.1 does (OCPP 2.0.1
Part 2, E01). :class:`TransactionMap` binds the two, remembers the EVSE of each transaction
(1.x MeterValues needs it on every message) and counts 2.0.1 ``seqNo`` values
(TransactionEventRequest ``seqNo``: 0 for a transaction's first event, one more for each
next event).

Bounds: an entry is purged when its transaction ends (the adapter calls :meth:`end` when it
converts the ``Ended`` event); at most ``max_size`` entries are kept, the least recently used
evicted first; and, given a ``now`` (seconds from any monotonic clock, passed in: no clock is
read here), entries unused for ``max_idle`` seconds expire. ``evicted`` and ``expired`` count
what the bounds removed, so a caller can alert on them.

A station restarting with transactions in progress restores them with :meth:`restore`.
"""

import collections
from collections.abc import Iterator

import attrs


@attrs.define
class TransactionEntry:
    """What the adapter remembers of one transaction."""

    transaction_id: str  #: the generic id
    wire_id: int | None = None  #: the 1.x integer id; ``None`` until the CSMS assigned it
    evse_id: int | None = None
    connector_id: int | None = None
    next_seq_no: int = 0  #: the 2.0.1 ``seqNo`` of the next event
    last_used: float | None = None  #: the ``now`` of the last use, if one was given


class TransactionMap:
    """Generic transaction ids <-> 1.x integer ids, EVSEs and 2.0.1 sequence numbers."""

    def __init__(self, *, max_size: int = 1024, max_idle: float | None = 7 * 24 * 3600.0) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.max_size = max_size
        self.max_idle = max_idle
        self._entries: collections.OrderedDict[str, TransactionEntry] = collections.OrderedDict()
        self._by_wire: dict[int, str] = {}
        self.evicted = 0  #: entries removed by the size bound
        self.expired = 0  #: entries removed by the age bound

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, transaction_id: object) -> bool:
        return transaction_id in self._entries

    def __iter__(self) -> Iterator[TransactionEntry]:
        """The entries, least recently used first (a snapshot)."""
        return iter(list(self._entries.values()))

    # -- bounds ---------------------------------------------------------------------------

    def expire(self, now: float) -> tuple[TransactionEntry, ...]:
        """Remove and return the entries unused for more than ``max_idle`` seconds (checked
        from the least recently used; an entry used without a ``now`` stops the scan)."""
        if self.max_idle is None:
            return ()
        # Least recently used first: with a monotonic ``now`` the stale entries lead.
        stale = []
        for entry in self._entries.values():
            if entry.last_used is None or now - entry.last_used <= self.max_idle:
                break
            stale.append(entry)
        for entry in stale:
            self._remove(entry.transaction_id)
        self.expired += len(stale)
        return tuple(stale)

    def _touch(self, entry: TransactionEntry, now: float | None) -> None:
        self._entries.move_to_end(entry.transaction_id)
        if now is not None:
            entry.last_used = now

    def _remove(self, transaction_id: str) -> TransactionEntry | None:
        entry = self._entries.pop(transaction_id, None)
        if (entry is not None and entry.wire_id is not None
                and self._by_wire.get(entry.wire_id) == transaction_id):
            del self._by_wire[entry.wire_id]
        return entry

    def _insert(self, entry: TransactionEntry, now: float | None) -> TransactionEntry:
        if now is not None:
            self.expire(now)
        self._remove(entry.transaction_id)
        self._entries[entry.transaction_id] = entry
        if entry.wire_id is not None:
            self._claim_wire_id(entry)
        self._touch(entry, now)
        while len(self._entries) > self.max_size:
            oldest = next(iter(self._entries))
            self._remove(oldest)
            self.evicted += 1
        return entry

    def _claim_wire_id(self, entry: TransactionEntry) -> None:
        assert entry.wire_id is not None
        previous = self._by_wire.get(entry.wire_id)
        if previous is not None and previous != entry.transaction_id:
            # The CSMS reuses an integer id: the older transaction cannot be named any more.
            self._remove(previous)
        self._by_wire[entry.wire_id] = entry.transaction_id

    # -- use ------------------------------------------------------------------------------

    def start(self, transaction_id: str, *, evse_id: int | None = None,
              connector_id: int | None = None, now: float | None = None) -> TransactionEntry:
        """Record a new transaction (replacing any entry with the same id)."""
        entry = TransactionEntry(transaction_id=transaction_id, evse_id=evse_id,
                                 connector_id=connector_id)
        return self._insert(entry, now)

    def restore(self, entry: TransactionEntry, now: float | None = None) -> TransactionEntry:
        """Put back a transaction known from before a restart (its ids, EVSE, next seqNo)."""
        return self._insert(attrs.evolve(entry), now)

    def bind(self, transaction_id: str, wire_id: int, now: float | None = None) -> TransactionEntry:
        """Bind a transaction to the integer id its CSMS assigned (creating the entry if the
        bounds removed it meanwhile)."""
        entry = self.get(transaction_id, now)
        if entry is None:
            return self._insert(TransactionEntry(transaction_id=transaction_id, wire_id=wire_id),
                                now)
        if entry.wire_id is not None and self._by_wire.get(entry.wire_id) == transaction_id:
            del self._by_wire[entry.wire_id]
        entry.wire_id = wire_id
        self._claim_wire_id(entry)
        return entry

    def get(self, transaction_id: str, now: float | None = None) -> TransactionEntry | None:
        """The entry of a generic id (marking it used), or ``None``."""
        if now is not None:
            self.expire(now)
        entry = self._entries.get(transaction_id)
        if entry is not None:
            self._touch(entry, now)
        return entry

    def find_wire_id(self, wire_id: int, now: float | None = None) -> TransactionEntry | None:
        """The entry bound to a 1.x integer id (marking it used), or ``None``."""
        if now is not None:
            self.expire(now)
        transaction_id = self._by_wire.get(wire_id)
        return None if transaction_id is None else self.get(transaction_id, now)

    def take_seq_no(self, entry: TransactionEntry) -> int:
        """The 2.0.1 ``seqNo`` for the entry's next event (and count it)."""
        seq_no = entry.next_seq_no
        entry.next_seq_no += 1
        return seq_no

    def end(self, transaction_id: str) -> TransactionEntry | None:
        """Purge a transaction that ended; returns its entry, if it was known."""
        return self._remove(transaction_id)

    def clear(self) -> None:
        """Forget every transaction (the counters are kept)."""
        self._entries.clear()
        self._by_wire.clear()
