"""Property: any valid version request converts to the generic model and back without an
exception, the result validates strictly, and when neither way reported a loss the wire
payload comes back identical."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpp_sansio import Version, codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.generic import Converted, Role, Unsupported, adapter_for
from ocpp_sansio.generic.adapters import ADAPTERS
from ocpp_sansio.testing import instances
from ocpp_sansio.validation import ValidationError


def _cases() -> list[Any]:
    cases = []
    for version in Version:
        table = actions_for(version)
        for (action, kind) in ADAPTERS[version].from_routes:
            if kind == "request" and action in table:
                cases.append(pytest.param(version, action, id=f"{version}-{action}"))
    return cases


@pytest.mark.parametrize(("version", "action"), _cases())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_version_request_round_trip(version: Version, action: str, data: st.DataObject) -> None:
    spec = actions_for(version)[action]
    message = data.draw(instances(spec.request))
    receiver_role = Role.CSMS if spec.direction.sent_by_station() else Role.STATION
    sender_role = Role.STATION if receiver_role is Role.CSMS else Role.CSMS
    receiver = adapter_for(version, receiver_role)
    sender = adapter_for(version, sender_role)
    generic = receiver.from_wire_message(message)
    if isinstance(generic, Unsupported):
        assert generic.version is version
        return
    assert generic.message.version_message is message
    back = sender.to_wire_message(generic.message)
    if isinstance(back, Unsupported):
        assert back.version is version
        return
    assert isinstance(back, Converted)
    exact = not generic.lost and not back.lost
    try:
        name, kind, payload = codec.encode(version, back.message)
    except ValidationError:
        # Only a reported change (e.g. 1.6 GetLog read back as GetDiagnostics, whose location
        # must be a URI) may meet other constraints than the original.
        assert not exact
        return
    assert kind == "request"
    if exact:
        assert name == action
        original = codec.to_wire(message)
        if action == "TransactionEvent":
            # seqNo is the sending adapter's own count (documented, not a loss)
            original["seqNo"] = payload["seqNo"]
        assert _normalized(payload) == _normalized(original)


#: Optional fields whose explicit default means the same as their absence (the generic model
#: does not keep the difference): 2.x ``offline: false``, 1.x ``format: Raw``.
_DEFAULTS = {("offline", False), ("format", "Raw")}


def _normalized(value: Any) -> Any:
    """An empty list or object, or an explicit default, means the same as an absent field."""
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()
                if v not in ([], {})
                and not (isinstance(v, str | bool) and (k, v) in _DEFAULTS)}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value

