"""The OCPP-J opening handshake as pure rules and values (no state, no I/O).

Client side: :func:`parse_endpoint`, :func:`connection_target` (OCPP-J 1.6 section 3.1.1 /
2.0.1 Part 4 section 3.1.1: the endpoint path, then '/', then the percent-encoded identity) and
:func:`basic_authorization`.

Server side: :func:`parse_upgrade_request` (RFC 6455 section 4.2.1 checks),
:func:`identity_from_target` (percent-decoding the last path segment), :func:`negotiate`
(server preference, OCPP-J section 3.2), :func:`parse_basic_auth` (RFC 7617; the password
stays bytes because a 1.6 ``AuthorizationKey`` is binary), the :class:`AuthRequest` handed to
the application and its :class:`Accept` / :class:`Reject` answer, and :func:`http_response`
for refusals.

Refusals raise :class:`RequestRefused` carrying the HTTP status to answer with.
"""

import base64
import binascii
import http
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import attrs
import h11
from wsproto.utilities import generate_accept_token

from ..version import Version
from .config import Headers, Limits, to_headers
from .tls import PeerCertificate

__all__ = [
    "Accept",
    "AuthRequest",
    "Endpoint",
    "Reject",
    "RequestRefused",
    "UpgradeRequest",
    "accept_token",
    "basic_authorization",
    "connection_target",
    "header_tokens",
    "http_response",
    "identity_from_target",
    "identity_problem",
    "negotiate",
    "parse_basic_auth",
    "parse_endpoint",
    "parse_upgrade_request",
    "password_problem",
]

#: OCPP 2.0.1 Part 4 section 3.1.1: "The maximum length of the Charging Station identity is: 48"
MAX_IDENTITY_LENGTH_2X = 48
_V2 = (Version.V201, Version.V21)


class RequestRefused(ValueError):
    """The upgrade request cannot be accepted; answer with HTTP :attr:`status`."""

    def __init__(self, status: int, message: str, headers: Headers = ()) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers


# -- client side ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Endpoint:
    """A parsed OCPP-J endpoint URL."""

    secure: bool  #: ``wss``: the transport must be TLS
    host: str  #: host name or address (IPv6 without brackets), also the TLS server name
    port: int
    path: str  #: the endpoint path, without a trailing '/'
    query: str

    @property
    def host_header(self) -> str:
        """The Host header value (RFC 7230 section 5.4): the port only when not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.secure else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse_endpoint(url: str) -> Endpoint:
    """Split a ``ws://`` / ``wss://`` OCPP-J endpoint URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"not a ws:// or wss:// URL: {url!r}")
    secure = parts.scheme == "wss"
    return Endpoint(
        secure=secure,
        host=parts.hostname,
        port=parts.port or (443 if secure else 80),
        path=parts.path.rstrip("/"),
        query=parts.query,
    )


def encode_identity(identity: str) -> str:
    """The identity percent-encoded as one path segment (RFC 3986 section 2.1): every character
    but the unreserved ones (letters, digits, ``-._~``) as UTF-8 ``%XX`` octets, so that the
    segment never contains '/' and decodes back to exactly ``identity``."""
    return quote(identity, safe="", encoding="utf-8", errors="strict")


def connection_target(endpoint: Endpoint, identity: str) -> str:
    """The request target of the connection URL: "the Charging Station modifies the OCPP-J
    endpoint URL by appending to the path first a '/' (U+002F SOLIDUS) and then a string
    uniquely identifying the Charging Station ... percent-encoded as necessary" (OCPP-J 1.6
    section 3.1.1, 2.0.1 Part 4 section 3.1.1). A trailing '/' of the endpoint is not doubled."""
    target = f"{endpoint.path}/{encode_identity(identity)}"
    return f"{target}?{endpoint.query}" if endpoint.query else target


def basic_authorization(username: str, password: bytes) -> bytes:
    """An ``Authorization`` header value for HTTP Basic (RFC 7617), the password as raw bytes.

    OCPP-J 1.6 section 6.2.2 example: ``basic_authorization("AL1000",
    bytes.fromhex("0001020304050607FFFFFFFFFFFFFFFFFFFFFFFF"))`` is
    ``b"Basic QUwxMDAwOgABAgMEBQYH////////////////"``.
    """
    if ":" in username:
        raise ValueError("a Basic auth user name cannot contain ':' (RFC 7617 section 2)")
    return b"Basic " + base64.b64encode(username.encode("utf-8") + b":" + password)


# -- server side ------------------------------------------------------------------------------


def header_tokens(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> list[str]:
    """The comma-separated tokens of every ``name`` header, stripped and lower-cased."""
    out: list[str] = []
    for key, value in headers:
        if key == name:
            out.extend(t.strip().lower() for t in value.decode("latin-1").split(","))
    return [t for t in out if t]


def _values(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> list[bytes]:
    return [v for k, v in headers if k == name]


def _split(values: Iterable[bytes]) -> tuple[str, ...]:
    """The comma-separated elements of header values, case kept (subprotocol names and
    extension offers are case-sensitive tokens, RFC 6455 sections 4.1 and 9.1)."""
    return tuple(t.strip() for v in values for t in v.decode("latin-1").split(",") if t.strip())


def accept_token(key: bytes) -> bytes:
    """``Sec-WebSocket-Accept`` for a ``Sec-WebSocket-Key`` (RFC 6455 section 4.2.2)."""
    return generate_accept_token(key)


@attrs.frozen(kw_only=True)
class UpgradeRequest:
    """A WebSocket upgrade request that passed the RFC 6455 section 4.2.1 checks."""

    target: str
    host: str
    key: bytes
    #: offered subprotocols in the client's order; ``None`` when the header is absent
    subprotocols: tuple[str, ...] | None
    #: permessage-deflate and other extension offers, as sent
    extensions: tuple[str, ...]
    #: the Authorization header value, if one was sent
    authorization: bytes | None
    #: every header field except Authorization (names lower-case)
    headers: Headers


def parse_upgrade_request(request: h11.Request, limits: Limits) -> UpgradeRequest:
    """Check an opening handshake request (RFC 6455 section 4.2.1); :class:`RequestRefused`
    with 405 (not GET), 426 (other WebSocket version, section 4.4), 431 (too many header
    fields) or 400 (anything else malformed)."""
    headers = tuple((bytes(k), bytes(v)) for k, v in request.headers)
    if len(headers) > limits.max_headers:
        raise RequestRefused(431, f"more than {limits.max_headers} header fields")
    if request.method != b"GET":
        raise RequestRefused(405, "the opening handshake must be a GET", ((b"allow", b"GET"),))
    if request.http_version != b"1.1":
        raise RequestRefused(400, "the opening handshake needs HTTP/1.1")
    if "websocket" not in header_tokens(headers, b"upgrade"):
        raise RequestRefused(400, "missing 'Upgrade: websocket'")
    if "upgrade" not in header_tokens(headers, b"connection"):
        raise RequestRefused(400, "missing 'Connection: Upgrade'")
    versions = _values(headers, b"sec-websocket-version")
    if versions != [b"13"]:
        raise RequestRefused(
            426 if versions else 400,
            "Sec-WebSocket-Version must be 13",
            ((b"sec-websocket-version", b"13"),),
        )
    keys = _values(headers, b"sec-websocket-key")
    try:
        if len(keys) != 1 or len(base64.b64decode(keys[0], validate=True)) != 16:
            raise ValueError
    except (ValueError, binascii.Error):
        raise RequestRefused(400, "Sec-WebSocket-Key must be 16 bytes in base64") from None
    hosts = _values(headers, b"host")
    if len(hosts) != 1 or not hosts[0]:
        raise RequestRefused(400, "exactly one Host header is required")
    if _values(headers, b"transfer-encoding") or any(
        v.strip() != b"0" for v in _values(headers, b"content-length")
    ):
        raise RequestRefused(400, "the opening handshake must not have a body")
    auth = _values(headers, b"authorization")
    if len(auth) > 1:
        raise RequestRefused(400, "more than one Authorization header")
    protocol_fields = _values(headers, b"sec-websocket-protocol")
    offered = _split(protocol_fields) if protocol_fields else None
    extensions = _split(_values(headers, b"sec-websocket-extensions"))
    return UpgradeRequest(
        target=request.target.decode("ascii"),
        host=hosts[0].decode("latin-1"),
        key=keys[0],
        subprotocols=offered,
        extensions=extensions,
        authorization=auth[0] if auth else None,
        headers=tuple((k, v) for k, v in headers if k != b"authorization"),
    )


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def identity_from_target(target: str, endpoint_path: str | None = None) -> str:
    """The decoded station identity of a request target.

    The identity is the last path segment (OCPP-J section 3.1.1), percent-decoded as UTF-8:
    ``"/ocpp/CS%2F01"`` gives ``"CS/01"``, ``"/ocpp/RDAM%20123"`` gives ``"RDAM 123"``. With
    ``endpoint_path``, the path must be exactly that path plus one segment. The query is ignored.

    404 when the path does not name a station (another endpoint, no segment); 400 when the
    segment is malformed (bad escape, not UTF-8, control characters).
    """
    if not target.startswith("/"):
        # absolute-form (RFC 7230 section 5.3.2): keep the path; nothing else names a resource
        parts = urlsplit(target)
        if not parts.scheme or not parts.netloc:
            raise RequestRefused(400, f"unusable request target {target!r}")
        target = parts.path or "/"
    path = target.split("?", 1)[0].split("#", 1)[0]
    if endpoint_path is not None:
        prefix = endpoint_path.rstrip("/") + "/"
        if not path.startswith(prefix) or "/" in path[len(prefix) :]:
            raise RequestRefused(404, f"{path!r} is not a station URL of {endpoint_path!r}")
        raw = path[len(prefix) :]
    else:
        raw = path.rsplit("/", 1)[-1]
    if not raw:
        raise RequestRefused(404, f"no station identity in {path!r}")
    if _BAD_ESCAPE.search(raw):
        raise RequestRefused(400, "malformed percent-encoding in the station identity")
    try:
        identity = unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise RequestRefused(400, "the station identity is not UTF-8") from None
    if _CONTROL.search(identity):
        raise RequestRefused(400, "control characters in the station identity")
    return identity


def identity_problem(version: Version, identity: str) -> str | None:
    """Why ``identity`` breaks the identity rules of ``version``, or ``None``.

    OCPP 2.0.1 Part 4 section 3.1.1 (also 2.1): at most 48 characters, and no ':' ("the
    unique identifier is also used for the basic authentication username"). OCPP 1.5 and 1.6
    set no limit.
    """
    if version in _V2:
        if len(identity) > MAX_IDENTITY_LENGTH_2X:
            return f"identity longer than {MAX_IDENTITY_LENGTH_2X} characters"
        if ":" in identity:
            return "identity contains ':'"
    return None


def negotiate(offered: Sequence[str], preference: Sequence[Version]) -> Version | None:
    """The first version of the server's ``preference`` that the client ``offered``."""
    names = set(offered)
    return next((v for v in preference if v.subprotocol in names), None)


def parse_basic_auth(value: bytes) -> tuple[str, bytes]:
    """``(user name, password bytes)`` of a Basic ``Authorization`` value (RFC 7617).

    The scheme is case-insensitive; the credentials must be strict base64 of
    ``user ":" password``, the user name UTF-8 without ':'. The password is returned as raw
    bytes, whatever they are. ``ValueError`` otherwise.
    """
    scheme, _, token = value.strip().partition(b" ")
    if scheme.lower() != b"basic" or not token.strip():
        raise ValueError("not HTTP Basic credentials")
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except binascii.Error:
        raise ValueError("Basic credentials are not base64") from None
    user, colon, password = decoded.partition(b":")
    if not colon:
        raise ValueError("Basic credentials have no ':'")
    try:
        return user.decode("utf-8"), password
    except UnicodeDecodeError:
        raise ValueError("Basic user name is not UTF-8") from None


def password_problem(version: Version, password: bytes) -> str | None:
    """Why ``password`` breaks the length rules of ``version``, or ``None``.

    1.6 Security Whitepaper A00.FR.205: ``AuthorizationKey`` at least 16 bytes, at most 20
    (binary, configured as up to 40 hex digits); 1.5 uses the same. OCPP 2.0.1 / 2.1
    ``BasicAuthPassword``: a UTF-8 string of 16 to 40 characters.
    """
    if version in _V2:
        try:
            length = len(password.decode("utf-8"))
        except UnicodeDecodeError:
            return "password is not UTF-8"
        if not 16 <= length <= 40:
            return f"password has {length} characters, not 16 to 40"
    elif not 16 <= len(password) <= 20:
        return f"password has {len(password)} bytes, not 16 to 20"
    return None


@attrs.frozen(kw_only=True)
class AuthRequest:
    """What the application gets to decide on a station's connection (CSMS side).

    The session already checked the handshake, decoded the identity, negotiated the version and,
    when credentials were sent, that the Basic user name equals the identity (A00.FR.204). The
    application checks the password and/or certificate and answers :class:`Accept` or
    :class:`Reject`. OCPP-J section 3.1.1 recommends not relying on the URL identity alone.
    """

    identity: str
    #: the Basic auth password as sent, raw bytes (``None``: no credentials)
    password: bytes | None
    #: the negotiated version (server preference among the offered ones)
    version: Version
    #: the subprotocols offered, client order (``None``: no Sec-WebSocket-Protocol header)
    offered: tuple[str, ...] | None
    target: str
    host: str
    #: request header fields except Authorization, names lower-case
    headers: Headers
    #: the verified TLS client certificate (profile 3), as the binding passed it
    client_certificate: PeerCertificate | None
    remote_address: tuple[str, int] | None

    def header(self, name: str) -> bytes | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        key = name.lower().encode("ascii")
        return next((v for k, v in self.headers if k == key), None)

    @property
    def password_problem(self) -> str | None:
        """Why the password breaks the length rules of the negotiated version (or ``None``)."""
        return None if self.password is None else password_problem(self.version, self.password)


@attrs.frozen(kw_only=True)
class Accept:
    """Accept the connection, with the negotiated version unless ``version`` picks another one
    the station offered; ``headers`` are added to the 101 response."""

    version: Version | None = None
    headers: Headers = attrs.field(default=(), converter=to_headers)


def _status(_inst: Any, _attribute: "attrs.Attribute[Any]", value: int) -> None:
    if not 300 <= value <= 599:
        raise ValueError(f"a refusal needs a 3xx, 4xx or 5xx status, not {value}")


@attrs.frozen(kw_only=True)
class Reject:
    """Refuse the connection with an HTTP status (e.g. 401 bad credentials, 404 unknown
    station per OCPP-J section 3.2, 409 duplicate connection). A 401 gets a
    ``WWW-Authenticate: Basic`` challenge unless ``headers`` has one (RFC 7235 section 3.1)."""

    status: int = attrs.field(validator=_status)
    headers: Headers = attrs.field(default=(), converter=to_headers)
    body: bytes = b""


#: the challenge sent with 401 (RFC 7617 section 2)
BASIC_CHALLENGE = (b"www-authenticate", b'Basic realm="OCPP", charset="UTF-8"')


def http_response(status: int, headers: Headers = (), body: bytes = b"") -> bytes:
    """A complete HTTP/1.1 refusal response that closes the connection."""
    if status == 401 and not any(k.lower() == b"www-authenticate" for k, _ in headers):
        headers = (*headers, BASIC_CHALLENGE)
    try:
        phrase = http.HTTPStatus(status).phrase.encode("ascii")
    except ValueError:
        phrase = b""
    conn = h11.Connection(h11.SERVER)
    fields = [
        *((k, v) for k, v in headers if k.lower() not in (b"content-length", b"connection")),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
    ]
    if body and not any(k.lower() == b"content-type" for k, _ in headers):
        fields.append((b"content-type", b"text/plain; charset=utf-8"))
    out = conn.send(h11.Response(status_code=status, headers=fields, reason=phrase)) or b""
    if body:
        out += conn.send(h11.Data(data=body)) or b""
    out += conn.send(h11.EndOfMessage()) or b""
    return out
