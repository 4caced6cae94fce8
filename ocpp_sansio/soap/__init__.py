"""OCPP-S: the SOAP 1.2 binding of OCPP 1.5 and 1.6, sans-IO.

Modules, bottom up:

- :mod:`.namespaces`: SOAP, WS-Addressing and OCPP-S namespaces, services and operations;
- :mod:`.faults`: SOAP 1.2 faults with the OCPP subcodes;
- :mod:`.xmltext`: escaping and checks for XML written as text;
- :mod:`.body`: body elements <-> wire dicts <-> typed messages;
- :mod:`.envelope`: safe envelope parsing, header blocks, envelope emission;
- :mod:`.http`: HTTP/1.1 framing on h11 (chunked, gzip/deflate, size limits);
- :mod:`.connection`: the endpoints (:class:`SoapServer`, :class:`SoapClient`,
  :class:`SoapEndpoint`) that the trio and asyncio bindings drive.

See ``docs/soap.md`` for the behaviour in detail.
"""

from .connection import (
    CallReceived,
    FaultReceived,
    Limits,
    LocalProtocolError,
    Peer,
    RemoteProtocolError,
    ResultReceived,
    SoapClient,
    SoapEndpoint,
    SoapServer,
    read_request,
    write_request,
)
from .envelope import Addressing, XmlLimits
from .faults import Fault, FaultCode, QName, Subcode
from .http import ConnectionClosed, HttpLimits, NeedData, Paused, SendContinue
from .namespaces import Service, namespace, operations
from .xmltext import UnrepresentableError

__all__ = [
    "Addressing",
    "CallReceived",
    "ConnectionClosed",
    "Fault",
    "FaultCode",
    "FaultReceived",
    "HttpLimits",
    "Limits",
    "LocalProtocolError",
    "NeedData",
    "Paused",
    "Peer",
    "QName",
    "RemoteProtocolError",
    "ResultReceived",
    "SendContinue",
    "Service",
    "SoapClient",
    "SoapEndpoint",
    "SoapServer",
    "Subcode",
    "UnrepresentableError",
    "XmlLimits",
    "namespace",
    "operations",
    "read_request",
    "write_request",
]
