"""Fixtures: every outbox test runs against each storage."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from ocpp_sansio.outbox import MemoryStorage, SqliteStorage, Storage


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    store: Storage = (
        MemoryStorage() if request.param == "memory" else SqliteStorage(tmp_path / "q.db")
    )
    yield store
    store.close()
