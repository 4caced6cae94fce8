"""Fuzzing the receive entry point: whatever the peer sends, ``receive_text`` returns only
documented events, never raises, and writes only well-formed CALLERRORs (and, in 2.1,
CALLRESULTERRORs) with the version's codes, one per reply-carrying event."""

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpp_sansio.actions import actions_for
from ocpp_sansio.codec import to_wire
from ocpp_sansio.errors import error_codes
from ocpp_sansio.rpc import (
    BadMessage,
    CallReceived,
    CallTimedOut,
    CloseRequested,
    ErrorReceived,
    IgnoredMessage,
    InvalidResult,
    LateError,
    LateResult,
    ResultErrorReceived,
    ResultReceived,
    RpcConnection,
    SendReceived,
    UnmatchedError,
    UnmatchedResult,
    UnsupportedCall,
)
from ocpp_sansio.testing import json_values, requests
from ocpp_sansio.version import Version

from ._helpers import ALL_VERSIONS, counter_ids, heartbeat

DOCUMENTED = (
    BadMessage, CallReceived, CallTimedOut, CloseRequested, ErrorReceived, IgnoredMessage,
    InvalidResult, LateError, LateResult, ResultErrorReceived, ResultReceived, SendReceived,
    UnmatchedError, UnmatchedResult, UnsupportedCall,
)
EXAMPLES = 400 if settings.get_current_profile_name() in ("ci", "thorough") else 150
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OUR_ID = "cs-1"  # the id of the CALL the fuzzed connection has outstanding


def fresh(version: Version, role: str, limit: int = 4000) -> RpcConnection:
    """A connection with one CALL of ours outstanding (so answers can match), small limits."""
    conn = RpcConnection(version, role, id_factory=counter_ids(role), max_message_size=limit,
                         bad_message_limit=3)
    if role == "cs":
        conn.send_call(heartbeat(version), 0.0, timeout=10)
    else:
        conn.send_call(actions_for(version)["ClearCache"].request(), 0.0, timeout=10)
    conn.data_to_send()
    return conn


def check(conn: RpcConnection, text: str | bytes, now: float = 1.0) -> None:
    version = conn.version
    before = dict(conn.pending_calls)
    events = conn.receive_text(text, now)
    replies = conn.data_to_send()
    assert all(isinstance(e, DOCUMENTED) for e in events), events
    codes = {c.value for c in error_codes(version)}
    expected: list[str] = []
    for event in events:
        if isinstance(event, BadMessage | InvalidResult) and event.error.reply is not None:
            expected.append(event.error.reply)
        elif isinstance(event, UnsupportedCall) and event.reply is not None:
            expected.append(event.reply)
        elif isinstance(event, CallReceived):
            spec = actions_for(version)[event.action]
            assert type(event.message) is spec.request
            assert event.unique_id not in before and event.unique_id in conn.pending_calls
        elif isinstance(event, SendReceived):
            assert version is Version.V21
    assert replies == expected
    assert len(replies) <= 1
    for reply in replies:
        frame = orjson.loads(reply)
        assert isinstance(frame, list) and len(frame) == 5
        assert frame[0] == 4 or (frame[0] == 5 and version is Version.V21)
        assert isinstance(frame[1], str) and len(frame[1]) <= 36
        assert frame[2] in codes
        assert isinstance(frame[3], str) and len(frame[3]) <= 255
        assert frame[4] == {}
        if frame[0] == 5:
            assert frame[1] == OUR_ID


versions = st.sampled_from(ALL_VERSIONS)
roles = st.sampled_from(["cs", "csms"])


@FUZZ
@given(versions, roles, st.text(max_size=300) | st.binary(max_size=300))
def test_any_text(version: Version, role: str, text: str | bytes) -> None:
    check(fresh(version, role), text)


@FUZZ
@given(versions, roles, json_values())
def test_any_json(version: Version, role: str, value: Any) -> None:
    check(fresh(version, role), orjson.dumps(value))


def _frames(version: Version) -> st.SearchStrategy[list[Any]]:
    actions = sorted(actions_for(version))
    return st.lists(
        st.one_of(
            st.sampled_from([2, 3, 4, 5, 6, 7, -1, 0, 2.0, True, "2"]),
            st.sampled_from([OUR_ID, "x", "", "-1", "y" * 36, "y" * 37, None, 1]),
            st.sampled_from([*actions, "Bogus", *(c.value for c in error_codes(version))]),
            json_values(),
        ),
        min_size=0, max_size=6,
    )


@FUZZ
@given(st.data(), versions, roles)
def test_frame_shaped(data: st.DataObject, version: Version, role: str) -> None:
    conn = fresh(version, role, data.draw(st.sampled_from([4000, 12, 30])))
    for _ in range(3):  # several in a row, so duplicates and limits come into play
        check(conn, orjson.dumps(data.draw(_frames(version))))


@FUZZ
@given(st.data(), versions, roles, st.sampled_from([2, 3, 6]))
def test_mutated_valid_messages(data: st.DataObject, version: Version, role: str,
                                mtype: int) -> None:
    """Valid payloads of random actions, wrapped in a frame, then one key dropped, changed or
    added at the top level."""
    message = data.draw(requests(version))
    spec, _ = actions_for(version).of(message)
    payload = to_wire(message)
    mutation = data.draw(st.sampled_from(["none", "drop", "change", "add"]))
    if mutation == "drop" and payload:
        payload.pop(data.draw(st.sampled_from(sorted(payload))))
    elif mutation == "change" and payload:
        payload[data.draw(st.sampled_from(sorted(payload)))] = data.draw(json_values())
    elif mutation == "add":
        payload[data.draw(st.text(max_size=5))] = data.draw(json_values())
    frame: list[Any] = [mtype, OUR_ID if mtype == 3 else "m-1", payload]
    if mtype != 3:
        frame.insert(2, spec.name)
    check(fresh(version, role), orjson.dumps(frame))
