
"""Interoperability with npm ``ocpp-rpc`` in strict mode (it validates every message it sends and
receives against the OCA schemas), as CSMS and as station, 1.6 and 2.0.1.

Not 2.1: ocpp-rpc 2.2.1's strict mode cannot validate 2.1 at all (it looks schemas up as
``urn:BootNotification.req`` while its 2.1 bundle names them ``urn:BootNotificationRequest``:
every 2.1 call fails with its own ``ProtocolError``).

The peers are ``tests/interop/node/csms.js`` and ``station.js``; install them with
``npm ci --prefix tests/interop/node``. Without node or the package the tests are skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from bindings._support import Binding, boot_request, boot_response, heartbeat_response, messages

from ocpp_sansio.version import Version

NODE_DIR = Path(__file__).parent / "node"
NODE = shutil.which("node")
HAVE_PEER = NODE is not None and (NODE_DIR / "node_modules" / "ocpp-rpc").is_dir()
pytestmark = pytest.mark.skipif(
    not HAVE_PEER,
    reason="node or ocpp-rpc missing: run `npm ci --prefix tests/interop/node`",
)
VERSIONS = ["1.6", "2.0.1"]


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("version", VERSIONS)
def test_ocpp_rpc_csms_and_our_station(binding: Binding, version: str) -> None:
    b = binding
    m = messages(version)
    assert NODE is not None
    proc = subprocess.Popen(
        [NODE, "csms.js", Version(version).subprotocol], cwd=NODE_DIR,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        port = json.loads(proc.stdout.readline())["port"]
        router = b.mod.Router()
        reset_seen = b.event()

        @router.on("Reset")
        async def reset(req: Any, ctx: Any) -> Any:
            reset_seen.set()
            return m.ResetResponse(status="Accepted")

        async def body() -> None:
            async with b.mod.connect(
                f"ws://127.0.0.1:{port}", "CS-1", versions=(version,), handlers=router
            ) as station:
                boot = await station.call(boot_request(version))
                assert boot.status == "Accepted"
                hb = await station.call(m.HeartbeatRequest())
                assert hb.current_time.year == 2024
                if version == "1.6":
                    auth = await station.call(m.AuthorizeRequest(id_tag="TAG1"))
                    assert auth.id_tag_info.status == "Accepted"
                with pytest.raises(b.mod.CallError) as err:
                    await station.call(m.DataTransferRequest(vendor_id="X"))
                assert err.value.code == "NotImplemented"
                await reset_seen.wait()
                await b.sleep(0.2)  # the peer's ClearCache call, answered NotSupported

        b.run(body)
    finally:
        out, _ = proc.communicate("", timeout=10)
    events = _lines(out)
    by = {e.get("event"): e for e in events}
    assert by["client"]["protocol"] == Version(version).subprotocol
    assert by["reset"]["result"] == {"status": "Accepted"}
    assert by["clearcache"]["error"] == "NotSupported"
    assert by["close"]["code"] == 1000


@pytest.mark.parametrize("version", VERSIONS)
def test_ocpp_rpc_station_and_our_csms(binding: Binding, version: str) -> None:
    b = binding
    m = messages(version)
    router = b.mod.Router()
    booted = b.event()

    @router.on("BootNotification")
    async def boot(req: Any, ctx: Any) -> Any:
        booted.set()
        return boot_response(ctx.version)

    @router.on("Heartbeat")
    async def heartbeat(req: Any, ctx: Any) -> Any:
        return heartbeat_response(ctx.version)

    async def body() -> str:
        async with b.mod.serve("127.0.0.1", 0, handlers=router) as server:
            outputs: list[str] = []

            def run_node() -> None:
                assert NODE is not None
                done = subprocess.run(
                    [NODE, "station.js", Version(version).subprotocol,
                     f"ws://127.0.0.1:{server.port}/ocpp", "NODE-1"],
                    cwd=NODE_DIR, capture_output=True, text=True, timeout=20, check=False,
                )
                outputs.append(done.stdout + done.stderr)

            async def csms_side() -> None:
                await booted.wait()
                await b.wait_until(lambda: "NODE-1" in server.stations)
                kind = "Soft" if version == "1.6" else "Immediate"
                resp = await server.call("NODE-1", m.ResetRequest(type=kind))
                assert resp.status == "Accepted"

            await b.gather(lambda: b.to_thread(run_node), csms_side)
            return outputs[0]

    events = _lines(b.run(body))
    by = {e.get("event"): e for e in events}
    assert "error" not in by, events
    assert by["open"]["protocol"] == Version(version).subprotocol
    assert by["boot"]["result"]["status"] == "Accepted"
    assert by["heartbeat"]["result"] == {"currentTime": "2024-01-01T00:00:00Z"}
    assert by["datatransfer"]["error"] == "NotSupported"
    assert by["reset"]["params"]["type"] in ("Soft", "Immediate")
    assert "closed" in by
