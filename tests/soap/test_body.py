"""Body elements <-> typed messages: every 1.5 and 1.6 operation, checked against the WSDLs.

- the classes have the WSDL's element names, order, occurrences, types;
- every drawn message of every operation, both directions, is emitted as a body element that
  the XSD of the official WSDL accepts, and reads back equal;
- lexical errors and the WSDL's own rules give the right violation.
"""

import datetime
import enum
import typing
from collections.abc import Collection
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from lxml import etree

from ocpp_sansio import Version, codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.errors import Violation
from ocpp_sansio.soap import body
from ocpp_sansio.soap.namespaces import (
    SOAP_VERSIONS,
    Service,
    element_name,
    namespace,
    operations,
)
from ocpp_sansio.soap.xmltext import UnrepresentableError
from ocpp_sansio.v15 import datatypes as d15
from ocpp_sansio.v15 import enums as e15
from ocpp_sansio.v15 import messages as m15
from ocpp_sansio.v16 import datatypes as d16
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.validation import LENIENT, OFF, STRICT, Kind, ValidationError

from .conftest import WSDL, XS, Unrepairable, assert_valid, instances, needs_wsdl, wsdl_tree
from .conftest import xml_safe as make_xml_safe

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.UTC)
OPERATIONS = [
    (version, service, action, kind)
    for version in SOAP_VERSIONS
    for service in Service
    for action in sorted(operations(version, service))
    for kind in ("request", "response")
]


def _cls(version: Version, action: str, kind: str) -> type[Any]:
    spec = actions_for(version)[action]
    cls = spec.request if kind == "request" else spec.response
    assert cls is not None
    return cls


# --- structure: the model against the XSD ------------------------------------------------


def _unwrap(t: Any) -> tuple[Any, bool]:
    args = [a for a in typing.get_args(t) if a is not type(None)]
    if args and type(None) in typing.get_args(t):
        t = args[0]
    if typing.get_origin(t) is list:
        return typing.get_args(t)[0], True
    return t, False


_XSD_TYPES = {"string": str, "int": int, "dateTime": datetime.datetime, "boolean": bool,
              "anyURI": str, "decimal": float}


def _compare(version: Version, service: Service, ct: etree._Element, cls: type[Any],
             where: str) -> None:
    """The complex type ``ct`` and the class, as :mod:`ocpp_sansio.soap.body` writes it."""
    root = wsdl_tree(version, service)
    schema = root.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    assert schema is not None
    complex_types = {n.get("name"): n for n in schema.iterfind(f"{{{XS}}}complexType")}
    simple_types = {n.get("name"): n for n in schema.iterfind(f"{{{XS}}}simpleType")}
    hints = typing.get_type_hints(cls)
    fields = [a for a in attrs.fields(cls) if not a.metadata.get("extra")]
    by_wire = {a.metadata["wire"]: a for a in fields}
    content = ct.find(f"{{{XS}}}simpleContent")
    if content is not None:
        attributes = [a.get("name") for a in content.iter(f"{{{XS}}}attribute")]
        assert [a.metadata["wire"] for a in fields if a.metadata.get("xml") == "attribute"] \
            == attributes, where
        assert [a.metadata["wire"] for a in fields if a.metadata.get("xml") == "text"] \
            == ["value"], where
        return
    sequence = list(ct.iterfind(f"{{{XS}}}sequence/{{{XS}}}element"))
    plan = body._plan(version, cls, namespace(version, service))
    assert [f.wire for f in plan.elements] == [e.get("name") for e in sequence], where
    for el in sequence:
        name = el.get("name", "")
        a = by_wire[name]
        item, is_list = _unwrap(hints[a.name])
        lo, hi = el.get("minOccurs", "1"), el.get("maxOccurs", "1")
        assert is_list == (hi != "1"), f"{where}.{name}"
        required = a.default is attrs.NOTHING
        # The one difference kept (see the docstring of ocpp_sansio.soap.body): the model
        # requires a meter value, the 1.6 WSDL does not.
        kept = version is Version.V16 and cls is m16.MeterValuesRequest and name == "meterValue"
        if not kept:
            assert required == (lo != "0"), f"{where}.{name}"
            minimum = body.WSDL_MIN_ITEMS.get(version, {}).get((cls.__name__, name), 0)
            effective = max(minimum, a.metadata.get("min_items", 0))
            assert effective == (int(lo) if is_list else minimum), f"{where}.{name}"
        type_name = el.get("type")
        if type_name is None:
            anonymous = el.find(f"{{{XS}}}complexType")
            assert anonymous is not None
            _compare(version, service, anonymous, item, f"{where}.{name}")
            continue
        prefix, _, local = type_name.partition(":")
        if prefix == "tns" and local in complex_types:
            _compare(version, service, complex_types[local], item, f"{where}.{name}")
        elif prefix == "tns":
            restriction = simple_types[local].find(f"{{{XS}}}restriction")
            assert restriction is not None
            values = {e.get("value") for e in restriction.iterfind(f"{{{XS}}}enumeration")}
            if values:
                assert issubclass(item, enum.Enum), f"{where}.{name}"
                excluded: Collection[str] = body.WSDL_EXCLUDED_VALUES.get(version, {}).get(
                    item.__name__, ())
                assert {m.value for m in item} - set(excluded) == values, f"{where}.{name}"
            else:
                base = restriction.get("base", "").partition(":")[2]
                assert item is _XSD_TYPES[base], f"{where}.{name}"
        else:
            assert item is _XSD_TYPES[local], f"{where}.{name}"


@needs_wsdl
@pytest.mark.parametrize("version", SOAP_VERSIONS)
@pytest.mark.parametrize("service", list(Service))
def test_classes_follow_the_wsdl_types(version: Version, service: Service) -> None:
    root = wsdl_tree(version, service)
    schema = root.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    assert schema is not None
    complex_types = {n.get("name"): n for n in schema.iterfind(f"{{{XS}}}complexType")}
    elements = {n.get("name"): n.get("type", "").partition(":")[2]
                for n in schema.iterfind(f"{{{XS}}}element")}
    for action in operations(version, service):
        for kind in ("request", "response"):
            type_name = elements[element_name(action, kind == "request")]
            _compare(version, service, complex_types[type_name], _cls(version, action, kind),
                     f"{version}:{type_name}")


# --- every operation, both directions --------------------------------------------------


def as_read(value: Any) -> Any:
    """``value`` as XML gives it back: an optional empty list is absent."""
    if isinstance(value, list):
        return [as_read(v) for v in value]
    if attrs.has(type(value)):
        changes = {}
        for a in attrs.fields(type(value)):
            current = as_read(getattr(value, a.name))
            if current == [] and a.default is not attrs.NOTHING:
                current = None
            changes[a.name] = current
        return attrs.evolve(value, **changes)
    return value


def _encode(version: Version, message: Any, ns: str, profile: Any = STRICT
            ) -> tuple[str, Kind, etree._Element]:
    action, kind, text = body.encode_body(version, message, ns, profile)
    return action, kind, etree.fromstring(text)


def _round_trip(version: Version, service: Service, message: Any) -> etree._Element:
    ns = namespace(version, service)
    action, kind, el = _encode(version, message, ns)
    assert_valid(version, service, el)
    expected = as_read(message)
    assert body.decode_body(version, action, kind, el) == expected
    # and through text, as it travels
    again = etree.fromstring(etree.tostring(el))
    assert body.decode_body(version, action, kind, again) == expected
    return el


@needs_wsdl
@pytest.mark.parametrize(("version", "service", "action", "kind"), OPERATIONS)
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_operation_round_trips_and_validates(
    version: Version, service: Service, action: str, kind: str, data: st.DataObject,
) -> None:
    drawn = data.draw(instances(_cls(version, action, kind)))
    try:
        message = make_xml_safe(drawn, version)
    except Unrepairable:
        reject()
    _round_trip(version, service, message)


# --- hand-made messages ------------------------------------------------------------------


@needs_wsdl
def test_v15_meter_values_use_attributes_and_text() -> None:
    message = m15.MeterValuesRequest(connector_id=2, transaction_id=7, values=[
        d15.MeterValue(timestamp=NOW, value=[
            d15.MeterValueValue(value="1234.5", context=e15.ReadingContext.Sample_Periodic,
                                format=e15.ValueFormat.Raw,
                                measurand=e15.Measurand.Energy_Active_Import_Register,
                                location=e15.Location.Outlet, unit=e15.UnitOfMeasure.Wh),
            d15.MeterValueValue(value=" 7 "),
        ]),
    ])
    el = _round_trip(Version.V15, Service.CENTRAL_SYSTEM, message)
    values = el.findall(".//{urn://Ocpp/Cs/2012/06/}value")
    assert values[0].text == "1234.5"
    assert values[0].get("unit") == "Wh"
    assert values[0].get("measurand") == "Energy.Active.Import.Register"
    assert values[1].text == " 7 " and not values[1].attrib


@needs_wsdl
def test_v16_order_follows_the_wsdl_not_the_json_schema() -> None:
    message = m16.StartTransactionRequest(connector_id=1, id_tag="TAG", meter_start=0,
                                          timestamp=NOW, reservation_id=3)
    el = _round_trip(Version.V16, Service.CENTRAL_SYSTEM, message)
    assert [etree.QName(c).localname for c in el] == [
        "connectorId", "idTag", "timestamp", "meterStart", "reservationId"]


@needs_wsdl
def test_decimals_are_written_without_exponent() -> None:
    schedule = d16.ChargingSchedule(
        charging_rate_unit=e16.ChargingRateUnitType.W,
        charging_schedule_period=[
            d16.ChargingSchedulePeriod(start_period=0, limit=8.1),
            d16.ChargingSchedulePeriod(start_period=60, limit=1e-1),
            d16.ChargingSchedulePeriod(start_period=120, limit=12),
            d16.ChargingSchedulePeriod(start_period=180, limit=123456789012.3),
        ],
        min_charging_rate=0.5,
    )
    message = m16.GetCompositeScheduleResponse(
        status=e16.GetCompositeScheduleStatus.Accepted, connector_id=1, schedule_start=NOW,
        charging_schedule=schedule)
    el = _round_trip(Version.V16, Service.CHARGE_POINT, message)
    limits = [e.text for e in el.iter("{urn://Ocpp/Cp/2015/10/}limit")]
    assert limits == ["8.1", "0.1", "12", "123456789012.3"]
    assert body.decimal_text(1e-7) == "0.0000001"
    assert body.decimal_text(1e22) == "10000000000000000000000"
    with pytest.raises(UnrepresentableError):
        body.decimal_text(float("inf"))


@needs_wsdl
def test_booleans_and_whitespace_in_values() -> None:
    message = m16.GetConfigurationResponse(configuration_key=[
        d16.KeyValue(key=" spaced key ", readonly=True, value="line\r\nbreak\ttab"),
        d16.KeyValue(key="", readonly=False),
    ])
    el = _round_trip(Version.V16, Service.CHARGE_POINT, message)
    assert [e.text for e in el.iter("{urn://Ocpp/Cp/2015/10/}readonly")] == ["true", "false"]


# --- reading: lexical forms, errors, leniency --------------------------------------------

CS16 = "urn://Ocpp/Cs/2015/10/"
CP16 = "urn://Ocpp/Cp/2015/10/"


def _element(xml: str) -> etree._Element:
    return etree.fromstring(xml)


def _read(version: Version, action: str, kind: Kind, xml: str, profile: Any = STRICT) -> Any:
    return body.decode_body(version, action, kind, _element(xml), profile)


def test_xsd_lexical_forms_are_accepted() -> None:
    xml = (f'<startTransactionRequest xmlns="{CS16}">'
           "<connectorId> +1 </connectorId><idTag>T</idTag>"
           "<timestamp>\n 2024-05-06T07:08:09Z </timestamp><meterStart>007</meterStart>"
           "</startTransactionRequest>")
    message = _read(Version.V16, "StartTransaction", "request", xml)
    assert message.connector_id == 1
    assert message.meter_start == 7
    assert message.timestamp == datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    xml = (f'<getConfigurationResponse xmlns="{CP16}"><configurationKey><key>k</key>'
           "<readonly>1</readonly></configurationKey><configurationKey><key>j</key>"
           "<readonly> false </readonly></configurationKey></getConfigurationResponse>")
    message = _read(Version.V16, "GetConfiguration", "response", xml)
    assert [k.readonly for k in message.configuration_key] == [True, False]


def test_order_of_children_does_not_matter_on_input() -> None:
    xml = (f'<startTransactionRequest xmlns="{CS16}"><meterStart>5</meterStart>'
           "<timestamp>2024-05-06T07:08:09Z</timestamp><idTag>T</idTag>"
           "<connectorId>1</connectorId></startTransactionRequest>")
    assert _read(Version.V16, "StartTransaction", "request", xml).meter_start == 5


@pytest.mark.parametrize(("inner", "violation", "path"), [
    ("<connectorId>abc</connectorId>", Violation.TYPE, "$.connectorId"),
    ("<connectorId>1.0</connectorId>", Violation.TYPE, "$.connectorId"),
    ("<connectorId>1_000</connectorId>", Violation.TYPE, "$.connectorId"),
    ("<connectorId>\u0663</connectorId>", Violation.TYPE, "$.connectorId"),
    ("<connectorId></connectorId>", Violation.TYPE, "$.connectorId"),
    ("<connectorId><x/></connectorId>", Violation.TYPE, "$.connectorId"),
    ("<connectorId>2147483648</connectorId>", Violation.PROPERTY, "$.connectorId"),
    ("<connectorId>-2147483649</connectorId>", Violation.PROPERTY, "$.connectorId"),
    ("<connectorId>" + "9" * 5000 + "</connectorId>", Violation.TYPE, "$.connectorId"),
    ("<connectorId>1</connectorId><connectorId>2</connectorId>", Violation.OCCURRENCE,
     "$.connectorId"),
])
def test_lexical_and_range_errors(inner: str, violation: Violation, path: str) -> None:
    xml = (f'<startTransactionRequest xmlns="{CS16}">{inner}<idTag>T</idTag>'
           "<timestamp>2024-05-06T07:08:09Z</timestamp><meterStart>0</meterStart>"
           "</startTransactionRequest>")
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "StartTransaction", "request", xml)
    assert info.value.violation is violation
    assert info.value.path == path
    assert info.value.code.value in ("TypeConstraintViolation", "PropertyConstraintViolation",
                                     "OccurenceConstraintViolation")


def test_other_type_errors_and_schema_errors() -> None:
    bad_bool = (f'<getConfigurationResponse xmlns="{CP16}"><configurationKey><key>k</key>'
                "<readonly>yes</readonly></configurationKey></getConfigurationResponse>")
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "GetConfiguration", "response", bad_bool)
    assert info.value.path == "$.configurationKey[0].readonly"
    assert info.value.violation is Violation.TYPE
    missing = f'<startTransactionRequest xmlns="{CS16}"><idTag>T</idTag></startTransactionRequest>'
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "StartTransaction", "request", missing)
    assert info.value.violation is Violation.OCCURRENCE
    bad_enum = f'<resetRequest xmlns="{CP16}"><type>Warm</type></resetRequest>'
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "Reset", "request", bad_enum)
    assert info.value.violation is Violation.PROPERTY
    bad_date = f'<heartbeatResponse xmlns="{CS16}"><currentTime>yesterday</currentTime>' \
        "</heartbeatResponse>"
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "Heartbeat", "response", bad_date)
    assert info.value.violation is Violation.TYPE
    text_in_complex = f'<resetRequest xmlns="{CP16}">junk<type>Hard</type></resetRequest>'
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "Reset", "request", text_in_complex)
    assert info.value.violation is Violation.FORMAT
    decimal = (f'<setChargingProfileRequest xmlns="{CP16}"><connectorId>1</connectorId>'
               "<csChargingProfiles><chargingProfileId>1</chargingProfileId><stackLevel>0"
               "</stackLevel><chargingProfilePurpose>TxDefaultProfile</chargingProfilePurpose>"
               "<chargingProfileKind>Absolute</chargingProfileKind><chargingSchedule>"
               "<chargingRateUnit>A</chargingRateUnit><chargingSchedulePeriod><startPeriod>0"
               "</startPeriod><limit>1e3</limit></chargingSchedulePeriod></chargingSchedule>"
               "</csChargingProfiles></setChargingProfileRequest>")
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "SetChargingProfile", "request", decimal)
    assert info.value.violation is Violation.TYPE
    assert info.value.path.endswith(".chargingSchedulePeriod[0].limit")


def test_unknown_elements_strict_and_lenient() -> None:
    xml = (f'<heartbeatResponse xmlns="{CS16}" xmlns:x="urn:vendor">'
           "<currentTime>2024-05-06T07:08:09Z</currentTime><x:extra>1</x:extra>"
           "<note><a>1</a><a>2</a></note></heartbeatResponse>")
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "Heartbeat", "response", xml)
    assert info.value.violation is Violation.FORMAT
    message = _read(Version.V16, "Heartbeat", "response", xml, LENIENT)
    assert message.extra_fields == {"{urn:vendor}extra": "1", "note": {"a": ["1", "2"]}}
    # written back as they came
    _, _, el = _encode(Version.V16, message, CS16, LENIENT)
    assert body.decode_body(Version.V16, "Heartbeat", "response", el, LENIENT) == message
    assert el.find("{urn:vendor}extra") is not None


def test_wrong_namespace_children_are_unknown() -> None:
    xml = ('<n:resetRequest xmlns:n="urn://Ocpp/Cp/2015/10/"><type>Hard</type>'
           "</n:resetRequest>")
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "Reset", "request", xml)
    assert info.value.violation is Violation.OCCURRENCE  # "type" is missing
    with_type = xml.replace("</n:resetRequest>", "<n:type>Soft</n:type></n:resetRequest>")
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "Reset", "request", with_type)
    assert info.value.violation is Violation.FORMAT  # the unqualified one is unknown
    assert _read(Version.V16, "Reset", "request", with_type, LENIENT).extra_fields == {
        "{}type": "Hard"}


def test_xsi_nil_elements_count_as_absent() -> None:
    xml = (f'<stopTransactionRequest xmlns="{CS16}" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
           '<transactionId>1</transactionId><idTag xsi:nil="true"/>'
           "<timestamp>2024-05-06T07:08:09Z</timestamp><meterStop>9</meterStop>"
           "</stopTransactionRequest>")
    assert _read(Version.V16, "StopTransaction", "request", xml).id_tag is None


def test_validation_off_still_rejects_what_cannot_be_built() -> None:
    xml = f'<startTransactionRequest xmlns="{CS16}"><idTag>T</idTag></startTransactionRequest>'
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "StartTransaction", "request", xml, OFF)
    assert info.value.violation is Violation.FORMAT
    big = (f'<heartbeatResponse xmlns="{CS16}"><currentTime>2024-05-06T07:08:09Z</currentTime>'
           "</heartbeatResponse>")
    assert _read(Version.V16, "Heartbeat", "response", big, OFF).current_time.year == 2024


# --- the WSDL's own rules ------------------------------------------------------------------


def _sampled(unit: e16.UnitOfMeasure) -> m16.MeterValuesRequest:
    return m16.MeterValuesRequest(connector_id=1, meter_value=[
        d16.MeterValue(timestamp=NOW, sampled_value=[d16.SampledValue(value="1", unit=unit)])])


@pytest.mark.parametrize("unit", [e16.UnitOfMeasure.Celcius, e16.UnitOfMeasure.Hertz])
def test_units_the_wsdl_lacks_are_refused_both_ways(unit: e16.UnitOfMeasure) -> None:
    message = _sampled(unit)
    codec.encode(Version.V16, message)  # fine for OCPP-J
    with pytest.raises(ValidationError) as info:
        body.encode_body(Version.V16, message, CS16)
    assert info.value.violation is Violation.PROPERTY
    assert info.value.path == "$.meterValue[0].sampledValue[0].unit"
    xml = (f'<meterValuesRequest xmlns="{CS16}"><connectorId>1</connectorId><meterValue>'
           f"<timestamp>2024-05-06T07:08:09Z</timestamp><sampledValue><value>1</value>"
           f"<unit>{unit.value}</unit></sampledValue></meterValue></meterValuesRequest>")
    with pytest.raises(ValidationError):
        _read(Version.V16, "MeterValues", "request", xml)
    assert _read(Version.V16, "MeterValues", "request", xml, OFF).meter_value[0] \
        .sampled_value[0].unit == unit


def test_empty_charging_schedule_is_refused_both_ways() -> None:
    message = m16.GetCompositeScheduleResponse(
        status=e16.GetCompositeScheduleStatus.Accepted, charging_schedule=d16.ChargingSchedule(
            charging_rate_unit=e16.ChargingRateUnitType.A, charging_schedule_period=[]))
    codec.encode(Version.V16, message)
    with pytest.raises(ValidationError) as info:
        body.encode_body(Version.V16, message, CP16)
    assert info.value.violation is Violation.OCCURRENCE
    assert info.value.path == "$.chargingSchedule.chargingSchedulePeriod"
    xml = (f'<getCompositeScheduleResponse xmlns="{CP16}"><status>Accepted</status>'
           "<chargingSchedule><chargingRateUnit>A</chargingRateUnit></chargingSchedule>"
           "</getCompositeScheduleResponse>")
    with pytest.raises(ValidationError) as info:
        _read(Version.V16, "GetCompositeSchedule", "response", xml)
    assert info.value.violation is Violation.OCCURRENCE


def test_int32_range_on_output() -> None:
    message = m16.HeartbeatRequest()
    body.encode_body(Version.V16, message, CS16)
    big = m16.ResetResponse(status=e16.ResetStatus.Accepted)
    body.encode_body(Version.V16, big, CP16)
    too_big = m16.RemoteStopTransactionRequest(transaction_id=2**31)
    codec.encode(Version.V16, too_big)  # JSON has no bound
    with pytest.raises(ValidationError) as info:
        body.encode_body(Version.V16, too_big, CP16)
    assert info.value.violation is Violation.PROPERTY
    body.encode_body(Version.V16, too_big, CP16, OFF)


def test_strings_xml_cannot_carry() -> None:
    message = m16.DataTransferRequest(vendor_id="v", data="nul\x00byte")
    with pytest.raises(UnrepresentableError, match=r"\$\.data"):
        body.encode_body(Version.V16, message, CS16)
    message15 = m15.MeterValuesRequest(connector_id=1, values=[d15.MeterValue(
        timestamp=NOW, value=[d15.MeterValueValue(value="\x1b[0m")])])
    with pytest.raises(UnrepresentableError):
        body.encode_body(Version.V15, message15,
                         namespace(Version.V15, Service.CENTRAL_SYSTEM))
    lenient = m16.HeartbeatRequest(extra_fields={"not a name": "x"})
    with pytest.raises(UnrepresentableError):
        body.encode_body(Version.V16, lenient, CS16, LENIENT)
