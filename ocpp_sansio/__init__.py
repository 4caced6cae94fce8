"""ocpp-toolkit's sans-IO core: the OCPP message model, codec, validation and protocol engines.

Floors, importing only downwards:

1. the generated message model (``ocpp_sansio.v15``, ``.v16``, ``.v201``, ``.v21``), with
   :mod:`~ocpp_sansio.codec` and :mod:`~ocpp_sansio.validation`;
2. the protocol engines (OCPP-J RPC, SOAP, sessions, generic API);
3. the bindings live in the ``ocpp_trio`` and ``ocpp_asyncio`` packages.

Version packages load on first use, so importing this package stays cheap.
"""

from .version import Version

__all__ = ["Version"]
__version__ = "0.1.0.dev0"
