"""``ocpp-toolkit csms``: the CSMS simulator on the command line (see :mod:`.csms`).

Security options: ``--certfile``/``--keyfile`` serve ``wss://`` (security profile 2: TLS,
stations authenticate with Basic auth), ``--cafile`` also requires and verifies station
certificates (profile 3), ``--basic-auth ID:PASSWORD`` (repeatable) makes stations present
their password (profiles 1 and 2; OCPP 1.6 Security Whitepaper section 2, OCPP 2.0.1 Part 2
A00). The security profiles are defined for OCPP-J only, so ``--basic-auth`` turns OCPP-S
off (it has no password check). ``--scenario FILE`` runs a CSMS scenario file,
``--control HOST:PORT`` serves the HTTP control API (:mod:`.control`).
"""

import argparse
import contextlib
import ssl as _ssl
import sys
from collections.abc import Callable
from typing import Any

import trio

from ocpp_sansio.ws import Accept, AuthRequest, Reject

from .commands import DEFAULT_HOST, DEFAULT_PORT, add_log_options, open_log
from .control import control_api, parse_address
from .csms import POLICIES, AuthPolicy, CsmsSimulator, ScenarioOutcome, basic_auth, station_urls
from .load import freeze_survivors, raise_fd_limit
from .log import MessageLog
from .scenario_file import CsmsScenario, ScenarioError, load_scenario


class UsageError(Exception):
    """Command-line arguments that do not fit together (exit status 2)."""


def security(args: argparse.Namespace) -> tuple[_ssl.SSLContext | None,
                                                Callable[[AuthRequest], Accept | Reject] | None]:
    """The TLS context and the auth callback the ``--certfile``/``--keyfile``/``--cafile``/
    ``--basic-auth`` options ask for; raises :class:`UsageError`."""
    from ocpp_sansio.ws.tls import CertChain, server_context  # noqa: PLC0415

    context = None
    if args.cafile and not args.certfile:
        raise UsageError("--cafile (security profile 3) needs --certfile")
    if args.keyfile and not args.certfile:
        raise UsageError("--keyfile needs --certfile")
    if args.certfile:
        chain = CertChain(certfile=args.certfile, keyfile=args.keyfile)
        try:
            context = server_context(3 if args.cafile else 2, chain,
                                     client_cafile=args.cafile)
        except (OSError, _ssl.SSLError) as exc:
            raise UsageError(f"cannot load the TLS material: {exc}") from None
    auth = None
    if args.basic_auth:
        credentials: dict[str, str] = {}
        for item in args.basic_auth:
            station_id, sep, password = item.partition(":")
            if not sep or not station_id or not password:
                raise UsageError(f"--basic-auth expects ID:PASSWORD, got {item!r}")
            credentials[station_id] = password
        auth = basic_auth(credentials)
    return context, auth


def run_csms(args: argparse.Namespace) -> int:
    """``ocpp-toolkit csms``: serve until interrupted."""
    if args.policy == "allow-list" and not args.allow:
        print("csms: --policy allow-list needs at least one --allow TAG", file=sys.stderr)
        return 2
    try:
        ssl_context, auth = security(args)
        control = None if args.control is None else parse_address(args.control)
        scenario = None if args.scenario is None else load_scenario(args.scenario, "csms")
    except (UsageError, ValueError) as exc:
        print(f"csms: {exc}", file=sys.stderr)
        return 2
    except ScenarioError as exc:
        print(f"csms: invalid scenario file:\n{exc}", file=sys.stderr)
        return 2
    assert scenario is None or isinstance(scenario, CsmsScenario)
    policy = AuthPolicy(mode=args.policy, allowed=frozenset(args.allow or ()), boot=args.boot,
                        interval=args.interval)
    soap = not (args.no_soap or auth is not None)

    def report(outcome: ScenarioOutcome) -> None:
        print(f"scenario: {outcome.describe(scenario)}", file=sys.stderr)

    raise_fd_limit()

    async def main(log: MessageLog) -> None:
        csms = CsmsSimulator(policy, log, scenario=scenario, on_outcome=report)
        async with trio.open_nursery() as nursery, csms.run(
                args.host, args.port, soap=soap, ssl=ssl_context, auth=auth) as server:
            mode = {None: "no TLS", 2: "TLS (security profile 2)",
                    3: "mutual TLS (security profile 3)"}[
                None if ssl_context is None else 3 if args.cafile else 2]
            extra = f", Basic auth for {len(args.basic_auth)} station(s)" if auth else ""
            print(f"CSMS simulator on {args.host}:{server.port} (policy {args.policy}, "
                  f"{mode}{extra})", file=sys.stderr)
            for url in station_urls(args.host, server.port, tls=ssl_context is not None,
                                    soap=soap):
                print(f"  {url}", file=sys.stderr)
            if not args.no_gc_freeze:
                nursery.start_soon(freeze_survivors)
            if auth is not None and not args.no_soap:
                print("  OCPP-S is off: it has no Basic auth (security profiles are OCPP-J "
                      "only)", file=sys.stderr)
            if scenario is not None:
                print(f"  scenario {args.scenario}: {len(scenario.calls)} call(s)",
                      file=sys.stderr)
            async with contextlib.AsyncExitStack() as stack:
                if control is not None:
                    api = await stack.enter_async_context(control_api(csms, *control))
                    print(f"  control API: {api.url}/stations", file=sys.stderr)
                await trio.sleep_forever()

    with open_log(args) as log:
        try:
            trio.run(main, log)
        except* KeyboardInterrupt:  # Ctrl-C (possibly inside the nursery's group): stop
            pass
    return 0


def add_command(subparsers: Any) -> None:
    """Register ``csms`` on ``subparsers``."""
    urls = "\n".join(f"  {u}" for u in station_urls("<host>", 0)).replace(":0/", ":<port>/")
    csms = subparsers.add_parser(
        "csms", help="run a CSMS simulator (OCPP-J and OCPP-S on one port)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A CSMS simulator accepting stations of OCPP 1.5, 1.6, 2.0.1 and 2.1.",
        epilog=f"station URLs (host/port as given; defaults {DEFAULT_HOST}:{DEFAULT_PORT}; "
               f"wss/https with --certfile):\n{urls}")
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
    csms.add_argument("--no-gc-freeze", action="store_true",
                      help="do not move long-lived objects out of the garbage collector's reach "
                           "once a second (needed to hold thousands of stations without stalls)")
    csms.add_argument("--certfile", metavar="PEM",
                      help="serve TLS (wss/https) with this certificate chain "
                           "(security profile 2)")
    csms.add_argument("--keyfile", metavar="PEM", help="the key of --certfile (if separate)")
    csms.add_argument("--cafile", metavar="PEM",
                      help="require station certificates signed by this CA "
                           "(security profile 3; needs --certfile)")
    csms.add_argument("--basic-auth", action="append", metavar="ID:PASSWORD",
                      help="a station and its password; stations must present theirs "
                           "(security profiles 1/2; repeatable; turns OCPP-S off)")
    csms.add_argument("--scenario", metavar="FILE",
                      help="a CSMS scenario file (.toml/.yaml): calls sent to stations")
    csms.add_argument("--control", metavar="[HOST:]PORT",
                      help="serve the HTTP control API there (default host 127.0.0.1)")
    add_log_options(csms)
    csms.set_defaults(func=run_csms)
