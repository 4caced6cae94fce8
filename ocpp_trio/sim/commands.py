"""The ``ocpp-toolkit csms`` and ``ocpp-toolkit station`` subcommands.

``add_commands(subparsers)`` registers both on the CLI's subparsers; each parser's ``func``
(``args -> exit status``) runs the command under trio until interrupted or done.
"""

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import trio

from ocpp_sansio.version import Version

from .csms import POLICIES, AuthPolicy, CsmsSimulator, station_urls
from .log import MessageLog
from .scenarios import BUILTIN
from .station import SUPPORTED, SimStation, StationOptions

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 9000


@contextlib.contextmanager
def _log(args: argparse.Namespace) -> Iterator[MessageLog]:
    """The message log the arguments ask for (human on stdout unless ``--quiet``)."""
    human: TextIO | None = None if args.quiet else sys.stdout
    if args.jsonl is None:
        yield MessageLog(human)
    elif args.jsonl == "-":
        yield MessageLog(None if human is sys.stdout else human, sys.stdout)
    else:
        with open(args.jsonl, "a", encoding="utf-8") as out:
            yield MessageLog(human, out)


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _add_log_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jsonl", metavar="FILE",
                        help="also write every message as a JSON line to FILE ('-': stdout, "
                             "replacing the human-readable log)")
    parser.add_argument("--quiet", action="store_true", help="no human-readable message log")


def run_csms(args: argparse.Namespace) -> int:
    """``ocpp-toolkit csms``: serve until interrupted."""
    if args.policy == "allow-list" and not args.allow:
        print("csms: --policy allow-list needs at least one --allow TAG", file=sys.stderr)
        return 2
    policy = AuthPolicy(mode=args.policy, allowed=frozenset(args.allow or ()), boot=args.boot,
                        interval=args.interval)

    async def main(log: MessageLog) -> None:
        csms = CsmsSimulator(policy, log)
        async with csms.run(args.host, args.port, soap=not args.no_soap) as server:
            print(f"CSMS simulator on {args.host}:{server.port} (policy {args.policy})",
                  file=sys.stderr)
            for url in station_urls(args.host, server.port):
                print(f"  {url}", file=sys.stderr)
            await trio.sleep_forever()

    with _log(args) as log, contextlib.suppress(KeyboardInterrupt):
        trio.run(main, log)
    return 0


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
            for leaf in _leaves(exc):
                print(f"station {station_id}: {type(leaf).__name__}: {leaf}", file=sys.stderr)

    async def main(log: MessageLog) -> None:
        async with trio.open_nursery() as nursery:
            for station_id in ids:
                nursery.start_soon(one, log, station_id)

    with _log(args) as log:
        try:
            trio.run(main, log)
        except KeyboardInterrupt:
            return 130
    return 1 if failures else 0


def add_commands(subparsers: Any) -> None:
    """Register ``csms`` and ``station`` on ``subparsers`` (from ``add_subparsers()``)."""
    urls = "\n".join(f"  {u}" for u in station_urls("<host>", 0)).replace(":0/", ":<port>/")
    csms = subparsers.add_parser(
        "csms", help="run a CSMS simulator (OCPP-J and OCPP-S on one port)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A CSMS simulator accepting stations of OCPP 1.5, 1.6, 2.0.1 and 2.1.",
        epilog=f"station URLs (host/port as given; defaults {DEFAULT_HOST}:{DEFAULT_PORT}):\n"
               f"{urls}")
    csms.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    csms.add_argument("--port", type=int, default=DEFAULT_PORT,
                      help=f"port (default {DEFAULT_PORT}; 0 picks one)")
    csms.add_argument("--policy", choices=POLICIES, default="accept",
                      help="id tag authorization: accept all, the --allow list, reject all")
    csms.add_argument("--allow", action="append", metavar="TAG", help="an allowed id tag")
    csms.add_argument("--boot", choices=("Accepted", "Pending", "Rejected"), default="Accepted",
                      help="the BootNotification registration status (default Accepted)")
    csms.add_argument("--interval", type=int, default=300, help="heartbeat interval given (s)")
    csms.add_argument("--no-soap", action="store_true", help="serve OCPP-J only")
    _add_log_options(csms)
    csms.set_defaults(func=run_csms)

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
    _add_log_options(station)
    station.set_defaults(func=run_station)
