"""The Charging Station side on trio: :func:`connect` and :class:`Station`.

``async with connect(url, station_id, ...) as station`` opens the OCPP-J connection (the first
attempt must succeed), keeps it up with :class:`~ocpp_trio._common.ReconnectPolicy` when one is
given (offering only the negotiated version afterwards, ``ClientConfig.pinned``), and on exit
closes gracefully: our in-flight calls and running handlers finish first.
"""

from __future__ import annotations

import os
import random
import ssl as _ssl
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import trio

from ocpp_sansio.handlers import Handler
from ocpp_sansio.rpc import RpcConnection
from ocpp_sansio.validation import ValidationPolicy
from ocpp_sansio.version import Version
from ocpp_sansio.ws import ClientConfig, ClientSession, Compression, KeepAlive, Limits

from ._common import (
    ConnectionClosed,
    HandshakeRejected,
    Link,
    ReconnectPolicy,
    log,
    profile_for,
    supported_for,
)
from ._jsonws import JsonConnection

__all__ = ["Station", "connect"]



class Station:
    """A Charging Station's connection to its CSMS (what ``connect`` yields)."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        handlers: Mapping[str, Handler],
        ssl: _ssl.SSLContext | None,
        policy: ValidationPolicy,
        default_timeout: float,
        reconnect: ReconnectPolicy | None,
        connect_timeout: float,
    ) -> None:
        self.station_id = config.identity
        self.transport = "json"
        self._config = config
        self._handlers = handlers
        self._ssl = ssl
        self._policy = policy
        self._default_timeout = default_timeout
        self._reconnect = reconnect
        self._connect_timeout = connect_timeout
        self._conn: JsonConnection | None = None
        self._connected = trio.Event()
        self._closing = False
        self.version: Version | None = None
        #: connections opened so far (1 + successful reconnects)
        self.connections = 0

    # -- public --------------------------------------------------------------------------------

    @property
    def is_connected(self) -> bool:
        """The WebSocket is open."""
        return self._conn is not None and self._conn.is_open

    async def wait_connected(self) -> None:
        """Wait until the (re)connection is open; ``ConnectionClosed`` once the station is
        closing or gave up reconnecting."""
        while not self.is_connected:
            if self._closing:
                raise ConnectionClosed("the station is closing")
            event = self._connected
            if event.is_set():  # the supervisor has not noticed the loss yet
                await trio.sleep(0.01)
            else:
                await event.wait()

    async def wait_disconnected(self) -> None:
        """Wait until the connection that is current now has ended (at once when there is
        none). With :meth:`wait_connected` and :attr:`connections` this lets a component
        follow reconnects, e.g. ``OutboxDriver`` (``docs/outbox.md``)."""
        conn = self._conn
        if conn is not None:
            await conn.done.wait()

    async def call(self, message: Any, timeout: float | None = None) -> Any:
        """Send a CALL and return the typed response; raises ``CallError``, ``CallTimeout``,
        ``ConnectionClosed`` (also while disconnected between reconnects)."""
        conn = self._conn
        if conn is None or not conn.is_open or self._closing:
            raise ConnectionClosed("not connected")
        return await conn.call(message, timeout)

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND."""
        conn = self._conn
        if conn is None or not conn.is_open:
            raise ConnectionClosed("not connected")
        await conn.send(message)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close gracefully and stop reconnecting."""
        self._closing = True
        self._connected.set()
        conn = self._conn
        if conn is not None:
            await conn.aclose(code, reason)

    # -- running -------------------------------------------------------------------------------

    async def _open(self, nursery: trio.Nursery) -> JsonConnection:
        config = self._config
        now = trio.current_time()
        session = ClientSession(config, now=now, key=os.urandom(16))
        endpoint = session.endpoint
        with trio.fail_after(self._connect_timeout):
            stream: trio.abc.Stream = await trio.open_tcp_stream(endpoint.host, endpoint.port)
            if endpoint.secure:
                ctx = self._ssl or _ssl.create_default_context()
                tls = trio.SSLStream(stream, ctx, server_hostname=endpoint.host)
                try:
                    await tls.do_handshake()
                except BaseException:
                    await trio.aclose_forcefully(stream)
                    raise
                stream = tls

        def make_rpc(version: Version) -> RpcConnection:
            return RpcConnection(
                version, "cs", policy=self._policy,
                supported_actions=supported_for(self._handlers, version),
                default_timeout=self._default_timeout,
                max_message_size=config.limits.max_message_size,
                bad_message_limit=config.limits.bad_message_limit,
            )

        conn = JsonConnection(Link(session, make_rpc), stream, station_id=config.identity)
        conn.handlers = self._handlers
        conn.context_connection = self
        nursery.start_soon(conn.run)
        await conn.opened.wait()
        if not conn.link.is_open:
            await conn.done.wait()
            raise conn.rejection()
        return conn

    async def _supervise(
        self, first: JsonConnection, nursery: trio.Nursery
    ) -> None:
        conn: JsonConnection | None = first
        while True:
            if conn is not None:
                await conn.done.wait()
            if self._closing or self._reconnect is None:
                self._connected.set()
                return
            self._connected = trio.Event()
            policy = self._reconnect
            attempt = 0
            conn = None
            while conn is None:
                if policy.attempts is not None and attempt >= policy.attempts:
                    log.warning("%s: giving up after %d reconnect attempts",
                                self.station_id, attempt)
                    self._closing = True
                    self._connected.set()
                    return
                await trio.sleep(policy.delay(attempt, random.random()))
                attempt += 1
                if self._closing:
                    return
                try:
                    conn = await self._open(nursery)
                except (OSError, trio.TooSlowError, HandshakeRejected, trio.BrokenResourceError) \
                        as exc:
                    log.info("%s: reconnect attempt %d failed: %s", self.station_id, attempt, exc)
            if self._closing:  # closed while this attempt was under way
                await conn.aclose()
                return
            self._conn = conn
            self.connections += 1
            self._connected.set()


@asynccontextmanager
async def _single_errors() -> AsyncIterator[None]:
    """Raise the one exception of a nursery's group as itself (so that ``connect`` and
    ``serve`` raise ``HandshakeRejected``, ``OSError``, or the body's own error, as the
    asyncio binding does); several stay grouped."""
    try:
        yield
    except BaseExceptionGroup as group:
        while isinstance(group, BaseExceptionGroup) and len(group.exceptions) == 1:
            inner = group.exceptions[0]
            if not isinstance(inner, BaseExceptionGroup):
                # keep the exception's own cause (e.g. each failed connect attempt behind
                # trio's "all attempts to connect failed"); drop the group as context
                raise inner from inner.__cause__
            group = inner
        raise


@asynccontextmanager
async def connect(
    endpoint: str,
    station_id: str,
    *,
    versions: Iterable[Version | str] = ("1.6",),
    transport: str = "json",
    handlers: Mapping[str, Handler] | None = None,
    password: bytes | None = None,
    ssl: _ssl.SSLContext | None = None,
    policy: ValidationPolicy | None = None,
    default_timeout: float = 30.0,
    reconnect: ReconnectPolicy | None = None,
    soap_listen: tuple[str, int] = ("127.0.0.1", 0),
    soap_url: str | None = None,
    security_profile: int | None = None,
    keepalive: KeepAlive | None = None,
    compression: Compression | None = None,
    limits: Limits | None = None,
    connect_timeout: float = 30.0,
) -> AsyncIterator[Station]:
    """Connect a Charging Station to its CSMS (see ``docs/bindings.md``)."""
    if transport == "soap":
        from ._soap import open_soap_station  # noqa: PLC0415 (OCPP-S loads only when used)

        async with open_soap_station(
            endpoint, station_id, versions=versions, handlers=handlers,
            policy=policy or ValidationPolicy(), default_timeout=default_timeout,
            soap_listen=soap_listen, soap_url=soap_url, ssl=ssl,
        ) as soap_station:
            # SoapStation offers what a station program uses (version, call, close).
            yield soap_station  # type: ignore[misc]
        return
    if transport != "json":
        raise ValueError(f"transport must be 'json' or 'soap', not {transport!r}")
    del soap_listen, soap_url
    config = ClientConfig(
        url=endpoint, identity=station_id, versions=tuple(Version(v) for v in versions),
        password=password,
        security_profile=profile_for(
            ssl if endpoint.startswith("wss:") else None, security_profile,
            server=False, basic_auth=password is not None,
        ),
        compression=compression or Compression(),
        keepalive=keepalive or KeepAlive(),
        limits=limits or Limits(),
    )
    station = Station(
        config, handlers=handlers or {}, ssl=ssl, policy=policy or ValidationPolicy(),
        default_timeout=default_timeout, reconnect=reconnect, connect_timeout=connect_timeout,
    )
    async with _single_errors(), trio.open_nursery() as nursery:
        conn = await station._open(nursery)
        station.version = conn.version
        station._conn = conn
        station.connections = 1
        station._config = config.pinned(conn.version) if conn.version else config
        station._connected.set()
        nursery.start_soon(station._supervise, conn, nursery)
        try:
            yield station
        finally:
            with trio.CancelScope(shield=True):
                await station.close()
            nursery.cancel_scope.cancel()
