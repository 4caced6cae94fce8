"""Types shared by the generic operations: roles, the message base, identification tokens.

Addressing convention: a 1.x *connector* ("an independently operated and managed electrical
outlet", OCPP 1.6 section 2 "Terminology") is what 2.0.1 calls an *EVSE* (OCPP 2.0.1 Part 1,
section 2 "3-tier model": station, EVSE, connector). Generic messages address an ``evse_id``
(sent as ``connectorId`` in 1.5/1.6, where ``0`` means the whole station) and, where 2.0.1
can address the connector of an EVSE, a ``connector_id`` (2.0.1+ only; 1.x has one connector
per EVSE, read as ``1``).

Lists in generic messages are tuples (the classes are frozen); decimal quantities are
:class:`decimal.Decimal` (the 1.x wire carries decimal strings and ``multipleOf 0.1``
numbers: binary floats would change them), accepted as ``int``, ``float``, ``str`` or
``Decimal`` on construction.
"""

import datetime
import enum
from decimal import Decimal
from typing import Any

import attrs


class Role(enum.StrEnum):
    """The side of the connection an adapter converts for."""

    STATION = "station"  #: the charging station (1.x: charge point)
    CSMS = "csms"  #: the CSMS (1.x: central system)


def to_decimal(value: Decimal | int | float | str) -> Decimal:
    """``value`` as a Decimal; a float is read through its shortest repr (``8.1`` stays 8.1)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def to_optional_decimal(value: Decimal | int | float | str | None) -> Decimal | None:
    """Like :func:`to_decimal`, keeping ``None``."""
    return None if value is None else to_decimal(value)


@attrs.frozen(kw_only=True)
class GenericMessage:
    """Base of every generic request and response.

    ``version_message`` is the escape hatch: a message converted *from* a version keeps the
    version message it came from (every field of it, including those the generic model does
    not carry). It takes no part in equality.
    """

    version_message: Any = attrs.field(default=None, eq=False, repr=False)


class IdTokenType(enum.StrEnum):
    """Kinds of identification token (2.0.1 ``IdTokenEnumType``; 2.1 makes it free text)."""

    Central = "Central"
    eMAID = "eMAID"
    ISO14443 = "ISO14443"
    ISO15693 = "ISO15693"
    KeyCode = "KeyCode"
    Local = "Local"
    MacAddress = "MacAddress"
    NoAuthorization = "NoAuthorization"


@attrs.frozen(kw_only=True)
class AdditionalInfo:
    """2.0.1+ only: an extra identifier attached to a token (``AdditionalInfoType``)."""

    additional_id_token: str
    type: str


@attrs.frozen(kw_only=True)
class IdToken:
    """An identification token.

    - ``value``: 1.x ``idTag`` (at most 20 characters there), 2.0.1 ``idToken.idToken``.
    - ``type``: 2.0.1+ only. 1.x does not carry it: tokens read from 1.x have the default
      ``ISO14443`` (an RFID UID, the common case), and any other type is reported lost when
      sent to 1.x. 2.1 accepts any text, 2.0.1 only :class:`IdTokenType` values.
    - ``additional_info``: 2.0.1+ only.
    """

    value: str
    type: str = IdTokenType.ISO14443
    additional_info: tuple[AdditionalInfo, ...] = ()


class AuthorizationStatus(enum.StrEnum):
    """Authorization result. 1.x knows ``Accepted``, ``Blocked``, ``Expired``, ``Invalid``,
    ``ConcurrentTx``; the others are 2.0.1+ and reach 1.x as ``Invalid`` (approximated)."""

    Accepted = "Accepted"
    Blocked = "Blocked"
    ConcurrentTx = "ConcurrentTx"
    Expired = "Expired"
    Invalid = "Invalid"
    NoCredit = "NoCredit"
    NotAllowedTypeEVSE = "NotAllowedTypeEVSE"
    NotAtThisLocation = "NotAtThisLocation"
    NotAtThisTime = "NotAtThisTime"
    Unknown = "Unknown"


class MessageFormat(enum.StrEnum):
    """Format of a message shown to the driver (2.0.1+ ``MessageFormatEnumType``)."""

    ASCII = "ASCII"
    HTML = "HTML"
    URI = "URI"
    UTF8 = "UTF8"
    QRCODE = "QRCODE"  #: 2.1 only


@attrs.frozen(kw_only=True)
class MessageContent:
    """2.0.1+ only: a message for the driver (``MessageContentType``)."""

    content: str
    format: MessageFormat = MessageFormat.UTF8
    language: str | None = None


@attrs.frozen(kw_only=True)
class IdTokenInfo:
    """What the CSMS says about a token (1.x ``IdTagInfo``, 2.0.1 ``IdTokenInfoType``).

    - ``status``: see :class:`AuthorizationStatus`.
    - ``cache_expiry_date_time``: 1.x ``expiryDate``, 2.0.1 ``cacheExpiryDateTime``.
    - ``group_id_token``: 1.x ``parentIdTag`` (its ``value``), 2.0.1 ``groupIdToken``.
    - ``charging_priority``, ``language1``, ``language2``, ``evse_ids``,
      ``personal_message``: 2.0.1+ only.
    """

    status: AuthorizationStatus
    cache_expiry_date_time: datetime.datetime | None = None
    group_id_token: IdToken | None = None
    charging_priority: int | None = None
    language1: str | None = None
    language2: str | None = None
    evse_ids: tuple[int, ...] = ()
    personal_message: MessageContent | None = None


@attrs.frozen(kw_only=True)
class StatusInfo:
    """2.0.1+ only: the reason behind a status (``StatusInfoType``); 1.x drops it."""

    reason_code: str
    additional_info: str | None = None
