"""The loop-independent core of the OCPP-J bindings, shared by ``ocpp_trio`` and ``ocpp_asyncio``.

Nothing here imports trio or asyncio, reads a clock or does I/O: both bindings drive the same
objects, so every rule lives in one place (or, below that, in ``ocpp_sansio``).

- :class:`Link`: one OCPP-J connection, a WebSocket session (:mod:`ocpp_sansio.ws`) and, once
  open, the RPC engine (:class:`ocpp_sansio.rpc.RpcConnection`). Bytes in, :data:`Output` events
  out, bytes to write; the binding runs a read loop, a write loop and one timer at
  :meth:`Link.next_deadline`.
- :class:`Settled`, :class:`Ended`: what a :class:`Link` reports besides the engine's
  ``CallReceived`` / ``SendReceived`` and the session's ``ConnectRequested`` / ``Connected`` /
  ``Rejected``.
- the public exceptions :class:`ConnectionClosed` and :class:`HandshakeRejected` (``CallError``
  and ``CallTimeout`` are the engine's own), :class:`ReconnectPolicy`, and small helpers used by
  both bindings (handler lookup, handler invocation, the front door's request-head sniffing).
"""

from __future__ import annotations

import contextlib
import logging
import ssl as _ssl
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import attrs

from ocpp_sansio.actions import actions_for
from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.rpc import (
    CallAborted,
    CallError,
    CallHandle,
    CallReceived,
    CallTimedOut,
    CallTimeout,
    CloseRequested,
    ErrorReceived,
    InvalidResponseError,
    InvalidResult,
    ResultReceived,
    RpcConnection,
    SendReceived,
)
from ocpp_sansio.rpc import State as RpcState
from ocpp_sansio.version import Version
from ocpp_sansio.ws import (
    Accept,
    Connected,
    ConnectionClosedError,
    ConnectRequested,
    MessageReceived,
    Reject,
    Rejected,
    RemoteProtocolError,
    SecurityProfile,
    ServerSession,
    SessionState,
    WsSession,
)
from ocpp_sansio.ws import ConnectionClosed as WsClosed
from ocpp_sansio.ws.handshake import http_response

__all__ = [
    "HEAD_END",
    "CallError",
    "CallTimeout",
    "ConnectionClosed",
    "Ended",
    "HandlersArg",
    "HandshakeRejected",
    "Link",
    "Output",
    "ReconnectPolicy",
    "Settled",
    "StationConnection",
    "handlers_for",
    "invoke",
    "is_upgrade",
    "not_upgrade_response",
    "profile_for",
    "request_path",
    "supported_for",
]

log = logging.getLogger("ocpp_toolkit")

#: ``handlers`` of ``serve``: one mapping for every station, or a factory
#: ``(station_id, version) -> mapping`` called once per connection
HandlersArg = Mapping[str, Handler] | Callable[[str, Version], Mapping[str, Handler]] | None

#: request head bytes read by the front door before deciding (the session's own limit applies)
HEAD_END = b"\r\n\r\n"


class ConnectionClosed(Exception):
    """The connection is closed (or was never open): a call cannot be made or was aborted.

    ``code`` / ``reason``: the WebSocket close code and reason when known (RFC 6455 section
    7.1.5; 1006 when no Close frame was received).
    """

    def __init__(self, message: str, code: int = 1006, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


class HandshakeRejected(ConnectionClosed):
    """The CSMS refused the opening handshake (``status_code`` is the HTTP status; 101 means it
    accepted none of the offered versions, OCPP-J 1.6 section 3.2 / 2.0.1 Part 4 section 3.2)."""

    def __init__(self, message: str, status_code: int, body: bytes = b"") -> None:
        super().__init__(message, code=1006, reason=message)
        self.status_code = status_code
        self.body = body


def _non_negative(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative")


@attrs.frozen(kw_only=True)
class ReconnectPolicy:
    """Exponential back-off with jitter for a station's reconnects (OCPP 2.0.1 Part 4 section
    5.3 "Reconnecting"; device model ``RetryBackOffWaitMinimum``, ``RetryBackOffRandomRange``,
    ``RetryBackOffRepeatTimes``).

    The first reconnect waits ``min_backoff`` plus a random value in ``[0, jitter]``; every
    further attempt doubles the wait, up to ``max_backoff`` (``RetryBackOffRepeatTimes``
    doublings correspond to ``max_backoff = min_backoff * 2 ** repeat_times``), and stays
    there. ``attempts``: consecutive failed attempts before giving up (``None``: never).
    """

    min_backoff: float = attrs.field(default=5.0, validator=_non_negative)
    max_backoff: float = attrs.field(default=300.0, validator=_non_negative)
    jitter: float = attrs.field(default=2.0, validator=_non_negative)
    attempts: int | None = None

    def delay(self, attempt: int, random: float) -> float:
        """Seconds to wait before reconnect attempt ``attempt`` (0 = the first after a loss);
        ``random`` is a uniform draw in ``[0, 1)`` supplied by the binding."""
        base = self.min_backoff * (2.0 ** min(attempt, 64))
        return min(base, max(self.max_backoff, self.min_backoff)) + self.jitter * random


@attrs.frozen
class Settled:
    """Our CALL ``unique_id`` is over: ``result`` is the typed response, else ``error`` is the
    exception for the caller (:class:`CallError`, :class:`CallTimeout`,
    :class:`ConnectionClosed`, or the engine's ``RemoteProtocolError`` for an unusable
    answer)."""

    unique_id: str
    result: Any
    error: BaseException | None


@attrs.frozen
class Ended:
    """The connection is over; write what :meth:`Link.data_to_send` still gives, then close the
    transport."""

    code: int
    reason: str
    by_peer: bool


Output = (
    ConnectRequested | Connected | Rejected | CallReceived | SendReceived | Settled | Ended
)


class Link:
    """One OCPP-J connection: a WebSocket session plus, once it is open, the RPC engine.

    ``make_rpc(version)`` creates the engine when the session reports ``Connected`` (the CSMS
    side learns the version and station only then). Feed bytes with :meth:`receive`, run
    :meth:`timeout` at :meth:`next_deadline`, write :meth:`data_to_send` after every call.
    """

    __slots__ = ("_end", "_make_rpc", "_tail", "rpc", "session")

    def __init__(
        self, session: WsSession, make_rpc: Callable[[Version], RpcConnection]
    ) -> None:
        self.session = session
        self.rpc: RpcConnection | None = None
        self._make_rpc = make_rpc
        self._tail = b""
        self._end: Ended | None = None

    @property
    def ended(self) -> Ended | None:
        """How the connection ended, once it did."""
        return self._end

    @property
    def is_open(self) -> bool:
        """Messages can be sent (the session is open and the engine exists)."""
        return (
            self._end is None
            and self.rpc is not None
            and self.session.state is SessionState.OPEN
        )

    def busy(self) -> bool:
        """Calls of ours are outstanding or queued, or calls of the peer await our answer."""
        rpc = self.rpc
        if rpc is None or rpc.state is RpcState.CLOSED:
            return False
        return bool(rpc.outstanding_call or rpc.queued_calls or rpc.pending_calls)

    # -- input ---------------------------------------------------------------------------------

    def receive(self, data: bytes, now: float) -> list[Output]:
        """Bytes received (``b""``: end of file) at ``now``."""
        self.session.receive_data(data, now)
        return self._drain(now)

    def timeout(self, now: float) -> list[Output]:
        """Run the timers of the session and the engine that are due at ``now``."""
        out: list[Output] = []
        rpc = self.rpc
        if rpc is not None and rpc.state is RpcState.OPEN:
            deadline = rpc.next_deadline()
            if deadline is not None and now >= deadline:
                self._rpc_events(rpc.handle_timeout(now), now, out)
        deadline = self.session.next_deadline()
        if deadline is not None and now >= deadline:
            self.session.handle_timeout(now)
        out.extend(self._drain(now))
        return out

    def next_deadline(self) -> float | None:
        """The earliest time :meth:`timeout` has something to do, or ``None``."""
        deadline = self.session.next_deadline()
        rpc = self.rpc
        if rpc is not None:
            other = rpc.next_deadline()
            if other is not None and (deadline is None or other < deadline):
                deadline = other
        return deadline

    # -- output --------------------------------------------------------------------------------

    def data_to_send(self) -> bytes:
        """Bytes to write now (the engine's texts framed by the session, pongs, Close ...)."""
        rpc = self.rpc
        if rpc is not None:
            texts = rpc.data_to_send()
            if texts and self.session.state is SessionState.OPEN:
                send = self.session.send_text
                for text in texts:
                    send(text)
        data = self.session.data_to_send()
        if self._tail:
            data, self._tail = data + self._tail, b""
        return data

    def call(self, message: Any, now: float, timeout: float | None) -> CallHandle:
        """Send (or queue) a CALL; raises :class:`ConnectionClosed` when not open."""
        if not self.is_open:
            raise ConnectionClosed("the connection is not open")
        assert self.rpc is not None
        return self.rpc.send_call(message, now, timeout=timeout)

    def send(self, message: Any) -> None:
        """OCPP 2.1 SEND (no reply)."""
        if not self.is_open:
            raise ConnectionClosed("the connection is not open")
        assert self.rpc is not None
        self.rpc.send_send(message)

    def answer(self, unique_id: str, response: Any, error: BaseException | None) -> None:
        """Answer the peer's CALL after its handler ran: the response, or (handler raised or
        returned ``None``) the engine's handler-failure CALLERROR. Dropped when closed."""
        rpc = self.rpc
        if rpc is None or rpc.state is not RpcState.OPEN or unique_id not in rpc.pending_calls:
            return
        if error is None and response is not None:
            try:
                rpc.send_result(unique_id, response)
            except InvalidResponseError as exc:
                log.error("invalid response to %s, answered InternalError: %s", unique_id, exc)
        else:
            rpc.send_handler_failure(unique_id, error)

    def respond(self, decision: Accept | Reject, now: float) -> list[Output]:
        """CSMS side: answer the ``ConnectRequested`` event (a no-op when the station left)."""
        session = self.session
        if self._end is not None or not isinstance(session, ServerSession):
            return []
        try:
            session.respond(decision, now)
        except ConnectionClosedError:
            return self.abort("the station left during authorization")
        return self._drain(now)

    def close(self, code: int, reason: str, now: float) -> None:
        """Start the closing handshake (or abort a connection that is not open yet)."""
        session = self.session
        if session.state is not SessionState.CLOSED:
            session.close(code, reason, now=now)
            if _is_closed(session) and self._end is None:
                self._finish(Ended(code=1006, reason=reason or "aborted", by_peer=False), [])

    def abort(self, reason: str) -> list[Output]:
        """The transport failed or was dropped: end at once (no closing handshake)."""
        out: list[Output] = []
        if self._end is None:
            self._finish(Ended(code=1006, reason=reason, by_peer=False), out)
        return out

    # -- internals -----------------------------------------------------------------------------

    def _drain(self, now: float) -> list[Output]:
        out: list[Output] = []
        try:
            for event in self.session.events():
                if isinstance(event, MessageReceived):
                    rpc = self.rpc
                    if rpc is not None and rpc.state is RpcState.OPEN:
                        self._rpc_events(rpc.receive_text(event.text, now), now, out)
                elif isinstance(event, Connected):
                    self.rpc = self._make_rpc(event.version)
                    out.append(event)
                elif isinstance(event, WsClosed):
                    self._finish(Ended(event.code, event.reason, event.by_peer), out)
                else:  # ConnectRequested, Rejected
                    out.append(event)
                    if isinstance(event, Rejected):
                        self._finish(Ended(1006, event.reason, True), out)
        except RemoteProtocolError as exc:
            self._tail += exc.reply
            self._finish(Ended(exc.close_code or 1006, str(exc), True), out)
        if self._end is None and self.session.state is SessionState.CLOSED:
            # closed by our own abort (close() before open) without an event
            self._finish(Ended(1006, "closed", False), out)
        return out

    def _finish(self, end: Ended, out: list[Output]) -> None:
        if self._end is not None:
            return
        self._end = end
        rpc = self.rpc
        if rpc is not None and rpc.state is not RpcState.CLOSED:
            error = ConnectionClosed(
                f"connection closed ({end.code} {end.reason})".strip(), end.code, end.reason
            )
            for event in rpc.close():
                if isinstance(event, CallAborted):
                    out.append(Settled(event.unique_id, None, error))
        out.append(end)

    def _rpc_events(self, events: Iterable[Any], now: float, out: list[Output]) -> None:
        for ev in events:
            kind = type(ev)
            if kind is CallReceived or kind is SendReceived:
                out.append(ev)
            elif kind is ResultReceived:
                out.append(Settled(ev.unique_id, ev.message, None))
            elif kind is ErrorReceived:
                out.append(Settled(ev.unique_id, None, ev.to_exception()))
            elif kind is CallTimedOut:
                out.append(
                    Settled(ev.unique_id, None, CallTimeout(ev.unique_id, ev.action, ev.timeout))
                )
            elif kind is InvalidResult:
                out.append(Settled(ev.unique_id, None, ev.error))
            elif kind is CloseRequested:
                with contextlib.suppress(ConnectionClosedError):
                    self.session.close(ev.code, ev.reason[:120], now=now)
            else:  # UnsupportedCall, BadMessage, Late*, Unmatched*, IgnoredMessage, ...
                log.debug("ocpp-j: %r", ev)


def _is_closed(session: WsSession) -> bool:
    return session.state is SessionState.CLOSED


# -- helpers shared by both bindings -----------------------------------------------------------


def handlers_for(
    handlers: HandlersArg, station_id: str, version: Version
) -> Mapping[str, Handler]:
    """The handler mapping of one connection."""
    if handlers is None:
        return {}
    if isinstance(handlers, Mapping):
        return handlers
    return handlers(station_id, version)


def supported_for(handlers: Mapping[str, Handler], version: Version) -> list[str]:
    """The handled actions that exist in ``version`` (the engine's ``supported_actions``:
    a known action without a handler is answered ``NotSupported``)."""
    table = actions_for(version)
    return [action for action in handlers if action in table]


async def invoke(
    handler: Handler | None, message: Any, ctx: CallContext
) -> tuple[Any, BaseException | None]:
    """Run a handler; ``(response, None)`` or ``(None, exception)``. Cancellation propagates."""
    if handler is None:  # pragma: no cover - the engine answers unsupported actions itself
        return None, NotImplementedError(ctx.action)
    try:
        return await handler(message, ctx), None
    except Exception as exc:
        if not isinstance(exc, CallError | NotImplementedError):
            log.exception("handler of %s (%s) failed", ctx.action, ctx.station_id)
        return None, exc


def is_upgrade(head: bytes) -> bool:
    """Whether a request head (or its first bytes) asks for a WebSocket upgrade: a header field
    ``Upgrade`` naming ``websocket`` (RFC 6455 section 4.1). An incomplete head counts as one,
    so that the WebSocket session answers it (408 / 431)."""
    end = head.find(HEAD_END)
    if end < 0:
        return True
    for line in head[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"upgrade" and b"websocket" in value.lower():
            return True
    return False


def request_path(head: bytes) -> bytes:
    """The request target of a request head (``b""`` if unreadable)."""
    parts = head.split(b"\r\n", 1)[0].split(b" ")
    return parts[1] if len(parts) == 3 else b""


def profile_for(
    ssl: _ssl.SSLContext | None, security_profile: int | None, *, server: bool,
    basic_auth: bool = False,
) -> SecurityProfile:
    """The security profile of a listener or station: explicit, else inferred. Without TLS: 1
    when a password is used, else none. CSMS with TLS: 3 when the context requires a client
    certificate, else 2. Station with TLS: 2 with a password, else 3."""
    if security_profile is not None:
        return SecurityProfile(security_profile)
    if ssl is None:
        return SecurityProfile.BASIC_AUTH if basic_auth else SecurityProfile.NONE
    if server:
        if ssl.verify_mode == _ssl.CERT_REQUIRED:
            return SecurityProfile.TLS_CLIENT_CERT
        return SecurityProfile.TLS_BASIC_AUTH
    return SecurityProfile.TLS_BASIC_AUTH if basic_auth else SecurityProfile.TLS_CLIENT_CERT


def not_upgrade_response(head: bytes, path: str | None) -> bytes:
    """The answer of the front door without an OCPP-S hook: 404 for a path outside the
    endpoint, else 426 naming ``websocket`` (RFC 9110 section 15.5.22)."""
    target = request_path(head).decode("latin-1")
    if path is not None and not target.startswith(path.rstrip("/") + "/"):
        return http_response(404)
    return http_response(
        426, ((b"upgrade", b"websocket"), (b"sec-websocket-version", b"13")),
        b"OCPP-J: WebSocket upgrade required\n",
    )


class JsonConnectionLike(Protocol):
    """What :class:`StationConnection` needs of a binding's OCPP-J connection."""

    station_id: str

    @property
    def is_open(self) -> bool: ...

    async def call(self, message: Any, timeout: float | None = None) -> Any: ...

    async def send(self, message: Any) -> None: ...

    async def aclose(self, code: int = 1000, reason: str = "") -> None: ...


class StationConnection:
    """A connected station as the CSMS sees it."""

    def __init__(self, conn: JsonConnectionLike, version: Version, remote_address: Any) -> None:
        self._conn = conn
        self.station_id = conn.station_id
        self.version = version
        self.transport = "json"
        self.remote_address = remote_address

    @property
    def is_open(self) -> bool:
        """Calls can be made."""
        return self._conn.is_open

    async def call(self, message: Any, timeout: float | None = None) -> Any:
        """Send a CALL to the station; returns its typed response."""
        return await self._conn.call(message, timeout)

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND to the station."""
        await self._conn.send(message)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close gracefully (in-flight calls first)."""
        await self._conn.aclose(code, reason)

    def __repr__(self) -> str:
        return f"<StationConnection {self.station_id!r} {self.version} {self.transport}>"
