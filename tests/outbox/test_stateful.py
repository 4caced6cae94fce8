"""Hypothesis state machine over enqueue / connect / disconnect / result / error / timeout /
crash-restart, for both storages. Invariants: FIFO delivery, nothing acknowledged sent again,
nothing lost unless dropped by the attempts rule (1.6 §3.7.1), placeholders substituted."""

import itertools
import shutil
import tempfile
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ocpp_sansio.codec import to_wire
from ocpp_sansio.outbox import (
    Delivered,
    Dropped,
    MemoryStorage,
    Outbox,
    Retrying,
    SendNow,
    SqliteStorage,
    Storage,
    TransactionIdAssigned,
    TransactionIdUnknown,
)
from ocpp_sansio.v16 import messages as m16

from ._msgs import start, start_result, stop

UNKNOWN = -1


def _key(action: str, payload: dict[str, Any]) -> int:
    return int(payload["meterStart" if action == "StartTransaction" else "meterStop"])


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp()
        self.keys = itertools.count(1)
        self.tids = itertools.count(1000)
        self.now = 0.0
        self.pending: list[int] = []  # model queue: keys in enqueue order
        self.action: dict[int, str] = {}
        self.tx_of: dict[int, int] = {}  # stop key -> placeholder or real id it was built with
        self.ph_of_start: dict[int, int] = {}  # start key -> its placeholder
        self.resolved: dict[int, int] = {}  # placeholder -> id (UNKNOWN when dropped)
        self.failures: dict[int, int] = {}
        self.acked: list[int] = []
        self.dropped: set[int] = set()
        self.in_flight: tuple[Any, int] | None = None  # (ref, key)
        self.online = False

    def teardown(self) -> None:
        self.box.storage.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _open(self) -> Storage:
        if self.kind == "memory":
            return self.memory
        # NORMAL: a "crash" here closes the process's connection, it does not cut the power;
        # FULL is exercised by test_sqlite.py and test_sigkill.py.
        return SqliteStorage(f"{self.dir}/q.db", synchronous="NORMAL")

    def _new_box(self) -> None:
        self.box = Outbox("1.6", self._open(), attempts=self.attempts, retry_interval=1.0,
                          offline_others="queue")

    @initialize(kind=st.sampled_from(["memory", "sqlite"]), attempts=st.integers(1, 3))
    def setup(self, kind: str, attempts: int) -> None:
        self.kind = kind
        self.attempts = attempts
        self.memory = MemoryStorage()
        self._new_box()

    def _apply(self, events: list[Any]) -> None:
        for e in events:
            if isinstance(e, SendNow):
                key = _key(e.action, to_wire(e.message))
                assert key not in self.acked, "an acknowledged message was sent again"
                assert self.pending and key == self.pending[0], "not FIFO"
                assert self.in_flight is None, "two transaction messages in flight"
                self.in_flight = (e.ref, key)
                if e.action == "StopTransaction":
                    ph = self.tx_of[key]
                    assert e.message.transaction_id == self.resolved.get(ph, ph)
            elif isinstance(e, Delivered):
                key = self.pending.pop(0)
                self.acked.append(key)
            elif isinstance(e, Dropped):
                key = self.pending.pop(0)
                assert self.failures.get(key, 0) >= self.attempts
                assert e.attempts == self.failures[key]
                self.dropped.add(key)
            elif isinstance(e, TransactionIdAssigned | TransactionIdUnknown):
                tid = e.transaction_id if isinstance(e, TransactionIdAssigned) else e.substitute
                self.resolved[e.placeholder] = tid

    @rule()
    def enqueue_start(self) -> None:
        key = next(self.keys)
        ticket = self.box.enqueue(start(key), self.now)
        assert ticket.placeholder is not None
        self.pending.append(key)
        self.action[key] = "StartTransaction"
        self.ph_of_start[key] = ticket.placeholder

    @rule(data=st.data())
    def enqueue_stop(self, data: st.DataObject) -> None:
        key = next(self.keys)
        choices = [*self.ph_of_start.values(), 7]
        tid = data.draw(st.sampled_from(choices))
        self.box.enqueue(stop(tid, meter=key), self.now)
        self.pending.append(key)
        self.action[key] = "StopTransaction"
        self.tx_of[key] = tid

    @rule()
    def connect(self) -> None:
        self.online = True
        self._apply(self.box.connected(self.now))

    @rule()
    def disconnect(self) -> None:
        self.online = False
        self.in_flight = None
        self._apply(self.box.disconnected(self.now))

    @rule(dt=st.sampled_from([0.0, 0.5, 1.0, 5.0]))
    def poll(self, dt: float) -> None:
        self.now += dt
        self._apply(self.box.poll(self.now))

    @precondition(lambda self: self.in_flight is not None)
    @rule()
    def answer_result(self) -> None:
        assert self.in_flight is not None
        ref, key = self.in_flight
        self.in_flight = None
        if self.action[key] == "StartTransaction":
            response: Any = start_result(next(self.tids))
        else:
            response = m16.StopTransactionResponse()
        self._apply(self.box.result(ref, response, self.now))

    @precondition(lambda self: self.in_flight is not None)
    @rule()
    def answer_error(self) -> None:
        assert self.in_flight is not None
        ref, key = self.in_flight
        self.in_flight = None
        self.failures[key] = self.failures.get(key, 0) + 1
        events = self.box.error(ref, "InternalError", self.now)
        if self.failures[key] < self.attempts:
            assert isinstance(events[0], Retrying)
        self._apply(events)

    @precondition(lambda self: self.in_flight is not None)
    @rule()
    def answer_timeout(self) -> None:
        assert self.in_flight is not None
        ref, _ = self.in_flight
        self.in_flight = None
        [r] = self.box.timed_out(ref, self.now)
        assert isinstance(r, Retrying)

    @rule()
    def crash_restart(self) -> None:
        if self.kind == "sqlite":
            self.box.storage.close()
        self.in_flight = None
        self.online = False
        self._new_box()

    @invariant()
    def queue_matches_model(self) -> None:
        stored, _ = self.box.storage.load()
        assert [_key(m.action, m.payload) for m in stored] == self.pending, "lost or reordered"
        assert [_key(m.action, m.payload) for m in self.box.queued] == self.pending
        for m in stored:
            if m.action == "StopTransaction":
                ph = self.tx_of[_key(m.action, m.payload)]
                assert m.payload["transactionId"] == self.resolved.get(ph, ph)

    @invariant()
    def delivered_in_order(self) -> None:
        assert self.acked == sorted(self.acked)
        assert not set(self.acked) & self.dropped


OutboxMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestOutboxStateful = OutboxMachine.TestCase
