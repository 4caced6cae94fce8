"""Message-model benchmarks: decode + validate + typed objects, and encode + validate.

Each payload is the JSON text of a whole OCPP-J CALL frame, ``[2, "<id>", "<Action>", {...}]``
(OCPP-J 1.6 section 4.2.1; OCPP 2.0.1 part 4 section 4.2.1), as it arrives in a WebSocket text
message; all three columns parse (or write) the same frame.

"decode + validate + typed objects" (an inbound CALL):

- ocpp-toolkit: ``codec.loads(text)``, then ``codec.decode(version, action, "request",
  frame[3])``: schema validation and the typed message (nested attrs objects, enums,
  ``datetime`` values);
- ocpp (PyPI): what ``ocpp.charge_point.ChargePoint`` does per inbound call, minus asyncio and
  handler dispatch (see :func:`_ocpp_decoder`);
- floor: ``orjson.loads(text)`` and the fastjsonschema function compiled from our
  ``validation.schema(...)`` with our date-time check: ours minus building objects.

"encode + validate" (an outbound CALL, built from a typed message):

- ocpp-toolkit: ``codec.encode(version, message)`` then ``codec.dumps`` of the frame;
- ocpp (PyPI): what ``ChargePoint.call`` does before sending (see :func:`_ocpp_encoder`);
- floor: the fastjsonschema function on the wire dict, then ``orjson.dumps`` of the frame.

Notes on the ``ocpp`` column: its ``validate_payload`` is a coroutine that, by default
(``ocpp.messages.ASYNC_VALIDATION = True``), runs the validation in a thread pool executor; we
call its synchronous body ``ocpp.messages._validate_payload`` instead, which favours it. It
validates 1.6 with its own copy of the schemas and ``jsonschema.Draft4Validator`` (cached in
the module-level ``ocpp.messages._validators``), without format checks (date-times are not
checked), and leaves nested objects as dicts on input.
"""

from __future__ import annotations

import enum
import importlib
import json
import types
import typing
from collections.abc import Callable
from dataclasses import is_dataclass
from typing import Any

import attrs
import fastjsonschema
import orjson

from ocpp_sansio import codec, validation
from ocpp_sansio.version import Version

from ._harness import Bench

DECODE = "decode + validate + typed objects"
ENCODE = "encode + validate"
OURS = "ocpp-toolkit"
OCPP = "ocpp (PyPI)"
FLOOR = "floor"


@attrs.frozen
class Payload:
    """One benchmark row: an OCPP-J CALL frame as JSON text."""

    row: str
    version: Version
    action: str
    text: str

    @property
    def frame(self) -> list[Any]:
        frame: list[Any] = orjson.loads(self.text)
        return frame

    @property
    def unique_id(self) -> str:
        unique_id: str = self.frame[1]
        return unique_id

    @property
    def wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = self.frame[3]
        return wire


# 1.6 sampledValue entries of a three-phase AC charger at a periodic sample (OCPP 1.6 section
# 7.45 SampledValue: context, format, measurand, phase, location, unit).
_SV16_ENERGY = (
    '{"value":"15234710","context":"Sample.Periodic","format":"Raw",'
    '"measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"}'
)
_SV16_MORE = [
    '{"value":"11042","context":"Sample.Periodic","format":"Raw",'
    '"measurand":"Power.Active.Import","location":"Outlet","unit":"W"}',
    '{"value":"16.02","context":"Sample.Periodic","format":"Raw","measurand":"Current.Import",'
    '"phase":"L1","location":"Outlet","unit":"A"}',
    '{"value":"15.98","context":"Sample.Periodic","format":"Raw","measurand":"Current.Import",'
    '"phase":"L2","location":"Outlet","unit":"A"}',
    '{"value":"16.05","context":"Sample.Periodic","format":"Raw","measurand":"Current.Import",'
    '"phase":"L3","location":"Outlet","unit":"A"}',
    '{"value":"230.4","context":"Sample.Periodic","format":"Raw","measurand":"Voltage",'
    '"phase":"L1-N","location":"Outlet","unit":"V"}',
    '{"value":"229.8","context":"Sample.Periodic","format":"Raw","measurand":"Voltage",'
    '"phase":"L2-N","location":"Outlet","unit":"V"}',
    '{"value":"231.1","context":"Sample.Periodic","format":"Raw","measurand":"Voltage",'
    '"phase":"L3-N","location":"Outlet","unit":"V"}',
    '{"value":"57","context":"Sample.Periodic","format":"Raw","measurand":"SoC",'
    '"location":"EV","unit":"Percent"}',
    '{"value":"38.5","context":"Sample.Periodic","format":"Raw","measurand":"Temperature",'
    '"location":"Body","unit":"Celsius"}',
]


def _meter_values_16(sampled: list[str]) -> str:
    return (
        '[2,"4d1c7b52-1f0e-4a8e-9d3b-6f2a5c8e0b71","MeterValues",{"connectorId":1,'
        '"transactionId":48213,"meterValue":[{"timestamp":"2024-05-14T09:31:00Z",'
        f'"sampledValue":[{",".join(sampled)}]}}]}}]'
    )


PAYLOADS = [
    Payload(
        "1.6 BootNotification", Version.V16, "BootNotification",
        '[2,"19223201","BootNotification",{"chargePointVendor":"VoltWorks",'
        '"chargePointModel":"VW-AC22-2S","chargePointSerialNumber":"VW22-2024-004871",'
        '"chargeBoxSerialNumber":"VWB-0004871","firmwareVersion":"3.4.12-rc.2+build.8812",'
        '"iccid":"8931440400012345678","imsi":"204043123456789",'
        '"meterType":"Eastron SDM630-MID","meterSerialNumber":"SDM630-0045871"}]',
    ),
    Payload(
        "1.6 MeterValues, 1 sampled value", Version.V16, "MeterValues",
        _meter_values_16([_SV16_ENERGY]),
    ),
    Payload(
        "1.6 MeterValues, 10 sampled values", Version.V16, "MeterValues",
        _meter_values_16([_SV16_ENERGY, *_SV16_MORE]),
    ),
    Payload(
        "1.6 StartTransaction", Version.V16, "StartTransaction",
        '[2,"a3f5e2c0-7b19-4c55-8e0f-1d2b3c4d5e6f","StartTransaction",{"connectorId":1,'
        '"idTag":"04A2B3C4D5E680","meterStart":15218934,"reservationId":4711,'
        '"timestamp":"2024-05-14T09:12:44.512Z"}]',
    ),
    Payload(
        "2.0.1 TransactionEvent (Updated)", Version.V201, "TransactionEvent",
        '[2,"b7e9d0a1-3c4f-4e8b-a2d6-9f1e0c5b7a34","TransactionEvent",{"eventType":"Updated",'
        '"timestamp":"2024-05-14T09:31:00.000Z","triggerReason":"MeterValuePeriodic",'
        '"seqNo":7,"offline":false,"numberOfPhasesUsed":3,"cableMaxCurrent":32,'
        '"transactionInfo":{"transactionId":"f1c9a0e2-5b7d-4c3e-9a61-2d8e4b7c0a13",'
        '"chargingState":"Charging","timeSpentCharging":1096},'
        '"evse":{"id":1,"connectorId":1},'
        '"idToken":{"idToken":"04A2B3C4D5E680","type":"ISO14443"},'
        '"meterValue":[{"timestamp":"2024-05-14T09:31:00.000Z","sampledValue":['
        '{"value":15234.71,"context":"Sample.Periodic",'
        '"measurand":"Energy.Active.Import.Register","location":"Outlet",'
        '"unitOfMeasure":{"unit":"Wh","multiplier":0}},'
        '{"value":11042,"context":"Sample.Periodic","measurand":"Power.Active.Import",'
        '"location":"Outlet","unitOfMeasure":{"unit":"W"}},'
        '{"value":16.02,"context":"Sample.Periodic","measurand":"Current.Import",'
        '"phase":"L1","location":"Outlet","unitOfMeasure":{"unit":"A"}},'
        '{"value":230.4,"context":"Sample.Periodic","measurand":"Voltage",'
        '"phase":"L1-N","location":"Outlet","unitOfMeasure":{"unit":"V"}},'
        '{"value":57,"context":"Sample.Periodic","measurand":"SoC","location":"EV",'
        '"unitOfMeasure":{"unit":"Percent"}}]}]}]',
    ),
]


# --- ocpp-toolkit and the floor ---------------------------------------------------------


def _floor_validator(payload: Payload) -> Callable[[Any], Any]:
    """fastjsonschema compiled from ``validation.schema(...)`` with the date-time check ours
    uses (RFC 3339 section 5.6; ``ocpp_sansio.validation``), as ``validation.validator`` does.
    """
    date_time = validation._date_time_format(validation._RFC3339)
    compiled: Callable[[Any], Any] = fastjsonschema.compile(
        validation.schema(payload.version, payload.action, "request"),
        formats={"date-time": date_time}, use_default=False, use_formats=True,
    )
    return compiled


def _ours(payload: Payload) -> tuple[Callable[[], object], Callable[[], object], Any]:
    version, action, text = payload.version, payload.action, payload.text
    loads, decode, encode, dumps = codec.loads, codec.decode, codec.encode, codec.dumps

    def decode_call() -> object:
        frame = loads(text)
        return decode(version, action, "request", frame[3])

    message = decode_call()
    unique_id = payload.unique_id

    def encode_call() -> object:
        name, _, wire = encode(version, message)
        return dumps([2, unique_id, name, wire])

    return decode_call, encode_call, message


def _floor(payload: Payload) -> tuple[Callable[[], object], Callable[[], object]]:
    text, check, wire = payload.text, _floor_validator(payload), payload.wire
    frame_out = [2, payload.unique_id, payload.action, wire]
    loads, dumps = orjson.loads, orjson.dumps

    def decode_call() -> object:
        frame = loads(text)
        return check(frame[3])

    def encode_call() -> object:
        check(wire)
        return dumps(frame_out).decode()

    return decode_call, encode_call


# --- the ocpp package (PyPI) --------------------------------------------------------------


def _import_ocpp() -> types.SimpleNamespace | None:
    """The parts of ``ocpp`` used, or ``None`` if it is not installed."""
    try:
        messages = importlib.import_module("ocpp.messages")
        charge_point = importlib.import_module("ocpp.charge_point")
        modules = {
            Version.V16: (importlib.import_module("ocpp.v16.call"),
                          importlib.import_module("ocpp.v16.datatypes")),
            Version.V201: (importlib.import_module("ocpp.v201.call"),
                           importlib.import_module("ocpp.v201.datatypes")),
        }
    except ImportError:
        return None
    return types.SimpleNamespace(messages=messages, charge_point=charge_point, modules=modules)


def _ocpp_object(tp: Any, value: Any) -> Any:
    """Build ``ocpp`` dataclasses (nested ones too) and enums from a snake_case dict, as an
    ``ocpp`` user writes an outgoing message; follows the dataclasses' annotations."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        for option in options:
            try:
                return _ocpp_object(option, value)
            except (TypeError, ValueError):
                continue
        return value
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return [_ocpp_object(item, v) for v in value]
    if isinstance(tp, type) and is_dataclass(tp):
        if not isinstance(value, dict):
            raise TypeError(f"{tp.__name__} needs a dict, not {value!r}")
        hints = typing.get_type_hints(tp)
        return tp(**{k: _ocpp_object(hints.get(k, Any), v) for k, v in value.items()})
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    return value


def _ocpp_decoder(ocpp: types.SimpleNamespace, payload: Payload) -> Callable[[], object]:
    """The per-call work of ``ocpp`` 2.1.0 for an inbound CALL, minus asyncio and dispatch.

    Mirrors ``ChargePoint.route_message`` (``ocpp.messages.unpack``) and
    ``ChargePoint._handle_call``: ``validate_payload(msg, ocpp_version)`` (its synchronous body
    ``ocpp.messages._validate_payload``), then ``camel_to_snake_case(msg.payload)``; the handler
    then gets the snake_case dict as keyword arguments, and typed objects are made as
    ``ChargePoint.call`` makes its call_result: ``cls(**snake_case_payload)`` (a dataclass
    whose nested values stay dicts).
    """
    unpack = ocpp.messages.unpack
    validate_payload = ocpp.messages._validate_payload
    camel_to_snake_case = ocpp.charge_point.camel_to_snake_case
    cls = getattr(ocpp.modules[payload.version][0], payload.action)
    text, ocpp_version = payload.text, payload.version.value

    def decode_call() -> object:
        msg = unpack(text)
        validate_payload(msg, ocpp_version)
        snake_case_payload = camel_to_snake_case(msg.payload)
        return cls(**snake_case_payload)

    return decode_call


def _ocpp_encoder(ocpp: types.SimpleNamespace, payload: Payload) -> Callable[[], object]:
    """The per-call work of ``ocpp`` 2.1.0 ``ChargePoint.call`` before sending a CALL.

    Mirrors ``ChargePoint.call``: ``snake_to_camel_case(serialize_as_dict(payload))``
    (``serialize_as_dict`` is ``dataclasses.asdict`` plus its own recursion), ``Call(unique_id,
    action=payload.__class__.__name__, payload=remove_nones(camel_case_payload))``,
    ``validate_payload(call, ocpp_version)`` (its synchronous body, as above), then
    ``call.to_json()`` (what ``ocpp.messages.pack`` calls: ``json.dumps`` of the frame).
    """
    call_module, datatypes = ocpp.modules[payload.version]
    cls = getattr(call_module, payload.action)
    snake = ocpp.charge_point.camel_to_snake_case(payload.wire)
    if payload.version is Version.V16 and payload.action == "MeterValues":
        # ocpp.v16.call.MeterValues.meter_value is annotated plain ``List``: its users pass
        # ocpp.v16.datatypes.MeterValue objects.
        meter_value = [_ocpp_object(datatypes.MeterValue, v) for v in snake.pop("meter_value")]
        obj = _ocpp_object(cls, snake)
        obj.meter_value = meter_value
    else:
        obj = _ocpp_object(cls, snake)
    serialize_as_dict = ocpp.charge_point.serialize_as_dict
    snake_to_camel_case = ocpp.charge_point.snake_to_camel_case
    remove_nones = ocpp.charge_point.remove_nones
    call_class, pack = ocpp.messages.Call, ocpp.messages.pack
    validate_payload = ocpp.messages._validate_payload
    unique_id, ocpp_version = payload.unique_id, payload.version.value

    def encode_call() -> object:
        camel_case_payload = snake_to_camel_case(serialize_as_dict(obj))
        call = call_class(
            unique_id=unique_id,
            action=obj.__class__.__name__,
            payload=remove_nones(camel_case_payload),
        )
        validate_payload(call, ocpp_version)
        return pack(call)

    return encode_call


# --- the benchmarks -----------------------------------------------------------------------


def _same(value: Any) -> Any:
    """``value`` with date-time strings as datetimes (``.512Z`` equals ``.512000Z``)."""
    if isinstance(value, dict):
        return {k: _same(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_same(v) for v in value]
    if isinstance(value, str) and validation._RFC3339.match(value):
        return codec.parse_datetime(value)
    return value


def _check(payload: Payload, label: str, got: Any) -> None:
    """Fail loudly if a column does not do the work it claims (checked once, before timing)."""
    if _same(got) != _same(payload.frame):
        raise AssertionError(f"{payload.row}: {label} wrote {got!r}, not the payload")


def benchmarks() -> list[Bench]:
    ocpp = _import_ocpp()
    out = []
    for p in PAYLOADS:
        ours_decode, ours_encode, message = _ours(p)
        floor_decode, floor_encode = _floor(p)
        # The checks: each column round-trips the same frame.
        _check(p, "ours (decode)", [2, p.unique_id, p.action, codec.to_wire(message)])
        if not isinstance(message.__class__, type) or not attrs.has(message.__class__):
            raise AssertionError(f"{p.row}: decode did not build an attrs message")
        _check(p, "ours (encode)", json.loads(str(ours_encode())))
        floor_decode()
        _check(p, "floor (encode)", json.loads(str(floor_encode())))
        ocpp_decode: Callable[[], object] | None = None
        ocpp_encode: Callable[[], object] | None = None
        if ocpp is not None:
            ocpp_decode = _ocpp_decoder(ocpp, p)
            ocpp_encode = _ocpp_encoder(ocpp, p)
            decoded = ocpp_decode()
            if not is_dataclass(decoded):
                raise AssertionError(f"{p.row}: ocpp did not build a dataclass")
            _check(p, "ocpp (encode)", json.loads(str(ocpp_encode())))
        out += [
            Bench(DECODE, p.row, OURS, ours_decode),
            Bench(DECODE, p.row, OCPP, ocpp_decode),
            Bench(DECODE, p.row, FLOOR, floor_decode),
            Bench(ENCODE, p.row, OURS, ours_encode),
            Bench(ENCODE, p.row, OCPP, ocpp_encode),
            Bench(ENCODE, p.row, FLOOR, floor_encode),
        ]
    return out

