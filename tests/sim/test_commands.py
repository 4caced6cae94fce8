"""``ocpp-toolkit csms`` and ``ocpp-toolkit station`` as commands: argument handling, ``--help``
listing the station URLs, and the two commands run as processes against each other on
127.0.0.1 (the CSMS with a JSON-lines log)."""

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ocpp_trio.sim.commands import add_commands

# The CLI entry point wires add_commands in; the tests use an equivalent parser.
ENTRY = ("import argparse, sys; from ocpp_trio.sim.commands import add_commands; "
         "p = argparse.ArgumentParser(prog='ocpp-toolkit'); "
         "add_commands(p.add_subparsers(dest='command', required=True)); "
         "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))")
ROOT = Path(__file__).resolve().parents[2]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ocpp-toolkit")
    add_commands(p.add_subparsers(dest="command", required=True))
    return p


def test_csms_help_lists_station_urls(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["csms", "--help"])
    out = capsys.readouterr().out
    assert "ws://<host>:<port>/ocpp/<station id>" in out
    assert "http://<host>:<port>/ocpp" in out
    assert "allow-list" in out


def test_allow_list_needs_tags(capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(["csms", "--policy", "allow-list"])
    assert args.func(args) == 2
    assert "--allow" in capsys.readouterr().err


def test_station_defaults() -> None:
    args = parser().parse_args(["station", "ws://h/ocpp"])
    assert (args.version, args.scenario, args.count, args.transport) == (
        "1.6", "charge-session", 1, "json")


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_station_command_against_csms_command(version: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    jsonl = tmp_path / "csms.jsonl"
    csms = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "csms", "--port", "0", "--policy", "allow-list",
         "--allow", "SIM-TAG", "--jsonl", str(jsonl)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert csms.stderr is not None
        port = None
        for _ in range(5):
            line = csms.stderr.readline()
            if "OCPP-J" in line:
                port = int(line.split("127.0.0.1:")[1].split("/")[0])
                break
        assert port is not None
        station = subprocess.run(
            [sys.executable, "-c", ENTRY, "station", f"ws://127.0.0.1:{port}/ocpp",
             "--version", version, "--meter-interval", "0", "--id", "CLI-1"],
            check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
        assert station.returncode == 0, station.stderr
        assert "StopTransaction" in station.stdout or "Ended" in station.stdout
        refused = subprocess.run(
            [sys.executable, "-c", ENTRY, "station", f"ws://127.0.0.1:{port}/ocpp",
             "--version", version, "--id-tag", "UNKNOWN", "--id", "CLI-2"],
            check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
        assert refused.returncode == 1
        assert "did not accept id tag 'UNKNOWN'" in refused.stderr
    finally:
        csms.send_signal(signal.SIGINT)
        out, _ = csms.communicate(timeout=20)
    assert csms.returncode == 0
    assert "CLI-1" in out  # the human-readable log
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert {r["station"] for r in records} == {"CLI-1", "CLI-2"}
    assert all(r["version"] == version for r in records)
