"""The ``ocpp-toolkit`` command line.

``ocpp-toolkit demo`` runs a full charging session (boot, authorize, start, meter values,
remote stop, stop) between a simulated station and a CSMS and prints the OCPP messages as a
timeline. Both sides are real :class:`~ocpp_sansio.rpc.RpcConnection` engines exchanging
OCPP-J text, validated strictly in both directions; until the socket bindings land the text
travels in memory rather than over a WebSocket.
"""

import argparse
import datetime
import itertools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ocpp_sansio import Version, v16, v201
from ocpp_sansio.rpc import CallReceived, ResultReceived, RpcConnection

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

    def frame(self, sender: str, text: str) -> None:
        self.count += 1
        receiver = "CSMS" if sender == "CS" else "CS"
        arrow = self.paint(sender, f"{sender:>4} -> {receiver:<4}")
        shown = text if len(text) <= 160 else text[:157] + "..."
        print(f"  {self.count:3}  {arrow}  {shown}", file=self.out)

    def line(self, key: str, text: str) -> None:
        print(self.paint(key, text), file=self.out)


class Session:
    """A station engine and a CSMS engine joined in memory, with a fake monotonic clock."""

    def __init__(self, version: Version, timeline: Timeline) -> None:
        self.station = RpcConnection(version, "cs")
        self.csms = RpcConnection(version, "csms")
        self.timeline = timeline
        self.clock = itertools.count()

    def _deliver(self, sender: RpcConnection) -> list[Any]:
        receiver = self.csms if sender is self.station else self.station
        events = []
        for text in sender.data_to_send():
            self.timeline.frame("CS" if sender is self.station else "CSMS", text)
            events += receiver.receive_text(text, now=float(next(self.clock)))
        return events

    def call(self, caller: RpcConnection, request: Any, answer: Callable[[Any], Any]) -> Any:
        """Send ``request`` from ``caller``; the other side answers with ``answer(request)``."""
        callee = self.csms if caller is self.station else self.station
        caller.send_call(request, now=float(next(self.clock)))
        for event in self._deliver(caller):
            if not isinstance(event, CallReceived):
                raise RuntimeError(f"unexpected event {event!r}")
            callee.send_result(event.unique_id, answer(event.message))
        for event in self._deliver(callee):
            if isinstance(event, ResultReceived):
                return event.message
            raise RuntimeError(f"unexpected event {event!r}")
        raise RuntimeError("no answer")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def session_16(s: Session) -> None:
    cs, csms = s.station, s.csms
    accepted = v16.IdTagInfo(status=v16.AuthorizationStatus.Accepted)
    boot = s.call(cs, v16.BootNotificationRequest(
        charge_point_vendor="ocpp-toolkit", charge_point_model="demo-station"),
        lambda _: v16.BootNotificationResponse(
            status=v16.RegistrationStatus.Accepted, current_time=_now(), interval=300))
    assert boot.status is v16.RegistrationStatus.Accepted
    s.call(cs, v16.AuthorizeRequest(id_tag="DEMO-TAG"),
           lambda _: v16.AuthorizeResponse(id_tag_info=accepted))
    start = s.call(cs, v16.StartTransactionRequest(
        connector_id=1, id_tag="DEMO-TAG", meter_start=0, timestamp=_now()),
        lambda _: v16.StartTransactionResponse(transaction_id=1, id_tag_info=accepted))
    tx = start.transaction_id
    s.call(cs, v16.MeterValuesRequest(connector_id=1, transaction_id=tx, meter_value=[
        v16.MeterValue(timestamp=_now(), sampled_value=[v16.SampledValue(
            value="1500", measurand=v16.Measurand.Energy_Active_Import_Register,
            unit=v16.UnitOfMeasure.Wh)])]),
        lambda _: v16.MeterValuesResponse())
    stop = s.call(csms, v16.RemoteStopTransactionRequest(transaction_id=tx),
                  lambda _: v16.RemoteStopTransactionResponse(
                      status=v16.RemoteStartStopStatus.Accepted))
    assert stop.status is v16.RemoteStartStopStatus.Accepted
    s.call(cs, v16.StopTransactionRequest(
        transaction_id=tx, meter_stop=3000, timestamp=_now(), reason=v16.Reason.Remote),
        lambda _: v16.StopTransactionResponse(id_tag_info=accepted))


def session_201(s: Session) -> None:
    cs, csms = s.station, s.csms
    token = v201.IdTokenType(id_token="DEMO-TAG", type=v201.IdTokenEnumType.ISO14443)
    accepted = v201.IdTokenInfoType(status=v201.AuthorizationStatusEnumType.Accepted)
    boot = s.call(cs, v201.BootNotificationRequest(
        charging_station=v201.ChargingStationType(model="demo-station", vendor_name="ocpp-toolkit"),
        reason=v201.BootReasonEnumType.PowerUp),
        lambda _: v201.BootNotificationResponse(
            current_time=_now(), interval=300, status=v201.RegistrationStatusEnumType.Accepted))
    assert boot.status is v201.RegistrationStatusEnumType.Accepted
    s.call(cs, v201.AuthorizeRequest(id_token=token),
           lambda _: v201.AuthorizeResponse(id_token_info=accepted))
    evse = v201.EVSEType(id=1, connector_id=1)
    seq = itertools.count()

    def event(kind: v201.TransactionEventEnumType, trigger: v201.TriggerReasonEnumType,
              **extra: Any) -> v201.TransactionEventRequest:
        return v201.TransactionEventRequest(
            event_type=kind, timestamp=_now(), trigger_reason=trigger, seq_no=next(seq),
            transaction_info=v201.TransactionType(transaction_id="TX-1", **extra.pop("info", {})),
            **extra)

    s.call(cs, event(v201.TransactionEventEnumType.Started,
                     v201.TriggerReasonEnumType.Authorized, evse=evse, id_token=token),
           lambda _: v201.TransactionEventResponse(id_token_info=accepted))
    s.call(cs, event(v201.TransactionEventEnumType.Updated,
                     v201.TriggerReasonEnumType.MeterValuePeriodic, meter_value=[
                         v201.MeterValueType(timestamp=_now(), sampled_value=[
                             v201.SampledValueType(value=1500.0)])]),
           lambda _: v201.TransactionEventResponse())
    stop = s.call(csms, v201.RequestStopTransactionRequest(transaction_id="TX-1"),
                  lambda _: v201.RequestStopTransactionResponse(
                      status=v201.RequestStartStopStatusEnumType.Accepted))
    assert stop.status is v201.RequestStartStopStatusEnumType.Accepted
    s.call(cs, event(v201.TransactionEventEnumType.Ended, v201.TriggerReasonEnumType.RemoteStop,
                     info={"stopped_reason": v201.ReasonEnumType.Remote}),
           lambda _: v201.TransactionEventResponse())


SESSIONS: dict[str, tuple[Version, Callable[[Session], None]]] = {
    "1.6-J": (Version.V16, session_16),
    "2.0.1-J": (Version.V201, session_201),
}


def demo(args: argparse.Namespace, out: TextIO) -> int:
    colour = not args.no_colour and out.isatty() and "NO_COLOR" not in os.environ
    timeline = Timeline(out, colour)
    chosen = list(SESSIONS) if args.only is None else [args.only]
    failed = 0
    for name in chosen:
        version, run = SESSIONS[name]
        timeline.line("ok", f"\n== OCPP {name}: full charging session (station <-> embedded CSMS)")
        try:
            run(Session(version, timeline))
        except Exception as exc:  # report every failure, then exit non-zero
            failed += 1
            timeline.line("fail", f"   FAILED: {type(exc).__name__}: {exc}")
        else:
            timeline.line("ok", f"   OK: {name} session complete")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ocpp-toolkit", description="OCPP toolkit")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "demo", help="run a full charging session between a simulated station and a CSMS")
    run.add_argument("--only", choices=list(SESSIONS), help="run one version/transport only")
    run.add_argument("--no-colour", "--no-color", action="store_true", help="plain output")
    args = parser.parse_args(argv)
    return demo(args, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
