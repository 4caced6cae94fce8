"""A CSMS process for the fault-injection suite:
``python -m tests.faults.csms_proc LOG [PORT [ANSWER_DELAY]]``.

Serves OCPP-J 1.6 and 2.0.1 with ``ocpp_trio.serve`` on 127.0.0.1 (``PORT``, default 0 = any),
prints ``LISTENING <port>`` once it listens, and appends every transaction message it receives
to ``LOG`` as one JSON line (``{"action", "payload", "tid"?, "conn"}``), fsynced *before* the
answer is sent: a record is never lost by a SIGKILL, and an answer never precedes its record.

StartTransaction (1.6) is answered with increasing ids; a StartTransaction already received
(same timestamp, connector and idTag: a retransmission) gets the id it got the first time, as a
CSMS keeping its transactions would answer it. ``ANSWER_DELAY`` (seconds, default 0) is waited
between the record and the answer: a kill right after a record then always finds the message
in flight (recorded, not acknowledged), so its retransmission is a duplicate. The ids survive a
restart (the log is read back).
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any

import orjson
import trio

import ocpp_trio
from ocpp_sansio.codec import to_wire
from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.v16 import datatypes as d16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.v16.enums import AuthorizationStatus, RegistrationStatus
from ocpp_sansio.v201 import messages as m201
from ocpp_sansio.v201.enums import RegistrationStatusEnumType

from ._txn import BASE


class Recorder:
    """The log file, the StartTransaction ids, and the handlers that use them."""

    def __init__(self, path: str, answer_delay: float = 0.0) -> None:
        self.answer_delay = answer_delay
        self.starts: dict[tuple[Any, ...], int] = {}
        last = 0
        if os.path.exists(path):
            with open(path, "rb") as f:
                for line in f:
                    try:
                        record = orjson.loads(line)
                    except orjson.JSONDecodeError:  # a line cut by a kill
                        continue
                    if record["action"] == "StartTransaction":
                        self.starts[self._key(record["payload"])] = record["tid"]
                        last = max(last, record["tid"])
        self.ids = itertools.count(last + 1)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    @staticmethod
    def _key(payload: dict[str, Any]) -> tuple[Any, ...]:
        return payload["timestamp"], payload["connectorId"], payload["idTag"]

    async def record(
        self, action: str, payload: dict[str, Any], conn: Any, **extra: Any
    ) -> None:
        line = orjson.dumps({"action": action, "payload": payload, "conn": id(conn), **extra})
        os.write(self.fd, line + b"\n")
        os.fsync(self.fd)
        if self.answer_delay:
            await trio.sleep(self.answer_delay)

    def handlers(self, station_id: str, version: Any) -> dict[str, Handler]:
        if str(version) == "1.6":
            return {
                "BootNotification": self.boot16,
                "StartTransaction": self.start,
                "MeterValues": self.meter_values,
                "StopTransaction": self.stop,
            }
        return {"BootNotification": self.boot201, "TransactionEvent": self.transaction_event}

    async def boot16(self, req: Any, ctx: CallContext) -> Any:
        return m16.BootNotificationResponse(status=RegistrationStatus.Accepted, interval=300,
                                            current_time=BASE)

    async def boot201(self, req: Any, ctx: CallContext) -> Any:
        return m201.BootNotificationResponse(status=RegistrationStatusEnumType.Accepted,
                                             interval=300, current_time=BASE)

    async def start(self, req: m16.StartTransactionRequest, ctx: CallContext) -> Any:
        payload = to_wire(req)
        key = self._key(payload)
        tid = self.starts.get(key)
        if tid is None:
            tid = self.starts[key] = next(self.ids)
        await self.record("StartTransaction", payload, ctx.connection, tid=tid)
        return m16.StartTransactionResponse(
            transaction_id=tid, id_tag_info=d16.IdTagInfo(status=AuthorizationStatus.Accepted)
        )

    async def meter_values(self, req: Any, ctx: CallContext) -> Any:
        await self.record("MeterValues", to_wire(req), ctx.connection)
        return m16.MeterValuesResponse()

    async def stop(self, req: Any, ctx: CallContext) -> Any:
        await self.record("StopTransaction", to_wire(req), ctx.connection)
        return m16.StopTransactionResponse()

    async def transaction_event(self, req: Any, ctx: CallContext) -> Any:
        await self.record("TransactionEvent", to_wire(req), ctx.connection)
        return m201.TransactionEventResponse()


async def main(path: str, port: int, answer_delay: float) -> None:
    recorder = Recorder(path, answer_delay)
    async with ocpp_trio.serve(
        "127.0.0.1", port, versions=("2.0.1", "1.6"), handlers=recorder.handlers, soap=False,
    ) as server:
        print(f"LISTENING {server.port}", flush=True)
        await trio.sleep_forever()


if __name__ == "__main__":
    args = sys.argv[1:]
    trio.run(main, args[0], int(args[1]) if len(args) > 1 else 0,
             float(args[2]) if len(args) > 2 else 0.0)
