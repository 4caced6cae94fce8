# ruff: noqa: SIM117  (a station's ``async with`` nested in the server's reads as what it is)
"""One port, both transports: the front door hands WebSocket upgrades to OCPP-J and other
requests to the OCPP-S hook (``<binding>._soap.soap_app``), under both bindings."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from ._support import NOW, Binding, messages, url

m16 = messages("1.6")


def soap_module(b: Binding) -> Any:
    try:
        module = importlib.import_module(f"{b.mod.__name__}._soap")
    except ImportError:
        pytest.skip("no OCPP-S binding module")
    if not (hasattr(module, "soap_app") and hasattr(module, "open_soap_station")):
        pytest.skip("the OCPP-S binding has no front-door hook yet")
    return module


def test_json_and_soap_stations_on_one_port(binding: Binding) -> None:
    b = binding
    soap = soap_module(b)

    async def boot(req: Any, ctx: Any) -> Any:
        return m16.BootNotificationResponse(status="Accepted", interval=5, current_time=NOW)

    async def reset(req: Any, ctx: Any) -> Any:
        return m16.ResetResponse(status="Accepted")

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers={"BootNotification": boot}) as server:
            async with b.mod.connect(
                url(server.port), "J-1", handlers={"Reset": reset}
            ) as json_station, soap.open_soap_station(
                f"http://127.0.0.1:{server.port}/ocpp", "S-1", handlers={"Reset": reset}
            ) as soap_station:
                request = m16.BootNotificationRequest(
                    charge_point_vendor="V", charge_point_model="M"
                )
                assert (await json_station.call(request)).interval == 5
                assert (await soap_station.call(request)).interval == 5
                assert server.stations["J-1"].transport == "json"
                assert server.stations["S-1"].transport == "soap"
                for station_id in ("J-1", "S-1"):
                    resp = await server.call(station_id, m16.ResetRequest(type="Soft"))
                    assert resp.status == "Accepted"

    b.run(body)
