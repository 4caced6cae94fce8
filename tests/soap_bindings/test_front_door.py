"""One CSMS port for OCPP-J and OCPP-S stations at once: the front door of ``serve`` hands
non-upgrade requests to ``_soap.soap_app`` (bindings API: "one CSMS may serve OCPP-J and
OCPP-S stations at once")."""

from typing import Any

from ocpp_sansio import Version
from ocpp_sansio.handlers import CallContext, Router
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16

from .conftest import NOW, Binding

BOOT = m16.BootNotificationRequest(charge_point_vendor="V", charge_point_model="M")


def test_json_and_soap_stations_on_one_port(binding: Binding) -> None:
    seen: list[tuple[str, str]] = []
    csms = Router()

    @csms.on("BootNotification")
    async def boot(req: Any, ctx: CallContext) -> Any:
        seen.append((ctx.station_id, ctx.connection.transport))
        return m16.BootNotificationResponse(status=e16.RegistrationStatus.Accepted,
                                            current_time=NOW, interval=60)

    station = Router()

    @station.on("ClearCache")
    async def clear(req: Any, ctx: CallContext) -> Any:
        return m16.ClearCacheResponse(status=e16.ClearCacheStatus.Accepted)

    connected: list[str] = []

    async def on_connect(conn: Any) -> None:
        connected.append(conn.station_id)

    async def body() -> None:
        async with binding.package.serve("127.0.0.1", 0, handlers=csms,
                                         on_connect=on_connect) as server:
            soap_url = f"http://127.0.0.1:{server.port}/ocpp"
            json_url = f"ws://127.0.0.1:{server.port}/ocpp"
            async with binding.soap.open_soap_station(soap_url, "CP-S", handlers=station) as s, \
                    binding.package.connect(json_url, "CP-J", handlers=station) as j:
                assert (await s.call(BOOT)).interval == 60
                assert (await j.call(BOOT)).interval == 60
                stations = server.stations
                assert {k: stations[k].transport for k in stations} == \
                    {"CP-S": "soap", "CP-J": "json"}
                assert stations["CP-S"].version is Version.V16
                for name in ("CP-S", "CP-J"):
                    r = await server.call(name, m16.ClearCacheRequest())
                    assert r.status is e16.ClearCacheStatus.Accepted
                # forget the OCPP-S station: closes the CSMS's kept-alive connection to it
                await stations["CP-S"].close()
                assert "CP-S" not in server.stations

    binding.run(body)
    assert sorted(seen) == [("CP-J", "json"), ("CP-S", "soap")]
    assert sorted(connected) == ["CP-J", "CP-S"]


def test_transport_is_configuration_only(binding: Binding) -> None:
    """The same station code runs over OCPP-J and OCPP-S: only ``transport`` and the URL
    scheme change (issue: "an application changes transport by configuration only")."""
    csms = Router()

    @csms.on("BootNotification")
    async def boot(req: Any, ctx: CallContext) -> Any:
        interval = 30 if ctx.connection.transport == "soap" else 60
        return m16.BootNotificationResponse(status=e16.RegistrationStatus.Accepted,
                                            current_time=NOW, interval=interval)

    async def station_program(url: str, transport: str) -> int:
        async with binding.package.connect(url, "CP-1", transport=transport) as station:
            reply = await station.call(BOOT)
            assert reply.status is e16.RegistrationStatus.Accepted
            return int(reply.interval)

    async def body() -> None:
        async with binding.package.serve("127.0.0.1", 0, handlers=csms) as server:
            assert await station_program(f"ws://127.0.0.1:{server.port}/ocpp", "json") == 60
            assert await station_program(f"http://127.0.0.1:{server.port}/ocpp", "soap") == 30

    binding.run(body)
