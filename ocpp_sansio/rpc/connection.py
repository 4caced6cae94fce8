"""The OCPP-J RPC connection: :class:`RpcConnection`, a sans-IO state machine.

One object per WebSocket connection, for one (version, role). Text in, events out; the text to
write collects in an outbox (:meth:`RpcConnection.data_to_send`). No I/O, no clock (every entry
point that needs the time takes ``now``, a float of monotonic seconds), no randomness except
through the injected ``id_factory`` (default :func:`new_message_id`, a uuid4).

Behaviour, with the specification it follows (OCPP-J 1.6 = "OCPP JSON Specification 1.6";
2.0.1 / 2.1 = Part 4 "JSON over WebSockets implementation guide" of each):

- **One CALL of ours at a time** (1.6 / 2.0.1 / 2.1 section 4.1.1 Synchronicity). A CALL sent
  while ours is outstanding waits in a FIFO queue (``queue_mode="queue"``) and goes out when
  the slot frees, or raises :class:`~ocpp_sansio.rpc.exceptions.CallSlotBusy`
  (``queue_mode="refuse"``). The peer's CALLs are delivered while ours is outstanding ("CALL
  messages from both sides can always cross each other", same section), so a handler may call
  the peer. SEND (2.1) does not take the slot (2.1 section 4.1.1, NOTE).
- **Deadlines**: each CALL has a timeout (``default_timeout`` unless given), counted from the
  moment it is written to the outbox (section 4.1.1: "since the message was sent").
  :meth:`~RpcConnection.next_deadline` and :meth:`~RpcConnection.handle_timeout` turn expiry
  into :class:`~ocpp_sansio.rpc.events.CallTimedOut`; ``receive_text`` applies expiry first
  too, so an answer received at or after the deadline is a
  :class:`~ocpp_sansio.rpc.events.LateResult` / :class:`~ocpp_sansio.rpc.events.LateError`,
  never matched to another call.
- **Correlation**: a CALLRESULT / CALLERROR is matched by MessageId to our outstanding CALL
  (1.6 section 4.1.4; 2.0.1 / 2.1 section 4.1.4) and decoded into that action's typed response.
- **Every CALL of the peer is answered exactly once**: by the application (``send_result``,
  ``send_error``, ``send_handler_failure``) or by the engine (the table below).

Bad input, and what the engine answers (codes from :mod:`ocpp_sansio.errors`: OCPP-J 1.6
section 4.2.3 Table 7 "Valid Error Codes", which 1.5 uses too; 2.0.1 section 4.3 Table 8; 2.1
section 4.3 Table 9). "id" is the message's MessageId when it can be read (a string of at most
36 characters), else ``"-1"`` (2.0.1 / 2.1 section 4.2.3: "When also the MessageId cannot be
read, the CALLERROR SHALL contain "-1" as MessageId"; OCPP-J 1.6 has no rule, the same one is
used). Rows marked * count towards ``bad_message_limit``.

====  ============================================  ================================================
row   input                                         reply (CALLERROR unless stated; its MessageId)
====  ============================================  ================================================
1*    longer than ``max_message_size`` (not         a CALL (id) or an unreadable start ("-1"): 1.x
      parsed; type and id read from its start)      FormationViolation, 2.x FormatViolation. An
                                                    answer to our CALL: as row 19. Unknown type:
                                                    as row 5. Other frames: none
2*    not UTF-8 JSON                                1.x FormationViolation, 2.x RpcFrameworkError;
                                                    "-1"
3*    JSON, but not an array, or an empty one       1.x FormationViolation, 2.x RpcFrameworkError;
                                                    "-1"
4*    MessageTypeId not an integer (``"2"``,        1.x FormationViolation, 2.x RpcFrameworkError;
      ``2.0``, ``true``)                            "-1"
5     MessageTypeId an integer the version does     1.x, 2.1: none (IgnoredMessage); 2.0.1
      not define (1.x, 2.0.1: not 2-4; 2.1: not     (counted): MessageTypeNotSupported; id
      2-6)
6*    CALL: not 4 elements; MessageId or Action     1.x FormationViolation, 2.x RpcFrameworkError;
      not a string                                  id
7*    CALL: MessageId longer than 36 characters     1.x FormationViolation, 2.x RpcFrameworkError;
                                                    "-1"
8*    CALL: MessageId of a CALL still being         1.x GenericError, 2.x RpcFrameworkError; id
      handled (duplicate in flight)
9*    CALL: Action unknown in the version (case-    NotImplemented
      sensitive)
10*   CALL: Action the peer's role may not send (a  NotSupported
      station receiving BootNotification)
11    CALL: Action outside ``supported_actions``    NotSupported
      (UnsupportedCall)
12*   CALL: payload not a JSON object               1.x FormationViolation, 2.x FormatViolation
13*   CALL: payload breaks the action's schema      the violation's code: Formation- /
                                                    FormatViolation, Occurence- /
                                                    OccurrenceConstraintViolation, Property- or
                                                    TypeConstraintViolation
14*   2.1: CALL of a SEND-only action               RpcFrameworkError
      (NotifyPeriodicEventStream)
15    handler raised or returned nothing            InternalError; a raised CallError's own code;
      (``send_handler_failure``)                    NotImplementedError: NotSupported
16    the application's response is invalid:        InternalError, and InvalidResponseError raised
      another class, or breaks the schema           to the application
      (``send_result``)
17    CALLRESULT / CALLERROR with an id that is     none (UnmatchedResult / UnmatchedError)
      not ours
18    CALLRESULT / CALLERROR after its CALL timed   none (LateResult / LateError)
      out
19*   CALLRESULT for our CALL whose payload breaks  1.x, 2.0.1: none; 2.1: CALLRESULTERROR with the
      the response schema (InvalidResult)           violation's code
20*   malformed CALLRESULT / CALLERROR with our     1.x, 2.0.1: none; 2.1, for a CALLRESULT:
      CALL's id (InvalidResult)                     CALLRESULTERROR RpcFrameworkError
21*   any other malformed CALLRESULT, CALLERROR,    none (BadMessage)
      2.1 CALLRESULTERROR or SEND
22*   2.1 SEND: unknown or non-SEND action, wrong   none (BadMessage; 2.1 section 4.2.4: "SHALL NOT
      direction, payload breaking its schema        respond to a SEND")
====  ============================================  ================================================

1.x = 1.5 and 1.6, 2.x = 2.0.1 and 2.1.

Choices the specifications leave open, and why:

- Row 5: 1.6 section 4.1.3 and 2.1 sections 4.1.3 / 4.4 say "SHALL ignore the message
  payload"; 2.0.1 section 4.4 says to "respond with an CALLERROR with errorCode:
  MessageTypeNotSupported" (the text spells it "MessageTypeErrorSupported", the table
  ``MessageTypeNotSupported``).
- Rows 2-4, 6, 7: 2.x has ``RpcFrameworkError`` ("Content of the call is not a valid RPC
  Request, for example: MessageId could not be read"); 1.6 has no such code, and
  ``FormationViolation`` ("syntactically incorrect or not conform the PDU structure") is the
  closest. A MessageId over 36 characters is not a valid MessageId, so it is answered with
  ``"-1"``: echoing it would make our own CALLERROR break the same 36-character rule.
- Row 8: listed as a CALLERROR case in section 4.2.3 of each version ("an existing call with the
  same unique identifier is being handled already"); 2.x: ``RpcFrameworkError`` (the envelope is
  wrong, not the payload); 1.6 has no envelope code, so ``GenericError``.
- Row 10: ``NotSupported`` ("Requested Action is recognized but not supported by the
  receiver"): the name is a known action of the version, so ``NotImplemented`` ("not known by
  receiver") would be false; the receiver, in its role, does not support it.
- Row 1: the 2.0.1 device model answers a request over ``BytesPerMessage`` with
  ``FormatViolation`` (2.0.1 Part 2, B06.FR.17); the same code in 1.6 spelling.
- Rows 19-21: a CALLERROR only answers a CALL (1.6 / 2.0.1 section 4.2.3); 2.1 section 4.2.3
  adds CALLRESULTERROR for "a CALLRESULT that contains errors".

``bad_message_limit`` counts rows marked * in a row (a well-formed message resets the count);
reaching it emits :class:`~ocpp_sansio.rpc.events.CloseRequested` once.
"""

import collections
import enum
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal, NoReturn

import attrs
import orjson

from ..actions import ActionSpec, ActionTable, actions_for
from ..codec import from_wire, to_wire
from ..errors import Violation, code_for, error_codes
from ..validation import (
    STRICT_POLICY,
    Flow,
    Kind,
    Profile,
    ValidationError,
    ValidationPolicy,
    validate,
    validator,
)
from ..version import Version
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
    InvalidMessageError,
    InvalidResponseError,
    LocalProtocolError,
    RemoteProtocolError,
)
from .frames import (
    MAX_ID_LENGTH,
    UNKNOWN_ID,
    Call,
    CallResult,
    CallResultError,
    MalformedFrame,
    MessageTypeId,
    Send,
    UnknownFrame,
    call_text,
    error_text,
    message_type_ids,
    parse_value,
    send_text,
)
from .frames import CallError as CallErrorFrame
from .states import Input, State, step

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "CallHandle",
    "QueueMode",
    "Role",
    "RpcConnection",
    "SendHandle",
    "new_message_id",
]

#: Default ``max_message_size``: 1 MiB, as common WebSocket libraries default to.
DEFAULT_MAX_MESSAGE_SIZE: Final = 1 << 20
#: ErrorDescription is ``string[255]`` in 2.0.1 / 2.1 (Table 7); the engine keeps its own
#: descriptions within that in every version.
_MAX_DESCRIPTION: Final = 255
#: How many timed-out CALL ids (and, in 2.1, answered peer CALL ids) are remembered.
_MEMORY: Final = 256

QueueMode = Literal["queue", "refuse"]


class Role(enum.StrEnum):
    """Which side of the connection the application is."""

    CS = "cs"  #: the charging station (charge point)
    CSMS = "csms"  #: the CSMS (central system)


def new_message_id() -> str:
    """A fresh MessageId: a random UUID (36 characters), the default ``id_factory``."""
    return str(uuid.uuid4())


@attrs.frozen
class CallHandle:
    """What :meth:`RpcConnection.send_call` did: the CALL's id, and ``text`` if it was written
    to the outbox at once (``None`` while it waits in the queue)."""

    unique_id: str
    action: str
    request: Any
    text: str | None


@attrs.frozen
class SendHandle:
    """What :meth:`RpcConnection.send_send` wrote (OCPP 2.1 SEND)."""

    unique_id: str
    action: str
    message: Any
    text: str


_UNSET: Final[Any] = object()
_Check = Callable[[Any], Any] | None


class _Route:
    """Per action: its classes, who may send it, and the validators (compiled on first use)."""

    __slots__ = (
        "action", "call_refusal", "in_request", "in_response", "keep_request", "keep_response",
        "out_request", "out_response", "request", "response", "send_refusal", "spec",
        "we_may_send",
    )

    def __init__(self, spec: ActionSpec, role: Role, supported: bool) -> None:
        self.spec = spec
        self.action = spec.name
        self.request: type[Any] = spec.request
        self.response: type[Any] | None = spec.response
        peer_is_station = role is Role.CSMS
        peer_may_send = (
            spec.direction.sent_by_station() if peer_is_station
            else spec.direction.sent_by_csms()
        )
        self.we_may_send = (
            spec.direction.sent_by_csms() if peer_is_station
            else spec.direction.sent_by_station()
        )
        # (code kind, description, counted as a bad message) for a CALL / a SEND of it
        self.call_refusal: tuple[str, str, bool] | None = None
        self.send_refusal: tuple[str, str, bool] | None = None
        peer = "a charging station" if peer_is_station else "a CSMS"
        if not peer_may_send:
            text = f"{spec.name} is not sent by {peer} (direction {spec.direction.value})"
            self.call_refusal = self.send_refusal = ("NotSupported", text, True)
        elif not supported:
            text = f"{spec.name} is not supported by this receiver"
            self.call_refusal = self.send_refusal = ("NotSupported", text, False)
        if spec.response is None:
            # OCPP 2.1 only (the one version with SEND messages): row 14.
            self.call_refusal = (
                "RpcFrameworkError", f"{spec.name} is a SEND message (MessageTypeId 6), not a CALL",
                True,
            )
        else:
            self.send_refusal = (
                "RpcFrameworkError", f"{spec.name} is a CALL action, not a SEND message", True
            )
        self.in_request: _Check = _UNSET
        self.in_response: _Check = _UNSET
        self.out_request: _Check = _UNSET
        self.out_response: _Check = _UNSET
        self.keep_request = False
        self.keep_response = False


# Routes depend only on (version, role, supported actions, policy) and compile their
# validators lazily, so connections alike share one table: a CSMS holding thousands of
# stations keeps one route table per configuration, not one per connection (~22 KB each).
_ROUTES: dict[tuple[Version, Role, frozenset[str] | None, int],
              tuple[ValidationPolicy, dict[str, _Route]]] = {}


def _shared_routes(
    version: Version, role: Role, supported: frozenset[str] | None, policy: ValidationPolicy,
    actions: ActionTable,
) -> dict[str, _Route]:
    key = (version, role, supported, id(policy))  # the entry keeps policy alive: ids stay unique
    entry = _ROUTES.get(key)
    if entry is None or entry[0] is not policy:
        routes = {
            name: _Route(spec, role, supported is None or name in supported)
            for name, spec in actions.items()
        }
        entry = _ROUTES[key] = (policy, routes)
    return entry[1]


class _Outgoing:
    """One CALL of ours, queued or outstanding."""

    __slots__ = ("action", "deadline", "request", "route", "text", "timeout", "unique_id")

    def __init__(
        self, unique_id: str, route: _Route, request: Any, text: str, timeout: float
    ) -> None:
        self.unique_id = unique_id
        self.route = route
        self.action = route.action
        self.request = request
        self.text = text
        self.timeout = timeout
        self.deadline = math.inf


# The start of a frame, read without parsing a message that is too long to parse.
_HEAD = 100
_PREFIX_STR = re.compile(r'[ \t\n\r]*\[[ \t\n\r]*([0-9]{1,3})[ \t\n\r]*,[ \t\n\r]*"([^"\\]{0,36})"')
_PREFIX_BYTES = re.compile(
    rb'[ \t\n\r]*\[[ \t\n\r]*([0-9]{1,3})[ \t\n\r]*,[ \t\n\r]*"([^"\\]{0,36})"'
)
# 2.x spelling -> 1.6 spelling and back, for codes a handler raises in the other spelling.
_RESPELL = {
    "FormatViolation": "FormationViolation",
    "FormationViolation": "FormatViolation",
    "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
    "OccurenceConstraintViolation": "OccurrenceConstraintViolation",
}


def _trim(text: str) -> str:
    return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 3] + "..."


def _json_name(value: Any) -> str:
    names = {
        str: "a string", int: "an integer", float: "a number", bool: "a boolean",
        list: "an array", type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


class RpcConnection:
    """The OCPP-J RPC engine for one connection (see the module docstring for the rules).

    ``version``: the negotiated OCPP version. ``role``: ``"cs"`` (this side is the charging
    station) or ``"csms"``. ``policy``: the validation profiles per direction, action and kind.
    ``supported_actions``: the actions the application handles (``None``: every action the
    peer may send); a CALL of another known action is answered ``NotSupported``.
    ``id_factory``: makes MessageIds (strings of 1 to 36 characters, unique on the
    connection). ``default_timeout``: seconds a CALL waits for its answer. ``queue_mode``:
    ``"queue"`` (default) or ``"refuse"`` a CALL while ours is outstanding.
    ``max_message_size``: longest text accepted (characters, or bytes for ``bytes`` input;
    ``None``: no limit). ``bad_message_limit``: protocol faults in a row after which
    :class:`~ocpp_sansio.rpc.events.CloseRequested` is emitted (``None``: never).
    """

    def __init__(
        self,
        version: Version | str,
        role: Role | str,
        *,
        policy: ValidationPolicy = STRICT_POLICY,
        supported_actions: Iterable[str] | None = None,
        id_factory: Callable[[], str] = new_message_id,
        default_timeout: float = 30.0,
        queue_mode: QueueMode = "queue",
        max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
        bad_message_limit: int | None = 10,
    ) -> None:
        self.version = Version(version)
        self.role = Role(role)
        if queue_mode not in ("queue", "refuse"):
            raise ValueError(f"queue_mode must be 'queue' or 'refuse', not {queue_mode!r}")
        try:
            _check_timeout(default_timeout)
        except LocalProtocolError as exc:
            raise ValueError(f"default_timeout: {exc}") from None
        if max_message_size is not None and max_message_size < 1:
            raise ValueError("max_message_size must be positive or None")
        if bad_message_limit is not None and bad_message_limit < 1:
            raise ValueError("bad_message_limit must be positive or None")
        self.policy = policy
        self.default_timeout = float(default_timeout)
        self.queue_mode: QueueMode = queue_mode
        self.max_message_size = max_message_size
        self.bad_message_limit = bad_message_limit
        self._id_factory = id_factory
        self._actions: ActionTable = actions_for(self.version)
        supported = None if supported_actions is None else frozenset(supported_actions)
        if supported is not None:
            unknown = sorted(supported.difference(self._actions))
            if unknown:
                raise ValueError(f"not OCPP {self.version} actions: {', '.join(unknown)}")
        self.supported_actions: frozenset[str] | None = supported
        self._routes = _shared_routes(self.version, self.role, supported, policy, self._actions)
        self._v21 = self.version is Version.V21
        self._message_types = message_type_ids(self.version)
        codes = error_codes(self.version)
        self._codes: frozenset[str] = frozenset(c.value for c in codes)
        old = self._old = self.version in (Version.V15, Version.V16)
        # Error codes, per bad-input row of the module docstring, in this version's spelling.
        self._c_envelope = "FormationViolation" if old else "RpcFrameworkError"
        self._c_duplicate = "GenericError" if old else "RpcFrameworkError"
        self._c_format = code_for(self.version, Violation.FORMAT).value
        # State (see states.py): the connection, our CALL slot, the peer's pending CALLs.
        self._state = State.OPEN
        self._slot = State.IDLE
        self._outstanding: _Outgoing | None = None
        self._queue: collections.deque[_Outgoing] = collections.deque()
        self._queued_ids: set[str] = set()
        self._timed_out: dict[str, _Outgoing] = {}
        self._inbound: dict[str, str] = {}  # peer CALL id -> action, awaiting our answer
        self._answered: dict[str, str] = {}  # 2.1: recently answered peer CALL id -> action
        self._outbox: list[str] = []
        self._bad_total = 0
        self._bad_run = 0

    # --- read-only state --------------------------------------------------------------------

    @property
    def state(self) -> State:
        """``State.OPEN`` or ``State.CLOSED``."""
        return self._state

    @property
    def can_send_call(self) -> bool:
        """Whether a CALL sent now goes out at once (no CALL of ours is outstanding)."""
        return self._slot is State.IDLE

    @property
    def outstanding_call(self) -> CallHandle | None:
        """Our CALL on the wire awaiting its answer, if any."""
        out = self._outstanding
        if out is None:
            return None
        return CallHandle(out.unique_id, out.action, out.request, out.text)

    @property
    def queued_calls(self) -> tuple[CallHandle, ...]:
        """Our CALLs waiting for the slot, in sending order."""
        return tuple(CallHandle(q.unique_id, q.action, q.request, None) for q in self._queue)

    @property
    def pending_calls(self) -> Mapping[str, str]:
        """The peer's CALLs awaiting our answer: MessageId -> action (a read-only view)."""
        return MappingProxyType(self._inbound)

    @property
    def bad_message_count(self) -> int:
        """Protocol faults of the peer so far (all of them, not only in a row)."""
        return self._bad_total

    def next_deadline(self) -> float | None:
        """When :meth:`handle_timeout` has something to do (``now`` units), or ``None``."""
        out = self._outstanding
        return None if out is None else out.deadline

    def data_to_send(self) -> list[str]:
        """The texts to write to the WebSocket, in order, since the last call (drains them)."""
        out = self._outbox
        self._outbox = []
        return out

    # --- receiving ----------------------------------------------------------------------------

    def receive_text(self, text: str | bytes, now: float) -> list[Event]:
        """Process one WebSocket text message from the peer; returns the events it caused.

        Never raises for anything the peer sent (faults become events and automatic replies
        in the outbox); raises :class:`LocalProtocolError` if the connection is closed.
        A CALL of ours whose deadline is ``<= now`` times out first.
        """
        if self._state is not State.OPEN:  # (OPEN, RECEIVE_TEXT) -> OPEN
            self._state = step(self._state, Input.RECEIVE_TEXT)
        events: list[Event] = []
        out = self._outstanding
        if out is not None and now >= out.deadline:
            self._expire(out, now, events)
        bad = self._bad_total
        try:
            self._dispatch(text, now, events)
        except RemoteProtocolError as err:
            if err.reply is not None:
                self._outbox.append(err.reply)
            events.append(BadMessage(err, text))
            self._count_bad(events)
        if self._bad_total == bad:
            self._bad_run = 0
        return events

    def _dispatch(self, text: str | bytes, now: float, events: list[Event]) -> None:
        limit = self.max_message_size
        if limit is not None and len(text) > limit:
            self._oversized(text, now, events)
            return
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise self._error(
                self._c_envelope, f"not valid UTF-8 JSON: {exc}", None
            ) from None
        # Fast paths for well-formed CALL and CALLRESULT frames; anything else (and any fault)
        # goes through frames.parse_value, the one definition of a well-formed frame.
        if type(data) is list and len(data) >= 3:
            uid = data[1]
            if type(data[0]) is int and type(uid) is str and len(uid) <= MAX_ID_LENGTH:
                mtype = data[0]
                if mtype == 2 and len(data) == 4 and type(data[2]) is str:
                    self._on_call(uid, data[2], data[3], events)
                    return
                if mtype == 3 and len(data) == 3:
                    self._on_result(uid, data[2], now, events)
                    return
        try:
            frame = parse_value(data, self.version)
        except MalformedFrame as exc:
            self._on_malformed(exc, now, events)
            return
        if isinstance(frame, Call):
            self._on_call(frame.unique_id, frame.action, frame.payload, events)
        elif isinstance(frame, CallResult):
            self._on_result(frame.unique_id, frame.payload, now, events)
        elif isinstance(frame, CallErrorFrame):
            self._on_error(frame, now, events)
        elif isinstance(frame, Send):
            self._on_send(frame, events)
        elif isinstance(frame, CallResultError):
            events.append(ResultErrorReceived(
                frame.unique_id, self._answered.get(frame.unique_id), frame.code,
                frame.description, frame.details,
            ))
        else:
            self._on_unknown(frame, text, events)

    def _on_call(self, uid: str, action: str, payload: Any, events: list[Event]) -> None:
        # Row 8: a CALL with the id of one still being handled: (AWAITING_ANSWER,
        # CALL_RECEIVED) is not in the state table. An id in _inbound is AWAITING_ANSWER.
        if uid in self._inbound:
            raise self._error(
                self._c_duplicate, f"a CALL with id {uid!r} is being handled already", uid,
                action,
            )
        route = self._routes.get(action)
        if route is None:  # row 9
            raise self._error(
                "NotImplemented", f"{action!r} is not an OCPP {self.version} action", uid, action
            )
        refusal = route.call_refusal
        if refusal is not None:  # rows 10, 11, 14
            code, description, counted = refusal
            if counted:
                raise self._error(code, description, uid, action)
            reply = error_text(uid, code, description)
            self._outbox.append(reply)
            events.append(UnsupportedCall(uid, action, reply))
            return
        # Rows 12, 13 (inlined _decode: this is the hot path of every inbound CALL).
        check = route.in_request
        if type(payload) is not dict or check is _UNSET:
            message = self._decode(route, "request", payload, uid, answer=True)
        else:
            if check is not None:
                try:
                    check(payload)
                except Exception:  # JsonSchemaValueException: _decode raises the CALLERROR
                    message = self._decode(route, "request", payload, uid, answer=True)
            try:
                message = from_wire(route.request, payload, keep_extra=route.keep_request)
            except Exception:
                message = self._decode(route, "request", payload, uid, answer=True)
        self._inbound[uid] = action  # (NO_CALL, CALL_RECEIVED) -> AWAITING_ANSWER
        events.append(CallReceived(uid, action, message, payload))

    def _on_send(self, frame: Send, events: list[Event]) -> None:
        # OCPP 2.1 section 4.2.4: "The receiver SHALL NOT respond to a SEND message".
        uid, action = frame.unique_id, frame.action
        route = self._routes.get(action)
        if route is None:
            raise self._error(
                "NotImplemented", f"{action!r} is not an OCPP {self.version} action", uid,
                action, answer=False,
            )
        refusal = route.send_refusal
        if refusal is not None:
            code, description, counted = refusal
            if counted:
                raise self._error(code, description, uid, action, answer=False)
            events.append(UnsupportedCall(uid, action, None))
            return
        message = self._decode(route, "request", frame.payload, uid, answer=False)
        events.append(SendReceived(uid, action, message, frame.payload))

    def _decode(
        self, route: _Route, kind: Kind, payload: Any, uid: str, *, answer: bool
    ) -> Any:
        """Validate (inbound profile) and decode a payload; a fault raises the row 12 / 13
        RemoteProtocolError (with a CALLERROR reply if ``answer``)."""
        if type(payload) is not dict:
            raise self._error(
                self._c_format, f"the payload must be a JSON object, not {_json_name(payload)}",
                uid, route.action, answer=answer,
            )
        if kind == "request":
            check = route.in_request
            if check is _UNSET:
                check = self._compile(route, kind, "inbound")
            cls, keep = route.request, route.keep_request
        else:
            check = route.in_response
            if check is _UNSET:
                check = self._compile(route, kind, "inbound")
            assert route.response is not None
            cls, keep = route.response, route.keep_response
        if check is not None:
            try:
                check(payload)
            except Exception:  # JsonSchemaValueException, or a fault of a format check
                code, description = self._violation(route.action, kind, "inbound", payload)
                raise self._error(code, description, uid, route.action, answer=answer) from None
        try:
            return from_wire(cls, payload, keep_extra=keep)
        except Exception as exc:  # only reachable with validation switched off
            raise self._error(
                self._c_format, _trim(f"the payload could not be decoded: {exc!r}"), uid,
                route.action, answer=answer,
            ) from None

    def _on_result(self, uid: str, payload: Any, now: float, events: list[Event]) -> None:
        out = self._outstanding
        if out is None or out.unique_id != uid:
            late = self._timed_out.get(uid)
            if late is not None:
                events.append(LateResult(uid, late.action, late.request, payload))
            else:
                events.append(UnmatchedResult(uid, payload))
            return
        try:
            message = self._decode(out.route, "response", payload, uid, answer=False)
        except RemoteProtocolError as err:  # row 19
            self._invalid_reply(out, err.code, err.description, True, now=now, events=events)
            return
        self._resolve(Input.REPLY_RECEIVED, now)
        events.append(ResultReceived(uid, out.action, out.request, message, payload))

    def _on_error(self, frame: CallErrorFrame, now: float, events: list[Event]) -> None:
        uid = frame.unique_id
        out = self._outstanding
        if out is None or out.unique_id != uid:
            late = self._timed_out.get(uid)
            if late is not None:
                events.append(LateError(
                    uid, late.action, late.request, frame.code, frame.description, frame.details
                ))
            else:
                events.append(
                    UnmatchedError(uid, frame.code, frame.description, frame.details)
                )
            return
        self._resolve(Input.REPLY_RECEIVED, now)
        events.append(ErrorReceived(
            uid, out.action, out.request, frame.code, frame.description, frame.details
        ))

    def _on_malformed(self, exc: MalformedFrame, now: float, events: list[Event]) -> None:
        mtype, uid = exc.message_type_id, exc.unique_id
        if mtype is None:  # rows 3, 4: not a frame at all
            raise self._error(self._c_envelope, exc.description, None)
        if mtype is MessageTypeId.CALL:  # rows 6, 7
            raise self._error(self._c_envelope, exc.description, uid)
        out = self._outstanding
        if (
            uid is not None and out is not None and out.unique_id == uid
            and mtype in (MessageTypeId.CALLRESULT, MessageTypeId.CALLERROR)
        ):  # row 20
            self._invalid_reply(
                out, self._c_envelope, exc.description, mtype is MessageTypeId.CALLRESULT,
                now=now, events=events,
            )
            return
        raise self._error(
            self._c_envelope, f"malformed {mtype.name}: {exc.description}", uid, answer=False
        )  # row 21

    def _on_unknown(self, frame: UnknownFrame, text: str | bytes, events: list[Event]) -> None:
        if self.version is Version.V201:  # row 5, 2.0.1 section 4.4
            raise self._error(
                "MessageTypeNotSupported",
                f"MessageTypeId {frame.message_type_id} is not supported",
                frame.unique_id,
            )
        # 1.6 section 4.1.3, 2.1 sections 4.1.3 and 4.4: ignore it.
        events.append(IgnoredMessage(frame.message_type_id, text))

    def _oversized(self, text: str | bytes, now: float, events: list[Event]) -> None:
        """Row 1: too long to parse; the MessageTypeId and MessageId are read from its start."""
        unit = "characters" if isinstance(text, str) else "bytes"
        description = (
            f"the message is {len(text)} {unit} long, the limit is {self.max_message_size}"
        )
        head = text[:_HEAD]
        match = (
            _PREFIX_STR.match(head) if isinstance(head, str) else _PREFIX_BYTES.match(head)
        )
        if match is None:
            raise self._error(self._c_format, description, None)
        mtype = int(match[1])
        raw_uid = match[2]
        uid = raw_uid if isinstance(raw_uid, str) else raw_uid.decode("utf-8", "replace")
        if mtype not in self._message_types:
            self._on_unknown(UnknownFrame(mtype, uid), text, events)
            return
        if mtype == MessageTypeId.CALL:
            raise self._error(self._c_format, description, uid)
        out = self._outstanding
        if out is not None and out.unique_id == uid and mtype in (3, 4):
            self._invalid_reply(
                out, self._c_format, description, mtype == 3, now=now, events=events
            )
            return
        raise self._error(self._c_format, description, uid, answer=False)

    def _invalid_reply(
        self, out: _Outgoing, code: str, description: str, is_result: bool, *, now: float,
        events: list[Event],
    ) -> None:
        """Rows 19, 20: our CALL fails with an unusable answer; 2.1 answers a bad CALLRESULT
        with a CALLRESULTERROR (2.1 section 4.2.3)."""
        reply = None
        if self._v21 and is_result:
            reply = error_text(
                out.unique_id, code, description, None, MessageTypeId.CALLRESULTERROR
            )
            self._outbox.append(reply)
        error = RemoteProtocolError(
            code, description, unique_id=out.unique_id, action=out.action, reply=reply
        )
        self._resolve(Input.INVALID_REPLY, now)
        events.append(InvalidResult(out.unique_id, out.action, out.request, error))
        self._count_bad(events)

    def _error(
        self, code: str, description: str, uid: str | None, action: str | None = None, *,
        answer: bool = True,
    ) -> RemoteProtocolError:
        """The RemoteProtocolError for a fault; with ``answer``, its CALLERROR reply text."""
        description = _trim(description)
        reply = (
            error_text(UNKNOWN_ID if uid is None else uid, code, description) if answer else None
        )
        return RemoteProtocolError(code, description, unique_id=uid, action=action, reply=reply)

    def _count_bad(self, events: list[Event]) -> None:
        self._bad_total += 1
        self._bad_run += 1
        if self._bad_run == self.bad_message_limit:
            events.append(CloseRequested(f"{self._bad_run} bad messages in a row"))

    # --- validation helpers ---------------------------------------------------------------

    def _profile(self, flow: Flow, action: str, kind: Kind) -> Profile:
        return self.policy.profile(flow, action, kind)

    def _compile(
        self, route: _Route, kind: Kind, flow: Flow
    ) -> _Check:
        profile = self._profile(flow, route.action, kind)
        check = validator(self.version, route.action, kind, profile) if profile.enabled else None
        keep = profile.allow_unknown_properties
        if flow == "inbound" and kind == "request":
            route.in_request, route.keep_request = check, keep
        elif flow == "inbound":
            route.in_response, route.keep_response = check, keep
        elif kind == "request":
            route.out_request = check
        else:
            route.out_response = check
        return check

    def _validation_error(
        self, action: str, kind: Kind, flow: Flow, payload: Any
    ) -> ValidationError | None:
        """The ValidationError of a payload the compiled validator rejected (slow path)."""
        try:
            validate(self.version, action, kind, payload, self._profile(flow, action, kind))
        except ValidationError as exc:
            return exc
        except Exception:  # a fault in a format check: no detail to give
            return None
        return None

    def _violation(
        self, action: str, kind: Kind, flow: Flow, payload: Any
    ) -> tuple[str, str]:
        """Row 13: (code, description) of a payload that broke its schema."""
        exc = self._validation_error(action, kind, flow, payload)
        if exc is None:
            return self._c_format, f"the {action} {kind} payload is invalid"
        return exc.code.value, _trim(f"{action} {kind}: {exc.message}")

    def _encode(self, route: _Route, message: Any, kind: Kind) -> dict[str, Any]:
        """Convert and validate (outbound profile) one of our messages."""
        try:
            payload = to_wire(message)
        except Exception as exc:
            raise InvalidMessageError(
                f"{type(message).__qualname__} could not be converted: {exc!r}"
            ) from exc
        check = route.out_request if kind == "request" else route.out_response
        if check is _UNSET:
            check = self._compile(route, kind, "outbound")
        if check is not None:
            try:
                check(payload)
            except Exception:  # JsonSchemaValueException, or a fault of a format check
                error = self._validation_error(route.action, kind, "outbound", payload)
                text = str(error) if error is not None else f"invalid {route.action} {kind}"
                raise InvalidMessageError(text, error) from error
        return payload

    # --- our CALLs --------------------------------------------------------------------------

    def send_call(
        self, message: Any, now: float, *, timeout: float | None = None
    ) -> CallHandle:
        """Send a CALL (a request message of this version that our role may send).

        Goes out at once if no CALL of ours is outstanding, else waits in the queue
        (``queue_mode="queue"``) or raises :class:`CallSlotBusy` (``"refuse"``). ``timeout``
        (seconds, default ``default_timeout``) counts from when it is written to the outbox.
        Raises :class:`LocalProtocolError` for a message this side may not send, and
        :class:`InvalidMessageError` for one that breaks its schema (nothing is sent).
        """
        self._state = step(self._state, Input.SEND_CALL)
        route = self._request_route(message)
        if route.response is None:
            raise LocalProtocolError(
                f"{route.action} is a SEND message (OCPP 2.1 Part 4 section 4.2.4): "
                "use send_send()"
            )
        self._check_we_send(route)
        seconds = self.default_timeout if timeout is None else _check_timeout(timeout)
        if self._slot is not State.IDLE and self.queue_mode == "refuse":
            raise CallSlotBusy(
                f"a CALL is outstanding ({self._outstanding_text()}); "
                "OCPP-J section 4.1.1 allows one at a time"
            )
        payload = self._encode(route, message, "request")
        uid = self._new_id()
        text = call_text(uid, route.action, payload)
        out = _Outgoing(uid, route, message, text, seconds)
        if self._slot is State.IDLE:
            self._transmit(out, now)
            return CallHandle(uid, route.action, message, text)
        self._queue.append(out)
        self._queued_ids.add(uid)
        return CallHandle(uid, route.action, message, None)

    def send_send(self, message: Any) -> SendHandle:
        """OCPP 2.1: send a SEND (2.1 Part 4 section 4.2.4), an unconfirmed message.

        It does not wait for our outstanding CALL (2.1 section 4.1.1, NOTE) and gets no reply.
        """
        self._state = step(self._state, Input.SEND_SEND)
        if not self._v21:
            raise LocalProtocolError(f"SEND (MessageTypeId 6) is OCPP 2.1 only, not {self.version}")
        route = self._request_route(message)
        if route.response is not None:
            raise LocalProtocolError(f"{route.action} is a CALL action: use send_call()")
        self._check_we_send(route)
        payload = self._encode(route, message, "request")
        uid = self._new_id()
        text = send_text(uid, route.action, payload)
        self._outbox.append(text)
        return SendHandle(uid, route.action, message, text)

    def handle_timeout(self, now: float) -> list[Event]:
        """Time out our outstanding CALL if its deadline is ``<= now`` (then the next queued
        CALL goes out). Call it at :meth:`next_deadline`; calling it early is harmless."""
        self._state = step(self._state, Input.HANDLE_TIMEOUT)
        events: list[Event] = []
        out = self._outstanding
        if out is not None and now >= out.deadline:
            self._expire(out, now, events)
        return events

    def close(self) -> list[Event]:
        """The connection is closed (or closing): our outstanding and queued CALLs are
        aborted (:class:`~ocpp_sansio.rpc.events.CallAborted`), the peer's pending CALLs
        forgotten. Afterwards every entry point but ``close``, ``handle_timeout`` and
        ``data_to_send`` raises :class:`LocalProtocolError`."""
        self._state = step(self._state, Input.CLOSE)
        events: list[Event] = []
        out = self._outstanding
        if out is not None:
            self._slot = step(self._slot, Input.ABORT)
            self._outstanding = None
            events.append(CallAborted(out.unique_id, out.action, out.request, True))
        for queued in self._queue:
            events.append(CallAborted(queued.unique_id, queued.action, queued.request, False))
        self._queue.clear()
        self._queued_ids.clear()
        for _ in self._inbound:
            step(State.AWAITING_ANSWER, Input.DROP)
        self._inbound.clear()
        return events

    def _request_route(self, message: Any) -> _Route:
        if isinstance(message, type):
            raise LocalProtocolError(f"pass a message instance, not the class {message.__name__}")
        try:
            spec, is_request = self._actions.of(message)
        except KeyError:
            raise LocalProtocolError(
                f"{type(message).__qualname__} is not an OCPP {self.version} message"
            ) from None
        if not is_request:
            raise LocalProtocolError(
                f"{type(message).__qualname__} is a response: answer a CALL with send_result()"
            )
        return self._routes[spec.name]

    def _check_we_send(self, route: _Route) -> None:
        if not route.we_may_send:
            who = "a charging station" if self.role is Role.CS else "a CSMS"
            raise LocalProtocolError(
                f"{who} does not send {route.action} (direction {route.spec.direction.value})"
            )

    def _new_id(self) -> str:
        uid = self._id_factory()
        if type(uid) is not str or not 0 < len(uid) <= MAX_ID_LENGTH or uid == UNKNOWN_ID:
            raise LocalProtocolError(
                f"id_factory returned {uid!r}: a MessageId is a string of 1 to "
                f"{MAX_ID_LENGTH} characters, and not {UNKNOWN_ID!r}"
            )
        out = self._outstanding
        if (
            uid in self._queued_ids or uid in self._timed_out
            or (out is not None and out.unique_id == uid)
        ):
            raise LocalProtocolError(
                f"id_factory returned {uid!r}, the id of a CALL still in use (OCPP-J section "
                "4.1.4: a MessageId differs from all previous ones of the sender)"
            )
        return uid

    def _outstanding_text(self) -> str:
        out = self._outstanding
        return "none" if out is None else f"{out.action} {out.unique_id!r}"

    def _transmit(self, out: _Outgoing, now: float) -> None:
        self._slot = step(self._slot, Input.TRANSMIT_CALL)
        out.deadline = now + out.timeout
        self._outstanding = out
        self._outbox.append(out.text)

    def _resolve(self, event: Input, now: float) -> None:
        """Our outstanding CALL is done (answered, failed or timed out): free the slot and
        send the next queued CALL."""
        self._slot = step(self._slot, event)
        self._outstanding = None
        if self._queue:
            queued = self._queue.popleft()
            self._queued_ids.discard(queued.unique_id)
            self._transmit(queued, now)

    def _expire(self, out: _Outgoing, now: float, events: list[Event]) -> None:
        timed_out = self._timed_out
        timed_out[out.unique_id] = out
        if len(timed_out) > _MEMORY:
            del timed_out[next(iter(timed_out))]
        self._resolve(Input.TIMEOUT, now)
        events.append(CallTimedOut(out.unique_id, out.action, out.request, out.timeout))

    # --- answering the peer's CALLs ---------------------------------------------------------

    def send_result(self, unique_id: str, message: Any) -> str:
        """Answer the peer's CALL ``unique_id`` with a CALLRESULT; returns the text (also in
        the outbox).

        Raises :class:`LocalProtocolError` if no CALL with that id awaits an answer. If
        ``message`` is not a valid response of the call's action (another class, or it breaks
        the schema under the outbound profile), the call is answered with CALLERROR
        ``InternalError`` instead and :class:`InvalidResponseError` is raised (row 16).
        """
        if self._state is not State.OPEN:  # (OPEN, SEND_REPLY) -> OPEN
            self._state = step(self._state, Input.SEND_REPLY)
        action = self._inbound.get(unique_id)
        if action is None:
            action = self._pending(unique_id)  # raises
        route = self._routes[action]
        if type(message) is not route.response:
            assert route.response is not None
            self._fail_answer(
                unique_id, action,
                f"{type(message).__qualname__} does not answer {action} "
                f"(a {route.response.__qualname__} does)",
            )
        check = route.out_response
        payload: dict[str, Any] | None = None
        if check is not _UNSET:  # the hot path; _encode below compiles on first use
            try:
                payload = to_wire(message)
                if check is not None:
                    check(payload)
            except Exception:
                payload = None  # _encode says what is wrong
        if payload is None:
            try:
                payload = self._encode(route, message, "response")
            except InvalidMessageError as exc:
                self._fail_answer(unique_id, action, str(exc), exc.validation_error)
        text = orjson.dumps([3, unique_id, payload]).decode()  # frames.result_text
        del self._inbound[unique_id]  # (AWAITING_ANSWER, ANSWER) -> NO_CALL
        self._outbox.append(text)
        if self._v21:
            self._remember_answer(unique_id, action)
        return text

    def send_error(
        self, unique_id: str, code: str, description: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> str:
        """Answer the peer's CALL ``unique_id`` with a CALLERROR; returns the text.

        ``code`` must be one of the version's codes (:func:`ocpp_sansio.errors.error_codes`);
        ``description`` at most 255 characters in 2.x (``string[255]``, Table 7); ``details``
        a JSON object (``{}`` when ``None``, 1.6 Table 6 / 2.x Table 7).
        """
        self._state = step(self._state, Input.SEND_REPLY)
        text = self._error_reply(unique_id, code, description, details)
        action = self._pending(unique_id)
        self._answer(unique_id, action, text)
        return text

    def send_handler_failure(self, unique_id: str, exc: BaseException | None) -> str:
        """Answer the peer's CALL ``unique_id`` after its handler failed (``exc``) or returned
        no response (``None``): a CALL is never left unanswered. Returns the text.

        - a :class:`~ocpp_sansio.rpc.exceptions.CallError`: its code (respelled between
          ``FormatViolation``/``FormationViolation`` and ``Occurrence``/``Occurence`` for the
          version; ``GenericError`` if the version has no such code), description and details;
        - ``NotImplementedError``: ``NotSupported`` ("recognized but not supported");
        - any other exception, or ``None``: ``InternalError`` ("An internal error occurred and
          the receiver was not able to process the requested Action successfully"). The
          description names only the exception's class, not its message.
        """
        self._state = step(self._state, Input.SEND_REPLY)
        action = self._pending(unique_id)
        details: Mapping[str, Any] | None = None
        if exc is None:
            code, description = "InternalError", f"the {action} handler returned no response"
        elif isinstance(exc, CallError):
            code = exc.code if exc.code in self._codes else _RESPELL.get(exc.code, "")
            if code not in self._codes:
                code = "GenericError"
            description, details = _trim(exc.description), exc.details
        elif isinstance(exc, NotImplementedError):
            code, description = "NotSupported", f"{action} is not supported by this receiver"
        else:
            code = "InternalError"
            description = f"the {action} handler failed ({type(exc).__name__})"
        try:
            text = self._error_reply(unique_id, code, description, details)
        except LocalProtocolError:  # details that are not a JSON object / not serialisable
            text = self._error_reply(unique_id, code, description, None)
        self._answer(unique_id, action, text)
        return text

    def _pending(self, unique_id: str) -> str:
        """The action of the peer's CALL awaiting our answer (row ``(NO_CALL, ANSWER)`` of the
        state table raises otherwise)."""
        action = self._inbound.get(unique_id)
        if action is None:
            step(State.NO_CALL, Input.ANSWER)  # raises LocalProtocolError
            raise AssertionError("unreachable")  # pragma: no cover
        return action

    def _answer(self, unique_id: str, action: str, text: str) -> None:
        del self._inbound[unique_id]  # (AWAITING_ANSWER, ANSWER) -> NO_CALL
        self._outbox.append(text)
        if self._v21:
            self._remember_answer(unique_id, action)

    def _remember_answer(self, unique_id: str, action: str) -> None:
        """2.1: keep the action of answered CALLs, for ResultErrorReceived."""
        answered = self._answered
        answered[unique_id] = action
        if len(answered) > _MEMORY:
            del answered[next(iter(answered))]

    def _fail_answer(
        self, unique_id: str, action: str, reason: str, cause: Exception | None = None
    ) -> NoReturn:
        """Row 16: answer InternalError and raise InvalidResponseError to the application."""
        text = error_text(
            unique_id, "InternalError", f"the receiver produced an invalid {action} response"
        )
        self._answer(unique_id, action, text)
        raise InvalidResponseError(
            f"invalid response to {action} {unique_id!r}, answered InternalError: {reason}",
            text, cause,
        ) from cause

    def _error_reply(
        self, unique_id: str, code: str, description: str,
        details: Mapping[str, Any] | None,
    ) -> str:
        code = str(code)
        if code not in self._codes:
            raise LocalProtocolError(
                f"{code!r} is not an OCPP {self.version} RPC error code; use one of "
                f"{', '.join(sorted(self._codes))}"
            )
        if not isinstance(description, str):
            raise LocalProtocolError("the error description must be a string")
        if not self._old and len(description) > _MAX_DESCRIPTION:
            raise LocalProtocolError(
                f"the error description is {len(description)} characters; OCPP "
                f"{self.version} allows {_MAX_DESCRIPTION} (ErrorDescription string[255])"
            )
        if details is not None and not isinstance(details, Mapping):
            raise LocalProtocolError("the error details must be a JSON object (a mapping)")
        try:
            return error_text(unique_id, code, description, dict(details or {}))
        except TypeError as exc:  # orjson.JSONEncodeError
            raise LocalProtocolError(f"the error details are not JSON: {exc}") from None


def _check_timeout(value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise LocalProtocolError(f"a timeout is a number of seconds, not {value!r}")
    if not (value > 0 and math.isfinite(value)):
        raise LocalProtocolError(f"a timeout must be positive and finite, not {value!r}")
    return float(value)
