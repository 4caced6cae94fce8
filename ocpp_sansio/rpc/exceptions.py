"""Exceptions of the OCPP-J RPC engine.

Two families, never mixed (the h11 convention):

- :class:`LocalProtocolError`: *this* application misused the engine (answered a call twice,
  sent a message of another version, sent a message its role may not send, sent a message
  that breaks its schema). Nothing was written for it, except where a subclass says so.
- :class:`RemoteProtocolError`: the *peer* broke the protocol. It carries the CALLERROR (or, in
  OCPP 2.1, CALLRESULTERROR) text the engine queued in reply, or ``None`` where the
  specification forbids a reply. The engine does not raise it from
  :meth:`~ocpp_sansio.rpc.RpcConnection.receive_text`: it reports it inside a
  :class:`~ocpp_sansio.rpc.events.BadMessage` or
  :class:`~ocpp_sansio.rpc.events.InvalidResult` event, so one bad message never stops the
  connection.

Two more are outcomes of a call, for bindings to raise to the code awaiting it:
:class:`CallError` (the peer answered with a CALLERROR; a handler may also raise it to choose
the CALLERROR code it answers with) and :class:`CallTimeout`.
"""

from typing import Any

__all__ = [
    "CallError",
    "CallSlotBusy",
    "CallTimeout",
    "InvalidMessageError",
    "InvalidResponseError",
    "LocalProtocolError",
    "RemoteProtocolError",
]


class LocalProtocolError(Exception):
    """The application used the engine in a way the protocol or the engine does not allow."""


class CallSlotBusy(LocalProtocolError):
    """``queue_mode="refuse"``: a CALL was sent while ours is still outstanding.

    OCPP-J 1.6 section 4.1.1, 2.0.1 / 2.1 Part 4 section 4.1.1 (Synchronicity): a side sends
    no CALL until its previous CALL was answered or timed out.
    """


class InvalidMessageError(LocalProtocolError):
    """An outgoing message broke its schema (``__cause__`` / :attr:`validation_error` say how).

    Nothing was sent for it.
    """

    def __init__(self, message: str, validation_error: Exception | None = None) -> None:
        super().__init__(message)
        self.validation_error = validation_error


class InvalidResponseError(InvalidMessageError):
    """The application's response to a peer's CALL was not a valid response of its action.

    The peer's call has been answered with a CALLERROR ``InternalError`` (its text is
    :attr:`reply`), so the call stays answered exactly once.
    """

    def __init__(
        self, message: str, reply: str, validation_error: Exception | None = None
    ) -> None:
        super().__init__(message, validation_error)
        self.reply = reply


class RemoteProtocolError(Exception):
    """The peer sent a message that breaks the protocol.

    ``code`` is the RPC error code in the connection's version spelling, ``description`` a
    short text (at most 255 characters, the limit of ErrorDescription in OCPP 2.x), and
    ``reply`` the CALLERROR / CALLRESULTERROR text queued for the peer, or ``None`` when none
    may be sent (a SEND, a CALLERROR, a malformed CALLRESULT before 2.1, ...).
    ``unique_id`` and ``action`` are those of the offending message when they could be read.
    """

    def __init__(
        self,
        code: str,
        description: str,
        *,
        unique_id: str | None = None,
        action: str | None = None,
        reply: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.unique_id = unique_id
        self.action = action
        self.reply = reply

    def __repr__(self) -> str:
        return (
            f"RemoteProtocolError({self.code!r}, {self.description!r}, "
            f"unique_id={self.unique_id!r}, action={self.action!r}, reply={self.reply!r})"
        )


class CallError(Exception):
    """A CALLERROR: the peer's answer to one of our CALLs, or raised by a handler.

    A handler that raises ``CallError(code, description, details)`` makes
    :meth:`~ocpp_sansio.rpc.RpcConnection.send_handler_failure` answer with that code, respelled
    for the version where it only differs in spelling (``FormatViolation`` /
    ``FormationViolation``); a code the version does not have is sent as ``GenericError``.
    """

    def __init__(
        self,
        code: str,
        description: str = "",
        details: dict[str, Any] | None = None,
        *,
        unique_id: str | None = None,
        action: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code
        self.description = description
        self.details: dict[str, Any] = {} if details is None else details
        self.unique_id = unique_id
        self.action = action


class CallTimeout(Exception):
    """No answer to one of our CALLs arrived before its deadline."""

    def __init__(self, unique_id: str, action: str, timeout: float | None = None) -> None:
        text = f"no answer to {action} (id {unique_id!r})"
        if timeout is not None:
            text += f" within {timeout:g} s"
        super().__init__(text)
        self.unique_id = unique_id
        self.action = action
        self.timeout = timeout
