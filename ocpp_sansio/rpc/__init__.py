"""OCPP-J RPC, sans-IO: frames, the connection state machine, its events and exceptions.

The second floor of the library: it builds on the message model, codec and validation, and
does no I/O. A binding feeds received WebSocket text to
:meth:`RpcConnection.receive_text`, acts on the returned events, writes what
:meth:`RpcConnection.data_to_send` returns, and calls :meth:`RpcConnection.handle_timeout` at
:meth:`RpcConnection.next_deadline`. Example (a CSMS answering a BootNotification)::

    import datetime
    from ocpp_sansio.rpc import CallReceived, RpcConnection
    from ocpp_sansio.v16.messages import BootNotificationResponse

    conn = RpcConnection("1.6", "csms")
    text = '[2,"42","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]'
    for event in conn.receive_text(text, now=0.0):
        if isinstance(event, CallReceived):
            conn.send_result(event.unique_id, BootNotificationResponse(
                status="Accepted", interval=300,
                current_time=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)))
    assert conn.data_to_send() == [
        '[3,"42",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":300}]'
    ]

See :mod:`ocpp_sansio.rpc.connection` for the rules and the table of answers to bad input.
"""

from .connection import (
    DEFAULT_MAX_MESSAGE_SIZE,
    CallHandle,
    QueueMode,
    Role,
    RpcConnection,
    SendHandle,
    new_message_id,
)
from .events import (
    BadMessage,
    CallAborted,
    CallReceived,
    CallTimedOut,
    CloseRequested,
    ErrorReceived,
    Event,
    IgnoredMessage,
    InvalidResult,
    LateError,
    LateResult,
    ResultErrorReceived,
    ResultReceived,
    SendReceived,
    UnmatchedError,
    UnmatchedResult,
    UnsupportedCall,
)
from .exceptions import (
    CallError,
    CallSlotBusy,
    CallTimeout,
    InvalidMessageError,
    InvalidResponseError,
    LocalProtocolError,
    RemoteProtocolError,
)
from .frames import MessageTypeId
from .states import State

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "BadMessage",
    "CallAborted",
    "CallError",
    "CallHandle",
    "CallReceived",
    "CallSlotBusy",
    "CallTimedOut",
    "CallTimeout",
    "CloseRequested",
    "ErrorReceived",
    "Event",
    "IgnoredMessage",
    "InvalidMessageError",
    "InvalidResponseError",
    "InvalidResult",
    "LateError",
    "LateResult",
    "LocalProtocolError",
    "MessageTypeId",
    "QueueMode",
    "RemoteProtocolError",
    "ResultErrorReceived",
    "ResultReceived",
    "Role",
    "RpcConnection",
    "SendHandle",
    "SendReceived",
    "State",
    "UnmatchedError",
    "UnmatchedResult",
    "UnsupportedCall",
    "new_message_id",
]
