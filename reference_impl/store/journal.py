"""The journal: every accepted command, durably on disk before anyone is told it was accepted.

One SQLite file holds one row per command that changed the system's state:
its sequence number, the market clock reading when it ran, the
``CRRSystem`` method name, its keyword arguments (JSON), the response it
gave (JSON, with its SHA-256) and the wall time it was recorded. Replaying
the rows in order into a fresh system rebuilds the state exactly (see the
replay contract in ``reference_impl/engine/system.py``).

Durability comes from SQLite itself: write-ahead logging with
``synchronous=FULL`` makes ``commit`` (and ``append``) return only after its
rows reached the disk, so a process killed with SIGKILL (or a machine that
loses power) keeps every row they returned for, and never a half-written
one. ``commit`` writes several rows in one transaction, one fsync, which is
what ``group_commit`` builds on; the connection stays in autocommit mode, and
``commit`` makes the transaction (one statement, or ``BEGIN``/``COMMIT``). The file is
opened with ``locking_mode=EXCLUSIVE``: a second server on the same database
would interleave two histories, so it is refused at open instead.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reference_impl.store.migrations import SchemaError, migrate

__all__ = [
    "ONE_STATEMENT_ROWS",
    "Journal",
    "JournalEntry",
    "JournalRow",
    "StoreError",
    "canonical_json",
    "response_digest",
]


ONE_STATEMENT_ROWS = 100
"""Rows a commit writes as one ``INSERT`` statement (600 bound values, far below SQLite's limit)."""


@functools.cache
def _insert(rows: int) -> str:
    """The ``INSERT`` of ``rows`` journal rows (one text per size, so SQLite prepares it once)."""
    return (
        "INSERT INTO journal "
        "(clock_time, method, kwargs, response, response_sha256, recorded_at) VALUES "
        + ", ".join(["(?, ?, ?, ?, ?, ?)"] * rows)
    )


class StoreError(Exception):
    """The database cannot be opened or written; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One accepted command as recorded."""

    seq: int
    clock_time: str
    method: str
    kwargs: dict[str, Any]
    response: Any
    response_sha256: str
    recorded_at: str


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One command serialized for the journal, not yet written."""

    clock_time: str
    method: str
    kwargs: str
    response: str
    response_sha256: str
    recorded_at: str


def canonical_json(value: Any) -> str:
    """``value`` as compact JSON with sorted keys, so equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def response_digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of a response; replay compares these."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


class Journal:
    """The append-only command journal in one SQLite file.

    Rows are written in the order ``commit`` is called; the caller keeps that
    the order the commands ran in (see ``durable.DurableSystem``). The file
    is used by one call at a time, so a committer thread and readers may
    share it.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._connection = _connect(self.path)
        self._use = threading.Lock()

    @staticmethod
    def record(
        clock_time: str, method: str, kwargs: dict[str, Any] | str, response: Any
    ) -> JournalRow:
        """The row of one command (``ValueError`` for a value JSON cannot hold); ``kwargs``
        may be given as its canonical JSON already."""
        response_text = canonical_json(response)
        return JournalRow(
            clock_time,
            method,
            kwargs if isinstance(kwargs, str) else canonical_json(kwargs),
            response_text,
            hashlib.sha256(response_text.encode("utf-8")).hexdigest(),
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        )

    def append(self, clock_time: str, method: str, kwargs: dict[str, Any], response: Any) -> int:
        """Record one command and commit it to disk; return its sequence number."""
        return self.commit([self.record(clock_time, method, kwargs, response)])

    def commit(self, rows: Sequence[JournalRow]) -> int:
        """Write ``rows`` in one transaction, on disk when this returns; the last sequence number.

        Up to :data:`ONE_STATEMENT_ROWS` rows are one multi-row ``INSERT`` in
        autocommit mode: SQLite makes a statement atomic on its own, and its
        commit is one fsync. Being one call into SQLite matters to the server:
        the committer thread gives up the interpreter once per call and may
        wait for it on return, so a commit in four calls (begin, insert,
        read the last sequence number, commit) waited four times while the
        event loop was busy. A larger batch is written in an explicit
        transaction.
        """
        if not rows:
            with self._use:
                return self._last_seq()
        values = [
            value
            for r in rows
            for value in (
                r.clock_time, r.method, r.kwargs, r.response, r.response_sha256, r.recorded_at
            )
        ]  # fmt: skip
        try:
            with self._use:
                if len(rows) <= ONE_STATEMENT_ROWS:
                    cursor = self._connection.execute(_insert(len(rows)), values)
                    return int(cursor.lastrowid or 0)
                self._connection.execute("BEGIN IMMEDIATE")
                try:
                    for start in range(0, len(rows), ONE_STATEMENT_ROWS):
                        chunk = values[6 * start : 6 * (start + ONE_STATEMENT_ROWS)]
                        self._connection.execute(_insert(len(chunk) // 6), chunk)
                    last = self._last_seq()
                    self._connection.execute("COMMIT")
                except BaseException:
                    if self._connection.in_transaction:
                        self._connection.execute("ROLLBACK")
                    raise
                return last
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot record a command: {exc}") from exc

    def _last_seq(self) -> int:
        row = self._connection.execute("SELECT MAX(seq) FROM journal").fetchone()
        return int(row[0] or 0)

    def entries(self) -> Iterator[JournalEntry]:
        """Every recorded command, in the order it was accepted (read a few hundred at a time)."""
        with self._use:
            cursor = self._connection.execute(
                "SELECT seq, clock_time, method, kwargs, response, response_sha256, recorded_at "
                "FROM journal ORDER BY seq"
            )
        while True:
            with self._use:
                rows = cursor.fetchmany(500)
            if not rows:
                return
            for seq, clock_time, method, kwargs, response, digest, recorded_at in rows:
                yield JournalEntry(
                    seq,
                    clock_time,
                    method,
                    json.loads(kwargs),
                    json.loads(response),
                    digest,
                    recorded_at,
                )

    def __len__(self) -> int:
        with self._use:
            return int(self._connection.execute("SELECT COUNT(*) FROM journal").fetchone()[0])

    def close(self) -> None:
        """Close the file, releasing the exclusive lock."""
        with self._use:
            self._connection.close()


def _connect(path: Path) -> sqlite3.Connection:
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file")
    if not path.parent.is_dir():
        raise StoreError(f"{path}: directory {path.parent} does not exist")
    connection: sqlite3.Connection | None = None
    try:
        connection = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=0.5
        )
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{path}: cannot switch the database to write-ahead logging")
        connection.execute("PRAGMA synchronous = FULL")
        migrate(connection)
    except sqlite3.OperationalError as exc:
        _close(connection)
        if "locked" in str(exc):
            raise StoreError(f"{path}: the database is in use by another server") from exc
        raise StoreError(f"{path}: cannot open the database: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        _close(connection)
        raise StoreError(f"{path}: not a usable SQLite database: {exc}") from exc
    except SchemaError as exc:
        _close(connection)
        raise StoreError(f"{path}: {exc}") from exc
    except StoreError:
        _close(connection)
        raise
    return connection


def _close(connection: sqlite3.Connection | None) -> None:
    if connection is not None:
        connection.close()
