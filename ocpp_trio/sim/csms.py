"""The CSMS simulator: OCPP-J and OCPP-S stations of every supported version on one port.

Station-initiated calls are answered by :class:`AuthPolicy`: BootNotification with the
configured registration status, id tags by ``accept`` (all Accepted), ``allow-list`` (listed
tags Accepted, others Invalid) or ``reject`` (all Invalid). Every other CS->CSMS action whose
response has no required field gets that empty response; actions needing content we do not
simulate are left unhandled, so the engine answers NotSupported (OCPP-J 4.2.3).

CSMS -> station calls: :meth:`CsmsSimulator.call` takes a version request or a generic
request (:mod:`ocpp_sansio.generic`, converted for the station's version and transport),
:meth:`CsmsSimulator.call_action` the wire JSON of one version. A :class:`CsmsScenario` (a
scenario file, :mod:`.scenario_file`) given to the simulator is run for each station once its
first BootNotification was accepted; each call's :class:`ScenarioOutcome` is kept in
``outcomes`` and passed to ``on_outcome``. :func:`basic_auth` checks station passwords
(security profiles 1 and 2).
"""

import datetime
import hmac
import importlib
import itertools
import ssl as _ssl
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

import attrs
import trio

from ocpp_sansio import codec
from ocpp_sansio.actions import Direction, actions_for
from ocpp_sansio.generic import Role
from ocpp_sansio.generic.common import GenericMessage
from ocpp_sansio.generic.outcome import Loss, Unsupported
from ocpp_sansio.generic.session import GenericSession
from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.rpc import CallError, CallTimeout
from ocpp_sansio.validation import STRICT, ValidationError
from ocpp_sansio.version import Version
from ocpp_sansio.ws import Accept, AuthRequest, Reject

from .._common import ConnectionClosed
from .._server import Server, serve
from .log import Clock, MessageLog, utc_now
from .scenario_file import TRANSACTION_PLACEHOLDER, CsmsCall, CsmsScenario, generic_json

POLICIES = ("accept", "allow-list", "reject")
FAMILY_1X = (Version.V15, Version.V16)


@attrs.frozen(kw_only=True)
class AuthPolicy:
    """How the CSMS answers: ``mode`` one of :data:`POLICIES`; ``boot`` the registration status
    (``Accepted``, ``Pending``, ``Rejected``); ``interval`` the heartbeat interval it gives."""

    mode: str = "accept"
    allowed: frozenset[str] = frozenset()
    boot: str = "Accepted"
    interval: int = 300

    def accepts(self, tag: str) -> bool:
        if self.mode == "accept":
            return True
        if self.mode == "allow-list":
            return tag in self.allowed
        return False


def messages_of(version: Version) -> ModuleType:
    return importlib.import_module(f"{version.module}.messages")


def datatypes_of(version: Version) -> ModuleType:
    return importlib.import_module(f"{version.module}.datatypes")


def station_urls(host: str, port: int, tls: bool = False, soap: bool = True) -> list[str]:
    """The URLs stations use: OCPP-J ``ws(s)://host:port/<path>/<id>``, OCPP-S ``http(s)``
    (left out when ``soap`` is false)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"  # an IPv6 literal in a URL (RFC 3986 section 3.2.2)
    ws, http = ("wss", "https") if tls else ("ws", "http")
    urls = [f"OCPP-J (1.5 1.6 2.0.1 2.1): {ws}://{shown}:{port}/ocpp/<station id>"]
    if soap:
        urls.append(f"OCPP-S (1.5 1.6):          {http}://{shown}:{port}/ocpp")
    return urls


def basic_auth(credentials: Mapping[str, str | bytes]) -> Callable[[AuthRequest], Accept | Reject]:
    """The ``serve(auth=...)`` callback of HTTP Basic authentication (security profiles 1 and
    2: OCPP 1.6 Security Whitepaper section 2.1 / OCPP 2.0.1 Part 2 A00): a station is
    accepted when its password equals ``credentials[identity]``; any other station, one
    without credentials and a wrong password get 401. (The session already checked that the
    Basic user name is the identity.)"""
    table = {k: v.encode() if isinstance(v, str) else bytes(v) for k, v in credentials.items()}

    def check(request: AuthRequest) -> Accept | Reject:
        expected = table.get(request.identity)
        given = request.password
        if expected is None or given is None or not hmac.compare_digest(given, expected):
            return Reject(status=401)
        return Accept()

    return check


class UnknownStation(KeyError):
    """No station of that id is connected (a local error of the caller)."""

    def __str__(self) -> str:
        return f"no station {self.args[0]!r} is connected"


class BadCall(ValueError):
    """A CSMS -> station call that cannot be sent as given (unknown action, a payload that
    breaks the version's schema, no open transaction for ``$transaction``)."""


@attrs.frozen(kw_only=True)
class ScenarioOutcome:
    """How one call of a CSMS scenario went for one station."""

    station: str
    call: CsmsCall
    ok: bool
    detail: str
    response: Any = None

    def describe(self, scenario: CsmsScenario | None = None) -> str:
        where = scenario.position(self.call) if scenario is not None else self.call.where
        verdict = "ok" if self.ok else "FAILED"
        return f"{where} ({self.call.label}) {self.station}: {verdict}: {self.detail}"


class CsmsSimulator:
    """Answers stations by ``policy``, logs every message to ``log``; ``run()`` serves."""

    def __init__(self, policy: AuthPolicy | None = None, log: MessageLog | None = None,
                 clock: Clock = utc_now, *, scenario: CsmsScenario | None = None,
                 on_outcome: Callable[[ScenarioOutcome], None] | None = None) -> None:
        self.policy = policy or AuthPolicy()
        self.log = log or MessageLog()
        self.clock = clock
        self.scenario = scenario
        self.on_outcome = on_outcome
        self.server: Server | None = None
        self._tx_ids = itertools.count(1)
        #: station id -> the open transactions (1.x: int ids; 2.x: str ids)
        self.transactions: dict[str, set[Any]] = {}
        self.completed: dict[str, list[Any]] = {}
        #: station id -> when its current connection was made (OCPP-S: its first call)
        self.connected: dict[str, datetime.datetime] = {}
        #: what the scenario's calls gave, in the order they were answered
        self.outcomes: list[ScenarioOutcome] = []
        self._latest_tx: dict[str, Any] = {}
        self._booted: set[str] = set()  # booted (Accepted) on their current connection
        self._scenario_started: set[str] = set()
        self._sessions: dict[str, GenericSession] = {}
        self._nursery: trio.Nursery | None = None
        self._state = trio.Event()  # set and replaced on boot, disconnect, transaction change

    def now(self) -> Any:
        return self.clock().replace(microsecond=0)

    def _poke(self) -> None:
        self._state.set()
        self._state = trio.Event()

    def _accepted(self, station_id: str, version: Version) -> None:
        """A BootNotification was answered Accepted: start the scenario (first time)."""
        self._booted.add(station_id)
        self._poke()
        if self.scenario is None or station_id in self._scenario_started:
            return
        if self._nursery is None:
            return
        self._scenario_started.add(station_id)
        calls = self.scenario.calls_for(station_id, version)
        if calls:
            self._nursery.start_soon(self._run_calls, station_id, calls, trio.current_time())

    async def _on_connect(self, station: Any) -> None:
        self.connected[station.station_id] = self.clock()

    async def _on_disconnect(self, station: Any) -> None:
        station_id = station.station_id
        if self.server is not None and station_id in self.server.stations:
            return  # replaced by a newer connection
        self.connected.pop(station_id, None)
        self._booted.discard(station_id)
        self._poke()

    # -- handlers -------------------------------------------------------------------------

    def handlers(self, station_id: str, version: Version) -> Mapping[str, Handler]:
        """The handler mapping of one station (the ``serve`` factory)."""
        own = self._handlers_1x(version) if version in FAMILY_1X else self._handlers_2x(version)
        table = actions_for(version)
        for name, spec in table.items():
            if name in own or spec.response is None:
                continue
            if spec.direction not in (Direction.CS_TO_CSMS, Direction.BOTH):
                continue
            try:
                empty = spec.response()
            except TypeError:
                continue  # needs content we do not simulate: NotSupported
            own[name] = self._constant(empty)
        return self.log.wrap_handlers(own, me="CSMS", version=version)

    @staticmethod
    def _constant(answer: Any) -> Handler:
        async def handler(request: Any, ctx: CallContext) -> Any:
            return answer

        return handler

    def _handlers_1x(self, version: Version) -> dict[str, Handler]:
        m, d = messages_of(version), datatypes_of(version)

        def info(tag: str) -> Any:
            return d.IdTagInfo(status="Accepted" if self.policy.accepts(tag) else "Invalid")

        async def boot(req: Any, ctx: CallContext) -> Any:
            key = "heartbeat_interval" if version is Version.V15 else "interval"
            if self.policy.boot == "Accepted":
                self._accepted(ctx.station_id, version)
            return m.BootNotificationResponse(status=self.policy.boot, current_time=self.now(),
                                              **{key: self.policy.interval})

        async def heartbeat(req: Any, ctx: CallContext) -> Any:
            return m.HeartbeatResponse(current_time=self.now())

        async def authorize(req: Any, ctx: CallContext) -> Any:
            return m.AuthorizeResponse(id_tag_info=info(req.id_tag))

        async def start(req: Any, ctx: CallContext) -> Any:
            tx = next(self._tx_ids)
            if self.policy.accepts(req.id_tag):
                self._started(ctx.station_id, tx)
            return m.StartTransactionResponse(transaction_id=tx, id_tag_info=info(req.id_tag))

        async def stop(req: Any, ctx: CallContext) -> Any:
            self._ended(ctx.station_id, req.transaction_id)
            tag = getattr(req, "id_tag", None)
            return m.StopTransactionResponse(id_tag_info=None if tag is None else info(tag))

        async def data_transfer(req: Any, ctx: CallContext) -> Any:
            return m.DataTransferResponse(status="UnknownVendorId")

        return {"BootNotification": boot, "Heartbeat": heartbeat, "Authorize": authorize,
                "StartTransaction": start, "StopTransaction": stop,
                "DataTransfer": data_transfer}

    def _handlers_2x(self, version: Version) -> dict[str, Handler]:
        m, d = messages_of(version), datatypes_of(version)

        def info(token: Any) -> Any:
            ok = self.policy.accepts(token.id_token)
            return d.IdTokenInfoType(status="Accepted" if ok else "Invalid")

        async def boot(req: Any, ctx: CallContext) -> Any:
            if self.policy.boot == "Accepted":
                self._accepted(ctx.station_id, version)
            return m.BootNotificationResponse(status=self.policy.boot, current_time=self.now(),
                                              interval=self.policy.interval)

        async def heartbeat(req: Any, ctx: CallContext) -> Any:
            return m.HeartbeatResponse(current_time=self.now())

        async def authorize(req: Any, ctx: CallContext) -> Any:
            return m.AuthorizeResponse(id_token_info=info(req.id_token))

        async def transaction_event(req: Any, ctx: CallContext) -> Any:
            # OCPP 2.0.1 Part 2 E01-E07: idTokenInfo is given when an idToken is sent.
            tx = req.transaction_info.transaction_id
            if req.event_type == "Started":
                self._started(ctx.station_id, tx)
            elif req.event_type == "Ended":
                self._ended(ctx.station_id, tx)
            token = req.id_token
            return m.TransactionEventResponse(id_token_info=None if token is None else info(token))

        async def data_transfer(req: Any, ctx: CallContext) -> Any:
            return m.DataTransferResponse(status="UnknownVendorId")

        return {"BootNotification": boot, "Heartbeat": heartbeat, "Authorize": authorize,
                "TransactionEvent": transaction_event, "DataTransfer": data_transfer}

    def _started(self, station_id: str, tx: Any) -> None:
        self.transactions.setdefault(station_id, set()).add(tx)
        self._latest_tx[station_id] = tx
        self._poke()

    def _ended(self, station_id: str, tx: Any) -> None:
        self.transactions.get(station_id, set()).discard(tx)
        self.completed.setdefault(station_id, []).append(tx)
        self._poke()

    def open_transaction(self, station_id: str) -> Any:
        """The id of the station's latest open transaction (``None`` when none is open)."""
        open_ = self.transactions.get(station_id) or set()
        latest = self._latest_tx.get(station_id)
        if latest in open_:
            return latest
        return next(iter(open_), None)

    # -- CSMS -> station ------------------------------------------------------------------

    def _connection(self, station_id: str) -> Any:
        assert self.server is not None, "calls need a running simulator (run())"
        try:
            return self.server.stations[station_id]
        except KeyError:
            raise UnknownStation(station_id) from None

    async def _logged(self, station_id: str, conn: Any, request: Any,
                      timeout: float | None) -> Any:
        version = Version(conn.version)
        action = actions_for(version).of(request)[0].name
        return await self.log.call(lambda: conn.call(request, timeout=timeout), request,
                                   action=action, station=station_id, version=version,
                                   me="CSMS")

    async def call(self, station_id: str, request: Any, timeout: float | None = None) -> Any:
        """Send a CSMS->station CALL, logged: a version request (its version response) or a
        generic one (see :meth:`call_generic`). Raises :class:`UnknownStation`."""
        if isinstance(request, GenericMessage):
            return await self.call_generic(station_id, request, timeout)
        return await self._logged(station_id, self._connection(station_id), request, timeout)

    async def call_generic(self, station_id: str, request: GenericMessage,
                           timeout: float | None = None, lost: list[Loss] | None = None) -> Any:
        """Send a generic request converted for the station's version; the generic response,
        or the :class:`~ocpp_sansio.generic.Unsupported` outcome (then nothing was sent when
        the request could not be converted). Losses of both conversions go to ``lost``."""
        conn = self._connection(station_id)
        version = Version(conn.version)
        session = self._sessions.get(station_id)
        if session is None or session.version is not version:
            session = self._sessions[station_id] = GenericSession(station_id, version, Role.CSMS)

        async def send(message: Any) -> Any:
            return await self._logged(station_id, conn, message, timeout)

        return await session.call(send, request, lost)

    def decode_action(self, station_id: str, action: str, payload: Any) -> Any:
        """The version request ``action`` of the station's version built from its wire JSON
        ``payload`` (validated strictly); raises :class:`BadCall`, :class:`UnknownStation`."""
        version = Version(self._connection(station_id).version)
        spec = actions_for(version).get(action)
        if spec is None or not spec.direction.sent_by_csms():
            raise BadCall(f"{action!r} is not an action the CSMS sends in OCPP {version}")
        try:
            return codec.decode(version, action, "request", payload, STRICT)
        except ValidationError as exc:
            raise BadCall(str(exc)) from None

    async def call_action(self, station_id: str, action: str, payload: Any,
                          timeout: float | None = None) -> Any:
        """Send ``action`` with the wire JSON ``payload`` of the station's version; the
        version response. Raises :class:`BadCall`, :class:`UnknownStation`, and what the
        call raises (``CallError``, ``CallTimeout``, ``ConnectionClosed``)."""
        return await self.call(station_id, self.decode_action(station_id, action, payload),
                               timeout)

    def substitute(self, station_id: str, value: Any, generic: bool = True) -> Any:
        """``value`` with every string ``"$transaction"`` replaced by the station's latest
        open transaction: its generic id (``generic``; a 1.x id in decimal) or its wire id
        (1.x: the integer). Raises :class:`BadCall` when none is open."""
        if isinstance(value, str):
            if value != TRANSACTION_PLACEHOLDER:
                return value
            tx = self.open_transaction(station_id)
            if tx is None:
                raise BadCall(f"{TRANSACTION_PLACEHOLDER}: no transaction is open on "
                              f"{station_id}")
            return str(tx) if generic else tx
        if attrs.has(type(value)):
            changes = {}
            for f in attrs.fields(type(value)):
                if not f.init or f.name == "version_message":
                    continue
                item = getattr(value, f.name)
                new = self.substitute(station_id, item, generic)
                if new is not item:
                    changes[f.name] = new
            return attrs.evolve(value, **changes) if changes else value
        if isinstance(value, tuple):
            items = tuple(self.substitute(station_id, v, generic) for v in value)
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        if isinstance(value, list):
            return [self.substitute(station_id, v, generic) for v in value]
        if isinstance(value, dict):
            return {k: self.substitute(station_id, v, generic) for k, v in value.items()}
        return value

    # -- the scenario -----------------------------------------------------------------------

    async def _until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            await self._state.wait()

    def _ready(self, station_id: str) -> bool:
        return (self.server is not None and station_id in self.server.stations
                and station_id in self._booted)

    async def _run_calls(self, station_id: str, calls: list[CsmsCall], booted: float) -> None:
        """Send ``calls`` to one station, in file order, each at its time (see
        :class:`~ocpp_trio.sim.scenario_file.CsmsCall`)."""
        previous = booted
        for call in calls:
            if call.since == "boot":
                await trio.sleep_until(booted + call.after)
            elif call.since == "previous":
                await trio.sleep_until(previous + call.after)
            else:
                await self._until(lambda: self.open_transaction(station_id) is not None)
                await trio.sleep(call.after)
            await self._until(lambda: self._ready(station_id))
            outcome = await self._scenario_call(station_id, call)
            previous = trio.current_time()
            self.outcomes.append(outcome)
            if self.on_outcome is not None:
                self.on_outcome(outcome)

    async def _scenario_call(self, station_id: str, call: CsmsCall) -> ScenarioOutcome:
        def outcome(ok: bool, detail: str, response: Any = None) -> ScenarioOutcome:
            return ScenarioOutcome(station=station_id, call=call, ok=ok, detail=detail,
                                   response=response)

        try:
            if call.operation is not None:
                request = self.substitute(station_id, call.request)
                response = await self.call_generic(station_id, request, call.timeout)
                if isinstance(response, Unsupported):
                    return outcome(False, f"not expressible in OCPP {response.version}: "
                                          f"{response.reason} {response.field or ''} "
                                          f"{response.detail}".rstrip())
                shown = generic_json(response)
            else:
                payload = self.substitute(station_id, call.payload, generic=False)
                assert call.action is not None
                response = await self.call_action(station_id, call.action, payload,
                                                  call.timeout)
                shown = codec.to_wire(response)
        except CallError as exc:
            return outcome(False, f"CALLERROR {exc.code}: {exc.description}")
        except CallTimeout as exc:
            return outcome(False, f"timeout: {exc}")
        except (BadCall, UnknownStation, ConnectionClosed) as exc:
            return outcome(False, f"{type(exc).__name__}: {exc}")
        status = shown.get("status") if isinstance(shown, dict) else None
        if call.expect is not None and status != call.expect:
            return outcome(False, f"expected status {call.expect}, got {status}", response)
        return outcome(True, codec.dumps(shown), response)

    @asynccontextmanager
    async def run(self, host: str = "127.0.0.1", port: int = 0, *,
                  versions: Iterable[Version | str] = ("2.0.1", "1.6", "1.5", "2.1"),
                  ssl: _ssl.SSLContext | None = None, soap: bool = True,
                  auth: Callable[..., Any] | None = None) -> AsyncIterator[Server]:
        """Serve OCPP-J and (``soap``) OCPP-S on ``host:port``; yields the ``Server``.

        ``ssl``: a server context (security profile 2; 3 when it requires client
        certificates, see :func:`ocpp_sansio.ws.tls.server_context`); ``auth``: the
        connection check (e.g. :func:`basic_auth`). A scenario's calls run while serving."""
        async with serve(host, port, versions=versions, handlers=self.handlers, ssl=ssl,
                         soap=soap, auth=auth, on_connect=self._on_connect,
                         on_disconnect=self._on_disconnect) as server:
            self.server = server
            try:
                async with trio.open_nursery() as nursery:
                    self._nursery = nursery
                    try:
                        yield server
                    finally:
                        nursery.cancel_scope.cancel()
            finally:
                self._nursery = None
                self.server = None
