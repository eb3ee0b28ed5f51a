"""A run to compare: its report.json, from a report directory or a certification package.

A package is read as it is, not verified: ``crr-harness verify`` says
whether it can be trusted; comparing only needs what it reports.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.reports.writer import JSON_REPORT, load_report

__all__ = ["load_run"]


def load_run(path: Path) -> dict[str, Any]:
    """report.json of the run at ``path`` (a directory, a report.json, or a package zip)."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                text = archive.read(JSON_REPORT)
        except KeyError:
            raise InputError(f"{path}: a zip without {JSON_REPORT} is not a package") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{path}: unreadable package ({exc})") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise InputError(f"{path}: its {JSON_REPORT} is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
            raise InputError(f"{path}: its {JSON_REPORT} is not a crr-harness report")
        return data
    if not path.exists():
        raise InputError(f"{path}: no such report directory or package")
    return load_report(path)
