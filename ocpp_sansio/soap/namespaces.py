"""XML namespaces and operations of OCPP-S: SOAP 1.2, WS-Addressing, and the OCPP services.

OCPP-S has two SOAP services per version, each with its own target namespace (the WSDLs'
``targetNamespace``):

=======  ==============================  ==============================
version  CentralSystemService (Cs)       ChargePointService (Cp)
=======  ==============================  ==============================
1.5      ``urn://Ocpp/Cs/2012/06/``      ``urn://Ocpp/Cp/2012/06/``
1.6      ``urn://Ocpp/Cs/2015/10/``      ``urn://Ocpp/Cp/2015/10/``
=======  ==============================  ==============================

The central system hosts the Cs service (operations the charge point calls); the charge point
hosts the Cp service. Body and ``chargeBoxIdentity`` header elements are qualified with the
namespace of the service that receives the request (``elementFormDefault="qualified"``), and the
response body uses the same namespace, so the version and service of any message can be read
from its body element's namespace.

The operations of each service are those of the WSDL ``portType``. For 1.5 that is every
action of the model; for 1.6 the 28 core operations: the Security Whitepaper messages exist
for OCPP-J only and have no SOAP binding.
"""

import enum
from functools import cache

from ..actions import Direction, actions_for
from ..version import Version

#: SOAP 1.2 envelope namespace (SOAP 1.2 Part 1, section 5).
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
#: SOAP 1.1 envelope namespace: answered with a VersionMismatch fault.
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
#: SOAP 1.2 roles (SOAP 1.2 Part 1, section 2.2).
ROLE_NEXT = SOAP12_ENV + "/role/next"
ROLE_NONE = SOAP12_ENV + "/role/none"
ROLE_ULTIMATE_RECEIVER = SOAP12_ENV + "/role/ultimateReceiver"

#: WS-Addressing 1.0 (W3C Recommendation, 2005/08): what this library sends.
WSA_2005 = "http://www.w3.org/2005/08/addressing"
#: WS-Addressing member submission (2004/08): accepted on input, as some peers still send it.
WSA_2004 = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSA_NAMESPACES = (WSA_2005, WSA_2004)

#: The anonymous address ("reply on the back channel", i.e. in the HTTP response).
WSA_ANONYMOUS = {
    WSA_2005: WSA_2005 + "/anonymous",
    WSA_2004: WSA_2004 + "/role/anonymous",
}
#: WS-Addressing 1.0 Core, section 2.1: "none" discards messages sent to it.
WSA_NONE = WSA_2005 + "/none"
#: WS-Addressing 1.0 SOAP Binding, section 6: the Action of a SOAP fault.
WSA_FAULT_ACTION = {
    WSA_2005: WSA_2005 + "/soap/fault",
    WSA_2004: WSA_2004 + "/fault",
}

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def clark(ns: str | None, local: str) -> str:
    """An element or attribute name in lxml's ``{namespace}local`` notation."""
    return local if ns is None else "{" + ns + "}" + local


class Service(enum.Enum):
    """One of the two OCPP-S services; the value is the namespace's service segment."""

    CENTRAL_SYSTEM = "Cs"  #: hosted by the central system, called by charge points
    CHARGE_POINT = "Cp"  #: hosted by the charge point, called by the central system

    @property
    def peer(self) -> "Service":
        """The service the other side hosts."""
        return Service.CHARGE_POINT if self is Service.CENTRAL_SYSTEM else Service.CENTRAL_SYSTEM


_DATES = {Version.V15: "2012/06", Version.V16: "2015/10"}
#: OCPP 1.2 (SOAP only) namespaces: recognised, so they get a NotSupported fault.
OCPP12_NAMESPACES = frozenset({"urn://Ocpp/Cs/2010/08/", "urn://Ocpp/Cp/2010/08/"})

#: Versions that have an OCPP-S binding in this library.
SOAP_VERSIONS = (Version.V15, Version.V16)

# OCPP 1.6 core operations (both 1.6 WSDLs' portTypes); the 1.6 model also holds the Security
# Whitepaper actions, which are OCPP-J only.
_V16_OPERATIONS = frozenset({
    "Authorize", "BootNotification", "CancelReservation", "ChangeAvailability",
    "ChangeConfiguration", "ClearCache", "ClearChargingProfile", "DataTransfer",
    "DiagnosticsStatusNotification", "FirmwareStatusNotification", "GetCompositeSchedule",
    "GetConfiguration", "GetDiagnostics", "GetLocalListVersion", "Heartbeat", "MeterValues",
    "RemoteStartTransaction", "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList",
    "SetChargingProfile", "StartTransaction", "StatusNotification", "StopTransaction",
    "TriggerMessage", "UnlockConnector", "UpdateFirmware",
})


def namespace(version: Version, service: Service) -> str:
    """The target namespace of ``service`` in ``version``; ``KeyError`` without OCPP-S."""
    return f"urn://Ocpp/{service.value}/{_DATES[version]}/"


_BY_NAMESPACE = {namespace(v, s): (v, s) for v in SOAP_VERSIONS for s in Service}


def prefix(ns: str | None) -> str:
    """The prefix this library writes for an OCPP-S namespace: ``cs`` or ``cp`` (else ``o``)."""
    found = _BY_NAMESPACE.get(ns) if ns is not None else None
    return "o" if found is None else found[1].value.lower()


def lookup(ns: str | None) -> tuple[Version, Service] | None:
    """The version and service a namespace belongs to, or ``None``."""
    if ns is None:
        return None
    return _BY_NAMESPACE.get(ns)


@cache
def operations(version: Version, service: Service) -> frozenset[str]:
    """The operations ``service`` offers in ``version`` (its WSDL portType).

    DataTransfer is in both services. Raises ``KeyError`` for a version without OCPP-S.
    """
    if version not in _DATES:
        raise KeyError(version)
    table = actions_for(version)
    wanted = Direction.CS_TO_CSMS if service is Service.CENTRAL_SYSTEM else Direction.CSMS_TO_CS
    return frozenset(
        name for name, spec in table.items()
        if (version is not Version.V16 or name in _V16_OPERATIONS)
        and spec.direction in (wanted, Direction.BOTH)
    )


def element_name(action: str, is_request: bool) -> str:
    """The body element's local name: ``bootNotificationRequest``, ``resetResponse``.

    Both WSDLs of 1.5 and 1.6 name every element this way (lower-case first letter).
    """
    return action[:1].lower() + action[1:] + ("Request" if is_request else "Response")


def split_element_name(local: str) -> tuple[str, bool] | None:
    """``(action, is_request)`` for a body element name, or ``None`` if it has neither suffix."""
    for suffix, is_request in (("Request", True), ("Response", False)):
        if local.endswith(suffix) and len(local) > len(suffix):
            stem = local[: -len(suffix)]
            return stem[:1].upper() + stem[1:], is_request
    return None


def action_uri(action: str, is_request: bool) -> str:
    """The WS-Addressing Action of an operation's message: ``/Reset``, ``/ResetResponse``.

    These are the ``wsaw:Action`` values of the WSDLs' portType operations.
    """
    return "/" + action + ("" if is_request else "Response")
