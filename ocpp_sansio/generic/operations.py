"""The generic operations: name, request and response classes, and who sends the request.

Names follow 2.0.1 where the operation exists there (``TransactionEvent``,
``RequestStartTransaction``...), with two generic names: ``GetConfiguration`` /
``SetConfiguration`` (1.x Get/ChangeConfiguration, 2.0.1 Get/SetVariables) and ``GetLog``
(1.x GetDiagnostics, GetLog).
"""

from collections.abc import Iterator, Mapping
from typing import Any, Literal

import attrs

from ..actions import Direction
from . import authorization as au
from . import availability as av
from . import configuration as co
from . import data_transfer as dt
from . import firmware as fw
from . import provisioning as pr
from . import reservation as re
from . import smart_charging as sc
from . import transactions as tx
from .common import GenericMessage, Role

Kind = Literal["request", "response"]


@attrs.frozen
class OperationSpec:
    """One generic operation."""

    name: str
    request: type[GenericMessage]
    response: type[GenericMessage]
    direction: Direction

    def sent_by(self, role: Role) -> bool:
        """Whether ``role`` sends this operation's request."""
        if role is Role.STATION:
            return self.direction.sent_by_station()
        return self.direction.sent_by_csms()


class OperationTable(Mapping[str, OperationSpec]):
    """The generic operations by name, with a reverse index from class to operation."""

    def __init__(self, specs: list[OperationSpec]) -> None:
        self._by_name = {s.name: s for s in specs}
        self._by_class: dict[type[Any], tuple[OperationSpec, Kind]] = {}
        for s in specs:
            self._by_class[s.request] = (s, "request")
            self._by_class[s.response] = (s, "response")

    def __getitem__(self, name: str) -> OperationSpec:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def of(self, message: object) -> tuple[OperationSpec, Kind]:
        """The operation of a generic message (instance or class) and its kind; ``KeyError``
        for anything else."""
        cls = message if isinstance(message, type) else type(message)
        return self._by_class[cls]


_CS, _CSMS, _BOTH = Direction.CS_TO_CSMS, Direction.CSMS_TO_CS, Direction.BOTH

#: Every generic operation, in the order of the mapping table.
OPERATIONS = OperationTable([
    OperationSpec("BootNotification", pr.BootNotificationRequest, pr.BootNotificationResponse,
                  _CS),
    OperationSpec("Heartbeat", pr.HeartbeatRequest, pr.HeartbeatResponse, _CS),
    OperationSpec("StatusNotification", av.StatusNotificationRequest,
                  av.StatusNotificationResponse, _CS),
    OperationSpec("Authorize", au.AuthorizeRequest, au.AuthorizeResponse, _CS),
    OperationSpec("TransactionEvent", tx.TransactionEventRequest, tx.TransactionEventResponse,
                  _CS),
    OperationSpec("MeterValues", tx.MeterValuesRequest, tx.MeterValuesResponse, _CS),
    OperationSpec("RequestStartTransaction", tx.RequestStartTransactionRequest,
                  tx.RequestStartTransactionResponse, _CSMS),
    OperationSpec("RequestStopTransaction", tx.RequestStopTransactionRequest,
                  tx.RequestStopTransactionResponse, _CSMS),
    OperationSpec("Reset", pr.ResetRequest, pr.ResetResponse, _CSMS),
    OperationSpec("ChangeAvailability", av.ChangeAvailabilityRequest,
                  av.ChangeAvailabilityResponse, _CSMS),
    OperationSpec("UnlockConnector", av.UnlockConnectorRequest, av.UnlockConnectorResponse,
                  _CSMS),
    OperationSpec("GetConfiguration", co.GetConfigurationRequest, co.GetConfigurationResponse,
                  _CSMS),
    OperationSpec("SetConfiguration", co.SetConfigurationRequest, co.SetConfigurationResponse,
                  _CSMS),
    OperationSpec("TriggerMessage", pr.TriggerMessageRequest, pr.TriggerMessageResponse, _CSMS),
    OperationSpec("DataTransfer", dt.DataTransferRequest, dt.DataTransferResponse, _BOTH),
    OperationSpec("UpdateFirmware", fw.UpdateFirmwareRequest, fw.UpdateFirmwareResponse, _CSMS),
    OperationSpec("FirmwareStatusNotification", fw.FirmwareStatusNotificationRequest,
                  fw.FirmwareStatusNotificationResponse, _CS),
    OperationSpec("GetLog", fw.GetLogRequest, fw.GetLogResponse, _CSMS),
    OperationSpec("LogStatusNotification", fw.LogStatusNotificationRequest,
                  fw.LogStatusNotificationResponse, _CS),
    OperationSpec("ReserveNow", re.ReserveNowRequest, re.ReserveNowResponse, _CSMS),
    OperationSpec("CancelReservation", re.CancelReservationRequest,
                  re.CancelReservationResponse, _CSMS),
    OperationSpec("ReservationStatusUpdate", re.ReservationStatusUpdateRequest,
                  re.ReservationStatusUpdateResponse, _CS),
    OperationSpec("SendLocalList", au.SendLocalListRequest, au.SendLocalListResponse, _CSMS),
    OperationSpec("GetLocalListVersion", au.GetLocalListVersionRequest,
                  au.GetLocalListVersionResponse, _CSMS),
    OperationSpec("ClearCache", au.ClearCacheRequest, au.ClearCacheResponse, _CSMS),
    OperationSpec("SetChargingProfile", sc.SetChargingProfileRequest,
                  sc.SetChargingProfileResponse, _CSMS),
    OperationSpec("ClearChargingProfile", sc.ClearChargingProfileRequest,
                  sc.ClearChargingProfileResponse, _CSMS),
    OperationSpec("GetCompositeSchedule", sc.GetCompositeScheduleRequest,
                  sc.GetCompositeScheduleResponse, _CSMS),
])
