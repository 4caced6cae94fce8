"""Load testing a CSMS: thousands of simulated stations from one process (``ocpp-toolkit load``).

:func:`run_load` opens ``LoadOptions.stations`` OCPP-J connections at ``ramp`` new connections
per second; each station boots (BootNotification, StatusNotification ``Available``), then sends
a Heartbeat every ``heartbeat`` seconds (the first one at a random phase, so that the stations
do not beat in step) and, with ``tx_rate`` > 0, starts transactions at random (a Poisson
process of ``tx_rate`` per minute): Authorize, TransactionEvent ``Started``, ``meter_values``
``Updated`` events ``meter_interval`` seconds apart, ``Ended``. Once every station has
connected (or failed to), the load is held for ``duration`` seconds; then each station
finishes its call in flight, ends its open transaction and closes its connection gracefully.

The stations are written once against the generic API (:mod:`ocpp_sansio.generic`, through
:func:`ocpp_trio.connect_generic`), so one code path serves OCPP 1.5, 1.6, 2.0.1 and 2.1 over
OCPP-J: a 1.x ``Started`` event is a StartTransaction, ``Updated`` a MeterValues, ``Ended`` a
StopTransaction (see ``docs/generic.md``); the report names the version actions.

A station is one trio task (besides its connection's own read, write and timer tasks) doing
its calls one after the other. Every call ends in exactly one outcome: a result, a CALLERROR
(by code), a timeout, or the connection lost; a call without an outcome by the end is *lost*,
and :attr:`LoadReport.lost` must be 0. The report gives, per action, the count and the
p50/p90/p99/max latency (from the CALL being handed to the connection to its answer, in ms),
errors by kind, connect failures, a per-second timeline (calls/s, p50/p99, connections) and
the resources used (RSS growth per station, CPU; with :func:`spawn_csms` the CSMS process's
too).
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import math
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import trio

from ocpp_sansio import generic as g
from ocpp_sansio.actions import actions_for
from ocpp_sansio.generic.outcome import Unsupported
from ocpp_sansio.rpc import CallError, CallTimeout
from ocpp_sansio.version import Version
from ocpp_sansio.ws import Compression

from .._common import ConnectionClosed
from .._generic import GenericStation, connect_generic

__all__ = [
    "ActionStats",
    "LoadError",
    "LoadOptions",
    "LoadReport",
    "ProcessStats",
    "Progress",
    "Second",
    "SpawnedCsms",
    "fd_headroom",
    "freeze_survivors",
    "in_process_csms",
    "percentile",
    "raise_fd_limit",
    "run_load",
    "spawn_csms",
]

#: file descriptors kept free besides one per station (stdio, the listener, logs, epoll...)
FD_RESERVE = 64
#: error kinds besides CALLERROR codes
TIMEOUT, CONNECTION_LOST, UNSUPPORTED = "timeout", "connection lost", "unsupported"
#: seconds a station may take, after the stop, to finish its call and close, beyond ``timeout``
CLOSE_GRACE = 15.0
#: live p99: latency histogram buckets 2 % wide
_LOG_STEP = math.log(1.02)


class LoadError(Exception):
    """The load test cannot run as asked (a local error: options, limits, a CSMS that would
    not start); the message says why."""


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


def _non_negative(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


@attrs.frozen(kw_only=True)
class LoadOptions:
    """What to run: ``stations`` stations against ``url`` (``ws://host:port/path``; each
    station's id is appended), ``ramp`` new connections per second, ``duration`` seconds of
    load once all are connected, a Heartbeat every ``heartbeat`` seconds per station,
    ``tx_rate`` transactions per station per minute (each with ``meter_values`` meter reports
    ``meter_interval`` seconds apart), ``timeout`` seconds per call, ids
    ``<id_prefix>-00001``..., ``compression``: offer permessage-deflate (off by default: a
    deflate context costs each side ~300 KiB per connection); ``freeze_gc``: keep the garbage
    collector off the long-lived objects during the run (see :func:`run_load`)."""

    url: str
    stations: int = attrs.field(default=100, validator=_positive)
    ramp: float = attrs.field(default=100.0, validator=_positive)
    duration: float = attrs.field(default=10.0, validator=_non_negative)
    version: Version = attrs.field(default=Version.V16, converter=Version)
    heartbeat: float = attrs.field(default=30.0, validator=_positive)
    tx_rate: float = attrs.field(default=0.0, validator=_non_negative)
    meter_values: int = attrs.field(default=2, validator=_non_negative)
    meter_interval: float = attrs.field(default=1.0, validator=_non_negative)
    timeout: float = attrs.field(default=30.0, validator=_positive)
    connect_timeout: float = attrs.field(default=30.0, validator=_positive)
    id_prefix: str = "LOAD"
    id_tag: str = "LOAD-TAG"
    compression: bool = False
    seed: int = 0
    freeze_gc: bool = True


# -- results -------------------------------------------------------------------------------------


def percentile(ordered: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``ordered`` (sorted); 0 if empty."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@attrs.frozen(kw_only=True)
class ActionStats:
    """One action's calls: how many, how many failed (any outcome but a result), and the
    latency percentiles in ms over the answered ones (results and CALLERRORs)."""

    action: str
    count: int
    errors: int
    p50: float
    p90: float
    p99: float
    max: float
    mean: float


@attrs.frozen(kw_only=True)
class Second:
    """One second of the run (``t``: seconds since the start): calls settled in it, errors among
    them, their p50/p99 latency (ms), connections open at its end."""

    t: int
    calls: int
    errors: int
    p50: float
    p99: float
    connected: int


@attrs.frozen(kw_only=True)
class ProcessStats:
    """A process's resources: RSS (bytes) before the stations and once they all connected,
    CPU seconds (user + system) over the run, wall seconds; per-connection RSS growth."""

    pid: int
    rss_start: int
    rss_ramped: int
    cpu_seconds: float
    wall_seconds: float
    connections: int

    @property
    def rss_per_connection(self) -> float:
        return (self.rss_ramped - self.rss_start) / self.connections if self.connections else 0.0

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0


@attrs.frozen(kw_only=True)
class Progress:
    """A live snapshot, once per second: ``phase`` is ``ramp``, ``hold`` or ``stop``."""

    elapsed: float
    phase: str
    connected: int
    stations: int
    connect_failures: int
    calls_per_s: float
    calls: int
    errors: int
    in_flight: int
    p99: float

    def line(self) -> str:
        return (f"{self.elapsed:6.1f}s {self.phase:<4} connected {self.connected}/{self.stations}"
                f"  calls/s {self.calls_per_s:7.1f}  calls {self.calls}  errors {self.errors}"
                f"  connect failures {self.connect_failures}  in flight {self.in_flight}"
                f"  p99 {self.p99:.1f} ms")


@attrs.frozen(kw_only=True)
class LoadReport:
    """The outcome of :func:`run_load` (``to_json()`` / ``format()``)."""

    options: LoadOptions
    connected_peak: int
    connect_failures: dict[str, int]
    ramp_seconds: float
    hold_seconds: float
    total_seconds: float
    sent: int
    answered: int
    results: int
    errors: dict[str, int]
    lost: int
    actions: list[ActionStats]
    timeline: list[Second]
    disconnects: int
    boot_not_accepted: int
    load_process: ProcessStats
    csms_process: ProcessStats | None = None

    @property
    def calls_per_s(self) -> float:
        """Calls settled per second during the hold phase (the steady load)."""
        start, end = self.ramp_seconds, self.ramp_seconds + self.hold_seconds
        held = [s.calls for s in self.timeline if start <= s.t and s.t + 1 <= end]
        return sum(held) / len(held) if held else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def connect_failure_ratio(self) -> float:
        return sum(self.connect_failures.values()) / self.options.stations

    def passed(self, max_connect_failure_ratio: float = 0.0) -> bool:
        """No lost call, and connect failures within the ratio."""
        return self.lost == 0 and self.connect_failure_ratio() <= max_connect_failure_ratio

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""

        def proc(p: ProcessStats | None) -> dict[str, Any] | None:
            if p is None:
                return None
            return {**attrs.asdict(p), "rss_per_connection": round(p.rss_per_connection),
                    "cpu_percent": round(p.cpu_percent, 1)}

        opts = attrs.asdict(self.options)
        opts["version"] = str(self.options.version)
        return {
            "options": opts, "connected_peak": self.connected_peak,
            "connect_failures": self.connect_failures, "ramp_seconds": self.ramp_seconds,
            "hold_seconds": self.hold_seconds, "total_seconds": self.total_seconds,
            "calls_per_s": round(self.calls_per_s, 1), "sent": self.sent,
            "answered": self.answered, "results": self.results, "errors": self.errors,
            "lost": self.lost, "disconnects": self.disconnects,
            "boot_not_accepted": self.boot_not_accepted,
            "actions": [attrs.asdict(a) for a in self.actions],
            "timeline": [attrs.asdict(s) for s in self.timeline],
            "load_process": proc(self.load_process), "csms_process": proc(self.csms_process),
        }

    def format(self) -> str:
        """The human-readable report."""
        o = self.options
        lines = [
            f"load: {o.stations} stations, OCPP {o.version}, {o.url}",
            f"  connected (peak) {self.connected_peak}; ramp-up {self.ramp_seconds:.1f} s; "
            f"held {self.hold_seconds:.1f} s; total {self.total_seconds:.1f} s",
            f"  calls sent {self.sent}, answered {self.answered} ({self.results} results); "
            f"{self.calls_per_s:.1f} calls/s while held",
            "",
            f"  {'action':<22}{'count':>9}{'errors':>8}{'p50 ms':>9}{'p90 ms':>9}"
            f"{'p99 ms':>9}{'max ms':>9}",
        ]
        for a in self.actions:
            lines.append(f"  {a.action:<22}{a.count:>9}{a.errors:>8}{a.p50:>9.1f}{a.p90:>9.1f}"
                         f"{a.p99:>9.1f}{a.max:>9.1f}")
        lines.append("")
        if self.errors:
            listed = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items()))
            lines.append(f"  errors: {listed}")
        else:
            lines.append("  errors: none")
        failures = sum(self.connect_failures.values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(self.connect_failures.items()))
        lines.append(f"  connect failures: {failures}" + (f" ({detail})" if detail else ""))
        if self.disconnects:
            lines.append(f"  connections lost during the run: {self.disconnects}")
        if self.boot_not_accepted:
            lines.append(f"  BootNotification not accepted: {self.boot_not_accepted}")
        lines.append(f"  lost or unanswered calls: {self.lost}")
        for name, p in (("load process", self.load_process), ("CSMS process", self.csms_process)):
            if p is not None:
                lines.append(
                    f"  {name} (pid {p.pid}): RSS {p.rss_start / 2**20:.0f} -> "
                    f"{p.rss_ramped / 2**20:.0f} MiB ({p.rss_per_connection / 1024:.1f} KiB per "
                    f"connection); CPU {p.cpu_seconds:.1f} s ({p.cpu_percent:.0f} % of one core)")
        return "\n".join(lines)


# -- process resources ---------------------------------------------------------------------------


def raise_fd_limit() -> int:
    """Raise ``RLIMIT_NOFILE``'s soft limit to the hard limit; the (new) soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 1 << 20)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def fd_headroom(stations: int, *, in_process_csms: bool = False) -> None:
    """Refuse (:class:`LoadError`) a station count the file-descriptor limit or the local port
    range cannot hold (one socket per station; twice that with the CSMS in this process)."""
    limit = raise_fd_limit()
    needed = stations * (2 if in_process_csms else 1) + FD_RESERVE
    if needed > limit:
        raise LoadError(
            f"{stations} stations need about {needed} file descriptors, the limit is {limit} "
            f"(at most {(limit - FD_RESERVE) // (2 if in_process_csms else 1)} stations; raise "
            f"the hard limit, e.g. `ulimit -Hn`, or run several load processes)")
    ports = _local_ports()
    if ports is not None and stations > ports:
        raise LoadError(f"{stations} connections to one CSMS address need more local ports than "
                        f"the {ports} of net.ipv4.ip_local_port_range")


def _local_ports() -> int | None:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            low, high = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return None
    return high - low + 1


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def rss_of(pid: int | None = None) -> int:
    """Resident set size in bytes of ``pid`` (default: this process); 0 where unknown."""
    try:
        with open(f"/proc/{pid or 'self'}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def cpu_of(pid: int | None = None) -> float:
    """CPU seconds (user + system) used so far by ``pid`` (default: this process)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, ValueError, IndexError):
        return 0.0


class _ProcessProbe:
    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.rss_start = rss_of(pid)
        self.rss_ramped = self.rss_start
        self.cpu_start = cpu_of(pid)
        self.wall_start = time.monotonic()

    def ramped(self) -> None:
        self.rss_ramped = rss_of(self.pid)

    def stats(self, connections: int) -> ProcessStats:
        return ProcessStats(pid=self.pid or os.getpid(), rss_start=self.rss_start,
                            rss_ramped=self.rss_ramped,
                            cpu_seconds=round(cpu_of(self.pid) - self.cpu_start, 2),
                            wall_seconds=round(time.monotonic() - self.wall_start, 2),
                            connections=connections)


async def freeze_survivors(interval: float = 1.0) -> None:
    """Every ``interval`` seconds, move the objects that survived so far out of the garbage
    collector's reach (``gc.freeze``, O(1)); run it as a task beside thousands of connections.

    Thousands of long-lived connections make each full collection scan millions of objects:
    seconds per pass, during which no connection moves. Young objects are still collected;
    unreachable cycles among frozen objects are only freed after ``gc.unfreeze()``."""
    while True:
        gc.freeze()
        await trio.sleep(interval)


# -- the tally -----------------------------------------------------------------------------------


class _Tally:
    """Every call's outcome, by action and by second (single-threaded: one trio run)."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.sent = 0
        self.results = 0
        self.errors: Counter[str] = Counter()
        self.latencies: dict[str, array[float]] = {}
        self.action_calls: Counter[str] = Counter()
        self.action_errors: Counter[str] = Counter()
        self.per_second: list[array[float]] = []
        self.errors_per_second: list[int] = []
        self.calls_per_second: list[int] = []
        self.connected_per_second: list[int] = []
        self.histogram: Counter[int] = Counter()
        self.connected = 0
        self.connected_peak = 0
        self.connect_failures: Counter[str] = Counter()
        self.disconnects = 0
        self.boot_not_accepted = 0

    @property
    def settled(self) -> int:
        return self.results + sum(self.errors.values())

    def _second(self, now: float) -> int:
        sec = int(now - self.t0)
        while len(self.per_second) <= sec:
            self.per_second.append(array("d"))
            self.errors_per_second.append(0)
            self.calls_per_second.append(0)
            self.connected_per_second.append(self.connected)
        return sec

    def settle(self, action: str, started: float, now: float, error: str | None) -> None:
        sec = self._second(now)
        self.action_calls[action] += 1
        self.calls_per_second[sec] += 1
        if error is not None:
            self.errors[error] += 1
            self.action_errors[action] += 1
            self.errors_per_second[sec] += 1
            if error in (TIMEOUT, CONNECTION_LOST, UNSUPPORTED):
                return  # no answer: no latency
        else:
            self.results += 1
        ms = (now - started) * 1000
        lat = self.latencies.get(action)
        if lat is None:
            lat = self.latencies[action] = array("d")
        lat.append(ms)
        self.per_second[sec].append(ms)
        self.histogram[int(math.log(ms) / _LOG_STEP) if ms > 0.01 else -1000] += 1

    def live_p99(self) -> float:
        total = self.histogram.total()
        if not total:
            return 0.0
        rank = math.ceil(0.99 * total)
        seen = 0
        for bucket in sorted(self.histogram):
            seen += self.histogram[bucket]
            if seen >= rank:
                return math.exp((bucket + 1) * _LOG_STEP)
        return 0.0  # pragma: no cover

    def connection(self, delta: int, now: float) -> None:
        self.connected += delta
        self.connected_peak = max(self.connected_peak, self.connected)
        sec = self._second(now)
        self.connected_per_second[sec] = self.connected

    def actions(self) -> list[ActionStats]:
        out = []
        for action in sorted(self.action_calls):
            ordered = sorted(self.latencies.get(action, ()))
            out.append(ActionStats(
                action=action, count=self.action_calls[action],
                errors=self.action_errors[action], p50=round(percentile(ordered, 50), 3),
                p90=round(percentile(ordered, 90), 3), p99=round(percentile(ordered, 99), 3),
                max=round(ordered[-1], 3) if ordered else 0.0,
                mean=round(sum(ordered) / len(ordered), 3) if ordered else 0.0))
        return out

    def timeline(self) -> list[Second]:
        out = []
        for sec, lat in enumerate(self.per_second):
            ordered = sorted(lat)
            out.append(Second(t=sec, calls=self.calls_per_second[sec],
                              errors=self.errors_per_second[sec],
                              p50=round(percentile(ordered, 50), 3),
                              p99=round(percentile(ordered, 99), 3),
                              connected=self.connected_per_second[sec]))
        return out


# -- one station ---------------------------------------------------------------------------------


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


class _Station:
    """One simulated station's behaviour (see the module docstring)."""

    __slots__ = ("action", "index", "rng", "run", "station_id", "tx_count")

    def __init__(self, run: _Run, index: int) -> None:
        self.run = run
        self.index = index
        self.station_id = f"{run.options.id_prefix}-{index:05d}"
        self.rng = random.Random(run.options.seed * 1_000_003 + index)
        self.action = "?"
        self.tx_count = 0

    def tap(self, station_id: str, direction: str, message: Any) -> None:
        if direction == "sent":
            self.action = self.run.action_of.get(type(message), type(message).__name__)

    async def call(self, station: GenericStation, request: Any) -> Any:
        """One call with its outcome tallied; ``None`` unless a response came back.
        Raises ConnectionClosed when the connection is gone (after tallying the call)."""
        run = self.run
        tally = run.tally
        self.action = type(request).__name__.removesuffix("Request")
        tally.sent += 1
        run.in_flight += 1
        started = trio.current_time()
        error: str | None = None
        lost_link = False
        response: Any = None
        try:
            response = await station.call(request, timeout=run.options.timeout)
        except CallError as exc:
            error = exc.code
        except CallTimeout:
            error = TIMEOUT
        except ConnectionClosed:
            error, lost_link = CONNECTION_LOST, True
        finally:
            run.in_flight -= 1
        if isinstance(response, Unsupported):
            error, response = UNSUPPORTED, None
        tally.settle(self.action, started, trio.current_time(), error)
        if lost_link:
            raise ConnectionClosed("connection lost")
        return response

    async def main(self) -> None:
        run = self.run
        opts = run.options
        tally = run.tally
        connected = False
        try:
            async with connect_generic(
                    opts.url, self.station_id, versions=(opts.version,), tap=self.tap,
                    default_timeout=opts.timeout, connect_timeout=opts.connect_timeout,
                    compression=Compression(enabled=opts.compression)) as station:
                connected = True
                tally.connection(+1, trio.current_time())
                run.attempt_done()
                try:
                    await self.behave(station)
                finally:
                    tally.connection(-1, trio.current_time())
        except (OSError, trio.TooSlowError, trio.BrokenResourceError, ConnectionClosed) as exc:
            if connected:
                tally.disconnects += 1
            else:
                tally.connect_failures[_failure_kind(exc)] += 1
                run.attempt_done()

    async def behave(self, station: GenericStation) -> None:
        run = self.run
        opts = run.options
        stop = run.stop
        while not stop.is_set():
            boot = await self.call(station, g.BootNotificationRequest(
                vendor="ocpp-toolkit", model="load-station"))
            if boot is not None and boot.status == "Accepted":
                break
            run.tally.boot_not_accepted += 1
            wait = max(float(getattr(boot, "interval", 0) or 0), 1.0)
            with trio.move_on_after(wait):
                await stop.wait()
        if stop.is_set():
            return
        await self.call(station, g.StatusNotificationRequest(
            evse_id=1, status=g.ConnectorStatus.Available, timestamp=_utc_now()))
        now = trio.current_time()
        next_beat = now + self.rng.uniform(0, opts.heartbeat)
        tx_every = 60.0 / opts.tx_rate if opts.tx_rate else math.inf
        next_tx = now + self.rng.expovariate(1 / tx_every) if opts.tx_rate else math.inf
        tx: _Transaction | None = None
        while True:
            due = min(next_beat, next_tx if tx is None else tx.next_at)
            with trio.move_on_at(due):
                await stop.wait()
            if stop.is_set():
                break
            now = trio.current_time()
            if now >= next_beat:
                await self.call(station, g.HeartbeatRequest())
                next_beat += opts.heartbeat
                next_beat = max(next_beat, trio.current_time())
            elif tx is None:
                tx = await self.begin(station)
                next_tx = math.inf
            elif now >= tx.next_at:
                if tx.updates_left:
                    await self.update(station, tx)
                else:
                    await self.end(station, tx)
                    tx = None
                    next_tx = trio.current_time() + self.rng.expovariate(1 / tx_every)
        if tx is not None:  # the run stops: end the open transaction
            await self.end(station, tx)

    async def begin(self, station: GenericStation) -> _Transaction:
        opts = self.run.options
        token = g.IdToken(value=opts.id_tag)
        await self.call(station, g.AuthorizeRequest(id_token=token))
        self.tx_count += 1
        tx = _Transaction(str(self.tx_count), opts.meter_values,
                          trio.current_time() + opts.meter_interval)
        await self.call(station, g.TransactionEventRequest(
            event_type=g.TransactionEventType.Started, transaction_id=tx.id,
            timestamp=_utc_now(), evse_id=1, id_token=token, meter_wh=0,
            trigger_reason=g.TriggerReason.Authorized))
        return tx

    def _meter(self, tx: _Transaction) -> tuple[g.MeterValue, ...]:
        return (g.MeterValue(timestamp=_utc_now(), sampled_values=(
            g.SampledValue(value=tx.meter, measurand=g.Measurand.Energy_Active_Import_Register,
                           unit="Wh"),)),)

    async def update(self, station: GenericStation, tx: _Transaction) -> None:
        tx.meter += 1000
        tx.updates_left -= 1
        tx.next_at = trio.current_time() + self.run.options.meter_interval
        await self.call(station, g.TransactionEventRequest(
            event_type=g.TransactionEventType.Updated, transaction_id=tx.id,
            timestamp=_utc_now(), evse_id=1, meter_values=self._meter(tx),
            trigger_reason=g.TriggerReason.MeterValuePeriodic))

    async def end(self, station: GenericStation, tx: _Transaction) -> None:
        tx.meter += 1000
        await self.call(station, g.TransactionEventRequest(
            event_type=g.TransactionEventType.Ended, transaction_id=tx.id,
            timestamp=_utc_now(), evse_id=1, id_token=g.IdToken(value=self.run.options.id_tag),
            meter_wh=tx.meter, stopped_reason=g.StopReason.Local,
            trigger_reason=g.TriggerReason.StopAuthorized))


class _Transaction:
    __slots__ = ("id", "meter", "next_at", "updates_left")

    def __init__(self, tx_id: str, updates: int, next_at: float) -> None:
        self.id = tx_id
        self.updates_left = updates
        self.next_at = next_at
        self.meter = 0


def _failure_kind(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    if status:
        return f"HTTP {status}"
    if isinstance(exc, ConnectionClosed):  # no HTTP answer: say why (e.g. a handshake timeout)
        text = str(exc).removeprefix("connection failed: ")
        return f"handshake failed ({text[:60]})"
    if isinstance(exc, trio.TooSlowError):
        return "connect timeout"
    cause = exc.__cause__  # trio: "all attempts to connect failed" from the attempts' errors
    while isinstance(exc, OSError) and not exc.errno and cause is not None:
        exc = cause.exceptions[0] if isinstance(cause, BaseExceptionGroup) else cause
        cause = exc.__cause__
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError):
        return f"OSError {exc.errno}" if exc.errno else f"OSError ({str(exc)[:60]})"
    return type(exc).__name__


# -- the run -------------------------------------------------------------------------------------


class _Run:
    def __init__(self, options: LoadOptions) -> None:
        self.options = options
        self.tally = _Tally(trio.current_time())
        self.stop = trio.Event()
        self.ramped = trio.Event()
        self.in_flight = 0
        self.attempts = 0
        self.action_of = _action_names(options.version)

    def attempt_done(self) -> None:
        self.attempts += 1
        if self.attempts == self.options.stations:
            self.ramped.set()


def _action_names(version: Version) -> dict[type, str]:
    return {spec.request: name for name, spec in actions_for(version).items()}


async def run_load(options: LoadOptions, *, progress: Callable[[Progress], None] | None = None,
                   csms_pid: int | None = None) -> LoadReport:
    """Run the load test ``options`` describes (see the module docstring) and report.

    ``progress`` is called once per second with a :class:`Progress`; ``csms_pid`` (a CSMS in
    another process on this machine) adds that process's resources to the report. Raises
    :class:`LoadError` when the file-descriptor limit cannot hold the stations."""
    fd_headroom(options.stations)
    run = _Run(options)
    tally = run.tally
    me, csms = _ProcessProbe(None), (_ProcessProbe(csms_pid) if csms_pid else None)
    t0 = tally.t0
    ramp_end = hold_end = t0

    def snapshot(last_calls: int, interval: float) -> Progress:
        now = trio.current_time()
        phase = "stop" if run.stop.is_set() else "hold" if run.ramped.is_set() else "ramp"
        return Progress(elapsed=now - t0, phase=phase, connected=tally.connected,
                        stations=options.stations,
                        connect_failures=sum(tally.connect_failures.values()),
                        calls_per_s=(tally.settled - last_calls) / interval,
                        calls=tally.settled, errors=sum(tally.errors.values()),
                        in_flight=run.in_flight, p99=tally.live_p99())

    async def report_progress() -> None:
        assert progress is not None
        last, last_t = 0, t0
        while True:
            await trio.sleep_until(last_t + 1.0)
            now = trio.current_time()
            progress(snapshot(last, now - last_t))
            last, last_t = tally.settled, now

    async with trio.open_nursery() as outer:
        if progress is not None:
            outer.start_soon(report_progress)
        if options.freeze_gc:
            outer.start_soon(freeze_survivors)
        async with trio.open_nursery() as stations:
            for i in range(options.stations):
                await trio.sleep_until(t0 + i / options.ramp)
                stations.start_soon(_Station(run, i + 1).main)
            await run.ramped.wait()
            ramp_end = trio.current_time()
            me.ramped()
            if csms is not None:
                csms.ramped()
            await trio.sleep(options.duration)
            hold_end = trio.current_time()
            run.stop.set()
            # every station finishes its call (bounded by the call timeout) and closes
            stations.cancel_scope.deadline = hold_end + options.timeout + CLOSE_GRACE
        outer.cancel_scope.cancel()
    if options.freeze_gc:
        gc.unfreeze()
    if progress is not None:
        progress(snapshot(tally.settled, 1.0))
    end = trio.current_time()
    return LoadReport(
        options=options, connected_peak=tally.connected_peak,
        connect_failures=dict(tally.connect_failures),
        ramp_seconds=round(ramp_end - t0, 2), hold_seconds=round(hold_end - ramp_end, 2),
        total_seconds=round(end - t0, 2), sent=tally.sent,
        answered=tally.results + sum(n for k, n in tally.errors.items()
                                     if k not in (TIMEOUT, CONNECTION_LOST, UNSUPPORTED)),
        results=tally.results, errors=dict(tally.errors), lost=tally.sent - tally.settled,
        actions=tally.actions(), timeline=tally.timeline(), disconnects=tally.disconnects,
        boot_not_accepted=tally.boot_not_accepted,
        load_process=me.stats(tally.connected_peak),
        csms_process=csms.stats(tally.connected_peak) if csms is not None else None)


# -- a CSMS in another process -------------------------------------------------------------------


@attrs.frozen
class SpawnedCsms:
    """A CSMS simulator child process: ``url`` for the stations, ``pid`` for its resources."""

    url: str
    pid: int


_BANNER = re.compile(r"CSMS simulator on (\S+):(\d+)")


@contextlib.contextmanager
def spawn_csms(host: str = "127.0.0.1", extra_args: Sequence[str] = (),
               start_timeout: float = 30.0) -> Any:
    """Run ``ocpp-toolkit csms --quiet --no-soap --port 0`` (the CSMS simulator, message log
    off) in a child process; yields a :class:`SpawnedCsms` once it listens, and stops it
    (SIGINT, then SIGKILL after 15 s) on exit. ``extra_args``: more ``csms`` options, e.g.
    ``--interval S`` (the heartbeat interval it gives), ``--no-gc-freeze``. Raises
    :class:`LoadError` if it does not start."""
    raise_fd_limit()  # the child inherits the limit
    entry = "import sys; from ocpp_trio.cli import main; sys.exit(main(sys.argv[1:]))"
    root = str(Path(__file__).resolve().parents[2])  # where ocpp_trio is importable from
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": root if not path else f"{root}{os.pathsep}{path}"}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", entry, "csms", "--quiet", "--no-soap", "--port", "0",
             "--host", host, *extra_args],
            stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, env=env)
        try:
            deadline = time.monotonic() + start_timeout
            match = None
            while match is None:
                err.seek(0)
                match = _BANNER.search(err.read())
                if match is None:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        err.seek(0)
                        raise LoadError(f"the CSMS simulator did not start: {err.read()[-2000:]}")
                    time.sleep(0.05)
            yield SpawnedCsms(f"ws://{match.group(1)}:{match.group(2)}/ocpp", proc.pid)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@contextlib.asynccontextmanager
async def in_process_csms(host: str = "127.0.0.1") -> AsyncIterator[str]:
    """The CSMS simulator (message log off) in this trio run; yields the stations' URL."""
    from .csms import CsmsSimulator  # noqa: PLC0415

    async with CsmsSimulator().run(host, 0, soap=False) as server:
        yield f"ws://{host}:{server.port}/ocpp"


