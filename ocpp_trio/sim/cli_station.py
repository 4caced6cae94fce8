"""``ocpp-toolkit station``: simulated stations on the command line (see :mod:`.station`)."""

import argparse
import sys
from typing import Any

import trio

from ocpp_sansio.version import Version

from .commands import add_log_options, leaves, open_log
from .log import MessageLog
from .scenarios import BUILTIN
from .station import SUPPORTED, SimStation, StationOptions


def run_station(args: argparse.Namespace) -> int:
    """``ocpp-toolkit station``: run the scenario on ``--count`` stations; 0 if all succeeded."""
    ssl_context: Any = None
    if args.url.startswith("wss:"):
        from ocpp_sansio.ws.tls import CertChain, client_context  # noqa: PLC0415

        chain = None if args.certfile is None else CertChain(certfile=args.certfile,
                                                               keyfile=args.keyfile)
        ssl_context = client_context(3 if chain else 2, cafile=args.cafile, cert_chain=chain)
    ids = [args.id] if args.count == 1 else [f"{args.id}-{i}" for i in range(1, args.count + 1)]
    scenario = BUILTIN[args.scenario](args.duration)
    failures: list[str] = []

    async def one(log: MessageLog, station_id: str) -> None:
        options = StationOptions(
            url=args.url, station_id=station_id, version=Version(args.version),
            connectors=args.connectors, id_tag=args.id_tag,
            password=None if args.password is None else args.password.encode(),
            ssl=ssl_context, meter_values=args.meter_values, meter_interval=args.meter_interval)
        try:
            await SimStation(options, log).run(scenario)
        except Exception as exc:  # report each station's failure, keep the others running
            failures.append(station_id)
            for leaf in leaves(exc):
                print(f"station {station_id}: {type(leaf).__name__}: {leaf}", file=sys.stderr)

    async def main(log: MessageLog) -> None:
        async with trio.open_nursery() as nursery:
            for station_id in ids:
                nursery.start_soon(one, log, station_id)

    with open_log(args) as log:
        try:
            trio.run(main, log)
        except KeyboardInterrupt:
            return 130
    return 1 if failures else 0


def add_command(subparsers: Any) -> None:
    """Register ``station`` on ``subparsers``."""
    station = subparsers.add_parser(
        "station", help="run one or many simulated stations against a CSMS",
        description="Simulated charging stations (OCPP-J) running a built-in scenario.")
    station.add_argument("url", help="the CSMS URL, e.g. ws://127.0.0.1:9000/ocpp "
                                     "(the station id is appended)")
    station.add_argument("--id", default="CS-SIM", help="station id (with --count: prefix)")
    station.add_argument("--count", type=int, default=1, help="number of stations")
    station.add_argument("--version", choices=[str(v) for v in SUPPORTED], default="1.6")
    station.add_argument("--transport", choices=("json",), default="json",
                         help="OCPP-J (OCPP-S stations: not yet)")
    station.add_argument("--connectors", type=int, default=1)
    station.add_argument("--id-tag", default="SIM-TAG")
    station.add_argument("--scenario", choices=sorted(BUILTIN), default="charge-session")
    station.add_argument("--duration", type=float, default=None,
                         help="idle: seconds to run (default: until interrupted)")
    station.add_argument("--meter-values", type=int, default=2,
                         help="charge-session: meter reports per session")
    station.add_argument("--meter-interval", type=float, default=1.0,
                         help="charge-session: seconds between meter reports")
    station.add_argument("--password", help="Basic auth password (security profile 1/2)")
    station.add_argument("--cafile", help="wss: CA bundle to verify the CSMS")
    station.add_argument("--certfile", help="wss: client certificate (security profile 3)")
    station.add_argument("--keyfile", help="wss: client certificate key")
    add_log_options(station)
    station.set_defaults(func=run_station)
