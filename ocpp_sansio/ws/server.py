"""CSMS side of an OCPP-J connection: :class:`ServerSession`.

The opening handshake, in order (each refusal raises
:class:`~ocpp_sansio.ws.errors.RemoteProtocolError` from :meth:`~ServerSession.events` with the
HTTP response in ``reply``):

1. the request head is read with h11, bounded by ``Limits.max_handshake_size`` (431) and
   ``Limits.handshake_timeout`` (408, slow-loris);
2. RFC 6455 section 4.2.1 checks (400 / 405 / 426, 431 for too many header fields);
3. the station identity is taken from the path and percent-decoded (404 / 400);
4. HTTP Basic credentials, when sent or required by the security profile: the user name must
   equal the identity (1.6 Security Whitepaper and 2.0.1 Part 2 A00.FR.204 / A00.FR.303) (401);
   profile 3 needs the client certificate the binding passed in (403);
5. the version is negotiated by server preference; without a common one, OCPP-J section 3.2:
   101 without Sec-WebSocket-Protocol, then an immediate Close (1002), or HTTP 400 if so
   configured;
6. OCPP 2.x identity rules (48 characters, no colon) (400);
7. :class:`~ocpp_sansio.ws.events.ConnectRequested` carries the
   :class:`~ocpp_sansio.ws.handshake.AuthRequest`; the application answers with
   :meth:`ServerSession.respond` (:class:`~ocpp_sansio.ws.handshake.Accept` / ``Reject``),
   typically after consulting a :class:`~ocpp_sansio.ws.registry.ConnectionRegistry`.
"""

import h11
from wsproto.connection import Connection, ConnectionType
from wsproto.events import CloseConnection
from wsproto.handshake import server_extensions_handshake

from ..version import Version
from .config import Headers, NoSubprotocolAction, SecurityProfile, ServerConfig
from .deflate import BoundedPerMessageDeflate
from .errors import ConnectionClosedError, LocalProtocolError
from .events import ConnectRequested
from .handshake import (
    Accept,
    AuthRequest,
    Reject,
    RequestRefused,
    UpgradeRequest,
    accept_token,
    http_response,
    identity_from_target,
    identity_problem,
    negotiate,
    parse_basic_auth,
    parse_upgrade_request,
)
from .session import SessionState, WsSession
from .tls import PeerCertificate

__all__ = ["ServerSession"]


class ServerSession(WsSession):
    """One station's connection to the CSMS, from the first byte of its upgrade request.

    ``remote_address`` and ``client_certificate`` (see :func:`~ocpp_sansio.ws.tls.peer_certificate`)
    come from the binding's transport and are handed to the application in the
    :class:`~ocpp_sansio.ws.handshake.AuthRequest`.
    """

    def __init__(
        self,
        config: ServerConfig,
        *,
        now: float,
        remote_address: tuple[str, int] | None = None,
        client_certificate: PeerCertificate | None = None,
    ) -> None:
        super().__init__(limits=config.limits, keepalive=config.keepalive, now=now)
        self._config = config
        self._remote_address = remote_address
        self._client_certificate = client_certificate
        self._h11: h11.Connection | None = h11.Connection(
            h11.SERVER, max_incomplete_event_size=config.limits.max_handshake_size
        )
        self._received = 0
        self._upgrade: UpgradeRequest | None = None
        self._auth: AuthRequest | None = None
        self._pending = bytearray()

    @property
    def config(self) -> ServerConfig:
        """The listener's settings."""
        return self._config

    @property
    def auth_request(self) -> AuthRequest | None:
        """The request the application is (or was) asked to decide on."""
        return self._auth

    @property
    def identity(self) -> str | None:
        """The station identity, once the request was read."""
        return None if self._auth is None else self._auth.identity

    # -- the application's answer --------------------------------------------------------------

    def respond(self, decision: Accept | Reject, now: float) -> None:
        """Answer the :class:`~ocpp_sansio.ws.events.ConnectRequested` event.

        ``Accept`` sends the 101 response (with the negotiated or the chosen version and
        permessage-deflate when offered and enabled) and opens the connection; ``Reject``
        sends the HTTP refusal and closes the session.
        """
        if self._state is SessionState.CLOSED:
            raise ConnectionClosedError("the station went away before the answer")
        if self._state is not SessionState.AUTHORIZING:
            raise LocalProtocolError("no connection request is waiting for an answer")
        assert self._upgrade is not None and self._auth is not None and self._h11 is not None
        if isinstance(decision, Reject):
            self._out += http_response(decision.status, decision.headers, decision.body)
            self._state = SessionState.CLOSED
            self._h11 = None
            return
        version = decision.version or self._auth.version
        offered = self._upgrade.subprotocols
        if offered is None:
            subprotocol = None  # the station offered nothing; never name one it did not offer
        elif version.subprotocol in offered:
            subprotocol = version.subprotocol
        else:
            raise LocalProtocolError(f"{version.subprotocol} was not offered by the station")
        self._accept(version, subprotocol, decision.headers, now)

    def _accept(
        self, version: Version, subprotocol: str | None, extra: Headers, now: float
    ) -> None:
        assert self._upgrade is not None and self._h11 is not None
        headers: list[tuple[bytes, bytes]] = [
            (b"upgrade", b"websocket"),
            (b"connection", b"Upgrade"),
            (b"sec-websocket-accept", accept_token(self._upgrade.key)),
        ]
        if subprotocol is not None:
            headers.append((b"sec-websocket-protocol", subprotocol.encode("ascii")))
        extensions = []
        compression = self._config.compression
        offer = next(
            (
                e
                for e in self._upgrade.extensions
                if e.split(";", 1)[0].strip() == "permessage-deflate"
            ),
            None,
        )
        if compression.enabled and offer is not None:
            deflate = BoundedPerMessageDeflate(
                self._config.limits.max_message_size,
                no_context_takeover=compression.no_context_takeover,
            )
            try:
                accepted = server_extensions_handshake([offer], [deflate])
            except ValueError:  # malformed parameters: decline the extension
                accepted = None
            if accepted is not None and deflate.enabled():
                headers.append((b"sec-websocket-extensions", accepted))
                extensions.append(deflate)
        headers.extend(extra)
        response = h11.InformationalResponse(
            status_code=101, headers=headers, reason=b"Switching Protocols"
        )
        self._out += self._h11.send(response) or b""
        self._h11 = None
        conn = Connection(ConnectionType.SERVER, list(extensions))
        early = bytes(self._pending)
        self._pending.clear()
        self._open(
            conn,
            early=early,
            version=version,
            subprotocol=subprotocol,
            compression=bool(extensions),
            now=now,
        )

    # -- reading the request -------------------------------------------------------------------

    def _refuse(self, status: int, message: str, headers: Headers = ()) -> None:
        self._h11 = None
        self._fail(
            message,
            status_code=status,
            reply=http_response(status, headers, message.encode("utf-8")),
        )

    def _handshake_timed_out(self) -> None:
        timeout = self._config.limits.handshake_timeout
        self._refuse(408, f"upgrade request not complete within {timeout:g} s")

    def _receive_handshake(self, data: bytes, now: float) -> None:
        limits = self._config.limits
        if self._state is SessionState.AUTHORIZING:
            # RFC 6455 section 4.1: the client waits for the response before sending frames;
            # keep what arrives early, within bounds.
            self._pending += data
            if len(self._pending) > limits.max_handshake_size:
                self._refuse(400, "too much data sent before the handshake response")
            return
        assert self._h11 is not None
        self._received += len(data)
        self._h11.receive_data(data)
        try:
            request = self._read_request()
        except h11.RemoteProtocolError as exc:
            self._refuse(exc.error_status_hint, f"malformed HTTP request: {exc}")
            return
        except RequestRefused as exc:
            self._refuse(exc.status, str(exc), exc.headers)
            return
        if request is None:
            return  # h11 refuses (431) an incomplete head beyond max_handshake_size
        trailing = self._h11.trailing_data[0]
        if self._received - len(trailing) > limits.max_handshake_size:
            self._refuse(431, f"request head larger than {limits.max_handshake_size} bytes")
            return
        self._pending += trailing
        try:
            self._check(request)
        except RequestRefused as exc:
            self._refuse(exc.status, str(exc), exc.headers)

    def _read_request(self) -> UpgradeRequest | None:
        """The checked upgrade request once its head is complete, else ``None``."""
        assert self._h11 is not None
        upgrade: UpgradeRequest | None = None
        while True:
            event = self._h11.next_event()
            if event is h11.NEED_DATA:
                return None
            if isinstance(event, h11.Request):
                upgrade = parse_upgrade_request(event, self._config.limits)
            elif isinstance(event, h11.EndOfMessage) or event is h11.PAUSED:
                assert upgrade is not None
                return upgrade
            else:  # pragma: no cover - no body is accepted, so no Data event
                raise RequestRefused(400, "unexpected request content")

    def _check(self, upgrade: UpgradeRequest) -> None:
        config = self._config
        self._upgrade = upgrade
        identity = identity_from_target(upgrade.target, config.path)

        password: bytes | None = None
        if upgrade.authorization is not None:
            try:
                user, password = parse_basic_auth(upgrade.authorization)
            except ValueError as exc:
                raise RequestRefused(401, str(exc)) from None
            if user != identity:
                # A00.FR.204 / A00.FR.303: "The username SHALL be equal to the Charge Point
                # identity, which is the identifying string ... in the OCPP-J connection URL."
                raise RequestRefused(401, "the Basic auth user name is not the station identity")
        elif config.security_profile.uses_basic_auth:
            # A00.FR.203 / A00.FR.302: credentials "with every connection request"
            raise RequestRefused(401, "HTTP Basic credentials are required")
        if (
            config.security_profile is SecurityProfile.TLS_CLIENT_CERT
            and self._client_certificate is None
        ):
            # A00.FR.401 / A00.FR.407
            raise RequestRefused(403, "a verified client certificate is required")

        offered = upgrade.subprotocols
        version = config.assume_version if offered is None else negotiate(offered, config.versions)
        if version is None:
            self._no_common_subprotocol(offered)
            return
        if config.strict_identity:
            problem = identity_problem(version, identity)
            if problem is not None:
                raise RequestRefused(400, problem)

        self._auth = AuthRequest(
            identity=identity,
            password=password,
            version=version,
            offered=offered,
            target=upgrade.target,
            host=upgrade.host,
            headers=upgrade.headers,
            client_certificate=self._client_certificate,
            remote_address=self._remote_address,
        )
        self._state = SessionState.AUTHORIZING
        self._handshake_deadline = None
        self._events.append(ConnectRequested(request=self._auth))

    def _no_common_subprotocol(self, offered: tuple[str, ...] | None) -> None:
        wanted = ", ".join(v.subprotocol for v in self._config.versions)
        message = f"no common OCPP version (offered: {', '.join(offered or ()) or 'none'}; "
        message += f"accepted: {wanted})"
        if self._config.no_subprotocol is NoSubprotocolAction.HTTP_400:
            raise RequestRefused(400, message)
        # OCPP-J 1.6 section 3.2 / 2.0.1 Part 4 section 3.2: "complete the WebSocket handshake
        # with a response without a Sec-WebSocket-Protocol header and then immediately close
        # the WebSocket connection".
        assert self._upgrade is not None and self._h11 is not None
        response = h11.InformationalResponse(
            status_code=101,
            headers=[
                (b"upgrade", b"websocket"),
                (b"connection", b"Upgrade"),
                (b"sec-websocket-accept", accept_token(self._upgrade.key)),
            ],
            reason=b"Switching Protocols",
        )
        reply = self._h11.send(response) or b""
        self._h11 = None
        conn = Connection(ConnectionType.SERVER)
        reply += conn.send(CloseConnection(code=1002, reason="no common OCPP version"))
        self._fail(message, status_code=101, close_code=1002, reply=reply)
