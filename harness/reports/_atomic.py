"""Write a file so that a reader only ever sees the old bytes or the new ones.

The runner rewrites the reports after every suite and on interrupt; a CI job
or a browser reading ``reports/latest`` at that moment must never see half a
file, so every output goes to a temporary sibling first and is renamed over.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_bytes_atomic", "write_text_atomic"]


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Replace ``path`` with ``data`` in one rename (temporary file in the same directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """``write_bytes_atomic`` for text, as UTF-8.

    A lone surrogate (a string decoded with ``surrogateescape`` somewhere
    upstream) is written as a ``\\udcXX`` escape rather than failing the
    whole report, which inside a JSON string is the right escape anyway.
    """
    return write_bytes_atomic(path, text.encode("utf-8", errors="backslashreplace"))
