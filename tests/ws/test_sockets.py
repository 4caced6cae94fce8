"""Sessions over real sockets on 127.0.0.1: plain TCP, and TLS under security profiles 2 and 3
with certificates made by trustme for the test. A thread serves; a tiny blocking loop
(``_pipe.pump``) plays the binding on both ends."""

import os
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from ocpp_sansio.version import Version
from ocpp_sansio.ws import (
    Accept,
    CertChain,
    ClientConfig,
    ClientSession,
    Connected,
    ConnectionClosed,
    ConnectRequested,
    Event,
    KeepAlive,
    MessageReceived,
    Reject,
    ServerConfig,
    ServerSession,
    WsSession,
)
from ocpp_sansio.ws.tls import client_context, peer_certificate, server_context

from ._pipe import pump

PASSWORD = bytes.fromhex("0001020304050607FFFFFFFFFFFFFFFFFFFFFFFF")
BOOT = '[2,"1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]'


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(10)
    yield sock
    sock.close()


def url(listener: socket.socket, scheme: str = "ws") -> str:
    return f"{scheme}://localhost:{listener.getsockname()[1]}/ocpp"


class Server(threading.Thread):
    """Accepts one connection, optionally over TLS, and runs a ServerSession on it."""

    def __init__(
        self,
        listener: socket.socket,
        config: ServerConfig,
        *,
        tls: ssl.SSLContext | None = None,
        decide: Callable[[ConnectRequested], Accept | Reject] = lambda _event: Accept(),
        stall_after_accept: bool = False,
    ) -> None:
        super().__init__(daemon=True)
        self.listener, self.config, self.tls, self.decide = listener, config, tls, decide
        self.stall_after_accept = stall_after_accept
        self.events: list[Event] = []
        self.tls_error: Exception | None = None
        self.tls_version: str | None = None
        self.cipher: str | None = None
        self.release = threading.Event()

    def handle(self, session: WsSession, event: Event) -> None:
        self.events.append(event)
        assert isinstance(session, ServerSession)
        if isinstance(event, ConnectRequested):
            session.respond(self.decide(event), time.monotonic())
        elif isinstance(event, MessageReceived):
            session.send_text(event.text.replace("[2,", "[3,", 1))  # echo as a "result"

    def run(self) -> None:
        raw, address = self.listener.accept()
        sock: socket.socket = raw
        try:
            if self.tls is not None:
                try:
                    sock = self.tls.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    self.tls_error = exc
                    return
                assert isinstance(sock, ssl.SSLSocket)
                self.tls_version, self.cipher = sock.version(), sock.cipher()[0]  # type: ignore[index]
            cert = peer_certificate(sock) if isinstance(sock, ssl.SSLSocket) else None
            session = ServerSession(
                self.config,
                now=time.monotonic(),
                remote_address=address[:2],
                client_certificate=cert,
            )
            if self.stall_after_accept:
                # answer the handshake, then stop reading: a peer that went silent
                sock.settimeout(5)
                session.receive_data(sock.recv(65536), time.monotonic())
                for event in session.events():
                    self.handle(session, event)
                sock.sendall(session.data_to_send())
                self.release.wait(5)
                return
            pump(session, sock, self.handle)
        finally:
            sock.close()


def run_client(
    session: ClientSession,
    port: int,
    *,
    tls: ssl.SSLContext | None = None,
    on_event: Callable[[WsSession, Event], None] | None = None,
) -> list[Event]:
    """Connect, say BootNotification, close after the answer; the events seen."""
    events: list[Event] = []

    def handle(s: WsSession, event: Event) -> None:
        events.append(event)
        if on_event is not None:
            on_event(s, event)
        elif isinstance(event, Connected):
            s.send_text(BOOT)
        elif isinstance(event, MessageReceived):
            s.close(now=time.monotonic())

    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock = raw if tls is None else tls.wrap_socket(raw, server_hostname="localhost")
    try:
        pump(session, sock, handle)
    finally:
        sock.close()
    return events


def new_client(config: ClientConfig) -> ClientSession:
    return ClientSession(config, now=time.monotonic(), key=os.urandom(16))


# -- plain TCP --------------------------------------------------------------------------------


def test_plain_tcp_exchange(listener: socket.socket) -> None:
    # both ends ping every 50 ms and give up after 200 ms without an answer: the exchange
    # below lasts 300 ms, so pings must be answered both ways for it to succeed
    keepalive = KeepAlive(interval=0.05, timeout=0.2)
    server = Server(listener, ServerConfig(keepalive=keepalive))
    server.start()
    opened: list[float] = []

    events: list[Event] = []

    def handle(s: WsSession, event: Event) -> None:
        events.append(event)
        if isinstance(event, Connected):
            opened.append(time.monotonic())
        elif isinstance(event, MessageReceived):
            s.close(now=time.monotonic())

    def tick(s: WsSession) -> None:
        if opened and time.monotonic() - opened[0] > 0.3 and len(opened) == 1:
            opened.append(0.0)
            s.send_text(BOOT)

    config = ClientConfig(
        url=url(listener), identity="CS 001/é", versions=("2.0.1", "1.6"), keepalive=keepalive
    )
    session = new_client(config)
    raw = socket.create_connection(("127.0.0.1", listener.getsockname()[1]), timeout=10)
    try:
        pump(session, raw, handle, tick=tick)
    finally:
        raw.close()
    server.join(10)
    assert events[0] == Connected(version=Version.V201, subprotocol="ocpp2.0.1", compression=True)
    assert events[1] == MessageReceived(text=BOOT.replace("[2,", "[3,", 1))
    assert events[-1] == ConnectionClosed(code=1000, reason="", by_peer=False)
    request = server.events[0]
    assert isinstance(request, ConnectRequested)
    assert request.request.identity == "CS 001/é"
    assert request.request.remote_address is not None
    assert server.events[-1] == ConnectionClosed(code=1000, reason="", by_peer=True)


def test_dead_peer_over_tcp(listener: socket.socket) -> None:
    server = Server(
        listener, ServerConfig(keepalive=KeepAlive(interval=None)), stall_after_accept=True
    )
    server.start()
    config = ClientConfig(
        url=url(listener),
        identity="CS1",
        versions=("1.6",),
        keepalive=KeepAlive(interval=0.05, timeout=0.3),
    )
    started = time.monotonic()
    events = run_client(new_client(config), listener.getsockname()[1], on_event=lambda s, e: None)
    elapsed = time.monotonic() - started
    assert events[-1] == ConnectionClosed(
        code=1006, reason="keep-alive: no pong within 0.3 s", by_peer=False
    )
    assert 0.3 <= elapsed < 1.5
    server.release.set()
    server.join(10)


# -- TLS --------------------------------------------------------------------------------------


class Pki:
    """A CA, a CSMS certificate (ECDSA and RSA) for localhost and a station certificate."""

    def __init__(self, tmp: Path) -> None:
        self.ca = trustme.CA(organization_name="Test Root")
        self.ca_file = tmp / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.csms = self._write(tmp / "csms.pem", self.ca.issue_cert("localhost", "127.0.0.1"))
        self.csms_rsa = self._write(
            tmp / "csms-rsa.pem",
            self.ca.issue_cert("localhost", key_type=trustme.KeyType.RSA),
        )
        station = self.ca.issue_cert(
            "cs001.example", common_name="SN-0001", organization_name="ExampleCPO"
        )
        self.station = self._write(tmp / "station.pem", station)

    @staticmethod
    def _write(path: Path, cert: trustme.LeafCert) -> CertChain:
        cert.private_key_and_cert_chain_pem.write_to_path(str(path))
        return CertChain(certfile=path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


def test_profile_2_tls_with_basic_auth(listener: socket.socket, pki: Pki) -> None:
    def decide(event: ConnectRequested) -> Accept | Reject:
        ok = event.request.password == PASSWORD and event.request.password_problem is None
        return Accept() if ok else Reject(status=401)

    server = Server(
        listener,
        ServerConfig(security_profile=2),
        tls=server_context(2, pki.csms),
        decide=decide,
    )
    server.start()
    config = ClientConfig(
        url=url(listener, "wss"),
        identity="AL1000",
        versions=("1.6",),
        password=PASSWORD,
        security_profile=2,
    )
    session = new_client(config)
    assert session.endpoint.secure
    events = run_client(
        session, listener.getsockname()[1], tls=client_context(2, cafile=pki.ca_file)
    )
    server.join(10)
    assert isinstance(events[0], Connected) and isinstance(events[1], MessageReceived)
    assert server.tls_version in ("TLSv1.2", "TLSv1.3")
    request = server.events[0]
    assert isinstance(request, ConnectRequested)
    assert request.request.client_certificate is None


def test_profile_2_wrong_password_is_401(listener: socket.socket, pki: Pki) -> None:
    server = Server(
        listener,
        ServerConfig(security_profile=2),
        tls=server_context(2, pki.csms),
        decide=lambda e: Accept() if e.request.password == PASSWORD else Reject(status=401),
    )
    server.start()
    config = ClientConfig(
        url=url(listener, "wss"),
        identity="AL1000",
        versions=("1.6",),
        password=b"wrong password 16",
        security_profile=2,
    )
    events = run_client(
        new_client(config), listener.getsockname()[1], tls=client_context(2, cafile=pki.ca_file)
    )
    server.join(10)
    (rejected,) = events
    assert rejected.status_code == 401  # type: ignore[union-attr]
    assert dict(rejected.headers)[b"www-authenticate"].startswith(b"Basic")  # type: ignore[union-attr]


def test_profile_3_mutual_tls(listener: socket.socket, pki: Pki) -> None:
    def decide(event: ConnectRequested) -> Accept | Reject:
        cert = event.request.client_certificate
        # A00.FR.404 / A00.FR.405: O is the CPO, CN the station's serial number
        ok = cert is not None and (cert.organization, cert.common_name) == ("ExampleCPO", "SN-0001")
        return Accept() if ok else Reject(status=403)

    server = Server(
        listener,
        ServerConfig(security_profile=3),
        tls=server_context(3, pki.csms, client_cafile=pki.ca_file),
        decide=decide,
    )
    server.start()
    config = ClientConfig(
        url=url(listener, "wss"), identity="CS001", versions=("2.0.1",), security_profile=3
    )
    tls = client_context(3, cafile=pki.ca_file, cert_chain=pki.station)
    events = run_client(new_client(config), listener.getsockname()[1], tls=tls)
    server.join(10)
    assert events[0] == Connected(version=Version.V201, subprotocol="ocpp2.0.1", compression=True)
    request = server.events[0]
    assert isinstance(request, ConnectRequested)
    cert = request.request.client_certificate
    assert cert is not None
    assert ("DNS", "cs001.example") in cert.subject_alt_names
    assert cert.not_before < cert.not_after and cert.der[:1] == b"\x30"


def test_profile_3_refuses_a_client_without_certificate(listener: socket.socket, pki: Pki) -> None:
    server = Server(
        listener,
        ServerConfig(security_profile=3),
        tls=server_context(3, pki.csms, client_cafile=pki.ca_file),
    )
    server.start()
    tls = client_context(2, cafile=pki.ca_file)  # no client certificate
    raw = socket.create_connection(("127.0.0.1", listener.getsockname()[1]), timeout=10)
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        refused_early(tls, raw)
    raw.close()
    server.join(10)
    assert isinstance(server.tls_error, ssl.SSLError)
    assert "certificate" in str(server.tls_error).lower()


def refused_early(tls: ssl.SSLContext, raw: socket.socket) -> None:
    """Handshake and read: under TLS 1.3 a client learns of the refusal of its (missing)
    certificate only on its first read."""
    with tls.wrap_socket(raw, server_hostname="localhost") as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n\r\n")
        if not sock.recv(100):
            raise ConnectionResetError("closed by the server")


def test_tls_1_1_is_refused(listener: socket.socket, pki: Pki) -> None:
    server = Server(listener, ServerConfig(security_profile=2), tls=server_context(2, pki.csms))
    server.start()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    tls.load_verify_locations(cafile=pki.ca_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSVersion.TLSv1_1 is deprecated
        tls.minimum_version = ssl.TLSVersion.TLSv1_1
        tls.maximum_version = ssl.TLSVersion.TLSv1_1
    tls.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client really offer TLS 1.1
    raw = socket.create_connection(("127.0.0.1", listener.getsockname()[1]), timeout=10)
    with pytest.raises(ssl.SSLError, match=r"(?i)protocol version"):
        tls.wrap_socket(raw, server_hostname="localhost")
    raw.close()
    server.join(10)
    assert isinstance(server.tls_error, ssl.SSLError)
    assert "unsupported protocol" in str(server.tls_error).lower()


@pytest.mark.parametrize(
    "cipher",
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
    ],
)
def test_csms_supports_the_required_tls12_suites(
    listener: socket.socket, pki: Pki, cipher: str
) -> None:
    """A00.FR.317: the CSMS supports the four suites; with an ECDSA and an RSA certificate."""
    server = Server(listener, ServerConfig(), tls=server_context(2, [pki.csms, pki.csms_rsa]))
    server.start()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    tls.load_verify_locations(cafile=pki.ca_file)
    tls.maximum_version = ssl.TLSVersion.TLSv1_2
    tls.set_ciphers(cipher)
    config = ClientConfig(url=url(listener, "wss"), identity="CS1", versions=("1.6",))
    events = run_client(new_client(config), listener.getsockname()[1], tls=tls)
    server.join(10)
    assert isinstance(events[0], Connected)
    assert (server.tls_version, server.cipher) == ("TLSv1.2", cipher)


def test_station_rejects_an_unknown_csms_certificate(listener: socket.socket, pki: Pki) -> None:
    """A00.FR.307 / A00.FR.310: the station verifies the CSMS certificate path."""
    server = Server(listener, ServerConfig(), tls=server_context(2, pki.csms))
    server.start()
    other_ca = trustme.CA()
    tls = client_context(2, cadata=other_ca.cert_pem.bytes().decode())
    raw = socket.create_connection(("127.0.0.1", listener.getsockname()[1]), timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError):
        tls.wrap_socket(raw, server_hostname="localhost")
    raw.close()
    server.join(10)


def test_context_builders_check_their_arguments(pki: Pki) -> None:
    calls: list[Callable[[], object]] = [
        lambda: server_context(1, pki.csms),
        lambda: server_context(3, pki.csms),
        lambda: server_context(2, []),
        lambda: client_context(3, cafile=pki.ca_file),
        lambda: client_context(2, cafile=pki.ca_file, cert_chain=pki.station),
        lambda: client_context(0),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            call()
    assert client_context(2).verify_mode is ssl.CERT_REQUIRED  # the system store
    ctx: Any = server_context(3, pki.csms, client_cafile=pki.ca_file)
    assert ctx.minimum_version is ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode is ssl.CERT_REQUIRED
    assert ctx.options & ssl.OP_NO_COMPRESSION
