"""Events of the OCPP-J RPC engine: what :class:`~ocpp_sansio.rpc.RpcConnection` reports.

:meth:`~ocpp_sansio.rpc.RpcConnection.receive_text`,
:meth:`~ocpp_sansio.rpc.RpcConnection.handle_timeout` and
:meth:`~ocpp_sansio.rpc.RpcConnection.close` return lists of these frozen attrs objects. Every
event that answers the peer automatically (a CALLERROR, a CALLRESULTERROR) says so in its
``reply`` (the text also sits in the outbox).

The peer called us:

- :class:`CallReceived`: a valid CALL; answer it with ``send_result``, ``send_error`` or
  ``send_handler_failure`` (exactly once).
- :class:`SendReceived`: OCPP 2.1, a valid SEND; never answered.
- :class:`UnsupportedCall`: a valid CALL of an action the application does not handle
  (``supported_actions``); answered ``NotSupported`` already.

Our CALLs:

- :class:`ResultReceived`, :class:`ErrorReceived`: the answer to our outstanding CALL.
- :class:`InvalidResult`: the answer was unusable (its payload broke the response schema, or
  the frame was malformed); the call has failed with it.
- :class:`CallTimedOut`: no answer before the deadline; the slot is free again.
- :class:`CallAborted`: the connection closed before the answer (or before the call was sent).
- :class:`LateResult`, :class:`LateError`: the answer to a call that had timed out already;
  never matched to any other call.
- :class:`UnmatchedResult`, :class:`UnmatchedError`: an answer whose id is none of ours.
- :class:`ResultErrorReceived`: OCPP 2.1, the peer could not process one of our CALLRESULTs.

Protocol faults of the peer:

- :class:`BadMessage`: the peer broke the protocol; ``error.reply`` is what was answered
  (``None`` where the specification forbids an answer).
- :class:`IgnoredMessage`: an unknown MessageTypeId the version says to ignore (OCPP-J 1.6 and
  OCPP 2.1).
- :class:`CloseRequested`: too many bad messages in a row; the transport should close.
"""

from typing import Any

import attrs

from .exceptions import CallError, RemoteProtocolError

__all__ = [
    "BadMessage",
    "CallAborted",
    "CallReceived",
    "CallTimedOut",
    "CloseRequested",
    "ErrorReceived",
    "Event",
    "IgnoredMessage",
    "InvalidResult",
    "LateError",
    "LateResult",
    "ResultErrorReceived",
    "ResultReceived",
    "SendReceived",
    "UnmatchedError",
    "UnmatchedResult",
    "UnsupportedCall",
]


@attrs.frozen
class CallReceived:
    """The peer sent a valid CALL. ``message`` is the typed request, ``payload`` its wire dict.

    It must be answered exactly once: ``send_result(unique_id, response)``,
    ``send_error(...)`` or ``send_handler_failure(unique_id, exc_or_None)``.
    """

    unique_id: str
    action: str
    message: Any
    payload: dict[str, Any] = attrs.field(repr=False)


@attrs.frozen
class SendReceived:
    """OCPP 2.1: the peer sent a valid SEND (2.1 Part 4 section 4.2.4); it gets no reply."""

    unique_id: str
    action: str
    message: Any
    payload: dict[str, Any] = attrs.field(repr=False)


@attrs.frozen
class UnsupportedCall:
    """A valid CALL of an action the application does not handle (``supported_actions``).

    Answered with CALLERROR ``NotSupported`` ("Requested Action is recognized but not supported
    by the receiver", 1.6 Table 7; 2.0.1 Table 8; 2.1 Table 9): ``reply`` is that text.
    For a SEND (2.1) ``reply`` is ``None``.
    """

    unique_id: str
    action: str
    reply: str | None


@attrs.frozen
class ResultReceived:
    """The CALLRESULT of our outstanding CALL ``request``; ``message`` is the typed response."""

    unique_id: str
    action: str
    request: Any
    message: Any
    payload: dict[str, Any] = attrs.field(repr=False)


@attrs.frozen
class ErrorReceived:
    """The CALLERROR answering our outstanding CALL ``request``.

    ``code`` is the peer's errorCode as sent (normally one of the version's table).
    :meth:`to_exception` gives the :class:`~ocpp_sansio.rpc.exceptions.CallError` to raise.
    """

    unique_id: str
    action: str
    request: Any
    code: str
    description: str
    details: dict[str, Any]

    def to_exception(self) -> CallError:
        return CallError(
            self.code, self.description, self.details, unique_id=self.unique_id,
            action=self.action,
        )


@attrs.frozen
class InvalidResult:
    """The answer to our outstanding CALL could not be used; the call has failed.

    Either a CALLRESULT whose payload broke the response schema (``error.code`` is the
    violation's code), or a CALLRESULT / CALLERROR frame with our id that was malformed. In
    OCPP 2.1 a bad CALLRESULT is answered with a CALLRESULTERROR (2.1 Part 4 section 4.2.3):
    ``error.reply``; earlier versions have no message for it (a CALLERROR only answers a CALL),
    so ``error.reply`` is ``None``.
    """

    unique_id: str
    action: str
    request: Any
    error: RemoteProtocolError


@attrs.frozen
class CallTimedOut:
    """Our CALL got no answer before its deadline; the slot is free for the next CALL.

    OCPP-J 1.6 / 2.0.1 / 2.1 section 4.1.1: a CALL "has timed out" when it was not answered
    within an implementation-chosen interval. An answer arriving later is reported as
    :class:`LateResult` / :class:`LateError`.
    """

    unique_id: str
    action: str
    request: Any
    timeout: float


@attrs.frozen
class CallAborted:
    """The connection closed while our CALL was outstanding (``sent``) or still queued."""

    unique_id: str
    action: str
    request: Any
    sent: bool


@attrs.frozen
class LateResult:
    """A CALLRESULT for one of our CALLs that had timed out already (not decoded)."""

    unique_id: str
    action: str
    request: Any
    payload: Any = attrs.field(repr=False)


@attrs.frozen
class LateError:
    """A CALLERROR for one of our CALLs that had timed out already."""

    unique_id: str
    action: str
    request: Any
    code: str
    description: str
    details: dict[str, Any]


@attrs.frozen
class UnmatchedResult:
    """A CALLRESULT whose id is not one of our CALLs (none outstanding with it). No reply."""

    unique_id: str
    payload: Any = attrs.field(repr=False)


@attrs.frozen
class UnmatchedError:
    """A CALLERROR whose id is not one of our CALLs. No reply.

    Includes a CALLERROR with id ``"-1"``: the peer could not read the id of something we sent.
    """

    unique_id: str
    code: str
    description: str
    details: dict[str, Any]


@attrs.frozen
class ResultErrorReceived:
    """OCPP 2.1: the peer could not process our CALLRESULT with this id (section 4.2.3).

    ``action`` is that of the call we answered, when the engine still remembers it.
    """

    unique_id: str
    action: str | None
    code: str
    description: str
    details: dict[str, Any]


@attrs.frozen
class BadMessage:
    """The peer sent something that breaks the protocol.

    ``error`` holds the code, description, the message's id and action when readable, and
    ``reply``: the CALLERROR text the engine queued, or ``None`` when no answer may be sent.
    ``text`` is the offending message as received.
    """

    error: RemoteProtocolError
    text: str | bytes = attrs.field(repr=False)


@attrs.frozen
class IgnoredMessage:
    """A message with a MessageTypeId the version does not define, ignored as its spec says.

    OCPP-J 1.6 section 4.1.3 and OCPP 2.1 Part 4 sections 4.1.3 / 4.4: "it SHALL ignore the
    message payload". (OCPP 2.0.1 answers ``MessageTypeNotSupported`` instead.)
    """

    message_type_id: int
    text: str | bytes = attrs.field(repr=False)


@attrs.frozen
class CloseRequested:
    """The bad-message limit was reached: the transport should close the connection.

    ``code`` is the WebSocket close code to use (1002, protocol error, RFC 6455 section 7.4.1).
    """

    reason: str
    code: int = 1002


Event = (
    CallReceived | SendReceived | UnsupportedCall | ResultReceived | ErrorReceived
    | InvalidResult | CallTimedOut | CallAborted | LateResult | LateError | UnmatchedResult
    | UnmatchedError | ResultErrorReceived | BadMessage | IgnoredMessage | CloseRequested
)
