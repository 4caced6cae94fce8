"""The station simulator's transaction messages go through the outbox (OCPP 1.6 section 3.7,
2.0.1 E12): queued while the CSMS is away, and, with SQLite storage, still queued after the
station process is killed with SIGKILL: the restarted station delivers every unacknowledged
message once, in order, and sends nothing that was acknowledged again. 1.6 transactions
started offline carry the outbox's placeholder id until the CSMS assigns the real one."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import trio

from ocpp_sansio import generic as g
from ocpp_sansio.version import Version
from ocpp_trio import ReconnectPolicy
from ocpp_trio.sim import CsmsSimulator, MessageLog, SimStation, StationOptions

ROOT = Path(__file__).resolve().parents[2]
FAST = ReconnectPolicy(min_backoff=0.05, max_backoff=0.2, jitter=0.05)

# The killed station: boots against the CSMS, charges a first transaction to the end (every
# message acknowledged), then the CSMS goes away; a second transaction is started, metered
# and stopped offline (three messages queued in the outbox file); then it waits to be killed.
KILLED = """
import sys, trio
from ocpp_trio import ReconnectPolicy
from ocpp_trio.sim import SimStation, StationOptions

port, version, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]

async def scenario(station):
    assert await station.start_transaction(1, "T1")
    await station.meter(1)
    await station.stop_transaction(1)
    print("ACKED", flush=True)
    await trio.to_thread.run_sync(sys.stdin.readline)  # the CSMS is stopped now
    while station.outbox.online:  # until the station has noticed the link is gone
        await trio.sleep(0.01)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(station.start_transaction, 1, "T2")
        await trio.sleep(0.1)
        nursery.start_soon(station.meter, 1)
        await trio.sleep(0.1)
        nursery.start_soon(station.stop_transaction, 1)
        while len(station.outbox.queued) < 3:
            await trio.sleep(0.01)
        print("QUEUED", flush=True)
        await trio.sleep_forever()

options = StationOptions(url=f"ws://127.0.0.1:{port}/ocpp", station_id="CS-K", version=version,
                         reconnect=ReconnectPolicy(min_backoff=5, jitter=0), outbox=path)
trio.run(SimStation(options).run, scenario)
"""


def keep() -> MessageLog:
    log = MessageLog()
    log.keep = True
    return log


def tx_messages(log: MessageLog) -> list[dict[str, Any]]:
    return [r for r in log.records if r["type"] == "call" and r["action"] in (
        "StartTransaction", "MeterValues", "StopTransaction", "TransactionEvent")]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_sigkill_resumes_queued_messages(version: str, tmp_path: Path) -> None:
    path = str(tmp_path / "CS-K.outbox.sqlite3")
    first, second = keep(), keep()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    async def body() -> None:
        with trio.fail_after(30):
            csms1 = CsmsSimulator(log=first)
            async with csms1.run() as server:
                port = server.port
                proc = await trio.lowlevel.open_process(
                    [sys.executable, "-c", KILLED, str(port), version, path],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
                assert proc.stdout is not None and proc.stdin is not None
                out = b""
                while b"ACKED" not in out:
                    out += await proc.stdout.receive_some()
            await proc.stdin.send_all(b"go\n")  # csms1 is stopped
            while b"QUEUED" not in out:
                out += await proc.stdout.receive_some()
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            await proc.stdin.aclose()
            await proc.stdout.aclose()

            csms2 = CsmsSimulator(log=second)
            async with csms2.run(port=port):
                station = SimStation(StationOptions(
                    url=f"ws://127.0.0.1:{port}/ocpp", station_id="CS-K",
                    version=Version(version), reconnect=FAST, outbox=path))
                await station.run(lambda st: st.outbox_driver.drained())
                assert station.outbox.queued == ()
                assert station.outbox_driver.stats.resumed == 3
                station.outbox.storage.close()
            assert len(csms2.completed["CS-K"]) == 1

    trio.run(body)
    before, after = tx_messages(first), tx_messages(second)
    assert len(before) == 3  # the first transaction, acknowledged
    assert [m["action"] for m in after] == [m["action"] for m in before]  # nothing twice
    if version == "1.6":
        start, meter, stop = (m["payload"] for m in after)
        assert start["idTag"] == "T2"
        # queued with the placeholder id, sent with the id the CSMS assigned
        assert meter["transactionId"] == stop["transactionId"] > 0
    else:
        events = [m["payload"] for m in after]
        assert [(e["eventType"], e["seqNo"], e.get("offline")) for e in events] == [
            ("Started", 0, True), ("Updated", 1, True), ("Ended", 2, True)]
        assert len({e["transactionInfo"]["transactionId"] for e in events}) == 1


def test_offline_messages_wait_and_keep_order() -> None:
    """2.0.1: an event made while the CSMS is away goes out after the reconnect flagged
    ``offline`` (E12), the next ones (made online) in order after it, and the station's own
    calls still work afterwards."""
    first, second = keep(), keep()
    down, back = trio.Event(), trio.Event()

    async def scenario(station: SimStation) -> None:
        assert await station.start_transaction(1, "T1")
        await down.wait()
        await station.meter(1)
        await station.meter(1)
        await station.stop_transaction(1)
        assert isinstance(await station.heartbeat(), g.HeartbeatResponse)
        back.set()

    async def body() -> None:
        with trio.fail_after(20):
            async with trio.open_nursery() as nursery:
                csms1 = CsmsSimulator(log=first)
                async with csms1.run() as server:
                    port = server.port
                    station = SimStation(StationOptions(
                        url=f"ws://127.0.0.1:{port}/ocpp", station_id="CS-1",
                        version=Version.V201, reconnect=FAST))
                    nursery.start_soon(station.run, scenario)
                    while station.connectors[1].transaction is None:
                        await trio.sleep(0.01)
                down.set()
                await trio.sleep(0.3)
                async with CsmsSimulator(log=second).run(port=port):
                    await back.wait()

    trio.run(body)
    events = [m["payload"] for m in tx_messages(second)]
    assert [(e["eventType"], e["seqNo"], e.get("offline")) for e in events] == [
        ("Updated", 1, True), ("Updated", 2, None), ("Ended", 3, None)]
