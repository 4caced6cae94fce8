"""``ocpp-toolkit csms``: the CSMS simulator on the command line (see :mod:`.csms`)."""

import argparse
import contextlib
import sys
from typing import Any

import trio

from .commands import DEFAULT_HOST, DEFAULT_PORT, add_log_options, open_log
from .csms import POLICIES, AuthPolicy, CsmsSimulator, station_urls
from .log import MessageLog


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

    with open_log(args) as log, contextlib.suppress(KeyboardInterrupt):
        trio.run(main, log)
    return 0


def add_command(subparsers: Any) -> None:
    """Register ``csms`` on ``subparsers``."""
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
    add_log_options(csms)
    csms.set_defaults(func=run_csms)

