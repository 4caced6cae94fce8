"""Handler types of the bindings, re-exported from :mod:`ocpp_sansio.handlers` (loop-free)."""

from ocpp_sansio.handlers import CallContext, Handler, Router

__all__ = ["CallContext", "Handler", "Router"]
