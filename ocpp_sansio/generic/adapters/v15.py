"""The OCPP 1.5 adapter (OCPP-J 1.5 and OCPP-S 1.5 share the model)."""

from typing import ClassVar

from ...version import Version
from .v1x import V1xAdapter


class V15Adapter(V1xAdapter):
    """Generic <-> OCPP 1.5."""

    version: ClassVar[Version] = Version.V15
    unsupported_operations: ClassVar[dict[str, str]] = {
        "TriggerMessage": "1.5 has no TriggerMessage (added in 1.6)",
        "SetChargingProfile": "1.5 has no smart charging (added in 1.6)",
        "ClearChargingProfile": "1.5 has no smart charging (added in 1.6)",
        "GetCompositeSchedule": "1.5 has no smart charging (added in 1.6)",
        "ReservationStatusUpdate": "1.x reports the end of a reservation through "
                                   "StatusNotification only",
    }
