"""SOAP 1.2 faults with the OCPP-S subcodes: the model, XML in and out, HTTP status codes.

A SOAP 1.2 fault (SOAP 1.2 Part 1, section 5.4) has a ``Code`` whose ``Value`` is one of the
five SOAP fault codes, optionally refined by a chain of ``Subcode`` values (qualified names),
a ``Reason`` text, and optional ``Node``, ``Role`` and ``Detail``.

OCPP-S uses ``env:Sender`` / ``env:Receiver`` with an OCPP subcode, qualified with the
namespace of the service (``tns``):

==========  ==================  ===============================================================
code        subcode             meaning
==========  ==================  ===============================================================
Sender      SecurityError       a security issue prevented the receiver from processing
Sender      IdentityMismatch    the ``chargeBoxIdentity`` is not the one expected of the sender
Sender      ProtocolError       the message breaks the protocol (payload incomplete or invalid)
Receiver    InternalError       the receiver failed while processing the request
Receiver    NotSupported        the operation is not supported by the receiver
==========  ==================  ===============================================================

The OCPP 1.6-S errata sheet (v1.0, 2019-12-04, section 3.1) makes the fault the required
answer whenever a request cannot be processed and its confirmation cannot carry the error.
Any code and subcode is accepted on input. When this library reports a payload that breaks its
schema it sends ``Sender`` / ``ProtocolError`` with a second-level subcode naming the OCPP-J
error of the same kind (``TypeConstraintViolation``...), so the cause stays machine-readable.

HTTP status codes follow SOAP 1.2 Part 2, section 7.5.2.2 (Table 20): ``Sender`` -> 400,
every other code -> 500.
"""

import copy
import enum

import attrs
from lxml import etree

from .namespaces import SOAP12_ENV, XML_NS, clark


class FaultCode(enum.StrEnum):
    """The SOAP 1.2 fault code values (SOAP 1.2 Part 1, section 5.4.6)."""

    VersionMismatch = "VersionMismatch"
    MustUnderstand = "MustUnderstand"
    DataEncodingUnknown = "DataEncodingUnknown"
    Sender = "Sender"
    Receiver = "Receiver"


class Subcode(enum.StrEnum):
    """The OCPP-S fault subcodes; :attr:`code` is the SOAP fault code each goes with."""

    SecurityError = "SecurityError"
    IdentityMismatch = "IdentityMismatch"
    ProtocolError = "ProtocolError"
    InternalError = "InternalError"
    NotSupported = "NotSupported"

    @property
    def code(self) -> FaultCode:
        if self in (Subcode.InternalError, Subcode.NotSupported):
            return FaultCode.Receiver
        return FaultCode.Sender


@attrs.frozen
class QName:
    """A qualified name of a fault subcode: namespace (``None`` if unqualified) and local part."""

    namespace: str | None
    name: str

    def __str__(self) -> str:
        return self.name if self.namespace is None else f"{{{self.namespace}}}{self.name}"


@attrs.frozen(kw_only=True)
class Fault:
    """A SOAP 1.2 fault.

    ``subcodes`` is the chain of ``Subcode`` values, outermost first. ``detail`` holds the
    serialised children of ``env:Detail`` (XML text) when the fault has one.
    ``not_understood`` lists, for a ``MustUnderstand`` fault, the header blocks that were not
    understood: they are reported in ``env:NotUnderstood`` header blocks of the reply.
    """

    code: FaultCode
    reason: str
    subcodes: tuple[QName, ...] = ()
    lang: str = "en"
    node: str | None = None
    role: str | None = None
    detail: str | None = None
    not_understood: tuple[QName, ...] = ()

    @property
    def subcode(self) -> str | None:
        """The local name of the first subcode (``"IdentityMismatch"``), if any."""
        return self.subcodes[0].name if self.subcodes else None

    @property
    def http_status(self) -> int:
        """The HTTP status of a response carrying this fault (SOAP 1.2 Part 2, Table 20)."""
        return 400 if self.code is FaultCode.Sender else 500

    @classmethod
    def ocpp(
        cls, subcode: Subcode, reason: str, namespace: str | None, *more: str,
        detail: str | None = None,
    ) -> "Fault":
        """An OCPP fault: the code that goes with ``subcode``, qualified with ``namespace``.

        ``more`` adds further subcode levels in the same namespace.
        """
        chain = (QName(namespace, subcode.value), *(QName(namespace, m) for m in more))
        return cls(code=subcode.code, reason=reason, subcodes=chain, detail=detail)


class FaultParseError(ValueError):
    """An ``env:Fault`` element that is not a well-formed SOAP 1.2 fault."""


_ENV = clark(SOAP12_ENV, "")
_LANG = clark(XML_NS, "lang")


def fault_element(fault: Fault) -> etree._Element:
    """The ``env:Fault`` element of ``fault``.

    The SOAP namespace (prefix ``soap``) and the subcode namespaces (prefixes ``tns``,
    ``ns1``...) are declared on the element itself, so the qualified names in its text
    content resolve wherever it is inserted.
    """
    prefixes: dict[str, str] = {}
    for q in fault.subcodes:
        if q.namespace is not None and q.namespace not in prefixes:
            prefixes[q.namespace] = "tns" if not prefixes else f"ns{len(prefixes)}"
    own: dict[str, str] = {"soap": SOAP12_ENV}
    own.update({p: ns for ns, p in prefixes.items()})
    el = etree.Element(_ENV + "Fault", nsmap=own)
    code = etree.SubElement(el, _ENV + "Code")
    etree.SubElement(code, _ENV + "Value").text = f"soap:{fault.code.value}"
    parent = code
    for q in fault.subcodes:
        sub = etree.SubElement(parent, _ENV + "Subcode")
        value = etree.SubElement(sub, _ENV + "Value")
        value.text = q.name if q.namespace is None else f"{prefixes[q.namespace]}:{q.name}"
        parent = sub
    reason = etree.SubElement(el, _ENV + "Reason")
    text = etree.SubElement(reason, _ENV + "Text")
    text.set(_LANG, fault.lang)
    text.text = fault.reason
    if fault.node is not None:
        etree.SubElement(el, _ENV + "Node").text = fault.node
    if fault.role is not None:
        etree.SubElement(el, _ENV + "Role").text = fault.role
    if fault.detail is not None:
        detail = etree.SubElement(el, _ENV + "Detail")
        _fill_detail(detail, fault.detail)
    return el


def _fill_detail(detail: etree._Element, text: str) -> None:
    try:
        holder = etree.fromstring(f"<d>{text}</d>", _DETAIL_PARSER)
    except etree.XMLSyntaxError:
        detail.text = text
        return
    detail.text = holder.text
    for child in holder:
        detail.append(child)


_DETAIL_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _qname(el: etree._Element, text: str | None) -> QName:
    value = (text or "").strip()
    if not value:
        raise FaultParseError("empty fault code value")
    prefix, sep, local = value.rpartition(":")
    if not sep:
        return QName(el.nsmap.get(None), value)
    ns = el.nsmap.get(prefix)
    # An undeclared prefix is kept readable rather than rejected: any subcode is accepted.
    return QName(ns, local) if ns is not None else QName(None, value)


def parse_fault(el: etree._Element) -> Fault:
    """A :class:`Fault` from an ``env:Fault`` element (:class:`FaultParseError` if malformed)."""
    code_el = el.find(_ENV + "Code")
    if code_el is None:
        raise FaultParseError("env:Fault without env:Code")
    value_el = code_el.find(_ENV + "Value")
    if value_el is None:
        raise FaultParseError("env:Code without env:Value")
    code_q = _qname(value_el, value_el.text)
    try:
        code = FaultCode(code_q.name)
    except ValueError:
        raise FaultParseError(f"unknown SOAP fault code {code_q}") from None
    if code_q.namespace not in (SOAP12_ENV, None):
        raise FaultParseError(f"fault code {code_q} is not in the SOAP 1.2 namespace")
    subcodes: list[QName] = []
    parent = code_el
    while (sub := parent.find(_ENV + "Subcode")) is not None:
        sub_value = sub.find(_ENV + "Value")
        if sub_value is None:
            raise FaultParseError("env:Subcode without env:Value")
        subcodes.append(_qname(sub_value, sub_value.text))
        parent = sub
    reason_el = el.find(_ENV + "Reason")
    texts = [] if reason_el is None else reason_el.findall(_ENV + "Text")
    chosen = next((t for t in texts if (t.get(_LANG) or "").startswith("en")), None)
    if chosen is None and texts:
        chosen = texts[0]
    node = el.findtext(_ENV + "Node")
    role = el.findtext(_ENV + "Role")
    detail_el = el.find(_ENV + "Detail")
    detail = None
    if detail_el is not None:
        parts = [detail_el.text or ""]
        for child in detail_el:
            standalone = copy.deepcopy(child)
            etree.cleanup_namespaces(standalone)  # drop the envelope's unused declarations
            parts.append(etree.tostring(standalone, encoding="unicode"))
        detail = "".join(parts)
    return Fault(
        code=code,
        reason="" if chosen is None else (chosen.text or ""),
        subcodes=tuple(subcodes),
        lang="en" if chosen is None else (chosen.get(_LANG) or ""),
        node=None if node is None else node.strip(),
        role=None if role is None else role.strip(),
        detail=detail,
    )
