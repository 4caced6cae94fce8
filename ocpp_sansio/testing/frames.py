"""Hypothesis strategies for OCPP-J RPC frames: the JSON text that travels on the WebSocket.

Frame layouts: OCPP-J 1.6 section 4.2; OCPP 2.0.1 / 2.1 Part 4 section 4.2 (see
:mod:`ocpp_sansio.rpc.frames`). Every valid strategy draws the *text* of one frame, written
either compactly or with the whitespace JSON allows (RFC 8259 section 2), ASCII-escaped or not:

- :func:`call_frames`: ``[2, "<MessageId>", "<Action>", {<Payload>}]``, the payload a valid
  request of the action (drawn by :func:`~ocpp_sansio.testing.requests`);
- :func:`result_frames`: ``[3, "<MessageId>", {<Payload>}]``, a valid response;
- :func:`error_frames`: ``[4, "<MessageId>", "<errorCode>", "<errorDescription>",
  {<errorDetails>}]`` with one of the version's error codes (1.6 section 4.2.3 table "Valid
  Error Codes", which 1.5 uses too; 2.0.1 Part 4 Table 8; 2.1 Part 4 Table 9);
- :func:`malformed_frames`: ``(text, Reaction)`` pairs: a frame that is wrong in one way, and
  what a strict receiver does with it (the bad-input table of :mod:`ocpp_sansio.rpc.connection`).

MessageIds (:func:`message_ids`) are strings of 1 to 36 characters (1.6 Table 3; 2.0.1 / 2.1
Table 4), never ``"-1"`` (the id of a CALLERROR answering an unreadable message).

``direction`` narrows the actions: :attr:`~ocpp_sansio.actions.Direction.CS_TO_CSMS` those a
charging station may call (its own and ``BOTH`` ones), ``CSMS_TO_CS`` those a CSMS may call,
``BOTH`` only those either side may call (DataTransfer), ``None`` any action.
"""

import json
from collections.abc import Callable
from functools import cache
from typing import Any, Final

import attrs
import orjson
from hypothesis import strategies as st

from ..actions import ActionSpec, Direction, actions_for
from ..codec import to_wire
from ..errors import Violation, code_for, error_codes
from ..validation import schema
from ..version import Version
from .strategies import json_values, requests, responses

__all__ = [
    "Reaction",
    "call_frames",
    "error_frames",
    "malformed_frames",
    "message_ids",
    "result_frames",
]

SearchStrategy = st.SearchStrategy

# Written out from the specifications rather than imported from ocpp_sansio.rpc: this package
# sits on the model floor, and the strategies describe the protocol independently of the
# engine they are used to test.
#: Longest MessageId (1.6 Table 3 "Maximum of 36 characters"; 2.0.1 / 2.1 Table 4 string[36]).
MAX_ID_LENGTH: Final = 36
#: MessageId of a CALLERROR answering a message whose MessageId cannot be read (2.0.1 / 2.1
#: Part 4 section 4.2.3).
UNKNOWN_ID: Final = "-1"


def _message_type_ids(version: Version) -> frozenset[int]:
    """MessageTypeIds the version defines: CALL 2, CALLRESULT 3, CALLERROR 4 (1.6 Table 2;
    2.0.1 Part 4 Table 3), and in 2.1 also CALLRESULTERROR 5 and SEND 6 (2.1 Part 4 Table 3)."""
    return frozenset({2, 3, 4, 5, 6} if version is Version.V21 else {2, 3, 4})

_CHARACTERS = st.characters(exclude_categories=["Cs"])
_TEXT = st.text(_CHARACTERS, max_size=20)
#: 2.0.1 / 2.1 ErrorDescription is ``string[255]`` (Part 4 Table 7); kept for 1.x too.
_MAX_DESCRIPTION: Final = 255


@attrs.frozen(kw_only=True)
class Reaction:
    """What a strict receiver does with a malformed frame.

    The receiver is a fresh :class:`~ocpp_sansio.rpc.RpcConnection` under the strict
    validation policy, every action supported: no CALL of its own outstanding and none of the
    peer's awaiting an answer (a duplicate MessageId or a reply to its own CALL is not drawn).

    - ``code`` is not ``None``: it answers a CALLERROR with this errorCode (the version's
      spelling) and MessageId ``unique_id`` (``"-1"`` when the frame's id cannot be read);
      a protocol fault (:class:`~ocpp_sansio.rpc.BadMessage`).
    - ``code`` is ``None`` and ``ignored``: nothing is sent, the frame is ignored as the
      version says for an unknown MessageTypeId (:class:`~ocpp_sansio.rpc.IgnoredMessage`).
    - ``code`` is ``None``, not ``ignored``: nothing is sent, but it is a protocol fault
      (:class:`~ocpp_sansio.rpc.BadMessage`): a malformed CALLRESULT / CALLERROR (no CALLERROR
      answers those, 1.6 / 2.0.1 section 4.2.3) or a bad 2.1 SEND (2.1 section 4.2.4: "SHALL
      NOT respond to a SEND").

    ``fault`` names what is wrong (``"invalid JSON"``, ``"unknown action"``...).
    """

    fault: str
    code: str | None = None
    unique_id: str | None = None
    ignored: bool = False

    @property
    def answered(self) -> bool:
        """Whether a CALLERROR goes back."""
        return self.code is not None


# --- frame text ------------------------------------------------------------------------------


def _compact(value: Any) -> str:
    return orjson.dumps(value).decode()


def _spaced(value: list[Any]) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ascii(value: list[Any]) -> str:
    return json.dumps(value, separators=(" , ", " : "), ensure_ascii=True)


_WRITERS: Final[tuple[Callable[[list[Any]], str], ...]] = (_compact, _spaced, _ascii)


def _texts(arrays: SearchStrategy[list[Any]]) -> SearchStrategy[str]:
    """The JSON text of each array, in one of the writers' styles (compact first)."""
    return st.tuples(arrays, st.sampled_from(_WRITERS)).map(lambda p: p[1](p[0]))


def message_ids() -> SearchStrategy[str]:
    """Valid MessageIds: UUIDs (what most implementations send) and any text of 1 to 36
    characters, ``"-1"`` excepted."""
    return st.one_of(
        st.uuids().map(str),
        st.text(_CHARACTERS, min_size=1, max_size=MAX_ID_LENGTH).filter(lambda s: s != UNKNOWN_ID),
    )


_IDS: Final = message_ids()


def _ids(unique_id: str | None) -> SearchStrategy[str]:
    return _IDS if unique_id is None else st.just(unique_id)


# --- actions ---------------------------------------------------------------------------------


def _direction_ok(spec: ActionSpec, direction: Direction | None) -> bool:
    if direction is None:
        return True
    if direction is Direction.BOTH:
        return spec.direction is Direction.BOTH
    if direction is Direction.CS_TO_CSMS:
        return spec.direction.sent_by_station()
    return spec.direction.sent_by_csms()


def _call_specs(version: Version, action: str | None,
                direction: Direction | None) -> list[ActionSpec]:
    """The CALL actions (those with a response) of ``version`` matching the arguments."""
    table = actions_for(version)
    if action is not None:
        if action not in table:
            raise ValueError(f"OCPP {version.value} has no action {action!r}")
        spec = table[action]
        if spec.response is None:
            raise ValueError(f"{action} is a SEND message (OCPP 2.1), not a CALL")
        if not _direction_ok(spec, direction):
            raise ValueError(f"{action} is not sent {direction}")
        return [spec]
    specs = [s for s in table.values() if s.response is not None and _direction_ok(s, direction)]
    if not specs:  # pragma: no cover - every direction has actions in every version
        raise ValueError(f"no OCPP {version.value} action is sent {direction}")
    return specs


def _wire(message: Any) -> dict[str, Any]:
    return to_wire(message)


@cache
def _call_arrays(version: Version, action: str | None, direction: Direction | None,
                 unique_id: str | None) -> SearchStrategy[list[Any]]:
    parts = [
        st.tuples(_ids(unique_id), st.just(spec.name), requests(version, spec.name).map(_wire))
        for spec in _call_specs(version, action, direction)
    ]
    return st.one_of(parts).map(lambda p: [2, p[0], p[1], p[2]])


def call_frames(version: Version | str, action: str | None = None, *,
                direction: Direction | None = None,
                unique_id: str | None = None) -> SearchStrategy[str]:
    """Valid CALL frames of ``version``: ``[2, id, action, payload]``, the payload a valid
    request of ``action`` (any CALL action if ``None``; SEND-only 2.1 actions are left out).

    ``unique_id`` fixes the MessageId. ``ValueError`` for an unknown action, a SEND-only one,
    or one not sent in ``direction``.
    """
    return _texts(_call_arrays(Version(version), action, direction, unique_id))


@cache
def _result_arrays(version: Version, action: str | None, direction: Direction | None,
                   unique_id: str | None) -> SearchStrategy[list[Any]]:
    parts = [
        st.tuples(_ids(unique_id), responses(version, spec.name).map(_wire))
        for spec in _call_specs(version, action, direction)
    ]
    return st.one_of(parts).map(lambda p: [3, p[0], p[1]])


def result_frames(version: Version | str, action: str | None = None, *,
                  direction: Direction | None = None,
                  unique_id: str | None = None) -> SearchStrategy[str]:
    """Valid CALLRESULT frames of ``version``: ``[3, id, payload]``, the payload a valid
    response of ``action`` (any CALL action if ``None``). ``direction`` is the direction of
    the CALL answered (the result travels the other way); ``unique_id`` fixes the MessageId
    (that of the CALL answered). ``ValueError`` as for :func:`call_frames`.
    """
    return _texts(_result_arrays(Version(version), action, direction, unique_id))


_DETAILS: Final = st.dictionaries(_TEXT, json_values(), max_size=3)


@cache
def _error_arrays(version: Version, unique_id: str | None) -> SearchStrategy[list[Any]]:
    codes = sorted(c.value for c in error_codes(version))
    return st.tuples(
        _ids(unique_id), st.sampled_from(codes),
        st.text(_CHARACTERS, max_size=_MAX_DESCRIPTION), _DETAILS,
    ).map(lambda p: [4, *p])


def error_frames(version: Version | str, *, unique_id: str | None = None) -> SearchStrategy[str]:
    """Valid CALLERROR frames of ``version``: ``[4, id, code, description, details]`` with one
    of the version's error codes (:func:`ocpp_sansio.errors.error_codes`), a description of at
    most 255 characters and a JSON object of details. ``unique_id`` fixes the MessageId."""
    return _error_arrays(Version(version), unique_id).flatmap(
        lambda array: st.sampled_from(_WRITERS).map(lambda write: write(array))
    )


# --- malformed frames ------------------------------------------------------------------------

Case = tuple[str, Reaction]


def _not_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return True
    return False


def _broken_json(version: Version, envelope: str) -> SearchStrategy[Case]:
    """Row 2 of the engine's table: text that is not UTF-8 JSON."""
    reaction = Reaction(fault="invalid JSON", code=envelope, unique_id=UNKNOWN_ID)
    fixed = st.sampled_from([
        "", " ", "[", "]", "[2,", "[2, 'id', 'Heartbeat', {}]", '[2,"id","Heartbeat",{},]',
        '[2,"id","Heartbeat",{]', "[2,\"id\",\"Heartbeat\",{}]]", "[NaN]", "[2,\"a\" \"b\"]",
        "{\"a\"}", "Heartbeat", "\x00",
    ])
    # A valid CALL cut short: a proper prefix of an array's text is never JSON.
    cut = st.tuples(call_frames(version), st.integers(0, 10_000)).map(
        lambda p: p[0][: p[1] % len(p[0])]
    )
    noise = st.text(max_size=30)
    return st.one_of(fixed, cut, noise).filter(_not_json).map(lambda t: (t, reaction))


def _not_array(envelope: str) -> SearchStrategy[Case]:
    """Row 3: JSON, but not an array, or an empty one."""
    reaction = Reaction(fault="not an array", code=envelope, unique_id=UNKNOWN_ID)
    values: SearchStrategy[Any] = st.one_of(
        st.just([]), json_values().filter(lambda v: type(v) is not list))
    return values.map(lambda v: (_compact(v), reaction))


def _bad_type_id(envelope: str) -> SearchStrategy[Case]:
    """Row 4: the MessageTypeId is not an integer."""
    reaction = Reaction(fault="MessageTypeId not an integer", code=envelope,
                        unique_id=UNKNOWN_ID)
    first = st.one_of(
        st.sampled_from(["2", 2.0, True, None, [2], {"2": 2}, "CALL"]),
        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5),
    )
    rest = st.lists(json_values(), max_size=4)
    return _texts(st.tuples(first, rest).map(lambda p: [p[0], *p[1]])).map(
        lambda t: (t, reaction))


def _unknown_type(version: Version) -> SearchStrategy[Case]:
    """Row 5: an integer MessageTypeId the version does not define."""
    known = _message_type_ids(version)
    number = st.one_of(st.integers(-10, 20), st.integers(-(2**63), 2**63 - 1)).filter(
        lambda n: n not in known)
    second = st.one_of(_IDS, st.text(min_size=MAX_ID_LENGTH + 1, max_size=60), json_values())
    arrays = st.tuples(number, st.lists(json_values(), max_size=3), st.booleans(), second).map(
        lambda p: [p[0], p[3], *p[1]] if p[2] else [p[0]])

    def pair(array: list[Any]) -> tuple[list[Any], Reaction]:
        if version is Version.V201:  # 2.0.1 Part 4 section 4.4
            second = array[1] if len(array) > 1 else None
            readable = type(second) is str and len(second) <= MAX_ID_LENGTH
            reaction = Reaction(fault="unknown MessageTypeId", code="MessageTypeNotSupported",
                                unique_id=second if readable else UNKNOWN_ID)
        else:  # 1.6 section 4.1.3, 2.1 sections 4.1.3 / 4.4: ignored
            reaction = Reaction(fault="unknown MessageTypeId", ignored=True)
        return array, reaction

    return _render(arrays.map(pair))


def _call_envelope(version: Version, envelope: str) -> SearchStrategy[Case]:
    """Rows 6 and 7: a CALL with the wrong number of elements, a MessageId or Action that is
    not a string, or a MessageId over 36 characters."""
    action = st.sampled_from(sorted(actions_for(version)))
    payload: SearchStrategy[dict[str, Any]] = st.just({})
    extra = st.lists(json_values(), min_size=1, max_size=2)
    arity_arrays = st.one_of(
        _IDS.map(lambda u: [2, u]),
        st.tuples(_IDS, action).map(lambda p: [2, *p]),
        st.tuples(_IDS, action, payload, extra).map(lambda p: [2, p[0], p[1], p[2], *p[3]]),
    )
    arity_cases = arity_arrays.map(lambda a: (a, Reaction(
        fault="CALL with the wrong number of elements", code=envelope, unique_id=a[1])))
    lone = st.just(([2], Reaction(fault="CALL with the wrong number of elements",
                                  code=envelope, unique_id=UNKNOWN_ID)))
    bad_id = st.tuples(
        st.one_of(json_values().filter(lambda v: type(v) is not str),
                  st.text(_CHARACTERS, min_size=MAX_ID_LENGTH + 1, max_size=80)),
        action, payload,
    ).map(lambda p: ([2, p[0], p[1], p[2]], Reaction(
        fault="CALL MessageId not a string of at most 36 characters", code=envelope,
        unique_id=UNKNOWN_ID)))
    bad_action = st.tuples(_IDS, json_values().filter(lambda v: type(v) is not str),
                           payload).map(lambda p: ([2, p[0], p[1], p[2]], Reaction(
                               fault="CALL Action not a string", code=envelope,
                               unique_id=p[0])))
    return _render(st.one_of(arity_cases, lone, bad_id, bad_action))


def _render(cases: SearchStrategy[tuple[list[Any], Reaction]]) -> SearchStrategy[Case]:
    return st.tuples(cases, st.sampled_from(_WRITERS)).map(lambda p: (p[1](p[0][0]), p[0][1]))


def _unknown_action(version: Version) -> SearchStrategy[Case]:
    """Row 9: a CALL of an action the version does not know (names are case-sensitive)."""
    table = actions_for(version)
    others = sorted({n for v in Version for n in actions_for(v)} - set(table))
    names = st.one_of(
        st.sampled_from(sorted(table)).flatmap(
            lambda n: st.sampled_from([n.lower(), n.upper(), n + " ", n + "Request"])),
        st.text(max_size=30),
        *([st.sampled_from(others)] if others else []),
    ).filter(lambda n: n not in table)
    return _render(st.tuples(_IDS, names, st.dictionaries(_TEXT, json_values(), max_size=2)).map(
        lambda p: ([2, p[0], p[1], p[2]],
                   Reaction(fault="unknown action", code="NotImplemented", unique_id=p[0]))))


def _schema_of(version: Version, action: str) -> dict[str, Any]:
    return schema(version, action, "request")


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        found: dict[str, Any] = root["definitions"][ref.rsplit("/", 1)[1]]
        return found
    return node


@attrs.frozen
class _Mutations:
    """The one-fault mutations a request schema allows, at the top level of the payload."""

    required: tuple[str, ...]  # dropping one: OccurrenceConstraintViolation
    closed: bool  # additionalProperties false: an unknown key is a FormatViolation
    typed: tuple[str, ...]  # properties with a JSON type: null is a TypeConstraintViolation
    bounded: tuple[tuple[str, int], ...]  # plain strings with maxLength: PropertyConstraint...

    def any(self) -> bool:
        return bool(self.required or self.closed or self.typed or self.bounded)


@cache
def _mutations(version: Version, action: str) -> _Mutations:
    root = _schema_of(version, action)
    props: dict[str, Any] = root.get("properties", {})
    typed, bounded = [], []
    for name, node in props.items():
        target = _resolve(root, node)
        kind = target.get("type")
        if isinstance(kind, str) and kind != "null":
            typed.append(name)
        if (kind == "string" and "maxLength" in target and "enum" not in target
                and "format" not in target and "pattern" not in target):
            bounded.append((name, int(target["maxLength"])))
    return _Mutations(tuple(root.get("required", ())), root.get("additionalProperties") is False,
                      tuple(typed), tuple(bounded))


_UNKNOWN_KEY: Final = "unknownPropertyOfTheTest"


def _mutate(version: Version, action: str, payload: dict[str, Any],
            data: st.DataObject) -> tuple[dict[str, Any], Violation, str]:
    m = _mutations(version, action)
    choices: list[str] = []
    if m.required:
        choices.append("required")
    if m.closed:
        choices.append("unknown")
    if m.typed:
        choices.append("typed")
    if m.bounded:
        choices.append("bounded")
    choice = data.draw(st.sampled_from(choices))
    payload = dict(payload)
    if choice == "required":
        name = data.draw(st.sampled_from(m.required))
        payload.pop(name, None)
        return payload, Violation.OCCURRENCE, f"required property {name} missing"
    if choice == "unknown":
        payload[_UNKNOWN_KEY] = data.draw(json_values())
        return payload, Violation.FORMAT, "unknown property"
    if choice == "typed":
        name = data.draw(st.sampled_from(m.typed))
        payload[name] = None
        return payload, Violation.TYPE, f"{name} of the wrong type (null)"
    name, limit = data.draw(st.sampled_from(m.bounded))
    payload[name] = "x" * (limit + 1)
    return payload, Violation.PROPERTY, f"{name} longer than {limit} characters"


def _payload_faults(version: Version, direction: Direction | None) -> SearchStrategy[Case]:
    """Rows 12 and 13: a CALL whose payload is not an object, or breaks one rule of the
    action's request schema (the violation's code, 1.6 section 4.2.3 / 2.x Part 4 section 4.3;
    mapping of :mod:`ocpp_sansio.validation`)."""
    specs = [s for s in _call_specs(version, None, direction or Direction.BOTH)
             if _mutations(version, s.name).any()]
    fmt = code_for(version, Violation.FORMAT).value

    @st.composite
    def case(draw: st.DrawFn) -> tuple[list[Any], Reaction]:
        spec = draw(st.sampled_from(specs))
        uid = draw(_IDS)
        if draw(st.integers(0, 4)) == 0:
            payload = draw(json_values().filter(lambda v: type(v) is not dict))
            return [2, uid, spec.name, payload], Reaction(
                fault="payload not a JSON object", code=fmt, unique_id=uid)
        valid = to_wire(draw(requests(version, spec.name)))
        bad, violation, fault = _mutate(version, spec.name, valid, draw(st.data()))
        return [2, uid, spec.name, bad], Reaction(
            fault=f"invalid {spec.name} payload: {fault}",
            code=code_for(version, violation).value, unique_id=uid)

    return _render(case())


def _role_faults(version: Version, direction: Direction) -> SearchStrategy[Case] | None:
    """Rows 10 and 14: a CALL of an action the sender's role may not send (NotSupported), and
    in 2.1 a CALL of a SEND-only action (RpcFrameworkError)."""
    table = actions_for(version)
    station_sends = direction is Direction.CS_TO_CSMS
    wrong = [s.name for s in table.values() if s.response is not None
             and not (s.direction.sent_by_station() if station_sends
                      else s.direction.sent_by_csms())]
    send_only = [s.name for s in table.values() if s.response is None
                 and (s.direction.sent_by_station() if station_sends
                      else s.direction.sent_by_csms())]
    parts: list[SearchStrategy[tuple[list[Any], Reaction]]] = []
    if wrong:
        parts.append(st.tuples(_IDS, st.sampled_from(wrong)).flatmap(
            lambda p: requests(version, p[1]).map(lambda m: (
                [2, p[0], p[1], to_wire(m)],
                Reaction(fault="action not sent in this direction", code="NotSupported",
                         unique_id=p[0])))))
    if send_only:
        parts.append(st.tuples(_IDS, st.sampled_from(send_only)).flatmap(
            lambda p: requests(version, p[1]).map(lambda m: (
                [2, p[0], p[1], to_wire(m)],
                Reaction(fault="CALL of a SEND-only action", code="RpcFrameworkError",
                         unique_id=p[0])))))
    return _render(st.one_of(parts)) if parts else None


def _reply_faults(version: Version) -> SearchStrategy[Case]:
    """Row 21 (and 22 for 2.1 SEND): a malformed CALLRESULT, CALLERROR (2.1: CALLRESULTERROR,
    SEND) or a SEND the receiver cannot use: a protocol fault, never answered."""
    dropped = Reaction(fault="malformed CALLRESULT / CALLERROR")
    long_id = st.text(_CHARACTERS, min_size=MAX_ID_LENGTH + 1, max_size=60)
    not_str = json_values().filter(lambda v: type(v) is not str)
    not_obj = json_values().filter(lambda v: type(v) is not dict)
    arrays: list[SearchStrategy[list[Any]]] = [
        _IDS.map(lambda u: [3, u]),
        st.tuples(_IDS, json_values(), json_values()).map(lambda p: [3, *p]),
        st.tuples(st.one_of(long_id, not_str), json_values()).map(lambda p: [3, *p]),
        st.tuples(_IDS, st.sampled_from(sorted(c.value for c in error_codes(version)))).map(
            lambda p: [4, *p]),
        st.tuples(_IDS, not_str, st.text(max_size=5), st.just({})).map(lambda p: [4, *p]),
        st.tuples(_IDS, st.just("GenericError"), not_str, st.just({})).map(lambda p: [4, *p]),
        st.tuples(_IDS, st.just("GenericError"), st.just(""), not_obj).map(lambda p: [4, *p]),
        st.tuples(st.one_of(long_id, not_str), st.just("GenericError"), st.just(""),
                  st.just({})).map(lambda p: [4, *p]),
    ]
    if version is Version.V21:
        arrays += [
            _IDS.map(lambda u: [5, u, "GenericError"]),
            _IDS.map(lambda u: [6, u]),
            st.tuples(_IDS, not_str, st.just({})).map(lambda p: [6, *p]),
            st.tuples(_IDS, st.sampled_from(["Heartbeat", "NoSuchAction"]), not_obj).map(
                lambda p: [6, *p]),
        ]
    return _texts(st.one_of(arrays)).map(lambda t: (t, dropped))


@cache
def _malformed(version: Version, direction: Direction | None) -> SearchStrategy[Case]:
    old = version in (Version.V15, Version.V16)
    envelope = "FormationViolation" if old else "RpcFrameworkError"
    parts = [
        _broken_json(version, envelope),
        _not_array(envelope),
        _bad_type_id(envelope),
        _unknown_type(version),
        _call_envelope(version, envelope),
        _unknown_action(version),
        _payload_faults(version, direction),
        _reply_faults(version),
    ]
    if direction in (Direction.CS_TO_CSMS, Direction.CSMS_TO_CS):
        assert direction is not None
        role = _role_faults(version, direction)
        if role is not None:
            parts.append(role)
    return st.one_of(parts)


def malformed_frames(version: Version | str, *,
                     direction: Direction | None = None) -> SearchStrategy[Case]:
    """Malformed frames of ``version``, each with the :class:`Reaction` of a strict receiver.

    Faults (rows of the bad-input table of :mod:`ocpp_sansio.rpc.connection`): invalid JSON
    (row 2), JSON that is not an array (3), a MessageTypeId that is not an integer (4) or one
    the version does not define (5), a CALL with the wrong arity, a MessageId or Action that is
    not a string or a MessageId over 36 characters (6, 7), an unknown action (9), a payload that
    is not an object or breaks one schema rule (12, 13), malformed CALLRESULT / CALLERROR
    frames (21; in 2.1 also CALLRESULTERROR and SEND, 22).

    ``direction``: who sends the frames. With ``CS_TO_CSMS`` (a station talking to a CSMS)
    or ``CSMS_TO_CS``, payload faults use that sender's actions and CALLs of actions it may not
    send (row 10, ``NotSupported``) and, in 2.1, CALLs of SEND-only actions (row 14) are added;
    with ``None`` or ``BOTH`` payload faults use the actions either side sends, so the reaction
    is the same for a receiver of either role.
    """
    return _malformed(Version(version), direction)
