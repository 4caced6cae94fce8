"""Namespaces, operations and element names against the official WSDLs."""

import pytest

from ocpp_sansio import Version
from ocpp_sansio.soap.namespaces import (
    SOAP_VERSIONS,
    Service,
    action_uri,
    element_name,
    lookup,
    namespace,
    operations,
    split_element_name,
)

from .conftest import WSDL, XS, needs_wsdl, wsdl_operations, wsdl_tree

CASES = [(v, s) for v in SOAP_VERSIONS for s in Service]


@needs_wsdl
@pytest.mark.parametrize(("version", "service"), CASES)
def test_namespace_is_the_wsdl_target_namespace(version: Version, service: Service) -> None:
    root = wsdl_tree(version, service)
    assert root.get("targetNamespace") == namespace(version, service)
    schema = root.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    assert schema is not None
    assert schema.get("targetNamespace") == namespace(version, service)
    assert lookup(namespace(version, service)) == (version, service)


@needs_wsdl
@pytest.mark.parametrize(("version", "service"), CASES)
def test_operations_are_the_wsdl_port_type(version: Version, service: Service) -> None:
    assert operations(version, service) == wsdl_operations(version, service)


@needs_wsdl
@pytest.mark.parametrize(("version", "service"), CASES)
def test_element_names_and_actions_match_the_wsdl(version: Version, service: Service) -> None:
    root = wsdl_tree(version, service)
    elements = {
        el.get("name") for el in root.iterfind(f"{{{WSDL}}}types/{{{XS}}}schema/{{{XS}}}element")
    }
    wsaw = "{http://www.w3.org/2006/05/addressing/wsdl}Action"
    for op in root.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation"):
        name = op.get("name", "")
        for is_request, tag in ((True, "input"), (False, "output")):
            assert element_name(name, is_request) in elements
            assert split_element_name(element_name(name, is_request)) == (name, is_request)
            io = op.find(f"{{{WSDL}}}{tag}")
            assert io is not None
            assert io.get(wsaw) == action_uri(name, is_request)


def test_lookup_of_other_namespaces() -> None:
    assert lookup(None) is None
    assert lookup("urn://Ocpp/Cs/2010/08/") is None
    assert lookup("urn:example") is None


def test_split_element_name_rejects_other_names() -> None:
    assert split_element_name("Request") is None
    assert split_element_name("heartbeat") is None
    assert split_element_name("heartbeatResponse") == ("Heartbeat", False)


def test_no_soap_binding_for_json_only_versions() -> None:
    with pytest.raises(KeyError):
        operations(Version.V201, Service.CENTRAL_SYSTEM)
    assert "SignCertificate" not in operations(Version.V16, Service.CENTRAL_SYSTEM)
    assert Service.CHARGE_POINT.peer is Service.CENTRAL_SYSTEM
    assert Service.CENTRAL_SYSTEM.peer is Service.CHARGE_POINT
