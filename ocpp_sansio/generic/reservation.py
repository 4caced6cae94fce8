"""Generic reservations: reserve now, cancel reservation, reservation status update."""

import datetime
import enum

import attrs

from .common import GenericMessage, IdToken, StatusInfo


class ReserveNowStatus(enum.StrEnum):
    """Answer to a reservation (same values in every version)."""

    Accepted = "Accepted"
    Faulted = "Faulted"
    Occupied = "Occupied"
    Rejected = "Rejected"
    Unavailable = "Unavailable"


@attrs.frozen(kw_only=True)
class ReserveNowRequest(GenericMessage):
    """Reserve an EVSE (or, with ``evse_id`` ``None``, any: 1.6 connector 0).

    - ``reservation_id``: 1.x ``reservationId``, 2.0.1 ``id``.
    - ``expiry_date_time``: 1.x ``expiryDate``, 2.0.1 ``expiryDateTime``.
    - ``group_id_token``: 1.x ``parentIdTag`` (its ``value``), 2.0.1 ``groupIdToken``.
    - ``connector_type``: 2.0.1+ only (``ConnectorEnumType`` value; free text in 2.1).
    """

    reservation_id: int
    expiry_date_time: datetime.datetime
    id_token: IdToken
    evse_id: int | None = None
    group_id_token: IdToken | None = None
    connector_type: str | None = None


@attrs.frozen(kw_only=True)
class ReserveNowResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: ReserveNowStatus
    status_info: StatusInfo | None = None


class CancelReservationStatus(enum.StrEnum):
    """Answer to a cancellation."""

    Accepted = "Accepted"
    Rejected = "Rejected"


@attrs.frozen(kw_only=True)
class CancelReservationRequest(GenericMessage):
    """Cancel reservation ``reservation_id``."""

    reservation_id: int


@attrs.frozen(kw_only=True)
class CancelReservationResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: CancelReservationStatus
    status_info: StatusInfo | None = None


class ReservationUpdateStatus(enum.StrEnum):
    """Why a reservation ended (``NoTransaction`` is 2.1 only)."""

    Expired = "Expired"
    Removed = "Removed"
    NoTransaction = "NoTransaction"


@attrs.frozen(kw_only=True)
class ReservationStatusUpdateRequest(GenericMessage):
    """2.0.1+ only: the station reports a reservation ended (1.x: unsupported)."""

    reservation_id: int
    status: ReservationUpdateStatus


@attrs.frozen(kw_only=True)
class ReservationStatusUpdateResponse(GenericMessage):
    """Acknowledgement (empty)."""
