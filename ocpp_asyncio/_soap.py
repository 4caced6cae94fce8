"""OCPP-S (SOAP 1.2 over HTTP/1.1) on asyncio: the station, the CSMS, and the front-door hook.

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

import asyncio
import contextlib
import logging
import math
import ssl as _ssl
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

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
from ocpp_trio._soap_common import (
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

log = logging.getLogger("ocpp_asyncio.soap")


def _timeout(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else value


# --- the server side: one HTTP connection ----------------------------------------------------


class StreamPair:
    """An asyncio reader/writer pair seen as a :class:`ByteStream`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        return await self.reader.read(max_bytes or READ_SIZE)

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def aclose(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)

    def abort(self) -> None:
        """Close the transport at once."""
        self.writer.transport.abort()


AnyStream = ByteStream | tuple[asyncio.StreamReader, asyncio.StreamWriter]


def as_stream(stream: AnyStream) -> ByteStream:
    """A :class:`ByteStream` from a stream or a reader/writer pair."""
    return StreamPair(*stream) if isinstance(stream, tuple) else stream




class _Connections:
    """The server connections of one endpoint, for a graceful close: idle ones (waiting for
    a request) are cancelled, busy ones finish the request they are answering."""

    def __init__(self) -> None:
        self.closing = False
        self._idle: set[asyncio.Task[Any]] = set()
        self.busy = 0
        self._drained = asyncio.Event()

    def close(self) -> None:
        self.closing = True
        for task in self._idle:
            task.cancel()
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

        ``head``: bytes already read, since ``started`` (the loop's ``time()``) when given.
        Reading waits ``IDLE_TIMEOUT`` for a request to start, then until the request's
        deadline (:meth:`SoapServer.request_deadline`); past it, HTTP 408 and close.
        """
        loop = asyncio.get_running_loop()
        try:
            if head:
                server.receive_data(bytes(head))
                server.request_deadline(loop.time() if started is None else started)
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
                    task = asyncio.current_task()
                    assert task is not None
                    self._idle.add(task)
                    now = loop.time()
                    request_deadline = server.request_deadline(now)
                    deadline = now + IDLE_TIMEOUT
                    if request_deadline is not None:
                        deadline = min(deadline, request_deadline)
                    try:
                        async with asyncio.timeout_at(deadline):
                            data = bytes(await stream.receive_some(READ_SIZE))
                    except TimeoutError:
                        if request_deadline is not None and not self.closing:
                            # the request was not complete in time (slow-loris): 408, close
                            with contextlib.suppress(TimeoutError):
                                async with asyncio.timeout(SEND_TIMEOUT):
                                    await stream.send_all(server.time_out())
                        return
                    except asyncio.CancelledError:
                        if self.closing and task.uncancel() == 0:
                            return  # our own close(): an idle connection ends here
                        raise
                    finally:
                        self._idle.discard(task)
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
        except OSError:
            return
        finally:
            await _aclose_forcefully(stream)


class _Listener:
    """An asyncio server whose connection tasks are tracked, for a graceful close."""

    def __init__(self, connection: Callable[[ByteStream], Awaitable[None]]) -> None:
        self._connection = connection
        self.tasks: set[asyncio.Task[Any]] = set()
        self.server: asyncio.Server | None = None

    async def _accepted(self, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            await self._connection(StreamPair(reader, writer))
        except asyncio.CancelledError:
            writer.transport.abort()
        finally:
            self.tasks.discard(task)

    async def start(self, host: str, port: int, ssl: _ssl.SSLContext | None) -> int:
        self.server = await asyncio.start_server(self._accepted, host, port, ssl=ssl)
        bound: int = self.server.sockets[0].getsockname()[1]
        return bound

    def stop_accepting(self) -> None:
        if self.server is not None:
            self.server.close()

    async def cancel_all(self) -> None:
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


async def _aclose_forcefully(stream: ByteStream) -> None:
    abort = getattr(stream, "abort", None)
    if abort is not None:
        abort()
        return
    with contextlib.suppress(Exception):
        await asyncio.wait_for(stream.aclose(), 1.0)


# --- the client side: calls to one peer ------------------------------------------------------


async def _open_stream(url: str, ssl: _ssl.SSLContext | None) -> StreamPair:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if parts.scheme == "https":
        context = ssl or _ssl.create_default_context()
        reader, writer = await asyncio.open_connection(host, parts.port or 443, ssl=context,
                                                       server_hostname=host)
    else:
        reader, writer = await asyncio.open_connection(host, parts.port or 80)
    return StreamPair(reader, writer)


class _Caller(CallerBase):
    """Calls to one peer URL, one at a time, on a kept-alive connection (asyncio streams)."""

    def __init__(self, make_client: MakeClient, ssl: _ssl.SSLContext | None = None) -> None:
        super().__init__(make_client, ssl, asyncio.Lock())

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
            try:
                async with asyncio.timeout(_timeout(timeout)) as scope:
                    return await self._call(url, message, action)
            except TimeoutError:
                if not scope.expired():
                    raise
            await self._drop()
            raise CallTimeout(self._last_id, action, timeout)



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
    holder: list[SoapStation] = []

    async def connection(stream: ByteStream) -> None:
        await holder[0].handle(stream)

    listener = _Listener(connection)
    bound = await listener.start(host, port, None)
    url = soap_url or f"http://{url_host(host)}:{bound}/"
    station = SoapStation(endpoint, station_id, version, url, handlers=handlers or {},
                          policy=policy, default_timeout=default_timeout, ssl=ssl,
                          limits=limits)
    holder.append(station)
    try:
        yield station
    finally:
        listener.stop_accepting()
        await station.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(station.drained(), DRAIN_TIMEOUT)
        await listener.cancel_all()




# --- the central system ----------------------------------------------------------------------


class SoapApp(SoapAppBase):
    """The central system's OCPP-S side on asyncio (see :class:`SoapAppBase`)."""

    def _new_connections(self) -> Connections:
        return _Connections()

    def _new_caller(self, make_client: MakeClient, ssl: _ssl.SSLContext | None) -> CallerBase:
        return _Caller(make_client, ssl)

    async def handle(self, stream: AnyStream, head: bytes = b"", server: Any = None, *,
                     started: float | None = None) -> None:
        """See :meth:`SoapAppBase.handle`; ``stream`` may also be an asyncio
        ``(reader, writer)`` pair."""
        await super().handle(as_stream(stream), head, server, started=started)

    async def aclose(self) -> None:
        """Shut down (for the front door's server): :meth:`close`, wait up to
        ``DRAIN_TIMEOUT`` for the requests being answered, then :meth:`forget_all`."""
        self.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drained(), DRAIN_TIMEOUT)
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
    holder: list[SoapApp] = []

    async def connection(stream: ByteStream) -> None:
        await holder[0].handle(stream)

    listener = _Listener(connection)
    bound = await listener.start(host, port, ssl)
    scheme = "https" if ssl is not None else "http"
    app = SoapApp(handlers=handlers, versions=versions, policy=policy,
                  default_timeout=default_timeout, soap_endpoints=soap_endpoints,
                  on_connect=on_connect, on_disconnect=on_disconnect,
                  address=address or f"{scheme}://{url_host(host)}:{bound}/",
                  client_ssl=client_ssl, limits=limits)
    holder.append(app)
    try:
        yield SoapServerHandle(app, bound)
    finally:
        listener.stop_accepting()
        app.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app.drained(), DRAIN_TIMEOUT)
        await listener.cancel_all()
        await app.forget_all()



def soap_app(server: Any) -> SoapApp:
    """The OCPP-S hook of the one-port front door (see :meth:`SoapAppBase.for_front_door`);
    its ``handle`` takes a ``(reader, writer)`` pair."""
    return SoapApp.for_front_door(server)
