"""The CSMS side on trio: :func:`serve`, :class:`Server`, :class:`StationConnection`, and the
one-port front door.

Front door: for each accepted TCP (or TLS) stream, the request head is read (up to the
WebSocket layer's ``max_handshake_size``, within its ``handshake_timeout``). A head with
``Upgrade: websocket`` (or one that is incomplete, oversized or late: the WebSocket session then
answers 431 / 408 itself) goes to OCPP-J: a :class:`~ocpp_sansio.ws.ServerSession` is fed the
bytes read so far. Any other request goes to the OCPP-S hook when one is set, else it is
answered 404 (outside ``path``) or 426 ``Upgrade: websocket``.

The OCPP-S hook (``soap_app``) is any object with::

    async def handle(self, stream: trio.abc.Stream, head: bytes, server: Server, *,
                     started: float) -> None

``stream`` is the connection (TLS already done), ``head`` every byte read so far (the complete
request head plus possibly the start of the body), ``server`` the :class:`Server` (its
``stations``, ``handlers_for(station_id, version)``, ``register`` / ``unregister`` for OCPP-S
stations), ``started`` trio's clock when the connection was accepted (the request's time
limit counts from it). ``handle`` owns the stream and must close it. If the hook has
``async def aclose(self)``, the server awaits it when it shuts down (after closing its OCPP-J
connections). ``serve(soap=True)`` looks for a factory ``ocpp_trio._soap.soap_app(server)`` and
uses the object it returns; ``soap=<object>`` uses that object; ``soap=False`` (or no factory)
disables OCPP-S.
"""

from __future__ import annotations

import importlib
import inspect
import ssl as _ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any

import trio

from ocpp_sansio.handlers import Handler
from ocpp_sansio.rpc import RpcConnection
from ocpp_sansio.validation import ValidationPolicy
from ocpp_sansio.version import Version
from ocpp_sansio.ws import (
    Accept,
    AuthRequest,
    Compression,
    Connected,
    ConnectionRegistry,
    ConnectRequested,
    DuplicatePolicy,
    KeepAlive,
    Limits,
    Reject,
    ServerConfig,
    ServerSession,
)
from ocpp_sansio.ws.tls import peer_certificate

from ._common import (
    HEAD_END,
    ConnectionClosed,
    HandlersArg,
    Link,
    StationConnection,
    handlers_for,
    is_upgrade,
    log,
    not_upgrade_response,
    profile_for,
    supported_for,
)
from ._jsonws import JsonConnection
from ._station import _single_errors

__all__ = ["Server", "StationConnection", "serve"]

AuthFn = Callable[[AuthRequest], Accept | Reject | Awaitable[Accept | Reject]]
Hook = Callable[["StationConnection"], Awaitable[None]]


class Server:
    """A running CSMS listener (what ``serve`` yields)."""

    def __init__(
        self,
        config: ServerConfig,
        *,
        handlers: HandlersArg,
        auth: AuthFn | None,
        ssl: _ssl.SSLContext | None,
        on_connect: Hook | None,
        on_disconnect: Hook | None,
        duplicate: str,
        policy: ValidationPolicy,
        default_timeout: float,
        soap_app: Any,
    ) -> None:
        self.config = config
        self._handlers = handlers
        self._auth = auth
        self._ssl = ssl
        self._on_connect = on_connect
        self._on_disconnect = on_disconnect
        self._policy = policy
        self._default_timeout = default_timeout
        self.soap_app = soap_app
        if duplicate not in ("replace", "reject"):
            raise ValueError("duplicate must be 'replace' or 'reject'")
        self._registry: ConnectionRegistry[Any] = ConnectionRegistry(
            DuplicatePolicy.REPLACE_OLD if duplicate == "replace" else DuplicatePolicy.REJECT_NEW
        )
        self._stations: dict[str, Any] = {}
        self._nursery: trio.Nursery | None = None
        self._live: set[JsonConnection] = set()
        self.port = 0
        self.host = ""

    # -- public --------------------------------------------------------------------------------

    @property
    def stations(self) -> Mapping[str, Any]:
        """Connected stations by identity (a live read-only view)."""
        return _View(self._stations)

    async def call(self, station_id: str, message: Any, timeout: float | None = None) -> Any:
        """Call a connected station by identity (``KeyError`` when it is not connected)."""
        return await self._stations[station_id].call(message, timeout)

    def handlers_for(self, station_id: str, version: Version) -> Mapping[str, Handler]:
        """The handlers of one station's connection (for the OCPP-S hook too)."""
        return handlers_for(self._handlers, station_id, version)

    def register(self, station: Any) -> None:
        """Make a station reachable in :attr:`stations` (used by the OCPP-S hook)."""
        self._stations[station.station_id] = station

    def unregister(self, station: Any) -> None:
        """Forget a station if it is still the registered one."""
        key = station.station_id
        if self._stations.get(key) is station:
            del self._stations[key]

    # -- the front door ------------------------------------------------------------------------

    async def _handle_stream(self, stream: trio.abc.Stream) -> None:
        """One accepted connection; a failure here is logged, never fatal to the server."""
        try:
            await self._front_door(stream)
        except Exception:
            log.exception("connection handler failed")
            await trio.aclose_forcefully(stream)

    async def _front_door(self, stream: trio.abc.Stream) -> None:
        limits = self.config.limits
        # the WebSocket session's handshake timeout counts from the accept, so that reading
        # the head here and the session's own wait do not add up to twice the limit
        accepted = trio.current_time()
        cert = None
        head = b""
        ready = self._ssl is None
        try:
            with trio.move_on_after(limits.handshake_timeout):
                if self._ssl is not None:
                    tls = trio.SSLStream(stream, self._ssl, server_side=True)
                    stream = tls
                    await tls.do_handshake()
                    ready = True
                    cert = peer_certificate(tls)  # type: ignore[arg-type]
                while HEAD_END not in head and len(head) <= limits.max_handshake_size:
                    chunk = await stream.receive_some(65536)
                    if not chunk:
                        break
                    head += chunk
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError, _ssl.SSLError):
            ready = False
        if not ready:
            await trio.aclose_forcefully(stream)
            return
        remote = _remote_address(stream)
        if not is_upgrade(head):
            if self.soap_app is not None:
                await self.soap_app.handle(stream, head, self, started=accepted)
                return
            with suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                await stream.send_all(not_upgrade_response(head, self.config.path))
            await trio.aclose_forcefully(stream)
            return
        await self._serve_json(stream, head, remote, cert, accepted)

    async def _serve_json(self, stream: trio.abc.Stream, head: bytes, remote: Any,
                          cert: Any, accepted: float) -> None:
        session = ServerSession(
            self.config, now=accepted, remote_address=remote, client_certificate=cert
        )
        holder: dict[str, Any] = {}

        def make_rpc(version: Version) -> RpcConnection:
            handlers = self.handlers_for(conn.station_id, version)
            conn.handlers = handlers
            return RpcConnection(
                version, "csms", policy=self._policy,
                supported_actions=supported_for(handlers, version),
                default_timeout=self._default_timeout,
                max_message_size=self.config.limits.max_message_size,
                bad_message_limit=self.config.limits.bad_message_limit,
            )

        async def decide(event: ConnectRequested) -> Accept | Reject:
            req = event.request
            conn.station_id = req.identity
            decision: Accept | Reject = Accept()
            if self._auth is not None:
                try:
                    result = self._auth(req)
                    decision = await result if inspect.isawaitable(result) else result
                except Exception:
                    log.exception("auth callback failed for %r", req.identity)
                    decision = Reject(status=500)
            if isinstance(decision, Reject):
                return decision
            admission = self._registry.admit(req.identity, conn)
            if not admission.admitted:
                return Reject(status=admission.status or 409)
            if admission.evict is not None:
                old: JsonConnection = admission.evict
                assert self._nursery is not None
                self._nursery.start_soon(
                    old.aclose, admission.close_code, admission.close_reason
                )
            return decision

        def connected(event: Connected) -> None:
            station = StationConnection(conn, event.version, remote)
            holder["station"] = station
            conn.context_connection = station
            self._stations[conn.station_id] = station

        conn = JsonConnection(
            Link(session, make_rpc), stream, station_id="",
            on_connect_requested=decide, on_connected=connected,
        )
        self._live.add(conn)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(conn.run, head)
                await conn.opened.wait()
                station = holder.get("station")
                if station is not None and self._on_connect is not None:
                    await _hook(self._on_connect, station)
        finally:
            self._live.discard(conn)
            station = holder.get("station")
            if conn.station_id:
                self._registry.release(conn.station_id, conn)
            if station is not None:
                self.unregister(station)
                if self._on_disconnect is not None:
                    with trio.CancelScope(shield=True):
                        await _hook(self._on_disconnect, station)

    async def _aclose(self) -> None:
        with trio.move_on_after(self.config.limits.close_timeout + 1):
            async with trio.open_nursery() as nursery:
                for conn in list(self._live):
                    nursery.start_soon(conn.aclose, 1001, "CSMS shutting down")
        closer = getattr(self.soap_app, "aclose", None)
        if closer is not None:
            with trio.move_on_after(self.config.limits.close_timeout + 1):
                await closer()


async def _hook(hook: Hook, station: StationConnection) -> None:
    """Run an ``on_connect`` / ``on_disconnect`` hook; its failure is logged, not fatal."""
    try:
        await hook(station)
    except Exception:
        log.exception("hook %s failed for %r", getattr(hook, "__name__", hook), station)


class _View(Mapping[str, Any]):
    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def __getitem__(self, key: str) -> Any:
        return self._d[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._d))

    def __len__(self) -> int:
        return len(self._d)


def _remote_address(stream: trio.abc.Stream) -> Any:
    inner: Any = stream
    while isinstance(inner, trio.SSLStream):
        inner = inner.transport_stream
    sock = getattr(inner, "socket", None)
    if sock is None:
        return None
    try:
        addr = sock.getpeername()
    except OSError:
        return None
    return (addr[0], addr[1]) if isinstance(addr, tuple) else addr


def _soap_app(soap: Any, server: Server) -> Any:
    if soap is False or soap is None:
        return None
    if soap is not True:
        return soap
    try:
        module = importlib.import_module(f"{__package__}._soap")
    except ImportError:
        return None
    factory = getattr(module, "soap_app", None)
    return factory(server) if callable(factory) else None


@asynccontextmanager
async def serve(
    host: str,
    port: int,
    *,
    versions: Iterable[Version | str] = ("2.0.1", "1.6", "1.5"),
    handlers: HandlersArg = None,
    auth: AuthFn | None = None,
    ssl: _ssl.SSLContext | None = None,
    soap: Any = True,
    on_connect: Hook | None = None,
    on_disconnect: Hook | None = None,
    duplicate: str = "replace",
    policy: ValidationPolicy | None = None,
    default_timeout: float = 30.0,
    path: str | None = None,
    security_profile: int | None = None,
    keepalive: KeepAlive | None = None,
    compression: Compression | None = None,
    limits: Limits | None = None,
    backlog: int | None = None,
) -> AsyncIterator[Server]:
    """Run a CSMS on ``host:port`` (``port=0`` picks one; see ``docs/bindings.md``)."""
    config = ServerConfig(
        versions=tuple(Version(v) for v in versions),
        path=path,
        security_profile=profile_for(ssl, security_profile, server=True),
        compression=compression or Compression(),
        keepalive=keepalive or KeepAlive(),
        limits=limits or Limits(),
    )
    server = Server(
        config, handlers=handlers, auth=auth, ssl=ssl, on_connect=on_connect,
        on_disconnect=on_disconnect, duplicate=duplicate, policy=policy or ValidationPolicy(),
        default_timeout=default_timeout, soap_app=None,
    )
    server.soap_app = _soap_app(soap, server)
    async with _single_errors(), trio.open_nursery() as nursery:
        server._nursery = nursery
        listeners = await nursery.start(
            lambda task_status=trio.TASK_STATUS_IGNORED: trio.serve_tcp(
                server._handle_stream, port, host=host, backlog=backlog,
                task_status=task_status,
            )
        )
        sockname = listeners[0].socket.getsockname()
        server.host, server.port = sockname[0], sockname[1]
        try:
            yield server
        finally:
            with trio.CancelScope(shield=True):
                await server._aclose()
            nursery.cancel_scope.cancel()


__all__ += ["ConnectionClosed"]
