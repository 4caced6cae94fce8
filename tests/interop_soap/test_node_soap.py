"""node-soap (npm ``soap``) serving the official OCPP 1.5 and 1.6 WSDLs as the peer our SOAP
clients call, over 127.0.0.1, for both bindings: our station calls every
``CentralSystemService`` operation, our central system every ``ChargePointService``
operation, each with every field filled and with the required ones only.

What node-soap parsed must equal the request we sent, and the response we read must equal
what node-soap was told to answer. The node script is ``node/server.js``; its packages are
installed with ``npm ci --prefix tests/interop_soap/node`` (tests skip without them).
"""

import datetime
import enum
import json
import shutil
import subprocess
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from soap_bindings.conftest import Binding

from ocpp_sansio import Version, codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.rpc import CallError
from ocpp_sansio.soap.namespaces import Service, operations

from .conftest import wsdl_path
from .samples import _unwrap, sample

NODE_DIR = Path(__file__).parent / "node"
IDENTITY = "CP-node"
CASES = [(v, s, op) for v in (Version.V15, Version.V16) for s in Service
         for op in sorted(operations(v, s))]

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_DIR / "node_modules" / "soap").is_dir(),
    reason="node or node-soap missing (npm ci --prefix tests/interop_soap/node)")


def to_node(obj: Any) -> Any:
    """A typed value as node-soap answers it (wire names, text for dates and enums)."""
    if isinstance(obj, list):
        return [to_node(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, datetime.datetime):
        return codec.format_datetime(obj)
    if attrs.has(type(obj)):
        return {a.metadata["wire"]: to_node(getattr(obj, a.name)) for a in attrs.fields(type(obj))
                if not a.metadata.get("extra") and getattr(obj, a.name) is not None}
    return obj


def _convert(tp: Any, value: Any) -> Any:
    if attrs.has(tp):
        return from_node(tp, value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return str(value)
    if tp is bool:
        return value if isinstance(value, bool) else value == "true"
    if tp is int:
        return int(value)
    if tp is float:
        return float(value)
    if tp is datetime.datetime:
        return codec.format_datetime(datetime.datetime.fromisoformat(str(value)))
    return value


def from_node(cls: type[Any], data: Any) -> dict[str, Any]:
    """node-soap's parsed object as the OCPP-J wire dict of ``cls``."""
    if not isinstance(data, dict):  # simple content without attributes
        data = {"$value": data}
    hints = typing.get_type_hints(cls)
    out: dict[str, Any] = {}
    for a in attrs.fields(cls):
        if a.metadata.get("extra"):
            continue
        wire = a.metadata["wire"]
        where = a.metadata.get("xml")
        if where == "text":
            value = data.get("$value")
        elif where == "attribute":
            value = (data.get("attributes") or {}).get(wire)
        else:
            value = data.get(wire)
        if value is None:
            continue
        tp, _ = _unwrap(hints[a.name])
        if typing.get_origin(tp) is list:
            (item,) = typing.get_args(tp)
            items = value if isinstance(value, list) else [value]
            out[wire] = [_convert(item, v) for v in items]
        else:
            out[wire] = _convert(tp, value)
    return out


class NodePeer:
    """One ``node server.js`` process serving a WSDL with fixed answers."""

    def __init__(self, wsdl: Path, answers: dict[str, Any], workdir: Path) -> None:
        answers_file = workdir / f"answers-{id(self)}.json"
        answers_file.write_text(json.dumps(answers))
        self.proc = subprocess.Popen(
            ["node", str(NODE_DIR / "server.js"), str(wsdl), str(answers_file)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("LISTENING "), line
        self.url = f"http://127.0.0.1:{int(line.split()[1])}/ocpp"

    def received(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        return typing.cast(dict[str, Any], json.loads(line))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    started: dict[tuple[Version, Service, bool], NodePeer] = {}
    workdir = tmp_path_factory.mktemp("node-soap")

    def peer(version: Version, service: Service, full: bool) -> NodePeer:
        key = (version, service, full)
        if key not in started:
            answers = {op: to_node(sample(actions_for(version)[op].response, version, full=full))
                       for op in operations(version, service)}
            started[key] = NodePeer(wsdl_path(version, service), answers, workdir)
        return started[key]

    yield peer
    for p in started.values():
        p.close()


def node_round_trip(binding: Binding, peer: NodePeer, version: Version, service: Service,
                    op: str, *, full: bool) -> None:
    spec = actions_for(version)[op]
    request = sample(spec.request, version, full=full)
    results: list[Any] = []

    async def body() -> None:
        if service is Service.CENTRAL_SYSTEM:  # node is the central system
            async with binding.soap.open_soap_station(
                    peer.url, IDENTITY, versions=(version,)) as station:
                results.append(await station.call(request))
        else:  # node is the charge point
            async with binding.soap.serve_soap("127.0.0.1", 0) as server:
                await server.add_station(IDENTITY, version, peer.url)
                results.append(await server.call(IDENTITY, request))

    binding.run(body)
    seen = peer.received()
    assert seen["op"] == op
    identity = seen["headers"]["chargeBoxIdentity"]
    assert (identity["$value"] if isinstance(identity, dict) else identity) == IDENTITY
    assert seen["headers"]["Action"] == f"/{op}"
    received = codec.from_wire(spec.request, from_node(spec.request, seen["args"] or {}))
    assert received == request
    assert results == [sample(spec.response, version, full=full)]


@pytest.mark.parametrize(("version", "service", "op"), CASES,
                         ids=[f"{v}-{s.value}-{op}" for v, s, op in CASES])
def test_our_client_calls_node_soap(binding: Binding, peers: Any, version: Version,
                                    service: Service, op: str) -> None:
    for full in (True, False):
        node_round_trip(binding, peers(version, service, full), version, service, op,
                        full=full)


def node_fault(code: str, subcode: str, reason: str) -> dict[str, Any]:
    return {"__fault__": {"Fault": {
        "Code": {"Value": f"soap:{code}", "Subcode": {"Value": f"tns:{subcode}"}},
        "Reason": {"Text": reason}, "statusCode": 400 if code == "Sender" else 500}}}


@pytest.mark.parametrize("version", [Version.V15, Version.V16])
@pytest.mark.parametrize(("code", "subcode"), [("Sender", "SecurityError"),
                                               ("Receiver", "NotSupported")])
def test_node_soap_faults_become_call_errors(
    binding: Binding, tmp_path: Path, version: Version, code: str, subcode: str,
) -> None:
    """A SOAP 1.2 fault written by node-soap surfaces as ``CallError`` (code = subcode)."""
    caught: list[CallError] = []
    for service, request in ((Service.CENTRAL_SYSTEM, sample(
            actions_for(version)["Heartbeat"].request, version)),
            (Service.CHARGE_POINT, sample(actions_for(version)["ClearCache"].request, version))):
        answers = {op: node_fault(code, subcode, "node says no")
                   for op in operations(version, service)}
        peer = NodePeer(wsdl_path(version, service), answers, tmp_path)

        async def body(peer: NodePeer = peer, service: Service = service,
                       request: Any = request) -> None:
            with pytest.raises(CallError) as info:
                if service is Service.CENTRAL_SYSTEM:
                    async with binding.soap.open_soap_station(
                            peer.url, IDENTITY, versions=(version,)) as station:
                        await station.call(request)
                else:
                    async with binding.soap.serve_soap("127.0.0.1", 0) as server:
                        await server.add_station(IDENTITY, version, peer.url)
                        await server.call(IDENTITY, request)
            caught.append(info.value)

        try:
            binding.run(body)
        finally:
            peer.close()
    for error in caught:
        assert (error.code, error.description) == (subcode, "node says no")
        assert error.details["faultCode"] == code
