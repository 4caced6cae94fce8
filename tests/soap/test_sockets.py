"""The sans-IO endpoints driven over real TCP sockets on 127.0.0.1 (a minimal blocking loop).

A central system thread serves ``SoapServer`` connections; charge points call it with
``SoapClient`` and then answer its ``Reset`` on their own server: both directions of OCPP-S,
keep-alive, compression, 100-continue, faults and refusals, each over a socket.
"""

import datetime
import itertools
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ocpp_sansio import Version
from ocpp_sansio.soap import (
    CallReceived,
    FaultReceived,
    Limits,
    RemoteProtocolError,
    ResultReceived,
    SendContinue,
    Service,
    SoapClient,
    SoapEndpoint,
    SoapServer,
    Subcode,
)
from ocpp_sansio.soap.http import ConnectionClosed, HttpLimits, NeedData
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
TIMEOUT = 5.0


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    lock = threading.Lock()

    def new() -> str:
        with lock:
            return f"urn:uuid:{next(counter)}"

    return new


def serve_connection(sock: socket.socket, server: SoapServer,
                     handle: Callable[[CallReceived], bytes]) -> None:
    """Drive one accepted connection until it closes."""
    with sock:
        while True:
            try:
                event = server.next_event()
            except RemoteProtocolError as exc:
                if exc.reply:
                    sock.sendall(exc.reply)
                if server.must_close:
                    return
                continue
            if isinstance(event, NeedData):
                data = sock.recv(65536)
                server.receive_data(data)
                continue
            if isinstance(event, SendContinue):
                sock.sendall(event.data)
                continue
            if isinstance(event, ConnectionClosed):
                return
            if isinstance(event, CallReceived):
                sock.sendall(handle(event))
                if server.must_close:
                    return
                continue
            return  # Paused cannot happen: every call is answered at once


class Listener:
    """A listening socket on 127.0.0.1 serving each connection in a thread."""

    def __init__(self, make: Callable[[], SoapServer],
                 handle: Callable[[SoapServer, CallReceived], bytes]) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)  # accept() polls, so close() is quick
        self.port = self.sock.getsockname()[1]
        self.make = make
        self.handle = handle
        self.threads: list[threading.Thread] = []
        self.closing = False
        self.accepted = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ocpp"

    def _run(self) -> None:
        while not self.closing:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.settimeout(TIMEOUT)
            server = self.make()
            t = threading.Thread(target=serve_connection, args=(
                conn, server, lambda call, s=server: self.handle(s, call)), daemon=True)
            t.start()
            self.threads.append(t)

    def close(self) -> None:
        self.closing = True
        self.thread.join(TIMEOUT)
        self.sock.close()
        for t in self.threads:
            t.join(TIMEOUT)


def exchange(sock: socket.socket, client: SoapClient, message: Any) -> Any:
    sock.sendall(client.send_call(message))
    while True:
        event = client.next_event()
        if isinstance(event, NeedData):
            client.receive_data(sock.recv(65536))
            continue
        return event


@pytest.fixture
def central_system() -> Iterator[tuple[Listener, SoapEndpoint]]:
    endpoint = SoapEndpoint(Service.CENTRAL_SYSTEM, new_message_id=ids(),
                            limits=Limits(http=HttpLimits(max_body_bytes=64 * 1024)))

    def handle(server: SoapServer, call: CallReceived) -> bytes:
        message = call.message
        if isinstance(message, m16.BootNotificationRequest):
            return server.send_result(call, m16.BootNotificationResponse(
                status=e16.RegistrationStatus.Accepted, current_time=NOW, interval=300))
        if isinstance(message, m16.HeartbeatRequest):
            return server.send_result(call, m16.HeartbeatResponse(current_time=NOW))
        if isinstance(message, m16.DataTransferRequest):
            return server.send_result(call, m16.DataTransferResponse(
                status=e16.DataTransferStatus.Accepted, data=message.data))
        return server.send_fault(call, call.fault(Subcode.NotSupported, "not here"))

    listener = Listener(endpoint.server, handle)
    endpoint.address = listener.url
    try:
        yield listener, endpoint
    finally:
        listener.close()


def test_charge_point_and_central_system_over_sockets(
    central_system: tuple[Listener, SoapEndpoint],
) -> None:
    listener, endpoint = central_system
    cp_ids = ids()
    resets: list[m16.ResetRequest] = []

    def cp_handle(server: SoapServer, call: CallReceived) -> bytes:
        resets.append(call.message)
        return server.send_result(call, m16.ResetResponse(status=e16.ResetStatus.Accepted))

    charge_point = Listener(
        lambda: SoapServer(Service.CHARGE_POINT, new_message_id=cp_ids, identity="CP-1"),
        cp_handle)
    try:
        with socket.create_connection(("127.0.0.1", listener.port), timeout=TIMEOUT) as sock:
            client = SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "CP-1", url=listener.url,
                                new_message_id=cp_ids, address=charge_point.url)
            boot = exchange(sock, client, m16.BootNotificationRequest(
                charge_point_vendor="V", charge_point_model="M"))
            assert isinstance(boot, ResultReceived) and boot.message.interval == 300
            # keep-alive, a large request sent gzip'd, the answer compressed back
            big = "x" * 20_000
            client.request_encoding = "gzip"
            echo = exchange(sock, client, m16.DataTransferRequest(vendor_id="v", data=big))
            assert isinstance(echo, ResultReceived) and echo.message.data == big
            client.request_encoding = None
            fault = exchange(sock, client, m16.AuthorizeRequest(id_tag="T"))
            assert isinstance(fault, FaultReceived) and fault.fault.subcode == "NotSupported"
            beat = exchange(sock, client, m16.HeartbeatRequest())
            assert isinstance(beat, ResultReceived)
        assert listener.accepted == 1
        # the central system calls the charge point back at the address it learned
        peer = endpoint.peers["CP-1"]
        assert peer.address == charge_point.url
        outgoing = endpoint.client("CP-1")
        with socket.create_connection(("127.0.0.1", charge_point.port),
                                      timeout=TIMEOUT) as sock:
            reset = exchange(sock, outgoing, m16.ResetRequest(type=e16.ResetType.Soft))
        assert isinstance(reset, ResultReceived) and reset.message.status == "Accepted"
        assert resets == [m16.ResetRequest(type=e16.ResetType.Soft)]
    finally:
        charge_point.close()


def raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_refusals_over_sockets(central_system: tuple[Listener, SoapEndpoint]) -> None:
    listener, _ = central_system
    # too large: 413 then the server closes the connection
    head = (b"POST /ocpp HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml\r\n"
            b"Content-Length: 100000\r\n\r\n")
    reply = raw_exchange(listener.port, head + b"x" * 1000)
    assert reply.startswith(b"HTTP/1.1 413 ")
    # an entity expansion attack gets a SecurityError fault
    attack = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>')
    reply = raw_exchange(listener.port, head.replace(b"100000", str(len(attack)).encode())
                         .replace(b"Host: x", b"Host: x\r\nConnection: close") + attack)
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"SecurityError" in reply
    # 100-continue is honoured
    with socket.create_connection(("127.0.0.1", listener.port), timeout=TIMEOUT) as sock:
        client = SoapClient(Service.CENTRAL_SYSTEM, Version.V16, "CP-9", url=listener.url,
                            new_message_id=ids())
        request = client.send_call(m16.HeartbeatRequest())
        head_end = request.index(b"\r\n\r\n") + 4
        sock.sendall(request[:head_end - 2] + b"Expect: 100-continue\r\n\r\n")
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 ")
        sock.sendall(request[head_end:])
        event: Any = NeedData()
        while isinstance(event, NeedData):
            client.receive_data(sock.recv(65536))
            event = client.next_event()
        assert isinstance(event, ResultReceived)
