"""SqliteStorage: pragmas, schema version, persistence, atomicity."""

import sqlite3
import time
from pathlib import Path

import pytest

from ocpp_sansio.outbox import SCHEMA_VERSION, SchemaError, SqliteStorage
from ocpp_sansio.outbox import sqlite as sqlite_mod


def test_pragmas_and_schema_version(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "q.db")
    db = store._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.close()


def test_refuses_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    SqliteStorage(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(SchemaError):
        SqliteStorage(path)


def test_bad_synchronous_value(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        SqliteStorage(tmp_path / "q.db", synchronous="OFF")


def test_persists_across_reopen_and_never_reuses_seq(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    store = SqliteStorage(path)
    a = store.append("1.6", "StopTransaction", {"transactionId": 1, "x": [1, "é"]})
    b = store.append("1.6", "StopTransaction", {"transactionId": 2})
    store.mark_sent(a.seq)
    store.record_failure(a.seq, 2)
    store.remove(b.seq)
    store.resolve(999, -5, 42, -1)
    store.close()
    store = SqliteStorage(path)
    [got], ids = store.load()
    assert (got.seq, got.attempts, got.sends, got.payload) == (a.seq, 2, 1, a.payload)
    assert ids == {-5: 42}
    assert store.head() == got
    c = store.append("1.6", "StopTransaction", {"transactionId": 3})
    assert c.seq > b.seq  # AUTOINCREMENT: a removed seq (and its placeholder) is never reused
    store.close()


def test_resolve_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqliteStorage(tmp_path / "q.db")
    start = store.append("1.6", "StartTransaction", {"connectorId": 1})
    store.append("1.6", "StopTransaction", {"transactionId": -7})

    def boom(*args: object) -> None:
        raise RuntimeError("crash in the middle")

    monkeypatch.setattr(sqlite_mod, "substitute_transaction_id", boom)
    with pytest.raises(RuntimeError):
        store.resolve(start.seq, -7, 42, -1)
    messages, ids = store.load()
    assert [m.action for m in messages] == ["StartTransaction", "StopTransaction"]
    assert ids == {}
    store.close()


def test_commit_rate(tmp_path: Path) -> None:
    """Not a benchmark: a smoke check that FULL durability is usable (and a number to read)."""
    store = SqliteStorage(tmp_path / "q.db")
    n = 50
    t0 = time.perf_counter()
    for i in range(n):
        m = store.append("1.6", "StopTransaction", {"transactionId": i})
        store.mark_sent(m.seq)
        store.remove(m.seq)
    rate = n / (time.perf_counter() - t0)
    store.close()
    print(f"{rate:.0f} messages/s (append + mark_sent + remove, synchronous=FULL)")
    assert rate > 5
