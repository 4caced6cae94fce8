"""The CSMS side on asyncio: :func:`serve`, :class:`Server`, :class:`StationConnection`, and the
one-port front door.

Front door: for each accepted TCP (or TLS) stream, the request head is read (up to the
WebSocket layer's ``max_handshake_size``, within its ``handshake_timeout``). A head with
``Upgrade: websocket`` (or one that is incomplete, oversized or late: the WebSocket session then
answers 431 / 408 itself) goes to OCPP-J: a :class:`~ocpp_sansio.ws.ServerSession` is fed the
bytes read so far. Any other request goes to the OCPP-S hook when one is set, else it is
answered 404 (outside ``path``) or 426 ``Upgrade: websocket``.

The OCPP-S hook (``soap_app``) is any object with::

    async def handle(self, stream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                     head: bytes, server: Server, *, started: float) -> None

``stream`` is the connection as an asyncio reader / writer pair (TLS already done),
``head`` every byte read so far (the complete request head plus possibly the start of the
body), ``server`` the :class:`Server` (its ``stations``, ``handlers_for(station_id,
version)``, ``register`` / ``unregister`` for OCPP-S stations), ``started`` the loop time the
connection was accepted (the request's time limit counts from it). ``handle`` owns the stream and
must close it. If the hook has ``async def aclose(self)``, the server awaits it when it shuts
down (after closing its OCPP-J connections). ``serve(soap=True)`` looks for a factory
``ocpp_asyncio._soap.soap_app(server)`` and uses the object it returns; ``soap=<object>`` uses
that object; ``soap=False`` (or no factory) disables OCPP-S.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import ssl as _ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

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
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connect_hooks: dict[JsonConnection, asyncio.Task[Any]] = {}
        self._servers: list[asyncio.Server] = []
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

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _json_connection(self, transport: asyncio.Transport) -> JsonConnection:
        loop = asyncio.get_running_loop()
        remote = transport.get_extra_info("peername")
        if isinstance(remote, tuple):
            remote = (remote[0], remote[1])
        ssl_object = transport.get_extra_info("ssl_object")
        cert = peer_certificate(ssl_object) if ssl_object is not None else None
        session = ServerSession(
            self.config, now=loop.time(), remote_address=remote, client_certificate=cert
        )

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
                self._spawn(old.aclose(admission.close_code, admission.close_reason))
            return decision

        def connected(event: Connected) -> None:
            station = StationConnection(conn, event.version, remote)
            conn.context_connection = station
            self._stations[conn.station_id] = station
            if self._on_connect is not None:
                self._connect_hooks[conn] = self._spawn(_hook(self._on_connect, station))

        conn = JsonConnection(
            Link(session, make_rpc), station_id="",
            on_connect_requested=decide, on_connected=connected,
        )
        self._live.add(conn)
        conn.on_finished.append(self._finished)
        return conn

    def _finished(self, conn: JsonConnection) -> None:
        self._live.discard(conn)
        if conn.station_id:
            self._registry.release(conn.station_id, conn)
        station = conn.context_connection
        if isinstance(station, StationConnection):
            self.unregister(station)
        hook = self._connect_hooks.pop(conn, None)
        if isinstance(station, StationConnection) and self._on_disconnect is not None:
            self._spawn(self._disconnected(station, hook))

    async def _disconnected(
        self, station: StationConnection, hook: asyncio.Task[Any] | None
    ) -> None:
        """``on_disconnect``, once the station's ``on_connect`` hook (if running) is over."""
        assert self._on_disconnect is not None
        if hook is not None and not hook.done():
            await asyncio.wait([hook])
        await _hook(self._on_disconnect, station)

    async def _aclose(self) -> None:
        for srv in self._servers:
            srv.close()
        live = [conn.aclose(1001, "CSMS shutting down") for conn in list(self._live)]
        if live:
            try:
                async with asyncio.timeout(self.config.limits.close_timeout + 1):
                    await asyncio.gather(*live, return_exceptions=True)
            except TimeoutError:
                pass
        for conn in list(self._live):
            if conn.transport is not None:
                conn.transport.abort()
        closer = getattr(self.soap_app, "aclose", None)
        if closer is not None:
            try:
                async with asyncio.timeout(self.config.limits.close_timeout + 1):
                    await closer()
            except TimeoutError:
                pass
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _FrontDoor(asyncio.Protocol):
    """Reads the request head, then hands the transport to OCPP-J or the OCPP-S hook."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.conn: JsonConnection | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.accepted = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        # the WebSocket session starts now: its handshake timeout covers the head reading
        self.conn = self.server._json_connection(transport)
        loop = asyncio.get_running_loop()
        self.accepted = loop.time()
        self.timer = loop.call_later(self.server.config.limits.handshake_timeout, self._late)

    def data_received(self, data: bytes) -> None:
        self.head += data
        limit = self.server.config.limits.max_handshake_size
        if HEAD_END in self.head or len(self.head) > limit:
            self._decide()

    def eof_received(self) -> bool | None:
        self._decide(eof=True)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.conn is not None:
            self.conn.connection_lost(exc)

    def _late(self) -> None:
        self.timer = None
        self._decide(late=True)

    def _decide(self, eof: bool = False, late: bool = False) -> None:
        transport, conn, head = self.transport, self.conn, self.head
        assert transport is not None and conn is not None
        self.conn = None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        server = self.server
        if is_upgrade(head):
            transport.set_protocol(conn)
            conn.connection_made(transport)
            if head:
                conn.data_received(head)
            if eof:
                conn.eof_received()
            elif late:
                conn._on_timer()  # the session's own handshake timeout answers 408
            return
        conn.link.abort("not an upgrade request")
        conn.connection_lost(None)
        if server.soap_app is None:
            transport.write(not_upgrade_response(head, server.config.path))
            transport.close()
            return
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        protocol = asyncio.StreamReaderProtocol(reader)
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        if eof:
            reader.feed_eof()
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        server._spawn(_soap_handle(server.soap_app, (reader, writer), head, server,
                                   self.accepted))


async def _hook(hook: Hook, station: StationConnection) -> None:
    """Run an ``on_connect`` / ``on_disconnect`` hook; its failure is logged, not fatal."""
    try:
        await hook(station)
    except Exception:
        log.exception("hook %s failed for %r", getattr(hook, "__name__", hook), station)


async def _soap_handle(app: Any, stream: Any, head: bytes, server: Server,
                       started: float) -> None:
    try:
        await app.handle(stream, head, server, started=started)
    except Exception:
        log.exception("OCPP-S connection handler failed")
        stream[1].close()


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
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(
        lambda: _FrontDoor(server), host, port, ssl=ssl, backlog=backlog or 100,
        ssl_handshake_timeout=config.limits.handshake_timeout if ssl is not None else None,
    )
    server._servers.append(listener)
    sockname = listener.sockets[0].getsockname()
    server.host, server.port = sockname[0], sockname[1]
    try:
        yield server
    finally:
        await asyncio.shield(server._aclose())
        listener.close()
        await listener.wait_closed()
