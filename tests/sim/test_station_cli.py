"""``ocpp-toolkit station`` options added with the generic simulator: every version,
``--transport soap``, reconnect settings, and ``--outbox`` (SQLite by default, under the XDG
state directory). The command runs in this process; the CSMS simulator in a thread."""

import argparse
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio

from ocpp_sansio.version import Version
from ocpp_trio.sim import CsmsSimulator
from ocpp_trio.sim.cli_station import outbox_path, state_dir
from ocpp_trio.sim.commands import add_commands


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="ocpp-toolkit")
    add_commands(p.add_subparsers(dest="command", required=True))
    return p.parse_args(argv)


@contextlib.contextmanager
def csms_thread() -> Iterator[tuple[int, CsmsSimulator]]:
    """A CSMS simulator serving OCPP-J and OCPP-S on a free port, in its own thread."""
    csms = CsmsSimulator()
    ports: queue.Queue[int] = queue.Queue()
    stop = threading.Event()

    async def serve() -> None:
        async with csms.run() as server:
            ports.put(server.port)
            while not stop.is_set():
                await trio.sleep(0.02)

    thread = threading.Thread(target=trio.run, args=(serve,), daemon=True)
    thread.start()
    try:
        yield ports.get(timeout=10), csms
    finally:
        stop.set()
        thread.join(10)


@pytest.mark.parametrize(("version", "transport"), [("1.5", "soap"), ("1.6", "soap"),
                                                    ("1.5", "json"), ("2.1", "json")])
def test_station_command_every_version(version: str, transport: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    with csms_thread() as (port, csms):
        scheme = "ws" if transport == "json" else "http"
        args = parse(["station", f"{scheme}://127.0.0.1:{port}/ocpp", "--version", version,
                      "--transport", transport, "--meter-interval", "0", "--quiet",
                      "--count", "2", "--id", "CLI", "--reconnect-min", "0.1"])
        assert args.func(args) == 0
        assert set(csms.completed) == {"CLI-1", "CLI-2"}
    for station_id in ("CLI-1", "CLI-2"):
        store = tmp_path / "ocpp-toolkit" / "outbox" / f"{station_id}-{version}.sqlite3"
        with contextlib.closing(sqlite3.connect(store)) as db:
            assert db.execute("SELECT COUNT(*) FROM messages").fetchone() == (0,)


def test_soap_needs_a_1x_version(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(["station", "http://127.0.0.1:1/ocpp", "--version", "2.0.1",
                  "--transport", "soap"])
    assert args.func(args) == 2
    assert "OCPP-S exists for" in capsys.readouterr().err


def test_outbox_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert state_dir() == tmp_path / "state" / "ocpp-toolkit"
    assert outbox_path("memory", "A", Version.V16) == "memory"
    given = outbox_path(str(tmp_path / "x" / "{id}.db"), "A", Version.V16)
    assert given == str(tmp_path / "x" / "A.db") and (tmp_path / "x").is_dir()
    args = parse(["station", "ws://h/ocpp", "--count", "2", "--outbox", "one.db"])
    assert args.func(args) == 2  # several stations cannot share one file


def test_reconnect_options() -> None:
    args = parse(["station", "ws://h/ocpp", "--reconnect-min", "0.5", "--reconnect-max", "4",
                  "--soap-listen", "0.0.0.0:9100"])
    assert (args.reconnect_min, args.reconnect_max, args.soap_listen) == (0.5, 4.0,
                                                                          ("0.0.0.0", 9100))
    with pytest.raises(SystemExit):
        parse(["station", "ws://h/ocpp", "--soap-listen", "nope"])


SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_station_command_runs_a_scenario_file(version: str) -> None:
    with csms_thread() as (port, csms):
        args = parse(["station", f"ws://127.0.0.1:{port}/ocpp", "--version", version,
                      "--scenario", str(SCENARIOS / "charge.toml"), "--quiet", "--id", "FILE"])
        assert args.func(args) == 0
        assert set(csms.completed) == {"FILE"}


def test_station_command_refuses_a_bad_scenario_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[steps]]\ndo = "start"\nconnector = "one"\n', encoding="utf-8")
    args = parse(["station", "ws://127.0.0.1:1/ocpp", "--scenario", str(bad)])
    assert args.func(args) == 2
    err = capsys.readouterr().err
    assert "bad.toml:3" in err and "connector" in err
    args = parse(["station", "ws://127.0.0.1:1/ocpp", "--scenario", "no-such-scenario"])
    assert args.func(args) == 2
