"""The loop-independent core of the OCPP-J bindings (shared with ``ocpp_trio``, where it lives:
:mod:`ocpp_trio._common` imports neither trio nor asyncio)."""

from ocpp_trio._common import (
    HEAD_END,
    CallError,
    CallTimeout,
    ConnectionClosed,
    Ended,
    HandlersArg,
    HandshakeRejected,
    Link,
    Output,
    ReconnectPolicy,
    Settled,
    handlers_for,
    invoke,
    is_upgrade,
    log,
    not_upgrade_response,
    profile_for,
    supported_for,
)

__all__ = [
    "HEAD_END",
    "CallError",
    "CallTimeout",
    "ConnectionClosed",
    "Ended",
    "HandlersArg",
    "HandshakeRejected",
    "Link",
    "Output",
    "ReconnectPolicy",
    "Settled",
    "handlers_for",
    "invoke",
    "is_upgrade",
    "log",
    "not_upgrade_response",
    "profile_for",
    "supported_for",
]
