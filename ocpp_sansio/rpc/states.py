"""The one table of legal state transitions of the RPC engine.

Three small machines share one table; their state names do not overlap:

- the **connection**: ``OPEN`` until :meth:`~ocpp_sansio.rpc.RpcConnection.close`, then
  ``CLOSED``; every public entry point is an input here, so using a closed connection raises;
- **our CALL slot**: ``IDLE`` or ``AWAITING_REPLY``. OCPP-J 1.6 section 4.1.1 and 2.0.1 / 2.1
  Part 4 section 4.1.1 (Synchronicity): a side does not send a CALL until its previous CALL was
  answered (CALLRESULT or CALLERROR) or has timed out. ``(AWAITING_REPLY, TRANSMIT_CALL)`` is
  absent on purpose: a second CALL waits in the queue (or is refused) instead, so two of our
  CALLs can never be outstanding on the wire;
- **one peer CALL**, per message id: ``NO_CALL`` or ``AWAITING_ANSWER``. A CALL is answered
  exactly once; ``(AWAITING_ANSWER, CALL_RECEIVED)`` is absent: a second CALL with the id of one
  still being handled is the duplicate the specification answers with a CALLERROR (OCPP-J 1.6
  section 4.2.3; 2.0.1 / 2.1 Part 4 section 4.2.3), and ``(NO_CALL, ANSWER)`` is answering a
  call that is not pending (unknown id, or answered already).

:func:`step` returns the next state or raises
:class:`~ocpp_sansio.rpc.exceptions.LocalProtocolError`; :func:`allowed` tests without raising
(used where the input comes from the peer, whose faults are answered, not raised).

On its hot paths the connection tests states directly instead of calling :func:`step`: an
``OPEN`` connection stays ``OPEN`` for every entry point but ``close``; a peer CALL id held in
its pending map is ``AWAITING_ANSWER``, any other id ``NO_CALL``. The test suite checks that
these rows of the table hold.
"""

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from .exceptions import LocalProtocolError

__all__ = ["TRANSITIONS", "Input", "State", "allowed", "step"]


class State(enum.StrEnum):
    """A state of one of the three machines (see the module docstring)."""

    # the connection
    OPEN = "open"
    CLOSED = "closed"
    # our CALL slot
    IDLE = "idle"
    AWAITING_REPLY = "awaiting-reply"
    # one CALL of the peer
    NO_CALL = "no-call"
    AWAITING_ANSWER = "awaiting-answer"


class Input(enum.StrEnum):
    """What can happen to a machine."""

    # connection: the public entry points
    RECEIVE_TEXT = "receive_text"
    SEND_CALL = "send_call"
    SEND_REPLY = "send_reply"  # send_result / send_error / send_handler_failure
    SEND_SEND = "send_send"
    HANDLE_TIMEOUT = "handle_timeout"
    CLOSE = "close"
    # our CALL slot
    TRANSMIT_CALL = "transmit CALL"
    REPLY_RECEIVED = "CALLRESULT or CALLERROR received"
    INVALID_REPLY = "unusable CALLRESULT or CALLERROR received"
    TIMEOUT = "timeout"
    ABORT = "connection closed"
    # one CALL of the peer
    CALL_RECEIVED = "CALL received"
    ANSWER = "answer sent"
    DROP = "connection closed before the answer"


_OPEN_INPUTS = (
    Input.RECEIVE_TEXT, Input.SEND_CALL, Input.SEND_REPLY, Input.SEND_SEND, Input.HANDLE_TIMEOUT
)

#: (state, input) -> next state. Anything absent is illegal.
TRANSITIONS: Final[Mapping[tuple[State, Input], State]] = MappingProxyType({
    # the connection
    **{(State.OPEN, i): State.OPEN for i in _OPEN_INPUTS},
    (State.OPEN, Input.CLOSE): State.CLOSED,
    (State.CLOSED, Input.CLOSE): State.CLOSED,
    # a timer firing after the close is harmless: nothing is outstanding any more
    (State.CLOSED, Input.HANDLE_TIMEOUT): State.CLOSED,
    # our CALL slot
    (State.IDLE, Input.TRANSMIT_CALL): State.AWAITING_REPLY,
    (State.AWAITING_REPLY, Input.REPLY_RECEIVED): State.IDLE,
    (State.AWAITING_REPLY, Input.INVALID_REPLY): State.IDLE,
    (State.AWAITING_REPLY, Input.TIMEOUT): State.IDLE,
    (State.AWAITING_REPLY, Input.ABORT): State.IDLE,
    (State.IDLE, Input.ABORT): State.IDLE,
    # one CALL of the peer
    (State.NO_CALL, Input.CALL_RECEIVED): State.AWAITING_ANSWER,
    (State.AWAITING_ANSWER, Input.ANSWER): State.NO_CALL,
    (State.AWAITING_ANSWER, Input.DROP): State.NO_CALL,
})

_EXPLAIN: Final[Mapping[tuple[State, Input], str]] = MappingProxyType({
    (State.AWAITING_REPLY, Input.TRANSMIT_CALL): "a CALL of ours is outstanding already",
    (State.NO_CALL, Input.ANSWER): "no CALL of the peer is waiting for an answer with this id",
    (State.AWAITING_ANSWER, Input.CALL_RECEIVED): "a CALL with this id is being handled already",
})


def allowed(state: State, event: Input) -> bool:
    """Whether ``event`` is legal in ``state``."""
    return (state, event) in TRANSITIONS


def step(state: State, event: Input) -> State:
    """The state after ``event``; :class:`LocalProtocolError` if ``event`` is illegal there."""
    try:
        return TRANSITIONS[state, event]
    except KeyError:
        reason = _EXPLAIN.get((state, event))
        if reason is None:
            reason = f"{event.value} is not allowed in state {state.value}"
        raise LocalProtocolError(reason) from None
