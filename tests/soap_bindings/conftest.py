"""Run one async test body under each binding: trio (``ocpp_trio._soap``) and asyncio
(``ocpp_asyncio._soap``), over real sockets on 127.0.0.1."""

import asyncio
import datetime
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import pytest
import trio

import ocpp_asyncio
import ocpp_asyncio._soap as asyncio_soap
import ocpp_trio
import ocpp_trio._soap as trio_soap

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
#: Upper bound of any one test body, in seconds.
LIMIT = 20.0


class Binding:
    """One async library: its OCPP-S module and how to run, sleep and use threads."""

    def __init__(self, name: str, package: ModuleType, module: ModuleType) -> None:
        self.name = name
        self.package: Any = package
        self.soap: Any = module

    def run(self, fn: Callable[[], Awaitable[None]]) -> None:
        if self.name == "trio":
            async def bounded() -> None:
                with trio.fail_after(LIMIT):
                    await fn()
            trio.run(bounded)
        else:
            async def bounded_a() -> None:
                async with asyncio.timeout(LIMIT):
                    await fn()
            asyncio.run(bounded_a())

    async def sleep(self, seconds: float) -> None:
        if self.name == "trio":
            await trio.sleep(seconds)
        else:
            await asyncio.sleep(seconds)

    async def to_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.name == "trio":
            return await trio.to_thread.run_sync(fn, *args)
        return await asyncio.to_thread(fn, *args)

    def event(self) -> Any:
        return trio.Event() if self.name == "trio" else asyncio.Event()

    def __repr__(self) -> str:
        return self.name


BINDINGS = {"trio": Binding("trio", ocpp_trio, trio_soap),
            "asyncio": Binding("asyncio", ocpp_asyncio, asyncio_soap)}


@pytest.fixture(params=sorted(BINDINGS))
def binding(request: pytest.FixtureRequest) -> Binding:
    return BINDINGS[request.param]


async def gather(binding: Binding, *fns: Callable[[], Awaitable[Any]]) -> list[Any]:
    """Run ``fns`` concurrently; their results in order."""
    results: list[Any] = [None] * len(fns)

    async def one(i: int) -> None:
        results[i] = await fns[i]()

    if binding.name == "trio":
        async with trio.open_nursery() as nursery:
            for i in range(len(fns)):
                nursery.start_soon(one, i)
    else:
        await asyncio.gather(*(one(i) for i in range(len(fns))))
    return results
