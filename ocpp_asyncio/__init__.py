"""ocpp-toolkit on asyncio: drives the sans-IO engines of ``ocpp_sansio`` over real sockets.

Floor 3 of the house: a read loop, a write loop and a timer per connection; no protocol rule
lives here. Station: :func:`connect`; CSMS: :func:`serve` (OCPP-J and, on the same port,
OCPP-S); the version-independent generic API: :func:`connect_generic`,
:func:`serve_generic`. See ``docs/bindings.md``; ``ocpp_trio`` has the same API.
"""

from ocpp_sansio.rpc import CallError, CallTimeout

from ._common import ConnectionClosed, HandshakeRejected, ReconnectPolicy
from ._generic import (
    GenericContext,
    GenericCsms,
    GenericRouter,
    GenericStation,
    connect_generic,
    serve_generic,
)
from ._handlers import CallContext, Handler, Router
from ._outbox import DeliveryError, DriverStats, MessageDropped, MessageFailed, OutboxDriver
from ._server import Server, StationConnection, serve
from ._station import Station, connect

__all__ = [
    "CallContext",
    "CallError",
    "CallTimeout",
    "ConnectionClosed",
    "DeliveryError",
    "DriverStats",
    "GenericContext",
    "GenericCsms",
    "GenericRouter",
    "GenericStation",
    "Handler",
    "HandshakeRejected",
    "MessageDropped",
    "MessageFailed",
    "OutboxDriver",
    "ReconnectPolicy",
    "Router",
    "Server",
    "Station",
    "StationConnection",
    "connect",
    "connect_generic",
    "serve",
    "serve_generic",
]
