"""``crr-harness serve`` with a journal that acknowledges before it commits (a mutant).

Run as ``python -m tests.reliability.lossy_serve --port 0 --db ... --pki-dir ...``.
Commands are appended to an in-memory batch and written to SQLite by a
background thread every ``FLUSH_SECONDS`` ("group commit"), while the HTTP
layer already answered 200: whatever the batch holds when the process is
killed is lost, although it was acknowledged.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence

from reference_impl.store.journal import Journal, JournalRow

FLUSH_SECONDS = 0.5

_commit = Journal.commit
_lock = threading.Lock()
_batch: list[tuple[Journal, JournalRow]] = []
_sequence = 0


def _commit_later(self: Journal, rows: Sequence[JournalRow]) -> int:
    global _sequence
    with _lock:
        _batch.extend((self, row) for row in rows)
        _sequence += len(rows)
        return _sequence


def _flusher() -> None:
    while True:
        time.sleep(FLUSH_SECONDS)
        with _lock:
            pending = list(_batch)
            _batch.clear()
            for journal, row in pending:
                _commit(journal, [row])


def main() -> int:
    Journal.commit = _commit_later  # type: ignore[method-assign]
    threading.Thread(target=_flusher, daemon=True, name="group-commit").start()
    from harness.cli import main as cli

    return cli(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
