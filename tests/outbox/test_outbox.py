"""Outbox rules: FIFO, retry/drop (1.6 §3.7.1, 2.0.1 E13), offline, 1.x id substitution."""

from typing import Any

import pytest

from ocpp_sansio.outbox import (
    PLACEHOLDER_BASE,
    Delivered,
    Dropped,
    Failed,
    MemoryStorage,
    Offline,
    Outbox,
    OutboxError,
    Ref,
    Retrying,
    SendNow,
    Storage,
    TransactionIdAssigned,
    TransactionIdUnknown,
)
from ocpp_sansio.rpc import CallAborted, CallTimedOut, RpcConnection
from ocpp_sansio.v16 import messages as m16
from ocpp_sansio.v16.enums import ResetType
from ocpp_sansio.v201 import messages as m201

from ._msgs import T0, heartbeat, meter, start, start_result, stop, tx_event


def sends(events: list[Any]) -> list[SendNow]:
    return [e for e in events if isinstance(e, SendNow)]


def test_fifo_one_at_a_time(storage: Storage) -> None:
    box = Outbox("1.6", storage)
    for i in range(3):
        box.enqueue(stop(i + 1, meter=i), now=0)
    [first] = sends(box.connected(0))
    assert first.message.meter_stop == 0 and first.transmission == 1
    assert box.poll(1) == []  # strict FIFO: the next waits for the answer
    [d] = box.result(first.ref, m16.StopTransactionResponse(), 1)
    assert isinstance(d, Delivered)
    [second] = sends(box.poll(1))
    assert second.message.meter_stop == 1
    box.result(second.ref, m16.StopTransactionResponse(), 2)
    [third] = sends(box.poll(2))
    box.result(third.ref, m16.StopTransactionResponse(), 3)
    assert box.queued == () and storage.head() is None


def test_retry_schedule_and_drop_spec_example(storage: Storage) -> None:
    """1.6 §3.7.1's example: attempts 3, interval 60 -> wait 60, then 120, then discard."""
    box = Outbox("1.6", storage, attempts=3, retry_interval=60)
    box.enqueue(stop(7), 0)
    box.enqueue(stop(8), 0)
    [s] = sends(box.connected(0))
    [r] = box.error(s.ref, "InternalError", 5)
    assert isinstance(r, Retrying) and r.attempts == 1 and r.not_before == 65
    assert box.next_deadline() == 65 and box.poll(64.9) == []
    [s] = sends(box.poll(65))
    assert s.transmission == 2 and s.possible_duplicate
    [r] = box.error(s.ref, "InternalError", 70)
    assert isinstance(r, Retrying) and r.attempts == 2 and r.not_before == 70 + 120
    [s] = sends(box.poll(190))
    [d] = box.error(s.ref, "InternalError", 200)
    assert isinstance(d, Dropped) and d.attempts == 3 and d.message.transaction_id == 7
    [nxt] = sends(box.poll(200))  # continue with the next transaction message
    assert nxt.message.transaction_id == 8 and nxt.transmission == 1


def test_attempts_persisted_across_restart(storage: Storage) -> None:
    box = Outbox("1.6", storage, attempts=2)
    box.enqueue(stop(1), 0)
    [s] = sends(box.connected(0))
    box.error(s.ref, "GenericError", 0)
    box = Outbox("1.6", storage, attempts=2)  # restart: backoff forgotten, count kept
    [s] = sends(box.connected(0))
    assert s.transmission == 2 and s.possible_duplicate
    [d] = box.error(s.ref, "GenericError", 0)
    assert isinstance(d, Dropped) and d.attempts == 2


def test_timeouts_and_disconnects_are_not_attempts(storage: Storage) -> None:
    box = Outbox("1.6", storage, attempts=1, retry_interval=10)
    box.enqueue(stop(1), 0)
    [s] = sends(box.connected(0))
    for i in range(5):
        [r] = box.timed_out(s.ref, 100 * i)
        assert isinstance(r, Retrying) and r.attempts == 0
        [s] = sends(box.poll(r.not_before))
    assert box.disconnected(600) == []
    assert box.queued[0].attempts == 0 and box.in_flight is None
    [s] = sends(box.connected(601))  # resent at once on reconnect, first of all
    assert s.transmission == 7 and s.possible_duplicate
    [d] = box.error(s.ref, "InternalError", 602)
    assert isinstance(d, Dropped)


def test_count_timeouts_option(storage: Storage) -> None:
    box = Outbox("2.0.1", storage, attempts=2, retry_interval=1, count_timeouts=True)
    box.enqueue(tx_event(0), 0)
    [s] = sends(box.connected(0))
    [r] = box.timed_out(s.ref, 1)
    assert isinstance(r, Retrying) and r.attempts == 1
    [s] = sends(box.poll(2))
    [d] = box.timed_out(s.ref, 3)
    assert isinstance(d, Dropped)


def test_offline_others_fail_fast_by_default(storage: Storage) -> None:
    box = Outbox("1.6", storage)
    with pytest.raises(Offline):
        box.enqueue(heartbeat(), 0)
    with pytest.raises(Offline):
        box.enqueue(meter(None), 0)  # MeterValues without a transaction: not transaction-related
    box.enqueue(meter(5), 0)  # with one: queued
    assert len(box.queued) == 1


def test_offline_others_queue_option_and_overtaking(storage: Storage) -> None:
    box = Outbox("1.6", storage, offline_others="queue")
    box.enqueue(stop(1), 0)
    hb = box.enqueue(heartbeat(), 0)
    events = sends(box.connected(0))
    assert [e.action for e in events] == ["StopTransaction", "Heartbeat"]
    # the heartbeat is answered first: it may overtake the transaction queue (1.6 §3.7)
    [d] = box.result(hb.ref, m16.HeartbeatResponse(current_time=T0), 1)
    assert isinstance(d, Delivered) and d.ref == hb.ref
    assert not hb.ref.durable and storage.head() is not None


def test_others_fail_on_error_timeout_and_disconnect(storage: Storage) -> None:
    box = Outbox("1.6", storage)
    box.connected(0)
    refs = [box.enqueue(heartbeat(), 0).ref for _ in range(3)]
    assert len(sends(box.poll(0))) == 3
    [f1] = box.error(refs[0], "InternalError", 1)
    [f2] = box.timed_out(refs[1], 1)
    [f3] = box.disconnected(1)
    assert isinstance(f1, Failed) and f1.reason == "CALLERROR InternalError"
    assert isinstance(f2, Failed) and f2.reason == "timeout"
    assert isinstance(f3, Failed) and f3.reason == "connection lost"


def test_placeholder_substituted_when_start_result_arrives(storage: Storage) -> None:
    box = Outbox("1.6", storage)
    t = box.enqueue(start(), 0)
    assert t.placeholder is not None and t.placeholder < PLACEHOLDER_BASE
    box.enqueue(meter(t.placeholder), 0)
    box.enqueue(stop(t.placeholder), 0)
    box.enqueue(stop(99), 0)  # another transaction: untouched
    [s] = sends(box.connected(0))
    events = box.result(s.ref, start_result(4711), 1)
    assert events[1] == TransactionIdAssigned(t.placeholder, 4711)
    assert [m.payload["transactionId"] for m in storage.load()[0]] == [4711, 4711, 99]
    # persisted: a restarted outbox sends the real id
    box2 = Outbox("1.6", storage)
    [s] = sends(box2.connected(2))
    assert s.message.transaction_id == 4711
    # a message built with the placeholder after the answer still gets the real id
    box2.enqueue(stop(t.placeholder), 3)
    assert storage.load()[0][-1].payload["transactionId"] == 4711


def test_dropped_start_transaction(storage: Storage) -> None:
    box = Outbox("1.6", storage, attempts=1, unknown_transaction_id=-1)
    t = box.enqueue(start(), 0)
    assert t.placeholder is not None
    box.enqueue(meter(t.placeholder), 0)
    box.enqueue(stop(t.placeholder), 0)
    [s] = sends(box.connected(0))
    events = box.error(s.ref, "InternalError", 1)
    assert isinstance(events[0], Dropped)
    assert events[1] == TransactionIdUnknown(t.placeholder, -1)
    [mv, st] = storage.load()[0]
    assert "transactionId" not in mv.payload and st.payload["transactionId"] == -1


def test_2x_offline_flag_and_seqno_kept(storage: Storage) -> None:
    box = Outbox("2.0.1", storage)
    box.enqueue(tx_event(0, "Started"), 0)
    [s] = sends(box.connected(1))
    box.enqueue(tx_event(1), 1)
    assert box.poll(1) == []
    assert s.message.offline is True and s.message.seq_no == 0
    box.result(s.ref, m201.TransactionEventResponse(), 2)
    [s] = sends(box.poll(2))
    assert s.message.offline is None and s.message.seq_no == 1


def test_local_errors(storage: Storage) -> None:
    box = Outbox("1.6", storage)
    with pytest.raises(OutboxError):
        box.enqueue(tx_event(0), 0)  # a 2.0.1 message
    with pytest.raises(OutboxError):
        box.enqueue(m16.StopTransactionResponse(), 0)
    with pytest.raises(OutboxError):
        box.enqueue(m16.ResetRequest(type=ResetType.Hard), 0)  # CSMS -> station
    with pytest.raises(ValueError):
        Outbox("1.6", storage, attempts=-1)
    assert box.queued == ()


def test_stale_outcomes_are_ignored(storage: Storage) -> None:
    box = Outbox("1.6", storage)
    box.enqueue(stop(1), 0)
    [s] = sends(box.connected(0))
    box.result(s.ref, m16.StopTransactionResponse(), 1)
    assert box.result(s.ref, m16.StopTransactionResponse(), 2) == []
    assert box.error(s.ref, "InternalError", 2) == []
    assert box.timed_out(Ref(True, 999), 2) == []


def test_stored_message_of_another_version_is_dropped(storage: Storage) -> None:
    Outbox("1.6", storage).enqueue(stop(1), 0)
    box = Outbox("2.0.1", storage)
    [d] = box.connected(0)
    assert isinstance(d, Dropped) and "unreadable" in d.reason


def _pump(a: RpcConnection, b: RpcConnection, now: float) -> list[Any]:
    events = []
    for text in a.data_to_send():
        events += b.receive_text(text, now)
    return events


def test_with_rpc_engine() -> None:
    """Drive the outbox through real RpcConnections: error, timeout, late result, result."""
    box = Outbox("1.6", MemoryStorage(), attempts=3, retry_interval=1)
    station = RpcConnection("1.6", "cs", default_timeout=5)
    csms = RpcConnection("1.6", "csms")
    box.enqueue(start(), 0)
    ids: dict[str, Ref] = {}

    def send(events: list[Any], now: float) -> None:
        for e in sends(events):
            ids[station.send_call(e.message, now).unique_id] = e.ref

    def station_reads(now: float) -> list[Any]:
        out = []
        for ev in _pump(csms, station, now):
            out += box.outcome(ids[ev.unique_id], ev, now)
        return out

    send(box.connected(0), 0)
    [call] = _pump(station, csms, 0)
    csms.send_error(call.unique_id, "InternalError", "db down")
    [r] = station_reads(0.5)
    assert isinstance(r, Retrying) and r.not_before == 1.5
    assert box.poll(1.0) == []
    send(box.poll(1.5), 1.5)
    [call] = _pump(station, csms, 1.5)
    [timeout] = station.handle_timeout(6.5)
    assert isinstance(timeout, CallTimedOut)
    [r] = box.outcome(ids[timeout.unique_id], timeout, 6.5)
    assert isinstance(r, Retrying) and r.attempts == 1 and r.not_before == 8.5
    csms.send_result(call.unique_id, start_result(12))  # late, before the retransmission
    events = station_reads(7)
    assert isinstance(events[0], Delivered)
    assert events[1] == TransactionIdAssigned(events[1].placeholder, 12)
    assert box.queued == () and box.next_deadline() is None
    # aborted and ErrorReceived/ResultReceived types are routed too
    box.enqueue(stop(12), 7)
    send(box.poll(7), 7)
    [aborted] = station.close()
    assert isinstance(aborted, CallAborted)
    assert box.outcome(ids[aborted.unique_id], aborted, 7) == []
    assert box.in_flight is None and len(box.queued) == 1


def test_refused_by_connection_is_dropped(storage: Storage) -> None:
    box = Outbox("1.6", storage, offline_others="queue")
    box.enqueue(stop(1), 0)
    box.enqueue(stop(2), 0)
    hb = box.enqueue(heartbeat(), 0)
    first, _ = sends(box.connected(0))
    [d] = box.refused(first.ref, "InvalidMessageError", 0)
    assert isinstance(d, Dropped) and d.reason == "InvalidMessageError"
    [f] = box.refused(hb.ref, "closed", 0)
    assert isinstance(f, Failed)
    [nxt] = sends(box.poll(0))
    assert nxt.message.transaction_id == 2
    assert box.refused(first.ref, "again", 0) == []
