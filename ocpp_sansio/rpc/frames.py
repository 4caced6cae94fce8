"""OCPP-J RPC frames: the JSON arrays that carry every OCPP message over the WebSocket.

Frame layouts (OCPP-J 1.6 section 4.2; OCPP 2.0.1 Part 4 section 4.2; OCPP 2.1 Part 4
section 4.2), with the MessageTypeId values of 1.6 Table 2 / 2.0.1 Table 3 / 2.1 Table 3:

=================  ==  ===================================================  ==============
frame              id  elements                                             versions
=================  ==  ===================================================  ==============
CALL                2  ``[2, "<MessageId>", "<Action>", {<Payload>}]``      all
CALLRESULT          3  ``[3, "<MessageId>", {<Payload>}]``                  all
CALLERROR           4  ``[4, "<MessageId>", "<errorCode>",``                all
                       ``"<errorDescription>", {<errorDetails>}]``
CALLRESULTERROR     5  as CALLERROR (2.1 section 4.2.3)                     2.1
SEND                6  as CALL (2.1 section 4.2.4), no reply                2.1
=================  ==  ===================================================  ==============

The MessageId is a string of at most 36 characters (1.6 Table 3; 2.0.1 Table 4; 2.1 Table 4).
A CALLERROR answering a message whose MessageId cannot be read carries ``"-1"`` (2.0.1 / 2.1
Part 4 section 4.2.3; OCPP-J 1.6 says nothing, the engine uses the same rule).

:func:`parse` turns text into a frame object and raises :class:`MalformedFrame` for text that
is not a well-formed frame of the version; an integer MessageTypeId the version does not
define gives an :class:`UnknownFrame` (what to do with it differs per version: see
:mod:`ocpp_sansio.rpc.connection`). Payloads are not checked here (any JSON value is kept):
that is the schema validation's job, which reports payload faults with their own codes.
:func:`serialize` and the ``*_text`` helpers write frames as compact JSON text.
"""

import enum
from typing import Any, Final

import attrs
import orjson

from ..version import Version

__all__ = [
    "MAX_ID_LENGTH",
    "UNKNOWN_ID",
    "Call",
    "CallError",
    "CallResult",
    "CallResultError",
    "Frame",
    "MalformedFrame",
    "MessageTypeId",
    "Send",
    "UnknownFrame",
    "call_text",
    "error_text",
    "message_type_ids",
    "parse",
    "parse_value",
    "readable_id",
    "result_text",
    "send_text",
    "serialize",
]

#: Longest MessageId (1.6 Table 3 "Maximum of 36 characters"; 2.0.1 / 2.1 ``string[36]``).
MAX_ID_LENGTH: Final = 36
#: MessageId of a CALLERROR answering a message whose MessageId cannot be read
#: (2.0.1 / 2.1 Part 4 section 4.2.3).
UNKNOWN_ID: Final = "-1"


class MessageTypeId(enum.IntEnum):
    """The first element of every frame (1.6 Table 2; 2.0.1 Table 3; 2.1 Table 3)."""

    CALL = 2
    CALLRESULT = 3
    CALLERROR = 4
    CALLRESULTERROR = 5  #: OCPP 2.1 only
    SEND = 6  #: OCPP 2.1 only


_CLASSIC = frozenset({MessageTypeId.CALL, MessageTypeId.CALLRESULT, MessageTypeId.CALLERROR})
_V21 = frozenset(MessageTypeId)


def message_type_ids(version: Version) -> frozenset[MessageTypeId]:
    """The MessageTypeIds ``version`` defines (2.1 adds CALLRESULTERROR and SEND)."""
    return _V21 if version is Version.V21 else _CLASSIC


@attrs.frozen
class Call:
    """A request: ``[2, unique_id, action, payload]``."""

    unique_id: str
    action: str
    payload: Any


@attrs.frozen
class CallResult:
    """A response to a CALL: ``[3, unique_id, payload]``."""

    unique_id: str
    payload: Any


@attrs.frozen
class CallError:
    """An error response to a CALL: ``[4, unique_id, code, description, details]``."""

    unique_id: str
    code: str
    description: str
    details: dict[str, Any]


@attrs.frozen
class CallResultError:
    """OCPP 2.1: the CALLRESULT with this id could not be processed (2.1 section 4.2.3)."""

    unique_id: str
    code: str
    description: str
    details: dict[str, Any]


@attrs.frozen
class Send:
    """OCPP 2.1: an unconfirmed message, ``[6, unique_id, action, payload]`` (section 4.2.4)."""

    unique_id: str
    action: str
    payload: Any


@attrs.frozen
class UnknownFrame:
    """An array whose MessageTypeId is an integer the version does not define.

    ``unique_id`` is the second element if it is a readable MessageId, else ``None``.
    """

    message_type_id: int
    unique_id: str | None


Frame = Call | CallResult | CallError | CallResultError | Send


class MalformedFrame(ValueError):
    """The text is not a well-formed RPC frame.

    ``message_type_id`` is the frame's MessageTypeId if it is one the version defines (else
    ``None``); ``unique_id`` its MessageId if that could be read (a string of at most 36
    characters), else ``None``.
    """

    def __init__(
        self, description: str, message_type_id: MessageTypeId | None = None,
        unique_id: str | None = None,
    ) -> None:
        super().__init__(description)
        self.description = description
        self.message_type_id = message_type_id
        self.unique_id = unique_id


def readable_id(value: Any) -> str | None:
    """``value`` if it is a valid MessageId (a string of at most 36 characters), else ``None``."""
    if type(value) is str and len(value) <= MAX_ID_LENGTH:
        return value
    return None


_TYPE_NAMES: Final[dict[type, str]] = {
    str: "a string", int: "an integer", float: "a number", bool: "a boolean",
    list: "an array", dict: "an object", type(None): "null",
}


def _json_type(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


_ARITY = {
    MessageTypeId.CALL: 4,
    MessageTypeId.CALLRESULT: 3,
    MessageTypeId.CALLERROR: 5,
    MessageTypeId.CALLRESULTERROR: 5,
    MessageTypeId.SEND: 4,
}


def parse(text: str | bytes, version: Version) -> Frame | UnknownFrame:
    """Parse one WebSocket text message; :class:`MalformedFrame` if it is not a frame."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise MalformedFrame(f"not valid UTF-8 JSON: {exc}") from None
    return parse_value(data, version)


def parse_value(data: Any, version: Version) -> Frame | UnknownFrame:
    """A frame from an already parsed JSON value (see :func:`parse`)."""
    if type(data) is not list:
        raise MalformedFrame(f"a message must be a JSON array, not {_json_type(data)}")
    if not data:
        raise MalformedFrame("a message must not be an empty array")
    first = data[0]
    if type(first) is not int:
        raise MalformedFrame(f"the MessageTypeId must be an integer, not {_json_type(first)}")
    uid = readable_id(data[1]) if len(data) > 1 else None
    if first not in message_type_ids(version):
        return UnknownFrame(first, uid)
    mtype = MessageTypeId(first)
    if len(data) > 1 and uid is None:
        raw = data[1]
        if type(raw) is str:
            raise MalformedFrame(
                f"the MessageId is longer than {MAX_ID_LENGTH} characters", mtype
            )
        raise MalformedFrame(f"the MessageId must be a string, not {_json_type(raw)}", mtype)
    arity = _ARITY[mtype]
    if len(data) != arity:
        raise MalformedFrame(
            f"a {mtype.name} has {arity} elements, this one has {len(data)}", mtype, uid
        )
    assert uid is not None
    if mtype is MessageTypeId.CALL or mtype is MessageTypeId.SEND:
        action = data[2]
        if type(action) is not str:
            raise MalformedFrame(
                f"the Action must be a string, not {_json_type(action)}", mtype, uid
            )
        if mtype is MessageTypeId.CALL:
            return Call(uid, action, data[3])
        return Send(uid, action, data[3])
    if mtype is MessageTypeId.CALLRESULT:
        return CallResult(uid, data[2])
    code, description, details = data[2], data[3], data[4]
    for name, value, wanted in (
        ("errorCode", code, str), ("errorDescription", description, str),
        ("errorDetails", details, dict),
    ):
        if type(value) is not wanted:
            raise MalformedFrame(
                f"the {name} must be {_TYPE_NAMES[wanted]}, not {_json_type(value)}",
                mtype, uid,
            )
    if mtype is MessageTypeId.CALLERROR:
        return CallError(uid, code, description, details)
    return CallResultError(uid, code, description, details)


def call_text(unique_id: str, action: str, payload: Any) -> str:
    """The text of a CALL."""
    return orjson.dumps([2, unique_id, action, payload]).decode()


def send_text(unique_id: str, action: str, payload: Any) -> str:
    """The text of an OCPP 2.1 SEND."""
    return orjson.dumps([6, unique_id, action, payload]).decode()


def result_text(unique_id: str, payload: Any) -> str:
    """The text of a CALLRESULT."""
    return orjson.dumps([3, unique_id, payload]).decode()


def error_text(
    unique_id: str, code: str, description: str = "", details: dict[str, Any] | None = None,
    message_type_id: MessageTypeId = MessageTypeId.CALLERROR,
) -> str:
    """The text of a CALLERROR (or, with ``message_type_id=CALLRESULTERROR``, of a 2.1
    CALLRESULTERROR). Empty details are written ``{}`` (1.6 Table 6; 2.x Table 7)."""
    return orjson.dumps(
        [int(message_type_id), unique_id, str(code), description, details or {}]
    ).decode()


def serialize(frame: Frame) -> str:
    """The compact JSON text of a frame."""
    if isinstance(frame, Call):
        return call_text(frame.unique_id, frame.action, frame.payload)
    if isinstance(frame, CallResult):
        return result_text(frame.unique_id, frame.payload)
    if isinstance(frame, Send):
        return send_text(frame.unique_id, frame.action, frame.payload)
    mtype = MessageTypeId.CALLERROR if isinstance(frame, CallError) else (
        MessageTypeId.CALLRESULTERROR
    )
    return error_text(frame.unique_id, frame.code, frame.description, frame.details, mtype)
