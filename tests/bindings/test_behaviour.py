# ruff: noqa: SIM117  (a station's ``async with`` nested in the server's reads as what it is)
"""The behavioural suite of the OCPP-J bindings, run under ``ocpp_trio`` and ``ocpp_asyncio``.

Real sockets on 127.0.0.1; both ends are ours (interoperability with other implementations is
in ``tests/interop``).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_sansio.rpc import InvalidMessageError, LocalProtocolError
from ocpp_sansio.version import Version
from ocpp_sansio.ws import Accept, AuthRequest, KeepAlive, Limits, Reject
from ocpp_trio import ReconnectPolicy

from ._support import (
    ALL_VERSIONS,
    NOW,
    Binding,
    boot_request,
    boot_response,
    free_port,
    heartbeat_response,
    messages,
    url,
)

m16 = messages("1.6")
m201 = messages("2.0.1")
m21 = messages("2.1")


def csms_router(b: Binding, **extra: Any) -> Any:
    router = b.mod.Router()

    @router.on("BootNotification")
    async def boot(req: Any, ctx: Any) -> Any:
        return boot_response(ctx.version)

    @router.on("Heartbeat")
    async def heartbeat(req: Any, ctx: Any) -> Any:
        return heartbeat_response(ctx.version)

    for action, fn in extra.items():
        router.on(action)(fn)
    return router


# -- calls and typed responses ----------------------------------------------------------------


def test_typed_round_trip_and_negotiation(binding: Binding) -> None:
    b = binding

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers=csms_router(b)) as server:
            async with b.mod.connect(
                url(server.port), "CS-1", versions=("2.0.1", "1.6")
            ) as station:
                assert station.version is Version.V201  # server preference 2.0.1 first
                resp = await station.call(boot_request("2.0.1"))
                assert isinstance(resp, m201.BootNotificationResponse)
                assert resp.interval == 300 and resp.current_time == NOW
                conn = server.stations["CS-1"]
                assert conn.version is Version.V201 and conn.transport == "json"
                assert conn.remote_address[0] == "127.0.0.1"

    b.run(body)


def test_mixed_versions_on_one_port(binding: Binding) -> None:
    b = binding
    seen: list[tuple[str, Version]] = []

    def factory(station_id: str, version: Version) -> Any:
        seen.append((station_id, version))
        return csms_router(b)

    async def one(port: int, version: str) -> None:
        async with b.mod.connect(url(port), f"CS-{version}", versions=(version,)) as station:
            assert station.version is Version(version)
            resp = await station.call(boot_request(version))
            assert type(resp).__module__ == messages(version).__name__
            hb = await station.call(messages(version).HeartbeatRequest())
            assert hb.current_time == NOW

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, versions=("2.1", "2.0.1", "1.6", "1.5"), handlers=factory
        ) as server:
            await b.gather(*(lambda v=v: one(server.port, v) for v in ALL_VERSIONS))
        assert sorted(seen) == sorted((f"CS-{v}", Version(v)) for v in ALL_VERSIONS)

    b.run(body)


def test_many_concurrent_stations(binding: Binding) -> None:
    b = binding

    async def one(port: int, i: int) -> None:
        async with b.mod.connect(url(port), f"CS-{i}") as station:
            for _ in range(5):
                await station.call(m16.HeartbeatRequest())

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers=csms_router(b)) as server:
            await b.gather(*(lambda i=i: one(server.port, i) for i in range(30)))
            assert len(server.stations) == 0

    b.run(body)


# -- errors -------------------------------------------------------------------------------------


def test_call_errors_are_typed(binding: Binding) -> None:
    b = binding

    async def authorize(req: Any, ctx: Any) -> Any:
        raise b.mod.CallError("SecurityError", "unknown tag", {"tag": req.id_tag})

    async def status(req: Any, ctx: Any) -> Any:
        raise RuntimeError("secret detail")

    async def start(req: Any, ctx: Any) -> Any:
        return None

    async def body() -> None:
        router = csms_router(
            b, Authorize=authorize, StatusNotification=status, StartTransaction=start
        )
        async with b.mod.serve("127.0.0.1", 0, handlers=router) as server:
            async with b.mod.connect(url(server.port), "CS-1") as station:
                with pytest.raises(b.mod.CallError) as err:
                    await station.call(m16.AuthorizeRequest(id_tag="T1"))
                assert err.value.code == "SecurityError"
                assert err.value.description == "unknown tag"
                assert err.value.details == {"tag": "T1"}
                with pytest.raises(b.mod.CallError) as err:
                    await station.call(
                        m16.StatusNotificationRequest(
                            connector_id=1, error_code="NoError", status="Available"
                        )
                    )
                assert err.value.code == "InternalError"
                assert "secret" not in err.value.description
                with pytest.raises(b.mod.CallError) as err:
                    await station.call(
                        m16.StartTransactionRequest(
                            connector_id=1, id_tag="T", meter_start=0, timestamp=NOW
                        )
                    )
                assert err.value.code == "InternalError"
                # a known action without a handler: the engine answers NotSupported
                with pytest.raises(b.mod.CallError) as err:
                    await station.call(m16.DataTransferRequest(vendor_id="X"))
                assert err.value.code == "NotSupported"
                # the connection is still usable
                await station.call(m16.HeartbeatRequest())

    b.run(body)


def test_timeout_then_connection_still_usable(binding: Binding) -> None:
    b = binding

    async def slow(req: Any, ctx: Any) -> Any:
        await b.sleep(0.5)
        return m16.DataTransferResponse(status="Accepted")

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=csms_router(b, DataTransfer=slow)
        ) as server:
            async with b.mod.connect(url(server.port), "CS-1") as station:
                with pytest.raises(b.mod.CallTimeout):
                    await station.call(m16.DataTransferRequest(vendor_id="X"), timeout=0.1)
                resp = await station.call(m16.HeartbeatRequest())
                assert resp.current_time == NOW

    b.run(body)


def test_invalid_outgoing_message_is_a_local_error(binding: Binding) -> None:
    b = binding

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers=csms_router(b)) as server:
            async with b.mod.connect(url(server.port), "CS-1") as station:
                with pytest.raises(InvalidMessageError):
                    await station.call(m16.AuthorizeRequest(id_tag="x" * 21))
                with pytest.raises(LocalProtocolError):  # a 2.0.1 message on a 1.6 link
                    await station.call(m201.HeartbeatRequest())
                await station.call(m16.HeartbeatRequest())

    b.run(body)


# -- CSMS-initiated calls -------------------------------------------------------------------------


def test_csms_calls_station_by_id_and_from_a_handler(binding: Binding) -> None:
    b = binding
    got: list[Any] = []

    async def boot(req: Any, ctx: Any) -> Any:
        # a handler calling the peer while the peer's CALL is being answered: no deadlock
        conf = await ctx.connection.call(m16.GetConfigurationRequest(key=["HeartbeatInterval"]))
        got.append(conf)
        return boot_response(ctx.version)

    station_router = b.mod.Router()

    @station_router.on("Reset")
    async def reset(req: Any, ctx: Any) -> Any:
        assert ctx.station_id == "CS-1" and ctx.action == "Reset"
        return m16.ResetResponse(status="Accepted")

    @station_router.on("GetConfiguration")
    async def get_configuration(req: Any, ctx: Any) -> Any:
        return m16.GetConfigurationResponse(unknown_key=list(req.key))

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers={"BootNotification": boot}) as server:
            async with b.mod.connect(
                url(server.port), "CS-1", handlers=station_router
            ) as station:
                await station.call(boot_request("1.6"))
                assert got[0].unknown_key == ["HeartbeatInterval"]
                resp = await server.call("CS-1", m16.ResetRequest(type="Soft"))
                assert isinstance(resp, m16.ResetResponse) and resp.status == "Accepted"
                resp = await server.stations["CS-1"].call(m16.ResetRequest(type="Hard"))
                assert resp.status == "Accepted"
                # not handled by the station: NotSupported
                with pytest.raises(b.mod.CallError) as err:
                    await server.call("CS-1", m16.ClearCacheRequest())
                assert err.value.code == "NotSupported"
                with pytest.raises(KeyError):
                    await server.call("CS-404", m16.ClearCacheRequest())

    b.run(body)


def test_send_21(binding: Binding) -> None:
    b = binding
    d21 = importlib.import_module("ocpp_sansio.v21.datatypes")

    async def body() -> None:
        received = b.event()
        got: list[Any] = []

        async def stream(req: Any, ctx: Any) -> Any:
            got.append(req)
            received.set()
            return None

        router = csms_router(b, NotifyPeriodicEventStream=stream)
        async with b.mod.serve("127.0.0.1", 0, versions=("2.1",), handlers=router) as server:
            async with b.mod.connect(url(server.port), "CS-1", versions=("2.1",)) as station:
                await station.send(
                    m21.NotifyPeriodicEventStreamRequest(
                        id=1, pending=0, basetime=NOW,
                        data=[d21.StreamDataElementType(t=0.5, v="1")],
                    )
                )
                await received.wait()
                assert got[0].data[0].v == "1"

    b.run(body)


# -- life cycle ---------------------------------------------------------------------------------


def test_hooks_and_graceful_close_drains(binding: Binding) -> None:
    b = binding
    events: list[str] = []

    async def slow(req: Any, ctx: Any) -> Any:
        await b.sleep(0.3)
        return m16.DataTransferResponse(status="Accepted")

    async def on_connect(conn: Any) -> None:
        events.append(f"connect {conn.station_id} {conn.version}")

    async def on_disconnect(conn: Any) -> None:
        events.append(f"disconnect {conn.station_id}")

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=csms_router(b, DataTransfer=slow),
            on_connect=on_connect, on_disconnect=on_disconnect,
        ) as server:
            results: list[Any] = []
            async with b.mod.connect(url(server.port), "CS-1") as station:

                async def in_flight() -> None:
                    results.append(await station.call(m16.DataTransferRequest(vendor_id="X")))

                async def closer() -> None:
                    await b.sleep(0.05)
                    await station.close()

                await b.gather(in_flight, closer)
                assert results[0].status == "Accepted"  # drained, not aborted
                with pytest.raises(b.mod.ConnectionClosed):
                    await station.call(m16.HeartbeatRequest())
            await b.wait_until(lambda: "disconnect CS-1" in events)
            assert events == ["connect CS-1 1.6", "disconnect CS-1"]
            assert "CS-1" not in server.stations

    b.run(body)


def test_server_side_close_aborts_station_calls(binding: Binding) -> None:
    b = binding

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers=csms_router(b)) as server:
            async with b.mod.connect(url(server.port), "CS-1") as station:
                await server.stations["CS-1"].close(1000, "bye")
                await b.wait_until(lambda: not station.is_connected)
                with pytest.raises(b.mod.ConnectionClosed):
                    await station.call(m16.HeartbeatRequest())

    b.run(body)


def test_reconnect_with_backoff_pins_version(binding: Binding) -> None:
    b = binding
    versions: list[Version] = []

    async def on_connect(conn: Any) -> None:
        versions.append(conn.version)

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=csms_router(b), on_connect=on_connect
        ) as server:
            policy = b.mod.ReconnectPolicy(min_backoff=0.05, max_backoff=0.2, jitter=0.01)
            async with b.mod.connect(
                url(server.port), "CS-1", versions=("2.0.1", "1.6"), reconnect=policy
            ) as station:
                await b.wait_until(lambda: "CS-1" in server.stations)
                await server.stations["CS-1"].close(1001, "restart")
                await b.wait_until(lambda: station.connections == 2)
                await station.wait_connected()
                resp = await station.call(m201.HeartbeatRequest())
                assert resp.current_time == NOW
        assert versions == [Version.V201, Version.V201]

    b.run(body)


def test_reconnect_gives_up_after_attempts(binding: Binding) -> None:
    b = binding

    async def body() -> None:
        policy = b.mod.ReconnectPolicy(min_backoff=0.01, max_backoff=0.02, jitter=0, attempts=2)
        async with b.mod.serve("127.0.0.1", 0, handlers=csms_router(b)) as server:
            port = server.port
            async with b.mod.connect(url(port), "CS-1", reconnect=policy) as station:
                await server.stations["CS-1"].close()
                # the listener keeps running: attempts succeed; close the station instead
                await b.wait_until(lambda: station.connections == 2)
        assert station.connections == 2

    b.run(body)


def test_keepalive_pings_keep_an_idle_connection(binding: Binding) -> None:
    b = binding
    ka = KeepAlive(interval=0.05, timeout=0.5)

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=csms_router(b), keepalive=ka
        ) as server:
            async with b.mod.connect(url(server.port), "CS-1", keepalive=ka) as station:
                await b.sleep(0.4)
                assert station.is_connected
                await station.call(m16.HeartbeatRequest())

    b.run(body)


# -- handshake: auth, duplicates, front door ------------------------------------------------------


def test_auth_and_basic_password(binding: Binding) -> None:
    b = binding
    seen: list[AuthRequest] = []

    async def auth(req: AuthRequest) -> Accept | Reject:
        seen.append(req)
        return Accept() if req.password == b"0123456789abcdef" else Reject(status=401)

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers=csms_router(b), auth=auth) as server:
            async with b.mod.connect(
                url(server.port), "CS-1", password=b"0123456789abcdef"
            ) as station:
                await station.call(m16.HeartbeatRequest())
            with pytest.raises(b.mod.HandshakeRejected) as err:
                async with b.mod.connect(url(server.port), "CS-2", password=b"wrong-password!!"):
                    pass
            assert err.value.status_code == 401
            assert [r.identity for r in seen] == ["CS-1", "CS-2"]

    b.run(body)


def test_sync_auth_and_no_common_version(binding: Binding) -> None:
    b = binding

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, versions=("1.6",), auth=lambda req: Reject(status=404)
        ) as server:
            with pytest.raises(b.mod.HandshakeRejected) as err:
                async with b.mod.connect(url(server.port), "CS-1"):
                    pass
            assert err.value.status_code == 404
            with pytest.raises(b.mod.HandshakeRejected) as err:
                async with b.mod.connect(url(server.port), "CS-1", versions=("2.0.1",)):
                    pass
            assert err.value.status_code == 101  # OCPP-J 3.2: upgrade without subprotocol

    b.run(body)


def test_duplicate_replace_and_reject(binding: Binding) -> None:
    b = binding

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, handlers=csms_router(b)) as server:
            async with b.mod.connect(url(server.port), "CS-1") as first:
                first_conn = server.stations["CS-1"]
                async with b.mod.connect(url(server.port), "CS-1") as second:
                    await b.wait_until(lambda: not first.is_connected)
                    assert server.stations["CS-1"] is not first_conn
                    await second.call(m16.HeartbeatRequest())
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=csms_router(b), duplicate="reject"
        ) as server:
            async with b.mod.connect(url(server.port), "CS-1") as first:
                with pytest.raises(b.mod.HandshakeRejected) as err:
                    async with b.mod.connect(url(server.port), "CS-1"):
                        pass
                assert err.value.status_code == 409
                await first.call(m16.HeartbeatRequest())

    b.run(body)


def test_front_door_without_soap(binding: Binding) -> None:
    b = binding

    async def body() -> None:
        async with b.mod.serve("127.0.0.1", 0, soap=False, path="/ocpp") as server:
            reply = await b.raw_request(
                server.port, b"POST /ocpp/CS-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
            )
            assert reply.startswith(b"HTTP/1.1 426 ")
            assert b"upgrade: websocket" in reply.lower()
            reply = await b.raw_request(
                server.port, b"POST /other/CS-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
            )
            assert reply.startswith(b"HTTP/1.1 404 ")
            # a bad upgrade is answered by the WebSocket session itself
            reply = await b.raw_request(
                server.port,
                b"GET /ocpp/CS-1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            )
            assert reply.startswith(b"HTTP/1.1 426 ")
            async with b.mod.connect(f"ws://127.0.0.1:{server.port}/ocpp", "CS-1") as station:
                assert station.version is Version.V16

    b.run(body)


def test_connection_refused(binding: Binding) -> None:
    b = binding

    async def body() -> None:
        with pytest.raises(OSError):
            async with b.mod.connect(url(free_port()), "CS-1"):
                pass

    b.run(body)


# -- reconnect policy (pure) ------------------------------------------------------------------


@settings(max_examples=200)
@given(
    st.floats(0.01, 60), st.floats(0, 600), st.floats(0, 30),
    st.integers(0, 100), st.floats(0, 0.999999),
)
def test_backoff_doubles_up_to_the_cap(
    low: float, high: float, jitter: float, attempt: int, r: float
) -> None:
    policy = ReconnectPolicy(min_backoff=low, max_backoff=high, jitter=jitter)
    cap = max(high, low)
    delay = policy.delay(attempt, r)
    assert low <= delay <= cap + jitter
    assert policy.delay(attempt, 0) <= policy.delay(attempt + 1, 0)
    assert policy.delay(0, 0) == low
    assert delay - policy.delay(attempt, 0) == pytest.approx(jitter * r)


def test_failing_hooks_and_auth_do_not_stop_the_server(binding: Binding) -> None:
    b = binding

    async def on_connect(conn: Any) -> None:
        raise RuntimeError("hook bug")

    def auth(req: AuthRequest) -> Accept | Reject:
        if req.identity == "BAD":
            raise RuntimeError("auth bug")
        return Accept()

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=csms_router(b), on_connect=on_connect,
            on_disconnect=on_connect, auth=auth,
        ) as server:
            with pytest.raises(b.mod.HandshakeRejected) as err:
                async with b.mod.connect(url(server.port), "BAD"):
                    pass
            assert err.value.status_code == 500
            for i in range(2):
                async with b.mod.connect(url(server.port), f"CS-{i}") as station:
                    await station.call(m16.HeartbeatRequest())

    b.run(body)


def test_large_messages_both_ways(binding: Binding) -> None:
    b = binding
    big = "x" * 400_000  # many TCP segments and several reads / writes per message

    async def data_transfer(req: Any, ctx: Any) -> Any:
        return m16.DataTransferResponse(status="Accepted", data=req.data[::-1] + "!")

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=csms_router(b, DataTransfer=data_transfer)
        ) as server:
            async with b.mod.connect(url(server.port), "CS-1") as station:
                for _ in range(3):
                    resp = await station.call(m16.DataTransferRequest(vendor_id="V", data=big))
                    assert resp.data == big + "!"

    b.run(body)


def test_raised_message_size_limit_reaches_the_rpc_engine(binding: Binding) -> None:
    """``Limits(max_message_size=3 MiB)`` on both sides lets a 1.5 MiB DataTransfer through
    each way: the bindings give the RPC engine the session's bound, so raising one raises both
    (the engine alone defaults to 1 MiB and would answer FormationViolation)."""
    b = binding
    big = "x" * (3 << 19)
    limits = Limits(max_message_size=3 << 20)

    async def data_transfer(req: Any, ctx: Any) -> Any:
        return m16.DataTransferResponse(status="Accepted", data=req.data + "!")

    async def body() -> None:
        async with b.mod.serve(
            "127.0.0.1", 0, handlers=csms_router(b, DataTransfer=data_transfer), limits=limits
        ) as server:
            async with b.mod.connect(url(server.port), "CS-1", limits=limits) as station:
                resp = await station.call(m16.DataTransferRequest(vendor_id="V", data=big))
                assert resp.data == big + "!"

    b.run(body)
