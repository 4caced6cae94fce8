"""The loop-independent part of the outbox driver, shared by ``ocpp_trio`` and ``ocpp_asyncio``.

Nothing here imports trio or asyncio, reads a clock or does I/O (``now`` is passed in; waiting
objects come from a factory the binding supplies, ``trio.Event`` or ``asyncio.Event``). The
binding's ``OutboxDriver`` runs the loop; :class:`DriverCore` holds the bookkeeping between the
sans-IO :class:`~ocpp_sansio.outbox.Outbox` and ``station.call``:

- which transmission of which message is with the connection (a *token* per
  :class:`~ocpp_sansio.outbox.SendNow`, so the late outcome of a transmission made on an
  earlier connection is never mistaken for the current one's);
- how the outcome of ``station.call`` maps to the outbox (OCPP 1.6 section 3.7.1 / 2.0.1 E13:
  a CALLERROR or an unusable CALLRESULT is a failure to process; a timeout is one only with
  ``count_timeouts``; a lost connection never is);
- the final outcome of each message (``Delivered`` / ``Dropped`` / ``Failed``) for
  ``delivered(ticket)``, the exceptions it raises, and counters (:class:`DriverStats`).

See ``docs/outbox.md``.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import attrs

from ocpp_sansio.outbox import (
    Delivered,
    Dropped,
    Event,
    Failed,
    Outbox,
    Ref,
    Retrying,
    SendNow,
    Ticket,
)
from ocpp_sansio.rpc import (
    CallError,
    CallTimeout,
    InvalidResult,
    LocalProtocolError,
    RemoteProtocolError,
)
from ocpp_sansio.validation import ValidationError

from ._common import ConnectionClosed, log

__all__ = [
    "DeliveryError",
    "DriverCore",
    "DriverStats",
    "MessageDropped",
    "MessageFailed",
    "Transmission",
    "Waker",
]

#: final outcomes kept for ``delivered()`` (the oldest are forgotten beyond this)
KEEP_OUTCOMES = 10_000


class Waker(Protocol):
    """What the binding's event objects offer the core (``trio.Event``, ``asyncio.Event``)."""

    def set(self) -> None: ...


W = TypeVar("W", bound=Waker)


class DeliveryError(Exception):
    """A submitted message was not delivered; ``event`` is the outbox's final event."""

    def __init__(self, event: Dropped | Failed) -> None:
        super().__init__(f"{event.action}: {event.reason}")
        self.event = event


class MessageDropped(DeliveryError):
    """A transaction message was discarded after ``event.attempts`` failures to process
    (OCPP 1.6 section 3.7.1 ``TransactionMessageAttempts``; 2.0.1 E13.FR.04), or because it
    could not be sent at all (``event.reason``)."""

    event: Dropped


class MessageFailed(DeliveryError):
    """A message that is not transaction-related failed (it is never retried): CALLERROR,
    timeout, lost connection, unusable answer, or offline."""

    event: Failed


@attrs.define
class DriverStats:
    """Counters of one driver (since it was created).

    ``submitted``: messages accepted by ``submit``; ``resumed``: transaction messages found in
    storage when the driver was created; ``transmissions``: CALLs handed to the connection,
    retransmissions included; ``retransmissions``: those that were not a message's first
    (``SendNow.transmission > 1``); ``possible_duplicates``: transmissions after one that may
    have reached the CSMS; ``delivered`` / ``dropped`` / ``failed``: final outcomes;
    ``retries``: ``Retrying`` events; ``links``: connections the driver sent on;
    ``link_losses``: calls that ended with the connection.
    """

    submitted: int = 0
    resumed: int = 0
    transmissions: int = 0
    retransmissions: int = 0
    possible_duplicates: int = 0
    delivered: int = 0
    dropped: int = 0
    failed: int = 0
    retries: int = 0
    links: int = 0
    link_losses: int = 0


@attrs.frozen
class Transmission:
    """One hand-over of ``send.message`` to ``station.call``; ``token`` tells transmissions of
    the same message apart."""

    send: SendNow
    token: int


Final = Delivered | Dropped | Failed


class DriverCore(Generic[W]):
    """Bookkeeping of an outbox driver (see the module doc).

    ``new_waker()`` makes the binding's event object; ``on_event`` (optional) sees every outbox
    event in order (``SendNow``, ``Delivered``, ``Retrying``, ``Dropped``, ``Failed``,
    ``TransactionIdAssigned``, ``TransactionIdUnknown``).
    """

    def __init__(
        self,
        outbox: Outbox,
        new_waker: Callable[[], W],
        on_event: Callable[[Event], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self.stats = DriverStats()
        self._new_waker = new_waker
        self._on_event = on_event
        self._tokens: dict[Ref, int] = {}
        self._next_token = 0
        self._pending: set[Ref] = {Ref(True, m.seq) for m in outbox.queued}
        self.stats.resumed = len(self._pending)
        self._outcomes: collections.OrderedDict[Ref, Final] = collections.OrderedDict()
        self._wake: W = new_waker()
        self._watchers: list[W] = []
        #: a call ended with the connection: stop sending until the next connection
        self.link_lost = False

    # -- application side ----------------------------------------------------------------

    def submit(self, message: Any, now: float) -> Ticket:
        """``Outbox.enqueue`` (raises what it raises) and wake the loop."""
        ticket = self.outbox.enqueue(message, now)
        self.stats.submitted += 1
        self._pending.add(ticket.ref)
        self._wake.set()
        return ticket

    def outcome(self, ref: Ref) -> Final | None:
        """The final event of ``ref``, ``None`` while it is pending. ``LookupError`` for a
        message this driver does not know (never submitted here, or forgotten)."""
        found = self._outcomes.get(ref)
        if found is None and ref not in self._pending:
            raise LookupError(f"{ref}: not submitted through this driver, or forgotten")
        return found

    @staticmethod
    def unwrap(final: Final) -> Any:
        """The response of a delivered message; raises :class:`MessageDropped` /
        :class:`MessageFailed` otherwise."""
        if isinstance(final, Delivered):
            return final.response
        if isinstance(final, Dropped):
            raise MessageDropped(final)
        raise MessageFailed(final)

    @property
    def drained(self) -> bool:
        """Nothing submitted (or resumed) is waiting for its outcome, and nothing is stored."""
        return not self._pending and not self.outbox.queued

    def watch(self) -> W:
        """A new event set at the next final outcome (or change of ``drained``)."""
        waker = self._new_waker()
        self._watchers.append(waker)
        return waker

    # -- loop side -----------------------------------------------------------------------

    def waker(self) -> W:
        """A fresh event the loop waits on: set by ``submit``, ``settle`` and connection
        changes. Make it before ``poll`` so that nothing in between is missed."""
        self._wake = self._new_waker()
        return self._wake

    def lose_link(self) -> None:
        """The connection ended (the binding noticed): stop sending, wake the loop."""
        self.link_lost = True
        self._wake.set()

    def connected(self, now: float) -> list[Transmission]:
        self.link_lost = False
        self.stats.links += 1
        return self._process(self.outbox.connected(now))

    def disconnected(self, now: float) -> None:
        self._tokens.clear()  # whatever comes back from the old connection is stale
        self._process(self.outbox.disconnected(now))

    def poll(self, now: float) -> list[Transmission]:
        if self.link_lost:
            return []
        return self._process(self.outbox.poll(now))

    def deadline(self) -> float | None:
        """When ``poll`` has a retransmission to make."""
        return None if self.link_lost else self.outbox.next_deadline()

    def settle(
        self, tx: Transmission, response: Any, error: BaseException | None, now: float
    ) -> None:
        """Report what ``station.call`` returned (``response``) or raised (``error``) for
        ``tx``. Outcomes of stale transmissions are ignored."""
        ref = tx.send.ref
        if self._tokens.get(ref) != tx.token:
            return
        del self._tokens[ref]
        box = self.outbox
        events: list[Event]
        if error is None:
            events = box.result(ref, response, now)
        elif isinstance(error, CallError):
            events = box.error(ref, error.code, now)
        elif isinstance(error, CallTimeout):
            events = box.timed_out(ref, now)
        elif isinstance(error, ConnectionClosed):
            # The connection is gone (or going): the outbox keeps the message at the head,
            # no attempt counted; nothing more is sent until the next connection.
            events = box.aborted(ref, now)
            self.stats.link_losses += 1
            self.link_lost = True
            events += box.disconnected(now)
            self._tokens.clear()
        elif isinstance(error, RemoteProtocolError):
            events = box.outcome(ref, InvalidResult("", tx.send.action, tx.send.message, error),
                                 now)
        elif isinstance(error, LocalProtocolError | ValidationError | TypeError | ValueError):
            # send_call refused the message itself: it can never be sent.
            events = box.refused(ref, f"refused: {error}", now)
        else:
            # Unexpected: treated like a missing answer (retried after the retry interval).
            log.warning("outbox: %s transmission %d failed: %r", tx.send.action,
                        tx.send.transmission, error)
            events = box.timed_out(ref, now)
        self._process(events)
        self._wake.set()

    # -- internals -----------------------------------------------------------------------

    def _process(self, events: list[Event]) -> list[Transmission]:
        out: list[Transmission] = []
        final = False
        for event in events:
            if self._on_event is not None:
                self._on_event(event)
            if isinstance(event, SendNow):
                self._next_token += 1
                self._tokens[event.ref] = self._next_token
                out.append(Transmission(event, self._next_token))
                self.stats.transmissions += 1
                if event.transmission > 1:
                    self.stats.retransmissions += 1
                if event.possible_duplicate:
                    self.stats.possible_duplicates += 1
            elif isinstance(event, Delivered | Dropped | Failed):
                if isinstance(event, Delivered):
                    self.stats.delivered += 1
                elif isinstance(event, Dropped):
                    self.stats.dropped += 1
                else:
                    self.stats.failed += 1
                self._pending.discard(event.ref)
                self._outcomes[event.ref] = event
                while len(self._outcomes) > KEEP_OUTCOMES:
                    self._outcomes.popitem(last=False)
                final = True
            elif isinstance(event, Retrying):
                self.stats.retries += 1
        if final:
            watchers, self._watchers = self._watchers, []
            for waker in watchers:
                waker.set()
        return out
