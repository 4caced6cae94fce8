"""Subprocess for the SIGKILL test: a station that queues and acknowledges StopTransactions
in an SQLite outbox as fast as it can, printing ``E <key>`` once an enqueue has returned (it is
committed) and ``A <key>`` once its result was recorded. Never exits by itself.

Usage: ``python -m tests.outbox._writer DB FIRST_KEY``
"""

import sys

from ocpp_sansio.outbox import Delivered, Outbox, SendNow, SqliteStorage
from ocpp_sansio.v16 import messages as m16

from ._msgs import stop


def main() -> None:
    path, key = sys.argv[1], int(sys.argv[2])
    box = Outbox("1.6", SqliteStorage(path))
    out = sys.stdout
    in_flight = [e for e in box.connected(0) if isinstance(e, SendNow)]
    while True:
        for _ in range(2):  # two in, one out: the queue grows while we go
            box.enqueue(stop(1, meter=key), 0)
            out.write(f"E {key}\n")
            out.flush()
            key += 1
        for send in in_flight:
            for event in box.result(send.ref, m16.StopTransactionResponse(), 0):
                if isinstance(event, Delivered):
                    out.write(f"A {send.message.meter_stop}\n")
                    out.flush()
        in_flight = [e for e in box.poll(0) if isinstance(e, SendNow)]


if __name__ == "__main__":
    main()
