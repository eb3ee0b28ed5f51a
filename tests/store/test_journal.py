"""The journal file: what it records, how it is opened, which files it refuses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reference_impl.store.journal import (
    ONE_STATEMENT_ROWS,
    Journal,
    JournalRow,
    StoreError,
    response_digest,
)


def test_appended_entries_come_back_in_order(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    first = journal.append("2025-09-01T00:00:00Z", "set_clock", {"time": "x"}, {"now": "x"})
    second = journal.append("2025-09-01T00:00:00Z", "reset", {}, {"now": "y"})
    assert (first, second) == (1, 2)
    entries = list(journal.entries())
    assert [(e.seq, e.method, e.kwargs, e.response) for e in entries] == [
        (1, "set_clock", {"time": "x"}, {"now": "x"}),
        (2, "reset", {}, {"now": "y"}),
    ]
    assert entries[0].response_sha256 == response_digest({"now": "x"})
    assert len(journal) == 2
    journal.close()


def test_the_file_is_write_ahead_logged_and_fully_synchronous(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    connection = journal._connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    journal.close()


def test_entries_survive_reopening(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    journal.append("2025-09-01T00:00:00Z", "reset", {"clock_time": None}, {"now": "z"})
    journal.close()
    reopened = Journal(tmp_path / "j.sqlite3")
    assert [e.method for e in reopened.entries()] == ["reset"]
    reopened.close()


def test_a_second_server_on_the_same_file_is_refused(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    with pytest.raises(StoreError, match="in use by another server"):
        Journal(tmp_path / "j.sqlite3")
    journal.close()
    Journal(tmp_path / "j.sqlite3").close()


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Journal(tmp_path / "no" / "such" / "j.sqlite3")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        Journal(tmp_path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database, it is a text file" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Journal(junk)


def test_a_write_failure_is_a_store_error(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    journal._connection.execute("DROP TABLE journal")
    with pytest.raises(StoreError, match="cannot record"):
        journal.append("2025-09-01T00:00:00Z", "reset", {}, {})
    journal.close()


def test_non_json_values_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    with pytest.raises(ValueError):
        journal.append("2025-09-01T00:00:00Z", "reset", {"x": float("nan")}, {})
    assert len(journal) == 0
    journal.close()
    assert sqlite3.connect(tmp_path / "j.sqlite3").execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize("count", [1, 3, ONE_STATEMENT_ROWS, ONE_STATEMENT_ROWS * 2 + 7])
def test_a_commit_writes_its_rows_in_order_and_returns_the_last_sequence_number(
    tmp_path: Path, count: int
) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    journal.append("2025-09-01T00:00:00Z", "reset", {}, {})
    rows = [Journal.record("2025-09-01T00:00:00Z", "set_clock", {"n": n}, n) for n in range(count)]
    assert journal.commit(rows) == count + 1
    assert [e.kwargs for e in journal.entries()][1:] == [{"n": n} for n in range(count)]
    assert not journal._connection.in_transaction
    journal.close()


@pytest.mark.parametrize("count", [5, ONE_STATEMENT_ROWS * 2 + 7])
def test_a_commit_that_fails_part_way_writes_none_of_its_rows(tmp_path: Path, count: int) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    journal.append("2025-09-01T00:00:00Z", "reset", {}, {})
    rows = [Journal.record("2025-09-01T00:00:00Z", "set_clock", {"n": n}, n) for n in range(count)]
    broken = rows[-1]
    rows[-1] = JournalRow(None, broken.method, broken.kwargs, broken.response, "x", "y")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="cannot record a command"):
        journal.commit(rows)
    assert len(journal) == 1
    assert not journal._connection.in_transaction
    assert journal.commit(rows[:2]) == 3
    journal.close()
