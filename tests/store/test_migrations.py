"""Schema migrations: versioned, ordered, each step atomic, newer databases refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reference_impl.store.migrations import (
    MIGRATIONS,
    Migration,
    SchemaError,
    current_version,
    migrate,
)


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_a_new_database_is_brought_to_the_last_version(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.sqlite3")
    assert current_version(db) == 0
    assert migrate(db) == len(MIGRATIONS)
    assert current_version(db) == len(MIGRATIONS)
    columns = [row[1] for row in db.execute("PRAGMA table_info(journal)")]
    assert columns == [
        "seq",
        "clock_time",
        "method",
        "kwargs",
        "response",
        "response_sha256",
        "recorded_at",
    ]


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.sqlite3")
    migrate(db)
    migrate(db)
    rows = db.execute("SELECT version FROM schema_version").fetchall()
    assert rows == [(m.version,) for m in MIGRATIONS]


def test_later_steps_apply_in_order_on_an_older_database(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.sqlite3")
    migrate(db)
    more = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "notes", ("CREATE TABLE note (t TEXT)",)))
    assert migrate(db, more) == len(more)
    assert db.execute("SELECT COUNT(*) FROM note").fetchone() == (0,)


def test_a_failing_step_leaves_the_previous_version(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.sqlite3")
    migrate(db)
    broken = (
        *MIGRATIONS,
        Migration(len(MIGRATIONS) + 1, "half", ("CREATE TABLE half (t TEXT)", "NOT SQL")),
    )
    with pytest.raises(sqlite3.Error):
        migrate(db, broken)
    assert current_version(db) == len(MIGRATIONS)
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    db = connect(tmp_path / "x.sqlite3")
    migrate(db)
    db.execute("INSERT INTO schema_version VALUES (?, 'future', 'now')", (len(MIGRATIONS) + 1,))
    with pytest.raises(SchemaError, match="newer than this release"):
        migrate(db)


def test_versions_must_be_consecutive(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        migrate(connect(tmp_path / "x.sqlite3"), (Migration(2, "gap", ()),))
