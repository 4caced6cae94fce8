"""Frame parsing and serialisation, and the connection's fast path agreeing with the parser."""

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_sansio.rpc import RpcConnection
from ocpp_sansio.rpc.frames import (
    Call,
    CallError,
    CallResult,
    CallResultError,
    MalformedFrame,
    MessageTypeId,
    Send,
    UnknownFrame,
    error_text,
    message_type_ids,
    parse,
    parse_value,
    readable_id,
    serialize,
)
from ocpp_sansio.testing import json_values
from ocpp_sansio.version import Version

from ._helpers import ALL_VERSIONS


def test_message_type_ids() -> None:
    for version in (Version.V15, Version.V16, Version.V201):
        assert message_type_ids(version) == {2, 3, 4}
    assert message_type_ids(Version.V21) == {2, 3, 4, 5, 6}


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ('[2,"a","Heartbeat",{}]', Call("a", "Heartbeat", {})),
        ('[3,"a",{"x":1}]', CallResult("a", {"x": 1})),
        ('[4,"a","GenericError","d",{"k":[1]}]', CallError("a", "GenericError", "d", {"k": [1]})),
        (' [ 2 , "" , "X" , null ] ', Call("", "X", None)),
    ],
)
def test_parse_all_versions(text: str, frame: Any) -> None:
    for version in ALL_VERSIONS:
        assert parse(text, version) == frame
        assert parse(serialize(frame), version) == frame


def test_parse_21_frames() -> None:
    assert parse('[5,"a","FormatViolation","",{}]', Version.V21) == CallResultError(
        "a", "FormatViolation", "", {})
    assert parse('[6,"a","NotifyPeriodicEventStream",{}]', Version.V21) == Send(
        "a", "NotifyPeriodicEventStream", {})
    assert parse('[6,"a","N",{}]', Version.V201) == UnknownFrame(6, "a")
    assert parse("[5]", Version.V16) == UnknownFrame(5, None)


@pytest.mark.parametrize(
    ("text", "mtype", "uid"),
    [
        ("nope", None, None), ("{}", None, None), ("[]", None, None), ('["2"]', None, None),
        ("[2]", MessageTypeId.CALL, None), ('[2,1,"A",{}]', MessageTypeId.CALL, None),
        ('[2,"a","A"]', MessageTypeId.CALL, "a"), ('[2,"a",1,{}]', MessageTypeId.CALL, "a"),
        ('[3,"a"]', MessageTypeId.CALLRESULT, "a"),
        ('[4,"a","c","d",[]]', MessageTypeId.CALLERROR, "a"),
        ('[4,"a","c",1,{}]', MessageTypeId.CALLERROR, "a"),
        (f'[3,"{"x" * 37}",{{}}]', MessageTypeId.CALLRESULT, None),
    ],
)
def test_malformed(text: str, mtype: MessageTypeId | None, uid: str | None) -> None:
    with pytest.raises(MalformedFrame) as info:
        parse(text, Version.V16)
    assert info.value.message_type_id == mtype
    assert info.value.unique_id == uid


def test_readable_id() -> None:
    assert readable_id("x" * 36) == "x" * 36
    assert readable_id("x" * 37) is None
    assert readable_id(1) is None


def test_error_text() -> None:
    assert error_text("a", "GenericError") == '[4,"a","GenericError","",{}]'
    assert error_text("a", "X", "d", None, MessageTypeId.CALLRESULTERROR) == '[5,"a","X","d",{}]'
    assert serialize(CallResultError("a", "X", "d", {})) == '[5,"a","X","d",{}]'
    assert serialize(Send("a", "N", {})) == '[6,"a","N",{}]'


FRAMEISH = st.lists(
    st.one_of(
        st.sampled_from([2, 3, 4, 5, 6, 2.0, True, "2"]), st.text(max_size=40), json_values()
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(FRAMEISH, st.sampled_from(ALL_VERSIONS))
def test_fast_path_agrees_with_parser(data: list[Any], version: Version) -> None:
    """Whatever the connection's fast path accepts as a CALL / CALLRESULT, the parser parses
    to the same frame (the connection only skips the parser for well-formed frames)."""
    text = orjson.dumps(data).decode()
    seen: list[tuple[str, Any]] = []

    class Spy(RpcConnection):
        def _on_call(self, uid: str, action: str, payload: Any, events: Any) -> None:
            seen.append(("call", Call(uid, action, payload)))

        def _on_result(self, uid: str, payload: Any, now: float, events: Any) -> None:
            seen.append(("result", CallResult(uid, payload)))

    Spy(version, "csms").receive_text(text, 0.0)
    for _, frame in seen:
        assert parse(text, version) == frame
    try:
        parsed = parse_value(data, version)
    except MalformedFrame:
        assert seen == []
        return
    if isinstance(parsed, Call | CallResult):
        assert [f for _, f in seen] == [parsed]
