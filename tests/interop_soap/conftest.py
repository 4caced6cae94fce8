"""Shared pieces of the OCPP-S interop tests: the official WSDLs (read from the specification
data, ``$OCPP_SPEC_DIR`` or ``../shared/ocpp-spec``; tests skip without them), and the
bindings fixture of ``tests/soap_bindings``."""

import os
from pathlib import Path

import pytest
from soap_bindings.conftest import BINDINGS, Binding

from ocpp_sansio import Version
from ocpp_sansio.soap.namespaces import Service

ROOT = Path(__file__).resolve().parents[2]

WSDL_FILES = {
    (Version.V15, Service.CENTRAL_SYSTEM): "v15/soap/ocpp_centralsystemservice_1.5_final.wsdl",
    (Version.V15, Service.CHARGE_POINT): "v15/soap/ocpp_chargepointservice_1.5_final.wsdl",
    (Version.V16, Service.CENTRAL_SYSTEM): "v16/soap/OCPP_CentralSystemService_1.6.wsdl",
    (Version.V16, Service.CHARGE_POINT): "v16/soap/OCPP_ChargePointService_1.6.wsdl",
}


def spec_root() -> Path:
    configured = os.environ.get("OCPP_SPEC_DIR")
    return Path(configured) if configured else ROOT.parent / "shared" / "ocpp-spec"


def wsdl_path(version: Version, service: Service) -> Path:
    path = spec_root() / WSDL_FILES[version, service]
    if not path.is_file():
        pytest.skip(f"OCPP WSDL not found at {path} (set OCPP_SPEC_DIR)")
    return path


@pytest.fixture(params=sorted(BINDINGS))
def binding(request: pytest.FixtureRequest) -> Binding:
    return BINDINGS[request.param]
