"""The SQLite schema of the store, as an ordered list of versioned migration steps.

A database records the version it is at in ``schema_version``. Opening it
applies, in order and each in its own transaction, every step newer than
that; a database written by a newer release (a version this list does not
reach) is refused rather than guessed at. A step, once released, is never
edited: a schema change is a new step at the end of the list, so every
database, whatever release created it, converges on the same schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["MIGRATIONS", "Migration", "SchemaError", "current_version", "migrate"]


class SchemaError(Exception):
    """The database's schema is not one this release can use."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: the version it brings the database to, and its SQL statements."""

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "journal of accepted commands",
        (
            """
            CREATE TABLE journal (
                seq INTEGER PRIMARY KEY,
                clock_time TEXT NOT NULL,
                method TEXT NOT NULL,
                kwargs TEXT NOT NULL,
                response TEXT NOT NULL,
                response_sha256 TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            )
            """,
        ),
    ),
)
"""Every schema step, oldest first; versions are 1, 2, 3, ... without gaps."""


def current_version(connection: sqlite3.Connection) -> int:
    """The schema version the database is at (0 for a new, empty database)."""
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(connection: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the last step of ``migrations``; return the version reached.

    ``connection`` must be in autocommit mode (``isolation_level=None``): each
    step runs in its own ``BEGIN IMMEDIATE`` transaction together with the
    row that records it, so a crash leaves the database at one version or the next.
    """
    expected = list(range(1, len(migrations) + 1))
    if [m.version for m in migrations] != expected:
        raise ValueError("migration versions must be 1, 2, 3, ... in order")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    version = current_version(connection)
    if version > len(migrations):
        raise SchemaError(
            f"the database is at schema version {version}, newer than this release "
            f"knows ({len(migrations)})"
        )
    for step in migrations[version:]:
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in step.statements:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                (step.version, step.description, datetime.now(UTC).isoformat()),
            )
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return len(migrations)
