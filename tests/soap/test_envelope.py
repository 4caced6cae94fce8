"""Envelope parsing and emission: structure, headers, and hostile XML."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from ocpp_sansio.soap import xmltext
from ocpp_sansio.soap.envelope import (
    Addressing,
    SoapFaultError,
    XmlLimits,
    add_addressing,
    add_identity,
    build_fault_envelope,
    envelope_text,
    new_envelope,
    parse_envelope,
    serialize,
)
from ocpp_sansio.soap.faults import Fault, FaultCode, QName, Subcode, parse_fault
from ocpp_sansio.soap.namespaces import SOAP12_ENV, WSA_2004, WSA_2005

from .conftest import xml_char_ok

CS16 = "urn://Ocpp/Cs/2015/10/"
BODY = f'<cs:heartbeatRequest xmlns:cs="{CS16}"/>'


def envelope(header: str = "", body: str = BODY, env: str = SOAP12_ENV) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{env}">'
            f"<s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>").encode()


DEFAULT_LIMITS = XmlLimits()


def fault_of(data: bytes, limits: XmlLimits = DEFAULT_LIMITS) -> Fault:
    with pytest.raises(SoapFaultError) as info:
        parse_envelope(data, limits)
    return info.value.fault


def test_headers_are_read_in_both_addressing_namespaces() -> None:
    for wsa in (WSA_2005, WSA_2004):
        anonymous = wsa + ("/anonymous" if wsa == WSA_2005 else "/role/anonymous")
        data = envelope(
            f'<cs:chargeBoxIdentity xmlns:cs="{CS16}" s:mustUnderstand="true"> CP-1 '
            f'</cs:chargeBoxIdentity><a:Action xmlns:a="{wsa}" s:mustUnderstand="1">/Heartbeat'
            f'</a:Action><a:MessageID xmlns:a="{wsa}">uuid:1</a:MessageID>'
            f'<a:From xmlns:a="{wsa}"><a:Address>http://cp:80/</a:Address></a:From>'
            f'<a:ReplyTo xmlns:a="{wsa}"><a:Address>{anonymous}</a:Address></a:ReplyTo>'
            f'<a:To xmlns:a="{wsa}" s:mustUnderstand="true">http://cs/</a:To>'
            f'<a:RelatesTo xmlns:a="{wsa}">uuid:0</a:RelatesTo>'
            f'<a:FaultTo xmlns:a="{wsa}"><a:Address>http://cp:80/faults</a:Address></a:FaultTo>'
        )
        env = parse_envelope(data)
        assert env.identity == "CP-1"
        assert env.addressing == Addressing(
            namespace=wsa, action="/Heartbeat", message_id="uuid:1", relates_to="uuid:0",
            to="http://cs/", from_="http://cp:80/", reply_to=anonymous,
            fault_to="http://cp:80/faults",
        )
        assert env.addressing.peer_address == "http://cp:80/"
        assert env.body.tag == f"{{{CS16}}}heartbeatRequest"
        assert not env.is_fault
        assert env.body_namespace == CS16


def test_missing_headers_are_fine_at_this_level() -> None:
    env = parse_envelope(envelope())
    assert env.identity is None
    assert env.addressing == Addressing()
    assert env.addressing.peer_address is None
    no_header = (f'<s:Envelope xmlns:s="{SOAP12_ENV}"><s:Body>{BODY}</s:Body>'
                 "</s:Envelope>").encode()
    assert parse_envelope(no_header).identity is None


def test_peer_address_prefers_from_then_reply_to() -> None:
    assert Addressing(from_="http://a/", reply_to="http://b/").peer_address == "http://a/"
    assert Addressing(reply_to="http://b/").peer_address == "http://b/"
    assert Addressing(from_=WSA_2005 + "/anonymous", reply_to="http://b/").peer_address \
        == "http://b/"
    assert Addressing(reply_to=WSA_2004 + "/role/anonymous").peer_address is None
    assert Addressing(from_=WSA_2005 + "/none").peer_address is None
    assert Addressing(from_="").peer_address is None


def test_identity_without_namespace_and_in_ocpp15_namespace() -> None:
    for header in ("<chargeBoxIdentity>A</chargeBoxIdentity>",
                   '<x:chargeBoxIdentity xmlns:x="urn://Ocpp/Cs/2012/06/">A</x:chargeBoxIdentity>'):
        assert parse_envelope(envelope(header)).identity == "A"
    # some other vocabulary's element of that name is not the OCPP header
    other = '<x:chargeBoxIdentity xmlns:x="urn:other">A</x:chargeBoxIdentity>'
    assert parse_envelope(envelope(other)).identity is None


@pytest.mark.parametrize("header", [
    "<chargeBoxIdentity>A</chargeBoxIdentity><chargeBoxIdentity>B</chargeBoxIdentity>",
    f'<a:MessageID xmlns:a="{WSA_2005}">1</a:MessageID>'
    f'<a:MessageID xmlns:a="{WSA_2004}">2</a:MessageID>',
])
def test_duplicate_headers(header: str) -> None:
    fault = fault_of(envelope(header))
    assert fault.code is FaultCode.Sender and fault.subcode == "ProtocolError"


def test_must_understand_unknown_header() -> None:
    header = ('<w:Security xmlns:w="urn:wss" s:mustUnderstand="true"/>'
              '<v:Info xmlns:v="urn:v" s:mustUnderstand="false"/>'
              f'<v:Other xmlns:v="urn:v" s:mustUnderstand="1" s:role="{SOAP12_ENV}/role/none"/>'
              '<v:Later xmlns:v="urn:v" s:mustUnderstand="1" s:role="urn:some-other-node"/>')
    fault = fault_of(envelope(header))
    assert fault.code is FaultCode.MustUnderstand
    assert fault.not_understood == (QName("urn:wss", "Security"),)
    assert fault.http_status == 500


@pytest.mark.parametrize("data", [
    envelope(env="http://schemas.xmlsoap.org/soap/envelope/"),
    b"<Envelope/>",
    f'<x:Envelope xmlns:x="urn:x"><x:Body>{BODY}</x:Body></x:Envelope>'.encode(),
])
def test_version_mismatch(data: bytes) -> None:
    assert fault_of(data).code is FaultCode.VersionMismatch


@pytest.mark.parametrize(("data", "reason"), [
    (b"<s:Envelope xmlns:s='" + SOAP12_ENV.encode() + b"'/>", "no env:Body"),
    (envelope(body=""), "holds 0 elements"),
    (envelope(body=BODY + BODY), "holds 2 elements"),
    (envelope(body="text" + BODY), "text content"),
    (envelope(body=BODY + "tail"), "text content"),
    (f'<s:Envelope xmlns:s="{SOAP12_ENV}"><s:Body>{BODY}</s:Body><s:Header/>'
     "</s:Envelope>".encode(), "unexpected"),
    (f'<s:Envelope xmlns:s="{SOAP12_ENV}"><s:Body>{BODY}</s:Body><s:Body>{BODY}</s:Body>'
     "</s:Envelope>".encode(), "unexpected"),
    (b"<s:Envelope xmlns:s='" + SOAP12_ENV.encode() + b"'><s:Body>", "malformed XML"),
    (b"not xml at all", "does not start with markup"),
    (b"", "does not start with markup"),
    (b'<?xml version="1.0" encoding="klingon"?><a/>', "XML"),
])
def test_malformed_envelopes(data: bytes, reason: str) -> None:
    fault = fault_of(data)
    assert fault.code is FaultCode.Sender
    assert fault.subcode == Subcode.ProtocolError
    assert reason in fault.reason


# --- hostile XML -------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>
<cs:dataTransferRequest xmlns:cs="urn://Ocpp/Cs/2015/10/"><cs:vendorId>&lol9;</cs:vendorId>
</cs:dataTransferRequest></s:Body></s:Envelope>"""

QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
             b"<x>" + b"&a;" * 1000 + b"</x>")
XXE_FILE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
            b"<x>&e;</x></s:Body></s:Envelope>")
XXE_PARAMETER = (b'<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><x/>')
XXE_NETWORK = b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><x/>'
HIDDEN_AFTER_COMMENT = (b'<?xml version="1.0"?><!-- <a> --><?pi <b>?>\n'
                        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')


@pytest.mark.parametrize("data", [
    BILLION_LAUGHS, QUADRATIC, XXE_FILE, XXE_PARAMETER, XXE_NETWORK, HIDDEN_AFTER_COMMENT,
    b"\xef\xbb\xbf" + XXE_FILE,
    XXE_FILE.decode().replace('encoding="UTF-8"', "").encode("utf-16"),
    XXE_FILE.decode().encode("utf-16-le"),
    XXE_FILE.decode().encode("utf-16-be"),
    XXE_FILE.decode().encode("utf-32"),
    XXE_FILE.decode().encode("utf-32-le"),
    b"<!doctype x><x/>",
], ids=["billion-laughs", "quadratic", "xxe-file", "xxe-parameter", "xxe-network",
        "after-comment", "utf8-bom", "utf16-bom", "utf16-le", "utf16-be", "utf32", "utf32-le",
        "lowercase"])
def test_document_type_declarations_are_refused_before_parsing(data: bytes) -> None:
    fault = fault_of(data)
    assert fault.code is FaultCode.Sender
    assert fault.subcode in (Subcode.SecurityError, Subcode.ProtocolError)
    if data != b"<!doctype x><x/>":
        assert fault.subcode == Subcode.SecurityError
        assert "document type" in fault.reason


def test_entity_references_without_dtd_are_malformed() -> None:
    data = envelope(body=f'<cs:dataTransferRequest xmlns:cs="{CS16}"><cs:vendorId>&e;'
                         "</cs:vendorId></cs:dataTransferRequest>")
    assert fault_of(data).subcode == Subcode.ProtocolError


def test_size_and_depth_limits() -> None:
    data = envelope()
    assert fault_of(data, XmlLimits(max_bytes=len(data) - 1)).subcode == Subcode.SecurityError
    parse_envelope(data, XmlLimits(max_bytes=len(data)))
    deep = envelope(body="<a>" * 40 + "</a>" * 40)
    fault = fault_of(deep)
    assert fault.subcode == Subcode.SecurityError and "nested" in fault.reason
    ok = envelope(body="<a>" * 29 + "</a>" * 29)  # envelope, body + 29 = 31 levels
    parse_envelope(ok)
    # libxml2's own limit holds too, whatever is configured
    very_deep = envelope(body="<a>" * 5000 + "</a>" * 5000)
    assert fault_of(very_deep, XmlLimits(max_depth=10_000)).code is FaultCode.Sender


def test_comments_processing_instructions_and_cdata() -> None:
    data = envelope(body=f'<!-- c --><?pi x?><cs:dataTransferRequest xmlns:cs="{CS16}">'
                         "<cs:vendorId>a<!-- c -->b<![CDATA[<c>]]></cs:vendorId>"
                         "</cs:dataTransferRequest>")
    env = parse_envelope(data)
    assert env.body.findtext(f"{{{CS16}}}vendorId") == "ab<c>"


# --- emission ----------------------------------------------------------------------------


def test_emitted_envelope_reads_back() -> None:
    root, header, body = new_envelope(ocpp_namespace=CS16)
    add_identity(header, CS16, "CP-1")
    adr = Addressing(action="/Heartbeat", message_id="m1", from_="http://cp/",
                     reply_to=WSA_2005 + "/anonymous", to="http://cs/")
    add_addressing(header, adr)
    etree.SubElement(body, f"{{{CS16}}}heartbeatRequest")
    data = serialize(root)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'<cs:chargeBoxIdentity soap:mustUnderstand="true">CP-1' in data
    env = parse_envelope(data)
    assert env.identity == "CP-1"
    assert env.addressing == adr


def test_fault_envelope_with_upgrade_and_not_understood_headers() -> None:
    fault = Fault(code=FaultCode.MustUnderstand, reason="no",
                  not_understood=(QName("urn:wss", "Security"), QName(None, "Bare")))
    data = build_fault_envelope(fault, relates_to="m1", message_id="m2", from_="http://cs/")
    root = etree.fromstring(data)
    blocks = root.findall(f"{{{SOAP12_ENV}}}Header/{{{SOAP12_ENV}}}NotUnderstood")
    assert [b.get("qname") for b in blocks] == ["nu0:Security", "Bare"]
    assert blocks[0].nsmap["nu0"] == "urn:wss"
    env = parse_envelope(data)
    assert env.is_fault
    assert env.addressing.relates_to == "m1"
    assert env.addressing.action == WSA_2005 + "/soap/fault"
    back = parse_fault(env.body)
    assert back.code is FaultCode.MustUnderstand and back.reason == "no"
    upgrade = build_fault_envelope(Fault(code=FaultCode.VersionMismatch, reason="1.1"),
                                   relates_to=None, message_id="m3", from_=None)
    supported = etree.fromstring(upgrade).find(
        f"{{{SOAP12_ENV}}}Header/{{{SOAP12_ENV}}}Upgrade/{{{SOAP12_ENV}}}SupportedEnvelope")
    assert supported is not None and supported.get("qname") == "ns:Envelope"
    assert supported.nsmap["ns"] == SOAP12_ENV
    in_2004 = build_fault_envelope(fault, relates_to="m1", message_id="m2", from_=None,
                                   wsa_namespace=WSA_2004)
    assert parse_envelope(in_2004).addressing.action == WSA_2004 + "/fault"


# --- text output ---------------------------------------------------------------------------

_XML_TEXT = st.text(st.characters(exclude_categories=["Cs"]).filter(xml_char_ok), max_size=30)


@settings(max_examples=200, deadline=None)
@given(value=_XML_TEXT)
def test_escaped_text_and_attributes_read_back_exactly(value: str) -> None:
    doc = f'<a b="{xmltext.attribute(value)}">{xmltext.text(value)}</a>'
    el = etree.fromstring(doc.encode())
    assert (el.text or "") == value
    assert el.get("b") == value


@pytest.mark.parametrize("value", ["nul\x00", "bell\x07", "esc\x1b", "\ufffe", "\ud800"])
def test_characters_xml_cannot_carry(value: str) -> None:
    with pytest.raises(xmltext.UnrepresentableError):
        xmltext.text(value)
    with pytest.raises(xmltext.UnrepresentableError):
        xmltext.attribute(value)


def test_xml_names() -> None:
    assert xmltext.is_name("chargePointVendor") and xmltext.is_name("_x-1.é")
    assert not xmltext.is_name("1a") and not xmltext.is_name("a b")
    assert not xmltext.is_name("p:local") and not xmltext.is_name("")


def test_envelope_text_escapes_headers() -> None:
    adr = Addressing(action="/Heartbeat", message_id="id&<>", from_="http://cp/?a=1&b=2",
                     reply_to=WSA_2005 + "/anonymous", to="http://cs/")
    data = envelope_text(ocpp_namespace=CS16, addressing=adr, identity="CP <1> & co",
                         body="<cs:heartbeatRequest/>")
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<soap:Envelope ")
    env = parse_envelope(data)
    assert env.identity == "CP <1> & co"
    assert env.addressing == adr
    assert env.body.tag == f"{{{CS16}}}heartbeatRequest"
    block = etree.fromstring(data).find(f"{{{SOAP12_ENV}}}Header/{{{CS16}}}chargeBoxIdentity")
    assert block is not None and block.get(f"{{{SOAP12_ENV}}}mustUnderstand") == "true"
    with pytest.raises(xmltext.UnrepresentableError, match="chargeBoxIdentity"):
        envelope_text(ocpp_namespace=CS16, addressing=adr, identity="CP\x01", body="")
    with pytest.raises(ValueError, match="namespace"):
        envelope_text(ocpp_namespace=None, addressing=adr, identity="CP", body="")
