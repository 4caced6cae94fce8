"""The CSMS simulator: OCPP-J and OCPP-S stations of every supported version on one port.

Station-initiated calls are answered by :class:`AuthPolicy`: BootNotification with the
configured registration status, id tags by ``accept`` (all Accepted), ``allow-list`` (listed
tags Accepted, others Invalid) or ``reject`` (all Invalid). Every other CS->CSMS action whose
response has no required field gets that empty response; actions needing content we do not
simulate are left unhandled, so the engine answers NotSupported (OCPP-J 4.2.3).
"""

import importlib
import itertools
import ssl as _ssl
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

import attrs

from ocpp_sansio.actions import Direction, actions_for
from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.version import Version

from .._server import Server, serve
from .log import Clock, MessageLog, utc_now

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


def station_urls(host: str, port: int, tls: bool = False) -> list[str]:
    """The URLs stations use: OCPP-J ``ws(s)://host:port/<path>/<id>``, OCPP-S ``http(s)``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    ws, http = ("wss", "https") if tls else ("ws", "http")
    return [f"OCPP-J (1.5 1.6 2.0.1 2.1): {ws}://{shown}:{port}/ocpp/<station id>",
            f"OCPP-S (1.5 1.6):          {http}://{shown}:{port}/ocpp"]


class CsmsSimulator:
    """Answers stations by ``policy``, logs every message to ``log``; ``run()`` serves."""

    def __init__(self, policy: AuthPolicy | None = None, log: MessageLog | None = None,
                 clock: Clock = utc_now) -> None:
        self.policy = policy or AuthPolicy()
        self.log = log or MessageLog()
        self.clock = clock
        self.server: Server | None = None
        self._tx_ids = itertools.count(1)
        #: station id -> the open transactions (1.x: int ids; 2.x: str ids)
        self.transactions: dict[str, set[Any]] = {}
        self.completed: dict[str, list[Any]] = {}

    def now(self) -> Any:
        return self.clock().replace(microsecond=0)

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
            return m.BootNotificationResponse(status=self.policy.boot, current_time=self.now(),
                                              **{key: self.policy.interval})

        async def heartbeat(req: Any, ctx: CallContext) -> Any:
            return m.HeartbeatResponse(current_time=self.now())

        async def authorize(req: Any, ctx: CallContext) -> Any:
            return m.AuthorizeResponse(id_tag_info=info(req.id_tag))

        async def start(req: Any, ctx: CallContext) -> Any:
            tx = next(self._tx_ids)
            if self.policy.accepts(req.id_tag):
                self.transactions.setdefault(ctx.station_id, set()).add(tx)
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
                self.transactions.setdefault(ctx.station_id, set()).add(tx)
            elif req.event_type == "Ended":
                self._ended(ctx.station_id, tx)
            token = req.id_token
            return m.TransactionEventResponse(id_token_info=None if token is None else info(token))

        async def data_transfer(req: Any, ctx: CallContext) -> Any:
            return m.DataTransferResponse(status="UnknownVendorId")

        return {"BootNotification": boot, "Heartbeat": heartbeat, "Authorize": authorize,
                "TransactionEvent": transaction_event, "DataTransfer": data_transfer}

    def _ended(self, station_id: str, tx: Any) -> None:
        self.transactions.get(station_id, set()).discard(tx)
        self.completed.setdefault(station_id, []).append(tx)

    # -- CSMS -> station ------------------------------------------------------------------

    async def call(self, station_id: str, request: Any, timeout: float | None = None) -> Any:
        """Send a CSMS->station CALL, logged; raises KeyError for an unknown station."""
        assert self.server is not None, "call() needs a running simulator (run())"
        conn = self.server.stations[station_id]
        action = actions_for(conn.version).of(request)[0].name
        return await self.log.call(lambda: conn.call(request, timeout=timeout), request,
                                   action=action, station=station_id, version=conn.version,
                                   me="CSMS")

    @asynccontextmanager
    async def run(self, host: str = "127.0.0.1", port: int = 0, *,
                  versions: Iterable[Version | str] = ("2.0.1", "1.6", "1.5", "2.1"),
                  ssl: _ssl.SSLContext | None = None, soap: bool = True,
                  auth: Callable[..., Any] | None = None) -> AsyncIterator[Server]:
        """Serve OCPP-J and (``soap``) OCPP-S on ``host:port``; yields the ``Server``."""
        async with serve(host, port, versions=versions, handlers=self.handlers, ssl=ssl,
                         soap=soap, auth=auth) as server:
            self.server = server
            try:
                yield server
            finally:
                self.server = None
