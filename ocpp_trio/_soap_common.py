"""OCPP-S bindings: what the trio and the asyncio binding share (no event loop in here).

The constants, the handler-running :func:`answer_call`, the call logic of a kept-alive HTTP
connection (:class:`CallerBase`), and the loop-free bodies of the station
(:class:`SoapStationBase`) and of the central system (:class:`SoapAppBase`,
:class:`SoapStationConnection`, :class:`SoapServerHandle`). Each binding's ``_soap.py``
subclasses them with its sockets, locks, timeouts and task handling; the module docstring of
``ocpp_trio/_soap.py`` explains the whole.
"""

import logging
import ssl as _ssl
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from types import MappingProxyType
from typing import Any, Protocol, Self

import attrs

from ocpp_sansio.actions import actions_for
from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.rpc.exceptions import CallError, InvalidMessageError
from ocpp_sansio.rpc.exceptions import RemoteProtocolError as RpcRemoteProtocolError
from ocpp_sansio.soap import (
    CallReceived,
    FaultReceived,
    Limits,
    LocalProtocolError,
    NeedData,
    RemoteProtocolError,
    ResultReceived,
    Service,
    SoapClient,
    SoapEndpoint,
    SoapServer,
    Subcode,
    UnrepresentableError,
)
from ocpp_sansio.soap import ConnectionClosed as HttpClosed
from ocpp_sansio.soap.namespaces import SOAP_VERSIONS
from ocpp_sansio.soap.outcomes import error_for_fault, fault_for_error, handler_failure
from ocpp_sansio.validation import ValidationError, ValidationPolicy
from ocpp_sansio.version import Version

from ._common import ConnectionClosed

log = logging.getLogger("ocpp_toolkit.soap")

#: Read size of the socket loops.
READ_SIZE = 65536
#: Seconds an idle kept-alive server connection may wait for its next request. Once a
#: request's first byte arrived, the request has ``Limits.request_timeout`` (20 s by default;
#: the front door's ``Limits.handshake_timeout``) to be complete, else HTTP 408 and close.
IDLE_TIMEOUT = 120.0
#: Seconds to try sending the 408 to a request that was not complete in time.
SEND_TIMEOUT = 1.0
#: Seconds a closing endpoint waits for the requests being answered before cancelling them.
DRAIN_TIMEOUT = 10.0

DEFAULT_POLICY = ValidationPolicy()
DEFAULT_LIMITS = Limits()

Handlers = Mapping[str, Handler]
HandlersFactory = Callable[[str, Version], Handlers]
StationHook = Callable[["SoapStationConnection"], Awaitable[None]]


class PeerUnreachable(ConnectionClosed):
    """The peer's OCPP-S endpoint could not be reached, or dropped the connection before
    answering (the call may or may not have been processed). A :class:`ConnectionClosed`, as
    on OCPP-J."""


def new_message_id() -> str:
    """A WS-Addressing MessageID (a UUID URN)."""
    return f"urn:uuid:{uuid.uuid4()}"


def soap_versions(versions: Iterable[Version | str]) -> tuple[Version, ...]:
    """The versions of ``versions`` that have an OCPP-S binding, in the given order."""
    found = tuple(v for v in (Version(x) for x in versions) if v in SOAP_VERSIONS)
    if not found:
        raise ValueError("OCPP-S exists for OCPP 1.5 and 1.6 only")
    return found


def url_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def action_of(version: Version, message: Any) -> str:
    try:
        spec, _ = actions_for(version).of(message)
    except KeyError:
        raise LocalProtocolError(f"{type(message).__name__} is not an OCPP {version} "
                                 "message") from None
    return spec.name


# --- the server side: one HTTP connection ----------------------------------------------------


class ByteStream(Protocol):
    """What a server connection needs of a stream (``trio.abc.Stream`` has it; asyncio's
    reader/writer pair is wrapped)."""

    async def receive_some(self, max_bytes: int | None = None) -> bytes | bytearray: ...

    async def send_all(self, data: bytes | bytearray | memoryview) -> None: ...

    async def aclose(self) -> None: ...


async def answer_call(server: SoapServer, call: CallReceived, handler: Handler | None,
                      ctx: CallContext) -> bytes:
    """Run ``handler`` for ``call``; the bytes of the HTTP response to send."""
    ns = call.namespace
    if handler is None:
        return server.send_fault(
            call, call.fault(Subcode.NotSupported, f"{call.action} is not supported"))
    try:
        response = await handler(call.message, ctx)
    except CallError as exc:
        return server.send_fault(call, fault_for_error(exc, call.version, ns))
    except NotImplementedError:
        return server.send_fault(
            call, call.fault(Subcode.NotSupported, f"{call.action} is not implemented"))
    except Exception:
        log.exception("handler of %s failed", call.action)
        return server.send_fault(call, handler_failure(ns))
    if response is None:
        return server.send_fault(call, handler_failure(ns, "the handler answered nothing"))
    try:
        return server.send_result(call, response)
    except Exception as exc:  # another class, breaks its schema, or cannot be encoded
        log.error("invalid response to %s: %r", call.action, exc)
        return server.send_fault(call, handler_failure(ns, f"invalid response: {exc}"))



class Connections(Protocol):
    """A binding's server connections of one endpoint (its ``_Connections``)."""

    async def serve(
        self, stream: ByteStream, server: SoapServer, head: bytes,
        on_call: Callable[[SoapServer, CallReceived], Awaitable[bytes]],
        started: float | None = None,
    ) -> None: ...

    def close(self) -> None: ...

    async def drained(self) -> None: ...


MakeClient = Callable[[str, Callable[[], str]], SoapClient]


class CallerBase:
    """Calls to one peer URL, one at a time, on a kept-alive connection.

    A binding adds ``call`` (the lock and the time limit) and the stream hooks: ``_open``,
    ``_abort`` and ``stream_errors`` (what its streams raise when the peer is gone).
    """

    stream_errors: tuple[type[BaseException], ...] = (OSError,)

    def __init__(self, make_client: MakeClient, ssl: _ssl.SSLContext | None,
                 lock: AbstractAsyncContextManager[Any]) -> None:
        self._make_client = make_client
        self._ssl = ssl
        self._lock = lock
        self._stream: ByteStream | None = None
        self._client: SoapClient | None = None
        self._url: str | None = None
        self._last_id = ""
        self.closed = False

    async def _open(self, url: str) -> ByteStream:
        raise NotImplementedError

    async def _abort(self, stream: ByteStream) -> None:
        raise NotImplementedError

    async def call(self, url: str, version: Version, message: Any,
                   timeout: float | None) -> Any:
        raise NotImplementedError

    def _new_id(self) -> str:
        self._last_id = new_message_id()
        return self._last_id

    async def _drop(self) -> None:
        stream, self._stream, self._client = self._stream, None, None
        if stream is not None:
            await self._abort(stream)

    async def aclose(self) -> None:
        self.closed = True
        async with self._lock:
            await self._drop()

    async def _call(self, url: str, message: Any, action: str) -> Any:
        if url != self._url:
            await self._drop()
            self._url = url
        for attempt in (0, 1):
            reused = self._client is not None
            if self._client is None or not self._client.idle:
                await self._drop()
                try:
                    self._stream = await self._open(url)
                except OSError as exc:
                    raise PeerUnreachable(f"cannot reach {url}: {exc}") from exc
                self._client = self._make_client(url, self._new_id)
            client, stream = self._client, self._stream
            assert client is not None and stream is not None
            try:
                data = client.send_call(message)
            except (ValidationError, UnrepresentableError) as exc:
                raise InvalidMessageError(f"invalid {action}: {exc}", exc) from exc
            got_bytes = False
            try:
                await stream.send_all(data)
                while True:
                    event = client.next_event()
                    if isinstance(event, NeedData):
                        chunk = bytes(await stream.receive_some(READ_SIZE))
                        got_bytes = got_bytes or bool(chunk)
                        client.receive_data(chunk)
                        continue
                    break
            except self.stream_errors as exc:
                await self._drop()
                if reused and not got_bytes and attempt == 0:
                    continue  # the peer closed the idle kept-alive connection: retry once
                raise PeerUnreachable(f"connection to {url} lost: {exc}") from exc
            except RemoteProtocolError as exc:
                await self._drop()
                if exc.status == 0 and reused and not got_bytes and attempt == 0:
                    continue  # closed before answering on a reused connection: retry once
                if exc.status == 0 and not got_bytes:
                    raise PeerUnreachable(f"{url} closed the connection: {exc}") from exc
                code = str(exc.validation.code) if exc.validation is not None else \
                    "ProtocolError"
                raise RpcRemoteProtocolError(code, str(exc)[:255], action=action,
                                             unique_id=self._last_id) from exc
            if client.must_close:
                await self._drop()
            if isinstance(event, ResultReceived):
                return event.message
            if isinstance(event, FaultReceived):
                raise error_for_fault(event.fault, action=action, unique_id=self._last_id)
            assert isinstance(event, HttpClosed)
            await self._drop()
            raise PeerUnreachable(f"{url} closed the connection")
        raise AssertionError("unreachable")


# --- the station -----------------------------------------------------------------------------


class SoapStationBase:
    """A charge point on OCPP-S (yielded by ``open_soap_station``); a binding adds
    ``_new_connections`` and ``_new_caller``."""

    transport = "soap"

    def __init__(
        self, endpoint: str, station_id: str, version: Version, url: str, *,
        handlers: Handlers, policy: ValidationPolicy, default_timeout: float | None,
        ssl: _ssl.SSLContext | None, limits: Limits,
    ) -> None:
        self.endpoint = endpoint
        self.station_id = station_id
        self.version = version
        #: our own endpoint's URL, sent as WS-Addressing ``From``
        self.url = url
        self.handlers = handlers
        self.policy = policy
        self.default_timeout = default_timeout
        self.limits = limits
        self._connections = self._new_connections()
        self._caller = self._new_caller(self._client, ssl)

    def _new_connections(self) -> Connections:
        raise NotImplementedError

    def _new_caller(self, make_client: MakeClient, ssl: _ssl.SSLContext | None) -> CallerBase:
        raise NotImplementedError

    def _client(self, url: str, new_id: Callable[[], str]) -> SoapClient:
        return SoapClient(Service.CENTRAL_SYSTEM, self.version, self.station_id, url=url,
                          new_message_id=new_id, address=self.url, policy=self.policy,
                          limits=self.limits)

    def server(self) -> SoapServer:
        """A server connection of our ``ChargePointService``: only our identity is accepted
        (``IdentityMismatch`` otherwise)."""
        return SoapServer(Service.CHARGE_POINT, new_message_id=new_message_id, address=self.url,
                          identity=self.station_id, versions=(self.version,),
                          policy=self.policy, limits=self.limits)

    async def call(self, message: Any, timeout: float | None = None) -> Any:
        """Post ``message`` to the central system; its typed response.

        Raises :class:`~ocpp_sansio.rpc.CallError` (a fault), ``CallTimeout``,
        :class:`PeerUnreachable`, :class:`~ocpp_sansio.rpc.RemoteProtocolError` (an unusable
        answer) and, for a message the central system's service does not have or that breaks
        its schema, ``LocalProtocolError`` / ``InvalidMessageError``.
        """
        return await self._caller.call(
            self.endpoint, self.version, message,
            self.default_timeout if timeout is None else timeout)

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND has no OCPP-S binding."""
        raise LocalProtocolError("SEND exists in OCPP-J 2.1 only")

    async def _on_call(self, server: SoapServer, call: CallReceived) -> bytes:
        ctx = CallContext(self.station_id, call.version, call.action, call.message_id or "",
                          self)
        return await answer_call(server, call, self.handlers.get(call.action), ctx)

    async def handle(self, stream: ByteStream, head: bytes = b"") -> None:
        """Serve one HTTP connection to our endpoint."""
        await self._connections.serve(stream, self.server(), head, self._on_call)

    async def close(self) -> None:
        """Stop serving (requests being answered finish) and close our connection."""
        self._connections.close()
        await self._caller.aclose()

    async def drained(self) -> None:
        """Wait until, after :meth:`close`, no request is being answered."""
        await self._connections.drained()




# --- the central system ----------------------------------------------------------------------


class SoapStationConnection:
    """A station known to the central system through its OCPP-S calls."""

    transport = "soap"

    def __init__(self, app: "SoapAppBase", station_id: str, version: Version) -> None:
        self._app = app
        self.station_id = station_id
        self.version = version
        #: the TCP peer of its last request
        self.remote_address: Any = None
        self.handlers: Handlers = {}
        self._caller = app._new_caller(self._client, app.client_ssl)

    @property
    def url(self) -> str | None:
        """Where its calls go: the learned ``From``/``ReplyTo``, else the configured URL."""
        peer = self._app.endpoint.peers.get(self.station_id)
        learned = peer.address if peer is not None else None
        return learned or self._app.soap_endpoints.get(self.station_id)

    def _client(self, url: str, new_id: Callable[[], str]) -> SoapClient:
        app = self._app
        return SoapClient(Service.CHARGE_POINT, self.version, self.station_id, url=url,
                          new_message_id=new_id, address=app.endpoint.address,
                          policy=app.endpoint.policy, limits=app.endpoint.limits)

    async def call(self, message: Any, timeout: float | None = None) -> Any:
        """Post ``message`` to the station's endpoint; its typed response (the exceptions of
        :meth:`SoapStation.call`)."""
        url = self.url
        if url is None:
            raise PeerUnreachable(f"no OCPP-S endpoint known for {self.station_id!r}")
        if timeout is None:
            timeout = self._app.default_timeout
        return await self._caller.call(url, self.version, message, timeout)

    @property
    def is_open(self) -> bool:
        """Whether the station is still known (OCPP-S has no lasting connection)."""
        return self._app.stations.get(self.station_id) is self

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND has no OCPP-S binding."""
        raise LocalProtocolError("SEND exists in OCPP-J 2.1 only")

    async def close(self) -> None:
        """Forget the station (``on_disconnect`` runs); a later call of its registers it anew."""
        await self._app.forget(self)

    def __repr__(self) -> str:
        return f"<StationConnection {self.station_id!r} {self.version} soap>"

    async def _aclose(self) -> None:
        await self._caller.aclose()



class SoapAppBase:
    """The central system's OCPP-S side: its stations, its handlers, its HTTP loop; a binding
    adds ``_new_connections``, ``_new_caller`` and ``aclose``.

    ``handlers`` is a mapping (``Router``) or a factory ``(station_id, version) -> mapping``.
    ``address`` is our service URL, sent as ``From`` (anonymous when ``None``).
    :meth:`handle` serves one accepted connection, the front door passing what it already
    read of it as ``head``.
    """

    def __init__(
        self, *, handlers: Handlers | HandlersFactory | None = None,
        versions: Iterable[Version | str] = SOAP_VERSIONS,
        policy: ValidationPolicy = DEFAULT_POLICY, default_timeout: float | None = 30.0,
        soap_endpoints: Mapping[str, str] | None = None,
        on_connect: StationHook | None = None, on_disconnect: StationHook | None = None,
        address: str | None = None, client_ssl: _ssl.SSLContext | None = None,
        limits: Limits = DEFAULT_LIMITS, registry: Any = None,
    ) -> None:
        #: the front door's server: ``register`` / ``unregister`` make our stations part of
        #: its ``stations`` (``None`` when serving alone)
        self.registry = registry
        self.endpoint = SoapEndpoint(
            Service.CENTRAL_SYSTEM, new_message_id=new_message_id, address=address,
            versions=soap_versions(versions), policy=policy, limits=limits)
        self.handlers = handlers
        self.default_timeout = default_timeout
        self.soap_endpoints: dict[str, str] = dict(soap_endpoints or {})
        self.on_connect = on_connect
        self.on_disconnect = on_disconnect
        self.client_ssl = client_ssl
        self._stations: dict[str, SoapStationConnection] = {}
        self._connections = self._new_connections()

    @classmethod
    def for_front_door(cls, server: Any) -> "Self":
        """The OCPP-S hook of the one-port front door (``serve(soap=True)`` in ``_server.py``).

        Takes the server's handlers (``handlers_for``), hooks, policy and default timeout, and
        registers OCPP-S stations in its ``stations``. The front door then calls
        ``await app.handle(stream, head, server)`` per non-upgrade connection.
        """
        return cls(
            handlers=server.handlers_for,
            versions=[v for v in getattr(server.config, "versions", SOAP_VERSIONS)
                      if v in SOAP_VERSIONS] or SOAP_VERSIONS,
            policy=getattr(server, "_policy", None) or DEFAULT_POLICY,
            default_timeout=getattr(server, "_default_timeout", 30.0),
            on_connect=getattr(server, "_on_connect", None),
            on_disconnect=getattr(server, "_on_disconnect", None),
            client_ssl=None, registry=server, limits=front_door_limits(server),
        )

    def _new_connections(self) -> Connections:
        raise NotImplementedError

    def _new_caller(self, make_client: MakeClient, ssl: _ssl.SSLContext | None) -> CallerBase:
        raise NotImplementedError

    @property
    def stations(self) -> Mapping[str, SoapStationConnection]:
        """The stations that called us, by identity (a read-only view)."""
        return MappingProxyType(self._stations)

    def _handlers_for(self, station_id: str, version: Version) -> Handlers:
        if self.handlers is None:
            return {}
        if isinstance(self.handlers, Mapping):
            return self.handlers
        return self.handlers(station_id, version)

    async def _station(self, identity: str, version: Version,
                       remote: Any) -> SoapStationConnection:
        station = self._stations.get(identity)
        if station is not None and station.version is version:
            station.remote_address = remote
            return station
        if station is None:
            station = SoapStationConnection(self, identity, version)
            self._stations[identity] = station
            if self.registry is not None:
                self.registry.register(station)
            fresh = True
        else:  # the station now speaks another version
            station.version = version
            fresh = False
        station.remote_address = remote
        station.handlers = self._handlers_for(identity, version)
        if fresh and self.on_connect is not None:
            await self.on_connect(station)
        return station

    async def add_station(self, station_id: str, version: Version | str,
                          url: str | None = None) -> SoapStationConnection:
        """Make a station callable before it called us: its endpoint is ``url`` (kept in
        the configuration), else the configured one. ``on_connect`` runs for a new one."""
        if url is not None:
            self.soap_endpoints[station_id] = url
        return await self._station(station_id, soap_versions((version,))[0], None)

    async def handle(self, stream: ByteStream, head: bytes = b"", server: Any = None, *,
                     started: float | None = None) -> None:
        """Serve one HTTP connection; ``head`` holds the bytes already read from it.

        ``server`` is the front door's server object; unused here, accepted so the front
        door's hook signature is ``(stream, head, server)``. ``started`` (the loop's clock),
        when given, is when reading ``head`` began: the first request's time limit
        (``Limits.request_timeout``) counts from then, else from now.
        """
        remote = remote_address(stream)
        if self.endpoint.address is None and getattr(server, "port", None):
            scheme = "https" if getattr(server, "_ssl", None) is not None else "http"
            host = url_host(getattr(server, "host", "") or "")
            self.endpoint.address = f"{scheme}://{host}:{server.port}/"

        async def on_call(conn: SoapServer, call: CallReceived) -> bytes:
            station = await self._station(call.identity, call.version, remote)
            ctx = CallContext(call.identity, call.version, call.action, call.message_id or "",
                              station)
            return await answer_call(conn, call, station.handlers.get(call.action), ctx)

        await self._connections.serve(stream, self.endpoint.server(), head, on_call, started)

    async def call(self, station_id: str, message: Any, timeout: float | None = None) -> Any:
        """Call a station by identity (``KeyError`` if it never called us)."""
        return await self._stations[station_id].call(message, timeout)

    async def forget(self, station: SoapStationConnection) -> None:
        if self._stations.get(station.station_id) is station:
            del self._stations[station.station_id]
            if self.registry is not None:
                self.registry.unregister(station)
            await station._aclose()
            if self.on_disconnect is not None:
                await self.on_disconnect(station)

    def close(self) -> None:
        """Stop serving: idle connections close now, requests being answered finish."""
        self._connections.close()

    async def drained(self) -> None:
        """Wait until, after :meth:`close`, no request is being answered."""
        await self._connections.drained()

    async def forget_all(self) -> None:
        """Forget every station (``on_disconnect`` runs for each)."""
        for station in list(self._stations.values()):
            await self.forget(station)

    async def aclose(self) -> None:
        """Shut down (for the front door's server): :meth:`close`, wait up to
        ``DRAIN_TIMEOUT`` for the requests being answered, then :meth:`forget_all`."""
        raise NotImplementedError


def remote_address(stream: Any) -> Any:
    """The TCP peer of a trio stream (through TLS) or of an asyncio stream pair."""
    writer = getattr(stream, "writer", None)
    if writer is not None:
        return writer.get_extra_info("peername")
    inner = getattr(stream, "transport_stream", stream)
    sock = getattr(inner, "socket", None)
    if sock is None:
        return None
    try:
        return sock.getpeername()
    except OSError:
        return None


class SoapServerHandle:
    """What ``serve_soap`` yields: the bound ``port``, the ``stations``, ``call``."""

    def __init__(self, app: SoapAppBase, port: int) -> None:
        self.app = app
        self.port = port

    @property
    def stations(self) -> Mapping[str, SoapStationConnection]:
        return self.app.stations

    async def call(self, station_id: str, message: Any, timeout: float | None = None) -> Any:
        return await self.app.call(station_id, message, timeout)

    async def add_station(self, station_id: str, version: Version | str,
                          url: str | None = None) -> SoapStationConnection:
        """See :meth:`SoapApp.add_station`."""
        return await self.app.add_station(station_id, version, url)


def front_door_limits(server: Any) -> Limits:
    """The OCPP-S limits under the front door: its ``Limits.handshake_timeout`` also bounds
    the time one OCPP-S request may take to arrive (``Limits.request_timeout``)."""
    ws_limits = getattr(getattr(server, "config", None), "limits", None)
    timeout = getattr(ws_limits, "handshake_timeout", None)
    if timeout is None:
        return DEFAULT_LIMITS
    return attrs.evolve(DEFAULT_LIMITS, request_timeout=timeout)
