"""SQLite storage for the outbox (stdlib ``sqlite3``; no I/O loop, the calls block).

Durability settings, and why:

- ``journal_mode=WAL``: a commit appends to the write-ahead log instead of rewriting pages,
  and a reader never blocks the writer. A process killed at any instant (SIGKILL, watchdog,
  OOM) leaves the database at its last commit.
- ``synchronous=FULL``: each commit fsyncs the log before returning. With WAL, ``NORMAL`` is
  already safe against a killed *process*, but after a *power loss* (the usual way a
  station restarts) it may roll back the last commits. Rolling back an acknowledgement only
  costs a duplicate; rolling back an append loses a StopTransaction, i.e. a bill. The price is
  one fsync per change of the queue, a few per transaction message (measured in
  ``docs/outbox.md``).

Schema, versioned with ``PRAGMA user_version`` (currently 1):

- ``messages(seq INTEGER PRIMARY KEY AUTOINCREMENT, version TEXT, action TEXT, payload TEXT,
  attempts INTEGER, sends INTEGER)``: ``payload`` is the request's wire JSON. AUTOINCREMENT
  so that a ``seq`` (and the 1.x placeholder derived from it) is never reused.
- ``transaction_ids(placeholder INTEGER PRIMARY KEY, transaction_id INTEGER NULL)``.

A database written by a newer schema is refused (:class:`SchemaError`), never guessed at.
"""

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from typing import Any

import orjson

from .storage import StoredMessage, substitute_transaction_id

__all__ = ["SCHEMA_VERSION", "SchemaError", "SqliteStorage"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sends INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE transaction_ids (
    placeholder INTEGER PRIMARY KEY,
    transaction_id INTEGER
);
"""

_COLUMNS = "seq, version, action, payload, attempts, sends"


class SchemaError(Exception):
    """The database's schema version is not one this code reads."""


def _row(row: tuple[Any, ...]) -> StoredMessage:
    seq, version, action, payload, attempts, sends = row
    return StoredMessage(
        seq=seq,
        version=version,
        action=action,
        payload=orjson.loads(payload),
        attempts=attempts,
        sends=sends,
    )


class SqliteStorage:
    """:class:`~ocpp_sansio.outbox.storage.Storage` in an SQLite database file (WAL,
    ``synchronous=FULL``). One connection, used from one thread."""

    def __init__(self, path: str | os.PathLike[str], *, synchronous: str = "FULL") -> None:
        self.path = os.fspath(path)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        try:
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if self.path != ":memory:" and str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"journal_mode is {mode}, WAL required")
            if synchronous.upper() not in ("FULL", "EXTRA", "NORMAL"):
                raise ValueError(f"synchronous must be FULL, EXTRA or NORMAL: {synchronous!r}")
            self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                raise SchemaError(
                    f"{self.path}: outbox schema version {version}, this code reads "
                    f"{SCHEMA_VERSION}"
                )

    def load(self) -> tuple[list[StoredMessage], dict[int, int | None]]:
        with self._transaction() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM messages ORDER BY seq").fetchall()
            ids = db.execute("SELECT placeholder, transaction_id FROM transaction_ids").fetchall()
        return [_row(r) for r in rows], dict(ids)

    def append(self, version: str, action: str, payload: dict[str, Any]) -> StoredMessage:
        text = orjson.dumps(payload).decode()
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO messages (version, action, payload) VALUES (?, ?, ?)",
                (version, action, text),
            )
            seq = cur.lastrowid
        assert seq is not None
        return StoredMessage(seq=seq, version=version, action=action, payload=orjson.loads(text))

    def head(self) -> StoredMessage | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM messages ORDER BY seq LIMIT 1"
        ).fetchone()
        return None if row is None else _row(row)

    def mark_sent(self, seq: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE messages SET sends = sends + 1 WHERE seq = ?", (seq,))

    def record_failure(self, seq: int, attempts: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE messages SET attempts = ? WHERE seq = ?", (attempts, seq))

    def remove(self, seq: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM messages WHERE seq = ?", (seq,))

    def resolve(
        self, seq: int, placeholder: int, transaction_id: int | None, unknown_id: int
    ) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM messages WHERE seq = ?", (seq,))
            db.execute(
                "INSERT OR REPLACE INTO transaction_ids (placeholder, transaction_id) "
                "VALUES (?, ?)",
                (placeholder, transaction_id),
            )
            rows = db.execute(
                "SELECT seq, action, payload FROM messages WHERE payload LIKE ?",
                (f"%{placeholder}%",),
            ).fetchall()
            for row_seq, action, text in rows:
                new = substitute_transaction_id(
                    action, orjson.loads(text), placeholder, transaction_id, unknown_id
                )
                if new is not None:
                    db.execute(
                        "UPDATE messages SET payload = ? WHERE seq = ?",
                        (orjson.dumps(new).decode(), row_seq),
                    )

    def close(self) -> None:
        self._db.close()
