"""Every generic operation, every version: generic -> version -> strict encode/decode ->
generic on the other side, equal to the original except where a loss was reported; and the
same for the response. Operations a version cannot carry give a typed ``Unsupported``."""

from typing import Any

import attrs
import pytest

from ocpp_sansio import Version
from ocpp_sansio.generic import (
    OPERATIONS,
    Converted,
    Role,
    TransactionEventRequest,
    Unsupported,
    UnsupportedReason,
    adapter_for,
)
from ocpp_sansio.generic.examples import EXAMPLES, Example, exchange, prime, sender_role

from .helpers import differences, paths

#: (version, operation, example) -> why it is unsupported; everything else must round-trip.
EXPECTED_UNSUPPORTED: dict[tuple[Version, str, str], UnsupportedReason] = {
    **{(v, "Reset", "evse"): UnsupportedReason.VALUE for v in (Version.V15, Version.V16)},
    (Version.V15, "TriggerMessage", "full"): UnsupportedReason.OPERATION,
    (Version.V15, "UpdateFirmware", "signed"): UnsupportedReason.FIELD,
    (Version.V15, "FirmwareStatusNotification", "signed"): UnsupportedReason.VALUE,
    (Version.V15, "GetLog", "security"): UnsupportedReason.VALUE,
    (Version.V15, "LogStatusNotification", "security"): UnsupportedReason.VALUE,
    **{(v, "ReservationStatusUpdate", "full"): UnsupportedReason.OPERATION
       for v in (Version.V15, Version.V16)},
    **{(Version.V15, op, name): UnsupportedReason.OPERATION
       for op in ("SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule")
       for name in ("transaction", "default", "full")},
}


def _cases() -> list[Any]:
    return [pytest.param(v, op, id=f"{v}-{op}") for v in Version for op in EXAMPLES]


def _normalize_ids(version: Version, original: Any, received: Any) -> Any:
    """1.x CSMS-side transaction ids are the integer ids in decimal (a documented mapping,
    not a loss): compare with the station's id put back."""
    if version in (Version.V15, Version.V16) and isinstance(received, TransactionEventRequest):
        return attrs.evolve(received, transaction_id=original.transaction_id)
    return received


@pytest.mark.parametrize(("version", "operation"), _cases())
def test_round_trip(version: Version, operation: str) -> None:
    station, csms = adapter_for(version, Role.STATION), adapter_for(version, Role.CSMS)
    prime(station)
    directions = [sender_role(operation)]
    if OPERATIONS[operation].direction.value == "both":
        directions.append(Role.CSMS)
    for role in directions:
        sender, receiver = (station, csms) if role is Role.STATION else (csms, station)
        for example in EXAMPLES[operation]:
            _check(version, operation, example, sender, receiver)


def _check(version: Version, operation: str, example: Example, sender: Any,
           receiver: Any) -> None:
    result = exchange(example, sender, receiver)
    expected = EXPECTED_UNSUPPORTED.get((version, operation, example.name))
    if expected is not None:
        assert isinstance(result.request_out, Unsupported), result
        assert result.request_out.reason is expected
        assert result.request_out.version is version
        assert result.request_out.operation == operation
        return
    assert isinstance(result.request_out, Converted), result.request_out
    assert isinstance(result.request_in, Converted), result.request_in
    assert result.request_in.lost == (), result.request_in.lost
    received = _normalize_ids(version, example.request, result.request_in.message)
    assert received.version_message is not None
    diff = differences(example.request, received, paths(result.request_out.lost))
    assert diff == [], (diff, result.request_out.lost)
    assert isinstance(result.response_out, Converted), result.response_out
    assert isinstance(result.response_in, Converted), result.response_in
    assert result.response_in.lost == (), result.response_in.lost
    diff = differences(example.response, result.response_in.message,
                       paths(result.response_out.lost))
    assert diff == [], (diff, result.response_out.lost)
