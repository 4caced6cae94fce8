"""Helpers for the WebSocket session tests: piping bytes between sessions in memory, a raw
wsproto client for frames our own client never sends, and a blocking socket driver."""

import base64
import socket
import time
from collections.abc import Callable

import h11
from wsproto.connection import Connection, ConnectionType
from wsproto.extensions import Extension, PerMessageDeflate

from ocpp_sansio.ws import (
    Accept,
    ClientConfig,
    ClientSession,
    ConnectRequested,
    Event,
    Reject,
    RemoteProtocolError,
    ServerConfig,
    ServerSession,
    SessionState,
    WsSession,
)

KEY = b"0123456789abcdef"


def drain(session: WsSession) -> list[Event]:
    """All queued events (a RemoteProtocolError propagates)."""
    return list(session.events())


def client_for(
    url: str = "ws://csms.test/ocpp", identity: str = "CS001", **kw: object
) -> ClientSession:
    versions = kw.pop("versions", ("1.6",))
    config = ClientConfig(url=url, identity=identity, versions=versions, **kw)  # type: ignore[arg-type]
    return ClientSession(config, now=0.0, key=KEY)


def state_of(session: WsSession) -> SessionState:
    """The session's state (a call, so that type checkers do not keep an earlier narrowing)."""
    return session.state


def request_to(server: ServerSession, client: ClientSession, now: float = 0.0) -> list[Event]:
    server.receive_data(client.data_to_send(), now)
    return drain(server)


def open_pair(
    server_config: ServerConfig | None = None,
    decision: Accept | Reject | None = None,
    **client_kw: object,
) -> tuple[ClientSession, ServerSession]:
    """A connected client / server pair (both have reported Connected)."""
    server = ServerSession(server_config or ServerConfig(), now=0.0)
    client = client_for(**client_kw)  # type: ignore[arg-type]
    events = request_to(server, client)
    assert isinstance(events[0], ConnectRequested), events
    server.respond(decision or Accept(), 0.0)
    drain(server)
    client.receive_data(server.data_to_send(), 0.0)
    drain(client)
    assert client.state is SessionState.OPEN and server.state is SessionState.OPEN
    return client, server


def transfer(src: WsSession, dst: WsSession, now: float = 0.0) -> list[Event]:
    """Move ``src``'s pending output to ``dst``; ``dst``'s events."""
    data = src.data_to_send()
    if data:
        dst.receive_data(data, now)
    return drain(dst)


def raw_request(
    target: str = "/ocpp/CS001",
    headers: list[tuple[str, str]] | None = None,
    *,
    protocols: str | None = "ocpp1.6",
    method: str = "GET",
) -> bytes:
    """An upgrade request written by hand."""
    fields = [
        ("Host", "csms.test"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", base64.b64encode(KEY).decode()),
        ("Sec-WebSocket-Version", "13"),
    ]
    if protocols is not None:
        fields.append(("Sec-WebSocket-Protocol", protocols))
    fields += headers or []
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields)
    return (head + "\r\n").encode("latin-1")


def raw_client(
    server: ServerSession, *, deflate: bool = False, protocols: str = "ocpp1.6"
) -> Connection:
    """Handshake ``server`` with hand-written bytes; return a bare wsproto client connection
    (for fragmented, binary or malformed frames)."""
    extra = [("Sec-WebSocket-Extensions", "permessage-deflate")] if deflate else []
    server.receive_data(raw_request(headers=extra, protocols=protocols), 0.0)
    events = drain(server)
    assert isinstance(events[0], ConnectRequested)
    server.respond(Accept(), 0.0)
    drain(server)
    response = server.data_to_send()
    h = h11.Connection(h11.CLIENT)
    h.send(
        h11.Request(
            method="GET",
            target="/",
            headers=[("Host", "x"), ("Upgrade", "websocket"), ("Connection", "Upgrade")],
        )
    )
    h.send(h11.EndOfMessage())
    h.receive_data(response)
    informational = h.next_event()
    assert isinstance(informational, h11.InformationalResponse)
    assert informational.status_code == 101
    extensions: list[Extension] = []
    accepted = dict(informational.headers).get(b"sec-websocket-extensions")
    if accepted:
        ext = PerMessageDeflate()
        ext.finalize(accepted.decode())
        extensions.append(ext)
    return Connection(ConnectionType.CLIENT, extensions)


def pump(
    session: WsSession,
    sock: socket.socket,
    handler: Callable[[WsSession, Event], None],
    *,
    limit: float = 10.0,
    tick: Callable[[WsSession], None] | None = None,
) -> RemoteProtocolError | None:
    """A minimal blocking binding: drive ``session`` over ``sock`` until it is closed."""
    give_up = time.monotonic() + limit
    failure: RemoteProtocolError | None = None
    sock.sendall(session.data_to_send())
    while session.state is not SessionState.CLOSED:
        now = time.monotonic()
        assert now < give_up, "session did not finish in time"
        deadline = session.next_deadline()
        wait = give_up - now if deadline is None else max(0.0, min(deadline, give_up) - now)
        sock.settimeout(min(max(wait, 0.001), 0.02 if tick is not None else wait + 1))
        try:
            data = sock.recv(65536)
        except TimeoutError:
            session.handle_timeout(time.monotonic())
        except (ConnectionResetError, BrokenPipeError):
            session.receive_data(b"", time.monotonic())
        else:
            session.receive_data(data, time.monotonic())
        try:
            for event in session.events():
                handler(session, event)
        except RemoteProtocolError as exc:
            failure = exc
            sock.sendall(exc.reply)
            break
        if tick is not None:
            tick(session)
        out = session.data_to_send()
        if out:
            sock.sendall(out)
    return failure
