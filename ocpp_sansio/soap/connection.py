"""Sans-IO OCPP-S endpoints: HTTP bytes in, typed events out; typed messages in, bytes out.

In OCPP-S both sides host a SOAP service and call the other's (OCPP 1.5 and 1.6 WSDLs): the
central system hosts ``CentralSystemService`` and calls the charge point's
``ChargePointService``, and the other way round. Every exchange is one synchronous HTTP
request/response. Hence two connection objects, one per TCP connection:

- :class:`SoapServer` reads requests for the service we host and writes the answers. Its
  :meth:`~SoapServer.next_event` returns :class:`CallReceived` (a decoded, validated request);
  answer it with :meth:`~SoapServer.send_result` or :meth:`~SoapServer.send_fault`. A request
  that cannot be processed raises :class:`RemoteProtocolError` whose ``reply`` holds the HTTP
  response to send (a SOAP fault, or a bare HTTP error below SOAP); the connection stays usable
  unless the HTTP layer says it must close.
- :class:`SoapClient` writes a request (:meth:`~SoapClient.send_call`) and reads its answer:
  :class:`ResultReceived` or :class:`FaultReceived`. The response must relate to the request
  (``RelatesTo`` equal to the request's ``MessageID`` when present, the right body element).

:class:`SoapEndpoint` ties them to one hosted service: it makes the server connections, keeps
what it learns about each peer (its version, and its own endpoint address: WS-Addressing
``From``, else a non-anonymous ``ReplyTo``) and makes client connections to that address.

Every message sent carries the WS-Addressing headers in full (``Action``, ``MessageID``,
``RelatesTo`` on answers, ``From``, ``ReplyTo``, ``To``), in the 2005/08 namespace unless
answering a 2004/08 request. Message IDs come from the ``new_message_id`` function passed in
(e.g. ``lambda: "urn:uuid:" + str(uuid.uuid4())``); nothing here reads a clock or a random
source.

Checks on a received request, in order, and the fault each failure gets (see
:mod:`.faults`): well-formed safe XML and SOAP 1.2 envelope (``ProtocolError``,
``SecurityError``, ``VersionMismatch``, ``MustUnderstand``); an OCPP-S namespace of the hosted
service (``ProtocolError``; 1.2 or a version not served: ``NotSupported``); a
``chargeBoxIdentity`` header (``ProtocolError`` if missing, ``IdentityMismatch`` if not the
expected one); ``Action`` matching the body and a ``MessageID`` (``ProtocolError``); an
operation of the service (``NotSupported``); the payload against the version's schema
(``ProtocolError`` with the OCPP-J error code as second-level subcode). HTTP: only ``POST``
(405), a SOAP or XML media type (415), size limits (413), content codings (415, 400), and
time: a request must be complete within :attr:`Limits.request_timeout` of its first byte
(408, then close; :meth:`SoapServer.request_deadline`, the caller keeping the clock).
"""

import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import attrs

from ..actions import actions_for
from ..validation import STRICT, STRICT_POLICY, Profile, ValidationError, ValidationPolicy
from ..version import Version
from .body import decode_body, encode_body
from .envelope import (
    Addressing,
    SoapFaultError,
    XmlLimits,
    build_fault_envelope,
    envelope_text,
    parse_envelope,
)
from .faults import Fault, FaultParseError, Subcode, parse_fault
from .http import (
    CLOSED,
    PAUSED,
    ConnectionClosed,
    Headers,
    HttpClient,
    HttpLimits,
    HttpLocalError,
    HttpRemoteError,
    HttpRequest,
    HttpResponse,
    HttpServer,
    NeedData,
    Paused,
    SendContinue,
    parse_content_type,
)
from .namespaces import (
    OCPP12_NAMESPACES,
    SOAP_VERSIONS,
    WSA_2005,
    WSA_ANONYMOUS,
    Service,
    action_uri,
    clark,
    element_name,
    lookup,
    namespace,
    operations,
    split_element_name,
)

#: SOAP 1.2 media type (SOAP 1.2 Part 2, section 7.1.4; RFC 3902).
SOAP_MEDIA_TYPE = "application/soap+xml"
#: Media types accepted for a received envelope: a SOAP 1.1 ``text/xml`` envelope gets a
#: ``VersionMismatch`` fault rather than a bare 415.
ACCEPTED_MEDIA_TYPES = frozenset({SOAP_MEDIA_TYPE, "text/xml", "application/xml"})


def content_type(action: str | None = None) -> str:
    """The Content-Type of an envelope, with the optional ``action`` parameter."""
    value = SOAP_MEDIA_TYPE + "; charset=utf-8"
    return value if action is None else f'{value}; action="{action}"'


def _positive(_inst: object, attribute: "attrs.Attribute[Any]", value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen
class Limits:
    """Limits of a connection: HTTP framing, then the XML document; and time."""

    http: HttpLimits = attrs.field(factory=HttpLimits)
    xml: XmlLimits = attrs.field(factory=XmlLimits)
    #: seconds from the first received byte of a request until the request is complete (head
    #: and body); slower: HTTP 408 and close (a request trickled a byte at a time, slow-loris).
    #: The default is the WebSocket handshake's (``ocpp_sansio.ws.Limits.handshake_timeout``),
    #: and the one-port front door passes its own ``handshake_timeout`` here: one limit bounds
    #: an OCPP-J upgrade request and an OCPP-S request alike. Waiting for a request to start
    #: on an idle kept-alive connection is not covered (the bindings' idle timeout is).
    request_timeout: float = attrs.field(default=20.0, validator=_positive)


@attrs.frozen(kw_only=True)
class CallReceived:
    """A valid request for the hosted service.

    ``namespace`` is the service namespace of the request (faults are qualified with it);
    ``target`` and ``headers`` are the HTTP request's, for the binding's own checks.
    """

    version: Version
    action: str
    message: Any
    identity: str
    addressing: Addressing
    namespace: str
    target: str = "/"
    headers: Headers = ()

    @property
    def message_id(self) -> str | None:
        return self.addressing.message_id

    @property
    def peer_address(self) -> str | None:
        """The caller's own endpoint: WS-Addressing ``From``, else a non-anonymous ``ReplyTo``."""
        return self.addressing.peer_address

    def fault(self, subcode: Subcode, reason: str, *more: str) -> Fault:
        """An OCPP fault qualified with this request's service namespace."""
        return Fault.ocpp(subcode, reason, self.namespace, *more)


@attrs.frozen(kw_only=True)
class ResultReceived:
    """The response to our call."""

    version: Version
    action: str
    message: Any
    addressing: Addressing
    status: int = 200


@attrs.frozen(kw_only=True)
class FaultReceived:
    """A SOAP fault in answer to our call (any code and subcode)."""

    version: Version
    action: str
    fault: Fault
    addressing: Addressing
    status: int = 500


class RemoteProtocolError(Exception):
    """The peer broke OCPP-S, SOAP or HTTP.

    On a :class:`SoapServer`, ``reply`` holds the bytes of the HTTP response to send (the SOAP
    fault ``fault``, or a plain HTTP error with ``status``); on a :class:`SoapClient` it is
    ``None``. ``validation`` is the payload's :class:`~ocpp_sansio.validation.ValidationError`
    when that was the cause.
    """

    def __init__(
        self, message: str, *, status: int, fault: Fault | None = None,
        reply: bytes | None = None, validation: ValidationError | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.fault = fault
        self.reply = reply
        self.validation = validation


class LocalProtocolError(Exception):
    """This API was misused (e.g. answering with a message of another action)."""


def _action_matches(header: str | None, action: str, is_request: bool) -> bool:
    """Whether a WS-Addressing Action names the operation.

    The WSDLs' ``wsaw:Action`` is ``/Op`` (``/OpResponse``); peers also send it prefixed with
    their namespace, or bare.
    """
    if header is None:
        return False
    uri = action_uri(action, is_request)
    return header == uri or header.endswith(uri) or header == uri[1:]


def _anonymous(ns: str) -> str:
    return WSA_ANONYMOUS[ns]


DEFAULT_XML_LIMITS = XmlLimits()


def read_request(
    data: bytes, service: Service, *, versions: Iterable[Version] = SOAP_VERSIONS,
    identity: str | None = None, policy: ValidationPolicy = STRICT_POLICY,
    limits: XmlLimits = DEFAULT_XML_LIMITS,
) -> CallReceived:
    """Check and decode a request envelope for ``service`` (the checks of the module docstring,
    below HTTP).

    Raises :class:`~.envelope.SoapFaultError` with the fault to answer; its subcodes are
    qualified with the request's service namespace (the newest served version's when the
    request names none).
    """
    served = versions if isinstance(versions, frozenset) else frozenset(versions)

    def default_ns() -> str:
        return namespace(max(served, key=SOAP_VERSIONS.index), service)

    try:
        envelope = parse_envelope(data, limits)
    except SoapFaultError as exc:
        fault = exc.fault
        if fault.subcodes and all(q.namespace is None for q in fault.subcodes):
            # Envelope-level faults do not know the service yet: qualify them now.
            fault = attrs.evolve(fault, subcodes=tuple(
                attrs.evolve(q, namespace=default_ns()) for q in fault.subcodes))
        raise SoapFaultError(fault, exc.addressing) from None
    body = envelope.body
    adr = envelope.addressing
    tag = str(body.tag)
    ns, _, local = tag[1:].partition("}") if tag[:1] == "{" else (None, "", tag)

    def fail(subcode: Subcode, reason: str, in_ns: str | None = None) -> NoReturn:
        raise SoapFaultError(Fault.ocpp(subcode, reason, in_ns or default_ns()), adr)

    found = lookup(ns)
    if found is None or ns is None:
        if ns in OCPP12_NAMESPACES:
            fail(Subcode.NotSupported, "OCPP 1.2 is not supported")
        fail(Subcode.ProtocolError, f"{body.tag} is not in an OCPP-S namespace")
    version, body_service = found
    if body_service is not service:
        fail(Subcode.ProtocolError, f"{local} is addressed to the {body_service.name} "
                                    f"service, this is the {service.name} service")
    if version not in served:
        fail(Subcode.NotSupported, f"OCPP {version} is not supported here", ns)
    caller = envelope.identity
    if caller is None:
        fail(Subcode.ProtocolError, "chargeBoxIdentity header missing", ns)
    if identity is not None and caller != identity:
        fail(Subcode.IdentityMismatch, f"chargeBoxIdentity {caller!r} is not {identity!r}", ns)
    split = split_element_name(local)
    if split is None or not split[1]:
        fail(Subcode.ProtocolError, f"{local} is not a request element", ns)
    action = split[0]
    if action not in operations(version, service):
        fail(Subcode.NotSupported, f"operation {action} is not supported", ns)
    if adr.action is None:
        fail(Subcode.ProtocolError, "WS-Addressing Action header missing", ns)
    if not _action_matches(adr.action, action, True):
        fail(Subcode.ProtocolError, f"Action {adr.action!r} does not match the body ({action})",
             ns)
    if not adr.message_id:
        fail(Subcode.ProtocolError, "WS-Addressing MessageID header missing", ns)
    profile = policy.profile("inbound", action, "request")
    try:
        message = decode_body(version, action, "request", body, profile)
    except ValidationError as exc:
        raise SoapFaultError(Fault.ocpp(
            Subcode.ProtocolError, exc.message, ns, str(exc.code)), adr) from exc
    return CallReceived(version=version, action=action, message=message, identity=caller,
                        addressing=adr, namespace=ns)


class SoapServer:
    """One incoming HTTP connection to the OCPP-S service we host.

    ``identity``, when given, is the only ``chargeBoxIdentity`` accepted (e.g. the charge
    point's own identity, or one the binding authenticated); otherwise any is, and the
    application may answer :meth:`CallReceived.fault` ``IdentityMismatch`` itself. ``address``
    is our service's URL, sent as ``From``.
    """

    def __init__(
        self, service: Service, *, new_message_id: Callable[[], str],
        address: str | None = None, identity: str | None = None,
        versions: Iterable[Version] = SOAP_VERSIONS, policy: ValidationPolicy = STRICT_POLICY,
        limits: Limits = Limits(), compress: bool = True,
        on_call: Callable[[CallReceived], None] | None = None,
    ) -> None:
        self.service = service
        self.address = address
        self.identity = identity
        self.versions = frozenset(versions)
        if not self.versions or not self.versions <= frozenset(SOAP_VERSIONS):
            raise LocalProtocolError(f"OCPP-S exists for {', '.join(SOAP_VERSIONS)} only")
        self.policy = policy
        self.limits = limits
        self.compress = compress
        self._new_message_id = new_message_id
        self._on_call = on_call
        self._http = HttpServer(limits.http)
        self._pending: CallReceived | None = None
        self._request_start: float | None = None

    @property
    def must_close(self) -> bool:
        """Whether the connection has to be closed once what was returned is sent."""
        return self._http.must_close

    @property
    def request_in_progress(self) -> bool:
        """Whether part of a request has been received and the request is not complete."""
        return self._http.request_in_progress

    def request_deadline(self, now: float) -> float | None:
        """When the request being received must be complete, or ``None`` when no request is
        in progress (an idle connection, or a complete request being answered).

        ``now`` is the caller's clock. The request's start is the ``now`` of the first call
        that finds it in progress, so call this whenever :meth:`next_event` returned
        ``NeedData`` (the bytes just fed started the request, if any did); a caller that
        knows an earlier start (e.g. when the first bytes were read elsewhere) passes it in
        the first call. Past the deadline, send :meth:`time_out` and close.
        """
        if not self._http.request_in_progress:
            self._request_start = None
            return None
        if self._request_start is None:
            self._request_start = now
        return self._request_start + self.limits.request_timeout

    def time_out(self) -> bytes:
        """The ``408 Request Timeout`` response (with ``Connection: close``) to a request not
        complete by its :meth:`request_deadline`; close the connection once it is sent."""
        self._request_start = None
        return self._http.time_out()

    def receive_data(self, data: bytes) -> None:
        """Feed bytes read from the socket (``b""`` at end of stream)."""
        try:
            self._http.receive_data(data)
        except HttpRemoteError as exc:
            raise RemoteProtocolError(str(exc), status=exc.status, reply=exc.reply) from None

    def next_event(self) -> CallReceived | SendContinue | NeedData | Paused | ConnectionClosed:
        """The next request, or what to do next (``SendContinue``: send its ``data``).

        Returns ``Paused`` while a received call is unanswered. Raises
        :class:`RemoteProtocolError` (send its ``reply``) for a request that breaks the
        protocol.
        """
        if self._pending is not None:
            return PAUSED
        try:
            event = self._http.next_event()
        except HttpRemoteError as exc:
            self._request_start = None
            raise RemoteProtocolError(str(exc), status=exc.status, reply=exc.reply) from None
        if not isinstance(event, HttpRequest):
            return event
        self._request_start = None  # complete: the next request's clock starts afresh
        call = self._handle(event)
        self._pending = call
        if self._on_call is not None:
            self._on_call(call)
        return call

    # -- receiving --------------------------------------------------------------------

    def _handle(self, request: HttpRequest) -> CallReceived:
        if request.method != "POST":
            reply = self._http.reject(405, f"method {request.method} not allowed, use POST")
            raise RemoteProtocolError(f"HTTP method {request.method}", status=405, reply=reply)
        media, _ = parse_content_type(request.header("content-type"))
        if media not in ACCEPTED_MEDIA_TYPES:
            reply = self._http.reject(415, f"expected {SOAP_MEDIA_TYPE}, got {media or 'none'}")
            raise RemoteProtocolError(f"media type {media!r}", status=415, reply=reply)
        try:
            call = read_request(
                request.body, self.service, versions=self.versions, identity=self.identity,
                policy=self.policy, limits=self.limits.xml,
            )
        except SoapFaultError as exc:
            fault = exc.fault
            reply = self._fault_reply(fault, exc.addressing)
            raise RemoteProtocolError(
                fault.reason, status=fault.http_status, fault=fault, reply=reply,
                validation=exc.__cause__ if isinstance(exc.__cause__, ValidationError) else None,
            ) from None
        return attrs.evolve(call, target=request.target, headers=request.headers)

    # -- answering --------------------------------------------------------------------

    def _reply_addressing(
        self, request: Addressing | None, action: str, *, fault: bool = False,
    ) -> Addressing:
        """Headers of an answer (WS-Addressing 1.0 Core, section 3.4: ``To`` is the request's
        ``ReplyTo``, or its ``FaultTo`` for a fault, anonymous by default)."""
        ns = request.namespace if request is not None else WSA_2005
        anonymous = _anonymous(ns)
        to = anonymous
        if request is not None:
            to = request.reply_to or anonymous
            if fault and request.fault_to:
                to = request.fault_to
        return Addressing(
            namespace=ns, action=action, message_id=self._new_message_id(),
            relates_to=None if request is None else request.message_id,
            from_=self.address or anonymous, reply_to=anonymous, to=to,
        )

    def _fault_reply(self, fault: Fault, request: Addressing | None) -> bytes:
        adr = self._reply_addressing(request, "", fault=True)
        data = build_fault_envelope(
            fault, relates_to=adr.relates_to, message_id=adr.message_id, from_=adr.from_,
            to=adr.to, wsa_namespace=adr.namespace,
        )
        return self._http.send_response(
            fault.http_status, [("Content-Type", content_type())], data, compress=self.compress,
        )

    def _take(self, call: CallReceived) -> None:
        if self._pending is not call:
            raise LocalProtocolError("that call is not the one awaiting an answer")

    def send_result(self, call: CallReceived, message: Any) -> bytes:
        """The HTTP response carrying ``message``, the answer to ``call``.

        ``message`` must be the response class of the call's action; it is validated under
        the outbound profile (an invalid one raises
        :class:`~ocpp_sansio.validation.ValidationError` or
        :class:`~.xmltext.UnrepresentableError`, and the call may still be answered).
        """
        self._take(call)
        try:
            spec, is_request = actions_for(call.version).of(message)
        except KeyError:
            raise LocalProtocolError(f"{type(message).__name__} is not an OCPP {call.version} "
                                     "message") from None
        if is_request or spec.name != call.action:
            raise LocalProtocolError(f"{type(message).__name__} does not answer {call.action}")
        profile = self.policy.profile("outbound", call.action, "response")
        adr = self._reply_addressing(call.addressing, action_uri(call.action, False))
        _, _, body = encode_body(call.version, message, call.namespace, profile, declare=False)
        data = envelope_text(ocpp_namespace=call.namespace, addressing=adr, body=body)
        self._pending = None
        return self._http.send_response(
            200, [("Content-Type", content_type())], data, compress=self.compress,
        )

    def send_fault(self, call: CallReceived, fault: Fault) -> bytes:
        """The HTTP response carrying ``fault`` (see :meth:`CallReceived.fault`)."""
        self._take(call)
        self._pending = None
        return self._fault_reply(fault, call.addressing)


def _split_url(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LocalProtocolError(f"not an http(s) URL: {url!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.netloc.rpartition("@")[2], target


def write_request(
    version: Version, service: Service, identity: str, message: Any, *, message_id: str,
    to: str, from_: str | None = None, profile: Profile = STRICT,
) -> bytes:
    """The envelope of a request ``message`` to ``service``: ``chargeBoxIdentity`` and the
    WS-Addressing headers in full (``ReplyTo`` anonymous; ``From`` anonymous unless given).

    Validates ``message`` under ``profile`` (:class:`~ocpp_sansio.validation.ValidationError`,
    :class:`~.xmltext.UnrepresentableError`); does not check that it is a request of
    ``service``.
    """
    ns = namespace(version, service)
    anonymous = _anonymous(WSA_2005)
    action, _, body = encode_body(version, message, ns, profile, declare=False)
    adr = Addressing(action=action_uri(action, True), message_id=message_id,
                     from_=from_ or anonymous, reply_to=anonymous, to=to)
    return envelope_text(ocpp_namespace=ns, addressing=adr, identity=identity, body=body)


class SoapClient:
    """One outgoing HTTP connection to a peer's OCPP-S service (``service``).

    ``identity`` is the charge point's identity (ours when we are the charge point, the
    callee's when we are the central system); ``url`` is the peer's service URL (sent as
    ``To``), ``address`` ours (sent as ``From``). One call at a time.
    """

    def __init__(
        self, service: Service, version: Version, identity: str, *, url: str,
        new_message_id: Callable[[], str], address: str | None = None,
        policy: ValidationPolicy = STRICT_POLICY, limits: Limits = Limits(),
        request_encoding: str | None = None, chunked: bool = False,
        accept_encoding: str | None = "gzip, deflate",
    ) -> None:
        if version not in SOAP_VERSIONS:
            raise LocalProtocolError(f"OCPP {version} has no SOAP binding")
        self.service = service
        self.version = version
        self.identity = identity
        self.url = url
        self.address = address
        self.policy = policy
        self.limits = limits
        self.request_encoding = request_encoding
        self.chunked = chunked
        self.accept_encoding = accept_encoding
        self.namespace = namespace(version, service)
        host, self.target = _split_url(url)
        self._new_message_id = new_message_id
        self._http = HttpClient(host, limits.http)
        self._pending: tuple[str, str] | None = None

    @property
    def must_close(self) -> bool:
        return self._http.must_close

    @property
    def idle(self) -> bool:
        """Whether a call may be sent now."""
        return self._pending is None and self._http.idle

    def send_call(self, message: Any) -> bytes:
        """The HTTP request carrying ``message`` (a request of the peer's service).

        Raises :class:`LocalProtocolError`, or, for an invalid message,
        :class:`~ocpp_sansio.validation.ValidationError` /
        :class:`~.xmltext.UnrepresentableError`.
        """
        if self._pending is not None:
            raise LocalProtocolError("a call is already waiting for its answer")
        try:
            spec, is_request = actions_for(self.version).of(message)
        except KeyError:
            raise LocalProtocolError(f"{type(message).__name__} is not an OCPP {self.version} "
                                     "message") from None
        if not is_request:
            raise LocalProtocolError(f"{type(message).__name__} is not a request")
        if spec.name not in operations(self.version, self.service):
            raise LocalProtocolError(f"{spec.name} is not an operation of the "
                                     f"{self.service.name} service")
        profile = self.policy.profile("outbound", spec.name, "request")
        message_id = self._new_message_id()
        envelope = write_request(
            self.version, self.service, self.identity, message, message_id=message_id,
            to=self.url, from_=self.address, profile=profile,
        )
        try:
            data = self._http.send_request(
                "POST", self.target,
                [("Content-Type", content_type(action_uri(spec.name, True)))], envelope,
                content_encoding=self.request_encoding, accept_encoding=self.accept_encoding,
                chunked=self.chunked,
            )
        except HttpLocalError as exc:
            raise LocalProtocolError(str(exc)) from exc
        self._pending = (spec.name, message_id)
        return data

    def receive_data(self, data: bytes) -> None:
        """Feed bytes read from the socket (``b""`` at end of stream)."""
        try:
            self._http.receive_data(data)
        except HttpRemoteError as exc:
            raise RemoteProtocolError(str(exc), status=exc.status) from None

    def next_event(self) -> ResultReceived | FaultReceived | NeedData | ConnectionClosed:
        """The answer to the pending call, or ``NeedData``/``ConnectionClosed``.

        Raises :class:`RemoteProtocolError` if the answer is not a valid one.
        """
        try:
            event = self._http.next_event()
        except HttpRemoteError as exc:
            self._pending = None
            raise RemoteProtocolError(str(exc), status=exc.status) from None
        if isinstance(event, ConnectionClosed):
            if self._pending is not None:
                self._pending = None
                raise RemoteProtocolError("connection closed before the answer", status=0)
            return CLOSED
        if not isinstance(event, HttpResponse):
            return event
        if self._pending is None:
            raise RemoteProtocolError("a response without a request", status=event.status)
        action, message_id = self._pending
        self._pending = None
        return self._answer(event, action, message_id)

    def _answer(
        self, response: HttpResponse, action: str, message_id: str,
    ) -> ResultReceived | FaultReceived:
        status = response.status
        media, _ = parse_content_type(response.header("content-type"))
        if media not in ACCEPTED_MEDIA_TYPES or not response.body:
            raise RemoteProtocolError(
                f"HTTP {status} {response.reason} without a SOAP envelope", status=status)
        try:
            envelope = parse_envelope(response.body, self.limits.xml)
        except SoapFaultError as exc:
            raise RemoteProtocolError(f"invalid answer: {exc.fault.reason}",
                                      status=status) from None
        adr = envelope.addressing
        if adr.relates_to is not None and adr.relates_to != message_id:
            raise RemoteProtocolError(
                f"RelatesTo {adr.relates_to!r} is not our MessageID {message_id!r}",
                status=status)
        if envelope.is_fault:
            try:
                fault = parse_fault(envelope.body)
            except FaultParseError as exc:
                raise RemoteProtocolError(f"malformed fault: {exc}", status=status) from None
            return FaultReceived(version=self.version, action=action, fault=fault,
                                 addressing=adr, status=status)
        if not 200 <= status < 300:
            raise RemoteProtocolError(f"HTTP {status} with a non-fault body", status=status)
        expected = clark(self.namespace, element_name(action, False))
        if envelope.body.tag != expected:
            raise RemoteProtocolError(f"answer {envelope.body.tag} is not {expected}",
                                      status=status)
        if adr.action is not None and not _action_matches(adr.action, action, False):
            raise RemoteProtocolError(f"Action {adr.action!r} does not match the body",
                                      status=status)
        profile = self.policy.profile("inbound", action, "response")
        try:
            message = decode_body(self.version, action, "response", envelope.body, profile)
        except ValidationError as exc:
            raise RemoteProtocolError(f"invalid {action} response: {exc.message}",
                                      status=status, validation=exc) from None
        return ResultReceived(version=self.version, action=action, message=message,
                              addressing=adr, status=status)


@attrs.define
class Peer:
    """What an endpoint knows of a charge point: its version and its endpoint address."""

    identity: str
    version: Version
    address: str | None = None


class SoapEndpoint:
    """The OCPP-S service we host, towards any number of peers.

    Makes :class:`SoapServer` connections for incoming HTTP connections and
    :class:`SoapClient` connections to peers, and remembers each peer (by charge point
    identity) from the calls it makes: its version and the address it gave (WS-Addressing
    ``From``, else a non-anonymous ``ReplyTo``; a call giving neither keeps the address known).
    """

    def __init__(
        self, service: Service, *, new_message_id: Callable[[], str],
        address: str | None = None, versions: Iterable[Version] = SOAP_VERSIONS,
        policy: ValidationPolicy = STRICT_POLICY, limits: Limits = Limits(),
    ) -> None:
        self.service = service
        self.address = address
        self.versions = frozenset(versions)
        self.policy = policy
        self.limits = limits
        self.new_message_id = new_message_id
        self.peers: dict[str, Peer] = {}

    def learn(self, call: CallReceived) -> None:
        """Record what ``call`` tells of its sender."""
        peer = self.peers.get(call.identity)
        if peer is None:
            peer = self.peers[call.identity] = Peer(call.identity, call.version)
        peer.version = call.version
        if call.peer_address is not None:
            peer.address = call.peer_address

    def server(self, *, identity: str | None = None, compress: bool = True) -> SoapServer:
        """A server connection for a newly accepted HTTP connection."""
        return SoapServer(
            self.service, new_message_id=self.new_message_id, address=self.address,
            identity=identity, versions=self.versions, policy=self.policy, limits=self.limits,
            compress=compress, on_call=self.learn,
        )

    def client(
        self, identity: str, *, url: str | None = None, version: Version | None = None,
        **options: Any,
    ) -> SoapClient:
        """A client connection to the peer's service.

        ``url`` and ``version`` default to what was learned from the peer; ``options`` go to
        :class:`SoapClient` (``request_encoding``, ``chunked``, ``accept_encoding``).
        """
        peer = self.peers.get(identity)
        url = url or (peer.address if peer is not None else None)
        version = version or (peer.version if peer is not None else None)
        if url is None or version is None:
            raise LocalProtocolError(f"no known address or version for {identity!r}")
        return SoapClient(
            self.service.peer, version, identity, url=url, new_message_id=self.new_message_id,
            address=self.address, policy=self.policy, limits=self.limits, **options,
        )
