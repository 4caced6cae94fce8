"""The ``ocpp-toolkit`` command line.

``ocpp-toolkit demo`` starts the embedded CSMS (``ocpp_trio.serve`` on 127.0.0.1) and a
simulated station (``ocpp_trio.connect``) in one process and runs a full charging session
(boot, authorize, start, meter values, remote stop, stop) on OCPP 1.6-J, 2.0.1-J, 1.5-S and
1.6-S in turn, over real sockets, strictly validated both ways, printing the OCPP messages as
a timeline; it exits non-zero if anything failed.
"""

import argparse
import collections
import datetime
import itertools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import trio

from ocpp_sansio import Version, codec, v15, v16, v201
from ocpp_sansio.actions import actions_for
from ocpp_sansio.handlers import Router

from . import connect, serve
from .sim.commands import add_commands

_COLOURS = {"CS": "\033[36m", "CSMS": "\033[35m", "ok": "\033[32m", "fail": "\033[31m"}
_RESET = "\033[0m"


class Timeline:
    """Prints each OCPP-J frame with its direction, coloured when the output is a terminal."""

    def __init__(self, out: TextIO, colour: bool) -> None:
        self.out = out
        self.colour = colour
        self.count = 0

    def paint(self, key: str, text: str) -> str:
        return f"{_COLOURS[key]}{text}{_RESET}" if self.colour else text

    def message(self, sender: str, action: str, message: Any, ms: float | None = None) -> None:
        """One request (``action`` given) or its answer (``ms``: round-trip time)."""
        receiver = "CSMS" if sender == "CS" else "CS"
        arrow = self.paint(sender, f"{sender:>4} -> {receiver:<4}")
        text = codec.dumps(codec.to_wire(message))
        shown = text if len(text) <= 130 else text[:127] + "..."
        if ms is None:
            self.count += 1
            print(f"  {self.count:3}  {arrow}  {action:<22} {shown}", file=self.out)
        else:
            print(f"       {arrow}  {'  answer':<22} {shown}  ({ms:.1f} ms)", file=self.out)

    def line(self, key: str, text: str) -> None:
        print(self.paint(key, text), file=self.out)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


Step = tuple[str, Any, Any]  # (who calls: "CS" or "CSMS", request, the answer the peer gives)


def steps_16() -> list[Step]:
    """The 1.6 session (OCPP-J and OCPP-S alike)."""
    accepted = v16.IdTagInfo(status=v16.AuthorizationStatus.Accepted)
    return [
        ("CS", v16.BootNotificationRequest(
            charge_point_vendor="ocpp-toolkit", charge_point_model="demo-station"),
         v16.BootNotificationResponse(
             status=v16.RegistrationStatus.Accepted, current_time=_now(), interval=300)),
        ("CS", v16.AuthorizeRequest(id_tag="DEMO-TAG"),
         v16.AuthorizeResponse(id_tag_info=accepted)),
        ("CS", v16.StartTransactionRequest(
            connector_id=1, id_tag="DEMO-TAG", meter_start=0, timestamp=_now()),
         v16.StartTransactionResponse(transaction_id=1, id_tag_info=accepted)),
        ("CS", v16.MeterValuesRequest(connector_id=1, transaction_id=1, meter_value=[
            v16.MeterValue(timestamp=_now(), sampled_value=[v16.SampledValue(
                value="1500", measurand=v16.Measurand.Energy_Active_Import_Register,
                unit=v16.UnitOfMeasure.Wh)])]),
         v16.MeterValuesResponse()),
        ("CSMS", v16.RemoteStopTransactionRequest(transaction_id=1),
         v16.RemoteStopTransactionResponse(status=v16.RemoteStartStopStatus.Accepted)),
        ("CS", v16.StopTransactionRequest(
            transaction_id=1, meter_stop=3000, timestamp=_now(), reason=v16.Reason.Remote),
         v16.StopTransactionResponse(id_tag_info=accepted)),
    ]


def steps_15() -> list[Step]:
    accepted = v15.IdTagInfo(status=v15.AuthorizationStatus.Accepted)
    return [
        ("CS", v15.BootNotificationRequest(
            charge_point_vendor="ocpp-toolkit", charge_point_model="demo-station"),
         v15.BootNotificationResponse(status=v15.RegistrationStatus.Accepted,
                                      current_time=_now(), heartbeat_interval=300)),
        ("CS", v15.AuthorizeRequest(id_tag="DEMO-TAG"),
         v15.AuthorizeResponse(id_tag_info=accepted)),
        ("CS", v15.StartTransactionRequest(
            connector_id=1, id_tag="DEMO-TAG", meter_start=0, timestamp=_now()),
         v15.StartTransactionResponse(transaction_id=1, id_tag_info=accepted)),
        ("CS", v15.MeterValuesRequest(connector_id=1, transaction_id=1, values=[
            v15.MeterValue(timestamp=_now(), value=[v15.MeterValueValue(
                value="1500", measurand=v15.Measurand.Energy_Active_Import_Register,
                unit=v15.UnitOfMeasure.Wh)])]),
         v15.MeterValuesResponse()),
        ("CSMS", v15.RemoteStopTransactionRequest(transaction_id=1),
         v15.RemoteStopTransactionResponse(status=v15.RemoteStartStopStatus.Accepted)),
        ("CS", v15.StopTransactionRequest(transaction_id=1, meter_stop=3000, timestamp=_now()),
         v15.StopTransactionResponse(id_tag_info=accepted)),
    ]


def steps_201() -> list[Step]:
    token = v201.IdTokenType(id_token="DEMO-TAG", type=v201.IdTokenEnumType.ISO14443)
    accepted = v201.IdTokenInfoType(status=v201.AuthorizationStatusEnumType.Accepted)
    seq = itertools.count()

    def event(kind: v201.TransactionEventEnumType, trigger: v201.TriggerReasonEnumType,
              **extra: Any) -> v201.TransactionEventRequest:
        return v201.TransactionEventRequest(
            event_type=kind, timestamp=_now(), trigger_reason=trigger, seq_no=next(seq),
            transaction_info=v201.TransactionType(transaction_id="TX-1", **extra.pop("info", {})),
            **extra)

    return [
        ("CS", v201.BootNotificationRequest(
            charging_station=v201.ChargingStationType(
                model="demo-station", vendor_name="ocpp-toolkit"),
            reason=v201.BootReasonEnumType.PowerUp),
         v201.BootNotificationResponse(current_time=_now(), interval=300,
                                       status=v201.RegistrationStatusEnumType.Accepted)),
        ("CS", v201.AuthorizeRequest(id_token=token),
         v201.AuthorizeResponse(id_token_info=accepted)),
        ("CS", event(v201.TransactionEventEnumType.Started, v201.TriggerReasonEnumType.Authorized,
                     evse=v201.EVSEType(id=1, connector_id=1), id_token=token),
         v201.TransactionEventResponse(id_token_info=accepted)),
        ("CS", event(v201.TransactionEventEnumType.Updated,
                     v201.TriggerReasonEnumType.MeterValuePeriodic, meter_value=[
                         v201.MeterValueType(timestamp=_now(), sampled_value=[
                             v201.SampledValueType(value=1500.0)])]),
         v201.TransactionEventResponse()),
        ("CSMS", v201.RequestStopTransactionRequest(transaction_id="TX-1"),
         v201.RequestStopTransactionResponse(status=v201.RequestStartStopStatusEnumType.Accepted)),
        ("CS", event(v201.TransactionEventEnumType.Ended, v201.TriggerReasonEnumType.RemoteStop,
                     info={"stopped_reason": v201.ReasonEnumType.Remote}),
         v201.TransactionEventResponse()),
    ]


#: name -> (version, transport, URL scheme, steps)
SESSIONS: dict[str, tuple[Version, str, str, Callable[[], list[Step]]]] = {
    "1.6-J": (Version.V16, "json", "ws", steps_16),
    "2.0.1-J": (Version.V201, "json", "ws", steps_201),
    "1.5-S": (Version.V15, "soap", "http", steps_15),
    "1.6-S": (Version.V16, "soap", "http", steps_16),
}


def _answering(steps: list[Step], caller: str) -> Router:
    """Handlers that answer each CALL of ``caller`` with the scripted answer, in order."""
    answers: dict[str, collections.deque[Any]] = collections.defaultdict(collections.deque)
    for who, request, answer in steps:
        if who == caller:
            answers[actions_of(request)].append(answer)
    router = Router()
    for action, queue in answers.items():
        async def handler(request: Any, ctx: Any, queue: Any = queue) -> Any:
            return queue.popleft()
        router.on(action)(handler)
    return router


def actions_of(message: Any) -> str:
    for version in Version:
        try:
            return actions_for(version).of(message)[0].name
        except KeyError:
            continue
    raise KeyError(type(message).__name__)


async def run_session(name: str, timeline: Timeline) -> None:
    version, transport, scheme, make_steps = SESSIONS[name]
    steps = make_steps()
    async with serve("127.0.0.1", 0, handlers=_answering(steps, "CS")) as server:
        url = f"{scheme}://127.0.0.1:{server.port}/ocpp"
        timeline.line("ok", f"   CSMS listening on 127.0.0.1:{server.port}; station DEMO-1 "
                            f"connects to {url}")
        async with connect(url, "DEMO-1", versions=(version,), transport=transport,
                           handlers=_answering(steps, "CSMS")) as station:
            for who, request, _ in steps:
                timeline.message(who, actions_of(request), request)
                started = trio.current_time()
                if who == "CS":
                    reply = await station.call(request)
                else:
                    reply = await server.call("DEMO-1", request)
                elapsed = (trio.current_time() - started) * 1000
                timeline.message("CSMS" if who == "CS" else "CS", "", reply, elapsed)


def demo(args: argparse.Namespace, out: TextIO) -> int:
    colour = not args.no_colour and out.isatty() and "NO_COLOR" not in os.environ
    timeline = Timeline(out, colour)
    chosen = list(SESSIONS) if args.only is None else [args.only]
    failed = 0
    for name in chosen:
        timeline.line("ok", f"\n== OCPP {name}: full charging session (station <-> embedded CSMS)")
        try:
            trio.run(run_session, name, timeline)
        except Exception as exc:  # report every failure, then exit non-zero
            failed += 1
            timeline.line("fail", f"   FAILED: {type(exc).__name__}: {exc}")
        else:
            timeline.line("ok", f"   OK: {name} session complete")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    """The ``ocpp-toolkit`` parser with every subcommand (``docs/cli.md`` shows their help)."""
    parser = argparse.ArgumentParser(
        prog="ocpp-toolkit",
        description="OCPP toolkit: a demo session, a CSMS simulator, simulated stations, and "
                    "load tests.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "demo", help="run a full charging session between a simulated station and a CSMS")
    run.add_argument("--only", choices=list(SESSIONS), help="run one version/transport only")
    run.add_argument("--no-colour", "--no-color", action="store_true", help="plain output")
    run.set_defaults(func=lambda args: demo(args, sys.stdout))
    add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
