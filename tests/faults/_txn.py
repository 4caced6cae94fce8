"""The transaction messages of the fault-injection suite, and the check of what a CSMS received.

A station runs transactions of ``meters`` MeterValues each: message ``n`` (counting from 0 over
the station's whole life) is step ``n % (meters + 2)`` of transaction ``n // (meters + 2)``:
step 0 starts it, the last step stops it. Every message carries the timestamp ``BASE + n``
seconds, so any copy of it, at the station or the CSMS, names ``n`` (:func:`index_of`).

- 1.6: StartTransaction / MeterValues / StopTransaction (OCPP 1.6 section 3.7); the
  transaction id is the CSMS's, MeterValues and StopTransaction are built with the outbox's
  placeholder and must arrive with the real id.
- 2.0.1: TransactionEvent Started / Updated / Ended (Part 2 E), ``seqNo`` = step and
  ``transactionId`` = ``tx-<transaction>``, chosen by the station.
"""

from __future__ import annotations

import datetime
from typing import Any

from ocpp_sansio.actions import actions_for
from ocpp_sansio.codec import format_datetime, from_wire, parse_datetime
from ocpp_sansio.version import Version

BASE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
TRANSACTION_ACTIONS = ("StartTransaction", "MeterValues", "StopTransaction", "TransactionEvent")


def timestamp(n: int) -> str:
    return format_datetime(BASE + datetime.timedelta(seconds=n))


def position(n: int, meters: int) -> tuple[int, int]:
    """(transaction, step) of message ``n``."""
    return divmod(n, meters + 2)


def wire(
    version: str, n: int, meters: int, transaction_id: int | None
) -> tuple[str, dict[str, Any]]:
    """Action and wire payload of message ``n`` (1.6: ``transaction_id`` for steps > 0)."""
    txn, step = position(n, meters)
    ts = timestamp(n)
    last = meters + 1
    if version == "1.6":
        if step == 0:
            return "StartTransaction", {
                "connectorId": 1, "idTag": f"TAG{txn}", "timestamp": ts, "meterStart": n * 10,
            }
        assert transaction_id is not None
        if step == last:
            return "StopTransaction", {
                "transactionId": transaction_id, "timestamp": ts, "meterStop": n * 10,
                "idTag": f"TAG{txn}",
            }
        return "MeterValues", {
            "connectorId": 1, "transactionId": transaction_id,
            "meterValue": [{"timestamp": ts, "sampledValue": [{"value": str(n * 10)}]}],
        }
    event = "Started" if step == 0 else "Ended" if step == last else "Updated"
    payload: dict[str, Any] = {
        "eventType": event,
        "timestamp": ts,
        "triggerReason": {"Started": "Authorized", "Updated": "MeterValuePeriodic",
                          "Ended": "StopAuthorized"}[event],
        "seqNo": step,
        "transactionInfo": {"transactionId": f"tx-{txn}"},
        "meterValue": [{
            "timestamp": ts,
            "sampledValue": [{"value": float(n * 10),
                              "measurand": "Energy.Active.Import.Register"}],
        }],
    }
    if step == 0:
        payload["evse"] = {"id": 1, "connectorId": 1}
    return "TransactionEvent", payload


def message(version: str, n: int, meters: int, transaction_id: int | None) -> Any:
    """The typed request of message ``n``."""
    action, payload = wire(version, n, meters, transaction_id)
    return from_wire(actions_for(Version(version))[action].request, payload)


def index_of(action: str, payload: dict[str, Any]) -> int:
    """``n`` of a message, from its timestamp."""
    ts = payload["meterValue"][0]["timestamp"] if action == "MeterValues" else payload["timestamp"]
    return int((parse_datetime(ts) - BASE).total_seconds())


def analyse(
    version: str, meters: int, enqueued: set[int], received: list[dict[str, Any]]
) -> dict[str, int]:
    """Check the CSMS's records (``{"action", "payload", "tid"?}`` in arrival order) against
    the messages the station enqueued; returns the counts. Asserts:

    - nothing lost: every enqueued message arrived, and nothing else did;
    - in order: arrival order is the enqueue order, except that a message may arrive again
      right after itself (at-least-once delivery of the message that was in flight);
    - a duplicate is recognisable: the same payload (2.0.1: same ``transactionId`` and
      ``seqNo``; 1.6: same content, timestamp included);
    - 1.6: MeterValues and StopTransaction carry the id the CSMS gave that transaction's
      StartTransaction (the same id for a duplicate StartTransaction).
    """
    records = [r for r in received if r["action"] in TRANSACTION_ACTIONS]
    indices = [index_of(r["action"], r["payload"]) for r in records]
    assert set(indices) == enqueued, (
        f"lost: {sorted(enqueued - set(indices))}, unexpected: {sorted(set(indices) - enqueued)}"
    )
    duplicates = 0
    for i in range(1, len(indices)):
        assert indices[i] >= indices[i - 1], f"out of order at record {i}: {indices[i - 1:i + 1]}"
        if indices[i] == indices[i - 1]:
            duplicates += 1
            assert records[i]["payload"] == records[i - 1]["payload"], "unrecognisable duplicate"
    assert indices == sorted(indices)
    first: dict[int, dict[str, Any]] = {}
    for n, record in zip(indices, records, strict=True):
        first.setdefault(n, record)
    for n, record in first.items():
        txn, step = position(n, meters)
        if version == "1.6":
            if step > 0:
                start = first.get(txn * (meters + 2))
                assert start is not None, f"transaction {txn}: no StartTransaction"
                assert record["payload"]["transactionId"] == start["tid"], (
                    f"message {n}: transactionId {record['payload']['transactionId']}, "
                    f"CSMS gave {start['tid']}"
                )
        else:
            info = record["payload"]["transactionInfo"]
            assert (info["transactionId"], record["payload"]["seqNo"]) == (f"tx-{txn}", step)
    if version == "1.6":
        for r in records:  # a duplicate StartTransaction got the same id
            if r["action"] == "StartTransaction":
                assert r["tid"] == first[index_of(r["action"], r["payload"])]["tid"]
    return {"enqueued": len(enqueued), "received": len(records), "duplicates": duplicates}
