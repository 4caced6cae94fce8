"""Behaviour of RpcConnection: correlation, the CALL slot and its queue, deadlines, SEND,
closing, options, and the local errors of misuse."""

import math
import textwrap
from typing import Any

import orjson
import pytest

import ocpp_sansio.rpc
from ocpp_sansio.rpc import (
    BadMessage,
    CallAborted,
    CallError,
    CallReceived,
    CallSlotBusy,
    CallTimedOut,
    CallTimeout,
    CloseRequested,
    ErrorReceived,
    Event,
    InvalidMessageError,
    LateResult,
    LocalProtocolError,
    ResultReceived,
    RpcConnection,
    SendReceived,
    State,
    new_message_id,
)
from ocpp_sansio.validation import LENIENT_POLICY, OFF, STRICT, ValidationPolicy
from ocpp_sansio.version import Version

from ._helpers import (
    NOW,
    OLD,
    boot_payload,
    boot_response,
    call,
    counter_ids,
    data_transfer,
    data_transfer_response,
    heartbeat,
    heartbeat_response,
    make,
    message,
    sent,
    station,
    stream_request,
)


def deliver(src: RpcConnection, dst: RpcConnection, now: float = 0.0) -> list[Event]:
    """Move everything ``src`` wants to send into ``dst``; returns ``dst``'s events."""
    events: list[Event] = []
    for text in src.data_to_send():
        events.extend(dst.receive_text(text, now))
    return events


def boot_request(version: Version, vendor: str = "VendorX") -> Any:
    if version in OLD:
        return message(version, "BootNotification", charge_point_vendor=vendor,
                       charge_point_model="ModelY")
    return message(version, "BootNotification", reason="PowerUp",
                   charging_station=station(version, vendor))


def test_round_trip(version: Version) -> None:
    cs, csms = make(version, "cs"), make(version, "csms")
    request = boot_request(version)
    handle = cs.send_call(request, 0.0)
    assert handle.text is not None and handle.action == "BootNotification"
    [received] = deliver(cs, csms)
    assert isinstance(received, CallReceived)
    assert received.message == request and received.payload == boot_payload(version)
    response = boot_response(version)
    text = csms.send_result(received.unique_id, response)
    assert orjson.loads(text)[:2] == [3, handle.unique_id]
    [result] = deliver(csms, cs)
    assert isinstance(result, ResultReceived)
    assert result.message == response and result.request is request
    assert result.unique_id == handle.unique_id and cs.can_send_call
    assert cs.next_deadline() is None


def test_error_received(version: Version) -> None:
    cs, csms = make(version, "cs"), make(version, "csms")
    handle = cs.send_call(heartbeat(version), 0.0)
    [received] = deliver(cs, csms)
    csms.send_error(received.unique_id, "GenericError", "busy", {"retry": 5})  # type: ignore[union-attr]
    [event] = deliver(csms, cs)
    assert event == ErrorReceived(handle.unique_id, "Heartbeat", handle.request, "GenericError",
                                  "busy", {"retry": 5})
    assert isinstance(event, ErrorReceived)
    exc = event.to_exception()
    assert isinstance(exc, CallError) and exc.code == "GenericError" and exc.details == {
        "retry": 5}


def test_queue_keeps_order_and_one_call_on_the_wire(version: Version) -> None:
    cs, csms = make(version, "cs"), make(version, "csms")
    handles = [cs.send_call(data_transfer(version, str(i)), 0.0) for i in range(3)]
    assert handles[0].text is not None and handles[1].text is None and handles[2].text is None
    assert [h.unique_id for h in cs.queued_calls] == [h.unique_id for h in handles[1:]]
    for i, handle in enumerate(handles):
        texts = cs.data_to_send()
        assert len(texts) == 1 and orjson.loads(texts[0])[1] == handle.unique_id
        [received] = csms.receive_text(texts[0], float(i))
        assert isinstance(received, CallReceived) and received.message.data == str(i)
        csms.send_result(received.unique_id, data_transfer_response(version, str(i)))
        [result] = deliver(csms, cs, float(i))
        assert isinstance(result, ResultReceived) and result.message.data == str(i)
    assert cs.data_to_send() == [] and cs.can_send_call


def test_refuse_mode(version: Version) -> None:
    cs = make(version, "cs", queue_mode="refuse")
    cs.send_call(heartbeat(version), 0.0)
    with pytest.raises(CallSlotBusy, match=r"4\.1\.1"):
        cs.send_call(heartbeat(version), 0.0)
    assert cs.queued_calls == () and len(cs.data_to_send()) == 1


def test_peer_call_while_ours_is_outstanding(version: Version) -> None:
    """Crossing CALLs (section 4.1.1 NOTE): the handler may call the peer; that call waits for
    our slot, the answer to the peer goes out at once."""
    cs, csms = make(version, "cs"), make(version, "csms")
    ours = csms.send_call(data_transfer(version, "from-csms"), 0.0)
    theirs = cs.send_call(data_transfer(version, "from-cs"), 0.0)
    [at_csms] = deliver(cs, csms)
    assert isinstance(at_csms, CallReceived)
    nested = csms.send_call(data_transfer(version, "nested"), 0.0)
    assert nested.text is None  # queued behind ``ours``
    csms.send_result(at_csms.unique_id, data_transfer_response(version, "ok"))
    out = [orjson.loads(t) for t in csms.data_to_send()]
    assert [f[:2] for f in out] == [[2, ours.unique_id], [3, theirs.unique_id]]
    # cs answers ours; then the nested call goes out
    [at_cs] = cs.receive_text(orjson.dumps(out[0]).decode(), 0.0)
    assert isinstance(at_cs, CallReceived)
    cs.send_result(at_cs.unique_id, data_transfer_response(version, None))
    [done] = deliver(cs, csms)
    assert isinstance(done, ResultReceived) and done.unique_id == ours.unique_id
    assert [orjson.loads(t)[1] for t in csms.data_to_send()] == [nested.unique_id]


def test_timeouts_and_late_results(version: Version) -> None:
    cs = make(version, "cs", default_timeout=5)
    first = cs.send_call(heartbeat(version), 100.0)
    second = cs.send_call(heartbeat(version), 101.0, timeout=2.5)
    assert cs.next_deadline() == 105.0
    assert cs.handle_timeout(104.999) == []
    [timed_out] = cs.handle_timeout(105.0)
    assert timed_out == CallTimedOut(first.unique_id, "Heartbeat", first.request, 5.0)
    # the queued call went out when the slot freed, its deadline counted from then
    assert [orjson.loads(t)[1] for t in cs.data_to_send()] == [first.unique_id,
                                                                 second.unique_id]
    assert cs.next_deadline() == 107.5
    late = orjson.dumps([3, first.unique_id, {"currentTime": "2024-01-01T00:00:00Z"}]).decode()
    [event] = cs.receive_text(late, 106.0)
    assert isinstance(event, LateResult) and event.request is first.request
    assert cs.outstanding_call is not None
    assert cs.outstanding_call.unique_id == second.unique_id  # not resolved by the late one


def test_answer_at_the_deadline_is_late(version: Version) -> None:
    """receive_text applies expiry first: an answer arriving at (or after) the deadline is
    late even if handle_timeout was not called in time."""
    cs = make(version, "cs", default_timeout=1)
    handle = cs.send_call(heartbeat(version), 0.0)
    text = orjson.dumps([3, handle.unique_id, {"currentTime": "2024-01-01T00:00:00Z"}]).decode()
    events = cs.receive_text(text, 1.0)
    assert [type(e) for e in events] == [CallTimedOut, LateResult]


@pytest.mark.parametrize("bad", [0, -1, math.inf, math.nan, "5", True])
def test_bad_timeouts(bad: Any) -> None:
    cs = make(Version.V16, "cs")
    with pytest.raises(LocalProtocolError, match="timeout"):
        cs.send_call(heartbeat(Version.V16), 0.0, timeout=bad)
    with pytest.raises(ValueError, match="default_timeout"):
        RpcConnection(Version.V16, "cs", default_timeout=bad)


def test_constructor_checks() -> None:
    with pytest.raises(ValueError):
        RpcConnection("1.6", "cs", queue_mode="drop")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RpcConnection("1.6", "cs", max_message_size=0)
    with pytest.raises(ValueError):
        RpcConnection("1.6", "cs", bad_message_limit=0)
    with pytest.raises(ValueError):
        RpcConnection("1.6", "station")
    with pytest.raises(ValueError):
        RpcConnection("3.0", "cs")


def test_local_errors(version: Version) -> None:
    cs = make(version, "cs")
    other = Version.V16 if version is not Version.V16 else Version.V201
    with pytest.raises(LocalProtocolError, match="not an OCPP"):
        cs.send_call(heartbeat(other), 0.0)
    with pytest.raises(LocalProtocolError, match="is a response"):
        cs.send_call(heartbeat_response(version), 0.0)
    with pytest.raises(LocalProtocolError, match="instance"):
        cs.send_call(type(heartbeat(version)), 0.0)
    with pytest.raises(LocalProtocolError, match="does not send ClearCache"):
        cs.send_call(message(version, "ClearCache"), 0.0)
    with pytest.raises(LocalProtocolError, match="not an OCPP"):
        cs.send_call("Heartbeat", 0.0)
    with pytest.raises(LocalProtocolError, match="no CALL of the peer"):
        cs.send_result("nobody", heartbeat_response(version))
    with pytest.raises(LocalProtocolError, match="no CALL of the peer"):
        cs.send_error("nobody", "GenericError")
    with pytest.raises(LocalProtocolError, match="no CALL of the peer"):
        cs.send_handler_failure("nobody", None)
    assert cs.data_to_send() == []


def test_invalid_outgoing_call_is_not_sent(version: Version) -> None:
    cs = make(version, "cs")
    bad = boot_request(version, "x" * 300)
    with pytest.raises(InvalidMessageError) as info:
        cs.send_call(bad, 0.0)
    assert info.value.validation_error is not None
    assert cs.data_to_send() == [] and cs.can_send_call


def test_outbound_validation_can_be_switched_off(version: Version) -> None:
    policy = ValidationPolicy(outbound=OFF)
    cs = make(version, "cs", policy=policy)
    cs.send_call(boot_request(version, "x" * 300), 0.0)
    assert len(cs.data_to_send()) == 1


def test_send_error_checks(version: Version) -> None:
    csms = make(version)
    csms.receive_text(call("a", "Heartbeat", {}), 0.0)
    with pytest.raises(LocalProtocolError, match="not an OCPP"):
        csms.send_error("a", "Bogus")
    wrong = "FormationViolation" if version not in OLD else "FormatViolation"
    with pytest.raises(LocalProtocolError, match="not an OCPP"):
        csms.send_error("a", wrong)
    with pytest.raises(LocalProtocolError, match="JSON"):
        csms.send_error("a", "GenericError", "", {"x": object()})
    with pytest.raises(LocalProtocolError, match="mapping"):
        csms.send_error("a", "GenericError", "", [1])  # type: ignore[arg-type]
    if version not in OLD:
        with pytest.raises(LocalProtocolError, match="255"):
            csms.send_error("a", "GenericError", "d" * 256)
    assert csms.data_to_send() == [] and "a" in csms.pending_calls
    csms.send_error("a", "GenericError", "d" * 255)
    assert sent(csms)[0][3] == "d" * 255
    with pytest.raises(LocalProtocolError):
        csms.send_result("a", heartbeat_response(version))  # answered already


def test_id_factory_checks(version: Version) -> None:
    for bad in ["", "x" * 37, 7, "-1"]:
        cs = make(version, "cs", id_factory=lambda bad=bad: bad)
        with pytest.raises(LocalProtocolError, match="id_factory"):
            cs.send_call(heartbeat(version), 0.0)
    cs = make(version, "cs", id_factory=lambda: "same")
    cs.send_call(heartbeat(version), 0.0)
    with pytest.raises(LocalProtocolError, match="still in use"):
        cs.send_call(heartbeat(version), 0.0)
    cs.handle_timeout(1000.0)  # timed out ids stay reserved, so a late answer is never matched
    with pytest.raises(LocalProtocolError, match="still in use"):
        cs.send_call(heartbeat(version), 1000.0)


def test_default_ids_are_uuids() -> None:
    assert len(new_message_id()) == 36 and new_message_id() != new_message_id()
    handle = RpcConnection("1.6", "cs").send_call(heartbeat(Version.V16), 0.0)
    assert len(handle.unique_id) == 36


def test_close(version: Version) -> None:
    cs = make(version, "cs")
    first = cs.send_call(heartbeat(version), 0.0)
    second = cs.send_call(heartbeat(version), 0.0)
    cs.receive_text(call("p", "ClearCache", {}), 0.0)
    events = cs.close()
    assert events == [
        CallAborted(first.unique_id, "Heartbeat", first.request, True),
        CallAborted(second.unique_id, "Heartbeat", second.request, False),
    ]
    assert cs.state is State.CLOSED and cs.pending_calls == {} and cs.next_deadline() is None
    assert cs.close() == [] and cs.handle_timeout(100.0) == []
    assert len(cs.data_to_send()) == 1  # what was queued before the close stays readable
    for attempt in (
        lambda: cs.receive_text("[]", 0.0), lambda: cs.send_call(heartbeat(version), 0.0),
        lambda: cs.send_result("p", message(version, "ClearCache", "response",
                                            status="Accepted")),
        lambda: cs.send_error("p", "GenericError"), lambda: cs.send_handler_failure("p", None),
    ):
        with pytest.raises(LocalProtocolError):
            attempt()


def test_bad_message_limit() -> None:
    conn = make(Version.V16, bad_message_limit=3)
    events = [conn.receive_text("x", 0.0) for _ in range(2)]
    assert all(CloseRequested not in [type(e) for e in batch] for batch in events)
    conn.receive_text(call("a", "Heartbeat", {}), 0.0)  # a good message resets the run
    for _ in range(2):
        assert CloseRequested not in [type(e) for e in conn.receive_text("x", 0.0)]
    third = conn.receive_text("x", 0.0)
    assert [type(e) for e in third] == [BadMessage, CloseRequested]
    assert CloseRequested not in [type(e) for e in conn.receive_text("x", 0.0)]
    assert conn.bad_message_count == 6
    unlimited = make(Version.V16, bad_message_limit=None)
    for _ in range(20):
        assert CloseRequested not in [type(e) for e in unlimited.receive_text("x", 0.0)]


def test_lenient_inbound_keeps_unknown_properties(version: Version) -> None:
    conn = make(version, policy=LENIENT_POLICY)
    payload = {**boot_payload(version), "vendorExtension": 1}
    [event] = conn.receive_text(call("a", "BootNotification", payload), 0.0)
    assert isinstance(event, CallReceived)
    assert event.message.extra_fields == {"vendorExtension": 1}


def test_validation_off_still_answers_undecodable_payloads(version: Version) -> None:
    conn = make(version, policy=ValidationPolicy(inbound=OFF, outbound=STRICT))
    events = conn.receive_text(call("a", "BootNotification", {"nonsense": True}), 0.0)
    assert [type(e) for e in events] == [BadMessage]
    assert sent(conn)[0][:3] == [4, "a", "FormationViolation" if version in OLD else
                                 "FormatViolation"]


def test_policy_override_per_action(version: Version) -> None:
    policy = ValidationPolicy(overrides={("inbound", "Heartbeat", "request"): OFF})
    conn = make(version, policy=policy)
    assert isinstance(conn.receive_text(call("a", "Heartbeat", {"x": 1}), 0.0)[0], CallReceived)
    assert isinstance(conn.receive_text(call("b", "BootNotification", {"x": 1}), 0.0)[0],
                      BadMessage)


def test_send_21() -> None:
    cs, csms = make(Version.V21, "cs"), make(Version.V21, "csms")
    call_handle = cs.send_call(heartbeat(Version.V21), 0.0)
    send_handle = cs.send_send(stream_request())  # does not wait for the outstanding CALL
    texts = cs.data_to_send()
    assert [orjson.loads(t)[0] for t in texts] == [2, 6]
    assert orjson.loads(send_handle.text)[1] == send_handle.unique_id
    assert send_handle.unique_id != call_handle.unique_id
    events = [e for t in texts for e in csms.receive_text(t, 0.0)]
    assert [type(e) for e in events] == [CallReceived, SendReceived]
    assert events[1].message == stream_request()  # type: ignore[union-attr]
    assert [orjson.loads(t)[0] for t in csms.data_to_send()] == []  # the SEND got no reply
    with pytest.raises(LocalProtocolError, match="does not send"):
        csms.send_send(stream_request())
    with pytest.raises(LocalProtocolError, match="use send_send"):
        cs.send_call(stream_request(), 0.0)
    with pytest.raises(LocalProtocolError, match="use send_call"):
        cs.send_send(heartbeat(Version.V21))


def test_send_only_in_21(version: Version) -> None:
    if version is Version.V21:
        return
    with pytest.raises(LocalProtocolError, match=r"2\.1 only"):
        make(version, "cs").send_send(heartbeat(version))


def test_call_timeout_exception() -> None:
    exc = CallTimeout("a", "Heartbeat", 30.0)
    assert "within 30 s" in str(exc) and exc.action == "Heartbeat"
    assert str(CallError("GenericError")) == "GenericError"


def test_outstanding_and_pending_views(version: Version) -> None:
    conn = make(version, "cs", id_factory=counter_ids("x"))
    assert conn.outstanding_call is None
    conn.send_call(heartbeat(version), 0.0)
    assert conn.outstanding_call is not None and conn.outstanding_call.unique_id == "x-1"
    conn.receive_text(call("p", "ClearCache", {}), 0.0)
    with pytest.raises(TypeError):
        conn.pending_calls["q"] = "x"
    assert dict(conn.pending_calls) == {"p": "ClearCache"}


def test_docstring_example() -> None:
    """The example in the ocpp_sansio.rpc docstring runs."""
    doc = ocpp_sansio.rpc.__doc__
    assert doc is not None
    source = textwrap.dedent(doc.split("::\n\n", 1)[1].split("\n\nSee ", 1)[0])
    assert "receive_text" in source and "assert conn.data_to_send()" in source
    exec(compile(source, "<ocpp_sansio.rpc example>", "exec"), {})


def test_now_is_only_used_for_deadlines(version: Version) -> None:
    """Passing odd ``now`` values (negative, huge) works: the engine never reads a clock."""
    cs = make(version, "cs", default_timeout=1)
    cs.send_call(heartbeat(version), -1e9)
    assert cs.next_deadline() == -1e9 + 1
    [event] = cs.handle_timeout(1e12)
    assert isinstance(event, CallTimedOut)
    assert NOW.year == 2024
