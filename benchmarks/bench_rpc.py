"""RPC engine benchmark: one inbound round per message, CALL text in, CALLRESULT text out.

A CSMS receives a CALL (the payloads of :mod:`benchmarks.bench_model`, same rows) and answers
it with a fixed, realistic response. Columns, all in the same process and run:

- ocpp-toolkit: ``RpcConnection.receive_text`` (parse the frame, validate the payload, decode
  the typed request, a ``CallReceived`` event), the application's handler (a dict lookup
  returning the response object), ``send_result`` (encode, validate the response, frame) and
  ``data_to_send``;
- floor: ``orjson.loads``, the fastjsonschema validators of the request and of the response
  wire dict (``ocpp_sansio.validation.validator``, the same functions ours runs), and
  ``orjson.dumps`` of the CALLRESULT: no typed objects, no engine;
- ocpp (PyPI): ``ocpp`` 2.1.0 ``ChargePoint.route_message(text)`` with ``@on`` handlers
  returning its ``call_result`` dataclass, the connection a stub whose ``async send(text)``
  keeps the text. It validates in a thread pool by default
  (``ocpp.messages.ASYNC_VALIDATION = True``: ``validate_payload`` awaits
  ``loop.run_in_executor``), for the request and for the response;
- ocpp (PyPI), sync validation: the same with ``ocpp.messages.ASYNC_VALIDATION = False``
  (2.1.0's switch: ``validate_payload`` then calls ``_validate_payload`` directly).

The ``ocpp`` columns run ``BATCH`` messages per ``loop.run_until_complete`` (the loop's own
overhead spread over them) and report the time per message (``Bench.inner``). Before timing,
every column is run once and its reply checked: a CALLRESULT with the same payload for all.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime
import importlib
import types
from collections.abc import Callable
from typing import Any, cast

import orjson

from ocpp_sansio import codec, validation
from ocpp_sansio.rpc import CallReceived, RpcConnection
from ocpp_sansio.v16 import datatypes as d16
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.v201 import datatypes as d201
from ocpp_sansio.v201 import enums as e201
from ocpp_sansio.v201 import messages as m201
from ocpp_sansio.version import Version

from ._harness import Bench
from .bench_model import PAYLOADS, Payload

TABLE = "RPC inbound round: CALL text in, CALLRESULT text out"
OURS = "ocpp-toolkit"
FLOOR = "floor"
OCPP = "ocpp (PyPI)"
OCPP_SYNC = "ocpp (PyPI), sync validation"
BATCH = 20  # messages per event-loop run for the ocpp columns

_TIME = datetime.datetime(2024, 5, 14, 9, 31, 1, tzinfo=datetime.UTC)
_EXPIRY = datetime.datetime(2024, 5, 15, 0, 0, tzinfo=datetime.UTC)


def _our_responses() -> dict[str, Any]:
    """The response each handler returns (ocpp-toolkit model objects)."""
    return {
        "BootNotification": m16.BootNotificationResponse(
            status=e16.RegistrationStatus.Accepted, current_time=_TIME, interval=300),
        "MeterValues": m16.MeterValuesResponse(),
        "StartTransaction": m16.StartTransactionResponse(
            transaction_id=48213, id_tag_info=d16.IdTagInfo(
                status=e16.AuthorizationStatus.Accepted, expiry_date=_EXPIRY,
                parent_id_tag="FLEET-0042")),
        "TransactionEvent": m201.TransactionEventResponse(
            total_cost=3.25, id_token_info=d201.IdTokenInfoType(
                status=e201.AuthorizationStatusEnumType.Accepted)),
    }


def _ours(payload: Payload, response: Any) -> Callable[[], object]:
    conn = RpcConnection(payload.version, "csms")
    handlers: dict[str, Callable[[Any], Any]] = {payload.action: lambda _request: response}
    receive, send_result, drain = conn.receive_text, conn.send_result, conn.data_to_send
    text = payload.text

    def round_trip() -> object:
        for event in receive(text, 0.0):
            if type(event) is CallReceived:
                send_result(event.unique_id, handlers[event.action](event.message))
        return drain()

    return round_trip


def _floor(payload: Payload, response: Any) -> Callable[[], object]:
    check_request = validation.validator(payload.version, payload.action, "request")
    check_response = validation.validator(payload.version, payload.action, "response")
    reply = codec.to_wire(response)
    loads, dumps, text = orjson.loads, orjson.dumps, payload.text

    def round_trip() -> object:
        frame = loads(text)
        check_request(frame[3])
        check_response(reply)
        return dumps([3, frame[1], reply]).decode()

    return round_trip


# --- the ocpp package (PyPI) --------------------------------------------------------------


def _import_ocpp() -> types.SimpleNamespace | None:
    try:
        names = ["messages", "routing", "v16", "v16.call_result", "v16.datatypes", "v16.enums",
                 "v201", "v201.call_result", "v201.datatypes", "v201.enums"]
        mods = {name: importlib.import_module(f"ocpp.{name}") for name in names}
    except ImportError:
        return None
    return types.SimpleNamespace(**{k.replace(".", "_"): v for k, v in mods.items()})


_Handler = Callable[..., Any]
_Decorator = Callable[[Any], Callable[[_Handler], _Handler]]


class _StubConnection:
    """What ``ocpp.ChargePoint`` needs of a WebSocket to answer: ``async send(text)``."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, text: str) -> None:
        self.sent.append(text)
        if len(self.sent) > 64:
            del self.sent[:-1]


def _ocpp_charge_points(ocpp: types.SimpleNamespace) -> dict[Version, Any]:
    """A CSMS-side ``ChargePoint`` subclass per version, handlers returning fixed responses."""
    on = cast(_Decorator, ocpp.routing.on)
    a16, a201 = ocpp.v16_enums.Action, ocpp.v201_enums.Action
    r16, r201 = ocpp.v16_call_result, ocpp.v201_call_result
    o16, o201 = ocpp.v16_enums, ocpp.v201_enums

    class Csms16(ocpp.v16.ChargePoint):  # type: ignore[misc,name-defined]
        @on(a16.boot_notification)
        def on_boot_notification(self, **kwargs: Any) -> Any:
            return r16.BootNotification(
                current_time="2024-05-14T09:31:01Z", interval=300,
                status=o16.RegistrationStatus.accepted)

        @on(a16.meter_values)
        def on_meter_values(self, **kwargs: Any) -> Any:
            return r16.MeterValues()

        @on(a16.start_transaction)
        def on_start_transaction(self, **kwargs: Any) -> Any:
            return r16.StartTransaction(
                transaction_id=48213, id_tag_info=ocpp.v16_datatypes.IdTagInfo(
                    status=o16.AuthorizationStatus.accepted,
                    expiry_date="2024-05-15T00:00:00Z", parent_id_tag="FLEET-0042"))

    class Csms201(ocpp.v201.ChargePoint):  # type: ignore[misc,name-defined]
        @on(a201.transaction_event)
        def on_transaction_event(self, **kwargs: Any) -> Any:
            return r201.TransactionEvent(
                total_cost=3.25, id_token_info=ocpp.v201_datatypes.IdTokenInfoType(
                    status=o201.AuthorizationStatusEnumType.accepted))

    return {
        Version.V16: Csms16("CP-4871", _StubConnection()),
        Version.V201: Csms201("CP-4871", _StubConnection()),
    }


_LOOP: asyncio.AbstractEventLoop | None = None


def _loop() -> asyncio.AbstractEventLoop:
    global _LOOP  # noqa: PLW0603 (one loop for the process, closed at exit)
    if _LOOP is None:
        loop = _LOOP = asyncio.new_event_loop()

        def close() -> None:
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

        atexit.register(close)
    return _LOOP


def _ocpp(
    ocpp: types.SimpleNamespace, charge_point: Any, payload: Payload, *, sync: bool
) -> Callable[[], object]:
    route, text, messages, loop = charge_point.route_message, payload.text, ocpp.messages, _loop()

    async def batch() -> None:
        for _ in range(BATCH):
            await route(text)

    def run() -> object:
        saved = messages.ASYNC_VALIDATION
        messages.ASYNC_VALIDATION = not sync
        try:
            loop.run_until_complete(batch())
        finally:
            messages.ASYNC_VALIDATION = saved
        return charge_point._connection.sent[-1]

    return run


# --- the benchmarks -----------------------------------------------------------------------


def _reply(label: str, payload: Payload, texts: object) -> Any:
    """The payload of the single CALLRESULT a column wrote (checked before timing)."""
    if isinstance(texts, list):
        if len(texts) != 1:
            raise AssertionError(f"{payload.row}: {label} wrote {texts!r}")
        texts = texts[0]
    frame = orjson.loads(str(texts))
    if frame[:2] != [3, payload.unique_id]:
        raise AssertionError(f"{payload.row}: {label} answered {frame!r}, not a CALLRESULT")
    return frame[2]


def benchmarks() -> list[Bench]:
    responses = _our_responses()
    ocpp = _import_ocpp()
    charge_points = _ocpp_charge_points(ocpp) if ocpp is not None else {}
    out: list[Bench] = []
    for p in PAYLOADS:
        response = responses[p.action]
        ours, floor = _ours(p, response), _floor(p, response)
        expected = codec.to_wire(response)
        for label, fn in ((OURS, ours), (FLOOR, floor)):
            if _reply(label, p, fn()) != expected:
                raise AssertionError(f"{p.row}: {label} wrote another response")
        ocpp_default = ocpp_sync = None
        if ocpp is not None:
            cp = charge_points[p.version]
            ocpp_default = _ocpp(ocpp, cp, p, sync=False)
            ocpp_sync = _ocpp(ocpp, cp, p, sync=True)
            for label, fn in ((OCPP, ocpp_default), (OCPP_SYNC, ocpp_sync)):
                if _reply(label, p, fn()) != expected:
                    raise AssertionError(f"{p.row}: {label} wrote another response")
        out += [
            Bench(TABLE, p.row, OURS, ours),
            Bench(TABLE, p.row, FLOOR, floor),
            Bench(TABLE, p.row, OCPP, ocpp_default, inner=BATCH),
            Bench(TABLE, p.row, OCPP_SYNC, ocpp_sync, inner=BATCH, label="ocpp sync"),
        ]
    return out
