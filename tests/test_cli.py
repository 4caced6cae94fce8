"""``ocpp-toolkit demo``: exits 0 and shows the expected message sequence per version and
transport, over real sockets on 127.0.0.1."""

import argparse
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ocpp_trio import cli

V1X = ["BootNotification", "Authorize", "StartTransaction", "MeterValues",
       "RemoteStopTransaction", "StopTransaction"]
EXPECTED = {
    "1.6-J": V1X,
    "2.0.1-J": ["BootNotification", "Authorize", "TransactionEvent", "TransactionEvent",
                "RequestStopTransaction", "TransactionEvent"],
    "1.5-S": V1X,
    "1.6-S": V1X,
}
WHO = ["CS", "CS", "CS", "CS", "CSMS", "CS"]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_demo_session_sequence(name: str) -> None:
    out = io.StringIO()
    code = cli.demo(argparse.Namespace(only=name, no_colour=False), out)
    text = out.getvalue()
    assert code == 0, text
    requests = re.findall(r"^\s+\d+\s+(CS|CSMS) -> (?:CS|CSMS)\s+(\w+)\s", text, re.M)
    assert [action for _, action in requests] == EXPECTED[name]
    assert [who for who, _ in requests] == WHO
    assert text.count(" answer ") == len(requests)  # every request answered
    assert "\033[" not in text  # not a terminal: no colour codes
    assert f"OK: {name} session complete" in text


def test_console_script_runs_every_session() -> None:
    script = Path(sys.executable).with_name("ocpp-toolkit")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ocpp_trio.cli"]
    result = subprocess.run([*command, "demo"], capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("session complete") == len(EXPECTED)
