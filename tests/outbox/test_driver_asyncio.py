"""``ocpp_asyncio.OutboxDriver`` over real sockets: the scenarios of ``test_driver_trio.py``
run on ``ocpp_asyncio`` (same API, same behaviour)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocpp_sansio.outbox import MemoryStorage, SqliteStorage, Storage

from .test_driver_trio import (
    Loop,
    callerror_retried_then_dropped,
    delivers_in_order_with_real_ids,
    link_cut_resends_in_flight,
    others_and_errors,
    resumes_stored_queue,
    timeout_retransmits,
)

LOOP = Loop("asyncio")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_delivers_in_order_with_real_ids(kind: str, tmp_path: Path) -> None:
    storage: Storage = MemoryStorage() if kind == "memory" else SqliteStorage(tmp_path / "q.db")
    LOOP.run(lambda: delivers_in_order_with_real_ids(LOOP, storage))
    storage.close()


def test_callerror_retried_then_dropped() -> None:
    LOOP.run(lambda: callerror_retried_then_dropped(LOOP))


def test_timeout_retransmits() -> None:
    LOOP.run(lambda: timeout_retransmits(LOOP))


def test_link_cut_resends_in_flight() -> None:
    LOOP.run(lambda: link_cut_resends_in_flight(LOOP))


def test_others_and_errors() -> None:
    LOOP.run(lambda: others_and_errors(LOOP))


def test_resumes_stored_queue(tmp_path: Path) -> None:
    LOOP.run(lambda: resumes_stored_queue(LOOP, tmp_path))
