"""Processes, polling and reporting for the fault-injection tests.

:class:`CsmsProcess` and :class:`StationProcess` run ``tests.faults.csms_proc`` /
``tests.faults.station_proc`` as real processes (SIGKILL, restart on the same port / files);
:func:`wait_for` polls a condition with a deadline (no fixed sleeps); :func:`report` prints
the ``FAULT-SUMMARY`` line and appends it to ``$OCPP_FAULT_REPORT``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``predicate`` every 20 ms; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The complete lines of a JSON-lines file (a line cut by a kill is skipped)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_bytes().splitlines():
        with contextlib.suppress(orjson.JSONDecodeError):
            out.append(orjson.loads(line))
    return out


class CsmsProcess:
    """``tests.faults.csms_proc``: start, SIGKILL, restart on the same port."""

    def __init__(self, log: Path, answer_delay: float = 0.0) -> None:
        self.log = log
        self.answer_delay = answer_delay
        self.port = 0
        self.proc: subprocess.Popen[str] | None = None
        self.kills = 0

    def start(self) -> int:
        deadline = time.monotonic() + 15
        while True:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.faults.csms_proc", str(self.log), str(self.port),
                 str(self.answer_delay)],
                cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True,
            )
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.startswith("LISTENING"):
                self.proc = proc
                self.port = int(line.split()[1])
                return self.port
            proc.wait()  # the port is not free yet: try again shortly
            proc.stdout.close()
            if time.monotonic() > deadline:
                raise AssertionError("the CSMS process did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self.proc = None
        self.kills += 1

    def stop(self) -> None:
        if self.proc is not None:
            self.kill()
            self.kills -= 1

    def records(self) -> list[dict[str, Any]]:
        return read_jsonl(self.log)


class StationProcess:
    """``tests.faults.station_proc`` with one config: start, SIGKILL, start again."""

    def __init__(self, tmp: Path, **config: Any) -> None:
        self.config = {"log": str(tmp / "station.jsonl"), "db": str(tmp / "outbox.db"),
                       **config}
        self.log = Path(self.config["log"])
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.starts = 0

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.station_proc", json.dumps(self.config)],
            cwd=ROOT, env=ENV,
        )
        self.starts += 1

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None
        self.kills += 1

    def entries(self) -> list[dict[str, Any]]:
        return read_jsonl(self.log)

    def wait_done(self, timeout: float) -> dict[str, Any]:
        """Wait until the process exits after draining its outbox; its final stats."""
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("the station did not finish in time") from None
        self.proc = None
        assert code == 0, f"station exited with {code}"
        done = [e for e in self.entries() if e["e"] == "done"]
        assert done, "the station exited without draining its outbox"
        return dict(done[-1]["stats"])

    def stop(self) -> None:
        if self.proc is not None:
            self.kill()
            self.kills -= 1


def report(fault: str, version: str, counts: dict[str, Any]) -> None:
    """Print the one-line summary (``-s`` shows it) and append it to ``$OCPP_FAULT_REPORT``."""
    record = {"fault": fault, "version": version, **counts}
    print("\nFAULT-SUMMARY " + " ".join(f"{k}={v}" for k, v in record.items()), flush=True)
    path = os.environ.get("OCPP_FAULT_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
