"""The simulators against PyPI ``ocpp`` 2.1.0 (on ``websockets``), 1.6 and 2.0.1:
``ocpp-toolkit station`` completes a charging session against an ``ocpp`` CSMS, and an
``ocpp`` station completes one against the CSMS simulator. ``ocpp`` validates what it receives
against its own copy of the OCA schemas."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import queue
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
import trio

from ocpp_trio.sim import AuthPolicy, CsmsSimulator, MessageLog
from ocpp_trio.sim.commands import add_commands

ocpp = pytest.importorskip("ocpp", reason="PyPI ocpp is not installed (pip install ocpp==2.1.0)")
websockets = pytest.importorskip("websockets", reason="websockets is not installed")

from ocpp.routing import on  # type: ignore[import-untyped]  # noqa: E402
from ocpp.v16 import ChargePoint as Cp16  # type: ignore[import-untyped]  # noqa: E402
from ocpp.v16 import call as call16  # noqa: E402
from ocpp.v16 import call_result as result16  # noqa: E402
from ocpp.v16.enums import Action as A16  # type: ignore[import-untyped]  # noqa: E402
from ocpp.v201 import ChargePoint as Cp201  # type: ignore[import-untyped]  # noqa: E402
from ocpp.v201 import call as call201  # noqa: E402
from ocpp.v201 import call_result as result201  # noqa: E402
from ocpp.v201.enums import Action as A201  # type: ignore[import-untyped]  # noqa: E402

NOW = "2024-01-01T00:00:00Z"


class LoopThread:
    """An asyncio loop in a daemon thread; ``run(coro)`` runs a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 15.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
ACCEPTED = {"status": "Accepted"}


class Csms16(Cp16):  # type: ignore[misc]
    """An ``ocpp`` 1.6 CSMS recording the actions it received."""

    seen: list[str]

    @on(A16.boot_notification)  # type: ignore[untyped-decorator]
    async def on_boot(self, **kw: Any) -> Any:
        self.seen.append("BootNotification")
        return result16.BootNotification(current_time=NOW, interval=300, status="Accepted")

    @on(A16.status_notification)  # type: ignore[untyped-decorator]
    async def on_status(self, **kw: Any) -> Any:
        self.seen.append("StatusNotification")
        return result16.StatusNotification()

    @on(A16.authorize)  # type: ignore[untyped-decorator]
    async def on_authorize(self, id_tag: str) -> Any:
        self.seen.append("Authorize")
        return result16.Authorize(id_tag_info=ACCEPTED)

    @on(A16.start_transaction)  # type: ignore[untyped-decorator]
    async def on_start(self, **kw: Any) -> Any:
        self.seen.append("StartTransaction")
        return result16.StartTransaction(transaction_id=7, id_tag_info=ACCEPTED)

    @on(A16.meter_values)  # type: ignore[untyped-decorator]
    async def on_meter(self, **kw: Any) -> Any:
        self.seen.append("MeterValues")
        return result16.MeterValues()

    @on(A16.stop_transaction)  # type: ignore[untyped-decorator]
    async def on_stop(self, **kw: Any) -> Any:
        assert kw["transaction_id"] == 7
        self.seen.append("StopTransaction")
        return result16.StopTransaction(id_tag_info=ACCEPTED)


class Csms201(Cp201):  # type: ignore[misc]
    """An ``ocpp`` 2.0.1 CSMS recording the actions it received."""

    seen: list[str]

    @on(A201.boot_notification)  # type: ignore[untyped-decorator]
    async def on_boot(self, **kw: Any) -> Any:
        self.seen.append("BootNotification")
        return result201.BootNotification(current_time=NOW, interval=300, status="Accepted")

    @on(A201.status_notification)  # type: ignore[untyped-decorator]
    async def on_status(self, **kw: Any) -> Any:
        self.seen.append("StatusNotification")
        return result201.StatusNotification()

    @on(A201.authorize)  # type: ignore[untyped-decorator]
    async def on_authorize(self, id_token: Any, **kw: Any) -> Any:
        self.seen.append("Authorize")
        return result201.Authorize(id_token_info=ACCEPTED)

    @on(A201.transaction_event)  # type: ignore[untyped-decorator]
    async def on_event(self, event_type: str, **kw: Any) -> Any:
        self.seen.append(f"TransactionEvent.{event_type}")
        return result201.TransactionEvent()


async def _start_csms(version: str, seen: list[str]) -> tuple[Any, int]:
    cls = Csms16 if version == "1.6" else Csms201

    async def handler(ws: Any) -> None:
        cp = cls(ws.request.path.rstrip("/").split("/")[-1], ws)
        cp.seen = seen
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            await cp.start()

    server = await websockets.serve(handler, "127.0.0.1", 0, subprotocols=[f"ocpp{version}"])
    return server, next(iter(server.sockets)).getsockname()[1]


@pytest.fixture
def peer_loop() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.stop()


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ocpp-toolkit")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_station_command_against_ocpp_csms(version: str, peer_loop: LoopThread,
                                           tmp_path: Path) -> None:
    seen: list[str] = []
    server, port = peer_loop.run(_start_csms(version, seen))
    jsonl = tmp_path / "log.jsonl"
    args = _parse(["station", f"ws://127.0.0.1:{port}/ocpp", "--version", version,
                   "--count", "2", "--meter-interval", "0", "--quiet", "--jsonl", str(jsonl)])
    try:
        assert args.func(args) == 0
    finally:
        server.close()
        peer_loop.run(server.wait_closed())
    if version == "1.6":
        session = ["Authorize", "StartTransaction", "MeterValues", "MeterValues",
                   "StopTransaction"]
    else:
        session = ["Authorize", "TransactionEvent.Started", "TransactionEvent.Updated",
                   "TransactionEvent.Updated", "TransactionEvent.Ended"]
    assert seen.count("BootNotification") == 2
    for action in session:
        assert seen.count(action) == 2 * session.count(action)
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert {r["station"] for r in records} == {"CS-SIM-1", "CS-SIM-2"}
    assert not [r for r in records if r["type"] == "error"]


@contextlib.contextmanager
def _csms_in_thread(csms: CsmsSimulator) -> Iterator[int]:
    """Run the CSMS simulator under trio in a thread; yields its port."""
    ports: queue.Queue[int] = queue.Queue()
    stop = threading.Event()

    async def main() -> None:
        async with csms.run():
            assert csms.server is not None
            ports.put(csms.server.port)
            while not stop.is_set():
                await trio.sleep(0.02)

    thread = threading.Thread(target=trio.run, args=(main,), daemon=True)
    thread.start()
    try:
        yield ports.get(timeout=10)
    finally:
        stop.set()
        thread.join(10)


async def _ocpp_station_16(port: int) -> list[Any]:
    async with websockets.connect(f"ws://127.0.0.1:{port}/ocpp/PY-1",
                                  subprotocols=["ocpp1.6"]) as ws:
        cp = Cp16("PY-1", ws)
        runner = asyncio.ensure_future(cp.start())
        try:
            boot = await cp.call(call16.BootNotification(charge_point_model="M",
                                                         charge_point_vendor="V"))
            auth = await cp.call(call16.Authorize(id_tag="GOOD"))
            start = await cp.call(call16.StartTransaction(
                connector_id=1, id_tag="GOOD", meter_start=0, timestamp=NOW))
            await cp.call(call16.MeterValues(connector_id=1, transaction_id=start.transaction_id,
                                             meter_value=[{"timestamp": NOW, "sampled_value": [
                                                 {"value": "10"}]}]))
            stop = await cp.call(call16.StopTransaction(
                transaction_id=start.transaction_id, meter_stop=10, timestamp=NOW,
                id_tag="BAD"))
            return [boot.status, auth.id_tag_info["status"], start.id_tag_info["status"],
                    stop.id_tag_info["status"]]
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)


async def _ocpp_station_201(port: int) -> list[Any]:
    async with websockets.connect(f"ws://127.0.0.1:{port}/ocpp/PY-1",
                                  subprotocols=["ocpp2.0.1"]) as ws:
        cp = Cp201("PY-1", ws)
        runner = asyncio.ensure_future(cp.start())
        token = {"id_token": "GOOD", "type": "ISO14443"}
        try:
            boot = await cp.call(call201.BootNotification(
                charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"))
            auth = await cp.call(call201.Authorize(id_token=token))
            out = [boot.status, auth.id_token_info["status"]]
            for seq, kind in enumerate(["Started", "Updated", "Ended"]):
                ev = await cp.call(call201.TransactionEvent(
                    event_type=kind, timestamp=NOW, trigger_reason="Authorized", seq_no=seq,
                    transaction_info={"transaction_id": "T-1"},
                    id_token=token if kind == "Started" else
                    {"id_token": "BAD", "type": "ISO14443"}))
                out.append(ev.id_token_info["status"])
            return out
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_ocpp_station_against_csms_simulator(version: str) -> None:
    log = MessageLog()
    log.keep = True
    csms = CsmsSimulator(AuthPolicy(mode="allow-list", allowed=frozenset({"GOOD"})), log)
    with _csms_in_thread(csms) as port:
        script = _ocpp_station_16 if version == "1.6" else _ocpp_station_201
        statuses = asyncio.run(asyncio.wait_for(script(port), 15))
    if version == "1.6":
        assert statuses == ["Accepted", "Accepted", "Accepted", "Invalid"]
    else:
        assert statuses == ["Accepted", "Accepted", "Accepted", "Invalid", "Invalid"]
    assert csms.completed["PY-1"] and not csms.transactions["PY-1"]
    assert not [r for r in log.records if r["type"] == "error"]
