"""``ocpp-toolkit demo``: exits 0 and shows the expected message sequence per version."""

import argparse
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ocpp_trio import cli

EXPECTED = {
    "1.6-J": ["BootNotification", "Authorize", "StartTransaction", "MeterValues",
              "RemoteStopTransaction", "StopTransaction"],
    "2.0.1-J": ["BootNotification", "Authorize", "TransactionEvent", "TransactionEvent",
                "RequestStopTransaction", "TransactionEvent"],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_demo_session_sequence(name: str) -> None:
    out = io.StringIO()
    code = cli.demo(_args(name), out)
    text = out.getvalue()
    assert code == 0, text
    calls = re.findall(r'\[2,"[^"]+","(\w+)"', text)
    assert calls == EXPECTED[name]
    assert len(re.findall(r"\[3,", text)) == len(calls)  # every CALL answered by a CALLRESULT
    assert "\033[" not in text  # not a terminal: no colour codes
    assert f"OK: {name} session complete" in text


def _args(only: str | None) -> argparse.Namespace:
    return argparse.Namespace(only=only, no_colour=False)


def test_console_script_runs_every_session() -> None:
    script = Path(sys.executable).with_name("ocpp-toolkit")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ocpp_trio.cli"]
    result = subprocess.run([*command, "demo"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("session complete") == len(EXPECTED)
