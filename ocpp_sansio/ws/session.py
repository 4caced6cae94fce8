"""The sans-IO WebSocket session: bytes in, events out, bytes to send; time passed in.

:class:`WsSession` holds what both ends share once the opening handshake is done: a wsproto
:class:`~wsproto.connection.Connection` for framing, OCPP-J's text-only rule, the message size
limit, ping / pong keep-alive with dead-peer detection and the closing handshake. Its
subclasses :class:`~ocpp_sansio.ws.server.ServerSession` (CSMS) and
:class:`~ocpp_sansio.ws.client.ClientSession` (Charging Station) add the opening handshake.

Driving a session (what a binding does, in a loop)::

    session.receive_data(chunk, now)      # b"" when the transport reached end of file
    # or, when session.next_deadline() passed without data: session.handle_timeout(now)
    try:
        for event in session.events():
            ...                           # Connected, MessageReceived, ConnectionClosed, ...
    except RemoteProtocolError as exc:
        transport.write(exc.reply)        # HTTP error or Close frame; then close the transport
    transport.write(session.data_to_send())
    if session.state is SessionState.CLOSED:
        transport.close()

Received bytes are parsed at once; feed a bounded chunk per call and drain :meth:`events`
after each call, and a session holds at most one partial message (``max_message_size``)
besides that chunk. Frames go through :class:`~ocpp_sansio.ws.fastframe.FrameSplitter` first:
a complete single-frame text message is decoded there, everything else by wsproto. No clock,
socket or randomness is used here, with one exception: wsproto
draws the client's frame masking keys from :func:`os.urandom`, which RFC 6455 section 5.3
requires to be unpredictable.
"""

import enum
from collections import deque
from collections.abc import Iterator

from wsproto.connection import Connection, ConnectionState
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage

from ..version import Version
from .config import KeepAlive, Limits
from .errors import ConnectionClosedError, LocalProtocolError, RemoteProtocolError
from .events import Connected, ConnectionClosed, Event, MessageReceived
from .fastframe import FrameSplitter, text_frame

__all__ = ["SessionState", "WsSession", "sendable_close_code"]


class SessionState(enum.Enum):
    """Where a session is in its life."""

    #: the opening handshake is in progress
    HANDSHAKE = "handshake"
    #: CSMS side: the upgrade request is complete and waits for the application's answer
    AUTHORIZING = "authorizing"
    #: messages flow
    OPEN = "open"
    #: this side sent a Close frame and waits for the peer's
    CLOSING = "closing"
    #: over: close the transport once pending output is written
    CLOSED = "closed"


def sendable_close_code(code: int) -> bool:
    """Whether ``code`` may be sent in a Close frame (RFC 6455 section 7.4; IANA registry):
    not 1004-1006 or 1015 (reserved / local only), not unassigned 1016-2999."""
    return code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014) or (
        3000 <= code <= 4999
    )


class WsSession:
    """Shared machinery of the two ends; create a ``ServerSession`` or ``ClientSession``."""

    def __init__(self, *, limits: Limits, keepalive: KeepAlive, now: float) -> None:
        self._limits = limits
        self._keepalive = keepalive
        self._state = SessionState.HANDSHAKE
        self._out = bytearray()
        # the Pong answering the latest Ping, not yet handed out (RFC 6455 section 5.5.3: a
        # Pong for only the most recent Ping is enough), so that a peer that pings without
        # reading cannot make pongs pile up while the caller's writes are blocked
        self._pong = b""
        self._events: deque[Event] = deque()
        self._failure: RemoteProtocolError | None = None
        self._conn: Connection | None = None
        self._splitter: FrameSplitter | None = None
        # CSMS side without compression: text frames are built here, not by wsproto
        self._fast_send = False
        self._version: Version | None = None
        self._subprotocol: str | None = None
        self._compression = False
        # the message being received
        self._parts: list[str] = []
        self._size = 0
        # timers (absolute times on the caller's clock)
        self._handshake_deadline: float | None = now + limits.handshake_timeout
        self._close_deadline: float | None = None
        self._next_ping: float | None = None
        self._ping_payload: bytes | None = None
        self._ping_sent_at = 0.0
        self._pings = 0
        self._last_rx = now

    # -- state ---------------------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """The session's state."""
        return self._state

    @property
    def version(self) -> Version | None:
        """The OCPP version spoken, once connected."""
        return self._version

    @property
    def subprotocol(self) -> str | None:
        """The negotiated subprotocol (``None`` before connecting, or when assumed)."""
        return self._subprotocol

    @property
    def compression(self) -> bool:
        """Whether permessage-deflate is in use."""
        return self._compression

    # -- I/O -----------------------------------------------------------------------------------

    def receive_data(self, data: bytes, now: float) -> None:
        """Feed bytes received from the transport (``b""``: end of file) at time ``now``.

        Then read :meth:`events` and write :meth:`data_to_send`. Data after the session closed
        is ignored.
        """
        if self._state is SessionState.CLOSED:
            return
        if not data:
            self._eof()
            return
        self._last_rx = now
        if self._conn is None:
            self._receive_handshake(bytes(data), now)
            return
        assert self._splitter is not None
        self._feed(bytes(data))

    def events(self) -> Iterator[Event]:
        """Events produced so far, in order; then raises the peer's protocol error, if any.

        A :class:`~ocpp_sansio.ws.errors.RemoteProtocolError` ends the session: write its
        ``reply`` (pending output included) and close the transport.
        """
        while self._events:
            yield self._events.popleft()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def data_to_send(self) -> bytes:
        """Bytes to write to the transport now (possibly empty); the buffer is emptied."""
        if self._pong:
            self._out += self._pong
            self._pong = b""
        out = bytes(self._out)
        self._out.clear()
        return out

    def send_text(self, text: str) -> None:
        """Queue one text message (an OCPP-J frame) as a single WebSocket text frame."""
        if self._state is not SessionState.OPEN:
            if self._state in (SessionState.CLOSING, SessionState.CLOSED):
                raise ConnectionClosedError("the connection is closing or closed")
            raise LocalProtocolError("the connection is not open yet")
        assert self._conn is not None
        try:
            if self._fast_send:
                self._out += text_frame(text.encode("utf-8"))
            else:
                self._out += self._conn.send(TextMessage(data=text))
        except UnicodeEncodeError as exc:
            raise LocalProtocolError(f"text is not encodable as UTF-8: {exc}") from None

    def close(self, code: int = 1000, reason: str = "", *, now: float) -> None:
        """Start the closing handshake (RFC 6455 section 7.1.2) with ``code`` and ``reason``.

        Before the connection is open this aborts it (state CLOSED, nothing to send: close the
        transport). Closing or closed: nothing happens.
        """
        if not sendable_close_code(code):
            raise LocalProtocolError(f"close code {code} cannot be sent")
        if len(reason.encode("utf-8")) > 123:
            raise LocalProtocolError("a close reason is at most 123 bytes of UTF-8")
        if self._state in (SessionState.HANDSHAKE, SessionState.AUTHORIZING):
            self._state = SessionState.CLOSED
        elif self._state is SessionState.OPEN:
            assert self._conn is not None
            self._out += self._pong
            self._pong = b""
            self._out += self._conn.send(CloseConnection(code=code, reason=reason or None))
            self._state = SessionState.CLOSING
            self._close_deadline = now + self._limits.close_timeout

    # -- time ----------------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When :meth:`handle_timeout` must be called next if no data arrives (``None``: no
        timer is running)."""
        if self._state is SessionState.HANDSHAKE:
            return self._handshake_deadline
        if self._state is SessionState.OPEN:
            if self._ping_payload is not None:
                return max(self._ping_sent_at, self._last_rx) + self._keepalive.timeout
            return self._next_ping
        if self._state is SessionState.CLOSING:
            return self._close_deadline
        return None

    def handle_timeout(self, now: float) -> None:
        """Run the timers due at ``now``: send a keep-alive ping, declare a silent peer dead,
        give up on a slow handshake or closing handshake."""
        if self._state is SessionState.HANDSHAKE:
            if self._handshake_deadline is not None and now >= self._handshake_deadline:
                self._handshake_timed_out()
        elif self._state is SessionState.OPEN:
            assert self._conn is not None
            if self._ping_payload is not None:
                if now >= max(self._ping_sent_at, self._last_rx) + self._keepalive.timeout:
                    self._peer_dead()
            elif self._next_ping is not None and now >= self._next_ping:
                self._pings += 1
                self._ping_payload = str(self._pings).encode("ascii")
                self._ping_sent_at = now
                self._out += self._conn.send(Ping(payload=self._ping_payload))
        elif (
            self._state is SessionState.CLOSING
            and self._close_deadline is not None
            and now >= self._close_deadline
        ):
            self._state = SessionState.CLOSED
            self._events.append(
                ConnectionClosed(code=1006, reason="close handshake timed out", by_peer=False)
            )

    # -- for subclasses ------------------------------------------------------------------------

    def _receive_handshake(self, data: bytes, now: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def _handshake_timed_out(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def _eof_during_handshake(self) -> None:
        self._state = SessionState.CLOSED
        self._events.append(
            ConnectionClosed(
                code=1006, reason="connection closed during the opening handshake", by_peer=True
            )
        )

    def _open(
        self,
        conn: Connection,
        *,
        version: Version,
        subprotocol: str | None,
        compression: bool,
        now: float,
        early: bytes = b"",
    ) -> None:
        """The handshake succeeded: switch to framing; ``early`` holds bytes received after
        the handshake (frames already sent by the peer)."""
        self._conn = conn
        self._splitter = FrameSplitter(
            masked=not conn.client, max_size=self._limits.max_message_size
        )
        # RFC 6455 section 5.3: only the client masks (with a random key: wsproto's job)
        self._fast_send = not conn.client and not compression
        self._state = SessionState.OPEN
        self._version = version
        self._subprotocol = subprotocol
        self._compression = compression
        self._handshake_deadline = None
        if self._keepalive.interval:
            self._next_ping = now + self._keepalive.interval
        self._events.append(
            Connected(version=version, subprotocol=subprotocol, compression=compression)
        )
        if early:
            self._feed(early)

    def _fail(
        self,
        message: str,
        *,
        close_code: int | None = None,
        status_code: int | None = None,
        reply: bytes = b"",
    ) -> None:
        """The peer broke a rule: end the session; :meth:`events` raises after what is queued."""
        out = bytes(self._out) + self._pong + reply
        self._pong = b""
        self._out.clear()
        conn = self._conn
        if (
            close_code is not None
            and conn is not None
            and conn.state in (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING)
        ):
            out += conn.send(CloseConnection(code=close_code, reason=message))
        self._state = SessionState.CLOSED
        self._failure = RemoteProtocolError(
            message, reply=out, status_code=status_code, close_code=close_code
        )

    # -- internals -----------------------------------------------------------------------------

    def _eof(self) -> None:
        if self._state in (SessionState.HANDSHAKE, SessionState.AUTHORIZING):
            self._eof_during_handshake()
            return
        by_peer = self._state is SessionState.OPEN
        self._state = SessionState.CLOSED
        self._events.append(
            ConnectionClosed(
                code=1006,
                reason="connection lost" if by_peer else "connection lost while closing",
                by_peer=by_peer,
            )
        )

    def _peer_dead(self) -> None:
        """Keep-alive failure: "Fail the WebSocket Connection" (RFC 6455 section 7.1.7),
        sending a last Close frame (1011) that a dead peer will likely never read."""
        assert self._conn is not None
        timeout = self._keepalive.timeout
        self._pong = b""
        self._out += self._conn.send(CloseConnection(code=1011, reason="keep-alive timeout"))
        self._state = SessionState.CLOSED
        self._events.append(
            ConnectionClosed(
                code=1006, reason=f"keep-alive: no pong within {timeout:g} s", by_peer=False
            )
        )

    def _feed(self, data: bytes) -> None:
        """Received frame bytes: fast-path texts become messages, the rest goes to wsproto."""
        splitter = self._splitter
        conn = self._conn
        assert splitter is not None and conn is not None
        events = self._events
        for item in splitter.feed(data):
            if self._state is SessionState.CLOSED:
                return
            if type(item) is str:
                if self._state is SessionState.OPEN:
                    events.append(MessageReceived(text=item))
                # else: the peer's data after our Close frame is not delivered
            else:
                assert isinstance(item, bytes)
                conn.receive_data(item)
                self._process()

    def _process(self) -> None:
        """Turn wsproto's events into ours, answering pings and Close frames."""
        conn = self._conn
        assert conn is not None
        for event in conn.events():
            if isinstance(event, TextMessage):
                if self._state is not SessionState.OPEN:
                    continue  # the peer's data after our Close frame is not delivered
                chunk = event.data
                self._size += len(chunk) if chunk.isascii() else len(chunk.encode("utf-8"))
                if self._size > self._limits.max_message_size:
                    self._fail(
                        f"message larger than {self._limits.max_message_size} bytes",
                        close_code=1009,
                    )
                    return
                self._parts.append(chunk)
                if event.message_finished:
                    text = "".join(self._parts)
                    self._parts.clear()
                    self._size = 0
                    self._events.append(MessageReceived(text=text))
            elif isinstance(event, BytesMessage):
                if self._state is SessionState.OPEN:
                    # OCPP-J 1.6 section 4.1.2 / 2.0.1 Part 4 section 4.1.2: messages are
                    # UTF-8 JSON text; RFC 6455 section 7.4.1: 1003 for a data type not accepted
                    self._fail("binary messages are not part of OCPP-J", close_code=1003)
                    return
            elif isinstance(event, Ping):
                if conn.state is ConnectionState.OPEN:
                    # replaces an earlier Pong not handed out yet (section 5.5.3)
                    self._pong = conn.send(event.response())
            elif isinstance(event, Pong):
                if self._ping_payload is not None and event.payload == self._ping_payload:
                    self._ping_payload = None
                    if self._keepalive.interval:
                        self._next_ping = self._ping_sent_at + self._keepalive.interval
            elif isinstance(event, CloseConnection):
                if conn.state in (ConnectionState.REMOTE_CLOSING, ConnectionState.CLOSED):
                    self._peer_closed(event)
                else:
                    # wsproto reports frame-level violations as a CloseConnection without a
                    # state change: invalid UTF-8 (1007), bad framing (1002), 1009 from the
                    # bounded inflater, ...
                    message = (
                        f"message larger than {self._limits.max_message_size} bytes"
                        if event.code == 1009
                        else f"protocol violation: {event.reason}"
                    )
                    self._fail(message, close_code=int(event.code))
                return

    def _peer_closed(self, event: CloseConnection) -> None:
        conn = self._conn
        assert conn is not None
        reason = event.reason or ""
        if self._state is SessionState.OPEN:
            # RFC 6455 section 5.5.1: answer with a Close frame, echoing the code
            self._out += self._pong
            self._pong = b""
            self._out += conn.send(event.response())
            self._state = SessionState.CLOSED
            self._events.append(ConnectionClosed(code=int(event.code), reason=reason, by_peer=True))
        else:
            self._state = SessionState.CLOSED
            self._events.append(
                ConnectionClosed(code=int(event.code), reason=reason, by_peer=False)
            )
