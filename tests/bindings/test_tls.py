
"""Security profiles 2 (TLS + Basic auth) and 3 (mutual TLS) through both bindings, with
certificates made in the test by ``trustme`` (1.6 Security Whitepaper / 2.0.1 Part 2 A00)."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
import trio

from ocpp_sansio.ws import Accept, AuthRequest, CertChain, Reject, SecurityProfile
from ocpp_sansio.ws.tls import client_context, server_context

from ._support import Binding, heartbeat_response, messages

trustme = pytest.importorskip("trustme", reason="trustme is not installed")
m16 = messages("1.6")
PASSWORD = b"0123456789abcdef"


class Pki:
    """A CA, a CSMS certificate for localhost / 127.0.0.1 and a station certificate."""

    def __init__(self, tmp: Path) -> None:
        self.ca = trustme.CA(organization_name="Test Root")
        self.ca_file = tmp / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.csms = self._write(tmp / "csms.pem", self.ca.issue_cert("localhost", "127.0.0.1"))
        station = self.ca.issue_cert("cs.example", common_name="CS-1", organization_name="CPO")
        self.station = self._write(tmp / "station.pem", station)

    @staticmethod
    def _write(path: Path, cert: Any) -> CertChain:
        cert.private_key_and_cert_chain_pem.write_to_path(str(path))
        return CertChain(certfile=path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


def router(b: Binding) -> Any:
    r = b.mod.Router()

    @r.on("Heartbeat")
    async def heartbeat(req: Any, ctx: Any) -> Any:
        return heartbeat_response(ctx.version)

    return r


def test_profile_2(binding: Binding, pki: Pki) -> None:
    b = binding
    seen: list[AuthRequest] = []

    def auth(req: AuthRequest) -> Accept | Reject:
        seen.append(req)
        return Accept() if req.password == PASSWORD else Reject(status=401)

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=router(b), auth=auth,
            ssl=server_context(2, pki.csms),
        ) as server:
            assert server.config.security_profile is SecurityProfile.TLS_BASIC_AUTH
            endpoint = f"wss://localhost:{server.port}/ocpp"
            ctx = client_context(2, cafile=pki.ca_file)
            async with b.mod.connect(endpoint, "CS-1", password=PASSWORD, ssl=ctx) as station:
                resp = await station.call(m16.HeartbeatRequest())
                assert resp.current_time.year == 2024
            with pytest.raises(b.mod.HandshakeRejected) as err:
                async with b.mod.connect(
                    endpoint, "CS-2", password=b"not-the-password", ssl=ctx
                ):
                    pass
            assert err.value.status_code == 401
            # profile 2 requires credentials: refused by the session before the callback
            with pytest.raises(b.mod.HandshakeRejected) as err:
                async with b.mod.connect(endpoint, "CS-3", ssl=ctx, security_profile=3):
                    pass
            assert err.value.status_code == 401
            assert [r.identity for r in seen] == ["CS-1", "CS-2"]

    b.run(body)


def test_profile_3(binding: Binding, pki: Pki) -> None:
    b = binding
    seen: list[Any] = []

    def auth(req: AuthRequest) -> Accept | Reject:
        cert = req.client_certificate
        seen.append(cert)
        # A00.FR.404-405: the certificate's CN must be the identity
        if cert is None or cert.common_name != req.identity:
            return Reject(status=403)
        return Accept()

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=router(b), auth=auth,
            ssl=server_context(3, pki.csms, client_cafile=pki.ca_file),
        ) as server:
            assert server.config.security_profile is SecurityProfile.TLS_CLIENT_CERT
            endpoint = f"wss://localhost:{server.port}/ocpp"
            ctx = client_context(3, cafile=pki.ca_file, cert_chain=pki.station)
            async with b.mod.connect(endpoint, "CS-1", ssl=ctx) as station:
                resp = await station.call(m16.HeartbeatRequest())
                assert resp.current_time.year == 2024
            assert seen[0].organization == "CPO"
            with pytest.raises(b.mod.HandshakeRejected) as err:
                async with b.mod.connect(endpoint, "CS-9", ssl=ctx):
                    pass
            assert err.value.status_code == 403
            # no client certificate: the TLS handshake (or the connection) fails
            bare = client_context(2, cafile=pki.ca_file)
            with pytest.raises(
                (OSError, ssl.SSLError, trio.BrokenResourceError, b.mod.ConnectionClosed)
            ):
                async with b.mod.connect(endpoint, "CS-1", ssl=bare, security_profile=3):
                    pass

    b.run(body)


def test_station_refuses_unknown_csms_certificate(binding: Binding, pki: Pki) -> None:
    b = binding
    other = trustme.CA()

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=router(b), ssl=server_context(2, pki.csms)
        ) as server:
            ctx = ssl.create_default_context(cadata=other.cert_pem.bytes().decode())
            with pytest.raises((ssl.SSLError, trio.BrokenResourceError, OSError)):
                async with b.mod.connect(
                    f"wss://localhost:{server.port}/ocpp", "CS-1", ssl=ctx, password=PASSWORD
                ):
                    pass

    b.run(body)
