"""Writing XML as text: escaping, character and name checks.

Envelopes and bodies are written as text rather than built as lxml trees (an order of
magnitude faster), so the XML 1.0 rules lxml would enforce are enforced here:

- only characters of XML 1.0 production [2] ``Char`` (no NUL, no C0 controls other than tab,
  line feed and carriage return, no U+FFFE/U+FFFF, no lone surrogates);
- in text, ``&``, ``<`` and ``>`` are escaped, and carriage return as ``&#13;`` (a literal one
  would be read back as a line feed, XML 1.0 section 2.11);
- in attribute values, also ``"`` and tab, line feed and carriage return (attribute value
  normalisation, section 3.3.3, would turn them into spaces);
- element names written from data (unknown properties kept by the lenient profile) must be
  XML names.
"""

import re

__all__ = ["UnrepresentableError", "attribute", "is_name", "text"]


class UnrepresentableError(ValueError):
    """A message value cannot be written as XML 1.0 (e.g. a control character in a string)."""


# Anything outside [2] Char, or that needs escaping in text / in attribute values.
_TEXT_SPECIAL = re.compile(
    "[^\t\n\x20-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTR_SPECIAL = re.compile(
    "[^\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;",
    "\r": "&#13;",
})
# XML 1.0 (fifth edition) production [4] NameStartChar / [4a] NameChar, without ":" (a
# qualified name is written as prefix:local by the caller).
_NAME = re.compile(
    "[A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff]"
    "[-.0-9A-Z_a-z\xb7\xc0-\xd6\xd8-\xf6\xf8-\u037d\u037f-\u1fff\u200c\u200d\u203f\u2040"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff]*"
)


def _check(value: str, where: str) -> None:
    if _NOT_CHAR.search(value):
        raise UnrepresentableError(f"{where}: not representable in XML 1.0: {value!r}")


def text(value: str, where: str = "$") -> str:
    """``value`` escaped as element content (``where`` names it in errors)."""
    if _TEXT_SPECIAL.search(value) is None:
        return value
    _check(value, where)
    return value.translate(_TEXT_ESCAPES)


def attribute(value: str, where: str = "$") -> str:
    """``value`` escaped for a double-quoted attribute value."""
    if _ATTR_SPECIAL.search(value) is None:
        return value
    _check(value, where)
    return value.translate(_ATTR_ESCAPES)


def is_name(name: str) -> bool:
    """Whether ``name`` is an XML name without a colon (an NCName)."""
    return _NAME.fullmatch(name) is not None
