"""The station simulator: one charging station against a CSMS, on the generic API.

:class:`SimStation` is written once against :mod:`ocpp_sansio.generic` (``docs/generic.md``)
and runs over OCPP 1.5, 1.6, 2.0.1 and 2.1 on OCPP-J, and 1.5 / 1.6 on OCPP-S
(``transport="soap"``: the station serves its own HTTP endpoint). It keeps connector state,
transactions and configuration, and answers CSMS-initiated calls as a real station would:

- RequestStartTransaction / RequestStopTransaction (1.x RemoteStart/StopTransaction, OCPP 1.6
  sections 5.11, 5.12; 2.0.1 Part 2 F01, F03): accepted when the connector is free and
  operative (resp. the transaction runs), then the transaction starts (stops) with the usual
  messages. A 1.x remote stop of an id nobody knows is answered Rejected by the adapter.
- Reset (1.6 section 5.14, 2.0.1 B11/B12): accepted; running transactions stop (1.6 reason
  SoftReset/HardReset, 2.x ImmediateReset), the link is closed, the station reconnects and
  sends BootNotification again (2.x reason RemoteReset). 2.x OnIdle while charging:
  Scheduled, the reset follows the end of the last transaction (B12.FR.01); an EVSE reset is
  Rejected (B11.FR.09 leaves it optional).
- TriggerMessage (1.6 section 5.17, 2.0.1 F06): BootNotification, Heartbeat,
  StatusNotification, MeterValues and (2.x) TransactionEvent are sent after the answer; other
  messages NotImplemented; an unknown connector Rejected. 1.5 has no TriggerMessage.
- ChangeAvailability (1.6 section 5.2, 2.0.1 G03/G04): the connector (or, for the whole
  station, every connector) becomes Available/Unavailable with a StatusNotification;
  Scheduled while a transaction runs on it (applied when it ends).
- GetConfiguration / SetConfiguration (1.x Get/ChangeConfiguration, sections 5.8, 5.3;
  2.x GetVariables / SetVariables, B06, B05): one kept configuration, each setting under its
  1.x key name and/or its 2.0.1 variable (the generic :data:`STANDARD_KEYS` pairing).

Link loss: the station keeps its state and scenario, reconnects with exponential back-off
and jitter (:class:`~ocpp_trio.ReconnectPolicy`, OCPP 2.0.1 Part 4 section 5.3), sends
BootNotification and a StatusNotification per connector again, and continues; a call made
while the link is down waits for it and is sent then.

Transaction messages (1.x StartTransaction, StopTransaction, transaction MeterValues; 2.x
TransactionEvent) go through one method, :meth:`SimStation._transaction_message`, into an
:class:`~ocpp_sansio.outbox.Outbox` delivered by :class:`~ocpp_trio._outbox.OutboxDriver`
(OCPP 1.6 section 3.7 / 3.7.1, 2.0.1 E12 / E13): queued while offline, delivered in order,
retried per ``TransactionMessageAttempts`` / ``TransactionMessageRetryInterval``. The storage
is in memory by default; ``StationOptions.outbox`` names an SQLite file instead (WAL), so a
station process killed with SIGKILL resumes with every unacknowledged message still queued.

Where the generic API answers :class:`~ocpp_sansio.generic.Unsupported` for the version, the
simulator does the closest correct thing (the call is not made) and writes a note (the human
message log, and the ``ocpp_toolkit.sim`` logger); ``unsupported`` keeps the outcomes.
"""

import contextlib
import datetime
import itertools
import logging
import random
import secrets
import ssl as _ssl
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import attrs
import trio

from ocpp_sansio import generic as g
from ocpp_sansio.actions import actions_for
from ocpp_sansio.generic.configuration import ConfigKey, Variable
from ocpp_sansio.outbox import (
    Dropped,
    Event,
    MemoryStorage,
    Outbox,
    SqliteStorage,
    Storage,
    TransactionIdAssigned,
    TransactionIdUnknown,
)
from ocpp_sansio.version import Version

from .._common import ConnectionClosed, HandshakeRejected, ReconnectPolicy
from .._generic import GenericContext, GenericRouter, GenericStation
from .._outbox import DeliveryError, OutboxDriver
from .._station import connect
from .log import Clock, MessageLog, utc_now

SUPPORTED = (Version.V15, Version.V16, Version.V201, Version.V21)
#: versions with an OCPP-S binding
SOAP_VERSIONS = (Version.V15, Version.V16)
_V1 = (Version.V15, Version.V16)

log = logging.getLogger("ocpp_toolkit.sim")

#: the simulator's default: first retry after about 1 s, at most a minute apart, forever
DEFAULT_RECONNECT = ReconnectPolicy(min_backoff=1.0, max_backoff=60.0, jitter=1.0)


@attrs.frozen(kw_only=True)
class StationOptions:
    """What a simulated station is: identity, version, transport, connectors, credentials.

    - ``transport``: ``"json"`` (OCPP-J, every version) or ``"soap"`` (OCPP-S, 1.5 / 1.6;
      ``url`` is then the CSMS's ``http(s)://`` endpoint, ``soap_listen`` where the station's
      own endpoint listens and ``soap_url`` the URL the CSMS is told to call back).
    - ``reconnect``: back-off after a lost link or a failed connection attempt (``None``: no
      reconnect; the run fails when the link is lost).
    - ``outbox``: where transaction messages are kept until acknowledged: ``"memory"`` or an
      SQLite file path (created when missing; see :meth:`SimStation._transaction_message`).
    """

    url: str
    station_id: str
    version: Version = Version.V16
    transport: str = "json"
    connectors: int = 1
    id_tag: str = "SIM-TAG"
    vendor: str = "ocpp-toolkit"
    model: str = "sim-station"
    password: bytes | None = None
    ssl: _ssl.SSLContext | None = None
    meter_values: int = 2
    meter_interval: float = 0.0
    soap_listen: tuple[str, int] = ("127.0.0.1", 0)
    soap_url: str | None = None
    reconnect: ReconnectPolicy | None = DEFAULT_RECONNECT
    outbox: str = "memory"


@attrs.define
class Connector:
    """One connector (a 1.x connector, a 2.x EVSE with one connector) and its transaction."""

    id: int
    operative: bool = True
    pending_inoperative: bool = False
    #: the transaction id on the wire: 1.x the int the CSMS assigned, 2.x our string id
    transaction: Any = None
    #: the generic (station-chosen) transaction id
    generic_id: str | None = None
    id_tag: str | None = None
    meter: int = 0  # Wh

    def status(self, version: Version) -> str:
        """The connector status as ``version`` spells it (1.6 ``Charging``, 1.5 and 2.x
        ``Occupied`` for a connector in use)."""
        if not self.operative:
            return "Unavailable"
        if self.transaction is not None or self.generic_id is not None:
            return "Charging" if version is Version.V16 else "Occupied"
        return "Available"


@attrs.define
class Setting:
    """One configuration setting: its 1.x key and/or 2.0.1 variable, value, and type."""

    name: str | None
    variable: Variable | None
    value: str
    readonly: bool = False
    kind: str = "str"  # "int", "bool" or "str"

    @property
    def key(self) -> ConfigKey:
        return ConfigKey(name=self.name, variable=self.variable)


def _std(name: str, value: str, kind: str = "str", readonly: bool = False) -> Setting:
    key = ConfigKey.named(name)
    return Setting(name=name, variable=key.variable, value=value, readonly=readonly, kind=kind)


def _var(component: str, name: str, value: str, kind: str = "str", *, readonly: bool = False,
         instance: str | None = None) -> Setting:
    return Setting(name=None, variable=Variable(component=component, name=name,
                                                variable_instance=instance),
                   value=value, readonly=readonly, kind=kind)


def default_settings(connectors: int) -> list[Setting]:
    """The kept configuration: 1.6 Core keys (OCPP 1.6 section 9.1) paired with their 2.0.1
    variables (2.0.1 Part 2 Appendices, controller components), plus the 1.x-only and
    2.0.1-only settings a station of each family reports."""
    return [
        _std("AuthorizeRemoteTxRequests", "false", "bool"),
        _std("ClockAlignedDataInterval", "0", "int"),
        _std("ConnectionTimeOut", "60", "int"),
        _std("GetConfigurationMaxKeys", "50", "int", readonly=True),
        _std("HeartbeatInterval", "300", "int"),
        _std("LocalAuthorizeOffline", "true", "bool"),
        _std("LocalPreAuthorize", "false", "bool"),
        _std("MeterValuesAlignedData", "Energy.Active.Import.Register"),
        _std("MeterValuesSampledData", "Energy.Active.Import.Register"),
        _std("MeterValueSampleInterval", "60", "int"),
        Setting(name="NumberOfConnectors", variable=None, value=str(connectors), readonly=True,
                kind="int"),
        _std("ResetRetries", "3", "int"),
        _std("StopTransactionOnEVSideDisconnect", "true", "bool"),
        _std("StopTransactionOnInvalidId", "true", "bool"),
        _std("StopTxnAlignedData", ""),
        _std("StopTxnSampledData", ""),
        Setting(name="SupportedFeatureProfiles", variable=None, value="Core,RemoteTrigger",
                readonly=True),
        _std("TransactionMessageAttempts", "3", "int"),
        _std("TransactionMessageRetryInterval", "60", "int"),
        _std("UnlockConnectorOnEVSideDisconnect", "true", "bool"),
        _var("OCPPCommCtrlr", "MessageTimeout", "30", "int", instance="Default"),
        _var("OCPPCommCtrlr", "NetworkProfileConnectionAttempts", "3", "int"),
        _var("DeviceDataCtrlr", "BytesPerMessage", "65000", "int", readonly=True,
             instance="GetVariables"),
    ]


def _valid(kind: str, value: str) -> bool:
    if kind == "int":
        return value.lstrip("-").isdigit()
    if kind == "bool":
        return value.lower() in ("true", "false")
    return True


class SimStation:
    """One simulated station; ``run(scenario)`` connects, boots, runs the scenario, closes."""

    def __init__(self, options: StationOptions, log: MessageLog | None = None,
                 clock: Clock = utc_now) -> None:
        version = Version(options.version) if options.version in set(Version) else None
        if version not in SUPPORTED or version is None:
            raise ValueError(f"the station simulator speaks {', '.join(SUPPORTED)}, "
                             f"not {options.version}")
        if options.transport not in ("json", "soap"):
            raise ValueError(f"transport must be 'json' or 'soap', not {options.transport!r}")
        if options.transport == "soap" and version not in SOAP_VERSIONS:
            raise ValueError(f"OCPP-S exists for {', '.join(SOAP_VERSIONS)} only, not {version}")
        self.options = options
        self.version = version
        self.log = log or MessageLog()
        self.clock = clock
        self.connectors = {i: Connector(i) for i in range(1, options.connectors + 1)}
        self.settings = default_settings(options.connectors)
        self.boots = 0
        self.boot_status: str | None = None
        self.heartbeat_interval = 300
        self.completed: list[Any] = []  # wire ids of the transactions that ended
        self.changed = trio.Event()  # set (and replaced) whenever a transaction starts/ends
        self.unsupported: list[g.Unsupported] = []  # what the version could not carry
        #: links opened so far (1 + reconnects and re-boots)
        self.connections = 0
        self.generic = GenericStation(handlers=self.router())
        storage: Storage = (MemoryStorage() if options.outbox == "memory"
                            else SqliteStorage(options.outbox))
        self.outbox = Outbox(version, storage, attempts=int(self._value(
            "TransactionMessageAttempts")), retry_interval=float(self._value(
                "TransactionMessageRetryInterval")))
        self.outbox_driver = OutboxDriver(self.outbox, on_event=self._outbox_event)
        self._link: Any = None
        self._ready = trio.Event()
        self._wake = trio.Event()  # the connection loop should look again (reboot / loss)
        self._reboot = False
        self._boot_reason = g.BootReason.PowerUp
        self._nursery: trio.Nursery | None = None
        self._tx_numbers = itertools.count(1)
        self._run_id = secrets.token_hex(4)
        self._reset_when_idle = False

    # -- plumbing -------------------------------------------------------------------------

    def now(self) -> datetime.datetime:
        return self.clock().replace(microsecond=0)

    @property
    def station_id(self) -> str:
        return self.options.station_id

    @property
    def v1(self) -> bool:
        """Whether the version is 1.5 or 1.6."""
        return self.version in _V1

    @property
    def config(self) -> dict[str, tuple[str, bool]]:
        """The 1.x view of the configuration: key -> (value, read-only) (a copy)."""
        return {s.name: (s.value, s.readonly) for s in self.settings if s.name is not None}

    @property
    def variables(self) -> dict[tuple[str, str], tuple[str, bool, str]]:
        """The 2.0.1 view: (component, variable) -> (value, read-only, kind) (a copy)."""
        return {(s.variable.component, s.variable.name): (s.value, s.readonly, s.kind)
                for s in self.settings if s.variable is not None}

    def _notify(self) -> None:
        self.changed.set()
        self.changed = trio.Event()

    def note(self, text: str) -> None:
        """A line about the simulator itself (not a message): human log and logger."""
        log.info("%s: %s", self.station_id, text)
        human = self.log.human
        if human is not None:
            human.write(f"{self.now():%H:%M:%S} {self.station_id} ({self.version}) "
                        f"note: {text}\n")
            human.flush()

    def _refused(self, outcome: g.Unsupported) -> None:
        self.unsupported.append(outcome)
        where = f" ({outcome.field})" if outcome.field else ""
        self.note(f"{outcome.operation} not expressible in {outcome.version}: "
                  f"{outcome.reason}{where} {outcome.detail}".rstrip())

    def _lost(self) -> None:
        """The link is gone: the connection loop reconnects."""
        self._ready = trio.Event() if self._ready.is_set() else self._ready
        self._wake.set()

    async def call(self, request: Any, timeout: float | None = None) -> Any:
        """Send a generic (or version) request once connected and booted; the generic
        (version) response, or the :class:`~ocpp_sansio.generic.Unsupported` outcome when
        the version cannot carry it (nothing is sent). When the link drops, the request
        is sent again once the station has reconnected and booted."""
        while True:
            while not self._ready.is_set():
                await self._ready.wait()
            try:
                return await self._call(request, timeout)
            except ConnectionClosed:
                self._lost()

    async def _send(self, link: Any, message: Any, timeout: float | None) -> Any:
        """One version message over ``link``, logged."""
        action = actions_for(self.version).of(message)[0].name
        return await self.log.call(lambda: link.call(message, timeout=timeout), message,
                                   action=action, station=self.station_id,
                                   version=self.version, me="CS")

    async def _call(self, request: Any, timeout: float | None = None) -> Any:
        """One call on the current link, logged; ``Unsupported`` is noted and returned."""
        link = self._link
        session = self.generic.session
        if link is None or session is None:
            raise ConnectionClosed("not connected")

        async def send(message: Any) -> Any:
            return await self._send(link, message, timeout)

        answer = await session.call(send, request)
        if isinstance(answer, g.Unsupported):
            self._refused(answer)
        return answer

    def _transactions(self) -> Any:
        """The adapter's transaction map (1.x ids, 2.x ``seqNo``)."""
        session = self.generic.session
        return None if session is None else getattr(session.adapter, "transactions", None)

    def _later(self, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` (a coroutine function) after the current answer was sent.

        A follow-up whose link drops is dropped as on a real station (the boot sequence after
        the reconnect reports every connector's status again); transaction messages in it
        are kept (:meth:`call` sends them after the reconnect)."""
        assert self._nursery is not None

        async def guarded() -> None:
            try:
                await fn()
            except ConnectionClosed:
                self._lost()

        self._nursery.start_soon(guarded)

    def close(self) -> None:
        """Release the outbox storage (the SQLite file); the station cannot run again."""
        self.outbox.storage.close()

    # -- the link -------------------------------------------------------------------------

    async def run(self, scenario: Callable[["SimStation"], Any]) -> None:
        """Connect, boot, run ``scenario(self)`` (a coroutine function), then disconnect."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            await nursery.start(self._connection_loop)
            await scenario(self)
            nursery.cancel_scope.cancel()

    @contextlib.asynccontextmanager
    async def _open(self) -> AsyncIterator[Any]:
        """One link: ``connect()`` with the generic handlers, every message logged."""
        opts = self.options
        versions = (self.version,)
        handlers = self.log.wrap_handlers(self.generic.version_handlers(versions), me="CS",
                                          version=self.version)
        kwargs: dict[str, Any] = {}
        if opts.transport == "soap":
            kwargs.update(soap_listen=opts.soap_listen, soap_url=opts.soap_url)
        else:
            kwargs.update(password=opts.password)
        async with connect(opts.url, opts.station_id, versions=versions,
                           transport=opts.transport, handlers=handlers, ssl=opts.ssl,
                           **kwargs) as link:
            yield link

    async def _connection_loop(self, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        policy = self.options.reconnect
        started = False
        failures = 0
        while True:
            try:
                async with self._open() as link:
                    self.generic.attach(link)
                    self._link = link
                    self.connections += 1
                    self._wake = trio.Event()
                    await self._boot()
                    failures = 0
                    self._ready.set()
                    if not started:
                        started = True
                        task_status.started()
                    async with self.outbox_driver.running(_OutboxLink(self, link)):
                        await self._until_lost(link)
            except HandshakeRejected:
                if not started:
                    raise  # refused credentials or version: retrying does not help
                failures += 1
                self.note("the CSMS refused the reconnection")
            except (OSError, ConnectionClosed, trio.TooSlowError,
                    trio.BrokenResourceError) as exc:
                failures += 1
                self.note(f"link lost or connection failed: {type(exc).__name__}: {exc}")
            finally:
                self._link = None
                if self._ready.is_set():
                    self._ready = trio.Event()
            if self._reboot:
                self._reboot = False
                continue
            if policy is None:
                raise ConnectionClosed("the link to the CSMS is lost (no reconnect policy)")
            if policy.attempts is not None and failures > policy.attempts:
                raise ConnectionClosed(f"gave up after {failures} failed connection attempts")
            delay = policy.delay(max(failures - 1, 0), random.random())
            self.note(f"reconnecting in {delay:.2f} s")
            await trio.sleep(delay)

    async def _until_lost(self, link: Any) -> None:
        """Return when a reboot is asked for or the link is gone (OCPP-J: the WebSocket
        closed; OCPP-S, which has no connection: a call found the CSMS unreachable)."""

        async def closed() -> None:
            waiter = getattr(link, "wait_disconnected", None)
            if waiter is not None:
                await waiter()
            else:
                while getattr(link, "is_connected", True):
                    await trio.sleep(0.05)
            self.note("the link to the CSMS is closed")
            self._wake.set()

        async with trio.open_nursery() as nursery:
            if hasattr(link, "wait_disconnected") or hasattr(link, "is_connected"):
                nursery.start_soon(closed)
            await self._wake.wait()
            nursery.cancel_scope.cancel()

    async def _boot(self) -> None:
        """BootNotification until Accepted (1.6 section 4.2, 2.0.1 B01-B03), then a
        StatusNotification per connector."""
        while True:
            reason = g.BootReason.PowerUp if self.v1 else self._boot_reason
            resp = await self._call(g.BootNotificationRequest(
                vendor=self.options.vendor, model=self.options.model, reason=reason))
            self.boot_status = str(resp.status)
            self.boots += 1
            if resp.status == g.RegistrationStatus.Accepted:
                self.heartbeat_interval = resp.interval or self.heartbeat_interval
                break
            await trio.sleep(max(resp.interval, 1))
        self._boot_reason = g.BootReason.PowerUp
        for connector in self.connectors.values():
            await self._status(connector)

    async def reboot(self, reason: str) -> None:
        """Stop transactions, close the link, reconnect and boot again (2.x RemoteReset)."""
        for connector in self.connectors.values():
            await self.stop_transaction(connector.id, reason=reason)
        self._boot_reason = g.BootReason.RemoteReset
        self._reboot = True
        self._lost()

    # -- messages the station sends -------------------------------------------------------

    async def _status(self, connector: Connector) -> None:
        await self._call(g.StatusNotificationRequest(
            evse_id=connector.id, status=g.ConnectorStatus(connector.status(self.version)),
            connector_id=1, timestamp=self.now()))

    async def heartbeat(self) -> Any:
        return await self.call(g.HeartbeatRequest())

    async def authorize(self, tag: str) -> bool:
        resp = await self.call(g.AuthorizeRequest(id_token=g.IdToken(value=tag)))
        if isinstance(resp, g.Unsupported):
            return False
        return bool(resp.id_token_info.status == g.AuthorizationStatus.Accepted)

    def _meter_value(self, connector: Connector) -> g.MeterValue:
        return g.MeterValue(timestamp=self.now(), sampled_values=(g.SampledValue(
            value=connector.meter, measurand=g.Measurand.Energy_Active_Import_Register,
            unit=g.UnitOfMeasure.Wh),))

    async def _transaction_message(self, event: g.TransactionEventRequest) -> Any:
        """Every transaction-related message goes through here, and only these (OCPP 1.6
        section 3.7: StartTransaction, StopTransaction, MeterValues of a transaction; 2.0.1
        Part 2 E: TransactionEvent): converted to the version once, stored in the outbox
        (queued while offline), delivered in order by the outbox driver on each link.

        Returns the generic response, the ``Unsupported`` outcome (nothing queued), or
        ``None`` when the outbox gave the message up (dropped after its attempts, 1.6
        section 3.7.1 / 2.0.1 E13; noted)."""
        while self.generic.session is None:  # the version's adapter exists from the 1st link
            await self._ready.wait()
        session = self.generic.session
        out = session.request_out(event)
        if isinstance(out, g.Unsupported):
            self._refused(out)
            return out
        ticket = self.outbox_driver.submit(out.message)
        txmap = self._transactions()
        if ticket.placeholder is not None and txmap is not None:
            # 1.x: the CSMS assigns the id; until then this transaction's later messages carry
            # the outbox's placeholder, replaced in storage when the answer arrives.
            txmap.bind(event.transaction_id, ticket.placeholder)
        try:
            response = await self.outbox_driver.delivered(ticket)
        except DeliveryError as exc:
            self.note(f"{ticket.action} given up: {exc}")
            return None
        back = session.adapter.from_wire_message(response, request=event, now=session.now())
        if isinstance(back, g.Unsupported):
            self._refused(back)
            return back
        return back.message

    def _outbox_event(self, event: Event) -> None:
        if isinstance(event, TransactionIdAssigned):
            self.note(f"transaction id {event.transaction_id} assigned "
                      f"(placeholder {event.placeholder})")
        elif isinstance(event, TransactionIdUnknown | Dropped):
            self.note(f"outbox: {event}")

    def _value(self, name: str) -> str:
        found = self._setting(ConfigKey.named(name))
        assert found is not None
        return found.value

    def _event(self, connector: Connector, kind: g.TransactionEventType,
               trigger: g.TriggerReason, **fields: Any) -> g.TransactionEventRequest:
        assert connector.generic_id is not None
        if self.v1:  # 1.x does not carry the 2.x-only fields: leave them out
            fields = {k: v for k, v in fields.items() if k not in ("remote_start_id",)}
            trigger_reason = None
        else:
            trigger_reason = trigger
        return g.TransactionEventRequest(
            event_type=kind, transaction_id=connector.generic_id, timestamp=self.now(),
            trigger_reason=trigger_reason, **fields)

    async def start_transaction(self, connector_id: int, tag: str,
                                remote_start_id: int | None = None) -> bool:
        """Begin a transaction (1.x StartTransaction, 2.x TransactionEvent Started)."""
        connector = self.connectors[connector_id]
        if connector.generic_id is not None or not connector.operative:
            return False
        connector.id_tag = tag
        n = next(self._tx_numbers)
        connector.generic_id = f"{self.station_id[:22]}-{self._run_id}-{n}"[-36:]
        trigger = (g.TriggerReason.RemoteStart if remote_start_id is not None
                   else g.TriggerReason.Authorized)
        resp = await self._transaction_message(self._event(
            connector, g.TransactionEventType.Started, trigger, evse_id=connector.id,
            connector_id=None if self.v1 else 1, id_token=g.IdToken(value=tag),
            meter_wh=connector.meter, remote_start_id=remote_start_id))
        if resp is None or isinstance(resp, g.Unsupported):
            connector.generic_id = connector.id_tag = None
            return False
        wire = resp.version_message
        connector.transaction = (wire.transaction_id if self.v1 and wire is not None
                                 else connector.generic_id)
        self._notify()
        await self._status_or_later(connector)
        info = resp.id_token_info
        if info is not None and info.status != g.AuthorizationStatus.Accepted:
            # 1.6 section 5.11 / StopTransactionOnInvalidId; 2.0.1 E05: stop at once.
            await self.stop_transaction(connector.id, reason="DeAuthorized")
            return False
        return True

    async def meter(self, connector_id: int, wh: int = 1000) -> None:
        """Advance the meter by ``wh`` and report it (a transaction update when one runs:
        1.x MeterValues with transactionId, 2.x TransactionEvent Updated; else MeterValues)."""
        connector = self.connectors[connector_id]
        connector.meter += wh
        if connector.generic_id is not None:
            await self._transaction_message(self._event(
                connector, g.TransactionEventType.Updated, g.TriggerReason.MeterValuePeriodic,
                evse_id=connector.id, meter_values=(self._meter_value(connector),)))
        else:
            await self.call(g.MeterValuesRequest(evse_id=connector.id,
                                                 meter_values=(self._meter_value(connector),)))

    def _stop_reason(self, reason: str) -> g.StopReason | None:
        if self.version is Version.V15 or reason == "Local":
            return None  # 1.5 has no reason; no reason means Local everywhere
        if not self.v1 and reason in ("SoftReset", "HardReset"):
            return g.StopReason.ImmediateReset  # 2.0.1 ReasonEnumType
        return g.StopReason(reason)

    async def stop_transaction(self, connector_id: int, reason: str = "Local") -> bool:
        """End the connector's transaction (1.x StopTransaction, 2.x TransactionEvent Ended)."""
        connector = self.connectors[connector_id]
        if connector.generic_id is None:
            return False
        stopped = self._stop_reason(reason)
        trigger = {g.StopReason.Remote: g.TriggerReason.RemoteStop,
                   g.StopReason.ImmediateReset: g.TriggerReason.ResetCommand,
                   g.StopReason.DeAuthorized: g.TriggerReason.Deauthorized}.get(
            stopped, g.TriggerReason.StopAuthorized) if stopped else g.TriggerReason.StopAuthorized
        token = g.IdToken(value=connector.id_tag) if self.v1 and connector.id_tag else None
        tx = connector.transaction
        resp = await self._transaction_message(self._event(
            connector, g.TransactionEventType.Ended, trigger, id_token=token,
            meter_wh=connector.meter, stopped_reason=stopped))
        if resp is None or isinstance(resp, g.Unsupported):
            self.note(f"transaction {connector.generic_id} ended without a delivered message")
        connector.transaction = connector.generic_id = connector.id_tag = None
        if connector.pending_inoperative:
            connector.pending_inoperative = False
            connector.operative = False
        self.completed.append(tx)
        self._notify()
        await self._status_or_later(connector)
        idle = all(c.generic_id is None for c in self.connectors.values())
        if self._reset_when_idle and idle:
            self._reset_when_idle = False
            self._later(lambda: self.reboot("ImmediateReset"))
        return True

    async def _status_or_later(self, connector: Connector) -> None:
        """A StatusNotification now, or (link down) from the boot after the reconnect."""
        if not self._ready.is_set():
            return
        try:
            await self._status(connector)
        except ConnectionClosed:
            self._lost()

    # -- CSMS-initiated calls -------------------------------------------------------------

    def router(self) -> GenericRouter:
        """The generic handlers of CSMS-initiated calls."""
        return GenericRouter({
            "RequestStartTransaction": self._remote_start,
            "RequestStopTransaction": self._remote_stop,
            "Reset": self._reset,
            "TriggerMessage": self._trigger,
            "ChangeAvailability": self._availability,
            "GetConfiguration": self._get_configuration,
            "SetConfiguration": self._set_configuration,
        })

    def _by_generic_id(self, tx: str) -> Connector | None:
        for connector in self.connectors.values():
            if connector.generic_id is not None and connector.generic_id == tx:
                return connector
        return None

    def _free_connector(self, wanted: int | None) -> Connector | None:
        ids: Iterable[int] = [wanted] if wanted else list(self.connectors)
        for i in ids:
            connector = self.connectors.get(i)
            if connector is not None and connector.generic_id is None and connector.operative:
                return connector
        return None

    def _setting(self, key: ConfigKey) -> Setting | None:
        for s in self.settings:
            if key.variable is not None and s.variable is not None:
                if (s.variable.component, s.variable.name, s.variable.variable_instance) == (
                        key.variable.component, key.variable.name,
                        key.variable.variable_instance):
                    return s
            elif key.variable is None and key.name is not None and s.name == key.name:
                return s
        return None

    def _flag(self, name: str) -> bool:
        s = self._setting(ConfigKey.named(name))
        return s is not None and s.value.lower() == "true"

    async def _remote_start(self, req: g.RequestStartTransactionRequest,
                            ctx: GenericContext) -> g.RequestStartTransactionResponse:
        connector = self._free_connector(req.evse_id)
        if connector is None:
            return g.RequestStartTransactionResponse(status=g.RequestStartStopStatus.Rejected)
        # 1.6 AuthorizeRemoteTxRequests / 2.0.1 AuthCtrlr.AuthorizeRemoteStart (F01.FR.01)
        authorize = self._flag("AuthorizeRemoteTxRequests")
        tag = req.id_token.value

        async def begin() -> None:
            if authorize and not await self.authorize(tag):
                return
            await self.start_transaction(connector.id, tag, remote_start_id=req.remote_start_id)

        self._later(begin)
        return g.RequestStartTransactionResponse(status=g.RequestStartStopStatus.Accepted)

    async def _remote_stop(self, req: g.RequestStopTransactionRequest,
                           ctx: GenericContext) -> g.RequestStopTransactionResponse:
        connector = self._by_generic_id(req.transaction_id)
        if connector is None:
            return g.RequestStopTransactionResponse(status=g.RequestStartStopStatus.Rejected)
        self._later(lambda: self.stop_transaction(connector.id, reason="Remote"))
        return g.RequestStopTransactionResponse(status=g.RequestStartStopStatus.Accepted)

    async def _reset(self, req: g.ResetRequest, ctx: GenericContext) -> g.ResetResponse:
        if req.evse_id is not None:  # 2.0.1 B11.FR.09: EVSE reset not supported here
            return g.ResetResponse(status=g.ResetStatus.Rejected)
        busy = any(c.generic_id is not None for c in self.connectors.values())
        if req.type is g.ResetType.OnIdle and busy:
            # B12.FR.01: reset once the last transaction ended (see stop_transaction).
            self._reset_when_idle = True
            return g.ResetResponse(status=g.ResetStatus.Scheduled)
        if req.type is g.ResetType.ImmediateAndResume:
            self.note("ImmediateAndResume: reset as Immediate (transactions are not resumed)")
        # 1.6 section 5.14: reason HardReset / SoftReset; 2.0.1 B11: ImmediateReset
        reason = ("HardReset" if req.hard else "SoftReset") if self.v1 else "ImmediateReset"
        self._later(lambda: self.reboot(reason))
        return g.ResetResponse(status=g.ResetStatus.Accepted)

    async def _trigger(self, req: g.TriggerMessageRequest,
                       ctx: GenericContext) -> g.TriggerMessageResponse:
        status = g.TriggerMessageStatus
        what = req.requested_message
        wanted = req.evse_id
        if wanted and wanted not in self.connectors:
            return g.TriggerMessageResponse(status=status.Rejected)
        targets = [self.connectors[wanted]] if wanted else list(self.connectors.values())
        trigger = g.MessageTrigger
        send: Callable[[], Any]
        if what is trigger.BootNotification:
            async def send() -> None:
                self._boot_reason = g.BootReason.Triggered
                await self._boot()
        elif what is trigger.Heartbeat:
            async def send() -> None:
                await self._call(g.HeartbeatRequest())
        elif what is trigger.StatusNotification:
            async def send() -> None:
                for connector in targets:
                    await self._status(connector)
        elif what in (trigger.MeterValues, trigger.TransactionEvent):
            charging = [c for c in targets if c.generic_id is not None]
            if what is trigger.TransactionEvent and not charging:
                return g.TriggerMessageResponse(status=status.Rejected)

            async def send() -> None:
                for connector in targets:
                    value = (self._meter_value(connector),)
                    if connector.generic_id is not None and (
                            self.v1 or what is trigger.TransactionEvent):
                        await self._transaction_message(self._event(
                            connector, g.TransactionEventType.Updated, g.TriggerReason.Trigger,
                            evse_id=connector.id, meter_values=value))
                    elif what is trigger.MeterValues:
                        await self._call(g.MeterValuesRequest(evse_id=connector.id,
                                                              meter_values=value))
        else:
            return g.TriggerMessageResponse(status=status.NotImplemented)
        self._later(send)
        return g.TriggerMessageResponse(status=status.Accepted)

    async def _availability(self, req: g.ChangeAvailabilityRequest,
                            ctx: GenericContext) -> g.ChangeAvailabilityResponse:
        status = g.ChangeAvailabilityStatus
        wanted = req.evse_id
        operative = req.operational_status is g.OperationalStatus.Operative
        if wanted and wanted not in self.connectors:
            return g.ChangeAvailabilityResponse(status=status.Rejected)
        targets = [self.connectors[wanted]] if wanted else list(self.connectors.values())
        scheduled = False
        changed = []
        for connector in targets:
            if not operative and connector.generic_id is not None:
                connector.pending_inoperative = True  # applied when the transaction ends
                scheduled = True
            elif connector.operative != operative:
                connector.operative = operative
                connector.pending_inoperative = False
                changed.append(connector)

        async def report() -> None:
            for connector in changed:
                await self._status(connector)

        self._later(report)
        return g.ChangeAvailabilityResponse(status=status.Scheduled if scheduled
                                            else status.Accepted)

    def _lookup(self, key: ConfigKey, attribute: g.Attribute | None
                ) -> tuple[g.GetConfigurationStatus, Setting | None]:
        status = g.GetConfigurationStatus
        found = self._setting(key)
        if found is None:
            if key.variable is not None and not self.v1 and not any(
                    s.variable is not None and s.variable.component == key.variable.component
                    for s in self.settings):
                return status.UnknownComponent, None
            return status.UnknownVariable, None
        if attribute not in (None, g.Attribute.Actual):
            return status.NotSupportedAttributeType, None
        return status.Accepted, found

    async def _get_configuration(self, req: g.GetConfigurationRequest,
                                 ctx: GenericContext) -> g.GetConfigurationResponse:
        if not req.keys:  # 1.x: every key (2.x cannot ask for all here)
            return g.GetConfigurationResponse(values=tuple(
                g.ConfigValue(key=s.key, value=s.value, readonly=s.readonly)
                for s in self.settings if s.name is not None))
        values = []
        for i, key in enumerate(req.keys):
            attribute = self._attribute(req, i)
            found, setting = self._lookup(key, attribute)
            values.append(g.ConfigValue(
                key=key, status=found, value=None if setting is None else setting.value,
                readonly=None if setting is None or not self.v1 else setting.readonly,
                attribute=attribute))
        return g.GetConfigurationResponse(values=tuple(values))

    @staticmethod
    def _attribute(req: g.GetConfigurationRequest, i: int) -> g.Attribute | None:
        """The 2.x ``attributeType`` asked for item ``i`` (2.0.1 B06: answered
        ``NotSupportedAttributeType`` when not kept); the generic key does not carry it, the
        version request (``version_message``) does."""
        wire = req.version_message
        items = getattr(wire, "get_variable_data", None)
        if not items or i >= len(items) or items[i].attribute_type is None:
            return None
        return g.Attribute(str(items[i].attribute_type))

    def _applied(self, setting: Setting) -> None:
        """Settings the simulator acts on (1.6 section 9.1; 2.0.1 OCPPCommCtrlr)."""
        if setting.name == "HeartbeatInterval":
            self.heartbeat_interval = int(setting.value)
        elif setting.name == "TransactionMessageAttempts":
            self.outbox.attempts = int(setting.value)
        elif setting.name == "TransactionMessageRetryInterval":
            self.outbox.retry_interval = float(setting.value)

    async def _set_configuration(self, req: g.SetConfigurationRequest,
                                 ctx: GenericContext) -> g.SetConfigurationResponse:
        results = []
        set_status = g.SetConfigurationStatus
        for item in req.settings:
            found, setting = self._lookup(item.key, item.attribute)
            status = set_status(str(found)) if found is not g.GetConfigurationStatus.Accepted \
                else set_status.Accepted
            if setting is not None:
                if setting.readonly or not _valid(setting.kind, item.value):
                    status = set_status.Rejected
                else:
                    setting.value = item.value
                    self._applied(setting)
            results.append(g.ConfigSetResult(key=item.key, status=status,
                                              attribute=item.attribute))
        return g.SetConfigurationResponse(results=tuple(results))


class _OutboxLink:
    """What the outbox driver calls through: one link, logged; a lost link is reported to
    the station's connection loop."""

    def __init__(self, station: SimStation, link: Any) -> None:
        self._station = station
        self._link = link

    async def call(self, message: Any, timeout: float | None = None) -> Any:
        try:
            return await self._station._send(self._link, message, timeout)
        except ConnectionClosed:
            self._station._lost()
            raise


__all__ = ["DEFAULT_RECONNECT", "SOAP_VERSIONS", "SUPPORTED", "Connector", "Setting",
           "SimStation", "StationOptions"]
