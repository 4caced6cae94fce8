"""CSMS scenario files run by ``CsmsSimulator`` against ``SimStation`` over 127.0.0.1: generic
calls on every (version, transport) cell, version actions with targets and versions,
``$transaction``, timing, and the outcomes of calls that fail."""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import trio

from ocpp_sansio.version import Version
from ocpp_trio import ReconnectPolicy
from ocpp_trio.sim import CsmsSimulator, MessageLog, SimStation, StationOptions
from ocpp_trio.sim.csms import ScenarioOutcome
from ocpp_trio.sim.scenario_file import CsmsScenario, StationScenario, load_scenario, loads_scenario

SCENARIOS = Path(__file__).parent / "scenarios"
CELLS = [("1.5", "json"), ("1.5", "soap"), ("1.6", "json"), ("1.6", "soap"),
         ("2.0.1", "json"), ("2.1", "json")]
IDS = [f"{v}-{'J' if t == 'json' else 'S'}" for v, t in CELLS]
FAST = ReconnectPolicy(min_backoff=0.05, max_backoff=0.2, jitter=0.05)


def options(port: int, version: str, transport: str = "json", **kw: Any) -> StationOptions:
    scheme = "ws" if transport == "json" else "http"
    return StationOptions(url=f"{scheme}://127.0.0.1:{port}/ocpp",
                          station_id=kw.pop("id", "CS-1"), version=Version(version),
                          transport=transport, reconnect=FAST, **kw)


def csms_scenario(path: Path | str, text: str | None = None) -> CsmsScenario:
    scenario = (load_scenario(path) if text is None
                else loads_scenario(text, file=str(path), fmt="yaml"))
    assert isinstance(scenario, CsmsScenario)
    return scenario


def run(body: Callable[[], Awaitable[None]], limit: float = 20) -> None:
    async def limited() -> None:
        with trio.fail_after(limit):
            await body()

    trio.run(limited)


def outcomes_of(csms: CsmsSimulator, station: str) -> list[ScenarioOutcome]:
    return [o for o in csms.outcomes if o.station == station]


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await trio.sleep(0.01)


@pytest.mark.parametrize(("version", "transport"), CELLS, ids=IDS)
def test_remote_start_and_stop_on_every_cell(version: str, transport: str) -> None:
    """One CSMS file (generic calls) and one station file drive a remote charge anywhere."""
    seen: list[str] = []
    csms = CsmsSimulator(scenario=csms_scenario(SCENARIOS / "remote-csms.toml"),
                         on_outcome=lambda o: seen.append(o.describe()))
    station_scenario = load_scenario(SCENARIOS / "remote.yaml")
    assert isinstance(station_scenario, StationScenario)

    async def body() -> None:
        async with csms.run() as server:
            station = SimStation(options(server.port, version, transport))
            await station.run(station_scenario)
            assert len(station.completed) == 1
            await until(lambda: len(csms.outcomes) == 3)

    run(body)
    got = outcomes_of(csms, "CS-1")
    assert [o.call.label for o in got] == ["GetConfiguration", "RequestStartTransaction",
                                           "RequestStopTransaction"]
    assert all(o.ok for o in got), [o.detail for o in got]
    assert '"value":"300"' in got[0].detail  # the station's kept HeartbeatInterval
    assert len(seen) == 3 and seen[1].startswith("calls[1] (RequestStartTransaction) CS-1: ok")
    assert csms.completed["CS-1"] and not csms.transactions["CS-1"]


def test_actions_targets_versions_and_first_boot_only() -> None:
    """Version actions reach the stations of their version; the scenario runs once per
    station even though its Reset makes the station boot again."""
    log = MessageLog()
    log.keep = True
    csms = CsmsSimulator(log=log, scenario=csms_scenario(SCENARIOS / "actions-csms.yaml"))
    stations: dict[str, SimStation] = {}

    async def body() -> None:
        async with csms.run() as server:
            async def one(station_id: str, version: str) -> None:
                station = SimStation(options(server.port, version, id=station_id))
                stations[station_id] = station

                async def wait(s: SimStation) -> None:
                    await until(lambda: len(outcomes_of(csms, station_id)) == 2
                                and s.boots >= 2)

                await station.run(wait)

            async with trio.open_nursery() as nursery:
                nursery.start_soon(one, "CS-16", "1.6")
                nursery.start_soon(one, "CS-201", "2.0.1")

    run(body)
    for station_id, first in (("CS-16", "ChangeConfiguration"), ("CS-201", "SetVariables")):
        got = outcomes_of(csms, station_id)
        assert [o.call.label for o in got] == [first, "Reset"]
        assert all(o.ok for o in got), [o.detail for o in got]
        assert stations[station_id].boots == 2
    sent = [(r["station"], r["action"]) for r in log.records
            if r["from"] == "CSMS" and r["type"] == "call"]
    assert ("CS-16", "ChangeConfiguration") in sent and ("CS-201", "SetVariables") in sent
    assert ("CS-16", "SetVariables") not in sent and ("CS-201", "ChangeConfiguration") not in sent
    assert sent.count(("CS-16", "Reset")) == 1 and sent.count(("CS-201", "Reset")) == 1


FAILING = """\
kind: csms
calls:
  - operation: ClearCache
  - operation: RequestStartTransaction
    request: {id_token: {value: T}}
  - operation: RequestStopTransaction
    request: {transaction_id: $transaction}
  - operation: TriggerMessage
    request: {requested_message: Heartbeat}
    expect: Rejected
  - operation: UnlockConnector
    since: boot
    after: 0.2
    request: {evse_id: 1}
    timeout: 0.5
"""


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_failed_calls_are_reported_and_do_not_stop_the_others(version: str) -> None:
    csms = CsmsSimulator(scenario=csms_scenario("fail.yaml", FAILING))

    async def body() -> None:
        async with csms.run() as server:
            station = SimStation(options(server.port, version))

            async def wait(s: SimStation) -> None:
                await until(lambda: len(csms.outcomes) == 5)

            await station.run(wait)

    run(body)
    clear, start, stop, trigger, unlock = csms.outcomes
    assert not clear.ok and clear.detail.startswith("CALLERROR NotSupported")
    if version == "1.6":  # the id tag is enough for 1.x: the station starts a transaction
        assert start.ok
    else:  # 2.0.1 requires remoteStartId: nothing is sent
        assert not start.ok and "not expressible in OCPP 2.0.1" in start.detail
        assert not stop.ok and "no transaction is open on CS-1" in stop.detail
    assert not trigger.ok and trigger.detail == "expected status Rejected, got Accepted"
    assert not unlock.ok  # not simulated by the station: NotSupported
    assert unlock.describe(csms.scenario).startswith("fail.yaml:11: calls[4] (UnlockConnector)")


def test_since_boot_and_after_are_honoured() -> None:
    text = ("calls:\n  - operation: ClearCache\n    since: boot\n    after: 0.3\n"
            "  - operation: ClearCache\n    after: 0.2\n")
    times: list[float] = []
    csms = CsmsSimulator(scenario=csms_scenario("t.yaml", text),
                         on_outcome=lambda o: times.append(trio.current_time()))

    async def body() -> None:
        async with csms.run() as server:
            start = trio.current_time()
            station = SimStation(options(server.port, "1.6"))

            async def wait(s: SimStation) -> None:
                await until(lambda: len(times) == 2)

            await station.run(wait)
            assert 0.3 <= times[0] - start < 1.5
            assert 0.2 <= times[1] - times[0] < 1.0

    run(body)
