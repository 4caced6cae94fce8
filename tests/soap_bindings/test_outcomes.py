"""``ocpp_sansio.soap.outcomes``: handler errors -> faults -> ``CallError``, and the property
that a message drawn from the model arrives intact over real sockets (both bindings)."""

from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpp_sansio import Version
from ocpp_sansio.handlers import CallContext, Router
from ocpp_sansio.rpc import CallError
from ocpp_sansio.rpc.exceptions import InvalidMessageError
from ocpp_sansio.soap import Fault, FaultCode, QName, Subcode
from ocpp_sansio.soap.namespaces import Service, operations
from ocpp_sansio.soap.outcomes import (
    error_for_fault,
    fault_for_error,
    handler_failure,
    soap_error_codes,
)
from ocpp_sansio.testing import requests, responses

from .conftest import BINDINGS, Binding

NS = "urn://Ocpp/Cs/2015/10/"
EXPECTED = {
    "NotImplemented": ["NotSupported"], "NotSupported": ["NotSupported"],
    "InternalError": ["InternalError"], "ProtocolError": ["ProtocolError"],
    "SecurityError": ["SecurityError"], "IdentityMismatch": ["IdentityMismatch"],
    "GenericError": ["InternalError", "GenericError"],
    "FormationViolation": ["ProtocolError", "FormationViolation"],
    "PropertyConstraintViolation": ["ProtocolError", "PropertyConstraintViolation"],
    "OccurenceConstraintViolation": ["ProtocolError", "OccurenceConstraintViolation"],
    "TypeConstraintViolation": ["ProtocolError", "TypeConstraintViolation"],
}


@pytest.mark.parametrize("version", [Version.V15, Version.V16])
def test_every_code_maps(version: Version) -> None:
    assert soap_error_codes(version) == set(EXPECTED)
    for code, chain in EXPECTED.items():
        fault = fault_for_error(CallError(code, "why"), version, NS)
        assert [q.name for q in fault.subcodes] == chain
        assert {q.namespace for q in fault.subcodes} == {NS}
        assert fault.code is Subcode(chain[0]).code
        back = error_for_fault(fault, action="Heartbeat", unique_id="urn:uuid:1")
        assert (back.code, back.description, back.action, back.unique_id) == \
            (chain[0], "why", "Heartbeat", "urn:uuid:1")
        assert back.details == {"faultCode": fault.code.value, "subcodes": chain}


@given(st.text(max_size=30).filter(lambda c: c not in EXPECTED))
def test_unknown_codes_become_internal_error(code: str) -> None:
    fault = fault_for_error(CallError(code, "x"), Version.V16, NS)
    assert fault.code is FaultCode.Receiver
    assert [q.name for q in fault.subcodes] == ["InternalError"]


def test_faults_without_subcode_and_with_detail() -> None:
    fault = Fault(code=FaultCode.MustUnderstand, reason="r",
                  not_understood=(QName("urn:x", "Foo"),), detail="<a>1</a>")
    error = error_for_fault(fault)
    assert error.code == "MustUnderstand"
    assert error.details == {"faultCode": "MustUnderstand", "subcodes": [],
                             "detail": "<a>1</a>", "notUnderstood": ["{urn:x}Foo"]}
    assert handler_failure(NS).subcode == "InternalError"


def _echo_router(version: Version, got: list[Any], answers: dict[str, Any]) -> Router:
    router = Router()
    for op in operations(version, Service.CENTRAL_SYSTEM):
        async def handler(req: Any, ctx: CallContext, op: str = op) -> Any:
            got.append(req)
            return answers[op]

        router.on(op)(handler)
    return router


def no_empty_lists(value: Any) -> Any:
    """``value`` with optional empty lists made absent: XML has no empty list, so OCPP-S
    reads one back as absent (docs/soap.md, "Bodies and validation")."""
    if isinstance(value, list):
        return [no_empty_lists(v) for v in value]
    if attrs.has(type(value)):
        changes = {}
        for a in attrs.fields(type(value)):
            item = getattr(value, a.name)
            changes[a.name] = None if item == [] and a.default is None else no_empty_lists(item)
        return attrs.evolve(value, **changes)
    return value


@st.composite
def exchanges(draw: st.DrawFn) -> tuple[Version, str, Any, Any]:
    version = draw(st.sampled_from([Version.V15, Version.V16]))
    op = draw(st.sampled_from(sorted(operations(version, Service.CENTRAL_SYSTEM))))
    return version, op, draw(requests(version, op)), draw(responses(version, op))


@pytest.mark.parametrize("name", ["trio", "asyncio"])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(exchange=exchanges())
def test_drawn_messages_arrive_intact(name: str, exchange: tuple[Version, str, Any, Any]
                                      ) -> None:
    """Any model message either travels station -> central system -> station unchanged, or
    is refused locally (a string XML cannot carry, a value the WSDL rules out) before
    anything is sent."""
    binding: Binding = BINDINGS[name]
    version, op, request, response = exchange
    got: list[Any] = []
    results: list[Any] = []

    async def body() -> None:
        router = _echo_router(version, got, {op: response})
        async with binding.soap.serve_soap("127.0.0.1", 0, handlers=router) as server, \
                binding.soap.open_soap_station(f"http://127.0.0.1:{server.port}/",
                                               "CP-1", versions=(version,)) as station:
            try:
                results.append(await station.call(request))
            except InvalidMessageError:
                results.append("refused")
            except CallError as exc:  # our response could not be written
                assert exc.code == "InternalError"
                results.append("fault")

    binding.run(body)
    if results == ["refused"]:
        assert got == []
    else:
        assert got == [no_empty_lists(request)]
        assert results in ([no_empty_lists(response)], ["fault"])
