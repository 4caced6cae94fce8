"""The OCPP-J frame strategies of ``ocpp_sansio.testing``: valid frames are accepted by a strict
:class:`~ocpp_sansio.rpc.RpcConnection` as what they claim to be, and every malformed frame
gets exactly the reaction drawn with it (CALLERROR code and MessageId, ignored, or dropped)."""

import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpp_sansio.actions import Direction, actions_for
from ocpp_sansio.errors import error_codes
from ocpp_sansio.rpc import (
    BadMessage,
    CallReceived,
    ErrorReceived,
    IgnoredMessage,
    ResultReceived,
    RpcConnection,
)
from ocpp_sansio.rpc.frames import Call, CallError, CallResult, parse
from ocpp_sansio.testing import (
    Reaction,
    call_frames,
    error_frames,
    malformed_frames,
    message_ids,
    requests,
    result_frames,
)
from ocpp_sansio.version import Version

VERSIONS = list(Version)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: (direction of the frames, role of the receiver)
SIDES = [
    (Direction.CS_TO_CSMS, "csms"),
    (Direction.CSMS_TO_CS, "cs"),
]


def ids(value: Any) -> str:
    return str(value.value if hasattr(value, "value") else value)


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
@pytest.mark.parametrize(("direction", "receiver"), SIDES, ids=ids)
def test_call_frames_are_received_as_calls(version: Version, direction: Direction,
                                           receiver: str) -> None:
    @FAST
    @given(call_frames(version, direction=direction))
    def check(text: str) -> None:
        frame = parse(text, version)
        assert isinstance(frame, Call)
        conn = RpcConnection(version, receiver)
        events = conn.receive_text(text, now=0.0)
        assert conn.data_to_send() == []
        assert len(events) == 1 and isinstance(events[0], CallReceived), events
        assert events[0].unique_id == frame.unique_id and events[0].action == frame.action
        spec = actions_for(version)[frame.action]
        assert spec.response is not None
        assert (spec.direction.sent_by_station() if direction is Direction.CS_TO_CSMS
                else spec.direction.sent_by_csms())

    check()


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
@pytest.mark.parametrize(("direction", "receiver"), SIDES, ids=ids)
def test_result_frames_answer_the_call(version: Version, direction: Direction,
                                       receiver: str) -> None:
    # The result goes to the side that sent the CALL, the opposite of ``receiver``.
    caller = "cs" if receiver == "csms" else "csms"
    names = sorted(s.name for s in actions_for(version).values() if s.response is not None
                   and (s.direction.sent_by_station() if direction is Direction.CS_TO_CSMS
                        else s.direction.sent_by_csms()))

    @FAST
    @given(st.data())
    def check(data: st.DataObject) -> None:
        action = data.draw(st.sampled_from(names))
        uid = data.draw(message_ids())
        conn = RpcConnection(version, caller, id_factory=lambda: uid)
        conn.send_call(data.draw(requests(version, action)), now=0.0)
        conn.data_to_send()
        text = data.draw(result_frames(version, action, direction=direction, unique_id=uid))
        assert isinstance(parse(text, version), CallResult)
        events = conn.receive_text(text, now=1.0)
        assert conn.data_to_send() == []
        assert len(events) == 1 and isinstance(events[0], ResultReceived), events
        assert events[0].action == action and events[0].unique_id == uid

    check()


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
def test_error_frames_fail_the_call(version: Version) -> None:
    codes = {c.value for c in error_codes(version)}

    @FAST
    @given(st.data())
    def check(data: st.DataObject) -> None:
        uid = data.draw(message_ids())
        conn = RpcConnection(version, "cs", id_factory=lambda: uid)
        conn.send_call(actions_for(version)["Heartbeat"].request(), now=0.0)
        conn.data_to_send()
        text = data.draw(error_frames(version, unique_id=uid))
        frame = parse(text, version)
        assert isinstance(frame, CallError) and frame.code in codes
        assert len(frame.description) <= 255
        events = conn.receive_text(text, now=1.0)
        assert len(events) == 1 and isinstance(events[0], ErrorReceived), events
        assert events[0].code == frame.code and events[0].details == frame.details

    check()


@settings(max_examples=20, deadline=None)
@given(error_frames(Version.V201))
def test_error_frames_without_a_fixed_id(text: str) -> None:
    frame = parse(text, Version.V201)
    assert isinstance(frame, CallError) and 1 <= len(frame.unique_id) <= 36
    assert frame.unique_id != "-1"


def reaction_of(conn: RpcConnection, text: str) -> Reaction:
    """What ``conn`` did with ``text``, as a Reaction (fault left empty)."""
    events = conn.receive_text(text, now=0.0)
    out = conn.data_to_send()
    assert len(events) == 1, events
    event = events[0]
    if isinstance(event, IgnoredMessage):
        assert out == []
        return Reaction(fault="", ignored=True)
    assert isinstance(event, BadMessage), event
    if not out:
        return Reaction(fault="")
    (reply,) = out
    frame = orjson.loads(reply)
    assert frame[0] == 4 and len(frame) == 5 and frame[4] == {}
    assert frame[2] in {c.value for c in error_codes(conn.version)}
    return Reaction(fault="", code=frame[2], unique_id=frame[1])


MALFORMED = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
@pytest.mark.parametrize(("direction", "receiver"),
                         [*SIDES, (None, "csms"), (None, "cs"), (Direction.BOTH, "cs")], ids=ids)
def test_malformed_frames_get_the_declared_reaction(
        version: Version, direction: Direction | None, receiver: str) -> None:
    @MALFORMED
    @given(malformed_frames(version, direction=direction))
    def check(case: tuple[str, Reaction]) -> None:
        text, expected = case
        got = reaction_of(RpcConnection(version, receiver), text)
        assert attrs_evolve_fault(got, expected.fault) == expected, (text, expected, got)

    check()


def attrs_evolve_fault(reaction: Reaction, fault: str) -> Reaction:
    return Reaction(fault=fault, code=reaction.code, unique_id=reaction.unique_id,
                    ignored=reaction.ignored)


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
def test_every_kind_of_fault_is_drawn(version: Version) -> None:
    faults: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(malformed_frames(version, direction=Direction.CS_TO_CSMS))
    def collect(case: tuple[str, Reaction]) -> None:
        faults.add(re.sub(r"^invalid \w+ payload.*", "invalid payload", case[1].fault))

    collect()
    wanted = {
        "invalid JSON", "not an array", "MessageTypeId not an integer", "unknown MessageTypeId",
        "CALL with the wrong number of elements", "unknown action", "invalid payload",
        "payload not a JSON object", "malformed CALLRESULT / CALLERROR",
        "action not sent in this direction",
    }
    assert wanted <= faults, wanted - faults


def test_reaction_answered() -> None:
    assert Reaction(fault="x", code="NotImplemented", unique_id="1").answered
    assert not Reaction(fault="x", ignored=True).answered


@pytest.mark.parametrize(("action", "direction"), [
    ("NoSuchAction", None),
    ("BootNotification", Direction.CSMS_TO_CS),
])
def test_bad_arguments(action: str, direction: Direction | None) -> None:
    with pytest.raises(ValueError):
        call_frames(Version.V16, action, direction=direction)
    with pytest.raises(ValueError):
        result_frames(Version.V16, action, direction=direction)


def test_send_only_action_is_not_a_call() -> None:
    with pytest.raises(ValueError, match="SEND"):
        call_frames("2.1", "NotifyPeriodicEventStream")


@settings(max_examples=30, deadline=None)
@given(message_ids())
def test_message_ids(uid: str) -> None:
    assert 1 <= len(uid) <= 36 and uid != "-1"
