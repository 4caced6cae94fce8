"""Helpers for users' tests of OCPP code: Hypothesis strategies for the message model.

Needs the optional dependency ``hypothesis`` (``pip install 'ocpp-toolkit[testing]'``); only this
subpackage imports it. See :mod:`ocpp_sansio.testing.strategies` for what is drawn, and
``docs/testing-strategies.md`` for a walk-through. Example::

    from hypothesis import given

    from ocpp_sansio import Version, codec
    from ocpp_sansio.testing import requests

    @given(requests(Version.V16, "MeterValues"))
    def test_meter_values_encode(message: object) -> None:
        assert codec.encode(Version.V16, message)[0] == "MeterValues"
"""

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "ocpp_sansio.testing needs hypothesis: pip install 'ocpp-toolkit[testing]'"
    ) from exc

from .strategies import instances, json_values, messages, requests, responses

__all__ = ["instances", "json_values", "messages", "requests", "responses"]
