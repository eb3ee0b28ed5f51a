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
from typing import Any

from reference_impl.store.journal import Journal

FLUSH_SECONDS = 0.5

_commit = Journal.append
_lock = threading.Lock()
_batch: list[tuple[Journal, tuple[Any, ...]]] = []
_sequence = 0


def _append_later(self: Journal, clock_time: str, method: str, kwargs: dict, response: Any) -> int:
    global _sequence
    with _lock:
        _batch.append((self, (clock_time, method, kwargs, response)))
        _sequence += 1
        return _sequence


def _flusher() -> None:
    while True:
        time.sleep(FLUSH_SECONDS)
        with _lock:
            pending = list(_batch)
            _batch.clear()
            for journal, row in pending:
                _commit(journal, *row)


def main() -> int:
    Journal.append = _append_later  # type: ignore[method-assign]
    threading.Thread(target=_flusher, daemon=True, name="group-commit").start()
    from harness.cli import main as cli

    return cli(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
