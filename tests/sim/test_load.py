"""``ocpp-toolkit load``: 1,000 stations for 10 s against the CSMS simulator in another process
(zero lost, unanswered or failed calls), every version on a small run, the report, the chart,
the file-descriptor refusal and the command line."""

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import trio

from ocpp_trio.sim import cli_load
from ocpp_trio.sim.load import (
    LoadError,
    LoadOptions,
    LoadReport,
    Progress,
    fd_headroom,
    in_process_csms,
    percentile,
    run_load,
    spawn_csms,
)
from ocpp_trio.sim.load_chart import html_chart, svg_chart, write_chart

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ("import argparse, sys; from ocpp_trio.sim import cli_load; "
         "p = argparse.ArgumentParser(prog='ocpp-toolkit'); "
         "cli_load.add_command(p.add_subparsers(dest='command', required=True)); "
         "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ocpp-toolkit")
    cli_load.add_command(p.add_subparsers(dest="command", required=True))
    return p


def test_thousand_stations_ten_seconds_nothing_lost() -> None:
    """The issue's test: 1,000 stations, 10 s of heartbeats every second (about 1,000 calls/s
    once connected), a CSMS in another process: every call answered, no error."""
    progress: list[Progress] = []
    with spawn_csms() as csms:
        options = LoadOptions(url=csms.url, stations=1000, ramp=1000, duration=10,
                              heartbeat=1.0, timeout=20)
        report = trio.run(lambda: run_load(options, progress=progress.append,
                                           csms_pid=csms.pid))
    assert report.connected_peak == 1000
    assert report.connect_failures == {}
    assert report.lost == 0
    assert report.errors == {}
    assert report.sent == report.answered == report.results
    assert report.disconnects == 0
    by_action = {a.action: a for a in report.actions}
    assert by_action["BootNotification"].count == 1000
    assert by_action["StatusNotification"].count == 1000
    # each station beats about once a second for the 10 s held (plus during its ramp-up)
    assert by_action["Heartbeat"].count >= 1000 * 9
    assert report.hold_seconds >= 10
    assert report.calls_per_s > 500
    assert report.csms_process is not None and report.csms_process.rss_ramped > 0
    assert progress and progress[-1].phase == "stop" and progress[-1].in_flight == 0
    assert any(p.phase == "hold" and p.connected == 1000 for p in progress)


@pytest.mark.parametrize("version", ["1.5", "1.6", "2.0.1", "2.1"])
def test_every_version_with_transactions(version: str) -> None:
    """One code path (the generic API) for every version: heartbeats and full transactions
    (Authorize, start, meter values, stop) against the in-process CSMS simulator."""

    async def main() -> LoadReport:
        async with in_process_csms() as url:
            return await run_load(LoadOptions(
                url=url, stations=10, ramp=500, duration=1, heartbeat=0.3, tx_rate=240,
                meter_values=1, meter_interval=0.1, version=version, seed=3))

    report = trio.run(main)
    assert report.lost == 0 and report.errors == {} and report.connected_peak == 10
    names = {a.action for a in report.actions}
    if version in ("1.5", "1.6"):
        assert {"StartTransaction", "MeterValues", "StopTransaction", "Authorize"} <= names
    else:
        assert {"TransactionEvent", "Authorize"} <= names
    assert {"BootNotification", "StatusNotification", "Heartbeat"} <= names


def test_unreachable_csms_counts_connect_failures() -> None:
    async def main() -> LoadReport:
        listener = trio.socket.socket()
        await listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        listener.close()  # nothing listens on that port any more
        return await run_load(LoadOptions(url=f"ws://127.0.0.1:{port}/ocpp", stations=3,
                                          ramp=100, duration=0, connect_timeout=5))

    report = trio.run(main)
    [(kind, count)] = report.connect_failures.items()
    assert count == 3 and ("refused" in kind or "connect" in kind)
    assert report.sent == 0 and report.lost == 0
    assert not report.passed(0.5) and report.passed(1.0)


def test_percentile_nearest_rank() -> None:
    data = [float(i) for i in range(1, 101)]
    assert (percentile(data, 50), percentile(data, 90), percentile(data, 99)) == (50, 90, 99)
    assert percentile(data, 100) == 100 and percentile([], 50) == 0
    assert percentile([7.0], 1) == 7


def test_fd_limit_refusal() -> None:
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    with pytest.raises(LoadError, match="file descriptors"):
        fd_headroom(soft + 1)
    fd_headroom(10)
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == resource.getrlimit(
        resource.RLIMIT_NOFILE)[1] or soft == resource.RLIM_INFINITY


@pytest.fixture(scope="module")
def small_report() -> LoadReport:
    async def main() -> LoadReport:
        async with in_process_csms() as url:
            return await run_load(LoadOptions(url=url, stations=20, ramp=500, duration=1.5,
                                              heartbeat=0.3))

    return trio.run(main)


def test_report_text_and_json(small_report: LoadReport) -> None:
    text = small_report.format()
    assert "lost or unanswered calls: 0" in text
    assert "Heartbeat" in text and "p99 ms" in text and "errors: none" in text
    data = json.loads(json.dumps(small_report.to_json()))
    assert data["lost"] == 0 and data["options"]["version"] == "1.6"
    assert {a["action"] for a in data["actions"]} == {"BootNotification", "Heartbeat",
                                                      "StatusNotification"}
    assert data["timeline"] and {"t", "calls", "p50", "p99", "connected"} <= set(
        data["timeline"][0])
    assert data["load_process"]["rss_per_connection"] >= 0


def test_chart_is_self_contained(small_report: LoadReport, tmp_path: Path) -> None:
    page = html_chart(small_report)
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<polyline" in page
    assert "src=" not in page and "href=" not in page and "<script" not in page
    svg = svg_chart(small_report)
    assert svg.startswith("<svg") and "p99" in svg and "calls/s" in svg
    write_chart(small_report, tmp_path / "c.svg")
    assert (tmp_path / "c.svg").read_text(encoding="utf-8") == svg
    with pytest.raises(ValueError, match="PNG"):
        write_chart(small_report, tmp_path / "c.png")


def test_cli_needs_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(["load"])
    assert args.func(args) == 2
    assert "--spawn-csms" in capsys.readouterr().err
    args = parser().parse_args(["load", "ws://h/ocpp", "--chart", "x.png"])
    assert args.func(args) == 2
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    args = parser().parse_args(["load", "ws://h/ocpp", "--stations", str(soft + 1)])
    assert args.func(args) == 2
    assert "file descriptors" in capsys.readouterr().err


def test_cli_defaults() -> None:
    args = parser().parse_args(["load", "ws://h/ocpp"])
    assert (args.stations, args.ramp, args.version, args.heartbeat, args.tx_rate) == (
        100, 100.0, "1.6", 30.0, 0.0)


def test_cli_spawned_csms_json_and_chart(tmp_path: Path) -> None:
    """The command as a process: --spawn-csms, plain progress lines on a pipe, the report on
    stdout, --json and --chart files, exit status 0."""
    out_json, chart = tmp_path / "r.json", tmp_path / "r.html"
    proc = subprocess.run(
        [sys.executable, "-c", ENTRY, "load", "--spawn-csms", "--stations", "30", "--ramp",
         "300", "--duration", "1.5", "--heartbeat", "0.3", "--version", "2.0.1", "--tx-rate",
         "60", "--meter-interval", "0.2", "--json", str(out_json), "--chart", str(chart)],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "lost or unanswered calls: 0" in proc.stdout
    assert "CSMS process" in proc.stdout
    lines = [line for line in proc.stderr.splitlines() if "connected" in line]
    assert lines and "\r" not in proc.stderr  # not a terminal: one plain line per second
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["lost"] == 0 and data["connected_peak"] == 30
    assert data["csms_process"]["pid"] > 0
    assert "<svg" in chart.read_text(encoding="utf-8")
