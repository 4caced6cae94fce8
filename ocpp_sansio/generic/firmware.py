"""Generic firmware and log operations: firmware update and status, log (diagnostics) upload.

- Firmware: 1.x UpdateFirmware.req; 1.6 Security Whitepaper SignedUpdateFirmware.req when a
  signature is given; 2.0.1 UpdateFirmwareRequest. Status: 1.x FirmwareStatusNotification,
  1.6 SignedFirmwareStatusNotification when a ``request_id`` is given, 2.0.1
  FirmwareStatusNotification.
- Logs: 1.x GetDiagnostics.req for ``DiagnosticsLog``; 1.6 Security Whitepaper GetLog.req
  for ``SecurityLog``; 2.0.1 GetLog. Status: 1.x DiagnosticsStatusNotification, 1.6
  LogStatusNotification when a ``request_id`` is given, 2.0.1 LogStatusNotification.
"""

import datetime
import enum

import attrs

from .common import GenericMessage, StatusInfo


class UpdateFirmwareStatus(enum.StrEnum):
    """Answer to a firmware update. 1.x UpdateFirmware.conf has no status: read as
    ``Accepted``; any other status cannot be said to 1.x (dropped, reported)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    AcceptedCanceled = "AcceptedCanceled"
    InvalidCertificate = "InvalidCertificate"
    RevokedCertificate = "RevokedCertificate"


@attrs.frozen(kw_only=True)
class UpdateFirmwareRequest(GenericMessage):
    """Update the firmware.

    - ``location``, ``retrieve_date_time``: 1.x ``location``/``retrieveDate``, 1.6 signed and
      2.0.1 ``firmware.location``/``retrieveDateTime``.
    - ``retries``, ``retry_interval``: every version.
    - ``request_id``: 1.6 signed and 2.0.1+ (required there: unsupported when missing).
    - ``install_date_time``, ``signing_certificate``, ``signature``: 1.6 signed, 2.0.1+.
      With a ``signature`` or ``signing_certificate``, 1.6 uses SignedUpdateFirmware (which
      needs both and ``request_id``); 1.5 cannot verify signatures (unsupported).
    """

    location: str
    retrieve_date_time: datetime.datetime
    retries: int | None = None
    retry_interval: int | None = None
    request_id: int | None = None
    install_date_time: datetime.datetime | None = None
    signing_certificate: str | None = None
    signature: str | None = None


@attrs.frozen(kw_only=True)
class UpdateFirmwareResponse(GenericMessage):
    """Answer; ``status``: see :class:`UpdateFirmwareStatus`; ``status_info`` 2.0.1+."""

    status: UpdateFirmwareStatus = UpdateFirmwareStatus.Accepted
    status_info: StatusInfo | None = None


class FirmwareStatus(enum.StrEnum):
    """Firmware progress (2.0.1 values, the same as 1.6 SignedFirmwareStatusNotification).

    1.6 FirmwareStatusNotification knows ``Downloaded``, ``DownloadFailed``, ``Downloading``,
    ``Idle``, ``InstallationFailed``, ``Installing``, ``Installed`` (the others need the
    signed notification, i.e. a ``request_id``); 1.5 only ``Downloaded``, ``DownloadFailed``,
    ``InstallationFailed``, ``Installed``. A status a version cannot say is unsupported:
    no other status means the same."""

    Downloaded = "Downloaded"
    DownloadFailed = "DownloadFailed"
    Downloading = "Downloading"
    DownloadScheduled = "DownloadScheduled"
    DownloadPaused = "DownloadPaused"
    Idle = "Idle"
    InstallationFailed = "InstallationFailed"
    Installing = "Installing"
    Installed = "Installed"
    InstallRebooting = "InstallRebooting"
    InstallScheduled = "InstallScheduled"
    InstallVerificationFailed = "InstallVerificationFailed"
    InvalidSignature = "InvalidSignature"
    SignatureVerified = "SignatureVerified"


@attrs.frozen(kw_only=True)
class FirmwareStatusNotificationRequest(GenericMessage):
    """Firmware progress; ``request_id`` 1.6 signed / 2.0.1+, ``status_info`` 2.1 only."""

    status: FirmwareStatus
    request_id: int | None = None
    status_info: StatusInfo | None = None


@attrs.frozen(kw_only=True)
class FirmwareStatusNotificationResponse(GenericMessage):
    """Acknowledgement (empty)."""


class LogType(enum.StrEnum):
    """Which log: 1.x GetDiagnostics is the ``DiagnosticsLog``; ``SecurityLog`` is 1.6
    Security Whitepaper / 2.0.1+ (1.5: unsupported); ``DataCollectorLog`` is 2.1 only."""

    DiagnosticsLog = "DiagnosticsLog"
    SecurityLog = "SecurityLog"
    DataCollectorLog = "DataCollectorLog"


class LogStatus(enum.StrEnum):
    """Answer to a log request. 1.x GetDiagnostics.conf has no status: read as ``Accepted``
    (``Rejected`` is sent as a reply without file name, approximated)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    AcceptedCanceled = "AcceptedCanceled"


@attrs.frozen(kw_only=True)
class GetLogRequest(GenericMessage):
    """Upload a log to ``location``.

    - ``location``: 1.x GetDiagnostics ``location``, GetLog ``log.remoteLocation``.
    - ``oldest_timestamp``/``latest_timestamp``: GetDiagnostics ``startTime``/``stopTime``,
      GetLog ``log.oldestTimestamp``/``latestTimestamp``.
    - ``request_id``: GetLog (required there); GetDiagnostics has none.
    """

    location: str
    log_type: LogType = LogType.DiagnosticsLog
    request_id: int | None = None
    retries: int | None = None
    retry_interval: int | None = None
    oldest_timestamp: datetime.datetime | None = None
    latest_timestamp: datetime.datetime | None = None


@attrs.frozen(kw_only=True)
class GetLogResponse(GenericMessage):
    """Answer: 1.x GetDiagnostics ``fileName`` / GetLog ``filename``; ``status_info`` 2.0.1+."""

    status: LogStatus = LogStatus.Accepted
    filename: str | None = None
    status_info: StatusInfo | None = None


class UploadLogStatus(enum.StrEnum):
    """Upload progress (GetLog values). 1.x DiagnosticsStatus ``UploadFailed`` is
    ``UploadFailure``; it knows ``Idle``, ``Uploaded``, ``UploadFailure``, ``Uploading``
    (1.5: ``Uploaded``, ``UploadFailure``); others cannot be sent as a diagnostics status."""

    BadMessage = "BadMessage"
    Idle = "Idle"
    NotSupportedOperation = "NotSupportedOperation"
    PermissionDenied = "PermissionDenied"
    Uploaded = "Uploaded"
    UploadFailure = "UploadFailure"
    Uploading = "Uploading"
    AcceptedCanceled = "AcceptedCanceled"


@attrs.frozen(kw_only=True)
class LogStatusNotificationRequest(GenericMessage):
    """Upload progress; with a ``request_id`` 1.6 sends LogStatusNotification, without one
    DiagnosticsStatusNotification. ``status_info`` is 2.1 only."""

    status: UploadLogStatus
    request_id: int | None = None
    status_info: StatusInfo | None = None


@attrs.frozen(kw_only=True)
class LogStatusNotificationResponse(GenericMessage):
    """Acknowledgement (empty)."""
