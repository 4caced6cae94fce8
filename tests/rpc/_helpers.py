"""Shared helpers of the RPC engine tests: connections, sample payloads and messages."""

import datetime
import importlib
import itertools
from collections.abc import Callable
from typing import Any

import orjson

from ocpp_sansio.actions import actions_for
from ocpp_sansio.rpc import RpcConnection
from ocpp_sansio.version import Version

ALL_VERSIONS = [Version.V15, Version.V16, Version.V201, Version.V21]
OLD = (Version.V15, Version.V16)
NOW = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


def counter_ids(prefix: str) -> Callable[[], str]:
    """A deterministic id_factory: prefix-1, prefix-2, ..."""
    counter = itertools.count(1)
    return lambda: f"{prefix}-{next(counter)}"


def make(version: Version, role: str = "csms", **kwargs: Any) -> RpcConnection:
    kwargs.setdefault("id_factory", counter_ids(role))
    return RpcConnection(version, role, **kwargs)


def sent(conn: RpcConnection) -> list[Any]:
    """The outbox, drained and parsed."""
    return [orjson.loads(text) for text in conn.data_to_send()]


def call(uid: str, action: str, payload: Any) -> str:
    return orjson.dumps([2, uid, action, payload]).decode()


def boot_payload(version: Version) -> dict[str, Any]:
    if version in OLD:
        return {"chargePointVendor": "VendorX", "chargePointModel": "ModelY"}
    return {"reason": "PowerUp", "chargingStation": {"model": "ModelY", "vendorName": "VendorX"}}


def bad_boot_payloads(version: Version) -> dict[str, dict[str, Any]]:
    """A BootNotification request payload breaking each kind of schema rule."""
    good = boot_payload(version)
    if version in OLD:
        return {
            "format": {**good, "bogus": 1},
            "occurrence": {"chargePointVendor": "VendorX"},
            "type": {"chargePointVendor": 1, "chargePointModel": "ModelY"},
            "property": {"chargePointVendor": "x" * 21, "chargePointModel": "ModelY"},
        }
    return {
        "format": {**good, "bogus": 1},
        "occurrence": {"reason": "PowerUp"},
        "type": {"reason": "PowerUp", "chargingStation": {"model": 1, "vendorName": "VendorX"}},
        "property": {**good, "reason": "Bogus"},
    }


def message(version: Version, action: str, kind: str = "request", **fields: Any) -> Any:
    spec = actions_for(version)[action]
    cls = spec.request if kind == "request" else spec.response
    assert cls is not None
    return cls(**fields)


def heartbeat(version: Version) -> Any:
    return message(version, "Heartbeat")


def heartbeat_response(version: Version) -> Any:
    return message(version, "Heartbeat", "response", current_time=NOW)


def boot_response(version: Version) -> Any:
    if version in OLD:
        return message(
            version, "BootNotification", "response", status="Accepted", current_time=NOW,
            **({"heartbeat_interval": 300} if version is Version.V15 else {"interval": 300}),
        )
    return message(
        version, "BootNotification", "response", status="Accepted", current_time=NOW,
        interval=300,
    )


def data_transfer(version: Version, data: str) -> Any:
    return message(version, "DataTransfer", vendor_id="com.example", data=data)


def data_transfer_response(version: Version, data: str | None) -> Any:
    return message(version, "DataTransfer", "response", status="Accepted", data=data)


def station(version: Version, vendor: str = "VendorX") -> Any:
    """A 2.x ChargingStationType."""
    datatypes = importlib.import_module(version.module + ".datatypes")
    return datatypes.ChargingStationType(model="ModelY", vendor_name=vendor)


def stream_request() -> Any:
    """A valid OCPP 2.1 NotifyPeriodicEventStream (a SEND message)."""
    from ocpp_sansio.v21.datatypes import StreamDataElementType  # noqa: PLC0415 (2.1 only)
    from ocpp_sansio.v21.messages import NotifyPeriodicEventStreamRequest  # noqa: PLC0415

    return NotifyPeriodicEventStreamRequest(
        id=1, pending=0, basetime=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        data=[StreamDataElementType(t=0.5, v="230.1")],
    )
