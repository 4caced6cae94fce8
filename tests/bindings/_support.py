"""The adapter that runs one async test body under trio or asyncio, and message helpers."""

from __future__ import annotations

import asyncio
import datetime
import importlib
import socket
from collections.abc import Awaitable, Callable, Sequence
from types import ModuleType
from typing import Any

import trio

from ocpp_sansio.version import Version

NOW = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
#: a generous bound on every test body: a hung test fails instead of blocking the suite
BODY_TIMEOUT = 20.0


class Binding:
    """``ocpp_trio`` or ``ocpp_asyncio`` plus the few loop primitives the tests need."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.mod: ModuleType = importlib.import_module(f"ocpp_{name}")

    def __repr__(self) -> str:
        return self.name

    def run(self, body: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``body()`` to completion on this binding's event loop (bounded in time)."""
        if self.name == "trio":

            async def main() -> Any:
                with trio.fail_after(BODY_TIMEOUT):
                    return await body()

            return trio.run(main)

        async def amain() -> Any:
            async with asyncio.timeout(BODY_TIMEOUT):
                return await body()

        return asyncio.run(amain())

    async def sleep(self, seconds: float) -> None:
        if self.name == "trio":
            await trio.sleep(seconds)
        else:
            await asyncio.sleep(seconds)

    async def gather(self, *fns: Callable[[], Awaitable[Any]]) -> list[Any]:
        """Run the coroutine functions concurrently; their results in order."""
        if self.name != "trio":
            return list(await asyncio.gather(*(fn() for fn in fns)))
        results: list[Any] = [None] * len(fns)

        async def one(i: int) -> None:
            results[i] = await fns[i]()

        async with trio.open_nursery() as nursery:
            for i in range(len(fns)):
                nursery.start_soon(one, i)
        return results

    async def to_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking function in a worker thread without blocking the loop."""
        if self.name == "trio":
            return await trio.to_thread.run_sync(fn, *args)
        return await asyncio.to_thread(fn, *args)

    def event(self) -> Any:
        return trio.Event() if self.name == "trio" else asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Poll ``predicate`` every 10 ms until it holds (fails after ``timeout``)."""
        waited = 0.0
        while not predicate():
            if waited > timeout:
                raise AssertionError("condition not reached in time")
            await self.sleep(0.01)
            waited += 0.01

    async def raw_request(self, port: int, data: bytes) -> bytes:
        """Send raw bytes to 127.0.0.1:port and read until the peer closes."""
        if self.name == "trio":
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            await stream.send_all(data)
            out = b""
            while chunk := await stream.receive_some(65536):
                out += chunk
            await stream.aclose()
            return out
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(data)
        out = await reader.read()
        writer.close()
        return out


def messages(version: Version | str) -> ModuleType:
    """``ocpp_sansio.<v>.messages`` of a version."""
    return importlib.import_module(f"{Version(version).module}.messages")


def boot_request(version: Version | str) -> Any:
    """A minimal BootNotification request of a version."""
    v = Version(version)
    m = messages(v)
    if v in (Version.V15, Version.V16):
        return m.BootNotificationRequest(charge_point_vendor="Vendor", charge_point_model="M1")
    dt = importlib.import_module(f"{v.module}.datatypes")
    return m.BootNotificationRequest(
        charging_station=dt.ChargingStationType(model="M1", vendor_name="Vendor"),
        reason="PowerUp",
    )


def boot_response(version: Version | str, interval: int = 300) -> Any:
    if Version(version) is Version.V15:
        return messages(version).BootNotificationResponse(
            status="Accepted", heartbeat_interval=interval, current_time=NOW
        )
    return messages(version).BootNotificationResponse(
        status="Accepted", interval=interval, current_time=NOW
    )


def heartbeat_response(version: Version | str) -> Any:
    return messages(version).HeartbeatResponse(current_time=NOW)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def url(port: int) -> str:
    return f"ws://127.0.0.1:{port}/ocpp"


ALL_VERSIONS: Sequence[str] = ("1.5", "1.6", "2.0.1", "2.1")
