"""The state table: its rows, and the rows the connection's fast paths rely on."""

import pytest

from ocpp_sansio.rpc import LocalProtocolError
from ocpp_sansio.rpc.states import TRANSITIONS, Input, State, allowed, step

CONNECTION = {State.OPEN, State.CLOSED}
SLOT = {State.IDLE, State.AWAITING_REPLY}
PEER_CALL = {State.NO_CALL, State.AWAITING_ANSWER}
ENTRY_POINTS = {
    Input.RECEIVE_TEXT, Input.SEND_CALL, Input.SEND_REPLY, Input.SEND_SEND,
    Input.HANDLE_TIMEOUT, Input.CLOSE,
}


def test_machines_stay_separate() -> None:
    for (state, _), target in TRANSITIONS.items():
        machine = next(m for m in (CONNECTION, SLOT, PEER_CALL) if state in m)
        assert target in machine


def test_open_connection_stays_open_for_every_entry_point_but_close() -> None:
    # RpcConnection.receive_text / send_result test ``state is OPEN`` instead of step().
    for event in ENTRY_POINTS - {Input.CLOSE}:
        assert step(State.OPEN, event) is State.OPEN
    assert step(State.OPEN, Input.CLOSE) is State.CLOSED


def test_closed_connection_refuses_traffic() -> None:
    for event in (Input.RECEIVE_TEXT, Input.SEND_CALL, Input.SEND_REPLY, Input.SEND_SEND):
        with pytest.raises(LocalProtocolError):
            step(State.CLOSED, event)
    assert step(State.CLOSED, Input.CLOSE) is State.CLOSED
    assert step(State.CLOSED, Input.HANDLE_TIMEOUT) is State.CLOSED


def test_one_call_of_ours_at_a_time() -> None:
    assert step(State.IDLE, Input.TRANSMIT_CALL) is State.AWAITING_REPLY
    with pytest.raises(LocalProtocolError, match="outstanding already"):
        step(State.AWAITING_REPLY, Input.TRANSMIT_CALL)
    for event in (Input.REPLY_RECEIVED, Input.INVALID_REPLY, Input.TIMEOUT, Input.ABORT):
        assert step(State.AWAITING_REPLY, event) is State.IDLE
    for event in (Input.REPLY_RECEIVED, Input.INVALID_REPLY, Input.TIMEOUT):
        assert not allowed(State.IDLE, event)


def test_peer_call_answered_exactly_once() -> None:
    # The connection keeps AWAITING_ANSWER ids in a map and relies on these three rows.
    assert step(State.NO_CALL, Input.CALL_RECEIVED) is State.AWAITING_ANSWER
    assert step(State.AWAITING_ANSWER, Input.ANSWER) is State.NO_CALL
    assert not allowed(State.AWAITING_ANSWER, Input.CALL_RECEIVED)
    with pytest.raises(LocalProtocolError, match="no CALL of the peer"):
        step(State.NO_CALL, Input.ANSWER)


def test_unknown_pairs_raise_with_a_reason() -> None:
    with pytest.raises(LocalProtocolError, match="not allowed in state idle"):
        step(State.IDLE, Input.ANSWER)
