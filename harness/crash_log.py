"""The last resort: an unexpected exception becomes one line and a file, never a traceback.

A traceback on a participant's terminal says "the tool is broken" without
saying what to send to whom. ``write_crash_log`` keeps the whole traceback,
the command line and the version in a file under the system's temporary
directory, and the command line prints one line naming that file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from harness import __version__

__all__ = ["write_crash_log"]


def write_crash_log(exc: BaseException, argv: list[str]) -> Path | None:
    """Write ``exc``'s traceback with the context to report it; None if nothing could be written."""
    moment = datetime.now(UTC)
    text = "".join(
        [
            f"crr-harness {__version__}, Python {sys.version.split()[0]}\n",
            f"command: crr-harness {' '.join(argv)}\n",
            f"at: {moment.isoformat(timespec='seconds')}\n\n",
            *traceback.format_exception(exc),
        ]
    )
    try:
        folder = Path(tempfile.gettempdir()) / "crr-harness"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{moment:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
        path.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return path
