"""Scenario files: loading TOML and YAML into typed steps, errors naming file, line and field,
the TOML line scanner (a Hypothesis property), the examples of docs/simulators.md, and station
scenarios run by ``SimStation`` against ``CsmsSimulator`` over 127.0.0.1."""

import re
from pathlib import Path
from typing import Any

import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_sansio.generic import GetConfigurationRequest, RequestStartTransactionRequest
from ocpp_sansio.version import Version
from ocpp_trio.sim import AuthPolicy, CsmsSimulator, MessageLog, SimStation, StationOptions
from ocpp_trio.sim.scenario_file import (
    Authorize,
    CsmsScenario,
    Heartbeat,
    Repeat,
    ScenarioError,
    ScenarioFailed,
    StationScenario,
    iter_steps,
    load_scenario,
    loads_scenario,
    toml_lines,
)

HERE = Path(__file__).parent
SCENARIOS = HERE / "scenarios"
DOCS = HERE.parent.parent / "docs" / "simulators.md"


def problems(text: str, fmt: str = "toml", **kw: Any) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        loads_scenario(text, file="f." + fmt, fmt=fmt, **kw)
    return str(err.value).splitlines()


# -- loading ------------------------------------------------------------------------------------


def test_example_files_load() -> None:
    charge = load_scenario(SCENARIOS / "charge.toml")
    assert isinstance(charge, StationScenario)
    assert charge.name == "charge"
    assert isinstance(charge.steps[0], Heartbeat) and charge.steps[0].line == 6
    assert charge.steps[1] == Authorize(expect="Accepted")
    repeat = charge.steps[3]
    assert isinstance(repeat, Repeat) and repeat.times == 2
    assert [s.where for s in repeat.steps] == ["steps[3].steps[0]", "steps[3].steps[1]"]
    assert [s.line for s in repeat.steps] == [21, 22]
    assert len(list(iter_steps(charge.steps))) == len(charge.steps) + 2

    remote = load_scenario(SCENARIOS / "remote.yaml", kind="station")
    assert isinstance(remote, StationScenario) and [s.line for s in remote.steps] == [5, 8, 10]

    csms = load_scenario(SCENARIOS / "remote-csms.toml")
    assert isinstance(csms, CsmsScenario)
    get, start, stop = csms.calls
    # a 1.x key name is completed with its 2.0.1 variable, so the file serves every version
    assert isinstance(get.request, GetConfigurationRequest)
    assert get.request.keys[0].variable is not None
    assert isinstance(start.request, RequestStartTransactionRequest)
    assert start.request.id_token.value == "TAG-1" and start.line == 9
    assert stop.since == "transaction" and stop.request.transaction_id == "$transaction"

    actions = load_scenario(SCENARIOS / "actions-csms.yaml", kind="csms")
    assert isinstance(actions, CsmsScenario)
    assert actions.calls[0].targets == ("CS-16",) and actions.calls[0].version is Version.V16
    assert actions.calls[2].targets is None
    assert [c.label for c in actions.calls_for("CS-16", Version.V16)] == [
        "ChangeConfiguration", "Reset"]
    assert [c.label for c in actions.calls_for("CS-201", Version.V201)] == [
        "SetVariables", "Reset"]


def test_kind_is_inferred_and_checked() -> None:
    assert isinstance(loads_scenario('[[calls]]\noperation = "ClearCache"\n'), CsmsScenario)
    assert isinstance(loads_scenario('[[steps]]\ndo = "heartbeat"\n'), StationScenario)
    assert problems('[[steps]]\ndo = "heartbeat"\n', kind="csms") == [
        "f.toml: (top level): a station scenario, where a csms scenario is needed"]
    assert problems('kind = "csms"\n[[steps]]\ndo = "heartbeat"\n') == [
        "f.toml:2: steps: unknown key; expected one of: kind, name, description, calls",
        "f.toml: (top level): missing required key 'calls'"]


TOML_ERRORS = [
    ('[[steps]]\ndo = "start"\nconnector = "one"\n',
     ['f.toml:3: steps[0].connector: expected an integer >= 1, got "one"']),
    ('[[steps]]\ndo = "meter"\nintervl = 1\n',
     ["f.toml:3: steps[0].intervl: unknown key (did you mean 'interval'?); "
      "expected one of: do, connector, count, interval"]),
    ('[[steps]]\ndo = "heartbeat"\n\n[[steps]]\ndo = "jump"\n',
     ['f.toml:5: steps[1].do: expected one of authorize, start, meter, stop, heartbeat, '
      'status, wait, wait-for, data-transfer, call, repeat; got "jump"']),
    ('[[steps]]\ndo = "wait"\n',
     ["f.toml:1: steps[0]: missing required key 'seconds'"]),
    ('steps = [\n  { do = "heartbeat" },\n  { do = "wait", seconds = -1 },\n]\n',
     ["f.toml:3: steps[1].seconds: expected a number >= 0 (seconds), got -1"]),
    ('[[steps]]\ndo = "repeat"\ntimes = 0\nsteps = [\n  { do = "stop", reason = "Tired" },\n]\n',
     ["f.toml:3: steps[0].times: expected an integer >= 1, got 0",
      'f.toml:5: steps[0].steps[0].reason: expected one of DeAuthorized, EmergencyStop, '
      'EnergyLimitReached, EVDisconnected, GroundFault, ImmediateReset, Local, '
      'LocalOutOfCredit, MasterPass, Other, OvercurrentFault, PowerLoss, ...; got "Tired"']),
    ('[[steps]]\ndo = "call"\nversion = "1.6"\naction = "MeterValues"\n'
     'payload = { connectorId = 1, meterValue = [{ timestamp = "x", sampledValue = [] }] }\n',
     ["f.toml:5: steps[0].payload.meterValue[0].timestamp: not a valid MeterValues request "
      "of OCPP 1.6: MeterValues request (1.6): $.meterValue[0].timestamp must be date-time"]),
    ('[[steps]]\ndo = "call"\naction = "Reset"\npayload = {}\n',
     ['f.toml:3: steps[0].action: "Reset" is not an action a station sends in any version']),
    ('[[calls]]\noperation = "Reset"\n[calls.request]\nhard = "yes"\nevse = 1\n',
     ['f.toml:4: calls[0].request.hard: expected true or false, got "yes"',
      "f.toml:5: calls[0].request.evse: unknown key (did you mean 'evse_id'?); "
      "expected one of: type, hard, evse_id"]),
    ('[[calls]]\noperation = "RequestStartTransaction"\nrequest = { evse_id = 1 }\n',
     ["f.toml:3: calls[0].request: missing required key 'id_token'"]),
    ('[[calls]]\noperation = "Authorize"\n',
     ['f.toml:2: calls[0].operation: expected one of RequestStartTransaction, '
      'RequestStopTransaction, Reset, ChangeAvailability, UnlockConnector, GetConfiguration, '
      'SetConfiguration, TriggerMessage, DataTransfer, UpdateFirmware, GetLog, ReserveNow, '
      '...; got "Authorize"']),
    ('[[calls]]\noperation = "Reset"\naction = "Reset"\n',
     ["f.toml:1: calls[0]: give either 'operation' (with 'request') or 'action' and "
      "'payload'"]),
    ('[[calls]]\ntarget = []\nafter = "soon"\noperation = "ClearCache"\n',
     ['f.toml:2: calls[0].target: expected a station id, a list of station ids or "*", '
      "got a list",
      'f.toml:3: calls[0].after: expected a number >= 0 (seconds), got "soon"']),
    ('[[calls]]\noperation = "GetConfiguration"\nrequest = { keys = [{}] }\n',
     ["f.toml:3: calls[0].request.keys[0]: not a valid ConfigKey: a ConfigKey needs a 1.x "
      "name, a 2.0.1 variable, or both"]),
    ('[[calls]]\noperation = "UpdateFirmware"\n'
     'request = { location = "https://x", retrieve_date_time = "tomorrow" }\n',
     ['f.toml:3: calls[0].request.retrieve_date_time: expected a date-time (RFC 3339), '
      'got "tomorrow"']),
    ('[[steps]]\ndo = "heartbeat"\n[[steps]\n',
     ["f.toml:3: syntax: invalid TOML: Expected ']]' at the end of an array declaration"]),
]


@pytest.mark.parametrize(("text", "expected"), TOML_ERRORS)
def test_toml_errors_name_line_and_field(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


YAML_ERRORS = [
    ("steps:\n  - do: start\n    connector: one\n",
     ['f.yaml:3: steps[0].connector: expected an integer >= 1, got "one"']),
    ("steps:\n  - do: heartbeat\n  - do: heartbeat\n    extra: 1\n",
     ["f.yaml:4: steps[1].extra: unknown key; expected one of: do"]),
    ("calls:\n  - operation: ChangeAvailability\n    request:\n"
     "      operational_status: Broken\n",
     ["f.yaml:4: calls[0].request.operational_status: expected one of Inoperative, "
      'Operative; got "Broken"']),
    ("calls:\n  - action: GetConfiguration\n    version: '1.6'\n    payload: {key: [1]}\n",
     ["f.yaml:4: calls[0].payload.key[0]: not a valid GetConfiguration request of OCPP 1.6: "
      "GetConfiguration request (1.6): $.key[0] must be string"]),
    ("steps:\n  - do: heartbeat\nsteps: []\n",
     ["f.yaml:3: steps: duplicate key",
      "f.yaml:3: steps: expected a non-empty list of steps, got a list"]),
    ("steps:\n  - do: [heartbeat\n",
     ["f.yaml:3: syntax: invalid YAML: expected ',' or ']', but got '<stream end>'"]),
    ("- 1\n", ["f.yaml: (top level): expected a table with 'steps' or 'calls'"]),
]


@pytest.mark.parametrize(("text", "expected"), YAML_ERRORS)
def test_yaml_errors_name_line_and_field(text: str, expected: list[str]) -> None:
    assert problems(text, "yaml") == expected


def test_file_errors(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ScenarioError, match=r"expected a \.toml, \.yaml or \.yml file"):
        load_scenario(tmp_path / "x.json")
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.toml")
    (tmp_path / "bad.yml").write_text("steps:\n  - do: wait\n    seconds: x\n")
    with pytest.raises(ScenarioError, match=r"^bad\.yml:3: steps\[0\]\.seconds: "):
        load_scenario(tmp_path / "bad.yml")


# -- the TOML line scanner ----------------------------------------------------------------------

_key = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)
_scalar = st.one_of(st.integers(-10, 10), st.booleans(),
                    st.text("ab\"\\ '#=[]{},.\n", max_size=8))


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Writer:
    """Writes a document of tables, arrays of tables, inline tables and multi-line arrays,
    recording the line where each path is written."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.expected: dict[tuple[Any, ...], int] = {}

    def add(self, text: str, path: tuple[Any, ...] | None = None) -> None:
        self.lines.append(text)
        if path is not None:
            self.expected[path] = len(self.lines)

    def inline(self, value: Any) -> str:
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{k} = {self.inline(v)}" for k, v in value.items()) + " }"
        if isinstance(value, list):
            return "[" + ", ".join(self.inline(v) for v in value) + "]"
        return _toml_scalar(value)


_inline_value = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_key, inner, max_size=3)), max_leaves=6)


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, dict[tuple[Any, ...], int]]:
    w = _Writer()
    top = draw(st.dictionaries(_key, _inline_value, max_size=3))
    for k, v in top.items():
        w.add(f"{k} = {w.inline(v)}  # comment", (k,))
    arrays = draw(st.lists(st.tuples(_key, st.lists(
        st.dictionaries(_key, _inline_value, max_size=3), min_size=1, max_size=3)),
        max_size=2, unique_by=lambda t: t[0]))
    for name, tables in arrays:
        if name in top:
            continue
        for index, table in enumerate(tables):
            w.add("")
            w.add(f"[[{name}]]", (name, index))
            for k, v in table.items():
                if isinstance(v, list) and v:
                    w.add(f"{k} = [", (name, index, k))
                    for i, item in enumerate(v):
                        w.add(f"  {w.inline(item)},", (name, index, k, i))
                    w.add("]")
                else:
                    w.add(f'{k} = {w.inline(v)}', (name, index, k))
    return "\n".join(w.lines) + "\n", w.expected


@settings(max_examples=150, deadline=None)
@given(_documents())
def test_toml_lines_finds_every_written_path(doc: tuple[str, dict[tuple[Any, ...], int]]) -> None:
    text, expected = doc
    found = toml_lines(text)
    for path, line in expected.items():
        assert found.get(path) == line, (path, text)


# -- the documentation examples -----------------------------------------------------------------


def doc_blocks() -> list[tuple[str, str, int]]:
    text = DOCS.read_text(encoding="utf-8")
    return [(m.group(1), m.group(2), text[:m.start()].count("\n") + 1)
            for m in re.finditer(r"^```(toml|yaml)\n(.*?)^```$", text, re.M | re.S)]


def test_docs_have_both_kinds_of_example() -> None:
    blocks = doc_blocks()
    kinds = {type(loads_scenario(body, fmt=fmt)).__name__ for fmt, body, _ in blocks}
    assert kinds == {"StationScenario", "CsmsScenario"}


@pytest.mark.parametrize(("fmt", "body", "line"), doc_blocks(),
                         ids=[f"{f}-line{n}" for f, _, n in doc_blocks()])
def test_docs_example_loads(fmt: str, body: str, line: int) -> None:
    loads_scenario(body, file=f"simulators.md:{line}", fmt=fmt)


# -- running station scenarios ------------------------------------------------------------------


def run_station(scenario: StationScenario, version: Version, policy: AuthPolicy | None = None,
                ) -> tuple[CsmsSimulator, SimStation, MessageLog]:
    log = MessageLog()  # the station's messages only
    log.keep = True
    csms = CsmsSimulator(policy)
    holder: dict[str, SimStation] = {}

    async def body() -> None:
        with trio.fail_after(20):
            async with csms.run() as server:
                station = SimStation(StationOptions(
                    url=f"ws://127.0.0.1:{server.port}/ocpp", station_id="CS-1",
                    version=version), log)
                holder["station"] = station
                await station.run(scenario)

    trio.run(body)
    return csms, holder["station"], log


@pytest.mark.parametrize("version", [Version.V16, Version.V201])
def test_station_scenario_runs(version: Version) -> None:
    scenario = load_scenario(SCENARIOS / "charge.toml", kind="station")
    assert isinstance(scenario, StationScenario)
    csms, station, log = run_station(scenario, version)
    assert len(station.completed) == 1 and csms.completed["CS-1"] == station.completed
    calls = [r["action"] for r in log.records if r["type"] == "call" and r["from"] == "CS"]
    assert calls.count("DataTransfer") == 1
    # the 1.6-only Heartbeat call step is skipped on 2.0.1
    assert calls.count("Heartbeat") == (2 if version is Version.V16 else 1)
    meters = calls.count("MeterValues" if version is Version.V16 else "TransactionEvent")
    assert meters == 4 + (0 if version is Version.V16 else 2)


@pytest.mark.parametrize("version", [Version.V16, Version.V201])
def test_station_scenario_failure_names_the_step(version: Version) -> None:
    scenario = loads_scenario('[[steps]]\ndo = "heartbeat"\n\n[[steps]]\ndo = "authorize"\n'
                              'id_tag = "NOPE"\n', file="auth.toml")
    assert isinstance(scenario, StationScenario)
    policy = AuthPolicy(mode="allow-list", allowed=frozenset({"TAG"}))
    with pytest.RaisesGroup(pytest.RaisesExc(
            ScenarioFailed, match=r"^auth\.toml:4: steps\[1\] \(authorize\): expected Accepted, "
                                  r"got not Accepted$"),
            flatten_subgroups=True, allow_unwrapped=True):
        run_station(scenario, version, policy)


def test_wait_for_times_out() -> None:
    scenario = loads_scenario("steps:\n  - do: wait-for\n    event: transaction-started\n"
                              "    timeout: 0.05\n", file="w.yaml", fmt="yaml")
    assert isinstance(scenario, StationScenario)
    with pytest.RaisesGroup(pytest.RaisesExc(
            ScenarioFailed, match=r"^w\.yaml:2: steps\[0\] \(wait-for\): no transaction-started "
                                  r"within 0\.05 s$"),
            flatten_subgroups=True, allow_unwrapped=True):
        run_station(scenario, Version.V16)
