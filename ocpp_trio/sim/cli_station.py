"""``ocpp-toolkit station``: simulated stations on the command line (see :mod:`.station`)."""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import trio

from ocpp_sansio.version import Version

from .._common import ReconnectPolicy
from .commands import add_log_options, leaves, open_log
from .log import MessageLog
from .scenario_file import ScenarioError, load_scenario
from .scenarios import BUILTIN
from .station import SOAP_VERSIONS, SUPPORTED, SimStation, StationOptions


def _listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``PORT`` 0: any free port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _reconnect(args: argparse.Namespace) -> ReconnectPolicy | None:
    if args.no_reconnect:
        return None
    return ReconnectPolicy(min_backoff=args.reconnect_min,
                           max_backoff=max(args.reconnect_max, args.reconnect_min),
                           jitter=args.reconnect_jitter)


def state_dir() -> Path:
    """``$XDG_STATE_HOME/ocpp-toolkit`` (default ``~/.local/state/ocpp-toolkit``): where
    state that must outlive the process is kept (XDG Base Directory Specification)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                             "state")
    return Path(base) / "ocpp-toolkit"


def outbox_path(option: str | None, station_id: str, version: Version) -> str:
    """Where a station's outbox lives: ``memory`` (not durable), a file given with
    ``--outbox`` (``{id}`` is replaced by the station id, for ``--count``), or by default
    ``<state dir>/outbox/<station id>-<version>.sqlite3`` (see :func:`state_dir`): the same
    station restarted finds its unacknowledged messages there, whatever the directory it
    is started from."""
    if option == "memory":
        return option
    if option is None:
        path = state_dir() / "outbox" / f"{station_id}-{version}.sqlite3"
    else:
        path = Path(option.replace("{id}", station_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def run_station(args: argparse.Namespace) -> int:
    """``ocpp-toolkit station``: run the scenario on ``--count`` stations; 0 if all succeeded."""
    version = Version(args.version)
    if args.transport == "soap" and version not in SOAP_VERSIONS:
        print(f"station: OCPP-S exists for {', '.join(SOAP_VERSIONS)} only", file=sys.stderr)
        return 2
    if args.count > 1 and args.outbox not in (None, "memory") and "{id}" not in args.outbox:
        print("station: with --count, --outbox needs '{id}' in the file name (or 'memory')",
              file=sys.stderr)
        return 2
    ssl_context: Any = None
    if args.url.startswith(("wss:", "https:")):
        from ocpp_sansio.ws.tls import CertChain, client_context  # noqa: PLC0415

        chain = None if args.certfile is None else CertChain(certfile=args.certfile,
                                                               keyfile=args.keyfile)
        ssl_context = client_context(3 if chain else 2, cafile=args.cafile, cert_chain=chain)
    ids = [args.id] if args.count == 1 else [f"{args.id}-{i}" for i in range(1, args.count + 1)]
    scenario: Any
    if args.scenario in BUILTIN:
        scenario = BUILTIN[args.scenario](args.duration)
    else:
        try:
            scenario = load_scenario(args.scenario, kind="station")
        except (ScenarioError, OSError) as exc:
            print(f"station: cannot use scenario {args.scenario!r}:\n{exc}", file=sys.stderr)
            return 2
    reconnect = _reconnect(args)
    failures: list[str] = []

    async def one(log: MessageLog, station_id: str) -> None:
        options = StationOptions(
            url=args.url, station_id=station_id, version=version, transport=args.transport,
            connectors=args.connectors, id_tag=args.id_tag,
            password=None if args.password is None else args.password.encode(),
            ssl=ssl_context, meter_values=args.meter_values, meter_interval=args.meter_interval,
            soap_listen=(args.soap_listen if args.count == 1 or args.soap_listen[1] == 0
                         else (args.soap_listen[0], 0)),
            soap_url=args.soap_url, reconnect=reconnect,
            outbox=outbox_path(args.outbox, station_id, version))
        try:
            station = SimStation(options, log)
            try:
                await station.run(scenario)
            finally:
                station.close()
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
        description="Simulated charging stations (OCPP 1.5, 1.6, 2.0.1, 2.1 over OCPP-J; "
                    "1.5, 1.6 over OCPP-S) running a built-in scenario or a scenario file.")
    station.add_argument("url", help="the CSMS URL, e.g. ws://127.0.0.1:9000/ocpp (OCPP-J: "
                                     "the station id is appended) or http://127.0.0.1:9000/"
                                     "ocpp (OCPP-S)")
    station.add_argument("--id", default="CS-SIM", help="station id (with --count: prefix)")
    station.add_argument("--count", type=int, default=1, help="number of stations")
    station.add_argument("--version", choices=[str(v) for v in SUPPORTED], default="1.6")
    station.add_argument("--transport", choices=("json", "soap"), default="json",
                         help="OCPP-J (default) or OCPP-S (1.5 and 1.6; the station serves "
                              "its own endpoint, see --soap-listen)")
    station.add_argument("--soap-listen", type=_listen, default=("127.0.0.1", 0),
                         metavar="HOST:PORT",
                         help="OCPP-S: where the station's endpoint listens (default "
                              "127.0.0.1:0, a free port; with --count a fixed port applies "
                              "to one station only, the others take free ports)")
    station.add_argument("--soap-url", help="OCPP-S: the URL the CSMS is told to call back "
                                            "(default: http://HOST:PORT/ of --soap-listen)")
    station.add_argument("--connectors", type=int, default=1)
    station.add_argument("--id-tag", default="SIM-TAG")
    station.add_argument("--scenario", metavar="NAME_OR_FILE", default="charge-session",
                         help=f"a built-in scenario ({', '.join(sorted(BUILTIN))}) or a "
                              "scenario file (.toml, .yaml; docs/simulators.md)")
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
    station.add_argument("--reconnect-min", type=float, default=1.0, metavar="SECONDS",
                         help="first wait before reconnecting after a lost link (doubles on "
                              "each failed attempt)")
    station.add_argument("--reconnect-max", type=float, default=60.0, metavar="SECONDS",
                         help="longest wait between reconnect attempts")
    station.add_argument("--reconnect-jitter", type=float, default=1.0, metavar="SECONDS",
                         help="random extra wait, up to this, added to each")
    station.add_argument("--no-reconnect", action="store_true",
                         help="fail when the link is lost instead of reconnecting")
    station.add_argument("--outbox", metavar="FILE",
                         help="SQLite file keeping unacknowledged transaction messages across "
                              "restarts (default: ~/.local/state/ocpp-toolkit/outbox/"
                              "<station id>-<version>.sqlite3, $XDG_STATE_HOME if set; "
                              "'{id}' is replaced by the station id; 'memory': kept in "
                              "memory only)")
    add_log_options(station)
    station.set_defaults(func=run_station)
