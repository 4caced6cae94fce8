"""The transaction-message outbox engine, sans-IO: what to hand to the connection, and when.

A charging station must not lose transaction-related messages (they are the bill) and must
deliver them in order:

- OCPP 1.5 / 1.6 §3.7 "Transaction-related messages": StartTransaction, StopTransaction and
  (periodic or clock-aligned) MeterValues of a transaction. While offline they MUST be queued;
  they are delivered in chronological order, a new one waits until the queue is empty; other
  messages MAY overtake them.
- 1.6 §3.7.1 "Error responses to transaction-related messages": after a failure to process
  the message, retry until ``TransactionMessageAttempts`` failures, waiting
  ``TransactionMessageRetryInterval`` x (number of preceding transmissions of this message)
  before each retransmission, then discard it and go on with the next.
- 2.0.1 / 2.1 Part 2 E12 (offline transactions, ``offline`` flag) and E13 "Transaction-related
  message not accepted by CSMS" (E13.FR.01-04, the same rule with
  ``OCPPCommCtrlr.MessageAttemptsTransactionEvent`` / ``MessageAttemptIntervalTransactionEvent``)
  for TransactionEvent.

What counts as a failure to process (an *attempt*): a CALLERROR, or an unusable CALLRESULT.
A timeout counts only with ``count_timeouts=True`` (the 2.0.1 OCTT cases TC_E_50/51 treat a
missing reply like a CALLERROR); a lost connection never counts, and nothing counts while
offline. Timeouts that do not count are retried after the same wait, without limit.

The outbox does no I/O and reads no clock: every method takes ``now`` (monotonic seconds).
The binding drives it (see ``docs/outbox.md``):

1. ``enqueue(message, now)`` for every station -> CSMS message it wants delivered.
2. ``poll(now)``: hand each :class:`SendNow` to the RPC connection (``send_call``), remember
   the CALL's unique id -> ``ref``; report :class:`Dropped` upward.
3. Report the outcome of each: ``outcome(ref, rpc_event, now)`` (or ``result`` /
   ``error`` / ``timed_out`` / ``aborted``), and ``connected(now)`` / ``disconnected(now)``.
4. Call ``poll(now)`` again after each of those and at ``next_deadline()``.

1.x transaction ids: a StartTransaction's id is chosen by the Central System, so the messages
of a transaction queued before the answer cannot carry it. ``enqueue`` of a StartTransaction
returns a *placeholder* id (a negative int) to put in the StopTransaction / MeterValues of that
transaction; when the StartTransaction's result arrives, the real id replaces the placeholder
in every stored message, in the same storage step that removes the StartTransaction. If the
StartTransaction is dropped, the id is never known: a queued StopTransaction gets
``unknown_transaction_id`` (default -1, the value stations conventionally send for "no id"),
a MeterValues loses its optional ``transactionId``.

Delivery is at least once: a message is removed from storage only when its result is
recorded (nothing acknowledged is ever sent again), so a message in flight when the process
dies is sent again after the restart. In 2.x its ``seqNo`` (and ``transactionId``) make the
duplicate recognisable; :class:`SendNow` says ``possible_duplicate`` when it may be one.
"""

import collections
from typing import Any, Literal

import attrs

from ..actions import actions_for
from ..codec import decode, encode, from_wire
from ..rpc.events import (
    CallAborted,
    CallTimedOut,
    ErrorReceived,
    InvalidResult,
    LateResult,
    ResultReceived,
)
from ..validation import ValidationError, ValidationPolicy
from ..version import Version
from .storage import Storage, StoredMessage, substitute_transaction_id

__all__ = [
    "PLACEHOLDER_BASE",
    "Delivered",
    "Dropped",
    "Event",
    "Failed",
    "Offline",
    "Outbox",
    "OutboxError",
    "Ref",
    "Retrying",
    "SendNow",
    "Ticket",
    "TransactionIdAssigned",
    "TransactionIdUnknown",
    "is_transaction_message",
    "placeholder_for",
]

#: 1.x placeholders are ``PLACEHOLDER_BASE - seq``: negative, inside the 1.5 int32 range for
#: the first 2**30 messages, and far from -1 / 0 and from any id a Central System hands out.
PLACEHOLDER_BASE = -(2**30)

_V1 = (Version.V15, Version.V16)


def placeholder_for(seq: int) -> int:
    """The placeholder transaction id of the StartTransaction stored as ``seq``."""
    return PLACEHOLDER_BASE - seq


def is_transaction_message(version: Version | str, action: str, payload: dict[str, Any]) -> bool:
    """Whether a request is transaction-related (1.6 §3.7; 2.0.1 E: TransactionEvent).

    1.x MeterValues are transaction-related when they carry a ``transactionId``.
    """
    if Version(version) in _V1:
        if action == "MeterValues":
            return "transactionId" in payload
        return action in ("StartTransaction", "StopTransaction")
    return action == "TransactionEvent"


class OutboxError(Exception):
    """The application misused the outbox (a local error; nothing was queued or changed)."""


class Offline(OutboxError):
    """A message that is not transaction-related was enqueued while offline, and the outbox
    fails those fast (``offline_others="fail"``, the default)."""


@attrs.frozen(order=True)
class Ref:
    """Names one enqueued message. ``durable``: a stored transaction message (``seq`` is its
    storage seq); otherwise a message held only in memory (``seq`` counts per outbox)."""

    durable: bool
    seq: int


@attrs.frozen
class Ticket:
    """What ``enqueue`` returns. ``placeholder``: for a 1.x StartTransaction, the transaction id
    to use in that transaction's later messages until the real one is known."""

    ref: Ref
    action: str
    placeholder: int | None = None


@attrs.frozen
class SendNow:
    """Hand ``message`` to the connection now (``send_call``) and report its outcome for
    ``ref``. ``transmission`` counts from 1; ``possible_duplicate``: an earlier transmission
    may have reached the peer (in flight at a disconnect or crash)."""

    ref: Ref
    action: str
    message: Any
    transmission: int
    possible_duplicate: bool


@attrs.frozen
class Delivered:
    """The peer answered ``ref`` with a CALLRESULT; it is removed from the queue."""

    ref: Ref
    action: str
    response: Any


@attrs.frozen
class TransactionIdAssigned:
    """1.x: the StartTransaction of ``placeholder`` got ``transaction_id``; the queued
    messages carry it now, and a message enqueued later with the placeholder gets it too."""

    placeholder: int
    transaction_id: int


@attrs.frozen
class TransactionIdUnknown:
    """1.x: the StartTransaction of ``placeholder`` was dropped; its StopTransaction carries
    ``substitute`` (``unknown_transaction_id``), its MeterValues no ``transactionId``."""

    placeholder: int
    substitute: int


@attrs.frozen
class Retrying:
    """A transmission of ``ref`` failed (``reason``); it is sent again at ``not_before``.
    ``attempts`` is the number of failures counted so far."""

    ref: Ref
    action: str
    attempts: int
    not_before: float
    reason: str


@attrs.frozen
class Dropped:
    """A transaction message was discarded: ``attempts`` failures counted (1.6 §3.7.1, 2.0.1
    E13.FR.04), or it could not be sent at all (``reason`` says which)."""

    ref: Ref
    action: str
    message: Any
    attempts: int
    reason: str


@attrs.frozen
class Failed:
    """A message that is not transaction-related failed (no retry): ``reason`` is
    ``"CALLERROR <code>"``, ``"timeout"``, ``"connection lost"`` or ``"invalid result"``."""

    ref: Ref
    action: str
    message: Any
    reason: str


Event = (
    SendNow | Delivered | TransactionIdAssigned | TransactionIdUnknown | Retrying | Dropped | Failed
)


@attrs.define
class _Other:
    ref: Ref
    action: str
    message: Any


class Outbox:
    """The outbox of one charging station for one OCPP version.

    ``attempts`` (``TransactionMessageAttempts`` / ``MessageAttemptsTransactionEvent``) and
    ``retry_interval`` in seconds (``TransactionMessageRetryInterval`` /
    ``MessageAttemptIntervalTransactionEvent``) may be changed at any time.
    ``offline_others``: ``"fail"`` raises :class:`Offline` for a message that is not
    transaction-related while offline, ``"queue"`` holds it in memory (not persisted) until
    the next connection. ``mark_offline``: a 2.x TransactionEvent enqueued while offline gets
    ``offline=True`` (2.0.1 E12). The constructor loads the storage's queue.
    """

    def __init__(
        self,
        version: Version | str,
        storage: Storage,
        *,
        attempts: int = 3,
        retry_interval: float = 60.0,
        count_timeouts: bool = False,
        offline_others: Literal["fail", "queue"] = "fail",
        unknown_transaction_id: int = -1,
        mark_offline: bool = True,
        policy: ValidationPolicy | None = None,
    ) -> None:
        if attempts < 0 or retry_interval < 0:
            raise ValueError("attempts and retry_interval must not be negative")
        self.version = Version(version)
        self.storage = storage
        self.attempts = attempts
        self.retry_interval = retry_interval
        self.count_timeouts = count_timeouts
        self.offline_others = offline_others
        self.unknown_transaction_id = unknown_transaction_id
        self.mark_offline = mark_offline
        self.policy = policy or ValidationPolicy()
        messages, self._ids = storage.load()
        self._queue: collections.deque[StoredMessage] = collections.deque(messages)
        self._online = False
        self._in_flight = False  # the head is with the connection
        self._not_before: float | None = None  # the head waits for a retransmission
        self._others: collections.deque[_Other] = collections.deque()
        self._others_in_flight: dict[Ref, _Other] = {}
        self._other_seq = 0

    # -- state ---------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self._online

    @property
    def queued(self) -> tuple[StoredMessage, ...]:
        """The stored transaction messages, in delivery order (the head first)."""
        return tuple(self._queue)

    @property
    def in_flight(self) -> Ref | None:
        """The transaction message with the connection now, if any."""
        if self._in_flight and self._queue:
            return Ref(True, self._queue[0].seq)
        return None

    def next_deadline(self) -> float | None:
        """When ``poll`` will next have something to send by itself (a retransmission)."""
        if self._online and self._queue and not self._in_flight:
            return self._not_before
        return None

    # -- input ---------------------------------------------------------------------------

    def enqueue(self, message: Any, now: float) -> Ticket:
        """Queue a station -> CSMS request. Transaction messages are stored before this
        returns. Raises :class:`OutboxError` for a message of another version or one the
        station may not send, ``ValidationError`` if it breaks its schema, and
        :class:`Offline` (see the class doc)."""
        try:
            spec, is_request = actions_for(self.version).of(message)
        except KeyError:
            raise OutboxError(f"not an OCPP {self.version} message: {message!r}") from None
        if not is_request or not spec.direction.sent_by_station():
            raise OutboxError(f"{spec.name}: not a request a charging station sends")
        action = spec.name
        if (
            self.mark_offline
            and not self._online
            and action == "TransactionEvent"
            and self.version not in _V1
            and not message.offline
        ):
            message = attrs.evolve(message, offline=True)
        profile = self.policy.profile("outbound", action, "request")
        _, _, payload = encode(self.version, message, profile)
        if not is_transaction_message(self.version, action, payload):
            return self._enqueue_other(action, message)
        placeholder = payload.get("transactionId")
        if self.version in _V1 and isinstance(placeholder, int) and placeholder in self._ids:
            new = substitute_transaction_id(
                action, payload, placeholder, self._ids[placeholder], self.unknown_transaction_id
            )
            if new is not None:
                payload = new
        stored = self.storage.append(str(self.version), action, payload)
        self._queue.append(stored)
        return Ticket(
            Ref(True, stored.seq),
            action,
            placeholder_for(stored.seq)
            if action == "StartTransaction" and self.version in _V1
            else None,
        )

    def _enqueue_other(self, action: str, message: Any) -> Ticket:
        if not self._online and self.offline_others == "fail":
            raise Offline(f"{action}: offline, and it is not transaction-related")
        self._other_seq += 1
        ref = Ref(False, self._other_seq)
        self._others.append(_Other(ref, action, message))
        return Ticket(ref, action)

    def connected(self, now: float) -> list[Event]:
        """The connection is up (and the station may send): returns ``poll(now)``."""
        self._online = True
        return self.poll(now)

    def disconnected(self, now: float) -> list[Event]:
        """The connection is gone. The transaction message in flight stays at the head, no
        attempt counted, and goes out first on the next connection; messages that are not
        transaction-related and were in flight fail (and, under ``"fail"``, queued ones)."""
        self._online = False
        self._in_flight = False
        self._not_before = None
        events: list[Event] = [
            Failed(o.ref, o.action, o.message, "connection lost")
            for o in self._others_in_flight.values()
        ]
        self._others_in_flight.clear()
        if self.offline_others == "fail":
            events += [Failed(o.ref, o.action, o.message, "offline") for o in self._others]
            self._others.clear()
        return events

    def poll(self, now: float) -> list[Event]:
        """What to hand to the connection now: :class:`SendNow` for the head of the transaction
        queue when it is due and for each waiting message that is not transaction-related
        (those may overtake the queue, 1.6 §3.7); :class:`Dropped` for stored messages that
        cannot be sent."""
        events: list[Event] = []
        if not self._online:
            return events
        while self._queue and not self._in_flight:
            if self._not_before is not None and now < self._not_before:
                break
            head = self._queue[0]
            message = self._message(head)
            if message is None:
                events += self._drop(head, None, "stored message unreadable by this version")
                continue
            self.storage.mark_sent(head.seq)
            self._queue[0] = attrs.evolve(head, sends=head.sends + 1)
            self._in_flight = True
            self._not_before = None
            events.append(SendNow(Ref(True, head.seq), head.action, message, head.sends + 1,
                                  head.sends > 0))
        while self._others:
            other = self._others.popleft()
            self._others_in_flight[other.ref] = other
            events.append(SendNow(other.ref, other.action, other.message, 1, False))
        return events

    def _message(self, stored: StoredMessage) -> Any:
        if stored.version != self.version:
            return None
        try:
            cls = actions_for(self.version)[stored.action].request
            return from_wire(cls, stored.payload, keep_extra=True)
        except (KeyError, TypeError, ValueError, ValidationError):
            return None

    # -- outcomes ------------------------------------------------------------------------

    def _head(self, ref: Ref, *, in_flight: bool = True) -> StoredMessage | None:
        if not ref.durable or not self._queue or self._queue[0].seq != ref.seq:
            return None
        if in_flight and not self._in_flight:
            return None
        return self._queue[0]

    def result(self, ref: Ref, response: Any, now: float) -> list[Event]:
        """The peer answered ``ref`` with a CALLRESULT (``response``, the typed message). A
        result for a message that is no longer queued is ignored (``[]``)."""
        if not ref.durable:
            other = self._others_in_flight.pop(ref, None)
            return [] if other is None else [Delivered(ref, other.action, response)]
        head = self._head(ref, in_flight=False)
        if head is None:
            return []
        events: list[Event] = []
        if head.action == "StartTransaction" and self.version in _V1:
            placeholder = placeholder_for(head.seq)
            tid = int(response.transaction_id)
            self._resolve(head, placeholder, tid)
            events.append(Delivered(ref, head.action, response))
            events.append(TransactionIdAssigned(placeholder, tid))
        else:
            self.storage.remove(head.seq)
            self._queue.popleft()
            events.append(Delivered(ref, head.action, response))
        self._in_flight = False
        self._not_before = None
        return events

    def error(self, ref: Ref, code: str, now: float) -> list[Event]:
        """The peer answered ``ref`` with a CALLERROR ``code``: a failure to process (1.6
        §3.7.1), counted. Ignored (``[]``) unless ``ref`` is in flight."""
        return self._failure(ref, f"CALLERROR {code}", now, counted=True)

    def timed_out(self, ref: Ref, now: float) -> list[Event]:
        """No answer to ``ref`` in time; counted only with ``count_timeouts``."""
        return self._failure(ref, "timeout", now, counted=self.count_timeouts)

    def aborted(self, ref: Ref, now: float) -> list[Event]:
        """The connection dropped ``ref`` before an answer (``CallAborted``): not counted; the
        message goes out again first on the next connection."""
        if not ref.durable:
            other = self._others_in_flight.pop(ref, None)
            return [] if other is None else [Failed(ref, other.action, other.message,
                                                    "connection lost")]
        if self._head(ref) is not None:
            self._in_flight = False
            self._not_before = None
        return []

    def refused(self, ref: Ref, reason: str, now: float) -> list[Event]:
        """The connection refused to send ``ref`` (``send_call`` raised, e.g. the RPC engine's
        outbound policy rejects the stored payload): it can never be sent, so it is dropped
        (:class:`Dropped` / :class:`Failed`) instead of blocking the queue."""
        if not ref.durable:
            other = self._others_in_flight.pop(ref, None)
            return [] if other is None else [Failed(ref, other.action, other.message, reason)]
        head = self._head(ref)
        return [] if head is None else self._drop(head, self._message(head), reason)

    def outcome(self, ref: Ref, event: object, now: float) -> list[Event]:
        """Report what the RPC engine said about the CALL of ``ref``
        (:mod:`ocpp_sansio.rpc.events`). A ``LateResult`` still acknowledges the message if it
        was not delivered since; other events are ignored."""
        if isinstance(event, ResultReceived):
            return self.result(ref, event.message, now)
        if isinstance(event, LateResult):
            if self._head(ref, in_flight=False) is None or self._in_flight:
                return []
            profile = self.policy.profile("inbound", event.action, "response")
            try:
                response = decode(self.version, event.action, "response", event.payload, profile)
            except (KeyError, ValidationError):
                return []
            return self.result(ref, response, now)
        if isinstance(event, ErrorReceived):
            return self.error(ref, event.code, now)
        if isinstance(event, InvalidResult):
            return self._failure(ref, "invalid result", now, counted=True)
        if isinstance(event, CallTimedOut):
            return self.timed_out(ref, now)
        if isinstance(event, CallAborted):
            return self.aborted(ref, now)
        return []

    def _failure(self, ref: Ref, reason: str, now: float, *, counted: bool) -> list[Event]:
        if not ref.durable:
            other = self._others_in_flight.pop(ref, None)
            return [] if other is None else [Failed(ref, other.action, other.message, reason)]
        head = self._head(ref)
        if head is None:
            return []
        self._in_flight = False
        attempts = head.attempts + 1 if counted else head.attempts
        if counted and attempts >= self.attempts:
            return self._drop(head, self._message(head), reason, attempts)
        if counted:
            self.storage.record_failure(head.seq, attempts)
            self._queue[0] = head = attrs.evolve(head, attempts=attempts)
        # 1.6 §3.7.1 / 2.0.1 E13.FR.03: wait retry_interval x preceding transmissions.
        self._not_before = now + self.retry_interval * head.sends
        return [Retrying(ref, head.action, attempts, self._not_before, reason)]

    def _drop(
        self, head: StoredMessage, message: Any, reason: str, attempts: int | None = None
    ) -> list[Event]:
        self._in_flight = False
        self._not_before = None
        ref = Ref(True, head.seq)
        n = head.attempts if attempts is None else attempts
        if head.action == "StartTransaction" and self.version in _V1:
            placeholder = placeholder_for(head.seq)
            self._resolve(head, placeholder, None)
            return [
                Dropped(ref, head.action, message, n, reason),
                TransactionIdUnknown(placeholder, self.unknown_transaction_id),
            ]
        self.storage.remove(head.seq)
        self._queue.popleft()
        return [Dropped(ref, head.action, message, n, reason)]

    def _resolve(self, head: StoredMessage, placeholder: int, tid: int | None) -> None:
        unknown = self.unknown_transaction_id
        self.storage.resolve(head.seq, placeholder, tid, unknown)
        self._queue.popleft()
        self._ids[placeholder] = tid
        for i, msg in enumerate(self._queue):
            new = substitute_transaction_id(msg.action, msg.payload, placeholder, tid, unknown)
            if new is not None:
                self._queue[i] = attrs.evolve(msg, payload=new)
