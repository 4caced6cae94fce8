"""Shared helpers of the OCPP-S tests: the official WSDLs' schemas, message strategies, ids.

The WSDLs are read from the specification data (``$OCPP_SPEC_DIR`` or ``../shared/ocpp-spec``
next to the repository), in tests only; tests needing them skip when the data is absent.
The XSD of each WSDL is the ``wsdl:types/xs:schema`` element, made standalone by copying the
namespace declarations in scope onto it.
"""

import copy
import enum
import importlib
import itertools
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, cast

import attrs
import pytest
from hypothesis import strategies as st
from lxml import etree

from ocpp_sansio import Version, codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.soap import body as soap_body
from ocpp_sansio.soap.namespaces import Service
from ocpp_sansio.validation import schema

ROOT = Path(__file__).resolve().parents[2]
WSDL = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"

WSDL_FILES = {
    (Version.V15, Service.CENTRAL_SYSTEM): "v15/soap/ocpp_centralsystemservice_1.5_final.wsdl",
    (Version.V15, Service.CHARGE_POINT): "v15/soap/ocpp_chargepointservice_1.5_final.wsdl",
    (Version.V16, Service.CENTRAL_SYSTEM): "v16/soap/OCPP_CentralSystemService_1.6.wsdl",
    (Version.V16, Service.CHARGE_POINT): "v16/soap/OCPP_ChargePointService_1.6.wsdl",
}


def spec_root() -> Path:
    configured = os.environ.get("OCPP_SPEC_DIR")
    return Path(configured) if configured else ROOT.parent / "shared" / "ocpp-spec"


def have_wsdls() -> bool:
    return all((spec_root() / f).is_file() for f in WSDL_FILES.values())


needs_wsdl = pytest.mark.skipif(not have_wsdls(), reason="OCPP WSDLs not found (OCPP_SPEC_DIR)")


@cache
def wsdl_tree(version: Version, service: Service) -> etree._Element:
    root: etree._Element = etree.parse(str(spec_root() / WSDL_FILES[version, service])).getroot()
    return root


@cache
def xml_schema(version: Version, service: Service) -> etree.XMLSchema:
    """The XSD inside the official WSDL of ``service`` in ``version``."""
    root = wsdl_tree(version, service)
    xsd = root.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    assert xsd is not None
    nsmap: dict[str, str] = {k: v for k, v in root.nsmap.items() if k}
    nsmap.update({k: v for k, v in xsd.nsmap.items() if k})
    attrib = {str(k): str(v) for k, v in xsd.attrib.items()}
    standalone = etree.Element(xsd.tag, attrib=attrib, nsmap=nsmap)
    for child in xsd:
        standalone.append(copy.deepcopy(child))
    return etree.XMLSchema(etree.ElementTree(standalone))


def wsdl_operations(version: Version, service: Service) -> set[str]:
    root = wsdl_tree(version, service)
    return {op.get("name", "") for op in root.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation")}


def assert_valid(version: Version, service: Service, element: etree._Element) -> None:
    """``element`` (a body payload or a ``chargeBoxIdentity`` block) is valid per the WSDL."""
    schema = xml_schema(version, service)
    copy_ = copy.deepcopy(element)
    for name in list(copy_.attrib):
        if str(name).startswith("{http://www.w3.org/2003/05/soap-envelope}"):
            del copy_.attrib[name]  # SOAP processing attributes (mustUnderstand) are not XSD's
    if not schema.validate(copy_):
        raise AssertionError(f"{schema.error_log}\n{etree.tostring(element).decode()}")


# --- message strategies ----------------------------------------------------------------


def _schema_instances(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Messages drawn from the validation schema (used if ``ocpp_sansio.testing`` is absent)."""
    for version in (Version.V15, Version.V16):
        try:
            spec, is_request = actions_for(version).of(cls)
        except KeyError:
            continue
        # imported here: importing it while conftests load touches Hypothesis' storage
        from_schema = importlib.import_module("hypothesis_jsonschema").from_schema
        wire: st.SearchStrategy[Any] = from_schema(
            schema(version, spec.name, "request" if is_request else "response"))
        return wire.map(lambda data: codec.from_wire(cls, cast(dict[str, Any], data)))
    raise TypeError(cls)


def _pick_instances() -> Callable[[type[Any]], st.SearchStrategy[Any]]:
    try:
        module = importlib.import_module("ocpp_sansio.testing")
    except ImportError:
        return _schema_instances
    found: Callable[[type[Any]], st.SearchStrategy[Any]] = module.instances
    return found


instances = _pick_instances()


def xml_char_ok(c: str) -> bool:
    """XML 1.0, production [2] ``Char``."""
    return c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or \
        c >= "\U00010000"


class Unrepairable(Exception):
    """A drawn message that OCPP-S cannot carry and :func:`xml_safe` cannot adjust."""


def xml_safe(value: Any, version: Version) -> Any:
    """``value`` with what OCPP-S cannot carry replaced: characters XML 1.0 forbids, and the
    enumeration values the WSDL rules out (see ``ocpp_sansio.soap.body``). Raises
    :class:`Unrepairable` for a list shorter than the WSDL allows."""
    if isinstance(value, enum.Enum):
        excluded = soap_body.WSDL_EXCLUDED_VALUES.get(version, {}).get(type(value).__name__, ())
        if value.value in excluded:
            return next(m for m in type(value) if m.value not in excluded)
        return value
    if isinstance(value, str):
        return "".join(c if xml_char_ok(c) else "?" for c in value)
    if isinstance(value, list):
        return [xml_safe(v, version) for v in value]
    if attrs.has(type(value)):
        changes = {}
        for a in attrs.fields(type(value)):
            new = xml_safe(getattr(value, a.name), version)
            minimum = soap_body.WSDL_MIN_ITEMS.get(version, {}).get(
                (type(value).__name__, a.metadata.get("wire", "")), 0)
            if isinstance(new, list) and len(new) < minimum:
                raise Unrepairable(f"{type(value).__name__}.{a.name}")
            changes[a.name] = new
        return attrs.evolve(value, **changes)
    return value


@pytest.fixture
def new_id() -> Iterator[Callable[[], str]]:
    counter = itertools.count(1)
    yield lambda: f"urn:uuid:00000000-0000-4000-8000-{next(counter):012d}"
