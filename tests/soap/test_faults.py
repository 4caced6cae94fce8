"""SOAP 1.2 faults: the OCPP subcode table, XML out and in, HTTP status codes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from ocpp_sansio.soap.faults import (
    Fault,
    FaultCode,
    FaultParseError,
    QName,
    Subcode,
    fault_element,
    parse_fault,
)
from ocpp_sansio.soap.namespaces import SOAP12_ENV

CS16 = "urn://Ocpp/Cs/2015/10/"
ENV = f"{{{SOAP12_ENV}}}"

TABLE = [
    (Subcode.SecurityError, FaultCode.Sender, 400),
    (Subcode.IdentityMismatch, FaultCode.Sender, 400),
    (Subcode.ProtocolError, FaultCode.Sender, 400),
    (Subcode.InternalError, FaultCode.Receiver, 500),
    (Subcode.NotSupported, FaultCode.Receiver, 500),
]


@pytest.mark.parametrize(("subcode", "code", "status"), TABLE)
def test_fault_table(subcode: Subcode, code: FaultCode, status: int) -> None:
    fault = Fault.ocpp(subcode, "why", CS16)
    assert fault.code is code
    assert fault.subcode == subcode.value
    assert fault.subcodes == (QName(CS16, subcode.value),)
    assert fault.http_status == status
    el = fault_element(fault)
    value = el.find(f"{ENV}Code/{ENV}Value")
    assert value is not None and value.text == f"soap:{code.value}"
    sub = el.find(f"{ENV}Code/{ENV}Subcode/{ENV}Value")
    assert sub is not None and sub.text == f"tns:{subcode.value}"
    assert sub.nsmap["tns"] == CS16
    assert parse_fault(etree.fromstring(etree.tostring(el))) == fault


@pytest.mark.parametrize("code", list(FaultCode))
def test_http_status_of_every_code(code: FaultCode) -> None:
    # SOAP 1.2 Part 2, section 7.5.2.2, Table 20.
    assert Fault(code=code, reason="r").http_status == (400 if code is FaultCode.Sender else 500)


def test_nested_subcodes_detail_node_role() -> None:
    fault = Fault(
        code=FaultCode.Sender, reason="bad", subcodes=(
            QName(CS16, "ProtocolError"), QName(CS16, "TypeConstraintViolation"),
            QName("urn:other", "Deeper")),
        node="http://cs.example/", role="http://www.w3.org/2003/05/soap-envelope/role/next",
        detail='<x:info xmlns:x="urn:x">path $.a</x:info>',
    )
    back = parse_fault(etree.fromstring(etree.tostring(fault_element(fault))))
    assert back == fault


def test_detail_that_is_not_xml_is_kept_as_text() -> None:
    fault = Fault(code=FaultCode.Receiver, reason="r", detail="a < b")
    back = parse_fault(fault_element(fault))
    assert back.detail == "a < b"


PEER_FAULTS = [
    # a .NET-style fault with an unqualified subcode and two languages
    (f"""<s:Fault xmlns:s="{SOAP12_ENV}"><s:Code><s:Value>s:Receiver</s:Value>
        <s:Subcode><s:Value>InternalError</s:Value></s:Subcode></s:Code>
        <s:Reason><s:Text xml:lang="de">Fehler</s:Text><s:Text xml:lang="en-US">Error</s:Text>
        </s:Reason></s:Fault>""",
     Fault(code=FaultCode.Receiver, reason="Error", subcodes=(QName(None, "InternalError"),),
           lang="en-US")),
    # a subcode from some other vocabulary, default namespace, no Reason
    (f"""<Fault xmlns="{SOAP12_ENV}" xmlns:a="urn:a"><Code><Value>Sender</Value><Subcode>
        <Value>a:Whatever</Value></Subcode></Code></Fault>""",
     Fault(code=FaultCode.Sender, reason="", subcodes=(QName("urn:a", "Whatever"),))),
    # an undeclared prefix is kept as text
    (f"""<s:Fault xmlns:s="{SOAP12_ENV}"><s:Code><s:Value>s:Sender</s:Value><s:Subcode>
        <s:Value>tns:SecurityError</s:Value></s:Subcode></s:Code><s:Reason>
        <s:Text xml:lang="en">no</s:Text></s:Reason></s:Fault>""",
     Fault(code=FaultCode.Sender, reason="no", subcodes=(QName(None, "tns:SecurityError"),))),
]


@pytest.mark.parametrize(("xml", "expected"), PEER_FAULTS)
def test_any_subcode_is_accepted_on_input(xml: str, expected: Fault) -> None:
    assert parse_fault(etree.fromstring(xml)) == expected


@pytest.mark.parametrize("xml", [
    f'<s:Fault xmlns:s="{SOAP12_ENV}"/>',
    f'<s:Fault xmlns:s="{SOAP12_ENV}"><s:Code/></s:Fault>',
    f'<s:Fault xmlns:s="{SOAP12_ENV}"><s:Code><s:Value>s:Oops</s:Value></s:Code></s:Fault>',
    f'<s:Fault xmlns:s="{SOAP12_ENV}"><s:Code><s:Value> </s:Value></s:Code></s:Fault>',
    f'<s:Fault xmlns:s="{SOAP12_ENV}" xmlns:o="urn:o"><s:Code><s:Value>o:Sender</s:Value>'
    "</s:Code></s:Fault>",
    f'<s:Fault xmlns:s="{SOAP12_ENV}"><s:Code><s:Value>s:Sender</s:Value><s:Subcode/>'
    "</s:Code></s:Fault>",
])
def test_malformed_faults(xml: str) -> None:
    with pytest.raises(FaultParseError):
        parse_fault(etree.fromstring(xml))


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40)
_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,15}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(list(FaultCode)),
    subcodes=st.lists(st.tuples(st.sampled_from([None, CS16, "urn:x", SOAP12_ENV]), _NAME),
                      max_size=3),
    reason=_TEXT,
)
def test_faults_round_trip(code: FaultCode, subcodes: list[tuple[str | None, str]],
                           reason: str) -> None:
    fault = Fault(code=code, reason=reason, subcodes=tuple(QName(ns, n) for ns, n in subcodes))
    back = parse_fault(etree.fromstring(etree.tostring(fault_element(fault))))
    assert back == fault
