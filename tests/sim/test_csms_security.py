"""``ocpp-toolkit csms`` security options over real sockets on 127.0.0.1, with certificates made
by ``trustme``: TLS with Basic auth (security profile 2), mutual TLS (profile 3), Basic auth
without TLS (profile 1), option checks, and the command run as a process with ``--scenario``
and ``--control``."""

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import trio

import ocpp_trio
from ocpp_sansio import v16
from ocpp_sansio.version import Version
from ocpp_sansio.ws import CertChain
from ocpp_sansio.ws.tls import client_context
from ocpp_trio.sim import CsmsSimulator, SimStation, StationOptions
from ocpp_trio.sim.cli_csms import UsageError, security
from ocpp_trio.sim.commands import add_commands
from ocpp_trio.sim.csms import station_urls

trustme = pytest.importorskip("trustme", reason="trustme is not installed")

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ("import argparse, sys; from ocpp_trio.sim.commands import add_commands; "
         "p = argparse.ArgumentParser(prog='ocpp-toolkit'); "
         "add_commands(p.add_subparsers(dest='command', required=True)); "
         "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))")
PASSWORD = "0123456789abcdef"  # 16 characters: the 1.6 Security Whitepaper minimum


class Pki:
    """A CA, a CSMS certificate for 127.0.0.1 / localhost and a station certificate."""

    def __init__(self, tmp: Path) -> None:
        ca = trustme.CA(organization_name="Test Root")
        self.ca = tmp / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca))
        self.csms = tmp / "csms.pem"
        ca.issue_cert("localhost", "127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
            str(self.csms))
        self.station = tmp / "station.pem"
        ca.issue_cert("cs.example", common_name="CS-1").private_key_and_cert_chain_pem\
            .write_to_path(str(self.station))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


def parse(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="ocpp-toolkit")
    add_commands(p.add_subparsers(dest="command", required=True))
    return p.parse_args(["csms", *argv])


async def boot(port: int, scheme: str, **kw: Any) -> str:
    """Connect a 1.6 station, boot; the registration status."""
    async with ocpp_trio.connect(f"{scheme}://127.0.0.1:{port}/ocpp", "CS-1",
                                 versions=("1.6",), **kw) as station:
        resp = await station.call(v16.BootNotificationRequest(charge_point_vendor="V",
                                                              charge_point_model="M"))
        return str(resp.status)


def serve_and(args: argparse.Namespace, body: Any) -> None:
    context, auth = security(args)

    async def main() -> None:
        with trio.fail_after(20):
            csms = CsmsSimulator()
            async with csms.run(ssl=context, auth=auth, soap=False) as server:
                await body(server.port)

    trio.run(main)


def test_profile_2_tls_and_basic_auth(pki: Pki) -> None:
    args = parse("--certfile", str(pki.csms), "--basic-auth", f"CS-1:{PASSWORD}")
    tls = client_context(2, cafile=pki.ca)

    async def body(port: int) -> None:
        assert await boot(port, "wss", ssl=tls, password=PASSWORD.encode()) == "Accepted"
        for password in (b"not-the-password", None):
            with pytest.raises(ocpp_trio.HandshakeRejected) as err:
                await boot(port, "wss", ssl=tls, password=password)
            assert err.value.status_code == 401
        # the simulated station with the same credentials runs a session
        station = SimStation(StationOptions(
            url=f"wss://127.0.0.1:{port}/ocpp", station_id="CS-1", version=Version.V16,
            ssl=tls, password=PASSWORD.encode(), reconnect=None))

        async def heartbeat(s: SimStation) -> None:
            await s.heartbeat()

        await station.run(heartbeat)

    serve_and(args, body)


def test_profile_3_mutual_tls(pki: Pki) -> None:
    args = parse("--certfile", str(pki.csms), "--cafile", str(pki.ca))
    context, _ = security(args)
    assert context is not None

    async def body(port: int) -> None:
        good = client_context(3, cafile=pki.ca, cert_chain=CertChain(certfile=pki.station))
        assert await boot(port, "wss", ssl=good) == "Accepted"
        anonymous = client_context(2, cafile=pki.ca)  # no client certificate
        with pytest.raises((ocpp_trio.ConnectionClosed, OSError, trio.BrokenResourceError)):
            await boot(port, "wss", ssl=anonymous, password=PASSWORD.encode())

    serve_and(args, body)


def test_profile_1_basic_auth_without_tls() -> None:
    args = parse("--basic-auth", f"CS-1:{PASSWORD}", "--basic-auth", "CS-2:another-password-16")

    async def body(port: int) -> None:
        assert await boot(port, "ws", password=PASSWORD.encode()) == "Accepted"
        with pytest.raises(ocpp_trio.HandshakeRejected):
            await boot(port, "ws", password=b"another-password-16")  # CS-2's password

    serve_and(args, body)


@pytest.mark.parametrize(("argv", "message"), [
    (["--cafile", "ca.pem"], "--cafile (security profile 3) needs --certfile"),
    (["--keyfile", "k.pem"], "--keyfile needs --certfile"),
    (["--certfile", "/nonexistent.pem"], "cannot load the TLS material"),
    (["--basic-auth", "CS-1"], "--basic-auth expects ID:PASSWORD, got 'CS-1'"),
    (["--basic-auth", ":pw"], "--basic-auth expects ID:PASSWORD"),
])
def test_option_checks(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        security(parse(*argv))


@pytest.mark.parametrize(("argv", "message"), [
    (["--control", "nowhere"], "expected HOST:PORT"),
    (["--scenario", "x.toml"], "invalid scenario file:\nx.toml: (file): cannot read"),
])
def test_command_refuses_bad_arguments(argv: list[str], message: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(*argv)
    assert args.func(args) == 2
    assert message in capsys.readouterr().err


def test_station_urls_schemes() -> None:
    assert station_urls("0.0.0.0", 9, tls=True) == [
        "OCPP-J (1.5 1.6 2.0.1 2.1): wss://127.0.0.1:9/ocpp/<station id>",
        "OCPP-S (1.5 1.6):          https://127.0.0.1:9/ocpp"]
    assert station_urls("::1", 9, soap=False) == [
        "OCPP-J (1.5 1.6 2.0.1 2.1): ws://[::1]:9/ocpp/<station id>"]


SCENARIO = """\
kind: csms
calls:
  - operation: TriggerMessage
    request: {requested_message: Heartbeat}
    expect: Accepted
"""


def test_command_with_tls_scenario_and_control(pki: Pki, tmp_path: Path) -> None:
    scenario = tmp_path / "trigger.yaml"
    scenario.write_text(SCENARIO)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    csms = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "csms", "--port", "0", "--quiet",
         "--certfile", str(pki.csms), "--basic-auth", f"CS-1:{PASSWORD}",
         "--scenario", str(scenario), "--control", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    banner: list[str] = []
    try:
        assert csms.stderr is not None
        while not banner or "control API" not in banner[-1]:
            line = csms.stderr.readline()
            assert line, "".join(banner)
            banner.append(line)
        text = "".join(banner)
        assert "TLS (security profile 2), Basic auth for 1 station(s)" in text
        assert "wss://127.0.0.1:" in text and "OCPP-S is off" in text
        assert "https://" not in text and "1 call(s)" in text
        port = int(text.split("wss://127.0.0.1:")[1].split("/")[0])
        control = int(banner[-1].split("http://127.0.0.1:")[1].split("/")[0])

        def listed() -> Any:
            conn = http.client.HTTPConnection("127.0.0.1", control, timeout=10)
            try:
                conn.request("GET", "/stations")
                return json.loads(conn.getresponse().read())
            finally:
                conn.close()

        async def run_station() -> Any:
            station = SimStation(StationOptions(
                url=f"wss://127.0.0.1:{port}/ocpp", station_id="CS-1", version=Version.V16,
                ssl=client_context(2, cafile=pki.ca), password=PASSWORD.encode(),
                reconnect=None))
            seen: dict[str, Any] = {}

            async def scenario(s: SimStation) -> None:
                seen.update(await trio.to_thread.run_sync(listed))
                await trio.sleep(0.5)  # time for the scenario's TriggerMessage

            with trio.fail_after(20):
                await station.run(scenario)
            return seen

        seen = trio.run(run_station)
        assert [(s["id"], s["version"]) for s in seen["stations"]] == [("CS-1", "1.6")]
    finally:
        csms.send_signal(signal.SIGINT)
        _, err = csms.communicate(timeout=20)
    assert csms.returncode == 0, err
    assert "calls[0] (TriggerMessage) CS-1: ok:" in err
