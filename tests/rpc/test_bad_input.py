"""Every row of the bad-input table of ``ocpp_sansio.rpc.connection``, for every version.

Each test feeds one bad input and checks the exact reply frame (or its absence) and the event.
Row numbers refer to the table in the ``connection`` module docstring.
"""

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from ocpp_sansio.errors import Violation, code_for
from ocpp_sansio.rpc import (
    BadMessage,
    CallError,
    CallReceived,
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
    UnsupportedCall,
)
from ocpp_sansio.version import Version

from ._helpers import (
    ALL_VERSIONS,
    NOW,
    OLD,
    bad_boot_payloads,
    boot_payload,
    boot_response,
    call,
    heartbeat,
    heartbeat_response,
    make,
    message,
    sent,
)

Code = Callable[[Version], str]


def envelope(version: Version) -> str:
    """Rows 2-4, 6, 7: the RPC envelope is broken."""
    return "FormationViolation" if version in OLD else "RpcFrameworkError"


def fmt(version: Version) -> str:
    return code_for(version, Violation.FORMAT).value


def const(code: str) -> Code:
    return lambda _: code


def rejected(conn: RpcConnection, text: str | bytes, code: str, uid: str) -> BadMessage:
    """``text`` is answered with exactly one CALLERROR ``[4, uid, code, <description>, {}]``."""
    events = conn.receive_text(text, 0.0)
    assert [type(e) for e in events] == [BadMessage], events
    event = events[0]
    assert isinstance(event, BadMessage)
    assert event.error.code == code
    replies = conn.data_to_send()
    assert replies == [event.error.reply]
    frame = orjson.loads(replies[0])
    assert frame[:3] == [4, uid, code]
    assert isinstance(frame[3], str) and 0 < len(frame[3]) <= 255
    assert frame[4] == {}
    assert len(frame) == 5
    return event


def silent(conn: RpcConnection, text: str | bytes, now: float = 0.0) -> list[Any]:
    """``text`` gets no reply; returns the events."""
    events = conn.receive_text(text, now)
    assert conn.data_to_send() == []
    return events


ID37 = "x" * 37
ID36 = "y" * 36

# (row id, text, code, reply MessageId) for a CSMS receiving ``text``.
SIMPLE: list[tuple[str, str | bytes, Code, str]] = [
    ("2 truncated JSON", '[2,"a","Heartbeat",{}', envelope, "-1"),
    ("2 not JSON", "hello", envelope, "-1"),
    ("2 empty text", "", envelope, "-1"),
    ("2 not UTF-8", b'[2,"a\xff","Heartbeat",{}]', envelope, "-1"),
    ("2 lone surrogate", '[2,"a\ud800","Heartbeat",{}]', envelope, "-1"),
    ("3 object", '{"2": "a"}', envelope, "-1"),
    ("3 string", '"Heartbeat"', envelope, "-1"),
    ("3 number", "2", envelope, "-1"),
    ("3 null", "null", envelope, "-1"),
    ("3 empty array", "[]", envelope, "-1"),
    ("4 type as string", '["2","a","Heartbeat",{}]', envelope, "-1"),
    ("4 type as float", '[2.0,"a","Heartbeat",{}]', envelope, "-1"),
    ("4 type as boolean", '[true,"a","Heartbeat",{}]', envelope, "-1"),
    ("4 type null", '[null,"a","Heartbeat",{}]', envelope, "-1"),
    ("6 CALL of 1 element", "[2]", envelope, "-1"),
    ("6 CALL of 2 elements", '[2,"a"]', envelope, "a"),
    ("6 CALL of 3 elements", '[2,"a","Heartbeat"]', envelope, "a"),
    ("6 CALL of 5 elements", '[2,"a","Heartbeat",{},{}]', envelope, "a"),
    ("6 MessageId an integer", '[2,7,"Heartbeat",{}]', envelope, "-1"),
    ("6 MessageId null", '[2,null,"Heartbeat",{}]', envelope, "-1"),
    ("6 Action an integer", '[2,"a",7,{}]', envelope, "a"),
    ("6 Action null", '[2,"a",null,{}]', envelope, "a"),
    ("6 empty MessageId is readable", '[2,"",null,{}]', envelope, ""),
    ("7 MessageId of 37 characters", f'[2,"{ID37}","Heartbeat",{{}}]', envelope, "-1"),
    ("9 unknown action", '[2,"a","Bogus",{}]', const("NotImplemented"), "a"),
    ("9 action case differs", '[2,"a","heartbeat",{}]', const("NotImplemented"), "a"),
    ("9 action with Request suffix", '[2,"a","HeartbeatRequest",{}]', const("NotImplemented"),
     "a"),
    ("10 action the station may not send", '[2,"a","ClearCache",{}]', const("NotSupported"),
     "a"),
    ("12 payload an array", '[2,"a","Heartbeat",[]]', fmt, "a"),
    ("12 payload null", '[2,"a","Heartbeat",null]', fmt, "a"),
    ("12 payload a string", '[2,"a","Heartbeat","{}"]', fmt, "a"),
]


@pytest.mark.parametrize(("text", "code", "uid"), [r[1:] for r in SIMPLE],
                         ids=[r[0] for r in SIMPLE])
def test_simple_rows(version: Version, text: str | bytes, code: Code, uid: str) -> None:
    conn = make(version)
    event = rejected(conn, text, code(version), uid)
    assert event.error.unique_id == (None if uid == "-1" else uid)
    if uid == "":
        assert event.error.reply is not None and event.error.reply.startswith('[4,"",')
    assert conn.pending_calls == {}
    assert conn.bad_message_count == 1


def test_36_character_id_is_accepted(version: Version) -> None:
    conn = make(version)
    [event] = conn.receive_text(call(ID36, "Heartbeat", {}), 0.0)
    assert isinstance(event, CallReceived) and event.unique_id == ID36


def test_row_10_station_receiving_boot_notification(version: Version) -> None:
    conn = make(version, "cs")
    event = rejected(conn, call("b", "BootNotification", boot_payload(version)), "NotSupported",
                     "b")
    assert "BootNotification" in event.error.description


def test_row_10_csms_receiving_csms_action(version: Version) -> None:
    action = "RemoteStartTransaction" if version in OLD else "RequestStartTransaction"
    rejected(make(version), call("r", action, {}), "NotSupported", "r")


# --- row 1: too long ------------------------------------------------------------------------


@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_row_1_oversized_call(version: Version, as_bytes: bool) -> None:
    conn = make(version, max_message_size=100)
    text = call("big", "DataTransfer", {"vendorId": "v", "data": "d" * 200})
    event = rejected(conn, text.encode() if as_bytes else text, fmt(version), "big")
    assert "limit is 100" in event.error.description


def test_row_1_oversized_unreadable(version: Version) -> None:
    conn = make(version, max_message_size=10)
    rejected(conn, "x" * 11, fmt(version), "-1")
    rejected(conn, ' [ 2 , 77, "' + "z" * 40, fmt(version), "-1")


def test_row_1_exactly_the_limit_is_parsed(version: Version) -> None:
    text = call("a", "Heartbeat", {})
    conn = make(version, max_message_size=len(text))
    assert isinstance(conn.receive_text(text, 0.0)[0], CallReceived)


def test_row_1_oversized_result_fails_our_call(version: Version) -> None:
    conn = make(version, "cs", max_message_size=60)
    handle = conn.send_call(heartbeat(version), 0.0)
    sent(conn)
    text = orjson.dumps([3, handle.unique_id, {"currentTime": "x" * 80}]).decode()
    events = conn.receive_text(text, 1.0)
    assert [type(e) for e in events] == [InvalidResult]
    replies = sent(conn)
    if version is Version.V21:
        assert replies == [[5, handle.unique_id, "FormatViolation", replies[0][3], {}]]
    else:
        assert replies == []
    assert conn.can_send_call


def test_row_1_oversized_other_frames_get_no_reply(version: Version) -> None:
    conn = make(version, max_message_size=30)
    events = silent(conn, '[3,"nobody",{"x":"' + "y" * 40 + '"}]')
    assert [type(e) for e in events] == [BadMessage]
    unknown = silent(conn, '[9,"x",{"x":"' + "y" * 40 + '"}]') if version is not Version.V201 \
        else None
    if unknown is not None:
        assert [type(e) for e in unknown] == [IgnoredMessage]


# --- row 5: unknown MessageTypeId -------------------------------------------------------------

UNKNOWN_TYPES = ['[7,"a",{}]', "[1]", '[0,"a","Heartbeat",{}]', '[-3,"a"]', '[99,"a",1,2,3]']


@pytest.mark.parametrize("text", UNKNOWN_TYPES)
def test_row_5_unknown_type(version: Version, text: str) -> None:
    conn = make(version)
    if version is Version.V201:
        uid = orjson.loads(text)[1] if len(orjson.loads(text)) > 1 else "-1"
        rejected(conn, text, "MessageTypeNotSupported", uid)
    else:
        events = silent(conn, text)
        assert [type(e) for e in events] == [IgnoredMessage]
        assert isinstance(events[0], IgnoredMessage)
        assert events[0].message_type_id == orjson.loads(text)[0]
        assert conn.bad_message_count == 0


def test_row_5_unknown_type_unreadable_id_in_201() -> None:
    rejected(make(Version.V201), '[7,{"x":1}]', "MessageTypeNotSupported", "-1")
    rejected(make(Version.V201), f'[7,"{ID37}"]', "MessageTypeNotSupported", "-1")


@pytest.mark.parametrize("text", ['[5,"a","GenericError","",{}]', '[6,"a","Heartbeat",{}]'])
def test_row_5_types_5_and_6_before_21(version: Version, text: str) -> None:
    conn = make(version)
    if version is Version.V201:
        rejected(conn, text, "MessageTypeNotSupported", "a")
    elif version in OLD:
        assert [type(e) for e in silent(conn, text)] == [IgnoredMessage]
    else:  # 2.1 knows them
        assert IgnoredMessage not in [type(e) for e in silent(conn, text)]


# --- row 8: duplicate in-flight id ------------------------------------------------------------


def test_row_8_duplicate_in_flight(version: Version) -> None:
    conn = make(version)
    [first] = conn.receive_text(call("dup", "Heartbeat", {}), 0.0)
    assert isinstance(first, CallReceived)
    code = "GenericError" if version in OLD else "RpcFrameworkError"
    rejected(conn, call("dup", "Heartbeat", {}), code, "dup")
    # The first CALL is still pending and is answered once, normally.
    assert dict(conn.pending_calls) == {"dup": "Heartbeat"}
    conn.send_result("dup", heartbeat_response(version))
    assert sent(conn)[0][:2] == [3, "dup"]
    # Once answered, the id may come again.
    assert isinstance(conn.receive_text(call("dup", "Heartbeat", {}), 0.0)[0], CallReceived)


# --- row 11: supported_actions ------------------------------------------------------------------


def test_row_11_not_supported_by_application(version: Version) -> None:
    conn = make(version, supported_actions={"BootNotification"})
    events = conn.receive_text(call("h", "Heartbeat", {}), 0.0)
    assert [type(e) for e in events] == [UnsupportedCall]
    replies = sent(conn)
    assert replies == [[4, "h", "NotSupported", replies[0][3], {}]]
    assert conn.bad_message_count == 0
    assert isinstance(
        conn.receive_text(call("b", "BootNotification", boot_payload(version)), 0.0)[0],
        CallReceived,
    )


def test_supported_actions_must_exist(version: Version) -> None:
    with pytest.raises(ValueError, match="Bogus"):
        RpcConnection(version, "csms", supported_actions={"Heartbeat", "Bogus"})


# --- row 13: payload breaks its schema --------------------------------------------------------


@pytest.mark.parametrize("kind", ["format", "occurrence", "type", "property"])
def test_row_13_payload_violations(version: Version, kind: str) -> None:
    violation = Violation[kind.upper()]
    payload = bad_boot_payloads(version)[kind]
    event = rejected(make(version), call("p", "BootNotification", payload),
                     code_for(version, violation).value, "p")
    assert event.error.action == "BootNotification"


# --- row 14: 2.1 CALL of a SEND-only action ---------------------------------------------------


def test_row_14_call_of_send_only_action() -> None:
    payload = {"id": 1, "pending": 0, "basetime": "2024-01-01T00:00:00Z", "data": [
        {"t": 0, "v": "1"}]}
    rejected(make(Version.V21), call("s", "NotifyPeriodicEventStream", payload),
             "RpcFrameworkError", "s")


# --- row 15: handler failed or returned nothing -----------------------------------------------


def _pending_call(version: Version) -> RpcConnection:
    conn = make(version)
    [event] = conn.receive_text(call("h", "Heartbeat", {}), 0.0)
    assert isinstance(event, CallReceived)
    return conn


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (None, "InternalError"),
        (ValueError("secret detail"), "InternalError"),
        (KeyboardInterrupt(), "InternalError"),
        (NotImplementedError(), "NotSupported"),
        (CallError("SecurityError", "no", {"k": 1}), "SecurityError"),
        (CallError("NotARealCode"), "GenericError"),
    ],
    ids=["none", "exception", "base-exception", "not-implemented", "call-error", "unknown-code"],
)
def test_row_15_handler_failure(version: Version, exc: BaseException | None, code: str) -> None:
    conn = _pending_call(version)
    text = conn.send_handler_failure("h", exc)
    [frame] = sent(conn)
    assert orjson.loads(text) == frame
    assert frame[:3] == [4, "h", code]
    assert "secret detail" not in frame[3]
    if isinstance(exc, CallError) and code == "SecurityError":
        assert frame[3:] == ["no", {"k": 1}]
    assert conn.pending_calls == {}


def test_row_15_violation_codes_are_respelled(version: Version) -> None:
    for raised, violation in [
        ("FormatViolation", Violation.FORMAT), ("FormationViolation", Violation.FORMAT),
        ("OccurrenceConstraintViolation", Violation.OCCURRENCE),
        ("OccurenceConstraintViolation", Violation.OCCURRENCE),
    ]:
        conn = _pending_call(version)
        conn.send_handler_failure("h", CallError(raised))
        assert sent(conn)[0][2] == code_for(version, violation).value


def test_row_15_unserialisable_details_fall_back_to_empty(version: Version) -> None:
    conn = _pending_call(version)
    conn.send_handler_failure("h", CallError("GenericError", "x", {"k": object()}))
    assert sent(conn) == [[4, "h", "GenericError", "x", {}]]


# --- row 16: the application's response is invalid --------------------------------------------


def test_row_16_wrong_response_class(version: Version) -> None:
    conn = _pending_call(version)
    with pytest.raises(InvalidResponseError, match="does not answer Heartbeat") as info:
        conn.send_result("h", boot_response(version))
    [frame] = sent(conn)
    assert frame[:3] == [4, "h", "InternalError"]
    assert info.value.reply == orjson.dumps(frame).decode()
    assert conn.pending_calls == {}


def test_row_16_response_breaks_schema(version: Version) -> None:
    conn = make(version)
    conn.receive_text(call("b", "BootNotification", boot_payload(version)), 0.0)
    bad = message(version, "BootNotification", "response", status="Bogus", current_time=NOW,
                  **({"heartbeat_interval": 1} if version is Version.V15 else {"interval": 1}))
    with pytest.raises(InvalidResponseError) as info:
        conn.send_result("b", bad)
    assert info.value.validation_error is not None
    assert sent(conn)[0][:3] == [4, "b", "InternalError"]


def test_row_16_response_not_a_message(version: Version) -> None:
    conn = _pending_call(version)
    with pytest.raises(InvalidResponseError):
        conn.send_result("h", None)
    assert sent(conn)[0][:3] == [4, "h", "InternalError"]


# --- rows 17-21: answers to our CALLs ---------------------------------------------------------


def _outstanding(version: Version, role: str = "cs") -> tuple[RpcConnection, str]:
    conn = make(version, role)
    handle = conn.send_call(heartbeat(version), 0.0, timeout=10)
    sent(conn)
    return conn, handle.unique_id


def test_row_17_unmatched(version: Version) -> None:
    conn, uid = _outstanding(version)
    [event] = silent(conn, '[3,"nobody",{"currentTime":"2024-01-01T00:00:00Z"}]')
    assert isinstance(event, UnmatchedResult) and event.unique_id == "nobody"
    [event] = silent(conn, '[4,"-1","GenericError","?",{}]')
    assert isinstance(event, UnmatchedError) and event.code == "GenericError"
    assert conn.outstanding_call is not None and conn.outstanding_call.unique_id == uid
    assert conn.bad_message_count == 0


def test_row_18_late(version: Version) -> None:
    conn, uid = _outstanding(version)
    assert conn.handle_timeout(10.0)[0].unique_id == uid  # type: ignore[union-attr]
    [event] = silent(conn, f'[3,"{uid}",{{"currentTime":"2024-01-01T00:00:00Z"}}]', 11.0)
    assert isinstance(event, LateResult) and event.unique_id == uid
    [event] = silent(conn, f'[4,"{uid}","InternalError","",{{}}]', 12.0)
    assert isinstance(event, LateError) and event.action == "Heartbeat"


@pytest.mark.parametrize(
    "payload",
    [{}, {"currentTime": "yesterday"}, {"currentTime": 5}, [], None,
     {"currentTime": "2024-01-01T00:00:00Z", "x": 1}],
    ids=["missing", "bad-date", "type", "array", "null", "extra"],
)
def test_row_19_result_breaks_schema(version: Version, payload: Any) -> None:
    conn, uid = _outstanding(version)
    events = conn.receive_text(orjson.dumps([3, uid, payload]).decode(), 1.0)
    assert [type(e) for e in events] == [InvalidResult]
    event = events[0]
    assert isinstance(event, InvalidResult) and event.action == "Heartbeat"
    replies = sent(conn)
    if version is Version.V21:
        assert replies == [[5, uid, event.error.code, event.error.description, {}]]
        assert orjson.loads(event.error.reply or "") == replies[0]
    else:
        assert replies == [] and event.error.reply is None
    assert conn.can_send_call and conn.bad_message_count == 1


@pytest.mark.parametrize(
    "frame",
    [["3", "{uid}"], [3, "{uid}"], [3, "{uid}", {}, 1], [4, "{uid}", "GenericError"],
     [4, "{uid}", "GenericError", "", None], [4, "{uid}", 5, "", {}]],
    ids=["type-string", "result-2", "result-4", "error-3", "error-details-null", "error-code-int"],
)
def test_row_20_malformed_answer_to_our_call(version: Version, frame: list[Any]) -> None:
    conn, uid = _outstanding(version)
    frame = [uid if x == "{uid}" else x for x in frame]
    text = orjson.dumps(frame).decode()
    if frame[0] == "3":  # MessageTypeId unreadable: not a frame at all (row 4)
        rejected(conn, text, envelope(version), "-1")
        assert not conn.can_send_call
        return
    events = conn.receive_text(text, 1.0)
    assert [type(e) for e in events] == [InvalidResult]
    replies = sent(conn)
    if version is Version.V21 and frame[0] == 3:
        assert replies[0][:3] == [5, uid, "RpcFrameworkError"]
    else:
        assert replies == []
    assert conn.can_send_call


@pytest.mark.parametrize(
    "text",
    ['[3,7,{}]', '[3,"nobody"]', '[4,"nobody","GenericError",""]', '[4,null,"a","b",{}]',
     f'[3,"{ID37}",{{}}]'],
)
def test_row_21_other_malformed_answers(version: Version, text: str) -> None:
    conn, _ = _outstanding(version)
    events = silent(conn, text)
    if text.startswith(f'[3,"{ID37}"'):
        assert [type(e) for e in events] == [BadMessage]  # no id of ours is that long
    else:
        assert [type(e) for e in events] == [BadMessage]
    assert not conn.can_send_call  # our CALL is still outstanding


@pytest.mark.parametrize(
    "text",
    ['[5,"a"]', '[5,"a","GenericError","",null]', '[6,"a","Heartbeat"]', '[6,7,"x",{}]'],
)
def test_row_21_malformed_21_frames(text: str) -> None:
    conn = make(Version.V21)
    assert [type(e) for e in silent(conn, text)] == [BadMessage]


# --- row 22: 2.1 SEND -------------------------------------------------------------------------

STREAM = {"id": 1, "pending": 0, "basetime": "2024-01-01T00:00:00Z", "data": [{"t": 0,
                                                                               "v": "230.1"}]}


def _send(action: str, payload: Any) -> str:
    return orjson.dumps([6, "s", action, payload]).decode()


@pytest.mark.parametrize(
    ("role", "text"),
    [
        ("csms", _send("Bogus", {})),
        ("csms", _send("Heartbeat", {})),
        ("cs", _send("NotifyPeriodicEventStream", STREAM)),
        ("csms", _send("NotifyPeriodicEventStream", {**STREAM, "pending": -1})),
        ("csms", _send("NotifyPeriodicEventStream", [])),
    ],
    ids=["unknown", "call-action", "wrong-direction", "schema", "not-object"],
)
def test_row_22_bad_send_gets_no_reply(role: str, text: str) -> None:
    conn = make(Version.V21, role)
    events = silent(conn, text)
    assert [type(e) for e in events] == [BadMessage]
    assert isinstance(events[0], BadMessage) and events[0].error.reply is None


def test_row_22_send_not_supported_by_application() -> None:
    conn = make(Version.V21, supported_actions={"Heartbeat"})
    events = silent(conn, _send("NotifyPeriodicEventStream", STREAM))
    assert [type(e) for e in events] == [UnsupportedCall]
    assert conn.bad_message_count == 0


def test_valid_send_is_delivered_without_reply() -> None:
    conn = make(Version.V21)
    [event] = silent(conn, _send("NotifyPeriodicEventStream", STREAM))
    assert isinstance(event, SendReceived) and event.message.data[0].v == "230.1"


def test_result_error_21() -> None:
    conn = make(Version.V21)
    conn.receive_text(call("h", "Heartbeat", {}), 0.0)
    conn.send_result("h", heartbeat_response(Version.V21))
    sent(conn)
    [event] = silent(conn, '[5,"h","FormatViolation","bad time",{}]')
    assert event == ResultErrorReceived("h", "Heartbeat", "FormatViolation", "bad time", {})
    [event] = silent(conn, '[5,"other","GenericError","",{}]')
    assert isinstance(event, ResultErrorReceived) and event.action is None


def test_every_version_covered() -> None:
    assert {v.value for v in ALL_VERSIONS} == {"1.5", "1.6", "2.0.1", "2.1"}


def test_good_answers_still_work_after_bad_input(version: Version) -> None:
    conn, uid = _outstanding(version)
    silent(conn, '[4,"nobody","GenericError",""]')
    [event] = conn.receive_text(
        orjson.dumps([3, uid, {"currentTime": "2024-01-01T00:00:00Z"}]).decode(), 1.0)
    assert isinstance(event, ResultReceived) and event.message.current_time.year == 2024
