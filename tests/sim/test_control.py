"""The CSMS simulator's HTTP control API over real sockets on 127.0.0.1: station listing,
generic and version calls to OCPP-J and OCPP-S stations, and every error status."""

import http.client
import json
from collections.abc import Callable
from typing import Any

import pytest
import trio

import ocpp_trio
from ocpp_sansio import v16
from ocpp_sansio.handlers import CallContext
from ocpp_sansio.version import Version
from ocpp_trio.sim import CsmsSimulator, SimStation, StationOptions
from ocpp_trio.sim.control import ControlApi, control_api, parse_address

Client = Callable[..., tuple[int, Any]]


def client(api: ControlApi, conn: http.client.HTTPConnection) -> Client:

    def request(method: str, path: str, body: Any = None, raw: bytes | None = None
                ) -> tuple[int, Any]:
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"content-type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        assert response.getheader("content-type") == "application/json"
        return response.status, json.loads(payload)

    return request


def with_api(check: Callable[[Client, CsmsSimulator], None]) -> None:
    """Serve a CSMS with its control API, three simulated stations (1.6 OCPP-J, 1.6 OCPP-S,
    2.0.1 OCPP-J) and a station answering Reset late; run ``check`` in a thread."""
    csms = CsmsSimulator()

    async def late(request: Any, ctx: CallContext) -> Any:
        await trio.sleep(1.0)  # after the 0.2 s the test waits (a station closing its
        return v16.ResetResponse(status=v16.ResetStatus.Accepted)  # link finishes handlers)

    async def body() -> None:
        with trio.fail_after(30):
            async with csms.run() as server, control_api(csms) as api, \
                    ocpp_trio.connect(f"ws://127.0.0.1:{server.port}/ocpp", "CS-SLOW",
                                      versions=("1.6",), handlers={"Reset": late}):
                done = trio.Event()

                async def station(station_id: str, version: str, transport: str) -> None:
                    scheme = "ws" if transport == "json" else "http"
                    sim = SimStation(StationOptions(
                        url=f"{scheme}://127.0.0.1:{server.port}/ocpp", station_id=station_id,
                        version=Version(version), transport=transport))

                    async def wait(s: SimStation) -> None:
                        await done.wait()

                    await sim.run(wait)

                async with trio.open_nursery() as nursery:
                    nursery.start_soon(station, "CS-1", "1.6", "json")
                    nursery.start_soon(station, "CS-S", "1.6", "soap")
                    nursery.start_soon(station, "CS-2", "2.0.1", "json")
                    while len(server.stations) < 4:
                        await trio.sleep(0.01)
                    conn = http.client.HTTPConnection(api.host, api.port, timeout=10)
                    try:
                        await trio.to_thread.run_sync(check, client(api, conn), csms)
                    finally:
                        conn.close()
                        done.set()

    trio.run(body)


def test_stations_and_calls() -> None:
    def check(call: Client, csms: CsmsSimulator) -> None:
        status, body = call("GET", "/stations")
        assert status == 200
        listed = {s["id"]: s for s in body["stations"]}
        assert list(listed) == ["CS-1", "CS-2", "CS-S", "CS-SLOW"]
        assert listed["CS-1"]["version"] == "1.6" and listed["CS-1"]["transport"] == "json"
        assert listed["CS-S"]["transport"] == "soap" and listed["CS-2"]["version"] == "2.0.1"
        assert listed["CS-1"]["connected_since"].endswith("Z")

        # a generic request, converted for each version and transport (same connection:
        # keep-alive)
        request = {"operation": "GetConfiguration",
                   "request": {"keys": [{"name": "HeartbeatInterval"}]}}
        for station in ("CS-1", "CS-S", "CS-2"):
            status, body = call("POST", f"/stations/{station}/call", request)
            assert status == 200, body
            assert body["operation"] == "GetConfiguration" and body["station"] == station
            assert body["response"]["values"][0]["value"] == "300"
        assert body["version"] == "2.0.1"

        # the version escape hatch: wire JSON in, wire JSON out
        status, body = call("POST", "/stations/CS-1/call", {
            "action": "ChangeConfiguration",
            "payload": {"key": "HeartbeatInterval", "value": "60"}})
        assert (status, body["response"], body["action"]) == (
            200, {"status": "Accepted"}, "ChangeConfiguration")

        # $transaction: the latest open transaction, here started remotely
        status, body = call("POST", "/stations/CS-2/call", {
            "operation": "RequestStartTransaction",
            "request": {"id_token": {"value": "TAG"}, "evse_id": 1, "remote_start_id": 3}})
        assert (status, body["response"]["status"]) == (200, "Accepted")
        for _ in range(200):
            if csms.open_transaction("CS-2") is not None:
                break
            trio.from_thread.run(trio.sleep, 0.01)
        status, body = call("POST", "/stations/CS-2/call", {
            "operation": "RequestStopTransaction",
            "request": {"transaction_id": "$transaction"}})
        assert (status, body["response"]["status"]) == (200, "Accepted")

    with_api(check)


def test_errors() -> None:
    def check(call: Client, csms: CsmsSimulator) -> None:
        assert call("POST", "/stations/NOPE/call", {"operation": "ClearCache"}) == (
            404, {"error": "unknown station", "station": "NOPE"})
        assert call("GET", "/elsewhere")[0] == 404
        assert call("GET", "/stations/CS-1/call")[0] == 405
        assert call("DELETE", "/stations")[0] == 405

        def bad(body: Any = None, raw: bytes | None = None) -> str:
            status, answer = call("POST", "/stations/CS-1/call", body, raw)
            assert status == 400, answer
            assert answer["error"] == "bad request"
            return str(answer["reason"])

        assert bad(raw=b"{not json").startswith("the body is not JSON")
        assert bad([1]) == "the body must be a JSON object"
        assert "unknown keys: extra" in bad({"operation": "Reset", "extra": 1})
        assert bad({"operation": "Authorize"}) == (
            "operation: 'Authorize' is not a generic operation the CSMS sends")
        assert bad({"operation": "Reset", "request": {"hard": "yes", "evse": 1}}) == (
            "request.evse: unknown key (did you mean 'evse_id'?); expected one of: type, hard, "
            'evse_id; request.hard: expected true or false, got "yes"')
        assert bad({"action": "Heartbeat", "payload": {}}) == (
            "'Heartbeat' is not an action the CSMS sends in OCPP 1.6")
        assert "must be string" in bad({"action": "GetConfiguration",
                                        "payload": {"key": [1]}})
        assert bad({"operation": "RequestStopTransaction",
                    "request": {"transaction_id": "$transaction"}}) == (
            "$transaction: no transaction is open on CS-1")
        assert bad({"operation": "ClearCache", "timeout": 0}).startswith("timeout:")

        # the version cannot express it: nothing is sent
        status, body = call("POST", "/stations/CS-2/call", {
            "operation": "RequestStartTransaction", "request": {"id_token": {"value": "T"}}})
        assert status == 422 and body["error"] == "unsupported"
        assert body["version"] == "2.0.1" and body["reason"] == "missing"

        # the station answers with a CALLERROR (OCPP-J) or a fault (OCPP-S)
        for station in ("CS-1", "CS-S"):
            status, body = call("POST", f"/stations/{station}/call",
                                {"operation": "ClearCache"})
            assert (status, body["error"], body["code"]) == (502, "CALLERROR", "NotSupported")

        # no answer in time
        status, body = call("POST", "/stations/CS-SLOW/call",
                            {"operation": "Reset", "timeout": 0.2})
        assert (status, body["error"]) == (504, "timeout")

        status, body = call("POST", "/stations/CS-1/call", raw=b"x" * ((1 << 20) + 1))
        assert status == 413

    with_api(check)


def test_parse_address() -> None:
    assert parse_address("9001") == ("127.0.0.1", 9001)
    assert parse_address(":9001") == ("127.0.0.1", 9001)
    assert parse_address("0.0.0.0:80") == ("0.0.0.0", 80)
    assert parse_address("[::1]:8080") == ("::1", 8080)
    for text in ("host", "host:x", "1:99999"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_address(text)
