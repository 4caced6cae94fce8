"""TransactionMap: bounded by size (LRU) and by idle time, purged explicitly, ids consistent."""

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ocpp_sansio.generic import TransactionEntry, TransactionMap


def test_bind_and_lookup_both_ways() -> None:
    tm = TransactionMap()
    tm.start("a", evse_id=2)
    assert tm.get("a") is not None and tm.get("a").wire_id is None  # type: ignore[union-attr]
    tm.bind("a", 17)
    entry = tm.find_wire_id(17)
    assert entry is not None and entry.transaction_id == "a" and entry.evse_id == 2
    assert tm.end("a") is entry
    assert tm.find_wire_id(17) is None and "a" not in tm and len(tm) == 0


def test_size_bound_evicts_least_recently_used() -> None:
    tm = TransactionMap(max_size=2)
    tm.start("a")
    tm.start("b")
    tm.get("a")  # "b" is now the least recently used
    tm.start("c")
    assert [e.transaction_id for e in tm] == ["a", "c"]
    assert tm.evicted == 1


def test_idle_bound_expires_with_now_passed_in() -> None:
    tm = TransactionMap(max_idle=10.0)
    tm.start("a", now=0.0)
    tm.start("b", now=5.0)
    tm.bind("b", 1, now=6.0)
    assert tm.get("a", now=10.0) is not None  # used at 10: fresh again
    assert tm.get("b", now=15.0) is not None  # idle 9 s: kept, used again at 15
    assert tm.expire(now=20.0) == ()  # a idle 10 s, b 5 s: nothing beyond the bound
    assert [e.transaction_id for e in tm.expire(now=20.5)] == ["a"]
    assert tm.get("b", now=25.5) is None  # idle 10.5 s: expired on access
    assert tm.expired == 2 and tm.find_wire_id(1) is None and len(tm) == 0


def test_reused_wire_id_forgets_the_older_transaction() -> None:
    tm = TransactionMap()
    tm.bind("old", 5)
    tm.bind("new", 5)
    assert "old" not in tm
    entry = tm.find_wire_id(5)
    assert entry is not None and entry.transaction_id == "new"


def test_restore_and_sequence_numbers() -> None:
    tm = TransactionMap()
    entry = tm.restore(TransactionEntry(transaction_id="t", wire_id=3, next_seq_no=7))
    assert tm.take_seq_no(entry) == 7 and tm.take_seq_no(entry) == 8
    assert tm.find_wire_id(3) is entry


def test_invalid_size() -> None:
    with pytest.raises(ValueError, match="max_size"):
        TransactionMap(max_size=0)


class TransactionMapMachine(RuleBasedStateMachine):
    """Random starts, binds, uses, ends and clock steps against a plain model."""

    MAX_SIZE = 4
    MAX_IDLE = 100.0

    def __init__(self) -> None:
        super().__init__()
        self.tm = TransactionMap(max_size=self.MAX_SIZE, max_idle=self.MAX_IDLE)
        self.now = 0.0
        self.ended: set[str] = set()

    ids = st.sampled_from(["t1", "t2", "t3", "t4", "t5", "t6"])

    @rule(tid=ids)
    def start(self, tid: str) -> None:
        self.tm.start(tid, evse_id=1, now=self.now)
        self.ended.discard(tid)
        assert tid in self.tm

    @rule(tid=ids, wire=st.integers(1, 8))
    def bind(self, tid: str, wire: int) -> None:
        entry = self.tm.bind(tid, wire, now=self.now)  # (re)creates the entry if needed
        self.ended.discard(tid)
        assert entry.wire_id == wire
        assert self.tm.find_wire_id(wire, now=self.now) is entry

    @rule(tid=ids)
    def end(self, tid: str) -> None:
        self.tm.end(tid)
        self.ended.add(tid)
        assert tid not in self.tm

    @rule(step=st.floats(0, 150))
    def advance(self, step: float) -> None:
        self.now += step
        self.tm.expire(self.now)

    @precondition(lambda self: len(self.tm) > 0)
    @rule()
    def use_oldest(self) -> None:
        oldest = next(iter(self.tm))
        assert self.tm.get(oldest.transaction_id, now=self.now) is oldest

    @invariant()
    def bounded(self) -> None:
        assert len(self.tm) <= self.MAX_SIZE

    @invariant()
    def ended_are_purged(self) -> None:
        assert not any(tid in self.tm for tid in self.ended)

    @invariant()
    def wire_index_consistent(self) -> None:
        entries = list(self.tm)
        wire_ids = [e.wire_id for e in entries if e.wire_id is not None]
        assert len(wire_ids) == len(set(wire_ids))
        for e in entries:
            if e.wire_id is not None:
                assert self.tm._by_wire[e.wire_id] == e.transaction_id
        assert set(self.tm._by_wire.values()) <= {e.transaction_id for e in entries}

    @invariant()
    def nothing_idle_after_expiry(self) -> None:
        self.tm.expire(self.now)
        assert all(e.last_used is None or self.now - e.last_used <= self.MAX_IDLE
                   for e in self.tm)


TestTransactionMapMachine = TransactionMapMachine.TestCase
TestTransactionMapMachine.settings = settings(max_examples=60, stateful_step_count=30,
                                              deadline=None)
