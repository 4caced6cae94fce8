"""ocpp-toolkit on asyncio: drives the sans-IO engines of ``ocpp_sansio`` over real sockets.

Floor 3 of the house, the same API shape as ``ocpp_trio``: a read loop, a write loop and a
timer per connection; no protocol rule lives here. The station ``connect`` and CSMS ``serve``
entry points arrive with the OCPP-J bindings.
"""

__all__: list[str] = []
