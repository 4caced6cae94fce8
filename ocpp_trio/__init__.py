"""ocpp-toolkit on trio: drives the sans-IO engines of ``ocpp_sansio`` over real sockets.

Floor 3 of the house: a read loop, a write loop and a timer per connection; no protocol rule
lives here. The station ``connect`` and CSMS ``serve`` entry points arrive with the OCPP-J
bindings; the ``ocpp-toolkit`` command line lives in :mod:`ocpp_trio.cli`.
"""

__all__: list[str] = []
