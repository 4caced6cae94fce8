"""The HTTP control API of the CSMS simulator (``ocpp-toolkit csms --control HOST:PORT``).

A small HTTP/1.1 server (h11 on trio, no framework; keep-alive, one request at a time per
connection) in front of a running :class:`~ocpp_trio.sim.CsmsSimulator`:

- ``GET /stations``: ``200 {"stations": [{"id", "version", "transport",
  "connected_since"}, ...]}`` (sorted by id; ``connected_since`` RFC 3339, OCPP-S: the
  station's first call).
- ``POST /stations/{id}/call`` with a JSON body, either ``{"operation": NAME, "request":
  {...}}`` (a generic request: :mod:`ocpp_sansio.generic` field names, converted for the
  station's version and transport) or ``{"action": NAME, "payload": {...}}`` (the wire JSON
  of the station's version, validated strictly); optional ``"timeout"`` (seconds, default
  30). A string ``"$transaction"`` anywhere in the request stands for the station's latest
  open transaction. Answers:

  - ``200 {"station", "version", "operation" | "action", "response", "lost"}``: the
    station's answer (``response`` generic JSON or wire JSON; ``lost``: what the generic
    conversions did not carry exactly);
  - ``400 {"error": "bad request", "reason"}``: not JSON, unknown operation or action,
    invalid fields (``reason`` names them);
  - ``404 {"error": "unknown station"}`` (also for any other path);
  - ``405`` for another method on a known path;
  - ``413`` body over 1 MiB;
  - ``422 {"error": "unsupported", ...}``: the station's version cannot express the
    generic request (nothing was sent), or its answer cannot be read generically;
  - ``502 {"error": "CALLERROR", "code", "description"}``: the station answered with a
    CALLERROR (OCPP-S: a fault); ``502 {"error": "connection closed"}``: the link dropped;
  - ``504 {"error": "timeout"}``: no answer in time.

Everything is JSON (``application/json``). The API has no authentication: bind it to a
loopback address (the default of ``--control`` without a host is 127.0.0.1).
"""

import functools
import math
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs
import h11
import orjson
import trio

from ocpp_sansio import codec
from ocpp_sansio.generic import OPERATIONS
from ocpp_sansio.generic.outcome import Loss, Unsupported
from ocpp_sansio.rpc import CallError, CallTimeout

from .._common import ConnectionClosed
from .csms import BadCall, CsmsSimulator, UnknownStation
from .scenario_file import ScenarioError, build_generic, generic_json

__all__ = ["ControlApi", "control_api", "parse_address"]

MAX_BODY = 1 << 20
DEFAULT_TIMEOUT = 30.0
READ_TIMEOUT = 30.0  # seconds a client may take to send one request


def parse_address(text: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """``"HOST:PORT"``, ``":PORT"``, ``"PORT"`` or ``"[::1]:PORT"`` -> ``(host, port)``;
    ``ValueError`` for anything else."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    host = host.strip("[]") or default_host
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


@attrs.frozen
class _Reply:
    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


class ControlApi:
    """The control API of ``csms`` (what :func:`control_api` yields): ``host``, ``port``."""

    def __init__(self, csms: CsmsSimulator) -> None:
        self.csms = csms
        self.host = ""
        self.port = 0

    @property
    def url(self) -> str:
        """The base URL (``http://host:port``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # -- HTTP ---------------------------------------------------------------------------------

    async def serve_connection(self, stream: trio.abc.Stream) -> None:
        """Serve one TCP connection until the client closes it (or breaks HTTP)."""
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                request, body = await self._read_request(conn, stream)
                if request is None:
                    return
                if isinstance(body, _Reply):
                    reply = body
                else:
                    reply = await self.dispatch(request.method.decode(),
                                                request.target.decode("latin-1"), body)
                await self._send(conn, stream, reply)
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    return
                try:
                    conn.start_next_cycle()
                except h11.LocalProtocolError:
                    return
        except (trio.BrokenResourceError, trio.ClosedResourceError, h11.ProtocolError,
                trio.TooSlowError):
            return
        finally:
            await trio.aclose_forcefully(stream)

    async def _read_request(self, conn: h11.Connection, stream: trio.abc.Stream
                            ) -> tuple[h11.Request | None, bytes | _Reply]:
        request: h11.Request | None = None
        chunks: list[bytes] = []
        size = 0
        with trio.fail_after(READ_TIMEOUT):
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = await stream.receive_some(65536)
                    conn.receive_data(bytes(data))
                    continue
                if isinstance(event, h11.Request):
                    request = event
                elif isinstance(event, h11.Data):
                    size += len(event.data)
                    if size > MAX_BODY:
                        return request, _Reply(413, {"error": "body too large",
                                                     "limit": MAX_BODY},
                                               (("connection", "close"),))
                    chunks.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    return request, b"".join(chunks)
                elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                    return None, b""

    async def _send(self, conn: h11.Connection, stream: trio.abc.Stream, reply: _Reply) -> None:
        body = orjson.dumps(reply.body)
        headers = [("content-type", "application/json"), ("content-length", str(len(body))),
                   *reply.headers]
        out = conn.send(h11.Response(status_code=reply.status, headers=headers))
        out = (out or b"") + (conn.send(h11.Data(data=body)) or b"")
        out += conn.send(h11.EndOfMessage()) or b""
        await stream.send_all(out)

    # -- routes -------------------------------------------------------------------------------

    async def dispatch(self, method: str, target: str, body: bytes) -> _Reply:
        """Answer one request (``target``: the request target, query string allowed)."""
        path = urllib.parse.urlsplit(target).path
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        if parts == ["stations"]:
            if method != "GET":
                return _Reply(405, {"error": "method not allowed"}, (("allow", "GET"),))
            return _Reply(200, {"stations": self.stations()})
        if len(parts) == 3 and parts[0] == "stations" and parts[2] == "call" and parts[1]:
            if method != "POST":
                return _Reply(405, {"error": "method not allowed"}, (("allow", "POST"),))
            return await self.call(parts[1], body)
        return _Reply(404, {"error": "not found", "path": path})

    def stations(self) -> list[dict[str, Any]]:
        """The connected stations, sorted by id."""
        server = self.csms.server
        if server is None:
            return []
        out = []
        for station_id in sorted(server.stations):
            conn = server.stations[station_id]
            since = self.csms.connected.get(station_id)
            out.append({"id": station_id, "version": str(conn.version),
                        "transport": getattr(conn, "transport", "json"),
                        "connected_since": None if since is None
                        else codec.format_datetime(since.replace(microsecond=0))})
        return out

    async def call(self, station_id: str, body: bytes) -> _Reply:
        """``POST /stations/{id}/call``."""
        def bad(reason: str) -> _Reply:
            return _Reply(400, {"error": "bad request", "reason": reason})

        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return bad(f"the body is not JSON: {exc}")
        if not isinstance(data, dict):
            return bad("the body must be a JSON object")
        generic = "operation" in data
        allowed = {"operation", "request", "timeout"} if generic else {
            "action", "payload", "timeout"}
        unknown = sorted(set(data) - allowed)
        if unknown or not (generic or "action" in data):
            return bad("expected {\"operation\": ..., \"request\": {...}} or "
                       "{\"action\": ..., \"payload\": {...}} (and an optional \"timeout\")"
                       + (f"; unknown keys: {', '.join(unknown)}" if unknown else ""))
        timeout = data.get("timeout", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not (
                timeout > 0 and math.isfinite(timeout)):
            return bad(f"timeout: expected a number of seconds > 0, got {timeout!r}")
        csms = self.csms
        if csms.server is None or station_id not in csms.server.stations:
            return _Reply(404, {"error": "unknown station", "station": station_id})
        version = str(csms.server.stations[station_id].version)
        lost: list[Loss] = []
        try:
            if generic:
                name = data["operation"]
                spec = OPERATIONS.get(name) if isinstance(name, str) else None
                if spec is None or not spec.direction.sent_by_csms():
                    return bad(f"operation: {name!r} is not a generic operation the CSMS "
                               "sends")
                try:
                    request = build_generic(spec.request, data.get("request", {}),
                                            ("request",), file="body")
                except ScenarioError as exc:
                    return bad("; ".join(f"{p.path}: {p.message}" for p in exc.problems))
                request = csms.substitute(station_id, request)
                with trio.fail_after(timeout + 1):
                    response = await csms.call_generic(station_id, request, timeout, lost)
                if isinstance(response, Unsupported):
                    return _Reply(422, {"error": "unsupported", "operation": response.operation,
                                        "version": str(response.version),
                                        "reason": str(response.reason),
                                        "field": response.field, "detail": response.detail})
                shown = generic_json(response)
                what = {"operation": name}
            else:
                action, payload = data["action"], data.get("payload", {})
                if not isinstance(action, str) or not isinstance(payload, dict):
                    return bad("action must be a string and payload a JSON object")
                payload = csms.substitute(station_id, payload, generic=False)
                with trio.fail_after(timeout + 1):
                    answer = await csms.call_action(station_id, action, payload, timeout)
                shown = codec.to_wire(answer)
                what = {"action": action}
        except BadCall as exc:
            return bad(str(exc))
        except UnknownStation:
            return _Reply(404, {"error": "unknown station", "station": station_id})
        except CallError as exc:
            return _Reply(502, {"error": "CALLERROR", "code": exc.code,
                                "description": exc.description})
        except (CallTimeout, trio.TooSlowError) as exc:
            return _Reply(504, {"error": "timeout", "reason": str(exc) or "no answer"})
        except ConnectionClosed as exc:
            return _Reply(502, {"error": "connection closed", "reason": str(exc)})
        return _Reply(200, {"station": station_id, "version": version, **what,
                            "response": shown,
                            "lost": [{"path": loss.path, "kind": str(loss.kind),
                                      "detail": loss.detail} for loss in lost]})


@asynccontextmanager
async def control_api(csms: CsmsSimulator, host: str = "127.0.0.1",
                      port: int = 0) -> AsyncIterator[ControlApi]:
    """Serve the control API of the running ``csms`` on ``host:port`` (``port=0`` picks
    one); yields the :class:`ControlApi` (``.port``, ``.url``)."""
    api = ControlApi(csms)
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(
            functools.partial(trio.serve_tcp, api.serve_connection, port, host=host))
        sockname = listeners[0].socket.getsockname()
        api.host, api.port = sockname[0], sockname[1]
        try:
            yield api
        finally:
            nursery.cancel_scope.cancel()
