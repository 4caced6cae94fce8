"""Hypothesis stateful test: a charging station and a CSMS engine wired back to back.

Random interleavings of: either side sending CALLs (and 2.1 SENDs), messages in flight being
delivered or lost, time passing (timeouts), the applications answering in every way (result,
CALLERROR, failed handler, no response, invalid response), and garbage, replays and
malformed answers injected. Invariants checked after every step, from the texts on the wire
and the events:

- never two of one side's CALLs outstanding on the wire, and queued CALLs go out in order;
- every CALL a side receives is answered exactly once (at most once at any time; exactly once
  once everything is delivered and the applications answered what is pending);
- a result or error is only matched to the call with its id, never to another, and carries
  what the peer answered;
- a call that timed out never resolves later (its answer is a late event).

``HYPOTHESIS_PROFILE=ci`` (CI) runs a few thousand examples; the default profile fewer.
"""

import collections
import contextlib
import itertools
from typing import Any

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from ocpp_sansio.rpc import (
    BadMessage,
    CallAborted,
    CallReceived,
    CallTimedOut,
    CloseRequested,
    ErrorReceived,
    Event,
    IgnoredMessage,
    InvalidResponseError,
    InvalidResult,
    LateError,
    LateResult,
    ResultErrorReceived,
    ResultReceived,
    RpcConnection,
    SendReceived,
    UnmatchedError,
    UnmatchedResult,
)
from ocpp_sansio.version import Version

from ._helpers import (
    counter_ids,
    data_transfer,
    data_transfer_response,
    heartbeat,
    heartbeat_response,
    message,
    stream_request,
)

SIDES = ("cs", "csms")
PEER = {"cs": "csms", "csms": "cs"}
TIMEOUT = 5.0

GARBAGE = [
    "", "x", "[]", "{}", "[2]", '[2,"g-1","Bogus",{}]', '[9,"z"]', '[3,"nobody",{}]',
    '[4,"nobody","GenericError","",{}]', '[2,"g-2","Heartbeat",{"x":1}]', "[3,7]",
    '[4,"-1","FormatViolation","",{}]', '[5,"n","GenericError","",{}]', '[6,"n","Bogus",{}]',
    '[2,"g-3","DataTransfer",[]]', '["2","g-4","Heartbeat",{}]',
]


def _ci() -> bool:
    return settings.get_current_profile_name() in ("ci", "thorough")


class RpcPair(RuleBasedStateMachine):
    """Two engines, one per side, and a model of what must happen."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.version = Version.V16
        self.conns: dict[str, RpcConnection] = {}
        self.wire: dict[str, collections.deque[str]] = {s: collections.deque() for s in SIDES}
        self.delivered: dict[str, list[str]] = {s: [] for s in SIDES}
        self.tokens = itertools.count()
        # per side: its CALLs
        self.on_wire: dict[str, str | None] = dict.fromkeys(SIDES)
        self.requests: dict[str, dict[str, Any]] = {s: {} for s in SIDES}
        self.order: dict[str, collections.deque[str]] = {s: collections.deque() for s in SIDES}
        self.timed_out: dict[str, set[str]] = {s: set() for s in SIDES}
        self.resolved: dict[str, set[str]] = {s: set() for s in SIDES}
        # per side and CALL id: the answers the peer wrote for it (any may resolve it: the
        # first may be lost; a replayed CALL is answered again)
        self.expected: dict[str, collections.defaultdict[str, list[tuple[str, Any]]]] = {
            s: collections.defaultdict(list) for s in SIDES}
        # per side: the peer's CALLs
        self.calls_in: dict[str, collections.Counter[str]] = {
            s: collections.Counter() for s in SIDES}
        self.answers_out: dict[str, collections.Counter[str]] = {
            s: collections.Counter() for s in SIDES}
        self.pending: dict[str, list[CallReceived]] = {s: [] for s in SIDES}
        self.injected = False

    @initialize(version=st.sampled_from([Version.V15, Version.V16, Version.V201, Version.V21]))
    def start(self, version: Version) -> None:
        self.version = version
        self.conns = {
            side: RpcConnection(
                version, side, id_factory=counter_ids(side), default_timeout=TIMEOUT
            )
            for side in SIDES
        }

    # --- the wire -----------------------------------------------------------------------

    def flush(self, side: str) -> None:
        """Check and forward everything ``side`` wrote."""
        for text in self.conns[side].data_to_send():
            frame = orjson.loads(text)
            if frame[0] == 2:
                uid = frame[1]
                assert self.on_wire[side] is None, f"{side}: two CALLs outstanding on the wire"
                assert self.order[side] and self.order[side].popleft() == uid, "queue order"
                self.on_wire[side] = uid
            elif frame[0] in (3, 4):
                uid = frame[1]
                if frame[0] == 4:
                    self.expected[PEER[side]][uid].append(("error", frame[2]))
                self.answers_out[side][uid] += 1
                assert self.answers_out[side][uid] <= self.calls_in[side][uid], (
                    f"{side} answered {uid!r} more often than it was called"
                )
            self.wire[PEER[side]].append(text)

    def receive(self, side: str, text: str) -> None:
        frame: Any = None
        with contextlib.suppress(orjson.JSONDecodeError):
            frame = orjson.loads(text)
        if (
            isinstance(frame, list) and len(frame) > 1 and frame[0] == 2 and type(frame[0]) is int
            and isinstance(frame[1], str) and len(frame[1]) <= 36
        ):
            self.calls_in[side][frame[1]] += 1
        elif isinstance(frame, list) and frame[:1] == [2] and type(frame[0]) is int:
            self.calls_in[side]["-1"] += 1
        elif not isinstance(frame, list) or not frame or type(frame[0]) is not int:
            self.calls_in[side]["-1"] += 1  # answered CALLERROR "-1"
        elif self.version is Version.V201 and frame[0] not in (2, 3, 4):
            key = frame[1] if len(frame) > 1 and isinstance(frame[1], str) and len(
                frame[1]) <= 36 else "-1"
            self.calls_in[side][key] += 1  # answered MessageTypeNotSupported
        events = self.conns[side].receive_text(text, self.now)
        self.handle(side, events)
        self.flush(side)

    # --- events -------------------------------------------------------------------------

    def handle(self, side: str, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, CallReceived):
                self.pending[side].append(event)
            elif isinstance(event, ResultReceived | ErrorReceived | InvalidResult):
                uid = event.unique_id
                assert uid == self.on_wire[side], f"{side}: answer for {uid!r} matched wrongly"
                assert uid not in self.timed_out[side], "a timed-out call resolved later"
                assert event.request is self.requests[side][uid]
                self.on_wire[side] = None
                self.resolved[side].add(uid)
                answers = self.expected[side][uid]
                if isinstance(event, ResultReceived):
                    got: tuple[str, Any] = ("result", event.message)
                elif isinstance(event, ErrorReceived):
                    got = ("error", event.code)
                else:
                    got = ("invalid", None)
                assert got in answers, (got, answers)
            elif isinstance(event, CallTimedOut):
                assert event.unique_id == self.on_wire[side]
                assert event.unique_id not in self.resolved[side]
                self.timed_out[side].add(event.unique_id)
                self.on_wire[side] = None
            elif isinstance(event, LateResult | LateError):
                assert event.unique_id in self.timed_out[side]
                assert event.request is self.requests[side][event.unique_id]
            elif isinstance(event, UnmatchedResult | UnmatchedError):
                assert event.unique_id != self.on_wire[side]
                assert event.unique_id not in self.timed_out[side]
            elif isinstance(event, SendReceived):
                assert self.version is Version.V21 and side == "csms"
            elif isinstance(event, ResultErrorReceived):
                assert self.version is Version.V21 and self.injected
            elif isinstance(event, BadMessage | IgnoredMessage | CloseRequested):
                assert self.injected, f"{side}: {event!r} without injected garbage"
            else:  # pragma: no cover - CallAborted only on close
                raise AssertionError(f"unexpected event {event!r}")

    # --- rules --------------------------------------------------------------------------

    @rule(side=st.sampled_from(SIDES), kind=st.sampled_from(["data", "own"]),
          timeout=st.none() | st.sampled_from([1.0, 3.0]))
    def send_call(self, side: str, kind: str, timeout: float | None) -> None:
        if kind == "data":
            request = data_transfer(self.version, f"{side}-{next(self.tokens)}")
        elif side == "cs":
            request = heartbeat(self.version)
        else:
            request = message(self.version, "ClearCache")
        handle = self.conns[side].send_call(request, self.now, timeout=timeout)
        assert (handle.text is not None) == (self.on_wire[side] is None and not self.order[side])
        self.requests[side][handle.unique_id] = request
        self.order[side].append(handle.unique_id)
        self.flush(side)

    @rule()
    def send_stream(self) -> None:
        """2.1: a SEND from the station, whatever CALL is outstanding."""
        if self.version is not Version.V21:
            return
        self.conns["cs"].send_send(stream_request())
        self.flush("cs")

    @rule(side=st.sampled_from(SIDES))
    def deliver(self, side: str) -> None:
        if not self.wire[side]:
            return
        text = self.wire[side].popleft()
        self.delivered[side].append(text)
        self.receive(side, text)

    @rule(side=st.sampled_from(SIDES))
    def lose(self, side: str) -> None:
        if self.wire[side]:
            self.wire[side].popleft()

    @rule(dt=st.sampled_from([0.5, 2.0, 6.0]))
    def advance(self, dt: float) -> None:
        self.now += dt
        for side in SIDES:
            self.handle(side, self.conns[side].handle_timeout(self.now))
            self.flush(side)

    @rule(side=st.sampled_from(SIDES), how=st.sampled_from(
        ["result", "result", "error", "failure", "nothing", "invalid"]), index=st.integers(0, 3))
    def answer(self, side: str, how: str, index: int) -> None:
        if not self.pending[side]:
            return
        event = self.pending[side].pop(index % len(self.pending[side]))
        self.answer_call(side, event, how)

    def answer_call(self, side: str, event: CallReceived, how: str) -> None:
        conn, uid, caller = self.conns[side], event.unique_id, PEER[side]
        if how == "result":
            if event.action == "DataTransfer":
                response = data_transfer_response(self.version, event.message.data)
            elif event.action == "Heartbeat":
                response = heartbeat_response(self.version)
            else:
                response = message(self.version, event.action, "response", status="Accepted")
            self.expected[caller][uid].append(("result", response))
            conn.send_result(uid, response)
        elif how == "error":
            conn.send_error(uid, "SecurityError", "no")
        elif how in ("failure", "nothing"):
            conn.send_handler_failure(uid, ValueError("x") if how == "failure" else None)
        else:
            try:
                conn.send_result(uid, heartbeat(self.version))  # a request: never a response
            except InvalidResponseError:
                pass
            else:  # pragma: no cover
                raise AssertionError("invalid response accepted")
        self.flush(side)  # records the CALLERRORs in self.expected

    @rule(side=st.sampled_from(SIDES), text=st.sampled_from(GARBAGE) | st.text(max_size=20))
    def garbage(self, side: str, text: str) -> None:
        self.injected = True
        self.receive(side, text)

    @rule(side=st.sampled_from(SIDES), data=st.data())
    def replay(self, side: str, data: st.DataObject) -> None:
        """Deliver again something ``side`` received before (duplicates, late answers)."""
        if not self.delivered[side]:
            return
        self.injected = True
        self.receive(side, data.draw(st.sampled_from(self.delivered[side])))

    @rule(side=st.sampled_from(SIDES), result=st.booleans())
    def malformed_answer(self, side: str, result: bool) -> None:
        """The peer answers ``side``'s outstanding CALL with a malformed frame."""
        uid = self.on_wire[side]
        if uid is None:
            return
        self.injected = True
        self.expected[side][uid].append(("invalid", None))
        frame = [3, uid] if result else [4, uid, "GenericError"]
        self.receive(side, orjson.dumps(frame).decode())

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def engines_agree_with_the_model(self) -> None:
        for side, conn in self.conns.items():
            out = conn.outstanding_call
            assert (out.unique_id if out is not None else None) == self.on_wire[side]
            assert [q.unique_id for q in conn.queued_calls] == list(self.order[side])
            assert set(conn.pending_calls) == {e.unique_id for e in self.pending[side]}
            assert conn.can_send_call == (self.on_wire[side] is None)

    def teardown(self) -> None:
        if not self.conns:
            return
        # Answer and deliver everything until nothing moves (letting CALLs whose message was
        # lost time out). Then every CALL received was answered exactly once.
        for _ in range(1000):
            moved = False
            for side in SIDES:
                while self.pending[side]:
                    self.answer_call(side, self.pending[side].pop(0), "result")
                    moved = True
                while self.wire[side]:
                    self.receive(side, self.wire[side].popleft())
                    moved = True
            if not moved:
                if self.on_wire["cs"] is None and self.on_wire["csms"] is None:
                    break
                self.advance(TIMEOUT)
        for side in SIDES:
            assert self.answers_out[side] == self.calls_in[side], side
            assert self.on_wire[side] is None and not self.order[side]
            events = self.conns[side].close()
            assert not any(isinstance(e, CallAborted) for e in events)


RpcPair.TestCase.settings = settings(
    max_examples=2500 if _ci() else 300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRpcPair = RpcPair.TestCase
