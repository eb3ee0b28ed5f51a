"""Where the reports go: ``<root>/<run-id>/`` with all four outputs, and ``<root>/latest``.

ARCHITECTURE.md's command-line contract promises ``reports/<run-id>/``
holding ``report.json``, ``junit.xml``, ``allure-results/`` and
``report.html``, with ``reports/latest`` pointing at the newest run. The
runner calls ``write_reports`` after every suite and again on interrupt, so
each call replaces what the previous one wrote and a reader never sees a
half-written file, a doubled Allure result or a dangling ``latest``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.reports.allure import write_allure_results
from harness.reports.html import write_html
from harness.reports.json_report import write_json
from harness.reports.junit import write_junit
from harness.results import RunReport, resolve_evidence

__all__ = [
    "ALLURE_DIR",
    "HTML_REPORT",
    "JSON_REPORT",
    "JUNIT_REPORT",
    "LATEST",
    "load_report",
    "write_reports",
]

JSON_REPORT = "report.json"
JUNIT_REPORT = "junit.xml"
HTML_REPORT = "report.html"
ALLURE_DIR = "allure-results"
LATEST = "latest"

_REQUIRED_KEYS = ("run_id", "summary", "checks")


def _run_dir(root: Path, run_id: str) -> Path:
    """The run's directory; the run id must be one plain directory name."""
    if not run_id or run_id in (".", "..", LATEST) or "/" in run_id or "\\" in run_id:
        raise InputError(f"run id {run_id!r} cannot name a report directory")
    return root / run_id


def _replace_allure(report: RunReport, run_dir: Path, evidence: str) -> None:
    """Build allure-results beside the old one and swap it in, so it is never half-built."""
    for stale in run_dir.glob(f".{ALLURE_DIR}.*"):  # left by a write that was itself interrupted
        shutil.rmtree(stale, ignore_errors=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{ALLURE_DIR}.", dir=run_dir))
    try:
        write_allure_results(report, fresh, evidence)
        fresh.chmod(0o755)
        target = run_dir / ALLURE_DIR
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{ALLURE_DIR}.old.", dir=run_dir))
            os.replace(target, old / ALLURE_DIR)
            os.replace(fresh, target)
            shutil.rmtree(old)
        else:
            os.replace(fresh, target)
    finally:
        if fresh.exists():
            shutil.rmtree(fresh)


def _point_latest(root: Path, run_id: str) -> None:
    """Make ``root/latest`` a relative link to the run, replaced in one rename."""
    latest = root / LATEST
    if latest.exists() and not latest.is_symlink():
        raise InputError(
            f"{latest} exists and is not a link; remove it so it can name the last run"
        )
    tmp = root / f".{LATEST}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(run_id, tmp, target_is_directory=True)
    try:
        os.replace(tmp, latest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_reports(report: RunReport, root: Path, *, allure_evidence: str = "failures") -> Path:
    """Write (or rewrite) every report of ``report`` under ``root`` and return the run directory.

    Safe to call repeatedly for the same run: each output is replaced whole.
    ``allure_evidence`` says which checks' exchanges allure-results attaches
    (``"failures"`` or ``"all"``); report.json always holds every exchange.
    """
    run_dir = _run_dir(root, report.run_id)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json(report, run_dir / JSON_REPORT)
    write_junit(report, run_dir / JUNIT_REPORT)
    _replace_allure(report, run_dir, allure_evidence)
    write_html(report, run_dir / HTML_REPORT)
    _point_latest(root, report.run_id)
    return run_dir


def load_report(path: Path) -> dict[str, Any]:
    """Read a report.json back (for ``--rerun-failed``); ``path`` may also be its run directory.

    Every check comes back with its evidence in full: references into the
    shared ``exchanges`` are resolved.

    Raises InputError with a one-line message when there is no report there
    or the file is not one.
    """
    path = Path(path)
    if path.is_dir():
        path = path / JSON_REPORT
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"no report at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise InputError(f"cannot read report {path}: {reason}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        message = getattr(exc, "msg", str(exc))
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise InputError(f"{path} is not a report: not JSON: {message}{where}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a report: expected a JSON object")
    missing = [key for key in _REQUIRED_KEYS if key not in data]
    if missing:
        raise InputError(f"{path} is not a report: missing {', '.join(missing)}")
    checks = data["checks"]
    if not isinstance(checks, list) or not all(
        isinstance(check, dict) and {"id", "case", "status"} <= check.keys() for check in checks
    ):
        raise InputError(f"{path} is not a report: each check needs id, case and status")
    for check in checks:
        check["evidence"] = resolve_evidence(check, data)
    return data
