"""ocpp-toolkit on trio: drives the sans-IO engines of ``ocpp_sansio`` over real sockets.

Floor 3 of the house: a read loop, a write loop and a timer per connection; no protocol rule
lives here. Station: :func:`connect`; CSMS: :func:`serve` (OCPP-J and, on the same port,
OCPP-S); the version-independent generic API: :func:`connect_generic`,
:func:`serve_generic`. See ``docs/bindings.md``; ``ocpp_asyncio`` has the same API.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:  # OCPP-S (lxml) loads on first use, below
    from ._soap import PeerUnreachable, SoapStationConnection, open_soap_station, serve_soap

_SOAP = frozenset({"PeerUnreachable", "SoapStationConnection", "open_soap_station",
                   "serve_soap"})


def __getattr__(name: str) -> Any:
    """The OCPP-S names (``serve_soap``, ``open_soap_station``...), imported on first use."""
    if name in _SOAP:
        from . import _soap  # noqa: PLC0415

        return getattr(_soap, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
    "PeerUnreachable",
    "ReconnectPolicy",
    "Router",
    "Server",
    "SoapStationConnection",
    "Station",
    "StationConnection",
    "connect",
    "connect_generic",
    "open_soap_station",
    "serve",
    "serve_generic",
    "serve_soap",
]
