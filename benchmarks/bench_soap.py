"""OCPP-S benchmarks: a request envelope in (parse + validate + decode) and out.

Each row is one request of a charge point to the central system, as the SOAP envelope
(``chargeBoxIdentity`` and the WS-Addressing headers ``Action``, ``MessageID``, ``From``,
``ReplyTo``, ``To``) that travels in the HTTP body; HTTP itself is not timed.

"envelope parse + validate + decode" (an inbound request):

- ocpp-toolkit: ``ocpp_sansio.soap.read_request(envelope, Service.CENTRAL_SYSTEM)``: the
  secure parse (prologue check, libxml2 without entities or network, depth limit), the
  header blocks, the version from the body namespace, the operation, then the body: XML to
  JSON-like values, the version's schema, the WSDL's extra rules, and the typed message;
- zeep: what a zeep-based service does with the same bytes: ``zeep.loader.parse_xml`` (its
  hardened parser settings) and the WSDL operation's input message ``deserialize`` (header
  part and body into zeep objects, ``xsd:dateTime`` and ``xsd:int`` converted). zeep checks
  structure but no facets (lengths, enumerations, ranges), and ignores WS-Addressing;
- floor: ``lxml.etree.fromstring`` of the envelope with our parser settings: parsing alone.

"encode + validate + envelope" (an outbound request from a typed message):

- ocpp-toolkit: ``ocpp_sansio.soap.write_request(...)``: validation, the body in XSD order,
  the ``chargeBoxIdentity`` and WS-Addressing headers, the serialised document;
- zeep: the operation's input ``serialize`` from keyword values (the wire dict, as a zeep user
  passes them) with the ``ChargeBoxIdentity`` header, then ``etree.tostring``; without
  WS-Addressing headers (zeep adds them only through its plugin) and without facet checks;
- floor: ``etree.tostring`` of the same envelope already built as a tree.

zeep reads the WSDLs from the specification data (``$OCPP_SPEC_DIR`` or
``../shared/ocpp-spec``) when it is installed (``pip install zeep``); otherwise its columns
print ``n/a``.
"""

from __future__ import annotations

import datetime
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from lxml import etree

from ocpp_sansio import codec
from ocpp_sansio.soap import Service, read_request, write_request
from ocpp_sansio.soap.body import decode_body
from ocpp_sansio.soap.envelope import parse_xml
from ocpp_sansio.soap.namespaces import SOAP12_ENV
from ocpp_sansio.v15 import datatypes as d15
from ocpp_sansio.v15 import enums as e15
from ocpp_sansio.v15 import messages as m15
from ocpp_sansio.v16 import datatypes as d16
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.version import Version

from ._harness import Bench

PARSE = "envelope parse + validate + decode"
EMIT = "encode + validate + envelope"
OURS = "ocpp-toolkit"
ZEEP = "zeep"
FLOOR = "floor"

CS_URL = "http://csms.example.com:8180/ocpp/CentralSystemService"
CP_URL = "http://10.20.30.40:8080/ocpp/ChargePointService"
WSDLS = {
    Version.V15: "v15/soap/ocpp_centralsystemservice_1.5_final.wsdl",
    Version.V16: "v16/soap/OCPP_CentralSystemService_1.6.wsdl",
}
_T = datetime.datetime(2024, 5, 14, 9, 31, tzinfo=datetime.UTC)


@attrs.frozen
class Row:
    """One benchmark row: a request message and its envelope."""

    row: str
    version: Version
    action: str
    message: Any

    @property
    def envelope(self) -> bytes:
        return write_request(self.version, Service.CENTRAL_SYSTEM, "VW-AC22-004871",
                             self.message, message_id="urn:uuid:6f1c3c1e-9c7a-4e53-b2d1-"
                             "0a4b5c6d7e8f", to=CS_URL, from_=CP_URL)


def _sampled_16() -> list[d16.SampledValue]:
    ctx, raw, out = e16.ReadingContext.Sample_Periodic, e16.ValueFormat.Raw, e16.Location.Outlet
    m, u, p = e16.Measurand, e16.UnitOfMeasure, e16.Phase
    specs = [
        ("15234.71", m.Energy_Active_Import_Register, None, u.Wh),
        ("11042", m.Power_Active_Import, None, u.W),
        ("16.02", m.Current_Import, p.L1, u.A),
        ("15.87", m.Current_Import, p.L2, u.A),
        ("16.11", m.Current_Import, p.L3, u.A),
        ("230.4", m.Voltage, p.L1_N, u.V),
        ("229.8", m.Voltage, p.L2_N, u.V),
        ("231.1", m.Voltage, p.L3_N, u.V),
        ("32", m.Current_Offered, None, u.A),
        ("49.98", m.Frequency, None, None),  # the 1.6 WSDL has no Hertz
    ]
    return [
        d16.SampledValue(value=v, context=ctx, format=raw, measurand=meas, phase=ph,
                         location=out, unit=unit)
        for v, meas, ph, unit in specs
    ]


def _values_15() -> list[d15.MeterValueValue]:
    ctx, raw, out = e15.ReadingContext.Sample_Periodic, e15.ValueFormat.Raw, e15.Location.Outlet
    m, u = e15.Measurand, e15.UnitOfMeasure
    specs = [
        ("15234.71", m.Energy_Active_Import_Register, u.Wh),
        ("1203.5", m.Energy_Reactive_Import_Register, u.varh),
        ("11042", m.Power_Active_Import, u.W),
        ("120", m.Power_Reactive_Import, u.var),
        ("48.02", m.Current_Import, u.Amp),
        ("230.4", m.Voltage, u.Volt),
        ("0", m.Energy_Active_Export_Register, u.Wh),
        ("0", m.Power_Active_Export, u.W),
        ("35", m.Temperature, u.Celsius),
        ("0.12", m.Current_Export, u.Amp),
    ]
    return [
        d15.MeterValueValue(value=v, context=ctx, format=raw, measurand=meas, location=out,
                            unit=unit)
        for v, meas, unit in specs
    ]


ROWS = [
    Row("1.6 BootNotification", Version.V16, "BootNotification", m16.BootNotificationRequest(
        charge_point_vendor="VoltWorks", charge_point_model="VW-AC22-2S",
        charge_point_serial_number="VW22-2024-004871", charge_box_serial_number="VWB-0004871",
        firmware_version="3.4.12-rc.2+build.8812", iccid="8931440400012345678",
        imsi="204043123456789", meter_type="Eastron SDM630-MID",
        meter_serial_number="SDM630-0045871")),
    Row("1.6 MeterValues, 10 sampled values", Version.V16, "MeterValues",
        m16.MeterValuesRequest(connector_id=1, transaction_id=4711, meter_value=[
            d16.MeterValue(timestamp=_T, sampled_value=_sampled_16())])),
    Row("1.5 MeterValues, 10 values", Version.V15, "MeterValues",
        m15.MeterValuesRequest(connector_id=1, transaction_id=4711, values=[
            d15.MeterValue(timestamp=_T, value=_values_15())])),
]


# --- ocpp-toolkit and the floor -------------------------------------------------------------


def _ours(row: Row) -> tuple[Callable[[], object], Callable[[], object]]:
    data, version, message = row.envelope, row.version, row.message

    def parse() -> object:
        return read_request(data, Service.CENTRAL_SYSTEM).message

    def emit() -> object:
        return write_request(version, Service.CENTRAL_SYSTEM, "VW-AC22-004871", message,
                             message_id="urn:uuid:6f1c3c1e-9c7a-4e53-b2d1-0a4b5c6d7e8f",
                             to=CS_URL, from_=CP_URL)

    return parse, emit


def _floor(row: Row) -> tuple[Callable[[], object], Callable[[], object]]:
    data = row.envelope
    tree = parse_xml(data)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True, collect_ids=False)

    def parse() -> object:
        return etree.fromstring(data, parser)

    def emit() -> object:
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")

    return parse, emit


# --- zeep -----------------------------------------------------------------------------------


def _spec_dir() -> Path:
    configured = os.environ.get("OCPP_SPEC_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "ocpp-spec"


def _zeep_operations() -> dict[Version, Any] | None:
    """The zeep binding operations of each version's CentralSystemService, or ``None``."""
    try:
        zeep = importlib.import_module("zeep")
    except ImportError:
        return None
    spec = _spec_dir()
    if not all((spec / path).is_file() for path in WSDLS.values()):
        return None
    out: dict[Version, Any] = {}
    for version, path in WSDLS.items():
        client = zeep.Client(str(spec / path))
        service = next(iter(client.wsdl.services.values()))
        port = next(iter(service.ports.values()))
        out[version] = (client, port.binding)
    return out


def _zeep_kwargs(row: Row) -> dict[str, Any]:
    """The body as zeep keyword values: the wire dict; 1.5 ``simpleContent`` text is
    ``_value_1`` in zeep."""
    wire = codec.to_wire(row.message)
    if row.version is Version.V15 and row.action == "MeterValues":
        for meter_value in wire["values"]:
            meter_value["value"] = [
                {"_value_1": v["value"], **{k: x for k, x in v.items() if k != "value"}}
                for v in meter_value["value"]
            ]
    return wire


def _zeep(zeep_ops: dict[Version, Any], row: Row
          ) -> tuple[Callable[[], object], Callable[[], object]]:
    loader = importlib.import_module("zeep.loader")
    client, binding = zeep_ops[row.version]
    operation = binding._operations[row.action]
    message, settings, data = operation.input, client.settings, row.envelope
    parse_xml_zeep = loader.parse_xml
    kwargs = _zeep_kwargs(row)
    headers = {"ChargeBoxIdentity": "VW-AC22-004871"}

    def parse() -> object:
        return message.deserialize(parse_xml_zeep(data, None, settings=settings))

    def emit() -> object:
        serialized = message.serialize(**kwargs, _soapheaders=headers)
        return etree.tostring(serialized.content, xml_declaration=True, encoding="UTF-8")

    return parse, emit


def _check_zeep(row: Row, parsed: Any, emitted: bytes) -> None:
    """zeep read the same values, and wrote a body that reads back to the same message."""
    helpers = importlib.import_module("zeep.helpers")
    body = helpers.serialize_object(parsed.body, dict)
    wire = codec.to_wire(row.message)
    for key, value in wire.items():
        got = body[key]
        if isinstance(value, int | str) and not isinstance(value, bool):
            assert str(got) == str(value), (row.row, key, got, value)
        if isinstance(value, list):
            assert len(got) == len(value), (row.row, key)
    body_el = etree.fromstring(emitted).find(f"{{{SOAP12_ENV}}}Body")
    assert body_el is not None
    assert decode_body(row.version, row.action, "request", body_el[0]) == row.message, row.row


def benchmarks() -> list[Bench]:
    zeep_ops = _zeep_operations()
    benches: list[Bench] = []
    for row in ROWS:
        ours_parse, ours_emit = _ours(row)
        floor_parse, floor_emit = _floor(row)
        assert ours_parse() == row.message, row.row
        written = ours_emit()
        assert isinstance(written, bytes)
        assert read_request(written, Service.CENTRAL_SYSTEM).message == row.message
        zeep_parse: Callable[[], object] | None = None
        zeep_emit: Callable[[], object] | None = None
        if zeep_ops is not None:
            zeep_parse, zeep_emit = _zeep(zeep_ops, row)
            emitted = zeep_emit()
            assert isinstance(emitted, bytes)
            _check_zeep(row, zeep_parse(), emitted)
        benches += [
            Bench(PARSE, row.row, OURS, ours_parse),
            Bench(PARSE, row.row, ZEEP, zeep_parse),
            Bench(PARSE, row.row, FLOOR, floor_parse),
            Bench(EMIT, row.row, OURS, ours_emit),
            Bench(EMIT, row.row, ZEEP, zeep_emit),
            Bench(EMIT, row.row, FLOOR, floor_emit),
        ]
    return benches
