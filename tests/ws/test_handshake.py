"""The OCPP-J handshake rules as pure functions: connection URL, identity decoding, version
negotiation, Basic credentials, and the settings' validation."""

import base64

import h11
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_sansio.version import Version
from ocpp_sansio.ws import ClientConfig, KeepAlive, Limits, Reject, SecurityProfile, ServerConfig
from ocpp_sansio.ws.handshake import (
    RequestRefused,
    basic_authorization,
    connection_target,
    http_response,
    identity_from_target,
    identity_problem,
    negotiate,
    parse_basic_auth,
    parse_endpoint,
    password_problem,
)

# identities as the station knows them: any text without surrogates (not encodable) and
# without control characters (refused by the server)
identities = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=60)


@pytest.mark.parametrize(
    ("url", "identity", "target"),
    [
        # OCPP-J 1.6 section 3.1.1 / 2.0.1 Part 4 section 3.1.1, examples 1 and 2
        ("ws://csms.example.com/ocpp", "CS001", "/ocpp/CS001"),
        ("wss://csms.example.com/ocppj", "RDAM 123", "/ocppj/RDAM%20123"),
        ("ws://some.server.com:33033/webServices/ocpp", "CS3211", "/webServices/ocpp/CS3211"),
        ("ws://h/ocpp/", "CS/01", "/ocpp/CS%2F01"),
        ("ws://h", "CS1", "/CS1"),
        ("ws://h/ocpp?tenant=7", "CS1", "/ocpp/CS1?tenant=7"),
        ("ws://h/o", "Ladepunkt-é✓", "/o/Ladepunkt-%C3%A9%E2%9C%93"),
    ],
)
def test_connection_target(url: str, identity: str, target: str) -> None:
    assert connection_target(parse_endpoint(url), identity) == target


@pytest.mark.parametrize(
    ("target", "identity"),
    [
        ("/ocpp/CS%2F01", "CS/01"),
        ("/ocpp/RDAM%20123", "RDAM 123"),
        ("/ocpp/RDAM 123".replace(" ", "%20"), "RDAM 123"),
        ("/ocpp/Ladepunkt-%C3%A9%E2%9C%93", "Ladepunkt-é✓"),
        ("/ocpp/CS+1", "CS+1"),  # '+' is not a space in a path
        ("/ocpp/CS001?x=1", "CS001"),
        ("/a/b/c/CS001", "CS001"),
        ("ws://csms.test/ocpp/CS001", "CS001"),  # absolute-form target
    ],
)
def test_identity_from_target(target: str, identity: str) -> None:
    assert identity_from_target(target) == identity


@given(identity=identities, path=st.sampled_from(["", "/ocpp", "/a/b", "/ocpp/"]))
@settings(max_examples=200)
def test_identity_round_trip(identity: str, path: str) -> None:
    target = connection_target(parse_endpoint(f"ws://h{path}"), identity)
    assert identity_from_target(target) == identity
    assert identity_from_target(target, path.rstrip("/") or "/") == identity


@pytest.mark.parametrize(
    ("target", "path", "status"),
    [
        ("/ocpp/", None, 404),
        ("/", None, 404),
        ("/other/CS1", "/ocpp", 404),
        ("/ocpp/a/b", "/ocpp", 404),
        ("/ocpp", "/ocpp", 404),
        ("/ocpp/CS%zz", None, 400),
        ("/ocpp/CS%2", None, 400),
        ("/ocpp/%C3%28", None, 400),  # not UTF-8
        ("/ocpp/CS%0A1", None, 400),  # control character
        ("/ocpp/CS%001", None, 400),
        ("*", None, 400),
        ("CS001", None, 400),
    ],
)
def test_identity_from_target_refusals(target: str, path: str | None, status: int) -> None:
    with pytest.raises(RequestRefused) as info:
        identity_from_target(target, path)
    assert info.value.status == status


def test_identity_rules_of_version_2() -> None:
    # OCPP 2.0.1 Part 4 section 3.1.1: at most 48 characters, no colon
    assert identity_problem(Version.V201, "x" * 48) is None
    assert identity_problem(Version.V21, "x" * 49) is not None
    assert identity_problem(Version.V201, "CS:1") is not None
    assert identity_problem(Version.V16, "x" * 200 + ":") is None


def test_negotiate_by_server_preference() -> None:
    offered = ["ocpp1.6", "ocpp2.0.1"]  # the station prefers 1.6
    assert negotiate(offered, [Version.V201, Version.V16]) is Version.V201
    assert negotiate(offered, [Version.V16, Version.V201]) is Version.V16
    assert negotiate(offered, [Version.V21]) is None
    assert negotiate([], [Version.V16]) is None
    assert negotiate(["OCPP1.6"], [Version.V16]) is None  # names are case-sensitive


def test_basic_auth_ocpp_j_16_example() -> None:
    # OCPP-J 1.6 section 6.2.2: identity "AL1000", 20-byte key 0001020304050607FFFF...
    key = bytes.fromhex("0001020304050607FFFFFFFFFFFFFFFFFFFFFFFF")
    header = b"Basic QUwxMDAwOgABAgMEBQYH////////////////"
    assert basic_authorization("AL1000", key) == header
    assert parse_basic_auth(header) == ("AL1000", key)


@given(user=identities.filter(lambda s: ":" not in s), password=st.binary(max_size=64))
@settings(max_examples=200)
def test_basic_auth_round_trip(user: str, password: bytes) -> None:
    # the password stays raw bytes: NUL, ':' and non-UTF-8 octets included
    assert parse_basic_auth(basic_authorization(user, password)) == (user, password)


@pytest.mark.parametrize(
    "value",
    [
        b"Bearer abc",
        b"Basic",
        b"Basic !!!",
        b"Basic " + base64.b64encode(b"no-colon"),
        b"Basic " + base64.b64encode(b"\xff\xfe:pw"),
        b"Basic " + base64.b64encode(b"user:pw")[:-1],
    ],
)
def test_basic_auth_malformed(value: bytes) -> None:
    with pytest.raises(ValueError):
        parse_basic_auth(value)


def test_basic_auth_scheme_is_case_insensitive() -> None:
    assert parse_basic_auth(b"bAsIc " + base64.b64encode(b"u:p")) == ("u", b"p")


def test_basic_auth_user_with_colon_cannot_be_encoded() -> None:
    with pytest.raises(ValueError):
        basic_authorization("CS:1", b"x")


def test_password_rules() -> None:
    # 1.6 Security Whitepaper A00.FR.205: 16 to 20 bytes, binary
    assert password_problem(Version.V16, b"\x00" * 16) is None
    assert password_problem(Version.V16, b"\xff" * 20) is None
    assert password_problem(Version.V16, b"x" * 15) is not None
    assert password_problem(Version.V16, b"x" * 21) is not None
    # 2.0.1 BasicAuthPassword: 16 to 40 characters of UTF-8
    assert password_problem(Version.V201, "é".encode() * 40) is None
    assert password_problem(Version.V201, b"x" * 41) is not None
    assert password_problem(Version.V21, b"\xff" * 20) == "password is not UTF-8"


def test_endpoint_host_header() -> None:
    assert parse_endpoint("ws://h/ocpp").host_header == "h"
    assert parse_endpoint("wss://h:443/ocpp").host_header == "h"
    assert parse_endpoint("ws://h:9000").host_header == "h:9000"
    ipv6 = parse_endpoint("wss://[::1]:8443/x")
    assert (ipv6.host, ipv6.port, ipv6.secure) == ("::1", 8443, True)
    assert ipv6.host_header == "[::1]:8443"
    with pytest.raises(ValueError):
        parse_endpoint("http://h/ocpp")


def test_http_response_401_has_a_challenge() -> None:
    raw = http_response(401, (), b"no")
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(raw)
    response = conn.next_event()
    assert isinstance(response, h11.Response)
    assert response.status_code == 401
    headers = dict(response.headers)
    assert headers[b"www-authenticate"].startswith(b"Basic ")
    assert headers[b"connection"] == b"close"
    data = conn.next_event()
    assert isinstance(data, h11.Data) and bytes(data.data) == b"no"


def test_reject_status_range() -> None:
    assert Reject(status=404).status == 404
    for status in (101, 200, 600):
        with pytest.raises(ValueError):
            Reject(status=status)


def test_client_config_checks() -> None:
    ok = ClientConfig(url="ws://h/ocpp", identity="CS1", versions=["1.6", Version.V201])
    assert ok.versions == (Version.V16, Version.V201)
    assert ok.pinned(Version.V201).versions == (Version.V201,)
    with pytest.raises(ValueError):
        ok.pinned(Version.V21)
    bad: list[dict[str, object]] = [
        {"url": "http://h/ocpp"},
        {"url": "ws://user:pw@h/ocpp"},
        {"url": "ws://h/ocpp#frag"},
        {"identity": ""},
        {"identity": "CS\n1"},
        {"versions": ()},
        {"versions": ("1.6", "1.6")},
        {"versions": ("1.7",)},
        {"identity": "CS:1", "password": b"0123456789abcdef"},
        {"security_profile": 2},  # needs wss and a password
        {"security_profile": 1, "url": "wss://h/ocpp", "password": b"0123456789abcdef"},
        {"security_profile": 1},  # no password
        {"security_profile": 3},  # ws
        {"headers": [("X-Bad", "a\r\nb")]},
    ]
    for change in bad:
        args: dict[str, object] = {"url": "ws://h/ocpp", "identity": "CS1", "versions": ("1.6",)}
        args.update(change)
        with pytest.raises(ValueError):
            ClientConfig(**args)  # type: ignore[arg-type]
    profile3 = ClientConfig(url="wss://h/o", identity="CS1", versions=["2.0.1"], security_profile=3)
    assert profile3.security_profile is SecurityProfile.TLS_CLIENT_CERT


def test_server_config_checks() -> None:
    assert ServerConfig().versions[0] is Version.V21
    with pytest.raises(ValueError):
        ServerConfig(path="ocpp")
    with pytest.raises(ValueError):
        ServerConfig(versions=["1.6"], assume_version=Version.V201)
    with pytest.raises(ValueError):
        Limits(max_message_size=0)
    with pytest.raises(ValueError):
        Limits(bad_message_limit=0)
    assert Limits(bad_message_limit=None).bad_message_limit is None
    with pytest.raises(ValueError):
        KeepAlive(interval=-1)
    assert not KeepAlive(interval=0).enabled
