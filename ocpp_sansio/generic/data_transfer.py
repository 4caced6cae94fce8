"""Generic vendor data transfer (either side may send it)."""

import enum
from typing import Any

import attrs

from .common import GenericMessage, StatusInfo


class DataTransferStatus(enum.StrEnum):
    """Answer to a data transfer (same values in every version)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    UnknownMessageId = "UnknownMessageId"
    UnknownVendorId = "UnknownVendorId"


@attrs.frozen(kw_only=True)
class DataTransferRequest(GenericMessage):
    """Vendor-specific data.

    ``data``: any JSON value in 2.0.1+; 1.x carries text only, so other values are sent to
    1.x as their JSON text (reported as normalized).
    """

    vendor_id: str
    message_id: str | None = None
    data: Any = None


@attrs.frozen(kw_only=True)
class DataTransferResponse(GenericMessage):
    """Answer; ``data`` as in the request; ``status_info`` 2.0.1+ only."""

    status: DataTransferStatus
    data: Any = None
    status_info: StatusInfo | None = None
