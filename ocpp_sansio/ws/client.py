"""Charging Station side of an OCPP-J connection: :class:`ClientSession`.

The session writes the upgrade request at creation (read it with
:meth:`~ClientSession.data_to_send`): the connection URL is the endpoint plus '/' plus the
percent-encoded identity (OCPP-J 1.6 section 3.1.1, 2.0.1 Part 4 section 3.1.1), the configured
versions are offered in order in Sec-WebSocket-Protocol (section 3.1.2), HTTP Basic credentials
are sent with the identity as user name when a password is configured (1.6 Security Whitepaper
and 2.0.1 Part 2 A00.FR.202-204), and permessage-deflate is offered when enabled.

The response is checked as RFC 6455 section 4.1 asks (accept token, Upgrade / Connection
headers, only offered subprotocols and extensions); a 101 without any subprotocol is the CSMS's
refusal (OCPP-J section 3.2) and reported as :class:`~ocpp_sansio.ws.events.Rejected`, as is any
non-101 response. Reconnect with :meth:`ClientConfig.pinned
<ocpp_sansio.ws.config.ClientConfig.pinned>` to keep the negotiated version.
"""

import base64
import http

import h11
from wsproto.connection import Connection, ConnectionType
from wsproto.handshake import client_extensions_handshake
from wsproto.utilities import RemoteProtocolError as WsprotoRemoteError

from ..version import Version
from .config import ClientConfig, Headers
from .deflate import BoundedPerMessageDeflate
from .errors import LocalProtocolError
from .events import Rejected
from .handshake import (
    Endpoint,
    accept_token,
    basic_authorization,
    connection_target,
    header_tokens,
    parse_endpoint,
)
from .session import SessionState, WsSession

__all__ = ["ClientSession"]


class ClientSession(WsSession):
    """A station's connection to its CSMS.

    ``key`` is the 16 random bytes of ``Sec-WebSocket-Key`` (RFC 6455 section 4.1: "randomly
    selected"); the caller supplies them (``os.urandom(16)``) so that nothing random happens here.
    The transport (TCP, or TLS for ``wss``, see :attr:`endpoint`) must be connected before the
    first :meth:`data_to_send`.
    """

    def __init__(self, config: ClientConfig, *, now: float, key: bytes) -> None:
        super().__init__(limits=config.limits, keepalive=config.keepalive, now=now)
        if len(key) != 16:
            raise LocalProtocolError("Sec-WebSocket-Key needs exactly 16 random bytes")
        self._config = config
        self._endpoint = parse_endpoint(config.url)
        self._target = connection_target(self._endpoint, config.identity)
        self._key = base64.b64encode(key)
        self._deflate = (
            BoundedPerMessageDeflate(
                config.limits.max_message_size,
                no_context_takeover=config.compression.no_context_takeover,
            )
            if config.compression.enabled
            else None
        )
        self._h11: h11.Connection | None = h11.Connection(
            h11.CLIENT, max_incomplete_event_size=config.limits.max_handshake_size
        )
        self._response: tuple[int, Headers] | None = None
        self._body = bytearray()
        self._out += self._request_bytes()

    @property
    def config(self) -> ClientConfig:
        """The station's connection settings."""
        return self._config

    @property
    def endpoint(self) -> Endpoint:
        """Where to connect: host, port, and whether TLS is needed (``wss``)."""
        return self._endpoint

    @property
    def target(self) -> str:
        """The request target (path of the connection URL)."""
        return self._target

    def _request_bytes(self) -> bytes:
        config = self._config
        assert self._h11 is not None
        headers: list[tuple[bytes, bytes]] = [
            (b"host", self._endpoint.host_header.encode("idna")),
            (b"upgrade", b"websocket"),
            (b"connection", b"Upgrade"),
            (b"sec-websocket-key", self._key),
            (b"sec-websocket-version", b"13"),
            (
                b"sec-websocket-protocol",
                ", ".join(v.subprotocol for v in config.versions).encode("ascii"),
            ),
        ]
        if self._deflate is not None:
            offer = self._deflate.offer()
            assert isinstance(offer, str)
            headers.append((b"sec-websocket-extensions", f"permessage-deflate; {offer}".encode()))
        if config.password is not None:
            headers.append(
                (b"authorization", basic_authorization(config.identity, config.password))
            )
        headers.extend(config.headers)
        out = self._h11.send(
            h11.Request(method=b"GET", target=self._target.encode("ascii"), headers=headers)
        )
        out = (out or b"") + (self._h11.send(h11.EndOfMessage()) or b"")
        return out

    # -- reading the response ------------------------------------------------------------------

    def _handshake_timed_out(self) -> None:
        timeout = self._config.limits.handshake_timeout
        self._h11 = None
        self._fail(f"no handshake response within {timeout:g} s")

    def _eof_during_handshake(self) -> None:
        if self._response is not None:
            self._rejected()
            return
        super()._eof_during_handshake()

    def _rejected(self, status: int | None = None, headers: Headers = (), reason: str = "") -> None:
        if status is None:
            assert self._response is not None
            status, headers = self._response
        if not reason:
            try:
                reason = f"HTTP {status} {http.HTTPStatus(status).phrase}"
            except ValueError:
                reason = f"HTTP {status}"
        self._h11 = None
        self._state = SessionState.CLOSED
        self._events.append(
            Rejected(status_code=status, headers=headers, body=bytes(self._body), reason=reason)
        )

    def _receive_handshake(self, data: bytes, now: float) -> None:
        assert self._h11 is not None
        limit = self._config.limits.max_handshake_size
        self._h11.receive_data(data)
        while True:
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as exc:
                self._h11 = None
                self._fail(f"malformed HTTP response: {exc}")
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.InformationalResponse):
                if event.status_code != 101:
                    self._h11 = None
                    self._fail(f"unexpected interim response {event.status_code}")
                    return
                self._established(tuple((bytes(k), bytes(v)) for k, v in event.headers), now)
                return
            if isinstance(event, h11.Response):
                headers = tuple((bytes(k), bytes(v)) for k, v in event.headers)
                self._response = (event.status_code, headers)
            elif isinstance(event, h11.Data):
                self._body += event.data[: max(0, limit - len(self._body))]
                if len(self._body) >= limit:
                    self._rejected()  # enough to report; the rest is not read
                    return
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                self._rejected()
                return

    def _established(self, headers: Headers, now: float) -> None:
        assert self._h11 is not None
        trailing = self._h11.trailing_data[0]
        self._h11 = None
        # RFC 6455 section 4.1, the client's checks of the server's handshake
        if "websocket" not in header_tokens(headers, b"upgrade"):
            self._fail("101 response without 'Upgrade: websocket'")
            return
        if "upgrade" not in header_tokens(headers, b"connection"):
            self._fail("101 response without 'Connection: Upgrade'")
            return
        accepts = [v for k, v in headers if k == b"sec-websocket-accept"]
        if accepts != [accept_token(self._key)]:
            self._fail("wrong Sec-WebSocket-Accept")
            return
        protocols = [v for k, v in headers if k == b"sec-websocket-protocol"]
        if not protocols:
            self._rejected(
                101,
                headers,
                "the CSMS accepted none of the offered OCPP versions "
                "(OCPP-J 1.6 section 3.2, 2.0.1 Part 4 section 3.2)",
            )
            return
        subprotocol = protocols[0].decode("latin-1").strip()
        offered = [v.subprotocol for v in self._config.versions]
        if len(protocols) > 1 or subprotocol not in offered:
            self._fail(f"the CSMS chose a subprotocol that was not offered: {protocols!r}")
            return
        accepted = [
            e.strip()
            for k, v in headers
            if k == b"sec-websocket-extensions"
            for e in v.decode("latin-1").split(",")
            if e.strip()
        ]
        try:
            extensions = client_extensions_handshake(
                accepted, [self._deflate] if self._deflate is not None else []
            )
        except (WsprotoRemoteError, ValueError, IndexError) as exc:
            # wsproto's finalize() raises IndexError for a parameter without "=" value
            # (e.g. "client_max_window_bits<15"): a malformed response, not our bug
            self._fail(f"the CSMS accepted an extension that was not offered: {exc}")
            return
        if len(extensions) != len(accepted):
            self._fail("the CSMS accepted an extension twice")
            return
        conn = Connection(ConnectionType.CLIENT, list(extensions))
        self._open(
            conn,
            early=trailing,
            version=Version.from_subprotocol(subprotocol),
            subprotocol=subprotocol,
            compression=bool(extensions),
            now=now,
        )
