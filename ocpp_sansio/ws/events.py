"""Events a WebSocket session reports (frozen attrs values).

A session's life ends in exactly one of: a :class:`ConnectionClosed` event, a :class:`Rejected`
event (station side), a :class:`~ocpp_sansio.ws.errors.RemoteProtocolError` raised while reading
events, or the caller's own refusal / abort.
"""

import attrs

from ..version import Version
from .config import Headers
from .handshake import AuthRequest

__all__ = [
    "ConnectRequested",
    "Connected",
    "ConnectionClosed",
    "Event",
    "MessageReceived",
    "Rejected",
]


@attrs.frozen(kw_only=True)
class ConnectRequested:
    """CSMS side: a station's upgrade request passed the protocol checks; answer it with
    :meth:`~ocpp_sansio.ws.server.ServerSession.respond`."""

    request: AuthRequest


@attrs.frozen(kw_only=True)
class Connected:
    """The WebSocket connection is open and speaks ``version``."""

    version: Version
    #: the subprotocol in the 101 response; ``None`` when the CSMS assumed a version for a
    #: station that offered none
    subprotocol: str | None
    #: permessage-deflate is in use
    compression: bool


@attrs.frozen(kw_only=True)
class Rejected:
    """Station side: the CSMS refused the connection.

    ``status_code`` is the HTTP status; 101 means the CSMS completed the upgrade without
    choosing any offered subprotocol, which OCPP-J section 3.2 defines as its refusal.
    """

    status_code: int
    headers: Headers
    #: the response body, cut at the handshake size limit
    body: bytes
    reason: str


@attrs.frozen(kw_only=True)
class MessageReceived:
    """A complete text message (one OCPP-J RPC frame, still JSON text)."""

    text: str


@attrs.frozen(kw_only=True)
class ConnectionClosed:
    """The connection is over; close the transport once pending output is written.

    ``code`` / ``reason`` follow RFC 6455 section 7.1.5-7.1.6: those of the first Close frame
    received, 1005 when it had no code, 1006 when none was received (transport lost, peer dead,
    close handshake timed out). ``by_peer``: the peer started the closing.
    """

    code: int
    reason: str
    by_peer: bool


Event = ConnectRequested | Connected | Rejected | MessageReceived | ConnectionClosed
