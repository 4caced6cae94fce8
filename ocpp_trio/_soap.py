"""OCPP-S (SOAP 1.2 over HTTP/1.1) on trio: the station, the CSMS, and the front-door hook.

A thin driver of :mod:`ocpp_sansio.soap`: every protocol rule (envelopes, WS-Addressing,
faults, HTTP framing, limits) lives there; this module reads and writes sockets, runs
handlers, keeps time. The application API is the OCPP-J one (``docs/soap-bindings.md``):

- :func:`open_soap_station`: a charge point. It posts its calls to the central system's URL
  and runs its own HTTP endpoint (``ChargePointService``) for the central system's calls; it
  sends that endpoint's URL as WS-Addressing ``From`` on every call, so the central system
  can call back (``docs/soap.md``, "Headers").
- :func:`serve_soap`: a central system. It serves ``CentralSystemService`` and learns each
  station's endpoint from ``From``, then ``ReplyTo``, then the ``soap_endpoints``
  configuration; ``server.call(station_id, message)`` posts to it.
- :class:`SoapApp`: the central system's state and the per-connection HTTP loop, for a server
  that already accepted the connection (the one-port front door of ``_server.py``: it reads
  the HTTP request head, keeps WebSocket upgrades for OCPP-J and hands everything else to
  :meth:`SoapApp.handle` with the bytes it already read). Under the front door, one OCPP-S
  request must be complete within the front door's ``Limits.handshake_timeout``, as an
  upgrade request must (HTTP 408 and close otherwise).

Outcomes map onto the OCPP-J API (:mod:`ocpp_sansio.soap.outcomes`): a handler raising
:class:`~ocpp_sansio.rpc.CallError` answers with the matching fault, anything else (or ``None``)
with ``Receiver``/``InternalError``; an unhandled operation gets ``Receiver``/``NotSupported``.
A fault received in answer to our call raises :class:`~ocpp_sansio.rpc.CallError` (``code`` =
the fault's OCPP subcode); no answer in time raises :class:`~ocpp_sansio.rpc.CallTimeout`; an
unusable answer raises :class:`~ocpp_sansio.rpc.RemoteProtocolError`; a peer that cannot be
reached, or drops the connection, raises :class:`PeerUnreachable`.

One call at a time per peer (one outstanding request per direction, as OCPP-J 1.6 section
4.1.1 asks of every OCPP side), on a kept-alive HTTP connection that is reopened as needed.
"""

import logging
import math
import ssl as _ssl
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import trio

from ocpp_sansio.rpc.exceptions import CallTimeout
from ocpp_sansio.soap import (
    CallReceived,
    Limits,
    NeedData,
    RemoteProtocolError,
    SendContinue,
    SoapServer,
)
from ocpp_sansio.soap.namespaces import SOAP_VERSIONS
from ocpp_sansio.validation import ValidationPolicy
from ocpp_sansio.version import Version

from ._soap_common import (
    DEFAULT_LIMITS,
    DEFAULT_POLICY,
    DRAIN_TIMEOUT,
    IDLE_TIMEOUT,
    READ_SIZE,
    SEND_TIMEOUT,
    ByteStream,
    CallerBase,
    Connections,
    Handlers,
    HandlersFactory,
    MakeClient,
    PeerUnreachable,
    SoapAppBase,
    SoapServerHandle,
    SoapStationBase,
    SoapStationConnection,
    StationHook,
    action_of,
    soap_versions,
    url_host,
)

__all__ = [
    "PeerUnreachable",
    "SoapApp",
    "SoapServerHandle",
    "SoapStation",
    "SoapStationConnection",
    "open_soap_station",
    "serve_soap",
    "soap_app",
]

log = logging.getLogger("ocpp_trio.soap")


def _timeout(value: float | None) -> float:
    return math.inf if value is None else value


# --- the server side: one HTTP connection ----------------------------------------------------


class _Connections:
    """The server connections of one endpoint, for a graceful close: idle ones (waiting for
    a request) are cancelled, busy ones finish the request they are answering."""

    def __init__(self) -> None:
        self.closing = False
        self._idle: set[trio.CancelScope] = set()
        self.busy = 0
        self._drained = trio.Event()

    def close(self) -> None:
        self.closing = True
        for scope in self._idle:
            scope.cancel()
        if self.busy == 0:
            self._drained.set()

    async def drained(self) -> None:
        await self._drained.wait()

    async def serve(
        self, stream: ByteStream, server: SoapServer, head: bytes,
        on_call: Callable[[SoapServer, CallReceived], Awaitable[bytes]],
        started: float | None = None,
    ) -> None:
        """Drive ``server`` over ``stream`` until either side closes.

        ``head``: bytes already read, since ``started`` (``trio.current_time()``) when given.
        Reading waits ``IDLE_TIMEOUT`` for a request to start, then until the request's
        deadline (:meth:`SoapServer.request_deadline`); past it, HTTP 408 and close.
        """
        try:
            if head:
                server.receive_data(bytes(head))
                server.request_deadline(trio.current_time() if started is None else started)
            while not self.closing:
                try:
                    event = server.next_event()
                except RemoteProtocolError as exc:
                    if exc.reply:
                        await stream.send_all(exc.reply)
                    if server.must_close:
                        return
                    continue
                if isinstance(event, NeedData):
                    data = b""
                    now = trio.current_time()
                    request_deadline = server.request_deadline(now)
                    deadline = now + IDLE_TIMEOUT
                    if request_deadline is not None:
                        deadline = min(deadline, request_deadline)
                    with trio.CancelScope(deadline=deadline) as scope:
                        self._idle.add(scope)
                        try:
                            data = bytes(await stream.receive_some(READ_SIZE))
                        finally:
                            self._idle.discard(scope)
                    if scope.cancelled_caught:
                        if request_deadline is not None and not self.closing:
                            # the request was not complete in time (slow-loris): 408, close
                            with trio.move_on_after(SEND_TIMEOUT):
                                await stream.send_all(server.time_out())
                        return
                    try:
                        server.receive_data(data)
                    except RemoteProtocolError as exc:
                        if exc.reply:
                            await stream.send_all(exc.reply)
                        return
                elif isinstance(event, SendContinue):
                    await stream.send_all(event.data)
                elif isinstance(event, CallReceived):
                    self.busy += 1
                    try:
                        reply = await on_call(server, event)
                        await stream.send_all(reply)
                    finally:
                        self.busy -= 1
                        if self.closing and self.busy == 0:
                            self._drained.set()
                    if server.must_close:
                        return
                else:  # ConnectionClosed; Paused cannot happen (every call is answered)
                    return
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            return
        finally:
            await _aclose_forcefully(stream)


async def _accept_loop(
    listeners: list[trio.SocketListener], nursery: trio.Nursery,
    connection: Callable[[trio.abc.Stream], Awaitable[None]], ssl: _ssl.SSLContext | None,
) -> None:
    async def one(stream: trio.abc.Stream) -> None:
        if ssl is not None:
            stream = trio.SSLStream(stream, ssl, server_side=True,
                                    https_compatible=True)
        await connection(stream)

    async def run(listener: trio.SocketListener) -> None:
        async with listener:
            while True:
                try:
                    stream = await listener.accept()
                except OSError as exc:  # e.g. EMFILE: back off, keep serving
                    log.warning("accept failed: %s", exc)
                    await trio.sleep(0.1)
                    continue
                nursery.start_soon(one, stream)

    async with trio.open_nursery() as inner:
        for listener in listeners:
            inner.start_soon(run, listener)


async def _aclose_forcefully(stream: ByteStream) -> None:
    with trio.CancelScope() as scope:
        scope.cancel()
        await stream.aclose()


# --- the client side: calls to one peer ------------------------------------------------------


async def _open_stream(url: str, ssl: _ssl.SSLContext | None) -> trio.abc.Stream:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if parts.scheme == "https":
        port = parts.port or 443
        context = ssl or _ssl.create_default_context()
        return await trio.open_ssl_over_tcp_stream(host, port, ssl_context=context,
                                                   https_compatible=True)
    return await trio.open_tcp_stream(host, parts.port or 80)




class _Caller(CallerBase):
    """Calls to one peer URL, one at a time, on a kept-alive connection (trio streams)."""

    stream_errors = (trio.BrokenResourceError, trio.ClosedResourceError, OSError)

    def __init__(self, make_client: MakeClient, ssl: _ssl.SSLContext | None = None) -> None:
        super().__init__(make_client, ssl, trio.Lock())

    async def _open(self, url: str) -> ByteStream:
        return await _open_stream(url, self._ssl)

    async def _abort(self, stream: ByteStream) -> None:
        await _aclose_forcefully(stream)

    async def call(self, url: str, version: Version, message: Any,
                   timeout: float | None) -> Any:
        action = action_of(version, message)
        async with self._lock:
            if self.closed:
                raise PeerUnreachable("the connection is closed")
            with trio.move_on_after(_timeout(timeout)) as scope:
                return await self._call(url, message, action)
            assert scope.cancelled_caught
            await self._drop()
            raise CallTimeout(self._last_id, action, timeout)


def _single(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The one exception a nursery wrapped (the block's own), if it is alone."""
    while len(group.exceptions) == 1:
        inner = group.exceptions[0]
        if not isinstance(inner, BaseExceptionGroup):
            return inner
        group = inner
    return None


# --- the station -----------------------------------------------------------------------------


# --- the station -----------------------------------------------------------------------------


class SoapStation(SoapStationBase):
    """A charge point on OCPP-S (yielded by :func:`open_soap_station`)."""

    def _new_connections(self) -> Connections:
        return _Connections()

    def _new_caller(self, make_client: MakeClient, ssl: _ssl.SSLContext | None) -> CallerBase:
        return _Caller(make_client, ssl)


@asynccontextmanager
async def open_soap_station(
    endpoint: str, station_id: str, *, versions: Iterable[Version | str] = ("1.6",),
    handlers: Handlers | None = None, policy: ValidationPolicy = DEFAULT_POLICY,
    default_timeout: float | None = 30.0,
    soap_listen: tuple[str, int] = ("127.0.0.1", 0), soap_url: str | None = None,
    ssl: _ssl.SSLContext | None = None, limits: Limits = DEFAULT_LIMITS,
) -> AsyncIterator[SoapStation]:
    """A charge point posting to ``endpoint``, with its own endpoint on ``soap_listen``.

    The version is the first of ``versions`` with an OCPP-S binding (SOAP has no version
    negotiation: the central system reads it from each request's namespace). ``soap_url``
    is the URL the central system is told to call back (default: ``http://host:port/``
    of the listening socket). ``ssl`` is the client context for an ``https`` endpoint.
    Leaving the block stops the endpoint once the requests being answered are answered.
    """
    version = soap_versions(versions)[0]
    host, port = soap_listen
    listeners = await trio.open_tcp_listeners(port, host=host)
    bound = listeners[0].socket.getsockname()[1]
    url = soap_url or f"http://{url_host(host)}:{bound}/"
    station = SoapStation(endpoint, station_id, version, url, handlers=handlers or {},
                          policy=policy, default_timeout=default_timeout, ssl=ssl,
                          limits=limits)
    try:
        async with trio.open_nursery() as nursery:
            accept = trio.CancelScope()

            async def serve() -> None:
                with accept:
                    await _accept_loop(listeners, nursery, station.handle, None)

            nursery.start_soon(serve)
            try:
                yield station
            finally:
                accept.cancel()
                with trio.CancelScope(shield=True):
                    await station.close()
                    with trio.move_on_after(DRAIN_TIMEOUT):
                        await station.drained()
                nursery.cancel_scope.cancel()
    except BaseExceptionGroup as group:  # the block's own exception, unwrapped
        inner = _single(group)
        if inner is None:
            raise
        raise inner from None


# --- the central system ----------------------------------------------------------------------



# --- the central system ----------------------------------------------------------------------


class SoapApp(SoapAppBase):
    """The central system's OCPP-S side on trio (see :class:`SoapAppBase`)."""

    def _new_connections(self) -> Connections:
        return _Connections()

    def _new_caller(self, make_client: MakeClient, ssl: _ssl.SSLContext | None) -> CallerBase:
        return _Caller(make_client, ssl)

    async def aclose(self) -> None:
        """Shut down (for the front door's server): :meth:`close`, wait up to
        ``DRAIN_TIMEOUT`` for the requests being answered, then :meth:`forget_all`."""
        self.close()
        with trio.move_on_after(DRAIN_TIMEOUT):
            await self.drained()
        await self.forget_all()


@asynccontextmanager
async def serve_soap(
    host: str, port: int, *, handlers: Handlers | HandlersFactory | None = None,
    versions: Iterable[Version | str] = SOAP_VERSIONS,
    policy: ValidationPolicy = DEFAULT_POLICY, default_timeout: float | None = 30.0,
    soap_endpoints: Mapping[str, str] | None = None, on_connect: StationHook | None = None,
    on_disconnect: StationHook | None = None, ssl: _ssl.SSLContext | None = None,
    address: str | None = None, client_ssl: _ssl.SSLContext | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> AsyncIterator[SoapServerHandle]:
    """A central system serving OCPP-S on ``host:port`` (``port=0`` picks one).

    ``ssl`` is the server context (``https``), ``client_ssl`` the one for calls to ``https``
    station endpoints; ``address`` our URL sent as ``From`` (default ``http(s)://host:port/``).
    Leaving the block stops accepting, lets the requests being answered finish, and runs
    ``on_disconnect`` for every known station.
    """
    listeners = await trio.open_tcp_listeners(port, host=host)
    bound = listeners[0].socket.getsockname()[1]
    scheme = "https" if ssl is not None else "http"
    app = SoapApp(handlers=handlers, versions=versions, policy=policy,
                  default_timeout=default_timeout, soap_endpoints=soap_endpoints,
                  on_connect=on_connect, on_disconnect=on_disconnect,
                  address=address or f"{scheme}://{url_host(host)}:{bound}/",
                  client_ssl=client_ssl, limits=limits)
    try:
        async with trio.open_nursery() as nursery:
            accept = trio.CancelScope()

            async def serve() -> None:
                with accept:
                    await _accept_loop(listeners, nursery, app.handle, ssl)

            nursery.start_soon(serve)
            try:
                yield SoapServerHandle(app, bound)
            finally:
                accept.cancel()
                with trio.CancelScope(shield=True):
                    app.close()
                    with trio.move_on_after(DRAIN_TIMEOUT):
                        await app.drained()
                    nursery.cancel_scope.cancel()
                    await app.forget_all()
    except BaseExceptionGroup as group:  # the block's own exception, unwrapped
        inner = _single(group)
        if inner is None:
            raise
        raise inner from None



def soap_app(server: Any) -> SoapApp:
    """The OCPP-S hook of the one-port front door (see :meth:`SoapAppBase.for_front_door`);
    its ``handle`` takes a ``trio.abc.Stream``."""
    return SoapApp.for_front_door(server)
