"""Helpers for users' tests of OCPP code: Hypothesis strategies for the message model and
for OCPP-J frames.

Message strategies (:mod:`ocpp_sansio.testing.strategies`): :func:`instances`,
:func:`requests`, :func:`responses`, :func:`messages`, :func:`json_values`.

Frame strategies (:mod:`ocpp_sansio.testing.frames`), drawing frame text: :func:`call_frames`,
:func:`result_frames`, :func:`error_frames`, :func:`message_ids`, and
:func:`malformed_frames`, pairs of a malformed frame and the :class:`Reaction` of a strict
receiver.

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

from .frames import (
    Reaction,
    call_frames,
    error_frames,
    malformed_frames,
    message_ids,
    result_frames,
)
from .strategies import instances, json_values, messages, requests, responses

__all__ = [
    "Reaction",
    "call_frames",
    "error_frames",
    "instances",
    "json_values",
    "malformed_frames",
    "message_ids",
    "messages",
    "requests",
    "responses",
    "result_frames",
]
