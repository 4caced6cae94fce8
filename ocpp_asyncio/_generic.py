"""The generic connection on asyncio: station and CSMS code written against
:mod:`ocpp_sansio.generic` over OCPP-J or OCPP-S, any version (``docs/generic.md``).

- :func:`connect_generic` -> :class:`GenericStation`: ``await g.call(generic_request)`` returns
  the generic response or an :class:`~ocpp_sansio.generic.Unsupported`;
- :func:`serve_generic` -> :class:`GenericCsms`: ``await g.call(station_id, generic_request)``;
- ``handlers``: a mapping (e.g. a :class:`GenericRouter`) of generic operation
  names -> ``async fn(generic_request, ctx: GenericContext) -> generic response``.

The rules live in :mod:`ocpp_sansio.generic.session`; this module adds asyncio's clock and the
binding's ``connect()`` / ``serve()``. ``ocpp_trio._generic`` is the same on trio.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from ocpp_sansio.generic.session import (
    AdapterFactory,
    GenericContext,
    GenericCsmsCore,
    GenericHandler,
    GenericRouter,
    GenericStationCore,
    Tap,
)
from ocpp_sansio.version import Version

from ._server import serve
from ._station import connect

__all__ = ["GenericContext", "GenericCsms", "GenericRouter", "GenericStation",
           "connect_generic", "serve_generic"]


def _loop_time() -> float:
    """The running loop's monotonic clock (read only while a call or handler runs)."""
    return asyncio.get_running_loop().time()


class GenericStation(GenericStationCore):
    """A station's generic connection (see :class:`GenericStationCore`); asyncio's clock."""

    def __init__(self, station: Any = None, *,
                 handlers: Mapping[str, GenericHandler] | None = None,
                 adapter_factory: AdapterFactory | None = None, tap: Tap | None = None,
                 clock: Callable[[], float] | None = _loop_time) -> None:
        super().__init__(station, handlers=handlers, adapter_factory=adapter_factory, tap=tap,
                         clock=clock)


class GenericCsms(GenericCsmsCore):
    """A CSMS's generic connection (see :class:`GenericCsmsCore`); asyncio's clock."""

    def __init__(self, server: Any = None, *,
                 handlers: Mapping[str, GenericHandler] | None = None,
                 adapter_factory: AdapterFactory | None = None, tap: Tap | None = None,
                 clock: Callable[[], float] | None = _loop_time) -> None:
        super().__init__(server, handlers=handlers, adapter_factory=adapter_factory, tap=tap,
                         clock=clock)


@asynccontextmanager
async def connect_generic(
    endpoint: str, station_id: str, *, versions: Iterable[Version | str] = ("1.6",),
    handlers: Mapping[str, GenericHandler] | None = None,
    adapter_factory: AdapterFactory | None = None, tap: Tap | None = None,
    **connect_kwargs: Any,
) -> AsyncIterator[GenericStation]:
    """:func:`connect` (same keywords, ``transport="soap"`` included) with generic handlers;
    yields the connected :class:`GenericStation` (``.station`` is the version station)."""
    versions = tuple(Version(v) for v in versions)
    generic = GenericStation(handlers=handlers, adapter_factory=adapter_factory, tap=tap)
    async with connect(endpoint, station_id, versions=versions,
                       handlers=generic.version_handlers(versions),
                       **connect_kwargs) as station:
        generic.attach(station)
        yield generic


@asynccontextmanager
async def serve_generic(
    host: str, port: int, *, handlers: Mapping[str, GenericHandler] | None = None,
    adapter_factory: AdapterFactory | None = None, tap: Tap | None = None,
    **serve_kwargs: Any,
) -> AsyncIterator[GenericCsms]:
    """:func:`serve` (same keywords) with generic handlers; yields the running
    :class:`GenericCsms` (``.server`` is the version server)."""
    generic = GenericCsms(handlers=handlers, adapter_factory=adapter_factory, tap=tap)
    async with serve(host, port, handlers=generic.handlers_factory, **serve_kwargs) as server:
        generic.attach(server)
        yield generic
