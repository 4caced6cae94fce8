"""The OCPP 1.6 adapter (core and Security Whitepaper; OCPP-J and OCPP-S share the model)."""

from typing import ClassVar

from ...version import Version
from .v1x import V1xAdapter


class V16Adapter(V1xAdapter):
    """Generic <-> OCPP 1.6."""

    version: ClassVar[Version] = Version.V16
    unsupported_operations: ClassVar[dict[str, str]] = {
        "ReservationStatusUpdate": "1.x reports the end of a reservation through "
                                   "StatusNotification only",
    }
