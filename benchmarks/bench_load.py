"""Many stations from one process: ``python -m benchmarks.bench_load [--stations N]``.

Like ``bench_csms``, this does not fit the in-process harness of ``python -m benchmarks``
(:func:`benchmarks` returns no cells): it starts the CSMS simulator (``ocpp-toolkit csms
--quiet --no-soap``) in a child process, then, in this process, the engine of ``ocpp-toolkit
load`` (:func:`ocpp_trio.sim.load.run_load`): N OCPP-J stations (default 10,000, OCPP 1.6)
opened at ``--ramp`` connections per second, each booting and then sending a Heartbeat every
``--heartbeat`` seconds, held for ``--hold`` seconds once all connected, then closed.

```sh
python -m benchmarks.bench_load                    # 10,000 stations (a few minutes)
python -m benchmarks.bench_load --stations 2000 --hold 20
python -m benchmarks.bench_load --quick            # 200 stations, 5 s: a smoke run
```

Printed: stations connected, time to ramp up, calls/s while held, latency percentiles per
action, connect failures, lost calls, and per process (load, CSMS) the RSS before and once
all stations connected (growth per connection) and the CPU time over the run. The exit
status is 0 when every station connected and no call was lost.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

__all__ = ["benchmarks", "main"]


def benchmarks() -> list[Any]:
    """No harness cells: run ``python -m benchmarks.bench_load``."""
    return []


def main(argv: list[str] | None = None) -> int:
    import trio  # noqa: PLC0415

    from ocpp_trio.sim.cli_load import progress_printer  # noqa: PLC0415
    from ocpp_trio.sim.load import (  # noqa: PLC0415
        LoadError,
        LoadOptions,
        fd_headroom,
        run_load,
        spawn_csms,
    )

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--ramp", type=float, default=500.0, help="connections per second")
    parser.add_argument("--hold", type=float, default=60.0, help="seconds held at full count")
    parser.add_argument("--heartbeat", type=float, default=10.0, help="seconds between beats")
    parser.add_argument("--version", default="1.6")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per call")
    parser.add_argument("--json", metavar="FILE", help="also write the load report as JSON")
    parser.add_argument("--quick", action="store_true", help="200 stations held 5 s")
    parser.add_argument("--csms-no-freeze", action="store_true",
                        help="the CSMS child without gc.freeze (as `ocpp-toolkit csms` runs)")
    args = parser.parse_args(argv)
    if args.quick:
        args.stations, args.hold, args.heartbeat = 200, 5.0, 1.0
    try:
        fd_headroom(args.stations)
        extra = ("--interval", str(max(1, round(args.heartbeat))),
                 *(("--no-gc-freeze",) if args.csms_no_freeze else ()))
        with spawn_csms(extra_args=extra) as csms:
            options = LoadOptions(url=csms.url, stations=args.stations, ramp=args.ramp,
                                  duration=args.hold, heartbeat=args.heartbeat,
                                  version=args.version, timeout=args.timeout,
                                  connect_timeout=args.timeout)
            print(f"bench_load: {args.stations} stations (OCPP {args.version}) -> CSMS "
                  f"simulator pid {csms.pid} at {csms.url}; load process pid {os.getpid()}; "
                  f"{os.cpu_count()} CPUs", file=sys.stderr)
            report = trio.run(lambda: run_load(options, progress=progress_printer(sys.stderr),
                                               csms_pid=csms.pid))
    except LoadError as exc:
        print(f"bench_load: {exc}", file=sys.stderr)
        return 2
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    print(f"\n== bench_load: {args.stations} stations, OCPP {args.version}, heartbeat every "
          f"{args.heartbeat:g} s, ramp {args.ramp:g}/s, hold {args.hold:g} s")
    print(f"stations connected      {report.connected_peak} / {args.stations}")
    print(f"time to ramp up         {report.ramp_seconds:.1f} s "
          f"({report.connected_peak / max(report.ramp_seconds, 1e-9):.0f} connections/s)")
    print(f"calls/s while held      {report.calls_per_s:.1f} "
          f"(expected {report.connected_peak / args.heartbeat:.1f})")
    print(report.format())
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(report.to_json(), out, indent=1)
    ok = report.connected_peak == args.stations and report.lost == 0
    print(f"result: {'OK' if ok else 'NOT REACHED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
