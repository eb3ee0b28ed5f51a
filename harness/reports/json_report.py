"""``report.json``: the run as ``RunReport.to_dict()`` gives it, the machine-readable contract.

Keys stay in the order the model emits them (not sorted) so that a diff of
two reports reads top-down like the report itself; ARCHITECTURE.md's
"Command-line contract" lists what the file carries.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.reports._atomic import write_text_atomic
from harness.results import RunReport

__all__ = ["render_json", "write_json"]


def render_json(report: RunReport) -> str:
    """The text of report.json: indented by 2, non-ASCII kept readable, ending with a newline."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def write_json(report: RunReport, path: Path) -> Path:
    """Write report.json atomically at ``path`` and return it."""
    return write_text_atomic(path, render_json(report))
