"""A station process for the fault-injection suite:
``python -m tests.faults.station_proc CONFIG_JSON``.

Built on ``ocpp_trio.connect`` (with a quick ``ReconnectPolicy``), ``ocpp_trio.OutboxDriver``
and an ``SqliteStorage``: it submits the messages of :mod:`tests.faults._txn` one after the
other (``interval`` seconds apart) until ``total`` were enqueued over its whole life, waits until
the outbox is drained, writes ``{"e": "done"}`` and exits. Killed and started again on the same
files, it goes on where it was.

Its own log (``log``, one JSON line per entry, written unbuffered so that a SIGKILL loses
nothing written): ``{"e": "enq", "n", "placeholder"?}`` after each submit (before anything can
be sent: submit is synchronous); ``{"e": "send", "n", "transmission", "dup"}`` for each
transmission; ``{"e": "link"}`` for each connection (before its BootNotification);
``{"e": "drop", ...}`` should a message be dropped; ``{"e": "done", "stats"}``.
A message stored by a submit whose log line a kill prevented is found in the outbox at the
next start and logged then (``"recovered": true``).
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import attrs
import orjson
import trio

import ocpp_trio
from ocpp_sansio.codec import to_wire
from ocpp_sansio.outbox import Dropped, Event, Outbox, SendNow, SqliteStorage, placeholder_for
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.v201 import datatypes as d201
from ocpp_sansio.v201 import messages as m201
from ocpp_sansio.v201.enums import BootReasonEnumType

from ._txn import index_of, message, position


class Log:
    def __init__(self, path: str) -> None:
        self.entries: list[dict[str, Any]] = []
        if os.path.exists(path):
            with open(path, "rb") as f:
                for line in f:
                    with contextlib.suppress(orjson.JSONDecodeError):
                        self.entries.append(orjson.loads(line))
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, **entry: Any) -> None:
        self.entries.append(entry)
        os.write(self.fd, orjson.dumps(entry) + b"\n")


async def boot(station: Any, log: Log) -> None:
    log.write(e="link")
    if str(station.version) == "1.6":
        await station.call(m16.BootNotificationRequest(
            charge_point_vendor="Faults", charge_point_model="F1"))
    else:
        await station.call(m201.BootNotificationRequest(
            charging_station=d201.ChargingStationType(model="F1", vendor_name="Faults"),
            reason=BootReasonEnumType.PowerUp))


async def main(config: dict[str, Any]) -> None:
    version: str = config["version"]
    meters: int = config["meters"]
    total: int = config["total"]
    log = Log(config["log"])
    outbox = Outbox(version, SqliteStorage(config["db"]), attempts=config.get("attempts", 3),
                    retry_interval=config["retry_interval"])

    # What was enqueued before: the log, plus what a kill kept out of the log.
    placeholders: dict[int, int] = {}  # transaction -> 1.x placeholder
    enqueued: set[int] = set()
    for entry in log.entries:
        if entry["e"] == "enq":
            enqueued.add(entry["n"])
            if "placeholder" in entry:
                placeholders[position(entry["n"], meters)[0]] = entry["placeholder"]
    for stored in outbox.queued:
        n = index_of(stored.action, stored.payload)
        if n not in enqueued:
            enqueued.add(n)
            extra = {}
            if stored.action == "StartTransaction":
                extra["placeholder"] = placeholders[position(n, meters)[0]] = placeholder_for(
                    stored.seq)
            log.write(e="enq", n=n, recovered=True, **extra)

    def on_event(event: Event) -> None:
        if isinstance(event, SendNow):
            n = index_of(event.action, to_wire(event.message))
            log.write(e="send", n=n, transmission=event.transmission,
                      dup=event.possible_duplicate)
        elif isinstance(event, Dropped):
            log.write(e="drop", action=event.action, reason=event.reason)

    async def on_connected(station: Any) -> None:
        await boot(station, log)

    driver = ocpp_trio.OutboxDriver(outbox, timeout=config["timeout"],
                                    on_connected=on_connected, on_event=on_event)
    policy = ocpp_trio.ReconnectPolicy(min_backoff=0.05, max_backoff=0.4, jitter=0.05)
    while True:  # the first connection must succeed: try until it does
        try:
            async with ocpp_trio.connect(
                config["url"], config.get("station_id", "CS-FAULTS"), versions=(version,),
                reconnect=policy, default_timeout=config["timeout"], connect_timeout=2.0,
            ) as station, driver.running(station):
                n = max(enqueued, default=-1) + 1
                while n < total:
                    txn, _step = position(n, meters)
                    placeholder = placeholders.get(txn)
                    ticket = driver.submit(message(version, n, meters, placeholder))
                    extra = {}
                    if ticket.placeholder is not None:
                        placeholders[txn] = extra["placeholder"] = ticket.placeholder
                    log.write(e="enq", n=n, **extra)
                    enqueued.add(n)
                    n += 1
                    await trio.sleep(config["interval"])
                await driver.drained()
                log.write(e="done", stats=attrs.asdict(driver.stats))
                return
        except (OSError, ocpp_trio.ConnectionClosed, trio.TooSlowError):
            await trio.sleep(0.1)


if __name__ == "__main__":
    trio.run(main, orjson.loads(sys.argv[1]))
