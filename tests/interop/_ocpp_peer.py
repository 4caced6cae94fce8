"""PyPI ``ocpp`` (2.1.0, on ``websockets``) as the peer: a CSMS and a station, each run on its own
asyncio loop in a thread so that both of our bindings (trio and asyncio) can face it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

ocpp = pytest.importorskip("ocpp", reason="PyPI ocpp is not installed (pip install ocpp==2.1.0)")
websockets = pytest.importorskip(
    "websockets", reason="websockets is not installed (pip install websockets)"
)

from ocpp.routing import on  # noqa: E402
from ocpp.v16 import ChargePoint as Cp16  # noqa: E402
from ocpp.v16 import call as call16  # noqa: E402
from ocpp.v16 import call_result as result16  # noqa: E402
from ocpp.v16.enums import Action as Action16  # noqa: E402
from ocpp.v16.enums import RegistrationStatus  # noqa: E402
from ocpp.v201 import ChargePoint as Cp201  # noqa: E402
from ocpp.v201 import call as call201  # noqa: E402
from ocpp.v201 import call_result as result201  # noqa: E402
from ocpp.v201.enums import Action as Action201  # noqa: E402

NOW_TEXT = "2024-01-01T00:00:00Z"


class Csms16(Cp16):  # type: ignore[misc]
    """The other side's 1.6 CSMS: answers BootNotification, Heartbeat and Authorize."""

    @on(Action16.boot_notification)  # type: ignore[misc]
    async def on_boot(self, charge_point_vendor: str, charge_point_model: str, **kw: Any) -> Any:
        return result16.BootNotification(
            current_time=NOW_TEXT, interval=300, status=RegistrationStatus.accepted
        )

    @on(Action16.heartbeat)  # type: ignore[misc]
    async def on_heartbeat(self) -> Any:
        return result16.Heartbeat(current_time=NOW_TEXT)

    @on(Action16.authorize)  # type: ignore[misc]
    async def on_authorize(self, id_tag: str) -> Any:
        return result16.Authorize(id_tag_info={"status": "Accepted"})


class Csms201(Cp201):  # type: ignore[misc]
    """The other side's 2.0.1 CSMS."""

    @on(Action201.boot_notification)  # type: ignore[misc]
    async def on_boot(self, charging_station: Any, reason: str, **kw: Any) -> Any:
        return result201.BootNotification(
            current_time=NOW_TEXT, interval=300, status="Accepted"
        )

    @on(Action201.heartbeat)  # type: ignore[misc]
    async def on_heartbeat(self) -> Any:
        return result201.Heartbeat(current_time=NOW_TEXT)


class Station16(Cp16):  # type: ignore[misc]
    """The other side's 1.6 station: answers Reset and GetConfiguration."""

    @on(Action16.reset)  # type: ignore[misc]
    async def on_reset(self, type: str) -> Any:
        return result16.Reset(status="Accepted")

    @on(Action16.get_configuration)  # type: ignore[misc]
    async def on_get_configuration(self, **kw: Any) -> Any:
        return result16.GetConfiguration(
            configuration_key=[{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
        )


class Station201(Cp201):  # type: ignore[misc]
    """The other side's 2.0.1 station: answers Reset."""

    @on(Action201.reset)  # type: ignore[misc]
    async def on_reset(self, type: str, **kw: Any) -> Any:
        return result201.Reset(status="Accepted")


class LoopThread:
    """An asyncio loop in a daemon thread; ``run(coro)`` runs a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Awaitable[Any], timeout: float = 15.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def stop(self) -> None:
        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


async def start_ocpp_csms(version: str) -> tuple[Any, int, list[Any]]:
    """Start ``ocpp`` + ``websockets`` as CSMS speaking ``version``; (server, port, chargers)."""
    chargers: list[Any] = []
    cls = Csms16 if version == "1.6" else Csms201

    async def handler(ws: Any) -> None:
        path = ws.request.path
        cp = cls(path.rstrip("/").split("/")[-1], ws)
        chargers.append(cp)
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            await cp.start()

    server = await websockets.serve(
        handler, "127.0.0.1", 0, subprotocols=[f"ocpp{version}"]
    )
    port = next(iter(server.sockets)).getsockname()[1]
    return server, port, chargers


async def run_ocpp_station(
    version: str, port: int, identity: str, script: Callable[[Any], Awaitable[Any]]
) -> Any:
    """Connect ``ocpp`` + ``websockets`` as a station and run ``script(charge_point)``."""
    cls = Station16 if version == "1.6" else Station201
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ocpp/{identity}", subprotocols=[f"ocpp{version}"]
    ) as ws:
        cp = cls(identity, ws)
        runner = asyncio.ensure_future(cp.start())
        try:
            return await script(cp)
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)


def boot16() -> Any:
    return call16.BootNotification(charge_point_model="M1", charge_point_vendor="Vendor")


def boot201() -> Any:
    return call201.BootNotification(
        charging_station={"model": "M1", "vendor_name": "Vendor"}, reason="PowerUp"
    )


__all__ = [
    "NOW_TEXT",
    "LoopThread",
    "boot16",
    "boot201",
    "call16",
    "call201",
    "datetime",
    "run_ocpp_station",
    "start_ocpp_csms",
]
