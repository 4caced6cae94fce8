"""The OCPP 2.0.1 adapter."""

from typing import ClassVar

from ...version import Version
from .v2x import V2xAdapter


class V201Adapter(V2xAdapter):
    """Generic <-> OCPP 2.0.1."""

    version: ClassVar[Version] = Version.V201
