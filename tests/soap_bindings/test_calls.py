"""OCPP-S station and central system of each binding, talking to each other over 127.0.0.1:
calls both ways, handler outcomes as faults and back as ``CallError``, timeouts, endpoints
learned from WS-Addressing or configuration, hooks, keep-alive, graceful close."""

import socket
import ssl
from typing import Any

import pytest

from ocpp_sansio import Version
from ocpp_sansio.handlers import CallContext, Router
from ocpp_sansio.rpc import CallError, CallTimeout
from ocpp_sansio.rpc.exceptions import InvalidMessageError
from ocpp_sansio.soap import Addressing, LocalProtocolError
from ocpp_sansio.soap.body import encode_body
from ocpp_sansio.soap.envelope import envelope_text
from ocpp_sansio.soap.namespaces import WSA_2005, WSA_ANONYMOUS, Service, namespace
from ocpp_sansio.v15 import enums as e15
from ocpp_sansio.v15 import messages as m15
from ocpp_sansio.v16 import datatypes as d16
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.validation import STRICT

from .conftest import NOW, Binding, gather

BOOT16 = m16.BootNotificationRequest(charge_point_vendor="V", charge_point_model="M")
ACCEPTED = d16.IdTagInfo(status=e16.AuthorizationStatus.Accepted)
BOOT15 = m15.BootNotificationRequest(charge_point_vendor="V", charge_point_model="M")


def csms_router() -> Router:
    router = Router()

    @router.on("BootNotification")
    async def boot(req: Any, ctx: CallContext) -> Any:
        if ctx.version is Version.V15:
            return m15.BootNotificationResponse(status=e15.RegistrationStatus.Accepted,
                                                current_time=NOW, heartbeat_interval=300)
        return m16.BootNotificationResponse(status=e16.RegistrationStatus.Accepted,
                                            current_time=NOW, interval=300)

    @router.on("Heartbeat")
    async def heartbeat(req: Any, ctx: CallContext) -> Any:
        mod = m16 if ctx.version is Version.V16 else m15
        return mod.HeartbeatResponse(current_time=NOW)

    return router


def station_router(seen: list[CallContext] | None = None) -> Router:
    router = Router()

    @router.on("Reset")
    async def reset(req: Any, ctx: CallContext) -> Any:
        if seen is not None:
            seen.append(ctx)
        mod = m16 if ctx.version is Version.V16 else m15
        enums = e16 if ctx.version is Version.V16 else e15
        return mod.ResetResponse(status=enums.ResetStatus.Accepted)

    return router


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}/ocpp"


def test_calls_both_ways(binding: Binding) -> None:
    seen: list[CallContext] = []

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router()) as server, \
                binding.soap.open_soap_station(
                url(server.port), "CP-1", handlers=station_router(seen)) as station:
            assert station.version is Version.V16
            response = await station.call(BOOT16)
            assert response.status is e16.RegistrationStatus.Accepted
            assert response.current_time == NOW
            assert set(server.stations) == {"CP-1"}
            conn = server.stations["CP-1"]
            assert conn.transport == "soap" and conn.version is Version.V16
            assert conn.url == station.url
            reset = await server.call("CP-1", m16.ResetRequest(type=e16.ResetType.Soft))
            assert reset == m16.ResetResponse(status=e16.ResetStatus.Accepted)
            reset = await conn.call(m16.ResetRequest(type=e16.ResetType.Hard))
            assert reset.status is e16.ResetStatus.Accepted

    binding.run(body)
    assert [(c.station_id, c.version, c.action) for c in seen] == \
        [("CP-1", Version.V16, "Reset")] * 2
    assert seen[0].unique_id.startswith("urn:uuid:")
    assert seen[0].unique_id != seen[1].unique_id


def test_version_15_and_16_on_one_csms(binding: Binding) -> None:
    versions: list[tuple[str, Version]] = []

    def factory(station_id: str, version: Version) -> Router:
        versions.append((station_id, version))
        return csms_router()

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=factory) as server, \
                binding.soap.open_soap_station(
                url(server.port), "A", versions=("2.0.1", "1.5"),
                handlers=station_router()) as a, \
                binding.soap.open_soap_station(url(server.port), "B",
                handlers=station_router()) as b:
            assert a.version is Version.V15
            assert (await a.call(BOOT15)).heartbeat_interval == 300
            assert (await b.call(BOOT16)).interval == 300
            assert server.stations["A"].version is Version.V15
            r = await server.call("A", m15.ResetRequest(type=e15.ResetType.Soft))
            assert isinstance(r, m15.ResetResponse)
            r = await server.call("B", m16.ResetRequest(type=e16.ResetType.Soft))
            assert isinstance(r, m16.ResetResponse)

    binding.run(body)
    assert versions == [("A", Version.V15), ("B", Version.V16)]


def test_no_soap_version(binding: Binding) -> None:
    async def body() -> None:
        with pytest.raises(ValueError, match="OCPP-S"):
            async with binding.soap.open_soap_station("http://127.0.0.1:1/", "X",
                                                      versions=("2.0.1",)):
                pass

    binding.run(body)


@pytest.mark.parametrize(("raised", "code", "subcodes", "fault_code"), [
    (CallError("SecurityError", "no"), "SecurityError", ["SecurityError"], "Sender"),
    (CallError("NotImplemented", "x"), "NotSupported", ["NotSupported"], "Receiver"),
    (CallError("TypeConstraintViolation", "bad"), "ProtocolError",
     ["ProtocolError", "TypeConstraintViolation"], "Sender"),
    (CallError("GenericError", "g"), "InternalError", ["InternalError", "GenericError"],
     "Receiver"),
    (CallError("IdentityMismatch", "who"), "IdentityMismatch", ["IdentityMismatch"], "Sender"),
    (CallError("RpcFrameworkError", "2.x only"), "InternalError", ["InternalError"],
     "Receiver"),
    (RuntimeError("boom"), "InternalError", ["InternalError"], "Receiver"),
    (NotImplementedError(), "NotSupported", ["NotSupported"], "Receiver"),
    (None, "InternalError", ["InternalError"], "Receiver"),
    ("wrong class", "InternalError", ["InternalError"], "Receiver"),
    ("invalid", "InternalError", ["InternalError"], "Receiver"),
])
def test_handler_outcomes_become_call_errors(
    binding: Binding, raised: Any, code: str, subcodes: list[str], fault_code: str,
) -> None:
    router = Router()

    @router.on("Heartbeat")
    async def heartbeat(req: Any, ctx: CallContext) -> Any:
        if isinstance(raised, BaseException):
            raise raised
        if raised == "wrong class":
            return m16.ResetResponse(status=e16.ResetStatus.Accepted)
        if raised == "invalid":
            return m16.HeartbeatResponse(current_time="not a date")  # type: ignore[arg-type]
        return raised

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=router) as server, \
                binding.soap.open_soap_station(url(server.port), "CP-1") as station:
            with pytest.raises(CallError) as info:
                await station.call(m16.HeartbeatRequest())
            assert info.value.code == code
            assert info.value.details["subcodes"] == subcodes
            assert info.value.details["faultCode"] == fault_code
            assert info.value.action == "Heartbeat"
            # the server keeps serving on the same connection
            with pytest.raises(CallError):
                await station.call(m16.HeartbeatRequest())

    binding.run(body)


def test_unhandled_operation_is_not_supported(binding: Binding) -> None:
    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router()) as server, \
                binding.soap.open_soap_station(url(server.port), "CP-1") as station:
            await station.call(BOOT16)
            with pytest.raises(CallError) as info:
                await station.call(m16.AuthorizeRequest(id_tag="T"))
            assert info.value.code == "NotSupported"
            with pytest.raises(CallError) as info:
                await server.call("CP-1", m16.ClearCacheRequest())
            assert info.value.code == "NotSupported"

    binding.run(body)


def test_local_errors(binding: Binding) -> None:
    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router()) as server, \
                binding.soap.open_soap_station(url(server.port), "CP-1") as station:
            with pytest.raises(LocalProtocolError):  # a CSMS->station operation
                await station.call(m16.ResetRequest(type=e16.ResetType.Soft))
            with pytest.raises(LocalProtocolError):  # another version's message
                await station.call(BOOT15)
            with pytest.raises(InvalidMessageError):
                await station.call(m16.AuthorizeRequest(id_tag="x" * 21))
            with pytest.raises(LocalProtocolError):
                await station.send(m16.HeartbeatRequest())
            with pytest.raises(KeyError):
                await server.call("nobody", m16.ClearCacheRequest())
            assert (await station.call(BOOT16)).interval == 300

    binding.run(body)


def test_timeout_then_next_call_works(binding: Binding) -> None:
    slow = [True]
    router = csms_router()

    @router.on("Authorize")
    async def authorize(req: Any, ctx: CallContext) -> Any:
        if slow[0]:
            slow[0] = False
            await binding.sleep(1)
        return m16.AuthorizeResponse(id_tag_info=ACCEPTED)

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=router) as server, \
                binding.soap.open_soap_station(url(server.port), "CP-1",
                default_timeout=0.3) as station:
            with pytest.raises(CallTimeout) as info:
                await station.call(m16.AuthorizeRequest(id_tag="T"))
            assert info.value.action == "Authorize" and info.value.timeout == 0.3
            assert info.value.unique_id.startswith("urn:uuid:")
            assert (await station.call(BOOT16, timeout=5)).interval == 300

    binding.run(body)


def test_unreachable_peer(binding: Binding) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now

    async def body() -> None:
        async with binding.soap.open_soap_station(url(port), "CP-1") as station:
            with pytest.raises(binding.soap.PeerUnreachable):
                await station.call(BOOT16)

    binding.run(body)


def test_station_gone_is_unreachable_for_the_csms(binding: Binding) -> None:
    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router()) as server:
            async with binding.soap.open_soap_station(url(server.port), "CP-1") as station:
                await station.call(BOOT16)
            # the station's endpoint is closed now
            with pytest.raises(binding.soap.PeerUnreachable):
                await server.call("CP-1", m16.ClearCacheRequest(), timeout=3)

    binding.run(body)


def raw_request(version: Version, identity: str, message: Any, *, from_: str | None,
                reply_to: str | None) -> bytes:
    ns = namespace(version, Service.CENTRAL_SYSTEM)
    action, _, text = encode_body(version, message, ns, STRICT, declare=False)
    adr = Addressing(action="/" + action, message_id="urn:uuid:raw-1", from_=from_,
                     reply_to=reply_to)
    envelope = envelope_text(ocpp_namespace=ns, addressing=adr, identity=identity, body=text)
    return (b"POST /ocpp HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(envelope)).encode() +
            b"\r\n\r\n" + envelope)


def post_raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


@pytest.mark.parametrize("source", ["From", "ReplyTo", "configuration", "none"])
def test_station_endpoint_learned(binding: Binding, source: str) -> None:
    """The central system calls back at ``From``, else ``ReplyTo``, else the configured URL
    (bindings API; docs/soap.md "Headers")."""

    async def body() -> None:
        async with binding.soap.open_soap_station("http://127.0.0.1:1/", "CP-9",
                                                  handlers=station_router()) as station:
            anonymous = WSA_ANONYMOUS[WSA_2005]
            from_ = station.url if source == "From" else anonymous
            reply_to = station.url if source == "ReplyTo" else anonymous
            endpoints = {"CP-9": station.url} if source == "configuration" else {}
            async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router(),
                                               soap_endpoints=endpoints) as server:
                reply = await binding.to_thread(post_raw, server.port, raw_request(
                    Version.V16, "CP-9", BOOT16, from_=from_, reply_to=reply_to))
                assert reply.startswith(b"HTTP/1.1 200 ")
                conn = server.stations["CP-9"]
                if source == "none":
                    assert conn.url is None
                    with pytest.raises(binding.soap.PeerUnreachable):
                        await conn.call(m16.ResetRequest(type=e16.ResetType.Soft))
                    return
                assert conn.url == station.url
                r = await conn.call(m16.ResetRequest(type=e16.ResetType.Soft))
                assert r.status is e16.ResetStatus.Accepted

    binding.run(body)


def test_hooks_keepalive_and_many_stations(binding: Binding) -> None:
    events: list[tuple[str, str]] = []

    async def on_connect(conn: Any) -> None:
        events.append(("connect", conn.station_id))

    async def on_disconnect(conn: Any) -> None:
        events.append(("disconnect", conn.station_id))

    async def body() -> None:
        async with binding.soap.serve_soap(
                "127.0.0.1", 0, handlers=csms_router(), on_connect=on_connect,
                on_disconnect=on_disconnect) as server:

            def one(i: int) -> Any:
                async def run() -> Any:
                    async with binding.soap.open_soap_station(
                            url(server.port), f"CP-{i}", handlers=station_router()) as st:
                        await st.call(BOOT16)
                        first = server.stations[f"CP-{i}"].remote_address
                        for _ in range(3):
                            await st.call(m16.HeartbeatRequest())
                        # one kept-alive connection carried every call
                        assert server.stations[f"CP-{i}"].remote_address == first
                        r = await server.call(f"CP-{i}", m16.ResetRequest(type=e16.ResetType.Soft))
                        return r.status
                return run

            statuses = await gather(binding, *(one(i) for i in range(20)))
            assert statuses == [e16.ResetStatus.Accepted] * 20
            assert len(server.stations) == 20
            await server.stations["CP-3"].close()
            assert "CP-3" not in server.stations

    binding.run(body)
    assert sorted(e for e in events if e[0] == "connect") == \
        sorted(("connect", f"CP-{i}") for i in range(20))
    assert sorted(e for e in events if e[0] == "disconnect") == \
        sorted(("disconnect", f"CP-{i}") for i in range(20))
    assert events.index(("disconnect", "CP-3")) < len(events) - 19


def test_handler_calls_the_peer(binding: Binding) -> None:
    router = csms_router()
    answers: list[Any] = []

    @router.on("StatusNotification")
    async def status(req: Any, ctx: CallContext) -> Any:
        answers.append(await ctx.connection.call(m16.ResetRequest(type=e16.ResetType.Soft)))
        return m16.StatusNotificationResponse()

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=router) as server, \
                binding.soap.open_soap_station(url(server.port), "CP-1",
                handlers=station_router()) as station:
            await station.call(m16.StatusNotificationRequest(
                connector_id=1, error_code=e16.ChargePointErrorCode.NoError,
                status=e16.ChargePointStatus.Available))

    binding.run(body)
    assert answers == [m16.ResetResponse(status=e16.ResetStatus.Accepted)]


def test_graceful_close_finishes_the_call_being_answered(binding: Binding) -> None:
    router = csms_router()
    results: list[Any] = []

    @router.on("Authorize")
    async def authorize(req: Any, ctx: CallContext) -> Any:
        await binding.sleep(0.3)
        return m16.AuthorizeResponse(id_tag_info=ACCEPTED)

    async def body() -> None:
        async with binding.soap.open_soap_station("http://127.0.0.1:1/", "CP-1") as station:
            started = binding.event()

            async def serve() -> None:
                async with binding.soap.serve_soap("127.0.0.1", 0, handlers=router) as server:
                    station.endpoint = url(server.port)
                    started.set()
                    await binding.sleep(0.1)  # the block ends while Authorize is handled

            async def call() -> None:
                await started.wait()
                results.append(await station.call(m16.AuthorizeRequest(id_tag="T")))

            await gather(binding, serve, call)

    binding.run(body)
    assert results[0].id_tag_info.status is e16.AuthorizationStatus.Accepted


def test_reopens_a_kept_alive_connection_the_peer_closed(
    binding: Binding, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The central system drops idle connections; the station's next call reopens one."""
    monkeypatch.setattr(binding.soap, "IDLE_TIMEOUT", 0.1)

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router()) as server, \
                binding.soap.open_soap_station(url(server.port), "CP-1") as station:
            await station.call(BOOT16)
            first = server.stations["CP-1"].remote_address
            await binding.sleep(0.4)  # the server closed the idle connection meanwhile
            await station.call(m16.HeartbeatRequest())
            assert server.stations["CP-1"].remote_address != first

    binding.run(body)


def test_tls_central_system(binding: Binding) -> None:
    """``https``: the central system serves TLS (``ssl``), the station verifies it."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router(),
                                           ssl=server_ctx) as server, \
                binding.soap.open_soap_station(f"https://127.0.0.1:{server.port}/ocpp", "CP-1",
                                               handlers=station_router(),
                                               ssl=client_ctx) as station:
            assert (await station.call(BOOT16)).interval == 300
            assert (await station.call(m16.HeartbeatRequest())).current_time == NOW
            r = await server.call("CP-1", m16.ResetRequest(type=e16.ResetType.Soft))
            assert r.status is e16.ResetStatus.Accepted
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=csms_router(),
                                           ssl=server_ctx) as server, \
                binding.soap.open_soap_station(f"https://127.0.0.1:{server.port}/ocpp",
                                               "CP-2") as station:
            with pytest.raises(binding.soap.PeerUnreachable):  # untrusted certificate
                await station.call(BOOT16)

    binding.run(body)


def test_concurrent_calls_of_one_station_are_serialised(binding: Binding) -> None:
    """One outstanding call per direction: a second call waits for the first answer."""
    router = csms_router()
    active: list[int] = [0, 0]  # now, most at once

    @router.on("Authorize")
    async def authorize(req: Any, ctx: CallContext) -> Any:
        active[0] += 1
        active[1] = max(active)
        await binding.sleep(0.05)
        active[0] -= 1
        return m16.AuthorizeResponse(id_tag_info=ACCEPTED)

    async def body() -> None:
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=router) as server, \
                binding.soap.open_soap_station(url(server.port), "CP-1") as station:

            def one(tag: str) -> Any:
                async def run() -> Any:
                    return (await station.call(m16.AuthorizeRequest(id_tag=tag))).id_tag_info
                return run

            infos = await gather(binding, *(one(f"T{i}") for i in range(5)))
            assert infos == [ACCEPTED] * 5

    binding.run(body)
    assert active[1] == 1
