
"""Interoperability with PyPI ``ocpp`` 2.1.0 (on ``websockets``), 1.6 and 2.0.1, both roles.

``ocpp`` validates every message it receives against its own copy of the OCA schemas, so these
tests also check that what our bindings put on the wire is what another implementation expects.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from bindings._support import Binding, boot_request, boot_response, heartbeat_response, messages

from ocpp_sansio.version import Version

from ._ocpp_peer import (
    LoopThread,
    boot16,
    boot201,
    call16,
    call201,
    run_ocpp_station,
    start_ocpp_csms,
)

VERSIONS = ["1.6", "2.0.1"]


@pytest.fixture
def peer_loop() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.stop()


@pytest.mark.parametrize("version", VERSIONS)
def test_ocpp_csms_and_our_station(binding: Binding, version: str, peer_loop: LoopThread) -> None:
    b = binding
    m = messages(version)
    server, port, chargers = peer_loop.run(start_ocpp_csms(version))
    router = b.mod.Router()
    resets: list[Any] = []

    @router.on("Reset")
    async def reset(req: Any, ctx: Any) -> Any:
        resets.append(req)
        return m.ResetResponse(status="Accepted")

    async def body() -> None:
        async with b.mod.connect(
            f"ws://127.0.0.1:{port}/ocpp", "CS-1", versions=(version,), handlers=router
        ) as station:
            assert station.version is Version(version)
            boot = await station.call(boot_request(version))
            assert boot.status == "Accepted" and boot.interval == 300
            hb = await station.call(m.HeartbeatRequest())
            assert hb.current_time.year == 2024
            if version == "1.6":
                auth = await station.call(m.AuthorizeRequest(id_tag="TAG1"))
                assert auth.id_tag_info.status == "Accepted"
            # the other side's CSMS calls our station
            reset = call16.Reset(type="Soft") if version == "1.6" else call201.Reset(
                type="Immediate"
            )
            result = await b.to_thread(peer_loop.run, chargers[0].call(reset))
            assert result.status == "Accepted"
            assert len(resets) == 1
            # an action our station does not handle: the peer gets NotSupported
            other = call16.ClearCache() if version == "1.6" else call201.ClearCache()
            with pytest.raises(Exception) as err:
                await b.to_thread(
                    peer_loop.run, chargers[0].call(other, suppress=False)
                )
            assert "NotSupported" in type(err.value).__name__ or "NotSupported" in repr(
                err.value
            )

    try:
        b.run(body)
    finally:
        server.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_ocpp_station_and_our_csms(binding: Binding, version: str, peer_loop: LoopThread) -> None:
    b = binding
    m = messages(version)
    router = b.mod.Router()
    booted = threading.Event()
    done = threading.Event()

    @router.on("BootNotification")
    async def boot(req: Any, ctx: Any) -> Any:
        assert type(req) is m.BootNotificationRequest
        booted.set()
        return boot_response(ctx.version)

    @router.on("Heartbeat")
    async def heartbeat(req: Any, ctx: Any) -> Any:
        return heartbeat_response(ctx.version)

    async def script(cp: Any) -> list[Any]:
        out = [await cp.call(boot16() if version == "1.6" else boot201())]
        out.append(await cp.call(call16.Heartbeat() if version == "1.6" else call201.Heartbeat()))
        while not done.is_set():
            await asyncio.sleep(0.01)
        return out

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers=router) as server:
            results: list[Any] = []

            async def station() -> None:
                results.extend(
                    await b.to_thread(
                        peer_loop.run, run_ocpp_station(version, server.port, "EXT-1", script)
                    )
                )

            async def csms_side() -> None:
                try:
                    await b.wait_until(booted.is_set)
                    conn = server.stations["EXT-1"]
                    assert conn.version is Version(version)
                    if version == "1.6":
                        resp = await server.call("EXT-1", m.ResetRequest(type="Soft"))
                        assert resp.status == "Accepted"
                        conf = await server.call("EXT-1", m.GetConfigurationRequest())
                        assert conf.configuration_key[0].key == "HeartbeatInterval"
                    else:
                        resp = await server.call("EXT-1", m.ResetRequest(type="Immediate"))
                        assert resp.status == "Accepted"
                        # not handled by the ocpp station: its CALLERROR surfaces typed
                        with pytest.raises(b.mod.CallError) as err:
                            await server.call("EXT-1", m.ClearCacheRequest())
                        assert err.value.code == "NotImplemented"
                finally:
                    done.set()

            await b.gather(station, csms_side)
            assert results[0].status == "Accepted"
            assert results[0].interval == 300

    b.run(body)


def test_boot_payload_helpers_agree() -> None:
    """Sanity: our request helpers are the typed forms of what ``ocpp`` sends."""
    assert boot_request("1.6").charge_point_vendor == boot16().charge_point_vendor
    assert boot_request("2.0.1").reason == boot201().reason
