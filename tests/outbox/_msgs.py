"""Message builders for the outbox tests."""

import datetime
from typing import Any

from ocpp_sansio.v16 import datatypes as dt16
from ocpp_sansio.v16 import enums as e16
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.v201 import datatypes as dt201
from ocpp_sansio.v201 import enums as e201
from ocpp_sansio.v201 import messages as m201

T0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def start(n: int = 0) -> m16.StartTransactionRequest:
    return m16.StartTransactionRequest(
        connector_id=1, id_tag=f"TAG{n}", timestamp=T0, meter_start=n
    )


def stop(tid: int, meter: int = 100) -> m16.StopTransactionRequest:
    return m16.StopTransactionRequest(transaction_id=tid, timestamp=T0, meter_stop=meter)


def meter(tid: int | None, value: int = 1) -> m16.MeterValuesRequest:
    return m16.MeterValuesRequest(
        connector_id=1,
        transaction_id=tid,
        meter_value=[
            dt16.MeterValue(timestamp=T0, sampled_value=[dt16.SampledValue(value=str(value))])
        ],
    )


def start_result(tid: int) -> m16.StartTransactionResponse:
    return m16.StartTransactionResponse(
        transaction_id=tid, id_tag_info=dt16.IdTagInfo(status=e16.AuthorizationStatus.Accepted)
    )


def heartbeat() -> m16.HeartbeatRequest:
    return m16.HeartbeatRequest()


def tx_event(seq_no: int, event_type: str = "Updated", **kw: Any) -> m201.TransactionEventRequest:
    return m201.TransactionEventRequest(
        event_type=e201.TransactionEventEnumType(event_type),
        timestamp=T0,
        trigger_reason=e201.TriggerReasonEnumType.MeterValuePeriodic,
        seq_no=seq_no,
        transaction_info=dt201.TransactionType(transaction_id="tx-1"),
        **kw,
    )
