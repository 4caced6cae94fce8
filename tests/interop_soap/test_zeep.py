"""zeep, driven by the official OCPP 1.5 and 1.6 WSDLs, as the client of our central system
endpoint (every ``CentralSystemService`` operation) and of our station endpoint (every
``ChargePointService`` operation), over 127.0.0.1, for both bindings.

Each operation is called twice: with every field filled and with the required ones only. The
request our handler receives must equal what zeep was given, and the response zeep reads
must equal what our handler answered. zeep adds the WS-Addressing headers itself (the WSDLs
declare ``wsaw:UsingAddressing``) and ``chargeBoxIdentity`` from the binding's header part.
"""

import datetime
import decimal
import enum
import functools
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
from soap_bindings.conftest import Binding

from ocpp_sansio import Version, codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.handlers import CallContext, Router
from ocpp_sansio.soap.namespaces import Service, namespace, operations

from .conftest import wsdl_path
from .samples import sample

zeep = pytest.importorskip("zeep")
zeep_helpers = pytest.importorskip("zeep.helpers")
zeep_exceptions = pytest.importorskip("zeep.exceptions")

IDENTITY = "CP-zeep"
CASES = [(v, s, op) for v in (Version.V15, Version.V16) for s in Service
         for op in sorted(operations(v, s))]


@functools.cache
def zeep_client(path: Path) -> Any:
    transport = zeep.transports.Transport(timeout=10, operation_timeout=10)
    return zeep.Client(str(path), transport=transport)


def zeep_service(version: Version, service: Service, url: str) -> Any:
    client = zeep_client(wsdl_path(version, service))
    name = "CentralSystemServiceSoap" if service is Service.CENTRAL_SYSTEM else \
        "ChargePointServiceSoap"
    return client.create_service(f"{{{namespace(version, service)}}}{name}", url)


def to_zeep(obj: Any) -> Any:
    """A typed value as zeep takes it: wire names, datetimes, enumeration values."""
    if isinstance(obj, list):
        return [to_zeep(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return obj.value
    if attrs.has(type(obj)):
        out: dict[str, Any] = {}
        for a in attrs.fields(type(obj)):
            value = getattr(obj, a.name)
            if value is None or a.metadata.get("extra"):
                continue
            if a.metadata.get("xml") == "text":  # 1.5 meter value: simpleContent
                out["_value_1"] = to_zeep(value)
            else:
                out[a.metadata["wire"]] = to_zeep(value)
        return out
    return obj


def from_zeep(value: Any) -> Any:
    """zeep's parsed value as an OCPP-J wire value (absent and empty dropped)."""
    if isinstance(value, dict):
        return {k: from_zeep(v) for k, v in value.items()
                if v is not None and v != [] and k != "_raw_elements"}
    if isinstance(value, list):
        return [from_zeep(v) for v in value]
    if isinstance(value, datetime.datetime):
        return codec.format_datetime(value.astimezone(datetime.UTC))
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def response_wire(cls: type[Any], result: Any) -> dict[str, Any]:
    fields = [a for a in attrs.fields(cls) if not a.metadata.get("extra")]
    raw = zeep_helpers.serialize_object(result, dict)
    if result is None:
        return {}
    if len(fields) == 1:  # zeep unwraps a response of one element
        raw = {fields[0].metadata["wire"]: raw}
    return typing.cast(dict[str, Any], from_zeep(raw))


def recording_router(version: Version, service: Service, got: list[Any],
                     answers: dict[str, Any]) -> Router:
    router = Router()
    for op in operations(version, service):
        async def handler(req: Any, ctx: CallContext, op: str = op) -> Any:
            got.append((ctx.station_id, req))
            return answers[op]

        router.on(op)(handler)
    return router


def call_with_zeep(version: Version, service: Service, url: str, op: str,
                   request: Any) -> Any:
    svc = zeep_service(version, service, url)
    return getattr(svc, op)(**to_zeep(request), _soapheaders={"ChargeBoxIdentity": IDENTITY})


def zeep_round_trip(binding: Binding, version: Version, service: Service, op: str,
                    full: bool) -> None:
    spec = actions_for(version)[op]
    got: list[Any] = []
    request = sample(spec.request, version, full=full)
    response = sample(spec.response, version, full=full)
    router = recording_router(version, service, got, {op: response})
    results: list[Any] = []

    async def body() -> None:
        if service is Service.CENTRAL_SYSTEM:
            async with binding.soap.serve_soap("127.0.0.1", 0, handlers=router) as server:
                results.append(await binding.to_thread(
                    call_with_zeep, version, service,
                    f"http://127.0.0.1:{server.port}/ocpp", op, request))
                assert server.stations[IDENTITY].version is version
        else:
            async with binding.soap.open_soap_station(
                    "http://127.0.0.1:1/", IDENTITY, versions=(version,),
                    handlers=router) as station:
                results.append(await binding.to_thread(
                    call_with_zeep, version, service, station.url, op, request))

    binding.run(body)
    assert got == [(IDENTITY, request)]
    wire = response_wire(spec.response, results[0])
    assert codec.from_wire(spec.response, wire) == response


@pytest.mark.parametrize(("version", "service", "op"), CASES,
                         ids=[f"{v}-{s.value}-{op}" for v, s, op in CASES])
def test_zeep_calls_our_endpoint(binding: Binding, version: Version, service: Service,
                                 op: str) -> None:
    zeep_round_trip(binding, version, service, op, full=True)
    zeep_round_trip(binding, version, service, op, full=False)


@pytest.mark.parametrize("version", [Version.V15, Version.V16])
def test_zeep_gets_identity_mismatch_from_our_station(binding: Binding,
                                                      version: Version) -> None:
    """Our station accepts only its own identity (``IdentityMismatch``, docs/soap.md)."""
    caught: list[Any] = []

    def call(url: str) -> None:
        svc = zeep_service(version, Service.CHARGE_POINT, url)
        try:
            svc.ClearCache(_soapheaders={"ChargeBoxIdentity": "someone-else"})
        except zeep_exceptions.Fault as exc:
            caught.append(exc)

    async def body() -> None:
        async with binding.soap.open_soap_station(
                "http://127.0.0.1:1/", IDENTITY, versions=(version,)) as station:
            await binding.to_thread(call, station.url)

    binding.run(body)
    (fault,) = caught
    assert fault.code == "soap:Sender"
    assert [q.localname for q in fault.subcodes] == ["IdentityMismatch"]
