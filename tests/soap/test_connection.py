"""The sans-IO endpoints end to end: every operation both ways, faults, real peers' envelopes."""

import datetime
import gzip
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from lxml import etree

from ocpp_sansio import Version
from ocpp_sansio.actions import actions_for
from ocpp_sansio.soap import (
    CallReceived,
    FaultCode,
    FaultReceived,
    LocalProtocolError,
    RemoteProtocolError,
    ResultReceived,
    Service,
    SoapClient,
    SoapEndpoint,
    SoapServer,
    Subcode,
)
from ocpp_sansio.soap.connection import content_type
from ocpp_sansio.soap.envelope import parse_envelope
from ocpp_sansio.soap.faults import parse_fault
from ocpp_sansio.soap.http import HttpClient, NeedData, Paused
from ocpp_sansio.soap.namespaces import (
    SOAP12_ENV,
    SOAP_VERSIONS,
    WSA_2004,
    WSA_2005,
    namespace,
    operations,
)
from ocpp_sansio.v15 import enums as e15
from ocpp_sansio.v15 import messages as m15
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.validation import LENIENT, ValidationError, ValidationPolicy

from .conftest import Unrepairable, assert_valid, instances, needs_wsdl, xml_safe
from .test_body import as_read

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
CS_URL = "http://cs.example:8180/steve/services/CentralSystemService"
CP_URL = "http://10.0.0.7:8080/ocpp"
CS16 = namespace(Version.V16, Service.CENTRAL_SYSTEM)
CS15 = namespace(Version.V15, Service.CENTRAL_SYSTEM)
CP16 = namespace(Version.V16, Service.CHARGE_POINT)
BOOT16 = m16.BootNotificationRequest(charge_point_vendor="V", charge_point_model="M")
BOOT16_ANSWER = m16.BootNotificationResponse(
    status=e16.RegistrationStatus.Accepted, current_time=NOW, interval=300)

IdFactory = Callable[[], str]


def pair(new_id: IdFactory, version: Version = Version.V16, service: Service =
         Service.CENTRAL_SYSTEM, **server_options: Any) -> tuple[SoapClient, SoapServer]:
    """A client calling ``service`` and the server hosting it."""
    url = CS_URL if service is Service.CENTRAL_SYSTEM else CP_URL
    own = CP_URL if service is Service.CENTRAL_SYSTEM else CS_URL
    client = SoapClient(service, version, "CP-1", url=url, new_message_id=new_id, address=own)
    server = SoapServer(service, new_message_id=new_id, address=url, **server_options)
    return client, server


def deliver(server: SoapServer, data: bytes) -> CallReceived:
    server.receive_data(data)
    event = server.next_event()
    assert isinstance(event, CallReceived), event
    return event


def answer(client: SoapClient, data: bytes) -> ResultReceived | FaultReceived:
    client.receive_data(data)
    event = client.next_event()
    assert isinstance(event, ResultReceived | FaultReceived), event
    return event


def refused(server: SoapServer, data: bytes) -> RemoteProtocolError:
    with pytest.raises(RemoteProtocolError) as info:
        server.receive_data(data)
        while isinstance(server.next_event(), NeedData):
            pass
    return info.value


def post(body: bytes, ctype: str | None = None, target: str = "/ocpp") -> bytes:
    """An HTTP request carrying ``body``; ``ctype=""`` leaves Content-Type out."""
    client = HttpClient("cs.example")
    headers = [] if ctype == "" else [("Content-Type", ctype or content_type())]
    return client.send_request("POST", target, headers, body)


def reply_fault(error: RemoteProtocolError) -> tuple[int, Any, Any]:
    """Status, parsed fault and addressing of the reply a server error carries."""
    assert error.reply is not None
    client = HttpClient("cs.example")
    client.send_request("POST", "/", [], b"")
    client.receive_data(error.reply)
    response = client.next_event()
    assert not isinstance(response, NeedData)
    env = parse_envelope(response.body)  # type: ignore[union-attr]
    return response.status, parse_fault(env.body), env.addressing  # type: ignore[union-attr]


# --- every operation, both directions ------------------------------------------------------

CALLS = [(v, s, a) for v in SOAP_VERSIONS for s in Service for a in sorted(operations(v, s))]


@needs_wsdl
@pytest.mark.parametrize(("version", "service", "action"), CALLS)
@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_operation_end_to_end(
    new_id: IdFactory, version: Version, service: Service, action: str, data: st.DataObject,
) -> None:
    spec = actions_for(version)[action]
    assert spec.response is not None
    try:
        request = xml_safe(data.draw(instances(spec.request)), version)
        response = xml_safe(data.draw(instances(spec.response)), version)
    except Unrepairable:
        reject()
    client, server = pair(new_id, version, service)
    wire = client.send_call(request)
    call = deliver(server, wire)
    assert (call.version, call.action, call.identity) == (version, action, "CP-1")
    assert call.message == as_read(request)
    assert call.peer_address == client.address
    envelope = parse_envelope(wire.split(b"\r\n\r\n", 1)[1])
    assert_valid(version, service, envelope.body)
    header = etree.fromstring(wire.split(b"\r\n\r\n", 1)[1]).find(f"{{{SOAP12_ENV}}}Header")
    assert header is not None
    assert_valid(version, service, header[0])  # chargeBoxIdentity
    reply = server.send_result(call, response)
    reply_body = reply.split(b"\r\n\r\n", 1)[1]
    if reply_body.startswith(b"\x1f\x8b"):  # gzip'd (large answers, the client accepts it)
        reply_body = gzip.decompress(reply_body)
    assert_valid(version, service, parse_envelope(reply_body).body)
    result = answer(client, reply)
    assert isinstance(result, ResultReceived)
    assert result.message == as_read(response)
    assert result.addressing.relates_to == call.message_id
    assert client.idle and not server.must_close


# --- a typical exchange in detail -------------------------------------------------------------


def test_headers_of_a_call_and_its_answer(new_id: IdFactory) -> None:
    client, server = pair(new_id)
    wire = client.send_call(BOOT16)
    head, _, body = wire.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /steve/services/CentralSystemService HTTP/1.1")
    assert b"Host: cs.example:8180" in head
    assert b'Content-Type: application/soap+xml; charset=utf-8; action="/BootNotification"' \
        in head
    env = parse_envelope(body)
    assert env.identity == "CP-1"
    adr = env.addressing
    assert (adr.namespace, adr.action, adr.from_, adr.reply_to, adr.to) == (
        WSA_2005, "/BootNotification", CP_URL, WSA_2005 + "/anonymous", CS_URL)
    assert adr.message_id and adr.relates_to is None
    call = deliver(server, wire)
    reply = server.send_result(call, BOOT16_ANSWER)
    rhead, _, rbody = reply.partition(b"\r\n\r\n")
    assert rhead.startswith(b"HTTP/1.1 200 OK")
    renv = parse_envelope(rbody)
    assert renv.identity is None  # the WSDLs bind the header to requests only
    radr = renv.addressing
    assert (radr.action, radr.relates_to, radr.from_, radr.to) == (
        "/BootNotificationResponse", adr.message_id, CS_URL, WSA_2005 + "/anonymous")
    assert radr.message_id not in (None, adr.message_id)
    assert renv.body.tag == f"{{{CS16}}}bootNotificationResponse"


def test_compressed_and_chunked_requests(new_id: IdFactory) -> None:
    for options in ({"request_encoding": "gzip"}, {"request_encoding": "deflate"},
                    {"chunked": True}, {"accept_encoding": None}):
        client = SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "CP-1", url=CS_URL,
                            new_message_id=new_id, **options)
        server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id)
        call = deliver(server, client.send_call(BOOT16))
        assert call.message == BOOT16
        result = answer(client, server.send_result(call, BOOT16_ANSWER))
        assert isinstance(result, ResultReceived)


def test_keep_alive_after_results_and_faults(new_id: IdFactory) -> None:
    client, server = pair(new_id)
    for i in range(3):
        call = deliver(server, client.send_call(m16.HeartbeatRequest()))
        assert isinstance(server.next_event(), Paused)
        if i == 1:
            event = answer(client, server.send_fault(call, call.fault(Subcode.InternalError,
                                                                      "busy")))
            assert isinstance(event, FaultReceived)
            assert event.fault.subcode == "InternalError" and event.status == 500
            assert event.fault.subcodes[0].namespace == CS16
            assert event.addressing.relates_to == call.message_id
        else:
            reply = server.send_result(call, m16.HeartbeatResponse(current_time=NOW))
            assert isinstance(answer(client, reply), ResultReceived)
    assert not server.must_close and not client.must_close


def test_bad_answers_are_local_errors_and_the_call_stays_open(new_id: IdFactory) -> None:
    client, server = pair(new_id)
    call = deliver(server, client.send_call(BOOT16))
    with pytest.raises(LocalProtocolError):
        server.send_result(call, m16.HeartbeatResponse(current_time=NOW))
    with pytest.raises(LocalProtocolError):
        server.send_result(call, BOOT16)
    with pytest.raises(LocalProtocolError):
        server.send_result(call, m15.BootNotificationResponse(
            status=e15.RegistrationStatus.Accepted, current_time=NOW, heartbeat_interval=1))
    with pytest.raises(ValidationError):
        server.send_result(call, m16.BootNotificationResponse(
            status=e16.RegistrationStatus.Accepted, current_time=NOW, interval=2**31))
    other = CallReceived(version=call.version, action=call.action, message=call.message,
                         identity="x", addressing=call.addressing, namespace=call.namespace)
    with pytest.raises(LocalProtocolError):
        server.send_result(other, BOOT16_ANSWER)
    assert isinstance(answer(client, server.send_result(call, BOOT16_ANSWER)), ResultReceived)
    with pytest.raises(LocalProtocolError):
        server.send_fault(call, call.fault(Subcode.InternalError, "again"))


def test_client_misuse(new_id: IdFactory) -> None:
    client, _ = pair(new_id)
    with pytest.raises(LocalProtocolError):
        client.send_call(BOOT16_ANSWER)
    with pytest.raises(LocalProtocolError):
        client.send_call(m16.ResetRequest(type=e16.ResetType.Hard))  # a Cp operation
    with pytest.raises(LocalProtocolError):
        client.send_call(m16.SignCertificateRequest(csr="x"))  # OCPP-J only
    with pytest.raises(LocalProtocolError):
        client.send_call(m15.HeartbeatRequest())
    client.send_call(m16.HeartbeatRequest())
    assert not client.idle
    with pytest.raises(LocalProtocolError):
        client.send_call(m16.HeartbeatRequest())
    with pytest.raises(LocalProtocolError):
        SoapClient(Service.CENTRAL_SYSTEM, Version.V201, "x", url=CS_URL, new_message_id=new_id)
    with pytest.raises(LocalProtocolError):
        SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "x", url="ftp://x/", new_message_id=new_id)
    with pytest.raises(LocalProtocolError):
        SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id, versions=[Version.V201])
    closed = SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "x", url=CS_URL,
                        new_message_id=new_id)
    closed.send_call(m16.HeartbeatRequest())
    closed.receive_data(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: "
                        b"application/soap+xml\r\nContent-Length: " +
                        str(len(answer_envelope(HB_ANSWER, None))).encode() + b"\r\n\r\n" +
                        answer_envelope(HB_ANSWER, None))
    assert isinstance(closed.next_event(), ResultReceived)
    assert closed.must_close and not closed.idle
    with pytest.raises(LocalProtocolError):
        closed.send_call(m16.HeartbeatRequest())


# --- what a server refuses, and how ---------------------------------------------------------


def envelope(body: str, *, identity: str | None = "CP-1", action: str | None = "/Heartbeat",
             message_id: str | None = "uuid:42", extra: str = "", wsa: str = WSA_2005,
             ns: str = CS16) -> bytes:
    headers = [extra]
    if identity is not None:
        headers.append(f'<o:chargeBoxIdentity xmlns:o="{ns}">{identity}</o:chargeBoxIdentity>')
    if action is not None:
        headers.append(f"<a:Action>{action}</a:Action>")
    if message_id is not None:
        headers.append(f"<a:MessageID>{message_id}</a:MessageID>")
    return (f'<s:Envelope xmlns:s="{SOAP12_ENV}" xmlns:a="{wsa}"><s:Header>{"".join(headers)}'
            f"</s:Header><s:Body>{body}</s:Body></s:Envelope>").encode()


HEARTBEAT = f'<h:heartbeatRequest xmlns:h="{CS16}"/>'

REFUSALS = [
    ("missing identity", envelope(HEARTBEAT, identity=None), Subcode.ProtocolError, 400),
    ("empty identity", envelope(HEARTBEAT, identity=" "), Subcode.ProtocolError, 400),
    ("missing action", envelope(HEARTBEAT, action=None), Subcode.ProtocolError, 400),
    ("other action", envelope(HEARTBEAT, action="/Authorize"), Subcode.ProtocolError, 400),
    ("missing message id", envelope(HEARTBEAT, message_id=None), Subcode.ProtocolError, 400),
    ("unknown operation", envelope(f'<h:fooRequest xmlns:h="{CS16}"/>', action="/Foo"),
     Subcode.NotSupported, 500),
    ("operation of the other service",
     envelope(f'<h:resetRequest xmlns:h="{CS16}"><h:type>Hard</h:type></h:resetRequest>',
              action="/Reset"), Subcode.NotSupported, 500),
    ("json-only operation", envelope(f'<h:signCertificateRequest xmlns:h="{CS16}"/>',
                                     action="/SignCertificate"), Subcode.NotSupported, 500),
    ("response as request", envelope(f'<h:heartbeatResponse xmlns:h="{CS16}"/>'),
     Subcode.ProtocolError, 400),
    ("no suffix", envelope(f'<h:heartbeat xmlns:h="{CS16}"/>'), Subcode.ProtocolError, 400),
    ("foreign namespace", envelope('<h:heartbeatRequest xmlns:h="urn:x"/>'),
     Subcode.ProtocolError, 400),
    ("unqualified body", envelope("<heartbeatRequest/>"), Subcode.ProtocolError, 400),
    ("other service", envelope(f'<h:heartbeatRequest xmlns:h="{CP16}"/>'),
     Subcode.ProtocolError, 400),
    ("ocpp 1.2", envelope('<h:heartbeatRequest xmlns:h="urn://Ocpp/Cs/2010/08/"/>'),
     Subcode.NotSupported, 500),
    ("fault as request", envelope(
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code></s:Fault>"),
     Subcode.ProtocolError, 400),
    ("type error", envelope(f'<h:authorizeRequest xmlns:h="{CS16}"><h:idTag>{"x" * 21}'
                            "</h:idTag></h:authorizeRequest>", action="/Authorize"),
     Subcode.ProtocolError, 400),
    ("malformed", b"<s:Envelope", Subcode.ProtocolError, 400),
    ("dtd", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + envelope(HEARTBEAT),
     Subcode.SecurityError, 400),
]


@pytest.mark.parametrize(("data", "subcode", "status"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_refused_requests_get_the_right_fault(
    new_id: IdFactory, data: bytes, subcode: Subcode, status: int,
) -> None:
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id, address=CS_URL)
    error = refused(server, post(data))
    assert error.status == status
    assert error.fault is not None and error.fault.subcode == subcode.value
    reply_status, fault, adr = reply_fault(error)
    assert reply_status == status
    assert fault.subcode == subcode.value
    assert fault.code is subcode.code
    assert fault.subcodes[0].namespace == CS16
    if b"uuid:42" in data and b"DOCTYPE" not in data:
        assert adr.relates_to == "uuid:42"
    assert adr.action == WSA_2005 + "/soap/fault"
    # the connection carries on
    call = deliver(server, post(envelope(HEARTBEAT)))
    assert call.action == "Heartbeat"


def test_payload_errors_carry_the_ocpp_j_code(new_id: IdFactory) -> None:
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id)
    body = (f'<h:startTransactionRequest xmlns:h="{CS16}"><h:connectorId>one</h:connectorId>'
            "<h:idTag>T</h:idTag><h:timestamp>2024-01-01T00:00:00Z</h:timestamp>"
            "<h:meterStart>0</h:meterStart></h:startTransactionRequest>")
    error = refused(server, post(envelope(body, action="/StartTransaction")))
    assert error.validation is not None and error.validation.path == "$.connectorId"
    _, fault, _ = reply_fault(error)
    assert [q.name for q in fault.subcodes] == ["ProtocolError", "TypeConstraintViolation"]
    assert "$.connectorId" in fault.reason


def test_identity_must_match_when_known(new_id: IdFactory) -> None:
    server = SoapServer(Service.CHARGE_POINT, new_message_id=new_id, identity="CP-1")
    body = f'<r:resetRequest xmlns:r="{CP16}"><r:type>Soft</r:type></r:resetRequest>'
    error = refused(server, post(envelope(body, identity="CP-2", action="/Reset", ns=CP16)))
    assert error.fault is not None and error.fault.subcode == "IdentityMismatch"
    assert error.status == 400
    call = deliver(server, post(envelope(body, identity="CP-1", action="/Reset", ns=CP16)))
    assert call.message == m16.ResetRequest(type=e16.ResetType.Soft)


def test_version_not_served(new_id: IdFactory) -> None:
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id, versions=[Version.V16])
    body = f'<h:heartbeatRequest xmlns:h="{CS15}"/>'
    error = refused(server, post(envelope(body, ns=CS15)))
    assert error.fault is not None and error.fault.subcode == "NotSupported"
    assert error.fault.subcodes[0].namespace == CS15


def test_soap_level_faults(new_id: IdFactory) -> None:
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id)
    soap11 = envelope(HEARTBEAT).replace(SOAP12_ENV.encode(),
                                         b"http://schemas.xmlsoap.org/soap/envelope/")
    error = refused(server, post(soap11, "text/xml; charset=utf-8"))
    assert error.status == 500
    assert error.reply is not None and b"SupportedEnvelope" in error.reply
    assert error.fault is not None and error.fault.code is FaultCode.VersionMismatch
    must = envelope(HEARTBEAT, extra='<w:Security xmlns:w="urn:wss" s:mustUnderstand="1"/>')
    error = refused(server, post(must))
    assert error.fault is not None and error.fault.code is FaultCode.MustUnderstand
    assert error.reply is not None and b"NotUnderstood" in error.reply


@pytest.mark.parametrize(("data", "status"), [
    (b"GET /ocpp?wsdl HTTP/1.1\r\nHost: cs\r\n\r\n", 405),
    (post(envelope(HEARTBEAT), "application/json"), 415),
    (post(envelope(HEARTBEAT), ""), 415),
    (post(b"x" * 2_000_000), 413),
    (b"BREW /pot HTCPCP/1.0\r\n\r\n", 400),
], ids=["get", "json", "no-type", "too-large", "not-http"])
def test_http_level_refusals(new_id: IdFactory, data: bytes, status: int) -> None:
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id)
    error = refused(server, data)
    assert error.status == status and error.fault is None
    assert error.reply is not None and error.reply.startswith(b"HTTP/1.1 %d " % status)


def test_lenient_policy_keeps_unknown_elements(new_id: IdFactory) -> None:
    policy = ValidationPolicy(inbound=LENIENT)
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id, policy=policy)
    body = (f'<h:heartbeatRequest xmlns:h="{CS16}"><h:firmware>2.1</h:firmware>'
            "</h:heartbeatRequest>")
    call = deliver(server, post(envelope(body)))
    assert call.message.extra_fields == {"firmware": "2.1"}
    strict = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id)
    assert refused(strict, post(envelope(body))).status == 400


# --- envelopes as real peers send them -------------------------------------------------------

DOTNET_15 = f"""<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
            xmlns:a="{WSA_2004}">
  <s:Header>
    <a:Action s:mustUnderstand="1">/BootNotification</a:Action>
    <a:MessageID>urn:uuid:1c2a9b6e-2b76-4bd3-9a2c-8f0d43c9e2a1</a:MessageID>
    <a:To s:mustUnderstand="1">{CS_URL}</a:To>
    <chargeBoxIdentity xmlns="{CS15}">EVB-P1234567</chargeBoxIdentity>
  </s:Header>
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <bootNotificationRequest xmlns="{CS15}">
      <chargePointVendor>ACME</chargePointVendor>
      <chargePointModel>Wallbox 1</chargePointModel>
      <firmwareVersion>1.0.3</firmwareVersion>
    </bootNotificationRequest>
  </s:Body>
</s:Envelope>""".encode()

CXF_16 = f"""<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header>
<ns2:chargeBoxIdentity xmlns:ns2="{CS16}" xmlns:ns3="{WSA_2005}">CP 7</ns2:chargeBoxIdentity>
<Action xmlns="{WSA_2005}">urn://Ocpp/Cs/2015/10/StatusNotification</Action>
<MessageID xmlns="{WSA_2005}">urn:uuid:7</MessageID>
<To xmlns="{WSA_2005}">{CS_URL}</To>
<ReplyTo xmlns="{WSA_2005}"><Address>{CP_URL}</Address></ReplyTo>
</soap:Header><soap:Body><ns2:statusNotificationRequest xmlns:ns2="{CS16}">
<ns2:connectorId>1</ns2:connectorId><ns2:status>Charging</ns2:status>
<ns2:errorCode>NoError</ns2:errorCode><ns2:timestamp>2024-05-06T09:08:09+02:00</ns2:timestamp>
</ns2:statusNotificationRequest></soap:Body></soap:Envelope>""".encode()


def test_dotnet_style_15_request_in_wsa_2004_without_from_or_reply_to(
    new_id: IdFactory,
) -> None:
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id, address=CS_URL)
    call = deliver(server, post(DOTNET_15, 'application/soap+xml; charset=utf-8; '
                                           'action="/BootNotification"'))
    assert call.version is Version.V15 and call.identity == "EVB-P1234567"
    assert call.message == m15.BootNotificationRequest(
        charge_point_vendor="ACME", charge_point_model="Wallbox 1", firmware_version="1.0.3")
    assert call.peer_address is None
    reply = server.send_result(call, m15.BootNotificationResponse(
        status=e15.RegistrationStatus.Accepted, current_time=NOW, heartbeat_interval=600))
    env = parse_envelope(reply.split(b"\r\n\r\n", 1)[1])
    assert env.addressing.namespace == WSA_2004  # answered in the peer's addressing namespace
    assert env.addressing.relates_to == "urn:uuid:1c2a9b6e-2b76-4bd3-9a2c-8f0d43c9e2a1"
    assert env.addressing.to == WSA_2004 + "/role/anonymous"


def test_cxf_style_16_request_with_reply_to_and_namespaced_action(new_id: IdFactory) -> None:
    endpoint = SoapEndpoint(Service.CENTRAL_SYSTEM, new_message_id=new_id, address=CS_URL)
    server = endpoint.server()
    call = deliver(server, post(CXF_16, "application/soap+xml;charset=UTF-8"))
    assert call.identity == "CP 7"
    assert call.message.status is e16.ChargePointStatus.Charging
    assert call.message.timestamp.utcoffset() == datetime.timedelta(hours=2)
    assert call.peer_address == CP_URL
    assert endpoint.peers["CP 7"].address == CP_URL
    reply = server.send_result(call, m16.StatusNotificationResponse())
    assert parse_envelope(reply.split(b"\r\n\r\n", 1)[1]).addressing.to == CP_URL


def test_utf16_and_latin1_envelopes(new_id: IdFactory) -> None:
    server = SoapServer(Service.CENTRAL_SYSTEM, new_message_id=new_id)
    text = DOTNET_15.decode().replace('encoding="utf-8"', 'encoding="utf-16"')
    call = deliver(server, post(text.encode("utf-16"), "application/soap+xml; charset=utf-16"))
    server.send_result(call, m15.BootNotificationResponse(
        status=e15.RegistrationStatus.Accepted, current_time=NOW, heartbeat_interval=600))
    latin = DOTNET_15.decode().replace('encoding="utf-8"', 'encoding="iso-8859-1"').replace(
        "ACME", "Müller")
    call = deliver(server, post(latin.encode("latin-1")))
    assert call.message.charge_point_vendor == "Müller"


# --- the client's side of answers ------------------------------------------------------------


def http_answer(status: int, body: bytes, ctype: str = "application/soap+xml") -> bytes:
    return (f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
            .encode() + body)


def answer_envelope(body: str, relates_to: str | None, action: str | None = None) -> bytes:
    headers = ""
    if relates_to is not None:
        headers += f"<a:RelatesTo>{relates_to}</a:RelatesTo>"
    if action is not None:
        headers += f"<a:Action>{action}</a:Action>"
    return (f'<s:Envelope xmlns:s="{SOAP12_ENV}" xmlns:a="{WSA_2005}"><s:Header>{headers}'
            f"</s:Header><s:Body>{body}</s:Body></s:Envelope>").encode()


HB_ANSWER = (f'<h:heartbeatResponse xmlns:h="{CS16}"><h:currentTime>2024-05-06T07:08:09Z'
             "</h:currentTime></h:heartbeatResponse>")


def test_client_accepts_answers_without_relates_to(new_id: IdFactory) -> None:
    client, _ = pair(new_id)
    client.send_call(m16.HeartbeatRequest())
    event = answer(client, http_answer(200, answer_envelope(HB_ANSWER, None)))
    assert isinstance(event, ResultReceived) and event.message.current_time == NOW


@pytest.mark.parametrize(("response", "why"), [
    (http_answer(200, answer_envelope(HB_ANSWER, "urn:uuid:other")), "RelatesTo"),
    (http_answer(200, answer_envelope(HB_ANSWER, None, "/AuthorizeResponse")), "Action"),
    (http_answer(200, answer_envelope(HB_ANSWER.replace("heartbeatResponse",
                                                        "authorizeResponse"), None)), "is not"),
    (http_answer(200, answer_envelope(HB_ANSWER.replace(CS16, CS15), None)), "is not"),
    (http_answer(200, answer_envelope(HB_ANSWER.replace("2024-05-06T07:08:09Z", "noon"),
                                      None)), "invalid Heartbeat response"),
    (http_answer(500, answer_envelope(HB_ANSWER, None)), "non-fault"),
    (http_answer(404, b"<html>not found</html>", "text/html"), "404"),
    (http_answer(200, b""), "without a SOAP envelope"),
    (http_answer(200, b"<oops"), "invalid answer"),
    (http_answer(500, answer_envelope(f'<s:Fault xmlns:s="{SOAP12_ENV}"/>', None)),
     "malformed fault"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "closed"),
], ids=["relates-to", "action", "element", "namespace", "payload", "500-result", "404",
        "empty", "malformed", "bad-fault", "closed"])
def test_client_refuses_bad_answers(new_id: IdFactory, response: bytes, why: str) -> None:
    client, _ = pair(new_id)
    client.send_call(m16.HeartbeatRequest())
    with pytest.raises(RemoteProtocolError, match=why):
        client.receive_data(response)
        while isinstance(client.next_event(), NeedData):
            client.receive_data(b"")
    assert client.idle or client.must_close


def test_client_reads_foreign_faults(new_id: IdFactory) -> None:
    client, _ = pair(new_id)
    client.send_call(m16.HeartbeatRequest())
    fault = (f'<s:Fault xmlns:s="{SOAP12_ENV}"><s:Code><s:Value>s:Receiver</s:Value><s:Subcode>'
             "<s:Value>InternalError</s:Value></s:Subcode></s:Code><s:Reason><s:Text "
             'xml:lang="en">database down</s:Text></s:Reason></s:Fault>')
    event = answer(client, http_answer(500, answer_envelope(fault, None)))
    assert isinstance(event, FaultReceived)
    assert event.fault.code is FaultCode.Receiver and event.fault.subcode == "InternalError"
    assert event.fault.reason == "database down" and event.action == "Heartbeat"


def test_client_validation_policy_applies_to_answers(new_id: IdFactory) -> None:
    body = HB_ANSWER.replace("</h:heartbeatResponse>", "<h:x>1</h:x></h:heartbeatResponse>")
    client, _ = pair(new_id)
    client.send_call(m16.HeartbeatRequest())
    with pytest.raises(RemoteProtocolError) as info:
        answer(client, http_answer(200, answer_envelope(body, None)))
    assert info.value.validation is not None
    lenient = SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "CP-1", url=CS_URL,
                         new_message_id=new_id, policy=ValidationPolicy(inbound=LENIENT))
    lenient.send_call(m16.HeartbeatRequest())
    event = answer(lenient, http_answer(200, answer_envelope(body, None)))
    assert isinstance(event, ResultReceived) and event.message.extra_fields == {"x": "1"}


# --- the endpoint remembers its peers --------------------------------------------------------


def test_endpoint_learns_from_then_reply_to(new_id: IdFactory) -> None:
    endpoint = SoapEndpoint(Service.CENTRAL_SYSTEM, new_message_id=new_id, address=CS_URL)
    server = endpoint.server()
    with pytest.raises(LocalProtocolError):
        endpoint.client("CP-1")
    client = SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "CP-1", url=CS_URL,
                        new_message_id=new_id, address=CP_URL)
    call = deliver(server, client.send_call(BOOT16))
    assert endpoint.peers["CP-1"].address == CP_URL
    answer(client, server.send_result(call, BOOT16_ANSWER))
    # a later call without From or ReplyTo keeps what was learned
    call = deliver(server, post(envelope(HEARTBEAT, identity="CP-1")))
    assert call.peer_address is None and endpoint.peers["CP-1"].address == CP_URL
    server.send_result(call, m16.HeartbeatResponse(current_time=NOW))
    # ReplyTo when From is anonymous
    reply_to = (f"<a:From><a:Address>{WSA_2005}/anonymous</a:Address></a:From>"
                "<a:ReplyTo><a:Address>http://10.0.0.8/</a:Address></a:ReplyTo>")
    call = deliver(server, post(envelope(HEARTBEAT, identity="CP-1", extra=reply_to)))
    assert endpoint.peers["CP-1"].address == "http://10.0.0.8/"
    server.send_result(call, m16.HeartbeatResponse(current_time=NOW))
    outgoing = endpoint.client("CP-1")
    assert (outgoing.url, outgoing.version, outgoing.service) == (
        "http://10.0.0.8/", Version.V16, Service.CHARGE_POINT)
    wire = outgoing.send_call(m16.ResetRequest(type=e16.ResetType.Soft))
    assert wire.startswith(b"POST / HTTP/1.1\r\nHost: 10.0.0.8\r\n")
    cp = SoapServer(Service.CHARGE_POINT, new_message_id=new_id, identity="CP-1")
    reset = deliver(cp, wire)
    assert reset.peer_address == CS_URL
    assert isinstance(answer(outgoing, cp.send_result(reset, m16.ResetResponse(
        status=e16.ResetStatus.Accepted))), ResultReceived)
