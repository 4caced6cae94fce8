"""CSMS throughput, latency and memory over loopback: ``python -m benchmarks.bench_csms``.

This benchmark does not fit the in-process harness of ``python -m benchmarks`` (it needs a
server process and a load generator process), so it has its own command line and prints its
own tables; :func:`benchmarks` returns no harness cells.

```sh
npm ci --prefix tests/interop/node     # the load generator (node ws) and the ocpp-rpc server
python -m benchmarks.bench_csms                 # full run (several minutes)
python -m benchmarks.bench_csms --quick         # a short, noisy smoke run
python -m benchmarks.bench_csms --json out.json --servers ours-asyncio,ocpp --n 100,1000
```

Servers, each in its own process pinned to one CPU (``sched_setaffinity``), all with full
validation: ``ours-asyncio`` (``ocpp_asyncio.serve``), ``ours-trio`` (``ocpp_trio.serve``),
``ocpp`` (PyPI ``ocpp`` 2.1.0 ``ChargePoint`` on ``websockets``, its default schema validation)
and ``ocpp-rpc`` (npm, ``strictMode: true``). The same load generator
(``tests/interop/node/loadgen.js``, node ``ws``, pinned to the other CPU) opens N OCPP 1.6
stations, each keeping one CALL outstanding (OCPP-J section 4.1.1) in a closed loop:
``Heartbeat`` or ``MeterValues`` with one sampled value. Reported: calls/s over the measured
window (after a warm-up), p50 / p99 latency in ms, and the server's CPU time per answered call
(``/proc/<pid>/stat``), which unlike calls/s does not depend on what else the machine runs.

Memory: the server's RSS (``/proc/<pid>/status`` VmRSS) with one station, then with K idle
stations more, with and without permessage-deflate offered by the stations: (difference) / K
in KiB. ``--hold`` opens that many idle stations to ``ours-asyncio`` and reports whether it
holds them all.
"""

# ruff: noqa: PLC0415  (each server process imports only its own implementation; ocpp,
# websockets and trio stay optional for the others)
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "tests" / "interop" / "node"
SERVERS = ("ours-asyncio", "ours-trio", "ocpp", "ocpp-rpc")
NOW = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def benchmarks() -> list[Any]:
    """No in-process cells: run ``python -m benchmarks.bench_csms`` (see the docstring)."""
    return []


# -- the servers (run in child processes) --------------------------------------------------------


def _ready(port: int) -> None:
    print(json.dumps({"port": port}), flush=True)


async def _serve_ours_asyncio(port: int) -> None:
    import ocpp_asyncio
    from ocpp_sansio.v16 import messages as m

    hb = m.HeartbeatResponse(current_time=NOW)
    mv = m.MeterValuesResponse()

    async def heartbeat(req: Any, ctx: Any) -> Any:
        return hb

    async def meter_values(req: Any, ctx: Any) -> Any:
        return mv

    async with ocpp_asyncio.serve(
        "127.0.0.1", port, versions=("1.6",), soap=False, backlog=4096,
        handlers={"Heartbeat": heartbeat, "MeterValues": meter_values},
    ) as server:
        _ready(server.port)
        await asyncio.Event().wait()


async def _serve_ours_trio(port: int) -> None:
    import trio

    import ocpp_trio
    from ocpp_sansio.v16 import messages as m

    hb = m.HeartbeatResponse(current_time=NOW)
    mv = m.MeterValuesResponse()

    async def heartbeat(req: Any, ctx: Any) -> Any:
        return hb

    async def meter_values(req: Any, ctx: Any) -> Any:
        return mv

    async with ocpp_trio.serve(
        "127.0.0.1", port, versions=("1.6",), soap=False, backlog=4096,
        handlers={"Heartbeat": heartbeat, "MeterValues": meter_values},
    ) as server:
        _ready(server.port)
        await trio.sleep_forever()


async def _serve_ocpp(port: int) -> None:
    import importlib

    import websockets

    on = importlib.import_module("ocpp.routing").on
    v16 = importlib.import_module("ocpp.v16")
    result = importlib.import_module("ocpp.v16.call_result")
    action = importlib.import_module("ocpp.v16.enums").Action
    now = NOW.isoformat().replace("+00:00", "Z")

    class Csms(v16.ChargePoint):  # type: ignore[misc,name-defined]
        @on(action.heartbeat)  # type: ignore[untyped-decorator]
        async def on_heartbeat(self) -> Any:
            return result.Heartbeat(current_time=now)

        @on(action.meter_values)  # type: ignore[untyped-decorator]
        async def on_meter_values(self, connector_id: int, meter_value: Any, **kw: Any) -> Any:
            return result.MeterValues()

    async def handler(ws: Any) -> None:
        cp = Csms(ws.request.path.rstrip("/").split("/")[-1], ws)
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            await cp.start()

    async with websockets.serve(
        handler, "127.0.0.1", port, subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        backlog=4096,
    ) as server:
        _ready(next(iter(server.sockets)).getsockname()[1])
        await asyncio.Event().wait()


def serve_main(impl: str, port: int) -> None:
    """Child process: run one server implementation on ``port``."""
    sys.path.insert(0, str(ROOT))
    if impl == "ours-trio":
        import trio

        trio.run(_serve_ours_trio, port)
    elif impl == "ours-asyncio":
        asyncio.run(_serve_ours_asyncio(port))
    elif impl == "ocpp":
        asyncio.run(_serve_ocpp(port))
    else:
        raise SystemExit(f"unknown server {impl}")


# -- the driver --------------------------------------------------------------------------------


def _pin(pid: int, cpu: int) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > 1:
        os.sched_setaffinity(pid, {cpus[cpu % len(cpus)]})


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def available(impl: str) -> str | None:
    """Why ``impl`` cannot run here (``None``: it can)."""
    import importlib.util

    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "ws").is_dir():
        return "node / tests/interop/node packages missing (npm ci --prefix tests/interop/node)"
    if impl == "ocpp" and (
        importlib.util.find_spec("ocpp") is None or importlib.util.find_spec("websockets") is None
    ):
        return "pip install ocpp==2.1.0 websockets"
    return None


class Server:
    """A server implementation running in a child process on CPU 0."""

    def __init__(self, impl: str) -> None:
        self.impl = impl
        if impl == "ocpp-rpc":
            cmd = ["node", "bench-csms.js", "0", "ocpp1.6"]
            cwd = NODE_DIR
        else:
            cmd = [sys.executable, "-m", "benchmarks.bench_csms", "serve", impl, "0"]
            cwd = ROOT
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        )
        _pin(self.proc.pid, 0)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{impl} server did not start")
        self.port = int(json.loads(line)["port"])
        path = "" if impl == "ocpp-rpc" else "/ocpp"
        self.url = f"ws://127.0.0.1:{self.port}{path}"

    def rss_kib(self) -> int:
        return _rss_kib(self.proc.pid)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_load(server: Server, n: int, seconds: float, kind: str) -> dict[str, Any]:
    """The load generator against ``server``: N stations, closed loop, ``seconds`` measured.

    The server's CPU time is counted from when every station is connected (the handshakes are
    not part of the calls' cost) to the end; so is the load generator's.
    """
    proc = subprocess.Popen(
        ["node", "loadgen.js", "load", server.url, "ocpp1.6", str(n), str(seconds), kind],
        cwd=NODE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    _pin(proc.pid, 1)
    assert proc.stdout is not None
    ready = proc.stdout.readline()
    if not ready:
        _, err = proc.communicate(timeout=60)
        return {"error": (err or "load generator failed").strip().splitlines()[-1:]}
    cpu_before = _cpu_seconds(server.proc.pid)
    load_before = _cpu_seconds(proc.pid)
    started = time.perf_counter()
    load_cpu = 0.0
    while proc.poll() is None:  # sample the generator's CPU time until it exits
        with contextlib.suppress(OSError, IndexError, ValueError):
            load_cpu = _cpu_seconds(proc.pid) - load_before
        time.sleep(0.05)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds(server.proc.pid) - cpu_before
    out, err = proc.communicate(timeout=60)
    if proc.returncode != 0 or not out.strip():
        return {"error": (err or out or "failed").strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    # CPU time of the server per answered call (warm-up included in both): unlike calls/s it
    # does not depend on what else the machine runs
    total = result.get("calls_total") or 0
    result["cpu_us_per_call"] = cpu / total * 1e6 if total else None
    # share of one CPU used by the server and by the load generator (near 1.0 for the
    # generator: it, not the server, limits calls/s)
    result["server_cpu_share"] = cpu / wall
    result["loadgen_cpu_share"] = load_cpu / wall
    return result


def idle_rss(server: Server, k: int, deflate: bool) -> dict[str, Any]:
    """RSS per idle station: one station first (lazy imports, caches), then K more."""
    warm = run_load(server, 1, 0.2, "heartbeat")
    if "error" in warm:
        return warm
    time.sleep(0.3)
    before = server.rss_kib()
    args = ["node", "loadgen.js", "idle", server.url, "ocpp1.6", str(k)]
    if deflate:
        args.append("deflate")
    proc = subprocess.Popen(
        args, cwd=NODE_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    _pin(proc.pid, 1)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    connected = json.loads(line)["connected"] if line else 0
    time.sleep(1.0)
    after = server.rss_kib()
    proc.communicate("", timeout=60)
    return {
        "stations": connected, "rss_before_kib": before, "rss_after_kib": after,
        "kib_per_station": (after - before) / max(connected, 1),
    }


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = [title, "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_csms")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--n", default=None, help="station counts, e.g. 1,10,100,1000")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--idle", type=int, default=None, help="K for the RSS measurement")
    parser.add_argument("--hold", type=int, default=None, help="idle stations held by ours")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    quick = args.quick
    counts = [int(x) for x in (args.n or ("1,10" if quick else "1,10,100,1000")).split(",")]
    seconds = args.seconds or (0.5 if quick else 3.0)
    k = args.idle or (50 if quick else 1000)
    hold = args.hold if args.hold is not None else (0 if quick else 10000)
    servers = [s for s in args.servers.split(",") if s]
    print(f"bench_csms: {os.cpu_count()} CPUs, server on CPU 0, load generator on CPU 1; "
          f"{'quick' if quick else 'full'} run, {seconds:g} s per cell", flush=True)
    results: dict[str, Any] = {"load": {}, "rss": {}, "hold": None}
    for impl in servers:
        why = available(impl)
        if why is not None:
            print(f"  {impl}: skipped ({why})", flush=True)
            continue
        for kind in ("heartbeat", "metervalues"):
            for n in counts:
                server = Server(impl)
                try:
                    results["load"][f"{impl}|{kind}|{n}"] = run_load(server, n, seconds, kind)
                finally:
                    server.close()
        for deflate in (False, True):
            server = Server(impl)
            try:
                results["rss"][f"{impl}|{deflate}"] = idle_rss(server, k, deflate)
            finally:
                server.close()
    if hold and "ours-asyncio" in servers and available("ours-asyncio") is None:
        server = Server("ours-asyncio")
        try:
            results["hold"] = idle_rss(server, hold, False)
        finally:
            server.close()

    for kind in ("heartbeat", "metervalues"):
        rows = []
        for impl in servers:
            for n in counts:
                r = results["load"].get(f"{impl}|{kind}|{n}")
                if r is None:
                    continue
                rows.append([impl, str(n), _fmt(r.get("rate")), _fmt(r.get("p50_ms"), 2),
                             _fmt(r.get("p99_ms"), 2), _fmt(r.get("cpu_us_per_call"), 0),
                             _fmt(r.get("server_cpu_share"), 2),
                             _fmt(r.get("loadgen_cpu_share"), 2),
                             str(r.get("errors", r.get("error")))])
        if rows:
            print()
            print(_table(
                f"CSMS {kind}: calls/s, latency (ms), server CPU µs per call, CPU shares",
                ["server", "N", "calls/s", "p50", "p99", "CPU µs", "server", "loadgen",
                 "errors"], rows,
            ))
    rows = []
    for impl in servers:
        for deflate in (False, True):
            r = results["rss"].get(f"{impl}|{deflate}")
            if r is not None:
                rows.append([impl, "yes" if deflate else "no", str(r.get("stations")),
                             _fmt(r.get("kib_per_station"), 1)])
    if rows:
        print()
        print(_table(f"RSS per idle station (K = {k})",
                     ["server", "deflate", "stations", "KiB/station"], rows))
    if results["hold"] is not None:
        h = results["hold"]
        print(f"\nours-asyncio holding {hold} idle stations: {h.get('stations')} connected, "
              f"RSS {h.get('rss_after_kib', 0) / 1024:.0f} MiB")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    failed = any("error" in r for r in results["load"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "serve":
        serve_main(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(main())
