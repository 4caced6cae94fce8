"""Settings of the OCPP-J WebSocket session layer: frozen attrs objects, validated on creation.

- :class:`Limits`: handshake size and time, message size and close time (server hardening).
- :class:`KeepAlive`: WebSocket ping interval and pong timeout (dead-peer detection).
- :class:`Compression`: permessage-deflate (RFC 7692) offer / acceptance.
- :class:`ServerConfig` (CSMS side) and :class:`ClientConfig` (Charging Station side).
- :class:`SecurityProfile`: the OCPP security profiles 1-3 (and none).
"""

import enum
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import attrs

from ..version import Version

__all__ = [
    "ClientConfig",
    "Compression",
    "Headers",
    "KeepAlive",
    "Limits",
    "NoSubprotocolAction",
    "SecurityProfile",
    "ServerConfig",
    "to_headers",
]

#: HTTP header fields as (name, value) byte pairs; names are lower-case when received.
Headers = tuple[tuple[bytes, bytes], ...]


def to_headers(items: Iterable[tuple[str | bytes, str | bytes]]) -> Headers:
    """``items`` as :data:`Headers`: text is encoded as ISO-8859-1, CR and LF are refused."""
    out: list[tuple[bytes, bytes]] = []
    for name, value in items:
        bname = name.encode("ascii") if isinstance(name, str) else bytes(name)
        bvalue = value.encode("latin-1") if isinstance(value, str) else bytes(value)
        bad_name = not bname or any(c in bname for c in b"\r\n:\x00 ")
        if bad_name or b"\r" in bvalue or b"\n" in bvalue:
            raise ValueError(f"invalid header field {name!r}: {value!r}")
        out.append((bname, bvalue))
    return tuple(out)


class SecurityProfile(enum.IntEnum):
    """OCPP security profiles (1.6 Security Whitepaper ed. 3 section 2.1 table 2; 2.0.1 Part 2 A00).

    ``NONE`` is plain OCPP-J without a profile (OCPP 1.6 before the whitepaper, section 6.1 of
    OCPP-J 1.6: network-level security).
    """

    NONE = 0
    #: 1: unsecured transport with HTTP Basic authentication
    BASIC_AUTH = 1
    #: 2: TLS (server certificate) with HTTP Basic authentication
    TLS_BASIC_AUTH = 2
    #: 3: TLS with client-side certificates (mutual TLS)
    TLS_CLIENT_CERT = 3

    @property
    def uses_basic_auth(self) -> bool:
        """Profiles 1 and 2 authenticate the station with HTTP Basic (A00.FR.202 / A00.FR.301)."""
        return self in (SecurityProfile.BASIC_AUTH, SecurityProfile.TLS_BASIC_AUTH)

    @property
    def uses_tls(self) -> bool:
        """Profiles 2 and 3 run over TLS (A00.FR.311 / A00.FR.415)."""
        return self >= SecurityProfile.TLS_BASIC_AUTH


class NoSubprotocolAction(enum.Enum):
    """What a CSMS does with a station offering no OCPP version it accepts."""

    #: OCPP-J 1.6 section 3.2 and OCPP 2.0.1 Part 4 section 3.2: "it MUST complete the WebSocket
    #: handshake with a response without a Sec-WebSocket-Protocol header and then immediately
    #: close the WebSocket connection" (close code 1002).
    CLOSE_AFTER_UPGRADE = "close-after-upgrade"
    #: Refuse the upgrade with HTTP 400 instead (what many servers do; not what OCPP-J says).
    HTTP_400 = "http-400"


def _positive(_inst: object, attribute: "attrs.Attribute[Any]", value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen(kw_only=True)
class Limits:
    """Bounds that keep a connection's memory and time finite (slow-loris, oversize messages).

    Memory held by one session is at most about ``max_handshake_size`` during the handshake and
    ``max_message_size`` plus what the caller feeds in one ``receive_data`` call once open, plus
    the permessage-deflate contexts when compression is on (see :class:`Compression`).
    """

    #: bytes of the HTTP request head (server) or response head (client); larger: HTTP 431
    max_handshake_size: int = attrs.field(default=8192, validator=_positive)
    #: number of header fields in the HTTP request; more: HTTP 431
    max_headers: int = attrs.field(default=64, validator=_positive)
    #: seconds from the session's creation until the upgrade request (server) or response
    #: (client) is complete; slower: HTTP 408 (server) / failure (client)
    handshake_timeout: float = attrs.field(default=20.0, validator=_positive)
    #: bytes of one received text message (UTF-8, after decompression); larger: close 1009.
    #: The bindings give the RPC engine the same bound (``RpcConnection(max_message_size=)``).
    max_message_size: int = attrs.field(default=1 << 20, validator=_positive)
    #: protocol faults in a row (unparseable frames, schema violations), each answered with a
    #: CALLERROR, after which the connection closes with 1002; ``None``: no limit. Not used by
    #: the session itself: the bindings pass it to ``RpcConnection(bad_message_limit=)``.
    bad_message_limit: int | None = attrs.field(default=10)

    @bad_message_limit.validator
    def _check_bad_message_limit(
        self, _attribute: "attrs.Attribute[Any]", value: int | None
    ) -> None:
        if value is not None and value < 1:
            raise ValueError(f"bad_message_limit must be positive or None, got {value!r}")
    #: seconds to wait for the peer's Close frame after sending ours
    close_timeout: float = attrs.field(default=10.0, validator=_positive)


@attrs.frozen(kw_only=True)
class KeepAlive:
    """WebSocket ping / pong keep-alive (OCPP-J 1.6 section 5.3, 2.0.1 Part 4 section 5.2).

    ``interval`` is OCPP's ``WebSocketPingInterval`` ("number of seconds between pings"; ``None``
    or ``0`` disables pinging from this side, the side still answers the peer's pings). After a
    ping, the peer is declared dead when nothing at all has been received for ``timeout`` seconds
    without the matching pong.
    """

    interval: float | None = attrs.field(default=60.0)
    timeout: float = attrs.field(default=30.0, validator=_positive)

    @property
    def enabled(self) -> bool:
        """Whether this side sends pings."""
        return bool(self.interval)

    @interval.validator
    def _check_interval(self, _attribute: "attrs.Attribute[Any]", value: float | None) -> None:
        if value is not None and value < 0:
            raise ValueError("WebSocketPingInterval must not be negative")


@attrs.frozen(kw_only=True)
class Compression:
    """permessage-deflate (RFC 7692). OCPP 2.0.1 Part 4 section 3.3 table 2: required for the
    CSMS, optional (recommended on mobile data) for the Charging Station.

    ``no_context_takeover`` asks for a fresh deflate context per message in both directions
    (``server_no_context_takeover`` and ``client_no_context_takeover``, RFC 7692 section 7.1.1):
    a little less compression, but no compressor memory kept between messages, which matters for
    a server holding many connections.
    """

    enabled: bool = True
    no_context_takeover: bool = False


def _versions(value: Iterable[Version | str]) -> tuple[Version, ...]:
    out = tuple(Version(v) for v in value)
    if not out:
        raise ValueError("at least one OCPP version is needed")
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate versions in {out!r}")
    return out


@attrs.frozen(kw_only=True)
class ServerConfig:
    """Settings of a CSMS listener (one security profile per listener, A00.FR.006)."""

    #: versions accepted, in the server's order of preference (negotiation picks the first one
    #: of these that the station offered)
    versions: tuple[Version, ...] = attrs.field(
        default=(Version.V21, Version.V201, Version.V16, Version.V15), converter=_versions
    )
    #: the OCPP-J endpoint path (e.g. ``"/ocpp"``); the request path must be this plus one
    #: segment, the station identity. ``None``: any path, the identity is its last segment.
    path: str | None = attrs.field(default=None)
    #: profile of this listener: 1 and 2 require HTTP Basic credentials, 3 a client certificate
    security_profile: SecurityProfile = attrs.field(
        default=SecurityProfile.NONE, converter=SecurityProfile
    )
    no_subprotocol: NoSubprotocolAction = NoSubprotocolAction.CLOSE_AFTER_UPGRADE
    #: version assumed for a station sending no Sec-WebSocket-Protocol header at all (OCPP-J says
    #: it MUST send one; some old 1.6 stations do not). ``None``: such a station is refused.
    assume_version: Version | None = attrs.field(default=None)
    #: enforce OCPP 2.x identity rules (2.0.1 Part 4 section 3.1.1: at most 48 characters, no
    #: colon) on stations negotiating 2.0.1 or 2.1
    strict_identity: bool = True
    compression: Compression = Compression()
    keepalive: KeepAlive = KeepAlive()
    limits: Limits = Limits()

    @path.validator
    def _check_path(self, _attribute: "attrs.Attribute[Any]", value: str | None) -> None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"endpoint path must start with '/': {value!r}")

    @assume_version.validator
    def _check_assumed(self, _attribute: "attrs.Attribute[Any]", value: Version | None) -> None:
        if value is not None and value not in self.versions:
            raise ValueError(f"assumed version {value} is not one of {self.versions}")


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Settings of a Charging Station connection."""

    #: the CSMS's OCPP-J endpoint URL, ``ws://`` or ``wss://`` (the identity is appended)
    url: str
    #: the Charging Station identity (unencoded; percent-encoded into the URL by the session)
    identity: str
    #: versions offered, most preferred first (the Sec-WebSocket-Protocol list)
    versions: tuple[Version, ...] = attrs.field(converter=_versions)
    #: HTTP Basic password (1.6 ``AuthorizationKey``: 16-20 raw bytes; 2.x ``BasicAuthPassword``:
    #: 16-40 characters, UTF-8 encoded); ``None``: no Authorization header
    password: bytes | None = None
    security_profile: SecurityProfile = attrs.field(
        default=SecurityProfile.NONE, converter=SecurityProfile
    )
    #: extra request header fields
    headers: Headers = attrs.field(default=(), converter=to_headers)
    compression: Compression = Compression()
    keepalive: KeepAlive = KeepAlive()
    limits: Limits = Limits()

    def __attrs_post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise ValueError(f"OCPP-J endpoint URL must be ws:// or wss://: {self.url!r}")
        if parts.username is not None or parts.password is not None:
            raise ValueError("credentials belong in ClientConfig.password, not in the URL")
        if parts.fragment:
            raise ValueError("the endpoint URL must not have a fragment")
        if not self.identity:
            raise ValueError("the station identity must not be empty")
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in self.identity):
            raise ValueError("the station identity must not contain control characters")
        if self.password is not None and ":" in self.identity:
            # RFC 7617 section 2: a user-id containing a colon cannot be sent; OCPP 2.0.1
            # Part 4 section 3.1.1 forbids the colon in identities for this reason.
            raise ValueError("an identity used as Basic auth user name must not contain ':'")
        profile = self.security_profile
        if profile.uses_tls and parts.scheme != "wss":
            raise ValueError(f"security profile {int(profile)} needs a wss:// URL")
        if profile is SecurityProfile.BASIC_AUTH and parts.scheme != "ws":
            raise ValueError("security profile 1 is unsecured transport: use ws://")
        if profile.uses_basic_auth and self.password is None:
            raise ValueError(f"security profile {int(profile)} needs a Basic auth password")

    def pinned(self, version: Version) -> "ClientConfig":
        """This configuration offering only ``version``: for reconnecting after a version was
        negotiated, so that a reconnect never silently changes the OCPP version."""
        if version not in self.versions:
            raise ValueError(f"{version} was not offered by this configuration")
        return attrs.evolve(self, versions=(version,))
