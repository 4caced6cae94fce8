"""``ocpp-toolkit load``: load-test a CSMS with thousands of simulated stations (see :mod:`.load`).

Live progress goes to stderr once per second (one refreshed line on a terminal, a line per
second otherwise); the report to stdout; ``--json`` and ``--chart`` write it to files. Exit
status: 0 when no call was lost and connect failures stayed within ``--max-connect-failures``,
1 otherwise, 2 when the test could not run (options, file-descriptor limit, CSMS start).
"""

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

import trio

from ocpp_sansio.version import Version

from .load import LoadError, LoadOptions, LoadReport, Progress, fd_headroom, run_load, spawn_csms


def progress_printer(out: TextIO) -> Callable[[Progress], None]:
    """A progress callback writing to ``out``: a refreshed line on a TTY, else a line each."""
    tty = out.isatty()

    def show(p: Progress) -> None:
        if tty:
            out.write("\r" + p.line() + "\x1b[K")
        else:
            out.write(p.line() + "\n")
        out.flush()

    return show


def options_from(args: argparse.Namespace, url: str) -> LoadOptions:
    return LoadOptions(
        url=url, stations=args.stations, ramp=args.ramp, duration=args.duration,
        version=Version(args.version), heartbeat=args.heartbeat, tx_rate=args.tx_rate,
        meter_values=args.meter_values, meter_interval=args.meter_interval,
        timeout=args.timeout, connect_timeout=args.connect_timeout, id_prefix=args.id_prefix,
        id_tag=args.id_tag, compression=args.compression, seed=args.seed)


@contextlib.contextmanager
def _target(args: argparse.Namespace) -> Iterator[tuple[str, int | None]]:
    if args.spawn_csms:
        with spawn_csms(extra_args=("--interval", str(max(1, round(args.heartbeat))))) as csms:
            print(f"load: CSMS simulator spawned (pid {csms.pid}) at {csms.url}",
                  file=sys.stderr)
            yield csms.url, csms.pid
    else:
        yield args.url, None


def run_load_command(args: argparse.Namespace) -> int:
    """``ocpp-toolkit load``: run, print the report, write ``--json`` / ``--chart``."""
    if (args.url is None) == (not args.spawn_csms):
        print("load: give the CSMS URL or --spawn-csms (not both)", file=sys.stderr)
        return 2
    if args.chart is not None and not args.chart.lower().endswith((".html", ".htm", ".svg")):
        print("load: --chart FILE must end in .html or .svg (PNG is not offered)",
              file=sys.stderr)
        return 2
    progress = None if args.quiet else progress_printer(sys.stderr)
    try:
        fd_headroom(args.stations)
        with _target(args) as (url, pid):
            options = options_from(args, url)
            report: LoadReport = trio.run(
                lambda: run_load(options, progress=progress, csms_pid=pid))
    except (LoadError, ValueError) as exc:
        print(f"load: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        if progress is not None and sys.stderr.isatty():
            sys.stderr.write("\n")
    print(report.format())
    if args.json is not None:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(report.to_json(), out, indent=1)
    if args.chart is not None:
        from .load_chart import write_chart  # noqa: PLC0415

        write_chart(report, args.chart)
    ok = report.passed(args.max_connect_failures)
    if not ok:
        ratio = report.connect_failure_ratio()
        print(f"load: FAILED (lost calls {report.lost}, connect failures {ratio:.1%} > "
              f"{args.max_connect_failures:.1%} allowed)" if ratio > args.max_connect_failures
              else f"load: FAILED (lost calls {report.lost})", file=sys.stderr)
    return 0 if ok else 1


def add_command(subparsers: Any) -> None:
    """Register ``load`` on ``subparsers``."""
    p = subparsers.add_parser(
        "load", help="load-test a CSMS with many simulated stations",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Open many OCPP-J station connections at a ramp-up rate, send heartbeats "
                    "(and transactions) for a duration, then report per-action latency "
                    "percentiles, errors and lost calls.",
        epilog="examples:\n"
               "  ocpp-toolkit load ws://127.0.0.1:9000/ocpp --stations 1000 --ramp 200\n"
               "  ocpp-toolkit load --spawn-csms --stations 10000 --ramp 500 --duration 60 "
               "--heartbeat 10\n"
               "exit status: 0 ok; 1 lost calls or too many connect failures; 2 could not run")
    p.add_argument("url", nargs="?", help="the CSMS OCPP-J URL, e.g. ws://127.0.0.1:9000/ocpp "
                                          "(each station id is appended)")
    p.add_argument("--spawn-csms", action="store_true",
                   help="start the CSMS simulator (ocpp-toolkit csms --quiet) in a child "
                        "process on a free port and load it")
    p.add_argument("--stations", type=int, default=100, help="number of stations (default 100)")
    p.add_argument("--ramp", type=float, default=100.0,
                   help="new connections per second (default 100)")
    p.add_argument("--duration", type=float, default=60.0,
                   help="seconds of load once all stations connected (default 60)")
    p.add_argument("--version", choices=[str(v) for v in Version], default="1.6",
                   help="OCPP version over OCPP-J (default 1.6)")
    p.add_argument("--heartbeat", type=float, default=30.0,
                   help="seconds between a station's heartbeats (default 30)")
    p.add_argument("--tx-rate", type=float, default=0.0,
                   help="transactions per station per minute (Authorize, start, meter values, "
                        "stop; default 0)")
    p.add_argument("--meter-values", type=int, default=2,
                   help="meter value reports per transaction (default 2)")
    p.add_argument("--meter-interval", type=float, default=10.0,
                   help="seconds between meter value reports (default 10)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per call (default 30)")
    p.add_argument("--connect-timeout", type=float, default=30.0,
                   help="seconds to open a connection (default 30)")
    p.add_argument("--id-prefix", default="LOAD",
                   help="station ids are PREFIX-00001, PREFIX-00002... (default LOAD)")
    p.add_argument("--id-tag", default="LOAD-TAG", help="id tag of the transactions")
    p.add_argument("--compression", action="store_true",
                   help="offer permessage-deflate (costs memory on both sides)")
    p.add_argument("--seed", type=int, default=0, help="seed of the heartbeat phases and "
                                                       "transaction times")
    p.add_argument("--max-connect-failures", type=float, default=0.0, metavar="RATIO",
                   help="fail when more than this share of the stations could not connect "
                        "(default 0)")
    p.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    p.add_argument("--chart", metavar="FILE",
                   help="write a chart of calls/s and latency over time (.html or .svg)")
    p.add_argument("--quiet", action="store_true", help="no live progress")
    p.set_defaults(func=run_load_command)
