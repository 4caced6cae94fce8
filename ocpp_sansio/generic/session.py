"""The loop-free part of the bindings' generic connections.

A generic connection lets station or CSMS code written against :mod:`ocpp_sansio.generic`
run over any binding, version and transport. It holds:

- :class:`GenericSession`: one peer's adapter (:func:`~ocpp_sansio.generic.adapter_for`) and
  the conversions of one call in each direction; an optional *tap* sees every version message
  that passes (what was sent and received, in order), for logging and tests;
- :func:`generic_call`: a generic request through a version connection's ``call``;
- :class:`GenericRouter`: generic operation name -> generic handler, filled with a decorator;
- :func:`version_router`: a version handler mapping (action -> handler) built from a mapping
  of generic operation names -> ``async fn(generic_request, ctx) -> generic response``;
- :class:`GenericStationCore` / :class:`GenericCsmsCore`: what ``ocpp_trio`` and
  ``ocpp_asyncio`` wrap (each binding only adds its clock and ``connect`` / ``serve``).

Rules (``docs/generic.md``): a generic request the version cannot express is not sent, the
call returns the :class:`~ocpp_sansio.generic.outcome.Unsupported`; an inbound request that
has no generic counterpart goes to a handler registered under its version action name (the
escape hatch) or is answered with its ``Unsupported.reply`` when one exists, else with the
CALLERROR ``NotSupported`` (OCPP-J 1.6 section 4.2.3 / 2.0.1 Part 4 section 4.3: "Requested
Action is recognized but not supported by the receiver"). Nothing here reads a clock:
``clock`` (seconds, monotonic) is passed in by the binding.
"""

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

from ..handlers import CallContext, Handler, Router
from ..rpc import CallError
from ..version import Version
from .adapters import ADAPTERS, Adapter, adapter_for
from .common import GenericMessage, Role
from .operations import OPERATIONS
from .outcome import Converted, Loss, Unsupported

#: ``tap(station_id, "sent" | "received", version_message)``
Tap = Callable[[str, str, Any], None]
#: ``adapter_factory(version, role)`` -> the adapter of one peer
AdapterFactory = Callable[[Version, Role], Adapter]
#: ``async handler(generic_request, ctx) -> generic response`` (or a version response)
GenericHandler = Callable[[Any, "GenericContext"], Awaitable[Any]]


@attrs.frozen
class GenericContext:
    """What a generic handler knows about the request it answers.

    ``operation``: the generic operation name (the version action for a pass-through);
    ``lost``: what reading the version request lost (``docs/generic.md``); ``call``: the
    binding's :class:`~ocpp_sansio.handlers.CallContext` (the version connection is
    ``call.connection``); ``peer``: the generic connection, to call the peer back with
    generic requests (a station: its ``GenericStation``; a CSMS: its ``GenericCsms``).
    """

    station_id: str
    version: Version
    operation: str
    lost: tuple[Loss, ...]
    call: CallContext
    peer: Any


GH = TypeVar("GH", bound=GenericHandler)


class GenericRouter(Mapping[str, GenericHandler]):
    """Generic handlers by generic operation name (or version action name, for version
    messages with no generic counterpart), filled with a decorator:

    >>> router = GenericRouter()
    >>> @router.on("Reset")
    ... async def reset(request, ctx):
    ...     ...
    >>> list(router)
    ['Reset']
    """

    def __init__(self, handlers: Mapping[str, GenericHandler] | None = None) -> None:
        self._handlers: dict[str, GenericHandler] = dict(handlers or {})

    def on(self, name: str) -> Callable[[GH], GH]:
        """Register the decorated coroutine function as the handler of ``name``."""

        def register(fn: GH) -> GH:
            if name in self._handlers:
                raise ValueError(f"a handler for {name} is already registered")
            self._handlers[name] = fn
            return fn

        return register

    def __getitem__(self, name: str) -> GenericHandler:
        return self._handlers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)


class GenericSession:
    """One peer's generic conversions: its version, role, adapter and tap."""

    def __init__(self, station_id: str, version: Version, role: Role, *,
                 adapter_factory: AdapterFactory | None = None, tap: Tap | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.station_id = station_id
        self.version = version
        self.role = role
        factory: AdapterFactory = adapter_factory or adapter_for
        self.adapter: Adapter = factory(version, role)
        self._tap = tap
        self._clock = clock

    def now(self) -> float | None:
        """The clock reading given to the adapter (transaction bounds), if any."""
        return self._clock() if self._clock is not None else None

    def tap(self, direction: str, message: Any) -> None:
        """Report one version message ``"sent"`` or ``"received"``."""
        if self._tap is not None:
            self._tap(self.station_id, direction, message)

    def request_out(self, request: Any) -> Converted[Any] | Unsupported:
        """A request we send, converted to the version (a version message passes through)."""
        return self.adapter.to_wire_message(request, now=self.now())

    async def call(self, send: Callable[[Any], Awaitable[Any]], request: Any,
                   lost: list[Loss] | None = None) -> Any:
        """Send ``request`` (generic or version) through ``send`` (a version ``call``).

        Returns the generic response (the version response for a version request) or the
        :class:`Unsupported` refusing the request (nothing was sent) or its answer. Losses of
        both conversions are appended to ``lost`` when given. Exceptions of ``send``
        (``CallError``, timeouts, closed connections) propagate.
        """
        out = self.request_out(request)
        if isinstance(out, Unsupported):
            return out
        if lost is not None:
            lost.extend(out.lost)
        self.tap("sent", out.message)
        response = await send(out.message)
        self.tap("received", response)
        if not isinstance(request, GenericMessage):
            return response
        back = self.adapter.from_wire_message(response, request=request, now=self.now())
        if isinstance(back, Unsupported):
            return back
        if lost is not None:
            lost.extend(back.lost)
        return back.message

    async def handle(self, handlers: Mapping[str, GenericHandler], request: Any,
                     ctx: CallContext, peer: Any) -> Any:
        """Answer one inbound version request with the generic ``handlers``."""
        self.tap("received", request)
        arrived = self.adapter.from_wire_message(request, now=self.now())
        if isinstance(arrived, Unsupported):
            raw = handlers.get(ctx.action)
            if raw is not None and ctx.action not in OPERATIONS:
                reply = await raw(request, GenericContext(
                    station_id=ctx.station_id, version=ctx.version, operation=ctx.action,
                    lost=(), call=ctx, peer=peer))
                self.tap("sent", reply)
                return reply
            if arrived.reply is not None:
                self.tap("sent", arrived.reply)
                return arrived.reply
            raise CallError("NotSupported", f"{arrived.operation}: {arrived.detail}"[:255])
        generic = arrived.message
        operation = OPERATIONS.of(generic)[0].name
        handler = handlers.get(operation)
        if handler is None:
            raise CallError("NotSupported", f"no handler for {operation}")
        response = await handler(generic, GenericContext(
            station_id=ctx.station_id, version=ctx.version, operation=operation,
            lost=arrived.lost, call=ctx, peer=peer))
        out = self.adapter.to_wire_message(response, request=generic, now=self.now())
        if isinstance(out, Unsupported):
            raise CallError("InternalError",
                            f"{out.operation} response not expressible in {out.version}")
        self.tap("sent", out.message)
        return out.message


def inbound_actions(version: Version, role: Role, operations: Iterable[str]) -> set[str]:
    """The version actions whose requests ``role`` receives and that may read as one of the
    generic ``operations`` (names that are not generic operations are kept as version
    actions: the escape hatch)."""
    wanted = set(operations)
    actions = {name for name in wanted if name not in OPERATIONS}
    for generic, route in ADAPTERS[version].to_routes.items():
        spec, kind = OPERATIONS.of(generic)
        if kind == "request" and spec.name in wanted and not spec.sent_by(role):
            actions.update(route.actions)
    return actions


def version_router(versions: Iterable[Version], role: Role,
                   handlers: Mapping[str, GenericHandler],
                   session_for: Callable[[CallContext], GenericSession],
                   peer: Any) -> Router:
    """A version handler mapping for a connection of any of ``versions``: each action that
    carries one of the generic ``handlers``' operations is adapted by its session."""
    actions: set[str] = set()
    for version in versions:
        actions |= inbound_actions(version, role, handlers)

    def adapt(action: str) -> Handler:
        async def handler(request: Any, ctx: CallContext) -> Any:
            return await session_for(ctx).handle(handlers, request, ctx, peer)

        handler.__name__ = f"generic_{action}"
        return handler

    return Router({action: adapt(action) for action in sorted(actions)})


class GenericStationCore:
    """A station's generic connection over a binding's station (``connect()``).

    Build it before connecting, give :meth:`version_handlers` to ``connect(handlers=...)``,
    then :meth:`attach` the connected station; or wrap a connected station directly when only
    station-initiated calls are used. One adapter serves the whole life of the object (its
    :class:`~ocpp_sansio.generic.TransactionMap` survives reconnects, which keep the version).
    """

    def __init__(self, station: Any = None, *,
                 handlers: Mapping[str, GenericHandler] | None = None,
                 adapter_factory: AdapterFactory | None = None, tap: Tap | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.station: Any = None
        self.handlers: Mapping[str, GenericHandler] = handlers or {}
        self._factory = adapter_factory
        self._tap = tap
        self._clock = clock
        self.session: GenericSession | None = None
        if station is not None:
            self.attach(station)

    def _session(self, station_id: str, version: Version) -> GenericSession:
        if self.session is None or self.session.version is not version:
            self.session = GenericSession(station_id, version, Role.STATION,
                                          adapter_factory=self._factory, tap=self._tap,
                                          clock=self._clock)
        return self.session

    def version_handlers(self, versions: Iterable[Version | str]) -> Router:
        """The version handlers to pass to ``connect(handlers=...)``."""
        return version_router([Version(v) for v in versions], Role.STATION, self.handlers,
                              lambda ctx: self._session(ctx.station_id, ctx.version), self)

    def attach(self, station: Any) -> None:
        """Use the connected ``station`` (its ``version`` is known)."""
        self.station = station
        self._session(getattr(station, "station_id", ""), Version(station.version))

    @property
    def version(self) -> Version:
        """The version of the connection."""
        if self.session is None:
            raise RuntimeError("not attached to a connected station")
        return self.session.version

    async def call(self, request: Any, *, timeout: float | None = None,
                   lost: list[Loss] | None = None) -> Any:
        """Send a generic (or version) request; the generic response or ``Unsupported``."""
        if self.station is None or self.session is None:
            raise RuntimeError("not attached to a connected station")
        station = self.station
        return await self.session.call(lambda m: station.call(m, timeout=timeout), request,
                                       lost)


class GenericCsmsCore:
    """A CSMS's generic connection over a binding's server (``serve()``).

    :meth:`handlers_factory` is ``serve(handlers=...)``'s factory; :meth:`attach` the running
    server; :meth:`call` reaches a station by id with a generic request. One adapter per
    station (``adapter_factory`` may share a transaction id source between them).
    """

    def __init__(self, server: Any = None, *,
                 handlers: Mapping[str, GenericHandler] | None = None,
                 adapter_factory: AdapterFactory | None = None, tap: Tap | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.server: Any = server
        self.handlers: Mapping[str, GenericHandler] = handlers or {}
        self._factory = adapter_factory
        self._tap = tap
        self._clock = clock
        self.sessions: dict[str, GenericSession] = {}
        self._routers: dict[Version, Router] = {}

    def session(self, station_id: str, version: Version | str) -> GenericSession:
        """The session of ``station_id`` (a new one when its version changed)."""
        version = Version(version)
        current = self.sessions.get(station_id)
        if current is None or current.version is not version:
            current = GenericSession(station_id, version, Role.CSMS,
                                     adapter_factory=self._factory, tap=self._tap,
                                     clock=self._clock)
            self.sessions[station_id] = current
        return current

    def handlers_factory(self, station_id: str, version: Version) -> Router:
        """``serve(handlers=...)``: the version handlers of one station's connection."""
        version = Version(version)
        router = self._routers.get(version)
        if router is None:
            router = version_router([version], Role.CSMS, self.handlers,
                                    lambda ctx: self.session(ctx.station_id, ctx.version),
                                    self)
            self._routers[version] = router
        return router

    def attach(self, server: Any) -> None:
        """Use the running ``server``."""
        self.server = server

    def forget(self, station_id: str) -> None:
        """Drop a station's session (e.g. from ``on_disconnect``)."""
        self.sessions.pop(station_id, None)

    async def call(self, station_id: str, request: Any, *, timeout: float | None = None,
                   lost: list[Loss] | None = None) -> Any:
        """Send a generic (or version) request to a connected station (``KeyError`` when it
        is not connected); the generic response or ``Unsupported``."""
        if self.server is None:
            raise RuntimeError("not attached to a server")
        connection = self.server.stations[station_id]
        session = self.session(station_id, connection.version)
        return await session.call(lambda m: connection.call(m, timeout=timeout), request,
                                  lost)
