"""SOAP 1.2 envelopes of OCPP-S: safe parsing, header blocks, and emission.

Input (:func:`parse_envelope`):

- the XML is parsed only after the document prologue has been checked: any document type
  declaration is refused before libxml2 sees it (SOAP 1.2 Part 1, section 5: "A SOAP message
  MUST NOT contain a Document Type Declaration"), which also rules out every entity expansion
  and external entity attack; the parser itself never resolves entities, never touches the
  network and keeps libxml2's default tree limits. Size and nesting depth are bounded by
  :class:`XmlLimits`. Comments and processing instructions are dropped;
- the root must be ``env:Envelope`` in the SOAP 1.2 namespace (else ``VersionMismatch``,
  section 5.4.7), holding an optional ``env:Header`` and one ``env:Body`` with exactly one
  element (document/literal);
- header blocks understood: ``chargeBoxIdentity`` (in any OCPP-S namespace; OCPP 1.5 and 1.6
  WSDLs, ``soap12:header`` part ``ChargeBoxIdentity``), and the WS-Addressing headers
  ``Action``, ``MessageID``, ``RelatesTo``, ``To``, ``From``, ``ReplyTo``, ``FaultTo`` in the
  2005/08 or the 2004/08 namespace. Any other block marked ``mustUnderstand`` and targeted at
  this node gets a ``MustUnderstand`` fault (section 5.4.8).

Output (:func:`envelope_text`, written as text; lxml trees for faults): an XML declaration,
the envelope with prefixes ``soap``, ``wsa`` and ``cs``/``cp`` for the OCPP namespace,
``chargeBoxIdentity`` with ``soap:mustUnderstand="true"``, then the WS-Addressing headers that
apply, always in full.

Problems with a received envelope raise :class:`SoapFaultError` carrying the fault to answer
with.
"""

import codecs
import re
import threading
from collections.abc import Callable
from functools import cache

import attrs
from lxml import etree

from . import xmltext
from .faults import Fault, FaultCode, QName, Subcode, fault_element
from .namespaces import (
    OCPP12_NAMESPACES,
    ROLE_NEXT,
    ROLE_ULTIMATE_RECEIVER,
    SOAP11_ENV,
    SOAP12_ENV,
    SOAP_VERSIONS,
    WSA_2004,
    WSA_2005,
    WSA_ANONYMOUS,
    WSA_FAULT_ACTION,
    WSA_NAMESPACES,
    WSA_NONE,
    Service,
    clark,
    namespace,
    prefix,
)


class SoapFaultError(Exception):
    """A received message cannot be processed; ``fault`` is the SOAP fault to answer with.

    ``addressing`` holds the message's WS-Addressing headers when they could be read, so the
    fault can be related to the request.
    """

    def __init__(self, fault: Fault, addressing: "Addressing | None" = None) -> None:
        super().__init__(fault.reason)
        self.fault = fault
        self.addressing = addressing


@attrs.frozen
class XmlLimits:
    """Bounds on a received envelope."""

    max_bytes: int = 4 * 1024 * 1024  #: size of the XML document
    max_depth: int = 32  #: element nesting, the envelope being level 1


@attrs.frozen(kw_only=True)
class Addressing:
    """The WS-Addressing message headers (WS-Addressing 1.0 Core, section 3).

    ``from_``, ``reply_to`` and ``fault_to`` are the endpoint references' addresses.
    ``namespace`` is the WS-Addressing namespace the message used (2005/08 when it had none).
    """

    namespace: str = WSA_2005
    action: str | None = None
    message_id: str | None = None
    relates_to: str | None = None
    to: str | None = None
    from_: str | None = None
    reply_to: str | None = None
    fault_to: str | None = None

    @property
    def anonymous(self) -> str:
        """The anonymous address in this message's WS-Addressing namespace."""
        return WSA_ANONYMOUS[self.namespace]

    def is_addressable(self, address: str | None) -> bool:
        """Whether ``address`` names a real endpoint (not missing, anonymous or none)."""
        return bool(address) and address not in (
            WSA_ANONYMOUS[WSA_2005], WSA_ANONYMOUS[WSA_2004], WSA_NONE
        )

    @property
    def peer_address(self) -> str | None:
        """The sender's own endpoint, if it told: ``From``, else a non-anonymous ``ReplyTo``."""
        if self.is_addressable(self.from_):
            return self.from_
        if self.is_addressable(self.reply_to):
            return self.reply_to
        return None


@attrs.frozen(kw_only=True)
class Envelope:
    """A parsed envelope: the header values OCPP-S uses and the body's single element."""

    identity: str | None
    addressing: Addressing
    body: etree._Element

    @property
    def is_fault(self) -> bool:
        return self.body.tag == _FAULT

    @property
    def body_namespace(self) -> str | None:
        return etree.QName(self.body).namespace


_ENV = clark(SOAP12_ENV, "")
_ENVELOPE = _ENV + "Envelope"
_HEADER = _ENV + "Header"
_BODY = _ENV + "Body"
_FAULT = _ENV + "Fault"
_MUST_UNDERSTAND = _ENV + "mustUnderstand"
_ROLE = _ENV + "role"
_WSA_FIELDS = {
    "Action": "action", "MessageID": "message_id", "RelatesTo": "relates_to", "To": "to",
    "From": "from_", "ReplyTo": "reply_to", "FaultTo": "fault_to",
}
_EPR = frozenset({"From", "ReplyTo", "FaultTo"})
_WSA_ORDER = ("Action", "MessageID", "RelatesTo", "From", "ReplyTo", "FaultTo", "To")
_XML_SPACE = " \t\r\n"


def _sender(subcode: Subcode, reason: str, ns: str | None = None) -> SoapFaultError:
    return SoapFaultError(Fault.ocpp(subcode, reason, ns))


# --- parsing ---------------------------------------------------------------------------


class _Parsers(threading.local):
    # lxml parser objects must not be shared between threads.
    def __init__(self) -> None:
        self.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
            dtd_validation=False, remove_comments=True, remove_pis=True, collect_ids=False,
        )


_PARSERS = _Parsers()


def _as_bytes(data: bytes) -> bytes:
    """The document in an ASCII-compatible encoding, for the prologue scanner."""
    if data[:1] == b"<" and data[1:2] not in (b"\x00", b""):
        return data  # UTF-8 or another ASCII-compatible encoding, no BOM
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, "replace").encode("utf-8")
    for pattern, codec, unit in ((b"\x00\x00\x00<", "utf-32-be", 4),
                                 (b"<\x00\x00\x00", "utf-32-le", 4),
                                 (b"\x00<\x00", "utf-16-be", 2), (b"<\x00", "utf-16-le", 2)):
        if data.startswith(pattern):
            whole = data[: len(data) - len(data) % unit]
            return whole.decode(codec, "replace").encode("utf-8")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:]
    return data


_PROLOGUE_ITEM = re.compile(rb"[ \t\r\n]+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _prologue_problem(data: bytes) -> str | None:
    """Why the prologue is refused (a DTD, or no markup at all), or ``None`` if it is fine.

    Skips the XML declaration, comments, processing instructions and white space that may
    precede the root element (XML 1.0, production [22] ``prolog``), then looks at what
    follows: only an element may.
    """
    doc = _as_bytes(data)
    i = 0
    while (m := _PROLOGUE_ITEM.match(doc, i)) is not None:
        i = m.end()
    if doc.startswith(b"<!", i) and not doc.startswith(b"<!--", i):
        return "document type declarations are not allowed in SOAP messages"
    if not doc.startswith(b"<", i):
        return "the document does not start with markup"
    return None


@cache
def _too_deep(max_depth: int) -> Callable[[etree._Element], bool]:
    xpath = etree.XPath("boolean(" + "/*" * (max_depth + 1) + ")")

    def check(root: etree._Element) -> bool:
        return bool(xpath(root))

    return check


def parse_xml(data: bytes, limits: XmlLimits = XmlLimits()) -> etree._Element:
    """Parse a SOAP message safely; raises :class:`SoapFaultError` on any problem."""
    if len(data) > limits.max_bytes:
        raise _sender(Subcode.SecurityError, f"message larger than {limits.max_bytes} bytes")
    why = _prologue_problem(data)
    if why is not None:
        subcode = Subcode.SecurityError if "declaration" in why else Subcode.ProtocolError
        raise _sender(subcode, why)
    try:
        root = etree.fromstring(data, _PARSERS.parser)
    except etree.XMLSyntaxError as exc:
        raise _sender(Subcode.ProtocolError, f"malformed XML: {exc}") from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding name
        raise _sender(Subcode.ProtocolError, f"unreadable XML: {exc}") from None
    if root is None:  # pragma: no cover - lxml raises on empty documents
        raise _sender(Subcode.ProtocolError, "empty document")
    docinfo = root.getroottree().docinfo
    doctype: object = getattr(docinfo, "doctype", "")  # not in the type stubs
    if doctype or docinfo.internalDTD is not None:
        raise _sender(Subcode.SecurityError,
                      "document type declarations are not allowed in SOAP messages")
    if _too_deep(limits.max_depth)(root):
        raise _sender(Subcode.SecurityError, f"elements nested deeper than {limits.max_depth}")
    return root


def _text(el: etree._Element) -> str:
    return (el.text or "").strip(_XML_SPACE)


def _true(value: str | None) -> bool:
    return value is not None and value.strip(_XML_SPACE) in ("true", "1")


def _targets_us(block: etree._Element) -> bool:
    role = block.get(_ROLE)
    return role is None or role.strip(_XML_SPACE) in ("", ROLE_NEXT, ROLE_ULTIMATE_RECEIVER)


def parse_envelope(data: bytes, limits: XmlLimits = XmlLimits()) -> Envelope:
    """Parse and check a SOAP 1.2 envelope (see the module docstring for the rules)."""
    root = parse_xml(data, limits)
    if root.tag != _ENVELOPE:
        what = "SOAP 1.1" if root.tag == clark(SOAP11_ENV, "Envelope") else repr(root.tag)
        raise SoapFaultError(Fault(
            code=FaultCode.VersionMismatch,
            reason=f"expected a SOAP 1.2 envelope, got {what}",
        ))
    header: etree._Element | None = None
    body: etree._Element | None = None
    for child in root:
        if child.tag == _HEADER and header is None and body is None:
            header = child
        elif child.tag == _BODY and body is None:
            body = child
        else:
            raise _sender(Subcode.ProtocolError, f"unexpected {child.tag} in env:Envelope")
    identity, addressing = _parse_header(header)
    if body is None:
        raise SoapFaultError(Fault.ocpp(Subcode.ProtocolError, "no env:Body", None), addressing)
    payload = list(body)
    if len(payload) != 1:
        raise SoapFaultError(Fault.ocpp(
            Subcode.ProtocolError, f"env:Body holds {len(payload)} elements, expected 1", None,
        ), addressing)
    if (body.text or "").strip(_XML_SPACE) or (payload[0].tail or "").strip(_XML_SPACE):
        raise SoapFaultError(
            Fault.ocpp(Subcode.ProtocolError, "text content in env:Body", None), addressing)
    return Envelope(identity=identity, addressing=addressing, body=payload[0])


# Header blocks understood, by Clark name: WS-Addressing (field, namespace, is an EPR) and
# chargeBoxIdentity (unqualified or in any OCPP-S namespace, 1.2 included).
_WSA_TAGS = {
    clark(ns, local): (field, ns, local in _EPR)
    for ns in WSA_NAMESPACES for local, field in _WSA_FIELDS.items()
}
_IDENTITY_TAGS = frozenset(
    clark(ns, "chargeBoxIdentity") for ns in (
        None, *OCPP12_NAMESPACES, *(namespace(v, s) for v in SOAP_VERSIONS for s in Service),
    )
)


def _split(tag: str) -> tuple[str | None, str]:
    if tag[:1] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag


def _parse_header(header: etree._Element | None) -> tuple[str | None, Addressing]:
    identity: str | None = None
    seen_identity = False
    values: dict[str, str] = {}
    wsa_ns: str | None = None
    not_understood: list[QName] = []
    if header is not None:
        for block in header:
            tag = block.tag
            wsa = _WSA_TAGS.get(tag)
            if wsa is not None:
                field, ns, is_epr = wsa
                if field in values:
                    raise _sender(Subcode.ProtocolError, f"duplicate WS-Addressing {field} header")
                if wsa_ns is None:
                    wsa_ns = ns
                if is_epr:
                    address = block.find(clark(ns, "Address"))
                    values[field] = "" if address is None else _text(address)
                else:
                    values[field] = _text(block)
            elif tag in _IDENTITY_TAGS:
                if seen_identity:
                    raise _sender(Subcode.ProtocolError, "duplicate chargeBoxIdentity header")
                seen_identity = True
                identity = _text(block)
            elif isinstance(tag, str) and _true(block.get(_MUST_UNDERSTAND)) and \
                    _targets_us(block):
                not_understood.append(QName(*_split(tag)))
    if not_understood:
        names = ", ".join(str(q) for q in not_understood)
        raise SoapFaultError(Fault(
            code=FaultCode.MustUnderstand,
            reason=f"header blocks not understood: {names}",
            not_understood=tuple(not_understood),
        ))
    addressing = Addressing(namespace=wsa_ns or WSA_2005, **values)
    return identity or None, addressing


# --- emission --------------------------------------------------------------------------

def new_envelope(
    *, ocpp_namespace: str | None, wsa_namespace: str = WSA_2005,
) -> tuple[etree._Element, etree._Element, etree._Element]:
    """An empty envelope: ``(envelope, header, body)``, prefixes declared on the root."""
    nsmap: dict[str, str] = {"soap": SOAP12_ENV, "wsa": wsa_namespace}
    if ocpp_namespace is not None:
        nsmap[prefix(ocpp_namespace)] = ocpp_namespace
    root = etree.Element(_ENVELOPE, nsmap=nsmap)
    header = etree.SubElement(root, _HEADER)
    body = etree.SubElement(root, _BODY)
    return root, header, body


def add_identity(header: etree._Element, ocpp_namespace: str, identity: str) -> None:
    """The ``chargeBoxIdentity`` header block, ``mustUnderstand="true"``."""
    el = etree.SubElement(header, clark(ocpp_namespace, "chargeBoxIdentity"))
    el.set(_MUST_UNDERSTAND, "true")
    el.text = identity


def add_addressing(header: etree._Element, addressing: Addressing) -> None:
    """The WS-Addressing headers of ``addressing`` that are set, in the usual order."""
    ns = addressing.namespace
    wsa = clark(ns, "")
    for local in _WSA_ORDER:
        value = getattr(addressing, _WSA_FIELDS[local])
        if value is None:
            continue
        el = etree.SubElement(header, wsa + local)
        if local in _EPR:
            etree.SubElement(el, wsa + "Address").text = value
        else:
            el.text = value


def add_fault_headers(header: etree._Element, fault: Fault) -> None:
    """``env:Upgrade`` for VersionMismatch (5.4.7), ``env:NotUnderstood`` blocks (5.4.8)."""
    if fault.code is FaultCode.VersionMismatch:
        upgrade = etree.SubElement(header, _ENV + "Upgrade")
        supported = etree.SubElement(upgrade, _ENV + "SupportedEnvelope",
                                     nsmap={"ns": SOAP12_ENV})
        supported.set("qname", "ns:Envelope")
    for i, q in enumerate(fault.not_understood):
        if q.namespace is None:
            etree.SubElement(header, _ENV + "NotUnderstood").set("qname", q.name)
            continue
        prefix = f"nu{i}"
        el = etree.SubElement(header, _ENV + "NotUnderstood", nsmap={prefix: q.namespace})
        el.set("qname", f"{prefix}:{q.name}")


def envelope_text(
    *, ocpp_namespace: str | None, addressing: Addressing, identity: str | None = None,
    body: str,
) -> bytes:
    """A complete envelope, written as text: the XML declaration, prefixes ``soap``, ``wsa``
    and ``cs``/``cp`` on the root, ``chargeBoxIdentity`` (``mustUnderstand="true"``) when
    given, the WS-Addressing headers that are set, and ``body`` (the body element's text,
    using the OCPP prefix). Raises :class:`~.xmltext.UnrepresentableError` for header values
    XML cannot carry."""
    parts = ['<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n<soap:Envelope xmlns:soap="',
             SOAP12_ENV, '" xmlns:wsa="', xmltext.attribute(addressing.namespace), '"']
    pfx = prefix(ocpp_namespace)
    if ocpp_namespace is not None:
        parts += [" xmlns:", pfx, '="', xmltext.attribute(ocpp_namespace), '"']
    parts.append("><soap:Header>")
    if identity is not None:
        if ocpp_namespace is None:
            raise ValueError("chargeBoxIdentity needs the OCPP namespace")
        parts += ["<", pfx, ':chargeBoxIdentity soap:mustUnderstand="true">',
                  xmltext.text(identity, "chargeBoxIdentity"), "</", pfx, ":chargeBoxIdentity>"]
    for local in _WSA_ORDER:
        value = getattr(addressing, _WSA_FIELDS[local])
        if value is None:
            continue
        escaped = xmltext.text(value, f"wsa:{local}")
        if local in _EPR:
            parts += ["<wsa:", local, "><wsa:Address>", escaped, "</wsa:Address></wsa:", local,
                      ">"]
        else:
            parts += ["<wsa:", local, ">", escaped, "</wsa:", local, ">"]
    parts += ["</soap:Header><soap:Body>", body, "</soap:Body></soap:Envelope>"]
    return "".join(parts).encode("utf-8")


def serialize(root: etree._Element) -> bytes:
    """The envelope as UTF-8 bytes with an XML declaration."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def build_fault_envelope(
    fault: Fault, *, relates_to: str | None, message_id: str | None, from_: str | None,
    to: str | None = None, wsa_namespace: str = WSA_2005,
) -> bytes:
    """A complete envelope carrying ``fault`` (Action: the WS-Addressing fault action)."""
    root, header, body = new_envelope(ocpp_namespace=None, wsa_namespace=wsa_namespace)
    add_fault_headers(header, fault)
    add_addressing(header, Addressing(
        namespace=wsa_namespace, action=WSA_FAULT_ACTION[wsa_namespace], message_id=message_id,
        relates_to=relates_to, from_=from_, to=to or WSA_ANONYMOUS[wsa_namespace],
    ))
    body.append(fault_element(fault))
    return serialize(root)
