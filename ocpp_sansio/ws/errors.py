"""Exceptions of the OCPP-J WebSocket session layer.

Three kinds, kept apart as in h11 and wsproto:

- :class:`LocalProtocolError`: the caller misused the API (sent text before the handshake, answered
  a handshake twice, asked for a reserved close code). Nothing was sent; fix the calling code.
- :class:`RemoteProtocolError`: the peer broke a rule (a malformed upgrade request, a binary frame,
  an oversize message, a slow handshake). It carries :attr:`~RemoteProtocolError.reply`, every byte
  still to be written before the transport is closed (an HTTP error response or a Close frame).
- :class:`ConnectionClosedError`: an operation raced with the end of the connection (text sent
  after the peer closed). Not a bug in the caller, not a fault of the peer.
"""

__all__ = ["ConnectionClosedError", "LocalProtocolError", "RemoteProtocolError", "WsError"]


class WsError(Exception):
    """Base class of the session layer's exceptions."""


class LocalProtocolError(WsError):
    """The caller asked for something the session cannot do in its state or at all."""


class RemoteProtocolError(WsError):
    """The peer broke the WebSocket or OCPP-J rules; the session is now closed.

    Write :attr:`reply` (it may be empty) to the transport, then close the transport.
    """

    def __init__(
        self,
        message: str,
        *,
        reply: bytes = b"",
        status_code: int | None = None,
        close_code: int | None = None,
    ) -> None:
        super().__init__(message)
        #: bytes still to be written before closing the transport (pending output included)
        self.reply = reply
        #: HTTP status of the refusal, when the handshake was refused
        self.status_code = status_code
        #: WebSocket close code sent, when the connection was open
        self.close_code = close_code


class ConnectionClosedError(WsError):
    """The connection is closing or closed; nothing more can be sent on it."""
