"""Fault injection over real sockets on 127.0.0.1, for OCPP 1.6-J and 2.0.1-J.

A station process (``station_proc``: ``ocpp_trio.connect`` + ``OutboxDriver`` + SQLite outbox)
runs transactions against a CSMS process (``csms_proc``, which fsyncs every transaction message
it receives before answering), directly or through a :class:`~tests.faults.proxy.Proxy`. Each
test injects one kind of fault several times, lets the station finish, and checks at the CSMS
(:func:`tests.faults._txn.analyse`) that every message the station enqueued arrived, in order,
none lost, duplicates only of the message in flight at the fault and identical to it (OCPP 1.6
section 3.7 / 2.0.1 E: delivery is at least once), and that 1.6 MeterValues / StopTransaction
carry the real transaction id. Each prints a ``FAULT-SUMMARY`` line (run with ``-s``).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ._harness import CsmsProcess, StationProcess, report, wait_for
from ._txn import analyse, index_of
from .proxy import Proxy

VERSIONS = ["1.6", "2.0.1"]
METERS = 4
TRANSACTIONS = 4
TOTAL = TRANSACTIONS * (METERS + 2)
#: generous bounds: a hung run fails instead of blocking CI; a normal run takes seconds
FINISH = 60.0
REACH = 30.0


def station_config(port: int, version: str, **over: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "url": f"ws://127.0.0.1:{port}", "version": version, "meters": METERS, "total": TOTAL,
        "interval": 0.03, "timeout": 5.0, "retry_interval": 0.1,
    }
    config.update(over)
    return config


def received(csms: CsmsProcess) -> int:
    return len(csms.records())


def links(station: StationProcess) -> int:
    """How many connections the station has established (and booted on) so far."""
    return sum(1 for e in station.entries() if e["e"] == "link")


def reached(csms: CsmsProcess, count: int) -> Callable[[], bool]:
    """Whether the CSMS has recorded ``count`` messages."""
    return lambda: received(csms) >= count


def finish(
    fault: str, version: str, station: StationProcess, csms: CsmsProcess, started: float,
    **extra: Any,
) -> dict[str, Any]:
    """Wait for the station to drain, check what the CSMS received, report the counts."""
    station.wait_done(FINISH)
    entries = station.entries()
    enqueued = {e["n"] for e in entries if e["e"] == "enq"}
    assert enqueued == set(range(TOTAL)), "the station did not enqueue every message"
    assert not [e for e in entries if e["e"] == "drop"], "a message was dropped"
    sends = [e for e in entries if e["e"] == "send"]
    records = csms.records()
    counts = analyse(version, METERS, enqueued, records)
    # a message reached the CSMS at most as often as the station handed it to a connection
    sent_per = collections.Counter(e["n"] for e in sends)
    got_per = collections.Counter(index_of(r["action"], r["payload"]) for r in records)
    for n, got in got_per.items():
        assert got <= sent_per[n], f"message {n}: received {got}x, sent {sent_per[n]}x"
    summary = {
        "enqueued": counts["enqueued"],
        "sent": len(sends),
        "retransmissions": sum(1 for e in sends if e["transmission"] > 1),
        "received": counts["received"],
        "duplicates": counts["duplicates"],
        **extra,
        "links": links(station),
        "seconds": round(time.monotonic() - started, 1),
    }
    report(fault, version, summary)
    return summary


@pytest.fixture
def csms(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    # The kill tests answer 100 ms after recording, so that a kill right after a record
    # always finds that message in flight (recorded, not acknowledged); the cut test, so that
    # the station is still sending when each cut comes (24 messages take >= 2.4 s).
    delay = 0.1 if "killed" in request.node.name or "cut" in request.node.name else 0.0
    proc = CsmsProcess(tmp_path / "csms.jsonl", answer_delay=delay)
    proc.start()
    yield proc
    proc.stop()


@pytest.mark.parametrize("version", VERSIONS)
def test_csms_killed_and_restarted(version: str, tmp_path: Path, csms: CsmsProcess) -> None:
    """The CSMS process is SIGKILLed mid-transaction and restarted on the same port, 3 times."""
    started = time.monotonic()
    station = StationProcess(tmp_path, **station_config(csms.port, version))
    station.start()
    try:
        for at in (5, 11, 17):
            wait_for(reached(csms, at), REACH, f"{at} messages at the CSMS")
            csms.kill()
            time.sleep(0.2)  # the outage: the station's reconnects are refused meanwhile
            csms.start()
        summary = finish("csms-killed-restarted", version, station, csms, started,
                         csms_kills=csms.kills)
    finally:
        station.stop()
    assert summary["links"] >= 4
    assert summary["duplicates"] >= 1


@pytest.mark.parametrize("version", VERSIONS)
def test_link_cut(version: str, tmp_path: Path, csms: CsmsProcess) -> None:
    """The proxy cuts the link (RST both ways) 5 times; once it also refuses new connections
    for half a second."""
    started = time.monotonic()
    with Proxy(csms.port) as proxy:
        station = StationProcess(tmp_path, **station_config(proxy.port, version))
        station.start()
        try:
            for i, at in enumerate((4, 8, 12, 16, 20)):
                wait_for(reached(csms, at), REACH, f"{at} messages")
                # cut an established link (one more than the cuts so far), not a connection
                # still in its handshake: then every cut costs exactly one reconnect
                wait_for(lambda i=i: links(station) == i + 1 and proxy.open_connections > 0,
                         REACH, "a link to cut")
                if i == 2:
                    proxy.refuse(0.5)
                proxy.cut()
            summary = finish("link-cut", version, station, csms, started, cuts=proxy.cuts,
                             refused=proxy.refused)
            assert summary["links"] == 6
        finally:
            station.stop()
    assert proxy.cuts == 5


@pytest.mark.parametrize("version", VERSIONS)
def test_link_delayed(version: str, tmp_path: Path, csms: CsmsProcess) -> None:
    """The proxy delays every byte by 300 ms each way while the CALL timeout is 450 ms: calls
    time out and are retransmitted (the late answers are ignored), until the delay ends."""
    started = time.monotonic()
    with Proxy(csms.port) as proxy:
        station = StationProcess(tmp_path, **station_config(proxy.port, version, timeout=0.45))
        station.start()
        try:
            wait_for(lambda: received(csms) >= 4, REACH, "4 messages")
            proxy.delay = 0.3

            def retransmitted() -> int:
                return sum(1 for e in station.entries()
                           if e["e"] == "send" and e["transmission"] > 1)

            wait_for(lambda: retransmitted() >= 4, REACH, "4 retransmissions")
            proxy.delay = 0.0
            summary = finish("link-delayed-300ms", version, station, csms, started,
                             delay_ms=300, timeout_ms=450)
        finally:
            station.stop()
    assert summary["retransmissions"] >= 4
    assert summary["duplicates"] >= 1  # a timed-out CALL did reach the CSMS


@pytest.mark.parametrize("version", VERSIONS)
def test_station_killed(version: str, tmp_path: Path, csms: CsmsProcess) -> None:
    """The station process is SIGKILLed mid-transaction 4 times and restarted on its files."""
    started = time.monotonic()
    station = StationProcess(tmp_path, **station_config(csms.port, version))
    station.start()
    try:
        for at in (3, 8, 13, 19):
            wait_for(reached(csms, at), REACH, f"{at} messages")
            station.kill()
            station.start()
        summary = finish("station-sigkilled", version, station, csms, started,
                         station_kills=station.kills)
    finally:
        station.stop()
    assert station.kills == 4
    assert summary["duplicates"] >= 1
