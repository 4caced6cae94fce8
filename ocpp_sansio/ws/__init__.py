"""OCPP-J WebSocket session layer, sans-IO (floor 2): handshake rules, sessions, TLS helpers.

- :mod:`.config`: settings (:class:`ServerConfig`, :class:`ClientConfig`, :class:`Limits`,
  :class:`KeepAlive`, :class:`Compression`, :class:`SecurityProfile`);
- :mod:`.handshake`: the OCPP-J opening handshake as pure functions, :class:`AuthRequest`,
  :class:`Accept`, :class:`Reject`;
- :mod:`.session`, :mod:`.server`, :mod:`.client`: :class:`ServerSession` (CSMS) and
  :class:`ClientSession` (Charging Station), bytes in / events out / bytes to send;
- :mod:`.events`, :mod:`.errors`: what sessions report and raise;
- :mod:`.deflate`: permessage-deflate with bounded inflation;
- :mod:`.registry`: one connection per station identity, the duplicate policy;
- :mod:`.tls`: :class:`ssl.SSLContext` builders for security profiles 2 and 3.

See ``docs/websocket.md``.
"""

from .client import ClientSession
from .config import (
    ClientConfig,
    Compression,
    Headers,
    KeepAlive,
    Limits,
    NoSubprotocolAction,
    SecurityProfile,
    ServerConfig,
)
from .errors import ConnectionClosedError, LocalProtocolError, RemoteProtocolError, WsError
from .events import (
    Connected,
    ConnectionClosed,
    ConnectRequested,
    Event,
    MessageReceived,
    Rejected,
)
from .handshake import Accept, AuthRequest, Reject
from .registry import Admission, ConnectionRegistry, DuplicatePolicy
from .server import ServerSession
from .session import SessionState, WsSession
from .tls import CertChain, PeerCertificate

__all__ = [
    "Accept",
    "Admission",
    "AuthRequest",
    "CertChain",
    "ClientConfig",
    "ClientSession",
    "Compression",
    "ConnectRequested",
    "Connected",
    "ConnectionClosed",
    "ConnectionClosedError",
    "ConnectionRegistry",
    "DuplicatePolicy",
    "Event",
    "Headers",
    "KeepAlive",
    "Limits",
    "LocalProtocolError",
    "MessageReceived",
    "NoSubprotocolAction",
    "PeerCertificate",
    "Reject",
    "Rejected",
    "RemoteProtocolError",
    "SecurityProfile",
    "ServerConfig",
    "ServerSession",
    "SessionState",
    "WsError",
    "WsSession",
]
