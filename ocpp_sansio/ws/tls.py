"""TLS for OCPP security profiles 2 and 3 with Python's :mod:`ssl`: context builders and the
peer certificate as a typed value.

Requirements followed (1.6 Security Whitepaper ed. 3 section 2.4-2.5; OCPP 2.0.1 Part 2 A00):

- TLS 1.2 or above only (A00.FR.312 / A00.FR.416; the whitepaper's TLS 1.0/1.1 allowance for
  legacy 1.6 stations is "not allowed in OCPP 2.0.1" and is not offered here);
- no TLS compression (A00.FR.320 / A00.FR.424);
- the CSMS supports at least TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_RSA_WITH_AES_128_GCM_SHA256 and
  TLS_RSA_WITH_AES_256_GCM_SHA384 (A00.FR.317 / A00.FR.421), hence :data:`OCPP_TLS12_CIPHERS`;
  it may hold an RSA and an ECDSA certificate at once (pass two chains);
- profile 3: the CSMS requires and verifies a client certificate (A00.FR.403, A00.FR.407);
  checking its O and CN against the operator and the station (A00.FR.404, A00.FR.405) is the
  application's decision, made from :class:`PeerCertificate`;
- the station verifies the CSMS certificate path and host name (A00.FR.307-308, A00.FR.411-412).

Loading certificate files is the only I/O here; no socket is touched.
"""

import datetime
import os
import ssl
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from .config import SecurityProfile

__all__ = [
    "OCPP_TLS12_CIPHERS",
    "CertChain",
    "PeerCertificate",
    "client_context",
    "peer_certificate",
    "server_context",
]

#: TLS 1.2 cipher suites (OpenSSL names): the four of A00.FR.317 plus their ECDHE-RSA
#: counterparts (forward secrecy with RSA certificates). TLS 1.3 suites are not affected.
OCPP_TLS12_CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",  # TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        "ECDHE-ECDSA-AES256-GCM-SHA384",  # TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "AES128-GCM-SHA256",  # TLS_RSA_WITH_AES_128_GCM_SHA256
        "AES256-GCM-SHA384",  # TLS_RSA_WITH_AES_256_GCM_SHA384
    )
)

StrPath = str | os.PathLike[str]


@attrs.frozen(kw_only=True)
class CertChain:
    """A certificate chain file (PEM, leaf first) and its private key."""

    certfile: StrPath
    keyfile: StrPath | None = None
    password: str | bytes | None = None


def _base_context(purpose: int) -> ssl.SSLContext:
    ctx = ssl.SSLContext(purpose)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.options |= ssl.OP_NO_COMPRESSION
    return ctx


def server_context(
    profile: SecurityProfile | int,
    cert_chains: CertChain | Sequence[CertChain],
    *,
    client_cafile: StrPath | None = None,
    client_cadata: str | bytes | None = None,
    ciphers: str = OCPP_TLS12_CIPHERS,
) -> ssl.SSLContext:
    """A server (CSMS) context for security profile 2 or 3.

    Profile 3 requires a client certificate signed by ``client_cafile`` / ``client_cadata``; a
    client presenting none fails the TLS handshake.
    """
    profile = SecurityProfile(profile)
    if not profile.uses_tls:
        raise ValueError(f"security profile {int(profile)} does not use TLS")
    ctx = _base_context(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers(ciphers)
    chains = (cert_chains,) if isinstance(cert_chains, CertChain) else tuple(cert_chains)
    if not chains:
        raise ValueError("a server needs at least one certificate chain")
    for chain in chains:
        ctx.load_cert_chain(chain.certfile, chain.keyfile, chain.password)
    if profile is SecurityProfile.TLS_CLIENT_CERT:
        if client_cafile is None and client_cadata is None:
            raise ValueError("profile 3 needs the CA that signs station certificates")
        ctx.load_verify_locations(cafile=client_cafile, cadata=client_cadata)
        ctx.verify_mode = ssl.CERT_REQUIRED
    else:
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def client_context(
    profile: SecurityProfile | int,
    *,
    cafile: StrPath | None = None,
    cadata: str | bytes | None = None,
    cert_chain: CertChain | None = None,
    ciphers: str = OCPP_TLS12_CIPHERS,
) -> ssl.SSLContext:
    """A client (Charging Station) context for security profile 2 or 3.

    The CSMS certificate is verified against ``cafile`` / ``cadata`` (the system store when both
    are ``None``) and its host name checked. Profile 3 needs the station's ``cert_chain``.
    """
    profile = SecurityProfile(profile)
    if not profile.uses_tls:
        raise ValueError(f"security profile {int(profile)} does not use TLS")
    ctx = _base_context(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers(ciphers)
    if cafile is None and cadata is None:
        ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
    else:
        ctx.load_verify_locations(cafile=cafile, cadata=cadata)
    if profile is SecurityProfile.TLS_CLIENT_CERT:
        if cert_chain is None:
            raise ValueError("profile 3 needs the station certificate chain")
        ctx.load_cert_chain(cert_chain.certfile, cert_chain.keyfile, cert_chain.password)
    elif cert_chain is not None:
        raise ValueError(f"profile {int(profile)} authenticates with Basic auth, not a certificate")
    return ctx


def _names(rdns: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for rdn in rdns for (k, v) in rdn)


def _when(text: str) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ssl.cert_time_to_seconds(text), tz=datetime.UTC)


@attrs.frozen(kw_only=True)
class PeerCertificate:
    """The verified certificate a TLS peer presented (a station's, under profile 3)."""

    #: subject attributes in order, e.g. ``(("organizationName", "CPO"), ("commonName", "S1"))``
    subject: tuple[tuple[str, str], ...]
    issuer: tuple[tuple[str, str], ...]
    serial_number: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    #: subjectAltName entries, e.g. ``(("DNS", "cs001.example.com"),)``
    subject_alt_names: tuple[tuple[str, str], ...]
    #: the certificate in DER
    der: bytes

    def _first(self, name: str) -> str | None:
        return next((v for k, v in self.subject if k == name), None)

    @property
    def common_name(self) -> str | None:
        """The subject CN: the station's serial number under OCPP (A00.FR.405)."""
        return self._first("commonName")

    @property
    def organization(self) -> str | None:
        """The subject O: the CPO's name under OCPP (A00.FR.404)."""
        return self._first("organizationName")


def peer_certificate(tls: ssl.SSLSocket | ssl.SSLObject) -> PeerCertificate | None:
    """The peer's certificate after the TLS handshake, when one was presented *and verified*
    (``CERT_REQUIRED`` or ``CERT_OPTIONAL``); ``None`` otherwise."""
    info = tls.getpeercert()
    der = tls.getpeercert(binary_form=True)
    if not info or der is None:
        return None
    return PeerCertificate(
        subject=_names(info.get("subject", ())),
        issuer=_names(info.get("issuer", ())),
        serial_number=str(info.get("serialNumber", "")),
        not_before=_when(str(info["notBefore"])),
        not_after=_when(str(info["notAfter"])),
        subject_alt_names=tuple((str(p[0]), str(p[1])) for p in info.get("subjectAltName", ())),
        der=der,
    )
