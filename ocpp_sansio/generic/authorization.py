"""Generic authorization operations: authorize, local authorization list, clear cache."""

import enum

import attrs

from .common import GenericMessage, IdToken, IdTokenInfo, StatusInfo


@attrs.frozen(kw_only=True)
class AuthorizeRequest(GenericMessage):
    """Authorize a token (1.x ``idTag``, 2.0.1 ``idToken``).

    2.0.1 ``certificate`` and ``iso15118CertificateHashData`` (Plug & Charge) are not part of
    the generic model: send a version message, or read them from ``version_message``.
    """

    id_token: IdToken


@attrs.frozen(kw_only=True)
class AuthorizeResponse(GenericMessage):
    """Authorization result (1.x ``idTagInfo``, 2.0.1 ``idTokenInfo``). 2.0.1
    ``certificateStatus`` is not generic (``version_message``)."""

    id_token_info: IdTokenInfo


class UpdateType(enum.StrEnum):
    """How a local list update applies (same values in every version)."""

    Differential = "Differential"
    Full = "Full"


class SendLocalListStatus(enum.StrEnum):
    """Answer to a local list update. ``NotSupported`` is 1.x only (2.0.1 gets ``Failed``,
    approximated); ``HashError`` is 1.5 only (1.6 and 2.0.1 get ``Failed``, approximated)."""

    Accepted = "Accepted"
    Failed = "Failed"
    VersionMismatch = "VersionMismatch"
    NotSupported = "NotSupported"
    HashError = "HashError"


@attrs.frozen(kw_only=True)
class AuthorizationEntry:
    """One local list entry (1.5 ``AuthorisationData``, 1.6 ``AuthorizationData``, 2.0.1
    ``AuthorizationData``). Without ``id_token_info`` a differential update removes it."""

    id_token: IdToken
    id_token_info: IdTokenInfo | None = None


@attrs.frozen(kw_only=True)
class SendLocalListRequest(GenericMessage):
    """Update the local authorization list.

    - ``version_number``: 1.x ``listVersion``, 2.0.1 ``versionNumber``.
    - ``entries``: 1.5 ``localAuthorisationList``, 1.6/2.0.1 ``localAuthorizationList``.
    - ``hash``: 1.5 only (SHA-1 of the list).
    """

    version_number: int
    update_type: UpdateType
    entries: tuple[AuthorizationEntry, ...] = ()
    hash: str | None = None


@attrs.frozen(kw_only=True)
class SendLocalListResponse(GenericMessage):
    """Answer; ``hash`` 1.5 only, ``status_info`` 2.0.1+ only."""

    status: SendLocalListStatus
    status_info: StatusInfo | None = None
    hash: str | None = None


@attrs.frozen(kw_only=True)
class GetLocalListVersionRequest(GenericMessage):
    """Ask for the local list version (no fields)."""


@attrs.frozen(kw_only=True)
class GetLocalListVersionResponse(GenericMessage):
    """1.x ``listVersion``, 2.0.1 ``versionNumber``."""

    version_number: int


class ClearCacheStatus(enum.StrEnum):
    """Answer to a cache clear (same values in every version)."""

    Accepted = "Accepted"
    Rejected = "Rejected"


@attrs.frozen(kw_only=True)
class ClearCacheRequest(GenericMessage):
    """Clear the authorization cache (no fields)."""


@attrs.frozen(kw_only=True)
class ClearCacheResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: ClearCacheStatus
    status_info: StatusInfo | None = None
