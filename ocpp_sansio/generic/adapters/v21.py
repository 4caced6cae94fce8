"""The OCPP 2.1 adapter: the 2.0.1 mapping, which 2.1 keeps for every generic operation.

2.1 differences handled: free-text token and connector types, ``customTrigger``, the
``statusInfo`` of firmware and log notifications, optional signed-value fields, and
periods without ``limit`` (V2X setpoints; not generic, reported unsupported). Everything 2.1
adds beyond that (tariffs, DER control, V2X curves, new messages) is reached through the
version messages.
"""

from typing import ClassVar

from ...version import Version
from .v2x import V2xAdapter


class V21Adapter(V2xAdapter):
    """Generic <-> OCPP 2.1."""

    version: ClassVar[Version] = Version.V21
