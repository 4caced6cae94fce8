"""The station simulator: one charging station (OCPP 1.6 or 2.0.1, OCPP-J) against a CSMS.

:class:`SimStation` keeps connector state, transactions and configuration, and answers
CSMS-initiated calls as a real station would:

- 1.6 RemoteStartTransaction / RemoteStopTransaction (OCPP 1.6 sections 5.11, 5.12) and 2.0.1
  RequestStartTransaction / RequestStopTransaction (2.0.1 Part 2 F01, F03): accepted when the
  connector is free and operative (resp. the transaction exists), then the transaction is
  started (stopped) with the usual messages.
- Reset (1.6 section 5.14, 2.0.1 B11/B12): accepted; running transactions are stopped with
  reason SoftReset/HardReset (ImmediateReset), the connection is closed and the station
  reconnects and sends BootNotification again (2.0.1 reason RemoteReset).
- TriggerMessage (1.6 section 5.17, 2.0.1 F06): the requested message is sent after the answer;
  messages the simulator cannot produce are answered NotImplemented.
- ChangeAvailability (1.6 section 5.2, 2.0.1 G03): the connector (or, for 0 / no EVSE, every
  connector) changes to Available/Unavailable with a StatusNotification; Scheduled while a
  transaction runs on it (applied when it ends).
- 1.6 GetConfiguration / ChangeConfiguration (sections 5.8, 5.3) and 2.0.1 GetVariables /
  SetVariables (B06, B05): a kept configuration with read-only keys.
"""

import contextlib
import datetime
import itertools
import ssl as _ssl
from collections.abc import Callable
from typing import Any

import attrs
import trio

from ocpp_sansio import v16, v201
from ocpp_sansio.actions import actions_for
from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.version import Version

from .._common import ConnectionClosed
from .._station import connect
from .log import Clock, MessageLog, utc_now

SUPPORTED = (Version.V16, Version.V201)


@attrs.frozen(kw_only=True)
class StationOptions:
    """What a simulated station is: identity, version, connectors, credentials."""

    url: str
    station_id: str
    version: Version = Version.V16
    connectors: int = 1
    id_tag: str = "SIM-TAG"
    vendor: str = "ocpp-toolkit"
    model: str = "sim-station"
    password: bytes | None = None
    ssl: _ssl.SSLContext | None = None
    meter_values: int = 2
    meter_interval: float = 0.0


@attrs.define
class Connector:
    id: int
    operative: bool = True
    pending_inoperative: bool = False
    transaction: Any = None  # 1.6: int id from the CSMS; 2.0.1: str id of ours
    id_tag: str | None = None
    meter: int = 0  # Wh
    seq: int = 0  # 2.0.1 TransactionEvent seqNo

    def status(self, version: Version) -> str:
        if not self.operative:
            return "Unavailable"
        if self.transaction is not None:
            return "Charging" if version is Version.V16 else "Occupied"
        return "Available"


# 1.6 configuration keys (OCPP 1.6 section 9.1): key -> (value, read-only)
CONFIG_16: dict[str, tuple[str, bool]] = {
    "AuthorizeRemoteTxRequests": ("false", False),
    "ClockAlignedDataInterval": ("0", False),
    "ConnectionTimeOut": ("60", False),
    "GetConfigurationMaxKeys": ("50", True),
    "HeartbeatInterval": ("300", False),
    "LocalAuthorizeOffline": ("true", False),
    "LocalPreAuthorize": ("false", False),
    "MeterValuesAlignedData": ("Energy.Active.Import.Register", False),
    "MeterValuesSampledData": ("Energy.Active.Import.Register", False),
    "MeterValueSampleInterval": ("60", False),
    "NumberOfConnectors": ("1", True),
    "ResetRetries": ("3", False),
    "StopTransactionOnEVSideDisconnect": ("true", False),
    "StopTransactionOnInvalidId": ("true", False),
    "StopTxnAlignedData": ("", False),
    "StopTxnSampledData": ("", False),
    "SupportedFeatureProfiles": ("Core,RemoteTrigger", True),
    "TransactionMessageAttempts": ("3", False),
    "TransactionMessageRetryInterval": ("60", False),
    "UnlockConnectorOnEVSideDisconnect": ("true", False),
}
INT_KEYS_16 = {"ClockAlignedDataInterval", "ConnectionTimeOut", "HeartbeatInterval",
               "MeterValueSampleInterval", "ResetRetries", "TransactionMessageAttempts",
               "TransactionMessageRetryInterval"}
BOOL_KEYS_16 = {"AuthorizeRemoteTxRequests", "LocalAuthorizeOffline", "LocalPreAuthorize",
                "StopTransactionOnEVSideDisconnect", "StopTransactionOnInvalidId",
                "UnlockConnectorOnEVSideDisconnect"}

# 2.0.1 device model (Part 2 Appendices, "Referenced Components and Variables"):
# (component, variable) -> (value, read-only, kind)
VARIABLES_201: dict[tuple[str, str], tuple[str, bool, str]] = {
    ("OCPPCommCtrlr", "HeartbeatInterval"): ("300", False, "int"),
    ("OCPPCommCtrlr", "MessageTimeout"): ("30", False, "int"),
    ("OCPPCommCtrlr", "NetworkProfileConnectionAttempts"): ("3", False, "int"),
    ("SampledDataCtrlr", "TxUpdatedInterval"): ("60", False, "int"),
    ("SampledDataCtrlr", "TxUpdatedMeasurands"): ("Energy.Active.Import.Register", False, "str"),
    ("AuthCtrlr", "AuthorizeRemoteStart"): ("false", False, "bool"),
    ("AuthCtrlr", "LocalPreAuthorize"): ("false", False, "bool"),
    ("TxCtrlr", "EVConnectionTimeOut"): ("60", False, "int"),
    ("TxCtrlr", "StopTxOnInvalidId"): ("true", False, "bool"),
    ("DeviceDataCtrlr", "ItemsPerMessage"): ("50", True, "int"),
    ("DeviceDataCtrlr", "BytesPerMessage"): ("65000", True, "int"),
}


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
        if options.version not in SUPPORTED:
            raise ValueError(f"the station simulator speaks {', '.join(SUPPORTED)}, "
                             f"not {options.version}")
        self.options = options
        self.version = options.version
        self.log = log or MessageLog()
        self.clock = clock
        self.connectors = {i: Connector(i) for i in range(1, options.connectors + 1)}
        self.config = dict(CONFIG_16)
        self.config["NumberOfConnectors"] = (str(options.connectors), True)
        self.variables = dict(VARIABLES_201)
        self.boots = 0
        self.boot_status: str | None = None
        self.heartbeat_interval = 300
        self.completed: list[Any] = []  # ids of the transactions that ended
        self.changed = trio.Event()  # set (and replaced) whenever a transaction starts/ends
        self._conn: Any = None
        self._ready = trio.Event()
        self._reboot = trio.Event()
        self._boot_reason = "PowerUp"
        self._nursery: trio.Nursery | None = None
        self._tx_numbers = itertools.count(1)
        self._reset_when_idle = False

    # -- plumbing -------------------------------------------------------------------------

    def now(self) -> datetime.datetime:
        return self.clock().replace(microsecond=0)

    @property
    def station_id(self) -> str:
        return self.options.station_id

    def _notify(self) -> None:
        self.changed.set()
        self.changed = trio.Event()

    async def call(self, request: Any, timeout: float | None = None) -> Any:
        """Send a CALL once connected and booted (waits through a reboot), logged."""
        while self._conn is None or not self._ready.is_set():
            await self._ready.wait()
        return await self._call(request, timeout)

    async def _call(self, request: Any, timeout: float | None = None) -> Any:
        conn = self._conn
        action = actions_for(self.version).of(request)[0].name
        return await self.log.call(lambda: conn.call(request, timeout=timeout), request,
                                   action=action, station=self.station_id,
                                   version=self.version, me="CS")

    def _later(self, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` (a coroutine function) after the current answer was sent.

        If the link drops first, the follow-up is dropped as on a real station: the boot
        sequence after the reconnect reports every connector's status again."""
        assert self._nursery is not None

        async def guarded() -> None:
            with contextlib.suppress(ConnectionClosed):
                await fn()

        self._nursery.start_soon(guarded)

    async def run(self, scenario: Callable[["SimStation"], Any]) -> None:
        """Connect, boot, run ``scenario(self)`` (a coroutine function), then disconnect."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            await nursery.start(self._connection_loop)
            await scenario(self)
            nursery.cancel_scope.cancel()

    async def _connection_loop(self, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        opts = self.options
        handlers = self.log.wrap_handlers(self.handlers(), me="CS", version=self.version)
        started = False
        while True:
            async with connect(opts.url, opts.station_id, versions=(self.version,),
                               handlers=handlers, password=opts.password,
                               ssl=opts.ssl) as conn:
                self._conn = conn
                await self._boot()
                self._ready.set()
                if not started:
                    started = True
                    task_status.started()
                await self._reboot.wait()
                self._reboot = trio.Event()
                self._ready = trio.Event()
            self._conn = None

    async def _boot(self) -> None:
        """BootNotification until Accepted (1.6 section 4.2, 2.0.1 B01-B03), then statuses."""
        while True:
            if self.version is Version.V16:
                req: Any = v16.BootNotificationRequest(
                    charge_point_vendor=self.options.vendor,
                    charge_point_model=self.options.model)
            else:
                req = v201.BootNotificationRequest(
                    charging_station=v201.ChargingStationType(
                        model=self.options.model, vendor_name=self.options.vendor),
                    reason=v201.BootReasonEnumType(self._boot_reason))
            resp = await self._call(req)
            self.boot_status = str(resp.status)
            self.boots += 1
            if resp.status == "Accepted":
                self.heartbeat_interval = resp.interval or self.heartbeat_interval
                break
            await trio.sleep(max(resp.interval, 1))
        self._boot_reason = "PowerUp"
        for connector in self.connectors.values():
            await self._status(connector)

    # -- messages the station sends -------------------------------------------------------

    async def _status(self, connector: Connector) -> None:
        if self.version is Version.V16:
            req: Any = v16.StatusNotificationRequest(
                connector_id=connector.id,
                status=v16.ChargePointStatus(connector.status(self.version)),
                error_code=v16.ChargePointErrorCode.NoError, timestamp=self.now())
        else:
            req = v201.StatusNotificationRequest(
                timestamp=self.now(),
                connector_status=v201.ConnectorStatusEnumType(connector.status(self.version)),
                evse_id=connector.id, connector_id=1)
        await self._call(req)

    async def heartbeat(self) -> Any:
        msg = v16.HeartbeatRequest() if self.version is Version.V16 else v201.HeartbeatRequest()
        return await self.call(msg)

    async def authorize(self, tag: str) -> bool:
        if self.version is Version.V16:
            resp = await self.call(v16.AuthorizeRequest(id_tag=tag))
            return bool(resp.id_tag_info.status == "Accepted")
        resp = await self.call(v201.AuthorizeRequest(id_token=self._token(tag)))
        return bool(resp.id_token_info.status == "Accepted")

    @staticmethod
    def _token(tag: str) -> v201.IdTokenType:
        return v201.IdTokenType(id_token=tag, type=v201.IdTokenEnumType.ISO14443)

    def _event(self, connector: Connector, kind: str, trigger: str, **extra: Any) -> Any:
        info = extra.pop("info", {})
        req = v201.TransactionEventRequest(
            event_type=v201.TransactionEventEnumType(kind), timestamp=self.now(),
            trigger_reason=v201.TriggerReasonEnumType(trigger), seq_no=connector.seq,
            transaction_info=v201.TransactionType(transaction_id=connector.transaction, **info),
            **extra)
        connector.seq += 1
        return req

    async def start_transaction(self, connector_id: int, tag: str,
                                remote_start_id: int | None = None) -> bool:
        """Begin a transaction (1.6 StartTransaction, 2.0.1 TransactionEvent Started)."""
        connector = self.connectors[connector_id]
        if connector.transaction is not None or not connector.operative:
            return False
        connector.id_tag = tag
        if self.version is Version.V16:
            resp = await self.call(v16.StartTransactionRequest(
                connector_id=connector.id, id_tag=tag, meter_start=connector.meter,
                timestamp=self.now()))
            if resp.id_tag_info.status != "Accepted":
                # 1.6 section 5.11 / StopTransactionOnInvalidId: stop at once.
                connector.transaction = resp.transaction_id
                await self.stop_transaction(connector.id, reason="DeAuthorized")
                return False
            connector.transaction = resp.transaction_id
            await self._status(connector)
        else:
            connector.transaction = f"{self.station_id}-TX-{next(self._tx_numbers)}"[-36:]
            connector.seq = 0
            remote = {} if remote_start_id is None else {"remote_start_id": remote_start_id}
            trigger = "RemoteStart" if remote_start_id is not None else "Authorized"
            resp = await self.call(self._event(
                connector, "Started", trigger, info=remote, id_token=self._token(tag),
                evse=v201.EVSEType(id=connector.id, connector_id=1)))
            await self._status(connector)
            info = resp.id_token_info
            if info is not None and info.status != "Accepted":
                await self.stop_transaction(connector.id, reason="DeAuthorized")
                return False
        self._notify()
        return True

    async def meter(self, connector_id: int, wh: int = 1000) -> None:
        """Advance the meter by ``wh`` and report it (MeterValues / TransactionEvent Updated)."""
        connector = self.connectors[connector_id]
        connector.meter += wh
        if self.version is Version.V16:
            await self.call(v16.MeterValuesRequest(
                connector_id=connector.id, transaction_id=connector.transaction,
                meter_value=[self._meter_16(connector)]))
        elif connector.transaction is not None:
            await self.call(self._event(connector, "Updated", "MeterValuePeriodic",
                                        meter_value=[self._meter_201(connector)]))

    def _meter_16(self, connector: Connector) -> v16.MeterValue:
        return v16.MeterValue(timestamp=self.now(), sampled_value=[v16.SampledValue(
            value=str(connector.meter), measurand=v16.Measurand.Energy_Active_Import_Register,
            unit=v16.UnitOfMeasure.Wh)])

    def _meter_201(self, connector: Connector) -> v201.MeterValueType:
        return v201.MeterValueType(timestamp=self.now(), sampled_value=[
            v201.SampledValueType(value=float(connector.meter))])

    async def stop_transaction(self, connector_id: int, reason: str = "Local") -> bool:
        """End the connector's transaction (StopTransaction / TransactionEvent Ended)."""
        connector = self.connectors[connector_id]
        tx = connector.transaction
        if tx is None:
            return False
        if self.version is Version.V16:
            await self.call(v16.StopTransactionRequest(
                transaction_id=tx, id_tag=connector.id_tag, meter_stop=connector.meter,
                timestamp=self.now(), reason=None if reason == "Local" else v16.Reason(reason)))
        else:
            trigger = {"Remote": "RemoteStop", "ImmediateReset": "ResetCommand",
                       "DeAuthorized": "Deauthorized"}.get(reason, "StopAuthorized")
            await self.call(self._event(
                connector, "Ended", trigger, info={"stopped_reason": v201.ReasonEnumType(reason)},
                meter_value=[self._meter_201(connector)]))
        connector.transaction = None
        connector.id_tag = None
        if connector.pending_inoperative:
            connector.pending_inoperative = False
            connector.operative = False
        await self._status(connector)
        self.completed.append(tx)
        self._notify()
        idle = all(c.transaction is None for c in self.connectors.values())
        if self._reset_when_idle and idle:
            self._reset_when_idle = False
            self._later(lambda: self.reboot("ImmediateReset"))
        return True

    def _by_transaction(self, tx: Any) -> Connector | None:
        for connector in self.connectors.values():
            if connector.transaction is not None and connector.transaction == tx:
                return connector
        return None

    def _free_connector(self, wanted: int | None) -> Connector | None:
        ids = [wanted] if wanted else list(self.connectors)
        for i in ids:
            connector = self.connectors.get(i)
            if connector is not None and connector.transaction is None and connector.operative:
                return connector
        return None

    async def reboot(self, reason: str) -> None:
        """Stop transactions, close the connection, reconnect and boot again."""
        for connector in self.connectors.values():
            await self.stop_transaction(connector.id, reason=reason)
        self._boot_reason = "RemoteReset"
        self._ready = trio.Event()
        self._reboot.set()

    # -- CSMS-initiated calls -------------------------------------------------------------

    def handlers(self) -> dict[str, Handler]:
        common: dict[str, Handler] = {"Reset": self._reset, "TriggerMessage": self._trigger,
                                      "ChangeAvailability": self._availability}
        if self.version is Version.V16:
            return common | {"RemoteStartTransaction": self._remote_start_16,
                             "RemoteStopTransaction": self._remote_stop,
                             "GetConfiguration": self._get_configuration,
                             "ChangeConfiguration": self._change_configuration}
        return common | {"RequestStartTransaction": self._remote_start_201,
                         "RequestStopTransaction": self._remote_stop,
                         "GetVariables": self._get_variables,
                         "SetVariables": self._set_variables}

    async def _remote_start_16(self, req: v16.RemoteStartTransactionRequest,
                               ctx: CallContext) -> v16.RemoteStartTransactionResponse:
        connector = self._free_connector(req.connector_id)
        if connector is None:
            return v16.RemoteStartTransactionResponse(status=v16.RemoteStartStopStatus.Rejected)
        authorize = self.config["AuthorizeRemoteTxRequests"][0] == "true"

        async def begin() -> None:
            if authorize and not await self.authorize(req.id_tag):
                return
            await self.start_transaction(connector.id, req.id_tag)

        self._later(begin)
        return v16.RemoteStartTransactionResponse(status=v16.RemoteStartStopStatus.Accepted)

    async def _remote_start_201(self, req: v201.RequestStartTransactionRequest,
                                ctx: CallContext) -> v201.RequestStartTransactionResponse:
        connector = self._free_connector(req.evse_id)
        if connector is None:
            return v201.RequestStartTransactionResponse(
                status=v201.RequestStartStopStatusEnumType.Rejected)
        authorize = self.variables[("AuthCtrlr", "AuthorizeRemoteStart")][0] == "true"
        tag = req.id_token.id_token

        async def begin() -> None:
            if authorize and not await self.authorize(tag):
                return
            await self.start_transaction(connector.id, tag, remote_start_id=req.remote_start_id)

        self._later(begin)
        return v201.RequestStartTransactionResponse(
            status=v201.RequestStartStopStatusEnumType.Accepted)

    async def _remote_stop(self, req: Any, ctx: CallContext) -> Any:
        connector = self._by_transaction(req.transaction_id)
        cls: Any = (v16.RemoteStopTransactionResponse if self.version is Version.V16
                    else v201.RequestStopTransactionResponse)
        if connector is None:
            return cls(status="Rejected")
        self._later(lambda: self.stop_transaction(connector.id, reason="Remote"))
        return cls(status="Accepted")

    async def _reset(self, req: Any, ctx: CallContext) -> Any:
        if self.version is Version.V16:
            reason = "HardReset" if req.type == "Hard" else "SoftReset"
            self._later(lambda: self.reboot(reason))
            return v16.ResetResponse(status=v16.ResetStatus.Accepted)
        if req.evse_id is not None:  # 2.0.1 B11.FR.09: EVSE reset not supported here
            return v201.ResetResponse(status=v201.ResetStatusEnumType.Rejected)
        busy = any(c.transaction is not None for c in self.connectors.values())
        if req.type == "OnIdle" and busy:
            # B12.FR.01: reset once the last transaction ended (see stop_transaction).
            self._reset_when_idle = True
            return v201.ResetResponse(status=v201.ResetStatusEnumType.Scheduled)
        self._later(lambda: self.reboot("ImmediateReset"))
        return v201.ResetResponse(status=v201.ResetStatusEnumType.Accepted)

    async def _trigger(self, req: Any, ctx: CallContext) -> Any:
        what = str(req.requested_message)
        if self.version is Version.V16:
            cls: Any = v16.TriggerMessageResponse
            wanted = req.connector_id
        else:
            cls = v201.TriggerMessageResponse
            wanted = req.evse.id if req.evse is not None else None
        if wanted is not None and wanted not in self.connectors and wanted != 0:
            return cls(status="Rejected")
        targets = [self.connectors[wanted]] if wanted else list(self.connectors.values())
        if what == "BootNotification":
            async def send() -> None:
                self._boot_reason = "Triggered"
                await self._boot()
        elif what == "Heartbeat":
            async def send() -> None:
                await self.heartbeat()
        elif what == "StatusNotification":
            async def send() -> None:
                for connector in targets:
                    await self._status(connector)
        elif what in ("MeterValues", "TransactionEvent"):
            charging = [c for c in targets if c.transaction is not None]
            if what == "TransactionEvent" and not charging:
                return cls(status="Rejected")

            async def send() -> None:
                for connector in charging:
                    if self.version is Version.V16:
                        await self.call(v16.MeterValuesRequest(
                            connector_id=connector.id, transaction_id=connector.transaction,
                            meter_value=[self._meter_16(connector)]))
                    elif what == "MeterValues":
                        await self.call(v201.MeterValuesRequest(
                            evse_id=connector.id, meter_value=[self._meter_201(connector)]))
                    else:
                        await self.call(self._event(
                            connector, "Updated", "Trigger",
                            meter_value=[self._meter_201(connector)]))
        else:
            return cls(status="NotImplemented")
        self._later(send)
        return cls(status="Accepted")

    async def _availability(self, req: Any, ctx: CallContext) -> Any:
        if self.version is Version.V16:
            cls: Any = v16.ChangeAvailabilityResponse
            wanted, operative = req.connector_id, req.type == "Operative"
        else:
            cls = v201.ChangeAvailabilityResponse
            wanted = req.evse.id if req.evse is not None else 0
            operative = req.operational_status == "Operative"
        if wanted != 0 and wanted not in self.connectors:
            return cls(status="Rejected")
        targets = [self.connectors[wanted]] if wanted else list(self.connectors.values())
        scheduled = False
        changed = []
        for connector in targets:
            if not operative and connector.transaction is not None:
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
        return cls(status="Scheduled" if scheduled else "Accepted")

    async def _get_configuration(self, req: v16.GetConfigurationRequest,
                                 ctx: CallContext) -> v16.GetConfigurationResponse:
        keys = req.key if req.key else sorted(self.config)
        known = [v16.KeyValue(key=k, readonly=self.config[k][1], value=self.config[k][0])
                 for k in keys if k in self.config]
        unknown = [k for k in keys if k not in self.config]
        return v16.GetConfigurationResponse(configuration_key=known or None,
                                            unknown_key=unknown or None)

    async def _change_configuration(self, req: v16.ChangeConfigurationRequest,
                                    ctx: CallContext) -> v16.ChangeConfigurationResponse:
        entry = self.config.get(req.key)
        if entry is None:
            return v16.ChangeConfigurationResponse(status=v16.ConfigurationStatus.NotSupported)
        kind = "int" if req.key in INT_KEYS_16 else "bool" if req.key in BOOL_KEYS_16 else "str"
        if entry[1] or not _valid(kind, req.value):
            return v16.ChangeConfigurationResponse(status=v16.ConfigurationStatus.Rejected)
        self.config[req.key] = (req.value, False)
        if req.key == "HeartbeatInterval":
            self.heartbeat_interval = int(req.value)
        return v16.ChangeConfigurationResponse(status=v16.ConfigurationStatus.Accepted)

    def _lookup(self, component: Any, variable: Any, attribute: Any) -> tuple[str, Any]:
        if component.name not in {c for c, _ in self.variables}:
            return "UnknownComponent", None
        entry = self.variables.get((component.name, variable.name))
        if entry is None:
            return "UnknownVariable", None
        if attribute not in (None, "Actual"):
            return "NotSupportedAttributeType", None
        return "Accepted", entry

    async def _get_variables(self, req: v201.GetVariablesRequest,
                             ctx: CallContext) -> v201.GetVariablesResponse:
        results = []
        for item in req.get_variable_data:
            status, entry = self._lookup(item.component, item.variable, item.attribute_type)
            results.append(v201.GetVariableResultType(
                attribute_status=v201.GetVariableStatusEnumType(status),
                attribute_type=item.attribute_type, attribute_value=entry[0] if entry else None,
                component=item.component, variable=item.variable))
        return v201.GetVariablesResponse(get_variable_result=results)

    async def _set_variables(self, req: v201.SetVariablesRequest,
                             ctx: CallContext) -> v201.SetVariablesResponse:
        results = []
        for item in req.set_variable_data:
            status, entry = self._lookup(item.component, item.variable, item.attribute_type)
            if entry is not None:
                _, readonly, kind = entry
                if readonly or not _valid(kind, item.attribute_value):
                    status = "Rejected"
                else:
                    key = (item.component.name, item.variable.name)
                    self.variables[key] = (item.attribute_value, False, kind)
                    if key == ("OCPPCommCtrlr", "HeartbeatInterval"):
                        self.heartbeat_interval = int(item.attribute_value)
            results.append(v201.SetVariableResultType(
                attribute_status=v201.SetVariableStatusEnumType(status),
                attribute_type=item.attribute_type, component=item.component,
                variable=item.variable))
        return v201.SetVariablesResponse(set_variable_result=results)


__all__ = ["Connector", "SimStation", "StationOptions"]
